//! Counting, in one pass over the findings: the whole scan, each rule, each account and each
//! organizational unit. The grouped views, the charts and the matrix read these counts, so
//! that nothing on the page scans the findings once per row or per cell.

use crate::findings::{Finding, Outcome, Severity};
use crate::report::{Context, Report};
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

/// The outcomes in reading order, worst first: the order of the page's filters, of its data's
/// outcome codes and of the findings list.
pub const OUTCOMES: [Outcome; 5] = [Outcome::Fail, Outcome::Inconclusive, Outcome::Suppressed, Outcome::Pass, Outcome::NotApplicable];

/// An outcome's position in [`OUTCOMES`].
pub fn outcome_code(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Fail => 0,
        Outcome::Inconclusive => 1,
        Outcome::Suppressed => 2,
        Outcome::Pass => 3,
        Outcome::NotApplicable => 4,
    }
}

/// A severity's position in [`Severity::ALL`] (critical first).
pub fn severity_code(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
        Severity::Info => 4,
    }
}

/// Findings of a group, by outcome; failures also by severity.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Failures by severity, critical first ([`severity_code`]).
    pub failed: [u32; 5],
    pub inconclusive: u32,
    pub suppressed: u32,
    pub passed: u32,
    pub not_applicable: u32,
}

impl Counts {
    pub fn add(&mut self, finding: &Finding) {
        match finding.outcome {
            Outcome::Fail => self.failed[severity_code(finding.severity) as usize] += 1,
            Outcome::Inconclusive => self.inconclusive += 1,
            Outcome::Suppressed => self.suppressed += 1,
            Outcome::Pass => self.passed += 1,
            Outcome::NotApplicable => self.not_applicable += 1,
        }
    }

    pub fn failed_total(&self) -> u32 {
        self.failed.iter().sum()
    }

    pub fn total(&self) -> u32 {
        self.failed_total() + self.inconclusive + self.suppressed + self.passed + self.not_applicable
    }

    /// Findings that could pass: passed, failed or inconclusive. Suppressed and not-applicable
    /// findings say nothing about compliance and are left out of pass rates.
    pub fn evaluated(&self) -> u32 {
        self.passed + self.failed_total() + self.inconclusive
    }

    /// Passed ÷ evaluated; `None` when nothing was evaluated.
    pub fn pass_rate(&self) -> Option<f64> {
        let evaluated = self.evaluated();
        (evaluated > 0).then(|| f64::from(self.passed) / f64::from(evaluated))
    }

    /// The worst outcome among the findings (in [`OUTCOMES`] order); `None` without findings.
    pub fn worst(&self) -> Option<Outcome> {
        let by_outcome = [self.failed_total(), self.inconclusive, self.suppressed, self.passed, self.not_applicable];
        by_outcome.iter().position(|&n| n > 0).map(|at| OUTCOMES[at])
    }

    /// Sorts worst first: most critical failures, then most high, medium, low and info
    /// failures, then most inconclusive findings.
    pub fn worst_first(&self) -> Reverse<([u32; 5], u32)> {
        Reverse((self.failed, self.inconclusive))
    }

    /// How many of each outcome, for a tooltip: `3 fail, 1 inconclusive, 12 pass`.
    pub fn describe(&self) -> String {
        let parts = [
            (self.failed_total(), "fail"),
            (self.inconclusive, "inconclusive"),
            (self.suppressed, "suppressed"),
            (self.passed, "pass"),
            (self.not_applicable, "not applicable"),
        ];
        let text: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{} {what}", thousands(*n as usize))).collect();
        if text.is_empty() {
            "no finding".to_owned()
        } else {
            text.join(", ")
        }
    }
}

/// A rule's row: the rules that ran, and any rule only the findings name (a report rendered
/// without its rule set), sorted by id.
#[derive(Debug)]
pub struct RuleTally<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// The rule's severity (a failure may be escalated above it).
    pub severity: Severity,
    pub references: &'a [String],
    pub counts: Counts,
}

#[derive(Debug)]
pub struct AccountTally<'a> {
    pub id: &'a str,
    /// The account's organizational unit, as its findings' resources carry it.
    pub unit: Option<&'a str>,
    pub counts: Counts,
}

#[derive(Debug)]
pub struct UnitTally<'a> {
    /// The unit's path; `None` for accounts outside the collected unit tree.
    pub path: Option<&'a str>,
    /// Accounts directly in the unit (not in its sub-units).
    pub accounts: usize,
    pub counts: Counts,
}

