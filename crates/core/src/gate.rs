//! The CI gate: from a report to the process exit code.
//!
//! 0: no failure at or above `--fail-on`; 1: failures at or above it; 2: usage, rule or
//! config error (decided before a report exists); 3: the scan was incomplete and
//! `--fail-on-incomplete` was given. When both 1 and 3 apply, 1 wins: a known violation is
//! the more important news.
//!
//! The gate owns its threshold ([`FailOn`]); `history` and the command line import it from here.

use crate::findings::{Outcome, Severity};
use crate::results::Report;
use std::str::FromStr;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;
pub const EXIT_INCOMPLETE: u8 = 3;

/// The lowest severity that fails the gate, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Severity(Severity),
    Never,
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "never" {
            return Ok(FailOn::Never);
        }
        Severity::from_str(s).map(FailOn::Severity).map_err(|_| format!("`{s}` is not one of info, low, medium, high, critical, never"))
    }
}

impl FailOn {
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Severity(threshold) => severity >= threshold,
            FailOn::Never => false,
        }
    }
}

pub fn exit_code(report: &Report, fail_on: FailOn, fail_on_incomplete: bool) -> u8 {
    let failing = report.findings.iter().any(|f| f.outcome == Outcome::Fail && fail_on.fails(f.severity));
    if failing {
        EXIT_FINDINGS
    } else if fail_on_incomplete && !report.scan.incomplete.is_empty() {
        EXIT_INCOMPLETE
    } else {
        EXIT_OK
    }
}
