//! The Markdown summary's presentation model: the counts, the unit and rule tables, and the
//! findings it may list, each in the order it lists them. Built in one pass over the findings
//! plus a sort of each outcome's findings; only the findings that could fit the size budget
//! are converted to template values, so a report of hundreds of thousands of findings costs
//! what its few thousand listed ones do.

use crate::findings::{Finding, Outcome, Severity};
use crate::history::BaselineStatus;
use crate::report::breakdown::{self, RuleRow, UnitRow};
use crate::report::{Context, Report};
use minijinja::value::{Serde, Value};
use serde::Serialize;
use std::borrow::Cow;

/// How many accounts the rule table names for each rule.
pub const WORST_ACCOUNTS: usize = 3;

/// How many units the unit table lists at most, worst first; the rest are counted in a line
/// below it (a pull-request comment is not the place for every unit of a large organization).
pub const UNIT_ROWS: usize = 25;

/// Everything the summary can show.
pub struct Model {
    /// The template's top-level variables (scope, counts, ...).
    pub header: Value,
    /// Failing findings, most severe first.
    pub failing: Listing,
    pub inconclusive: Listing,
    pub suppressed: Listing,
    pub passed: Listing,
    /// Failures by organizational unit, worst first, at most [`UNIT_ROWS`]; empty when no
    /// finding carries a unit.
    pub units: Vec<Value>,
    /// Units with failing or inconclusive findings, listed or not.
    pub units_total: usize,
    /// Failures by rule and severity, most severe first.
    pub rules: Vec<Value>,
}

/// One outcome's findings: how many there are, and the first of them in listing order as
/// template values (as many as could fit the budget, or all).
pub struct Listing {
    pub total: usize,
    /// Findings at the most severe severity among them.
    pub most_severe: usize,
    pub entries: Vec<Value>,
}

impl Listing {
    /// The first `n` entries (at most as many as were converted).
    pub fn first(&self, n: usize) -> Vec<Value> {
        self.entries[..n.min(self.entries.len())].to_vec()
    }
}

#[derive(Serialize)]
struct Header<'a> {
    tool_version: &'a str,
    scope: &'a str,
    started_at: String,
    accounts: usize,
    regions: usize,
    rules_run: usize,
    has_baseline: bool,
    summary: Counts,
    /// Facts that could not be read.
    incomplete: usize,
}

#[derive(Serialize)]
struct Counts {
    /// Failures by severity, most severe first; every severity is listed.
    fail: Vec<SeverityCount>,
    fail_total: usize,
    pass: usize,
    inconclusive: usize,
    not_applicable: usize,
    suppressed: usize,
    total: usize,
    /// Failures new since the baseline (0 without one).
    new_failures: usize,
}

#[derive(Serialize)]
struct SeverityCount {
    severity: &'static str,
    count: usize,
}

/// A finding as the summary lists it.
#[derive(Serialize)]
struct Entry<'a> {
    rule_id: &'a str,
    title: &'a str,
    severity: &'static str,
    arn: &'a str,
    /// Where the resource is shown: `file:line (address)` when it is declared in
    /// infrastructure as code, else its ARN.
    place: Cow<'a, str>,
    account: &'a str,
    region: &'a str,
    message: &'a str,
    remediation: &'a str,
    suppression: Option<&'a str>,
    /// `new` or `existing` with a baseline.
    baseline: Option<&'static str>,
}

#[derive(Serialize)]
struct UnitEntry<'a> {
    unit: &'a str,
    accounts: usize,
    /// Failures by severity, most severe first.
    fail: [usize; 5],
    inconclusive: usize,
}

#[derive(Serialize)]
struct RuleEntry<'a> {
    rule_id: &'a str,
    severity: &'static str,
    failing: usize,
    accounts: usize,
    worst: Vec<AccountCount<'a>>,
}

#[derive(Serialize)]
struct AccountCount<'a> {
    account: &'a str,
    count: usize,
}

