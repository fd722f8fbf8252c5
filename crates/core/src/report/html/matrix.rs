//! The rules × accounts matrix: for each rule, the worst outcome in each account. With more
//! accounts than fit as columns, the columns are organizational units instead, at the deepest
//! level of the unit tree that fits, and a cell aggregates the unit's accounts (sub-units
//! included). The cells are counted in one pass over the findings.

use super::tally::{Counts, Tally};
use crate::report::Report;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Columns a reader can still scan across; more accounts than this are grouped by unit.
pub const MAX_COLUMNS: usize = 40;

#[derive(Debug, Serialize)]
pub struct Matrix {
    /// `account` or `unit`: what a column is.
    pub by: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Accounts that the unit columns group (shown above the matrix).
    pub accounts: usize,
}

#[derive(Debug, Serialize)]
pub struct Column {
    /// The heading.
    pub label: String,
    /// The account id, or the unit path (empty for accounts outside the unit tree).
    pub key: String,
    /// For a unit column: whether it takes in the unit's sub-units. A unit shallower than the
    /// matrix's level stands for its own accounts only.
    pub subtree: bool,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub rule_id: String,
    pub title: String,
    pub severity: &'static str,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
pub struct Cell {
    /// The worst outcome (`fail`, `inconclusive`, `suppressed`, `pass`, `not_applicable`), or
    /// `none` without findings.
    pub status: &'static str,
    /// How many findings of each outcome, for the tooltip.
    pub counts: String,
}

/// The first `depth` segments of a unit path.
fn prefix(path: &str, depth: usize) -> &str {
    match path.match_indices('/').nth(depth.saturating_sub(1)) {
        Some((at, _)) => &path[..at],
        None => path,
    }
}

fn depth(path: &str) -> usize {
    path.split('/').count()
}

/// What one column groups: an account, or a unit (its sub-units too when `subtree`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group<'a> {
    Account(&'a str),
    Unit { path: Option<&'a str>, subtree: bool },
}

/// The unit columns at the deepest level whose units fit in [`MAX_COLUMNS`]; each account's
/// column is its unit's ancestor at that level, or its own unit when that is shallower.
fn unit_groups<'a>(tally: &Tally<'a>) -> Vec<Group<'a>> {
    let paths: BTreeSet<Option<&str>> = tally.accounts.iter().map(|a| a.unit).collect();
    let deepest = paths.iter().flatten().map(|p| depth(p)).max().unwrap_or(1);
    let groups_at = |level: usize| -> BTreeSet<Group<'a>> {
        paths
            .iter()
            .map(|path| match path {
                Some(p) if depth(p) >= level => Group::Unit { path: Some(prefix(p, level)), subtree: true },
                other => Group::Unit { path: *other, subtree: false },
            })
            .collect()
    };
    let level = (1..=deepest).rev().find(|&level| groups_at(level).len() <= MAX_COLUMNS).unwrap_or(1);
    groups_at(level).into_iter().collect()
}

fn column_of<'a>(group: &Group<'a>, account_unit: Option<&'a str>) -> bool {
    match group {
        Group::Account(_) => false,
        Group::Unit { path: None, .. } => account_unit.is_none(),
        Group::Unit { path: Some(p), subtree: false } => account_unit == Some(*p),
        Group::Unit { path: Some(p), subtree: true } => {
            account_unit.is_some_and(|u| u == *p || (u.starts_with(*p) && u.as_bytes().get(p.len()) == Some(&b'/')))
        }
    }
}

