//! The JSON report (docs/architecture.md §8): the complete result, passes included, as audit
//! evidence. The [`Report`] it writes is `results::Report` as it is; this module only writes it.

use super::{Context, Format, Rendered, ReportError};
use crate::findings::Finding;
use crate::results::{Report, ScanInfo, Summary, ToolInfo};
use serde::Serialize;
use std::io::Write;

/// Writes the report as pretty JSON with a trailing newline, streamed: a large organization's
/// report is hundreds of megabytes and never held in memory as text. With a baseline in the
/// context (`scan --baseline`), each finding also says `"baseline": "new" | "existing"`.
pub fn write(report: &Report, ctx: &Context, out: &mut dyn std::io::Write) -> std::io::Result<()> {
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

/// The `--json` format: streamed when written, never held in memory as text; it cannot fail
/// to render, so nothing is checked before the other outputs are written.
#[derive(Debug)]
pub struct Json;

impl Format for Json {
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError> {
        Ok(Rendered::Streamed(Box::new(move |out| write(report, ctx, out))))
    }
}
