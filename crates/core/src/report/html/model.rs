//! What templates/report.html lays out as HTML: the header, the summary and its charts, the
//! grouped tables (rules, units), the matrix and the frameworks. All of it is sized by rules,
//! units and controls, never by findings or accounts: the findings and the accounts are in the
//! embedded data ([`super::data`]) and rendered by the page's script a page at a time.

use super::charts::{self, BarChart, RateRow};
use super::matrix::{self, Matrix};
use super::shared::Shared;
use super::tally::{percent, thousands, Counts, Tally};
use crate::compliance;
use crate::findings::{Frameworks, Outcome, Severity};
use crate::history::BaselineStatus;
use crate::report::{Context, Report};
use crate::results::ControlStatus;
use crate::rules::frameworks;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Serialize)]
pub struct Page {
    pub tool_version: String,
    pub scope: String,
    pub source: String,
    pub started_at: String,
    pub finished_at: String,
    pub accounts: String,
    pub regions: Vec<String>,
    pub rules_run: usize,
    pub findings: String,
    pub has_baseline: bool,
    pub summary: Summary,
    pub charts: Charts,
    pub rules: Vec<RuleRow>,
    /// Whether any resource is in an organizational unit (else the unit views are left out).
    pub has_units: bool,
    pub units: Vec<UnitRow>,
    /// Every unit path and its ancestors, for the unit filter.
    pub unit_options: Vec<String>,
    /// Accounts in the account table.
    pub account_rows: String,
    pub matrix: Matrix,
    pub frameworks: Vec<FrameworkView>,
    /// Facts that could not be read (listed by the script).
    pub incomplete: String,
    pub has_incomplete: bool,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    /// Failures by severity, most severe first; every severity is listed.
    pub fail: Vec<SeverityCount>,
    pub counts: CountsView,
    /// Failures new since the baseline (0 without one).
    pub new_failures: String,
    pub pass_rate: String,
}

#[derive(Debug, Serialize)]
pub struct SeverityCount {
    pub severity: &'static str,
    pub count: String,
}

/// Counts as the page prints them (`1,234`).
#[derive(Debug, Serialize)]
pub struct CountsView {
    pub failed_by_severity: Vec<String>,
    pub failed: String,
    pub inconclusive: String,
    pub suppressed: String,
    pub passed: String,
    pub not_applicable: String,
    pub total: String,
    /// The worst outcome, for the row's colour (`none` without findings).
    pub worst: &'static str,
}