pub fn build(report: &Report, tally: &Tally) -> Matrix {
    let by_account = tally.accounts.len() <= MAX_COLUMNS;
    let groups: Vec<Group> = if by_account {
        let mut ids: Vec<&str> = tally.accounts.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        ids.into_iter().map(Group::Account).collect()
    } else {
        unit_groups(tally)
    };
    // Each account's column, found once per account rather than once per finding.
    let column_of_account: Vec<usize> = if by_account {
        let position: HashMap<&str, usize> =
            groups.iter().enumerate().filter_map(|(i, g)| if let Group::Account(id) = g { Some((*id, i)) } else { None }).collect();
        tally.accounts.iter().map(|a| position[a.id]).collect()
    } else {
        tally.accounts.iter().map(|a| groups.iter().position(|g| column_of(g, a.unit)).expect("every account's unit has a column")).collect()
    };

    let width = groups.len();
    let mut cells = vec![Counts::default(); tally.rules.len() * width];
    for (f, &(rule, account)) in report.findings.iter().zip(&tally.of_finding) {
        cells[rule as usize * width + column_of_account[account as usize]].add(f);
    }

    let columns = groups
        .iter()
        .map(|g| match g {
            Group::Account(id) => Column { label: (*id).to_owned(), key: (*id).to_owned(), subtree: false },
            Group::Unit { path: None, .. } => Column { label: "no organizational unit".to_owned(), key: String::new(), subtree: false },
            Group::Unit { path: Some(p), subtree } => {
                Column { label: if *subtree { (*p).to_owned() } else { format!("{p} (directly)") }, key: (*p).to_owned(), subtree: *subtree }
            }
        })
        .collect();
    let rows = tally
        .rules
        .iter()
        .enumerate()
        .map(|(r, rule)| Row {
            rule_id: rule.id.to_owned(),
            title: rule.title.to_owned(),
            severity: rule.severity.as_str(),
            cells: cells[r * width..(r + 1) * width]
                .iter()
                .map(|c| Cell { status: c.worst().map_or("none", |o| o.as_str()), counts: c.describe() })
                .collect(),
        })
        .collect();
    Matrix { by: if by_account { "account" } else { "unit" }, columns, rows, accounts: tally.accounts.len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Outcome, Severity};
    use crate::report::html::tally::{self, tests::*};

    #[test]
    fn few_accounts_are_columns() {
        let report =
            report(&["2", "1"], vec![finding("A", Outcome::Fail, Severity::High, "1", None), finding("A", Outcome::Pass, Severity::High, "1", None)]);
        let matrix = build(&report, &tally::count(&report, &context()));
        assert_eq!(matrix.by, "account");
        assert_eq!(matrix.columns.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["1", "2"]);
        let statuses: Vec<&str> = matrix.rows[0].cells.iter().map(|c| c.status).collect();
        assert_eq!(statuses, ["fail", "none"]);
        assert_eq!(matrix.rows[0].cells[0].counts, "1 fail, 1 pass");
    }

    #[test]
    fn many_accounts_are_grouped_by_unit_at_the_deepest_level_that_fits() {
        // 60 accounts in 60 business units under two environments, one account in Root itself
        // and one outside the tree: 60 leaf units do not fit, the two environments do.
        let mut findings = Vec::new();
        let mut ids = Vec::new();
        for i in 0..60 {
            let env = if i % 2 == 0 { "Prod" } else { "Dev" };
            let unit = format!("Root/Workloads/{env}/BU-{i}");
            let outcome = if i == 7 { Outcome::Fail } else { Outcome::Pass };
            findings.push(finding("A", outcome, Severity::Medium, &format!("{i:03}"), Some(&unit)));
            ids.push(format!("{i:03}"));
        }
        findings.push(finding("A", Outcome::Inconclusive, Severity::Medium, "root-account", Some("Root")));
        findings.push(finding("A", Outcome::Pass, Severity::Medium, "outside", None));
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let report = report(&ids, findings);
        let matrix = build(&report, &tally::count(&report, &context()));
        assert_eq!(matrix.by, "unit");
        let columns: Vec<(&str, &str, bool)> = matrix.columns.iter().map(|c| (c.label.as_str(), c.key.as_str(), c.subtree)).collect();
        assert_eq!(
            columns,
            [
                ("no organizational unit", "", false),
                ("Root (directly)", "Root", false),
                ("Root/Workloads/Dev", "Root/Workloads/Dev", true),
                ("Root/Workloads/Prod", "Root/Workloads/Prod", true),
            ]
        );
        let cells: Vec<(&str, &str)> = matrix.rows[0].cells.iter().map(|c| (c.status, c.counts.as_str())).collect();
        assert_eq!(cells, [("pass", "1 pass"), ("inconclusive", "1 inconclusive"), ("fail", "1 fail, 29 pass"), ("pass", "30 pass")]);
    }

    #[test]
    fn unit_prefixes() {
        assert_eq!(prefix("Root/A/B", 1), "Root");
        assert_eq!(prefix("Root/A/B", 2), "Root/A");
        assert_eq!(prefix("Root/A/B", 3), "Root/A/B");
        assert!(column_of(&Group::Unit { path: Some("Root/A"), subtree: true }, Some("Root/A/B")));
        assert!(!column_of(&Group::Unit { path: Some("Root/A"), subtree: true }, Some("Root/AB")));
        assert!(!column_of(&Group::Unit { path: Some("Root"), subtree: false }, Some("Root/A")));
    }
}
