//! Failures counted by organizational unit and by rule: what the Markdown summary and the
//! terminal show when an organization has too many findings to list one by one. Each count is
//! one pass over the findings, so that a report of hundreds of thousands of findings costs
//! milliseconds here (the accounts × rules matrix of the HTML view scans every finding per
//! cell, and is not used for these summaries).

use crate::findings::{Finding, Outcome, Severity};
use std::collections::{HashMap, HashSet};

/// Failures by severity, most severe first (the order of [`Severity::ALL`]).
pub type SeverityCounts = [usize; 5];

fn severity_index(severity: Severity) -> usize {
    Severity::ALL.iter().position(|s| *s == severity).expect("ALL lists every severity")
}

/// One organizational unit's failing and inconclusive findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    /// The unit's path (`Root/Workloads/Prod`); `None` for findings outside any unit (the
    /// organization itself, or an account missing from the collected unit tree).
    pub unit: Option<String>,
    /// Accounts with any finding in the unit.
    pub accounts: usize,
    pub fail: SeverityCounts,
    pub inconclusive: usize,
}

impl UnitRow {
    pub fn failing(&self) -> usize {
        self.fail.iter().sum()
    }

    /// The unit path, or what stands for it outside any unit.
    pub fn label(&self) -> &str {
        self.unit.as_deref().unwrap_or(OUTSIDE_UNITS)
    }
}

/// How the tables name findings that are in no organizational unit.
pub const OUTSIDE_UNITS: &str = "(outside any unit)";

/// The units that have failing or inconclusive findings, worst first: the most critical
/// failures, then the most high ones, and so on down the severities, then the most
/// inconclusive, then by path. `None` when no finding carries a unit (a single-account scan,
/// or a snapshot without the organization's unit tree): there is nothing to group by.
pub fn by_unit(findings: &[Finding]) -> Option<Vec<UnitRow>> {
    if !findings.iter().any(|f| f.resource.organizational_unit.is_some()) {
        return None;
    }
    struct Tally<'a> {
        accounts: HashSet<&'a str>,
        fail: SeverityCounts,
        inconclusive: usize,
    }
    let mut units: HashMap<Option<&str>, Tally> = HashMap::new();
    for f in findings {
        let tally = units.entry(f.resource.organizational_unit.as_deref()).or_insert_with(|| Tally {
            accounts: HashSet::new(),
            fail: [0; 5],
            inconclusive: 0,
        });
        tally.accounts.insert(f.resource.account.as_str());
        match f.outcome {
            Outcome::Fail => tally.fail[severity_index(f.severity)] += 1,
            Outcome::Inconclusive => tally.inconclusive += 1,
            _ => {}
        }
    }
    let mut rows: Vec<UnitRow> = units
        .into_iter()
        .filter(|(_, t)| t.fail.iter().sum::<usize>() + t.inconclusive > 0)
        .map(|(unit, t)| UnitRow { unit: unit.map(str::to_owned), accounts: t.accounts.len(), fail: t.fail, inconclusive: t.inconclusive })
        .collect();
    rows.sort_by(|a, b| b.fail.cmp(&a.fail).then(b.inconclusive.cmp(&a.inconclusive)).then_with(|| a.unit.cmp(&b.unit)));
    Some(rows)
}

/// The findings of one rule at one severity, of the outcome counted (a rule whose failures an
/// escalation raised appears once per severity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    pub rule_id: String,
    pub severity: Severity,
    /// Its findings (of the outcome counted).
    pub findings: usize,
    /// Accounts with at least one of them.
    pub accounts: usize,
    /// The accounts with the most of them (account id, count), most first, then by id.
    pub worst_accounts: Vec<(String, usize)>,
}

