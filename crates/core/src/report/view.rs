//! The presentation model shared by the HTML and Markdown templates: the report reshaped into
//! what a reader scans for (counts, a matrix, findings in order of importance), so that the
//! templates only lay it out and hold no logic beyond loops and conditions.

use super::{Context, Report};
use crate::compliance;
use crate::findings::{Finding, Outcome, Severity};
use crate::rules::frameworks;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Serialize)]
pub struct View {
    pub tool_version: String,
    pub scope: String,
    pub source: String,
    pub started_at: String,
    pub finished_at: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub rules_run: usize,
    pub has_baseline: bool,
    pub summary: SummaryView,
    pub findings: Vec<FindingView>,
    pub matrix: Matrix,
    pub frameworks: Vec<FrameworkView>,
    pub incomplete: Vec<GapView>,
}

#[derive(Debug, Serialize)]
pub struct SummaryView {
    /// Failures by severity, most severe first; every severity is listed.
    pub fail: Vec<SeverityCount>,
    pub fail_total: usize,
    pub pass: usize,
    pub inconclusive: usize,
    pub not_applicable: usize,
    pub suppressed: usize,
    pub total: usize,
    /// Failures new since the baseline (0 without one).
    pub new_failures: usize,
}

#[derive(Debug, Serialize)]
pub struct SeverityCount {
    pub severity: &'static str,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct FindingView {
    /// A stable anchor for links from the matrix.
    pub anchor: String,
    pub rule_id: String,
    pub title: String,
    pub outcome: &'static str,
    pub severity: &'static str,
    pub arn: String,
    pub kind: &'static str,
    pub account: String,
    pub region: String,
    pub message: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub frameworks: Vec<FrameworkRef>,
    pub suppression: Option<String>,
    /// `new` or `existing` with a baseline.
    pub baseline: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct FrameworkRef {
    pub name: String,
    pub controls: String,
}

/// Accounts × rules: for each rule, the worst outcome in each account.
#[derive(Debug, Serialize)]
pub struct Matrix {
    pub accounts: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Serialize)]
pub struct MatrixRow {
    pub rule_id: String,
    pub title: String,
    pub severity: &'static str,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
pub struct Cell {
    /// The worst outcome: fail, inconclusive, suppressed, pass, not_applicable, or `none`.
    pub status: &'static str,
    /// How many findings of each outcome, for the tooltip.
    pub counts: String,
}

#[derive(Debug, Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub name: String,
    pub controls: Vec<ControlView>,
}

#[derive(Debug, Serialize)]
pub struct ControlView {
    pub control: String,
    pub rules: Vec<String>,
    pub fail: usize,
    pub pass: usize,
    pub inconclusive: usize,
    /// fail when any finding fails, inconclusive when any is, else pass, else not_applicable.
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct GapView {
    pub account: String,
    pub region: String,
    pub api: String,
    pub resource: String,
    pub reason: String,
    pub detail: String,
}

/// Reading order: failures by severity, then inconclusive, suppressed, passes, not applicable.
fn outcome_rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Fail => 0,
        Outcome::Inconclusive => 1,
        Outcome::Suppressed => 2,
        Outcome::Pass => 3,
        Outcome::NotApplicable => 4,
    }
}

/// The worse of two outcomes for a matrix cell.
fn worse(a: Outcome, b: Outcome) -> Outcome {
    if outcome_rank(a) <= outcome_rank(b) {
        a
    } else {
        b
    }
}

pub fn build(report: &Report, ctx: &Context) -> View {
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by(|a, b| {
        outcome_rank(a.outcome)
            .cmp(&outcome_rank(b.outcome))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.resource.arn.cmp(&b.resource.arn))
    });
    let finding_views: Vec<FindingView> = findings.iter().enumerate().map(|(i, f)| finding_view(i, f, ctx)).collect();
    let new_failures =
        findings.iter().filter(|f| f.outcome == Outcome::Fail && ctx.baseline_status(f) == Some(crate::history::BaselineStatus::New)).count();
    View {
        tool_version: report.tool.version.clone(),
        scope: ctx.scope.clone(),
        source: serde_json::to_value(report.scan.source).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        started_at: report.scan.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        finished_at: report.scan.finished_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        accounts: report.scan.accounts.clone(),
        regions: report.scan.regions.clone(),
        rules_run: ctx.rules.len(),
        has_baseline: ctx.baseline.is_some(),
        summary: summary(report, new_failures),
        findings: finding_views,
        matrix: matrix(report, ctx),
        frameworks: framework_views(report),
        incomplete: report.scan.incomplete.iter().map(gap_view).collect(),
    }
}

