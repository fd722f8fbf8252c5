//! The JSON report (DESIGN §6): the complete result, passes included, as audit evidence.

use crate::findings::{Finding, Summary};
use crate::inventory::gaps::Gap;
use serde::{Deserialize, Serialize};

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

/// The report as pretty JSON, with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("reports serialize");
    text.push('\n');
    text
}

/// The report as pretty JSON, with each finding marked `"baseline": "new" | "existing"`
/// when the context has a baseline (`scan --baseline`); otherwise the same as [`render`].
pub fn render_with(report: &Report, ctx: &super::Context) -> String {
    let Some(baseline) = ctx.baseline else {
        return render(report);
    };
    let mut value = match serde_json::to_value(report) {
        Ok(value) => value,
        Err(_) => return render(report),
    };
    if let Some(findings) = value.get_mut("findings").and_then(|f| f.as_array_mut()) {
        for (json, finding) in findings.iter_mut().zip(&report.findings) {
            if let Some(object) = json.as_object_mut() {
                object.insert("baseline".to_owned(), serde_json::json!(baseline.status(finding).as_str()));
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}
