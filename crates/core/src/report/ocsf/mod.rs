//! OCSF output (`--ocsf FILE`, `--ocsf-all FILE`): each finding as an OCSF 1.8.0 Detection
//! Finding (class_uid 2004, category Findings; https://schema.ocsf.io/1.8.0/classes/detection_finding)
//! with the `cloud` profile, for security data lakes and SIEMs.
//!
//! Which findings: failing and inconclusive ones (as SARIF), and suppressed ones with status
//! Suppressed, so that a consumer that saw a finding as New before it was accepted in the
//! config learns that it was, instead of keeping it open. `--ocsf-all` adds the passes, as
//! Resolved findings of activity Close: a consumer that keys findings by `finding_info.uid`
//! then closes what a fix resolved. Not-applicable findings are never written: nothing was
//! checked. What each attribute holds is `map.rs`; the objects' shape is `event.rs`.
//!
//! The file is JSON Lines, one object per line, not a JSON array: Amazon Athena's JSON
//! SerDes (https://docs.aws.amazon.com/athena/latest/ug/parsing-JSON.html, "each JSON-encoded
//! record is represented on a separate line"), Apache Arrow's JSON reader, which turns
//! findings into the Parquet files Amazon Security Lake stores
//! (https://arrow.apache.org/docs/python/json.html, "only the line-delimited JSON format is
//! supported"), and SIEM file inputs all read records line by line, and a file of 75,000
//! findings can be split, appended to and streamed without parsing it whole.

mod event;
mod map;

pub use event::{CLASS_UID, OCSF_VERSION};
pub use map::finding_uid;

use super::{Context, Format, Rendered, Report, ReportError};
use crate::findings::Outcome;
use std::io::Write;

/// The `--ocsf` format (`passes: false`) and the `--ocsf-all` one (`passes: true`).
#[derive(Debug, Clone, Copy)]
pub struct Ocsf {
    pub passes: bool,
}

impl Ocsf {
    /// Failing, inconclusive and suppressed findings.
    pub const FINDINGS: Ocsf = Ocsf { passes: false };
    /// Passes too.
    pub const ALL: Ocsf = Ocsf { passes: true };

    /// Whether a finding becomes an OCSF object.
    pub fn writes(&self, outcome: Outcome) -> bool {
        match outcome {
            Outcome::Fail | Outcome::Inconclusive | Outcome::Suppressed => true,
            Outcome::Pass => self.passes,
            Outcome::NotApplicable => false,
        }
    }
}

impl Format for Ocsf {
    /// Streamed: nothing can fail but writing.
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError> {
        let format = *self;
        Ok(Rendered::Streamed(Box::new(move |out| write(report, ctx, &format, out))))
    }
}

/// Writes one Detection Finding a line, in the report's order of findings.
pub fn write(report: &Report, ctx: &Context, format: &Ocsf, out: &mut dyn Write) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let scan = map::Scan { time: report.scan.finished_at.timestamp_millis(), version: &report.tool.version, ctx };
    for finding in report.findings.iter().filter(|f| format.writes(f.outcome)) {
        serde_json::to_writer(&mut out, &map::detection_finding(finding, &scan))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