fn summary(report: &Report, new_failures: usize) -> SummaryView {
    let s = &report.summary;
    SummaryView {
        fail: Severity::ALL.iter().map(|&sev| SeverityCount { severity: sev.as_str(), count: s.fail.get(sev) }).collect(),
        fail_total: s.fail.total(),
        pass: s.pass,
        inconclusive: s.inconclusive,
        not_applicable: s.not_applicable,
        suppressed: s.suppressed,
        total: report.findings.len(),
        new_failures,
    }
}

fn finding_view(index: usize, f: &Finding, ctx: &Context) -> FindingView {
    let references = ctx.rule(&f.rule_id).map(|r| r.references.clone()).unwrap_or_default();
    FindingView {
        anchor: format!("f{index}"),
        rule_id: f.rule_id.clone(),
        title: f.title.to_string(),
        outcome: f.outcome.as_str(),
        severity: f.severity.as_str(),
        arn: f.resource.arn.clone(),
        kind: f.resource.kind.as_str(),
        account: f.resource.account.clone(),
        region: f.resource.region.clone(),
        message: f.message.clone(),
        remediation: f.remediation.trim_end().to_owned(),
        references,
        frameworks: f
            .frameworks
            .iter()
            .map(|(id, controls)| FrameworkRef { name: frameworks::display_name(id).unwrap_or(id).to_owned(), controls: controls.join(", ") })
            .collect(),
        suppression: f.suppression.clone(),
        baseline: ctx.baseline_status(f).map(|s| s.as_str()),
    }
}

/// Rows are the rules that ran (and any rule that only the report knows, e.g. from a report
/// rendered without its rule set); columns are the scanned accounts plus any account that
/// only appears in findings.
fn matrix(report: &Report, ctx: &Context) -> Matrix {
    let mut accounts: BTreeSet<String> = report.scan.accounts.iter().cloned().collect();
    accounts.extend(report.findings.iter().map(|f| f.resource.account.clone()));
    let accounts: Vec<String> = accounts.into_iter().collect();

    let mut rules: BTreeMap<String, (String, Severity)> = ctx.rules.iter().map(|r| (r.id.clone(), (r.title.to_string(), r.severity))).collect();
    for f in &report.findings {
        rules.entry(f.rule_id.clone()).or_insert_with(|| (f.title.to_string(), f.severity));
    }
    let rows = rules
        .into_iter()
        .map(|(rule_id, (title, severity))| {
            let cells = accounts.iter().map(|account| cell(report, &rule_id, account)).collect();
            MatrixRow { rule_id, title, severity: severity.as_str(), cells }
        })
        .collect();
    Matrix { accounts, rows }
}

fn cell(report: &Report, rule_id: &str, account: &str) -> Cell {
    let mut counts: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut worst: Option<Outcome> = None;
    for f in report.findings.iter().filter(|f| f.rule_id == rule_id && f.resource.account == account) {
        *counts.entry(f.outcome).or_default() += 1;
        worst = Some(worst.map_or(f.outcome, |w| worse(w, f.outcome)));
    }
    let counts = counts.iter().map(|(o, n)| format!("{n} {}", o.as_str())).collect::<Vec<_>>().join(", ");
    Cell { status: worst.map_or("none", Outcome::as_str), counts: if counts.is_empty() { "no finding".to_owned() } else { counts } }
}

/// One entry per framework that any finding maps to, in the order of the known frameworks
/// (unknown ids, from custom rules, last); control statuses come from [`compliance::status`].
fn framework_views(report: &Report) -> Vec<FrameworkView> {
    let ids: BTreeSet<&str> = report.findings.iter().flat_map(|f| f.frameworks.keys().map(String::as_str)).collect();
    let position = |id: &str| frameworks::ids().position(|known| known == id).unwrap_or(usize::MAX);
    let mut views: Vec<FrameworkView> = ids
        .into_iter()
        .map(|id| FrameworkView {
            id: id.to_owned(),
            name: frameworks::display_name(id).unwrap_or(id).to_owned(),
            controls: compliance::status(&report.findings, id).into_iter().map(control_view).collect(),
        })
        .collect();
    views.sort_by_key(|v| (position(&v.id), v.id.clone()));
    views
}

fn control_view(c: crate::results::ControlStatus) -> ControlView {
    ControlView { control: c.control, rules: c.rules, fail: c.fail, pass: c.pass, inconclusive: c.inconclusive, status: c.status.as_str() }
}

fn gap_view(g: &crate::inventory::gaps::Gap) -> GapView {
    GapView {
        account: g.account.clone(),
        region: g.region.clone(),
        api: g.api.clone(),
        resource: g.resource.clone(),
        reason: serde_json::to_value(g.reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        detail: g.detail.clone(),
    }
}