/// The counts of a report.
#[derive(Debug)]
pub struct Tally<'a> {
    pub total: Counts,
    /// Sorted by id.
    pub rules: Vec<RuleTally<'a>>,
    /// Scanned accounts and any account that only findings name, worst first.
    pub accounts: Vec<AccountTally<'a>>,
    /// Units with accounts, worst first.
    pub units: Vec<UnitTally<'a>>,
    /// Every unit a finding's resource is in (an account's resources normally share its unit).
    pub unit_paths: BTreeSet<&'a str>,
    /// Each finding's rule and account (positions in `rules` and `accounts`), in the
    /// report's order: the matrix and the embedded data use them instead of looking the
    /// finding's rule id and account up again.
    pub of_finding: Vec<(u32, u32)>,
}

impl Tally<'_> {
    /// Whether any finding's resource is in an organizational unit.
    pub fn has_units(&self) -> bool {
        !self.unit_paths.is_empty()
    }
}

pub fn count<'a>(report: &'a Report, ctx: &Context<'a>) -> Tally<'a> {
    let mut rules: Vec<RuleTally<'a>> = ctx
        .rules
        .iter()
        .map(|r| RuleTally { id: &r.id, title: &r.title, severity: r.severity, references: &r.references, counts: Counts::default() })
        .collect();
    let mut rule_index: HashMap<&'a str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut accounts: Vec<AccountTally<'a>> = Vec::new();
    let mut account_index: HashMap<&'a str, usize> = HashMap::new();
    for id in &report.scan.accounts {
        account_index.entry(id).or_insert_with(|| {
            accounts.push(AccountTally { id, unit: None, counts: Counts::default() });
            accounts.len() - 1
        });
    }
    let mut total = Counts::default();
    let mut unit_paths = BTreeSet::new();
    let mut of_finding = Vec::with_capacity(report.findings.len());
    // Consecutive findings are mostly of one rule and often about one resource: the last
    // lookup is tried first.
    let mut last_rule: Option<(&str, usize)> = None;
    let mut last_resource: Option<(*const crate::resource::ResourceRef, usize)> = None;
    for f in &report.findings {
        total.add(f);
        let rule = match last_rule {
            Some((id, i)) if id == f.rule_id => i,
            _ => *rule_index.entry(&f.rule_id).or_insert_with(|| {
                rules.push(RuleTally { id: &f.rule_id, title: &f.title, severity: f.severity, references: &[], counts: Counts::default() });
                rules.len() - 1
            }),
        };
        last_rule = Some((&f.rule_id, rule));
        rules[rule].counts.add(f);
        let pointer = std::sync::Arc::as_ptr(&f.resource);
        let account = match last_resource {
            Some((p, i)) if p == pointer => i,
            _ => {
                unit_paths.extend(f.resource.organizational_unit.as_deref());
                *account_index.entry(&f.resource.account).or_insert_with(|| {
                    accounts.push(AccountTally { id: &f.resource.account, unit: None, counts: Counts::default() });
                    accounts.len() - 1
                })
            }
        };
        last_resource = Some((pointer, account));
        let account_tally = &mut accounts[account];
        account_tally.counts.add(f);
        if account_tally.unit.is_none() {
            account_tally.unit = f.resource.organizational_unit.as_deref();
        }
        of_finding.push((rule as u32, account as u32));
    }

    let mut units: HashMap<Option<&'a str>, UnitTally<'a>> = HashMap::new();
    for account in &accounts {
        let unit = units.entry(account.unit).or_insert_with(|| UnitTally { path: account.unit, accounts: 0, counts: Counts::default() });
        unit.accounts += 1;
        merge(&mut unit.counts, &account.counts);
    }
    let mut units: Vec<UnitTally<'a>> = units.into_values().collect();
    units.sort_by(|a, b| a.counts.worst_first().cmp(&b.counts.worst_first()).then_with(|| a.path.cmp(&b.path)));

    // Rules by id and accounts worst first; the findings' positions follow.
    let rule_order = sorted_positions(&rules, |a, b| a.id.cmp(b.id));
    let account_order = sorted_positions(&accounts, |a, b| a.counts.worst_first().cmp(&b.counts.worst_first()).then_with(|| a.id.cmp(b.id)));
    for (rule, account) in &mut of_finding {
        *rule = rule_order.new_position[*rule as usize];
        *account = account_order.new_position[*account as usize];
    }
    Tally { total, rules: rule_order.apply(rules), accounts: account_order.apply(accounts), units, unit_paths, of_finding }
}

/// A sort of a list, as the old position → new position map and the sorted list.
struct Sorted {
    /// Old positions in sorted order.
    order: Vec<usize>,
    new_position: Vec<u32>,
}