impl Model {
    /// The model of `report`, converting at most `most` findings of each outcome to template
    /// values (a budget of N characters cannot list more than N / the shortest entry).
    pub fn build(report: &Report, ctx: &Context, most: usize) -> Model {
        let mut by_outcome: [Vec<&Finding>; 4] = Default::default();
        for f in &report.findings {
            let slot = match f.outcome {
                Outcome::Fail => 0,
                Outcome::Inconclusive => 1,
                Outcome::Suppressed => 2,
                Outcome::Pass => 3,
                Outcome::NotApplicable => continue,
            };
            by_outcome[slot].push(f);
        }
        let new_failures = match ctx.baseline {
            Some(baseline) => by_outcome[0].iter().filter(|f| baseline.status(f) == BaselineStatus::New).count(),
            None => 0,
        };
        let [failing, inconclusive, suppressed, passed] = by_outcome.map(|findings| listing(findings, ctx, most));
        let units = breakdown::by_unit(&report.findings).unwrap_or_default();
        let rules = breakdown::by_rule(&report.findings, Outcome::Fail, WORST_ACCOUNTS);
        Model {
            header: Value::from(Serde(&header(report, ctx, new_failures))),
            failing,
            inconclusive,
            suppressed,
            passed,
            units: units.iter().take(UNIT_ROWS).map(unit_value).collect(),
            units_total: units.len(),
            rules: rules.iter().map(rule_value).collect(),
        }
    }
}

/// Most severe first, then by rule and resource: the order a reader triages in.
fn listing(mut findings: Vec<&Finding>, ctx: &Context, most: usize) -> Listing {
    let total = findings.len();
    let worst = findings.iter().map(|f| f.severity).max();
    let most_severe = findings.iter().filter(|f| Some(f.severity) == worst).count();
    let order = |a: &&Finding, b: &&Finding| {
        b.severity.cmp(&a.severity).then_with(|| a.rule_id.cmp(&b.rule_id)).then_with(|| a.resource.arn.cmp(&b.resource.arn))
    };
    if findings.len() > most && most > 0 {
        findings.select_nth_unstable_by(most - 1, order);
    }
    findings.truncate(most);
    findings.sort_by(order);
    Listing { total, most_severe, entries: findings.into_iter().map(|f| Value::from(Serde(&entry(f, ctx)))).collect() }
}

fn entry<'a>(f: &'a Finding, ctx: &Context) -> Entry<'a> {
    Entry {
        rule_id: &f.rule_id,
        title: &f.title,
        severity: f.severity.as_str(),
        arn: &f.resource.arn,
        place: match &f.resource.location {
            Some(at) => Cow::Owned(format!("{}:{} ({})", at.file, at.line, at.address)),
            None => Cow::Borrowed(&f.resource.arn),
        },
        account: &f.resource.account,
        region: &f.resource.region,
        message: &f.message,
        remediation: f.remediation.trim_end(),
        suppression: f.suppression.as_deref(),
        baseline: ctx.baseline_status(f).map(BaselineStatus::as_str),
    }
}

fn header<'a>(report: &'a Report, ctx: &'a Context, new_failures: usize) -> Header<'a> {
    let s = &report.summary;
    Header {
        tool_version: &report.tool.version,
        scope: &ctx.scope,
        started_at: report.scan.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        accounts: report.scan.accounts.len(),
        regions: report.scan.regions.len(),
        rules_run: ctx.rules.len(),
        has_baseline: ctx.baseline.is_some(),
        summary: Counts {
            fail: Severity::ALL.iter().map(|&severity| SeverityCount { severity: severity.as_str(), count: s.fail.get(severity) }).collect(),
            fail_total: s.fail.total(),
            pass: s.pass,
            inconclusive: s.inconclusive,
            not_applicable: s.not_applicable,
            suppressed: s.suppressed,
            total: report.findings.len(),
            new_failures,
        },
        incomplete: report.scan.incomplete.len(),
    }
}

fn unit_value(row: &UnitRow) -> Value {
    Value::from(Serde(&UnitEntry { unit: row.label(), accounts: row.accounts, fail: row.fail, inconclusive: row.inconclusive }))
}

fn rule_value(row: &RuleRow) -> Value {
    Value::from(Serde(&RuleEntry {
        rule_id: &row.rule_id,
        severity: row.severity.as_str(),
        failing: row.findings,
        accounts: row.accounts,
        worst: row.worst_accounts.iter().map(|(account, count)| AccountCount { account, count: *count }).collect(),
    }))
}