impl From<&Counts> for CountsView {
    fn from(c: &Counts) -> Self {
        let n = |v: u32| thousands(v as usize);
        CountsView {
            failed_by_severity: c.failed.iter().map(|&v| n(v)).collect(),
            failed: n(c.failed_total()),
            inconclusive: n(c.inconclusive),
            suppressed: n(c.suppressed),
            passed: n(c.passed),
            not_applicable: n(c.not_applicable),
            total: n(c.total()),
            worst: c.worst().map_or("none", Outcome::as_str),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Charts {
    pub severity: BarChart,
    pub rules: BarChart,
    pub units: Option<BarChart>,
    /// One per framework, in the order of [`Page::frameworks`].
    pub frameworks: Vec<BarChart>,
}

#[derive(Debug, Serialize)]
pub struct RuleRow {
    /// The rule's position in the embedded data's rules.
    pub index: usize,
    pub id: String,
    pub title: String,
    pub severity: &'static str,
    pub counts: CountsView,
    pub pass_rate: String,
    pub references: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct UnitRow {
    pub label: String,
    /// The unit path; empty for accounts outside the unit tree.
    pub key: String,
    pub accounts: String,
    pub counts: CountsView,
    pub pass_rate: String,
}

#[derive(Debug, Serialize)]
pub struct FrameworkView {
    pub name: String,
    pub controls: Vec<ControlView>,
    pub failing: usize,
}

#[derive(Debug, Serialize)]
pub struct ControlView {
    pub control: String,
    pub rules: String,
    pub fail: String,
    pub pass: String,
    pub inconclusive: String,
    /// fail when any finding fails, inconclusive when any is, else pass, else not_applicable.
    pub status: &'static str,
}

const NO_UNIT: &str = "no organizational unit";

pub fn build(report: &Report, ctx: &Context, tally: &Tally) -> Page {
    let frameworks = framework_views(report, tally);
    Page {
        tool_version: report.tool.version.clone(),
        scope: ctx.scope.clone(),
        source: serde_json::to_value(report.scan.source).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        started_at: report.scan.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        finished_at: report.scan.finished_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        accounts: thousands(report.scan.accounts.len()),
        regions: report.scan.regions.clone(),
        rules_run: ctx.rules.len(),
        findings: thousands(report.findings.len()),
        has_baseline: ctx.baseline.is_some(),
        summary: summary(report, ctx, tally),
        charts: Charts {
            severity: charts::failures_by_severity(&tally.total),
            rules: charts::pass_rates("Pass rate per rule", "rule", tally.rules.iter().map(|r| RateRow::new(r.id, &r.counts)).collect()),
            units: tally.has_units().then(|| {
                let rows = tally.units.iter().map(|u| RateRow::new(u.path.unwrap_or(NO_UNIT), &u.counts)).collect();
                charts::pass_rates("Pass rate per organizational unit", "unit", rows)
            }),
            frameworks: frameworks.iter().map(|(view, statuses)| control_chart(view, statuses)).collect(),
        },
        rules: tally
            .rules
            .iter()
            .enumerate()
            .map(|(index, r)| RuleRow {
                index,
                id: r.id.to_owned(),
                title: r.title.to_owned(),
                severity: r.severity.as_str(),
                counts: CountsView::from(&r.counts),
                pass_rate: percent(r.counts.pass_rate()),
                references: r.references.to_vec(),
            })
            .collect(),
        has_units: tally.has_units(),
        units: tally
            .units
            .iter()
            .map(|u| UnitRow {
                label: u.path.unwrap_or(NO_UNIT).to_owned(),
                key: u.path.unwrap_or_default().to_owned(),
                accounts: thousands(u.accounts),
                counts: CountsView::from(&u.counts),
                pass_rate: percent(u.counts.pass_rate()),
            })
            .collect(),
        unit_options: unit_options(tally),
        account_rows: thousands(tally.accounts.len()),
        matrix: matrix::build(report, tally),
        frameworks: frameworks.into_iter().map(|(view, _)| view).collect(),
        incomplete: thousands(report.scan.incomplete.len()),
        has_incomplete: !report.scan.incomplete.is_empty(),
    }
}

fn summary(report: &Report, ctx: &Context, tally: &Tally) -> Summary {
    // Only failures can be new failures: the baseline is looked up for those alone.
    let new_failures = match ctx.baseline {
        Some(_) => report.findings.iter().filter(|f| f.outcome == Outcome::Fail && ctx.baseline_status(f) == Some(BaselineStatus::New)).count(),
        None => 0,
    };
    Summary {
        fail: Severity::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| SeverityCount { severity: s.as_str(), count: thousands(tally.total.failed[i] as usize) })
            .collect(),
        counts: CountsView::from(&tally.total),
        new_failures: thousands(new_failures),
        pass_rate: percent(tally.total.pass_rate()),
    }
}

/// Every unit path that resources are in, and every ancestor of one (a filter on a unit takes
/// in its sub-units).
fn unit_options(tally: &Tally) -> Vec<String> {
    let mut paths = BTreeSet::new();
    for &path in &tally.unit_paths {
        for (at, _) in path.match_indices('/') {
            paths.insert(&path[..at]);
        }
        paths.insert(path);
    }
    paths.into_iter().map(str::to_owned).collect()
}

/// Findings counted by what a control's status depends on: the rule's framework map, the
/// rule and the outcome; in the order of their first finding.
struct FrameworkGroups<'a> {
    maps: Vec<&'a Frameworks>,
    /// (map, rule, outcome) → findings.
    groups: Vec<((u32, u32, Outcome), u32)>,
}

fn framework_groups<'a>(report: &'a Report, tally: &Tally) -> FrameworkGroups<'a> {
    let mut maps = Vec::new();
    let mut map_index = Shared::new();
    let mut groups: Vec<((u32, u32, Outcome), u32)> = Vec::new();
    let mut group_index: HashMap<(u32, u32, Outcome), usize> = HashMap::new();
    let mut last: Option<((u32, u32, Outcome), usize)> = None;
    for (f, &(rule, _)) in report.findings.iter().zip(&tally.of_finding) {
        let map = map_index.get_or_add(&f.frameworks, |m| {
            maps.push(m);
            maps.len() as u32 - 1
        });
        let key = (map, rule, f.outcome);
        let group = match last {
            Some((k, g)) if k == key => g,
            _ => *group_index.entry(key).or_insert_with(|| {
                groups.push((key, 0));
                groups.len() - 1
            }),
        };
        last = Some((key, group));
        groups[group].1 += 1;
    }
    FrameworkGroups { maps, groups }
}

/// The status of every control of `framework` that some rule maps to: what
/// [`compliance::status`] computes, from the groups rather than from every finding (ten
/// frameworks over a quarter of a million findings took a fifth of a second).
fn control_statuses(groups: &FrameworkGroups, tally: &Tally, framework: &str) -> Vec<ControlStatus> {
    let counted =
        groups.groups.iter().map(|&((map, rule, outcome), n)| (groups.maps[map as usize], tally.rules[rule as usize].id, outcome, n as usize));
    compliance::status_of_groups(counted, framework)
}