impl Sorted {
    fn apply<T>(&self, items: Vec<T>) -> Vec<T> {
        let mut items: Vec<Option<T>> = items.into_iter().map(Some).collect();
        self.order.iter().map(|&old| items[old].take().expect("a permutation")).collect()
    }
}

fn sorted_positions<T>(items: &[T], compare: impl Fn(&T, &T) -> std::cmp::Ordering) -> Sorted {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| compare(&items[a], &items[b]));
    let mut new_position = vec![0; items.len()];
    for (new, &old) in order.iter().enumerate() {
        new_position[old] = new as u32;
    }
    Sorted { order, new_position }
}

fn merge(into: &mut Counts, other: &Counts) {
    for (a, b) in into.failed.iter_mut().zip(other.failed) {
        *a += b;
    }
    into.inconclusive += other.inconclusive;
    into.suppressed += other.suppressed;
    into.passed += other.passed;
    into.not_applicable += other.not_applicable;
}

/// `249,885`: counts on the page are read, not parsed.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `87%`, or `—` when nothing was evaluated. Floors, so that 99.96% is not shown as 100%.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(rate) => format!("{}%", (rate * 100.0).floor() as u32),
        None => "—".to_owned(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::findings::{ResourceKind, ResourceRef};
    use crate::results::{ScanInfo, Source, Summary, ToolInfo};

    /// A finding of `rule` about a trail in `account`, in `unit`.
    pub fn finding(rule: &str, outcome: Outcome, severity: Severity, account: &str, unit: Option<&str>) -> Finding {
        let mut resource = ResourceRef::new(format!("arn:aws:cloudtrail:us-east-1:{account}:trail/t"), ResourceKind::Trail, account, "us-east-1");
        resource.organizational_unit = unit.map(str::to_owned);
        Finding {
            rule_id: rule.to_owned(),
            title: format!("{rule} title").into(),
            outcome,
            severity,
            resource: resource.into(),
            message: format!("Trail t of {account} is checked by {rule}."),
            remediation: String::new(),
            frameworks: Default::default(),
            suppression: None,
        }
    }

    pub fn report(accounts: &[&str], findings: Vec<Finding>) -> Report {
        let now = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
        Report {
            tool: ToolInfo::default(),
            scan: ScanInfo {
                started_at: now,
                finished_at: now,
                source: Source::Snapshot,
                accounts: accounts.iter().map(|a| (*a).to_owned()).collect(),
                regions: vec!["us-east-1".to_owned()],
                incomplete: Vec::new(),
            },
            summary: Summary::of(&findings),
            findings,
        }
    }

    pub fn context() -> Context<'static> {
        Context { rules: Vec::new(), set: None, scope: "o-test".to_owned(), baseline: None }
    }

    #[test]
    fn groups_are_counted_and_ordered_worst_first() {
        use Outcome::*;
        let report = report(
            &["1", "2", "3"],
            vec![
                finding("B", Fail, Severity::Low, "1", Some("Root/A")),
                finding("B", Pass, Severity::Low, "2", Some("Root/A")),
                finding("A", Fail, Severity::High, "2", Some("Root/A")),
                finding("A", Inconclusive, Severity::High, "4", None),
                finding("A", Pass, Severity::High, "3", Some("Root/B")),
            ],
        );
        let tally = count(&report, &context());
        assert_eq!(tally.rules.iter().map(|r| r.id).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(tally.rules[0].counts.failed, [0, 1, 0, 0, 0]);
        assert_eq!(tally.rules[0].counts.pass_rate(), Some(1.0 / 3.0));
        // 2 has a high failure, 1 a low one, 4 an inconclusive finding, 3 nothing wrong.
        assert_eq!(tally.accounts.iter().map(|a| a.id).collect::<Vec<_>>(), ["2", "1", "4", "3"]);
        assert_eq!(tally.accounts[0].unit, Some("Root/A"));
        let units: Vec<(Option<&str>, usize)> = tally.units.iter().map(|u| (u.path, u.accounts)).collect();
        assert_eq!(units, [(Some("Root/A"), 2), (None, 1), (Some("Root/B"), 1)]);
        assert_eq!(tally.unit_paths.iter().copied().collect::<Vec<_>>(), ["Root/A", "Root/B"]);
        assert_eq!(tally.total.total(), 5);
        assert_eq!(tally.total.worst(), Some(Fail));
        // Each finding's rule and account, at their sorted positions.
        assert_eq!(tally.of_finding, [(1, 1), (1, 0), (0, 0), (0, 2), (0, 3)]);
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(249_885), "249,885");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(percent(Some(0.9996)), "99%");
        assert_eq!(percent(None), "—");
        assert_eq!(Counts::default().describe(), "no finding");
    }
}
