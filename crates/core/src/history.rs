//! Audit history: comparing a report with an earlier one.
//!
//! Findings are matched by (rule id, resource ARN): one finding per rule and resource is the
//! report's invariant (docs/architecture.md §8), and both survive a re-scan, while messages and
//! severities may change (an escalation, a reworded template) without the problem being a new
//! one.

use crate::diagnostic::Diagnostic;
use crate::findings::{Finding, Outcome, Severity};
use crate::gate::FailOn;
use crate::results::Report;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::path::Path;

/// How a finding relates to the baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineStatus {
    /// The baseline had no finding for this rule and resource with the same outcome: a new
    /// failure, a regression, a newly scanned resource, or a newly fixed one.
    New,
    /// The baseline had the same rule, resource and outcome.
    Existing,
}

impl BaselineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Existing => "existing",
        }
    }
}

/// A report file (given to `diff` or `--baseline`) that cannot be read or is not a JSON report:
/// where and why. Its own type, so that a caller can tell it from other files' errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct HistoryError(pub Diagnostic);

/// Reads a JSON report written by `scan --json`.
pub fn read_report(path: &Path) -> Result<Report, HistoryError> {
    let text = std::fs::read_to_string(path).map_err(|e| HistoryError(Diagnostic::file(path, format!("cannot read the report: {e}"))))?;
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let diagnostic = Diagnostic::from_json(path, e.inner());
        // The field only when a value is wrong: for text that is not JSON it is no help.
        let diagnostic = if e.inner().is_data() {
            diagnostic.in_context(format_args!("not a trailwarden JSON report at `{field}`"))
        } else {
            diagnostic.in_context("not a trailwarden JSON report")
        };
        match diagnostic.help {
            Some(_) => HistoryError(diagnostic),
            None => HistoryError(diagnostic.with_help("`diff` and `--baseline` read the JSON report written by `trailwarden scan --json`")),
        }
    })
}

type Key<'a> = (&'a str, &'a str);

fn key(f: &Finding) -> Key<'_> {
    (f.rule_id.as_str(), f.resource.arn.as_str())
}

/// The outcomes of an earlier report, for `scan --baseline`.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    outcomes: HashMap<(String, String), Outcome>,
}

impl Baseline {
    pub fn of(report: &Report) -> Baseline {
        let outcomes = report.findings.iter().map(|f| ((f.rule_id.clone(), f.resource.arn.clone()), f.outcome)).collect();
        Baseline { outcomes }
    }

    /// Existing when the baseline had the same rule, resource and outcome; new otherwise.
    pub fn status(&self, finding: &Finding) -> BaselineStatus {
        let old = self.outcomes.get(&(finding.rule_id.clone(), finding.resource.arn.clone()));
        if old == Some(&finding.outcome) {
            BaselineStatus::Existing
        } else {
            BaselineStatus::New
        }
    }
}

/// A failure of the old report that is not a failure in the new one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    /// The finding as the old report had it.
    #[serde(flatten)]
    pub finding: Finding,
    /// Its outcome now, or `None` when the new report has no finding for the rule and resource
    /// (the resource is gone, or the rule did not run).
    pub now: Option<Outcome>,
}

/// The failures of two reports, compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Failing now, not failing before (findings from the new report).
    pub new_failures: Vec<Finding>,
    /// Failing before, not failing now.
    pub resolved: Vec<Resolved>,
    /// Failing in both (findings from the new report).
    pub unchanged_failures: Vec<Finding>,
}

/// Compares the failures of `old` and `new`. Each list is ordered by severity (most severe
/// first), rule id and ARN.
pub fn diff(old: &Report, new: &Report) -> Diff {
    let old_by_key: BTreeMap<Key, &Finding> = old.findings.iter().map(|f| (key(f), f)).collect();
    let new_by_key: BTreeMap<Key, &Finding> = new.findings.iter().map(|f| (key(f), f)).collect();
    let failed_before = |f: &Finding| old_by_key.get(&key(f)).is_some_and(|o| o.outcome == Outcome::Fail);

    let mut new_failures = Vec::new();
    let mut unchanged_failures = Vec::new();
    for f in new.findings.iter().filter(|f| f.outcome == Outcome::Fail) {
        if failed_before(f) {
            unchanged_failures.push(f.clone());
        } else {
            new_failures.push(f.clone());
        }
    }
    let mut resolved: Vec<Resolved> = old
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .filter_map(|f| {
            let now = new_by_key.get(&key(f)).map(|n| n.outcome);
            (now != Some(Outcome::Fail)).then(|| Resolved { finding: f.clone(), now })
        })
        .collect();

    sort_findings(&mut new_failures);
    sort_findings(&mut unchanged_failures);
    resolved.sort_by(|a, b| order(&a.finding, &b.finding));
    Diff { new_failures, resolved, unchanged_failures }
}

fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.severity.cmp(&a.severity).then_with(|| a.rule_id.cmp(&b.rule_id)).then_with(|| a.resource.arn.cmp(&b.resource.arn))
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(order);
}

impl Diff {
    /// Whether a new failure is at or above the gate's severity.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        self.new_failures.iter().any(|f| fail_on.fails(f.severity))
    }

    /// A readable summary for the terminal: counts, then each new and resolved failure.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} new failure(s), {} resolved, {} unchanged failure(s)",
            self.new_failures.len(),
            self.resolved.len(),
            self.unchanged_failures.len()
        );
        if !self.new_failures.is_empty() {
            let _ = writeln!(out, "\nNew failures:");
            for f in &self.new_failures {
                write_line(&mut out, "+", f.severity, f);
            }
        }
        if !self.resolved.is_empty() {
            let _ = writeln!(out, "\nResolved:");
            for r in &self.resolved {
                write_line(&mut out, "-", r.finding.severity, &r.finding);
                let now = r.now.map_or("no longer reported", |o| o.as_str());
                let _ = writeln!(out, "      now: {now}");
            }
        }
        if !self.unchanged_failures.is_empty() {
            let _ = writeln!(out, "\nUnchanged failures:");
            for f in &self.unchanged_failures {
                write_line(&mut out, "=", f.severity, f);
            }
        }
        out
    }

    /// The diff as pretty JSON with a trailing newline.
    pub fn render_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }
}

fn write_line(out: &mut String, sign: &str, severity: Severity, f: &Finding) {
    let _ = writeln!(out, "  {sign} {:<8} {} {}", severity.as_str(), f.rule_id, f.resource.arn);
    let _ = writeln!(out, "      {}", f.message);
}
