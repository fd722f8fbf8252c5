//! The result of a scan as every format and the gate see it: the [`Report`] (what was
//! scanned, the counts, the findings) and its parts. Data only, apart from the counting; the
//! renderers (`report`), the gate, the history and the scan all import it, and it imports none
//! of them, so the JSON renderer no longer has to be imported to name a report.

use crate::findings::{Finding, Outcome, Severity};
use crate::inventory::gaps::Gap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A scan's result, as the JSON report writes it (docs/architecture.md §8) and `history` reads it back.
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

/// Where the inventory came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Live,
    Snapshot,
    /// `scan --cloudformation`: templates.
    Cloudformation,
    /// `scan --terraform-plan`: a plan.
    TerraformPlan,
}

impl Source {
    /// For infrastructure as code, which declares some resources of an account and says
    /// nothing of the rest: what it is, in words, for the findings it cannot decide.
    pub fn shows_only_its_own_resources(self) -> Option<&'static str> {
        match self {
            Source::Live | Source::Snapshot => None,
            Source::Cloudformation => {
                Some("a CloudFormation template, which shows only its own resources, not the rest of the account, its Regions or its organization")
            }
            Source::TerraformPlan => {
                Some("a Terraform plan, which shows only its own resources, not the rest of the account, its Regions or its organization")
            }
        }
    }
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

/// Failure counts by severity, written most severe first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl SeverityCounts {
    pub fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Info => self.info += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.info
    }
}

/// Counts by outcome; failures also by severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub fail: SeverityCounts,
    pub pass: usize,
    pub inconclusive: usize,
    pub not_applicable: usize,
    pub suppressed: usize,
    /// With `scan --framework`: the status of each control of the framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frameworks: Option<FrameworkStatus>,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary::default();
        for f in findings {
            match f.outcome {
                Outcome::Fail => summary.fail.add(f.severity),
                Outcome::Pass => summary.pass += 1,
                Outcome::Inconclusive => summary.inconclusive += 1,
                Outcome::NotApplicable => summary.not_applicable += 1,
                Outcome::Suppressed => summary.suppressed += 1,
            }
        }
        summary
    }
}

/// The status of one control of a framework (computed by `compliance::status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlStatus {
    pub control: String,
    /// `fail` when any mapped finding fails; else `inconclusive` when any is; else `pass`
    /// when any passes; else `not_applicable`.
    pub status: Outcome,
    pub rules: Vec<String>,
    pub fail: usize,
    pub pass: usize,
    pub inconclusive: usize,
}

/// Per-framework results: framework id → its controls in natural order.
pub type FrameworkStatus = BTreeMap<String, Vec<ControlStatus>>;