/// The findings of `outcome` counted by rule and severity: most severe first, then most
/// findings, then by rule id; each with its `worst` accounts.
pub fn by_rule(findings: &[Finding], outcome: Outcome, worst: usize) -> Vec<RuleRow> {
    let mut rules: HashMap<(&str, Severity), HashMap<&str, usize>> = HashMap::new();
    for f in findings.iter().filter(|f| f.outcome == outcome) {
        *rules.entry((f.rule_id.as_str(), f.severity)).or_default().entry(f.resource.account.as_str()).or_default() += 1;
    }
    let mut rows: Vec<RuleRow> = rules
        .into_iter()
        .map(|((rule_id, severity), accounts)| {
            let findings = accounts.values().sum();
            let mut by_count: Vec<(&str, usize)> = accounts.iter().map(|(a, n)| (*a, *n)).collect();
            let order = |a: &(&str, usize), b: &(&str, usize)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
            if by_count.len() > worst && worst > 0 {
                by_count.select_nth_unstable_by(worst - 1, order);
            }
            by_count.truncate(worst);
            by_count.sort_by(order);
            RuleRow {
                rule_id: rule_id.to_owned(),
                severity,
                findings,
                accounts: accounts.len(),
                worst_accounts: by_count.into_iter().map(|(a, n)| (a.to_owned(), n)).collect(),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.findings.cmp(&a.findings)).then_with(|| a.rule_id.cmp(&b.rule_id)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{ResourceKind, ResourceRef};
    use std::sync::Arc;

    fn finding(rule: &str, outcome: Outcome, severity: Severity, account: &str, unit: Option<&str>, n: usize) -> Finding {
        let mut resource = ResourceRef::new(format!("arn:aws:s3:::{account}-{n}"), ResourceKind::Bucket, account, "us-east-1");
        resource.organizational_unit = unit.map(str::to_owned);
        Finding {
            rule_id: rule.to_owned(),
            title: Arc::from("t"),
            outcome,
            severity,
            resource: Arc::new(resource),
            message: String::new(),
            remediation: String::new(),
            frameworks: Arc::default(),
            suppression: None,
        }
    }

    #[test]
    fn units_are_counted_and_ordered_worst_first() {
        let findings = vec![
            finding("A", Outcome::Fail, Severity::Medium, "1", Some("Root/Prod"), 0),
            finding("A", Outcome::Fail, Severity::Medium, "1", Some("Root/Prod"), 1),
            finding("A", Outcome::Fail, Severity::Medium, "2", Some("Root/Prod"), 2),
            finding("B", Outcome::Fail, Severity::Critical, "3", Some("Root/Dev"), 3),
            finding("B", Outcome::Pass, Severity::Critical, "4", Some("Root/Dev"), 4),
            finding("B", Outcome::Inconclusive, Severity::Critical, "5", Some("Root/Sandbox"), 5),
            finding("B", Outcome::Pass, Severity::Critical, "6", Some("Root/Clean"), 6),
            finding("C", Outcome::Fail, Severity::Low, "0", None, 7),
        ];
        let rows = by_unit(&findings).expect("findings carry units");
        let labels: Vec<&str> = rows.iter().map(UnitRow::label).collect();
        // One critical outweighs any number of mediums; a clean unit is not listed.
        assert_eq!(labels, ["Root/Dev", "Root/Prod", OUTSIDE_UNITS, "Root/Sandbox"]);
        assert_eq!((rows[0].accounts, rows[0].fail, rows[0].failing()), (2, [1, 0, 0, 0, 0], 1));
        assert_eq!((rows[1].accounts, rows[1].failing()), (2, 3));
        assert_eq!(rows[3].inconclusive, 1);
    }

    #[test]
    fn no_units_no_grouping() {
        let findings = vec![finding("A", Outcome::Fail, Severity::High, "1", None, 0)];
        assert_eq!(by_unit(&findings), None);
    }

    #[test]
    fn rules_are_counted_per_severity_with_their_worst_accounts() {
        let mut findings: Vec<Finding> = (0..5).map(|n| finding("A", Outcome::Fail, Severity::Medium, "111", None, n)).collect();
        findings.extend((5..8).map(|n| finding("A", Outcome::Fail, Severity::Medium, "222", None, n)));
        findings.extend((8..11).map(|n| finding("A", Outcome::Fail, Severity::Medium, "000", None, n)));
        findings.push(finding("A", Outcome::Fail, Severity::Medium, "333", None, 11));
        findings.push(finding("A", Outcome::Fail, Severity::Critical, "333", None, 12));
        findings.push(finding("B", Outcome::Fail, Severity::Medium, "444", None, 13));
        findings.push(finding("B", Outcome::Pass, Severity::Medium, "444", None, 14));
        let rows = by_rule(&findings, Outcome::Fail, 2);
        let keys: Vec<(&str, Severity, usize, usize)> = rows.iter().map(|r| (r.rule_id.as_str(), r.severity, r.findings, r.accounts)).collect();
        assert_eq!(keys, [("A", Severity::Critical, 1, 1), ("A", Severity::Medium, 12, 4), ("B", Severity::Medium, 1, 1)]);
        // Ties (222 and 000 have 3 each) go by account id.
        assert_eq!(rows[1].worst_accounts, [("111".to_owned(), 5), ("000".to_owned(), 3)]);
    }
}
