//! The JSON report (DESIGN §6): the complete result, passes included, as audit evidence.

use crate::findings::{Finding, Summary};
use crate::inventory::gaps::Gap;
use serde::{Deserialize, Serialize};
use std::io::Write;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub tool: ToolInfo,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl Default for ToolInfo {
    fn default() -> Self {
        ToolInfo { name: "trailwarden".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Live,
    Snapshot,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanInfo {
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: chrono::DateTime<chrono::Utc>,
    pub source: Source,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Facts and targets that could not be read.
    pub incomplete: Vec<Gap>,
}

/// Writes the report as pretty JSON with a trailing newline, streamed: a large organization's
/// report is hundreds of megabytes and never held in memory as text. With a baseline in the
/// context (`scan --baseline`), each finding also says `"baseline": "new" | "existing"`.
pub fn write(report: &Report, ctx: &super::Context, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // serde_json writes punctuation and indentation a few bytes at a time: gathered here, in a
    // buffer of a known type, rather than passed one piece at a time through `dyn Write`.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    match ctx.baseline {
        None => serde_json::to_writer_pretty(&mut out, report)?,
        Some(baseline) => {
            let marked = MarkedReport {
                tool: &report.tool,
                scan: &report.scan,
                summary: &report.summary,
                findings: report.findings.iter().map(|finding| MarkedFinding { finding, baseline: baseline.status(finding).as_str() }).collect(),
            };
            serde_json::to_writer_pretty(&mut out, &marked)?
        }
    }
    out.write_all(b"\n")?;
    out.flush()
}

#[derive(Serialize)]
struct MarkedReport<'a> {
    tool: &'a ToolInfo,
    scan: &'a ScanInfo,
    summary: &'a Summary,
    findings: Vec<MarkedFinding<'a>>,
}

#[derive(Serialize)]
struct MarkedFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    baseline: &'static str,
}