/// One entry per framework that any finding maps to, in the order of the known frameworks
/// (unknown ids, from custom rules, last).
fn framework_views(report: &Report, tally: &Tally) -> Vec<(FrameworkView, Vec<ControlStatus>)> {
    let groups = framework_groups(report, tally);
    let ids: BTreeSet<&str> = groups.maps.iter().flat_map(|m| m.keys().map(String::as_str)).collect();
    let position = |id: &str| frameworks::ids().position(|known| known == id).unwrap_or(usize::MAX);
    let mut ids: Vec<&str> = ids.into_iter().collect();
    ids.sort_by_key(|id| (position(id), *id));
    ids.into_iter()
        .map(|id| {
            let statuses = control_statuses(&groups, tally, id);
            let view = FrameworkView {
                name: frameworks::display_name(id).unwrap_or(id).to_owned(),
                failing: statuses.iter().filter(|c| c.status == Outcome::Fail).count(),
                controls: statuses
                    .iter()
                    .map(|c| ControlView {
                        control: c.control.clone(),
                        rules: c.rules.join(", "),
                        fail: thousands(c.fail),
                        pass: thousands(c.pass),
                        inconclusive: thousands(c.inconclusive),
                        status: c.status.as_str(),
                    })
                    .collect(),
            };
            (view, statuses)
        })
        .collect()
}

fn control_chart(view: &FrameworkView, statuses: &[ControlStatus]) -> BarChart {
    let rows = statuses
        .iter()
        .map(|c| RateRow { label: c.control.clone(), passed: c.pass as u32, failed: c.fail as u32, inconclusive: c.inconclusive as u32 })
        .collect();
    charts::pass_rates(&format!("Pass rate per control: {}", view.name), "control", rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::html::tally::{self, tests::*};

    #[test]
    fn unit_options_include_every_ancestor() {
        let report = report(
            &["1", "2"],
            vec![
                finding("A", Outcome::Pass, Severity::Low, "1", Some("Root/Workloads/Prod")),
                finding("A", Outcome::Pass, Severity::Low, "2", Some("Root/Security")),
                finding("A", Outcome::Pass, Severity::Low, "3", None),
            ],
        );
        let ctx = context();
        let tally = tally::count(&report, &ctx);
        assert_eq!(unit_options(&tally), ["Root", "Root/Security", "Root/Workloads", "Root/Workloads/Prod"]);
        let page = build(&report, &ctx, &tally);
        assert!(page.has_units);
        assert_eq!(page.units.iter().map(|u| u.label.as_str()).collect::<BTreeSet<_>>().len(), 3);
        assert_eq!(page.summary.pass_rate, "100%");
        assert_eq!(page.charts.units.as_ref().unwrap().rows.len(), 3);
    }

    #[test]
    fn control_statuses_are_those_of_compliance_status() {
        use std::sync::Arc;
        let cis = |controls: &[&str]| -> Arc<Frameworks> {
            let mut map = Frameworks::new();
            map.insert("cis-aws-foundations-v5.0.0".to_owned(), controls.iter().map(|c| (*c).to_owned()).collect());
            map.insert("aws-security-hub".to_owned(), vec!["CloudTrail.1".to_owned()]);
            Arc::new(map)
        };
        let (logging, validation) = (cis(&["3.1", "3.10"]), cis(&["3.2"]));
        let mut findings = Vec::new();
        for (i, (rule, outcome, map)) in [
            ("B", Outcome::Pass, &logging),
            ("A", Outcome::Fail, &logging),
            ("C", Outcome::Inconclusive, &validation),
            ("B", Outcome::Fail, &logging),
            ("C", Outcome::Pass, &validation),
            ("C", Outcome::Suppressed, &validation),
            ("D", Outcome::NotApplicable, &validation),
        ]
        .into_iter()
        .enumerate()
        {
            let mut f = finding(rule, outcome, Severity::High, &format!("{i}"), None);
            // Findings of a rule share their map, as a scan makes them; D's is a copy, as a
            // report read back from JSON has.
            f.frameworks = if rule == "D" { Arc::new((**map).clone()) } else { Arc::clone(map) };
            findings.push(f);
        }
        let report = report(&["0"], findings);
        let ctx = context();
        let tally = tally::count(&report, &ctx);
        let groups = framework_groups(&report, &tally);
        for framework in ["cis-aws-foundations-v5.0.0", "aws-security-hub", "nist-800-53-r5"] {
            assert_eq!(control_statuses(&groups, &tally, framework), compliance::status(&report.findings, framework), "{framework}");
        }
        let views = framework_views(&report, &tally);
        assert_eq!(
            views.iter().map(|(v, _)| v.name.as_str()).collect::<Vec<_>>(),
            ["CIS AWS Foundations Benchmark v5.0.0", "AWS Security Hub CSPM controls"]
        );
    }
}
