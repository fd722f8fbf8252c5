//! The findings as the page's script reads them: one JSON document of columns of small
//! integers and one table of distinct strings, embedded in the page and rendered there a page
//! at a time (templates/report.js).
//!
//! Every rule id, title, ARN, account, Region, unit, framework control and suppression reason
//! is written once and referenced by index; messages and remediations are interned as
//! templates over their resource (see [`placeholders`]). At 10,000 accounts (~250,000
//! findings) this is about 14 MB; an HTML element per finding took 54 MB at 1,000 accounts.
//!
//! The document is made safe to embed in a `<script>` element: `<` and `>` are written as
//! JSON escapes, so no value can close the element or open a comment in it.

use super::placeholders::{self, Fields};
use super::shared::Shared;
use super::tally::{outcome_code, severity_code, Tally, OUTCOMES};
use crate::findings::Severity;
use crate::history::BaselineStatus;
use crate::report::{Context, Report};
use crate::rules::frameworks;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

/// Distinct strings, numbered in order of first use.
#[derive(Default)]
struct Strings<'a> {
    index: HashMap<Cow<'a, str>, u32>,
    table: Vec<Cow<'a, str>>,
}

impl<'a> Strings<'a> {
    fn borrowed(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.insert(Cow::Borrowed(s))
    }

    /// Interns a string built in a scratch buffer; it is copied only when new.
    fn scratch(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.insert(Cow::Owned(s.to_owned()))
    }

    fn insert(&mut self, s: Cow<'a, str>) -> u32 {
        let i = u32::try_from(self.table.len()).expect("fewer than 4 billion distinct strings");
        self.index.insert(s.clone(), i);
        self.table.push(s);
        i
    }
}

/// `-1` for none in the optional columns.
const NONE: i64 = -1;

#[derive(Serialize)]
struct Document<'a> {
    /// Outcome codes → names ([`OUTCOMES`], reading order).
    outcomes: Vec<&'static str>,
    /// Severity codes → names (critical first).
    severities: Vec<&'static str>,
    strings: Vec<Cow<'a, str>>,
    rules: RuleColumns,
    resources: ResourceColumns,
    /// Each finding's frameworks (shared by the rule's findings): lists of (framework name,
    /// controls) string pairs.
    framework_sets: Vec<Vec<[u32; 2]>>,
    findings: FindingColumns,
    accounts: AccountColumns,
    gaps: GapColumns,
}

/// The rules in the order of the page's rule table (by id).
#[derive(Serialize, Default)]
struct RuleColumns {
    id: Vec<u32>,
    title: Vec<u32>,
    references: Vec<Vec<u32>>,
}

/// Distinct resources.
#[derive(Serialize, Default)]
struct ResourceColumns {
    arn: Vec<u32>,
    kind: Vec<u32>,
    account: Vec<u32>,
    region: Vec<u32>,
    unit: Vec<i64>,
    /// `file:line (address)` where infrastructure as code declares the resource, else -1.
    location: Vec<i64>,
}

/// One entry per finding, in reading order: failures first, most severe first, then
/// inconclusive, suppressed, passed and not-applicable findings; by rule id and ARN within.
#[derive(Serialize, Default)]
struct FindingColumns {
    rule: Vec<u32>,
    outcome: Vec<u8>,
    severity: Vec<u8>,
    resource: Vec<u32>,
    /// Templates over the resource ([`placeholders`]).
    message: Vec<u32>,
    remediation: Vec<u32>,
    frameworks: Vec<u32>,
    /// Suppressed findings (few, if any): (finding, the suppression's reason).
    suppressed: Vec<[u32; 2]>,
    /// With a baseline: 1 new, 2 existing (a finding is the baseline's when its rule id, ARN
    /// and outcome are; docs/architecture.md §8).
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<Vec<u8>>,
}

/// Accounts worst first (as [`Tally::accounts`]); `counts` holds nine numbers per account:
/// failures by severity (critical first), inconclusive, suppressed, passed, not applicable.
#[derive(Serialize, Default)]
struct AccountColumns {
    id: Vec<u32>,
    unit: Vec<i64>,
    counts: Vec<u32>,
}

/// The facts that could not be read (the report's `scan.incomplete`).
#[derive(Serialize, Default)]
struct GapColumns {
    account: Vec<u32>,
    region: Vec<u32>,
    api: Vec<u32>,
    resource: Vec<u32>,
    reason: Vec<u32>,
    detail: Vec<u32>,
}

/// Interns one column of templated texts. Consecutive findings in reading order are mostly
/// of one rule and outcome and so share a template: the last one is compared before hashing.
struct TemplateColumn {
    scratch: String,
    last: String,
    last_index: Option<u32>,
}

impl TemplateColumn {
    fn new() -> Self {
        TemplateColumn { scratch: String::new(), last: String::new(), last_index: None }
    }

    fn intern(&mut self, text: &str, fields: &Fields, strings: &mut Strings) -> u32 {
        placeholders::encode(text, fields, &mut self.scratch);
        if let Some(i) = self.last_index.filter(|_| self.scratch == self.last) {
            return i;
        }
        let i = strings.scratch(&self.scratch);
        std::mem::swap(&mut self.scratch, &mut self.last);
        self.last_index = Some(i);
        i
    }
}

/// The embedded document, script-safe.
pub fn build(report: &Report, ctx: &Context, tally: &Tally) -> Result<String, serde_json::Error> {
    let mut strings = Strings::default();
    let rules = rule_columns(tally, &mut strings);
    let resources = Resources::of(report, &mut strings);
    let order = reading_order(report, tally, &resources, &strings);
    let (findings, framework_sets) = finding_columns(report, ctx, tally, &order, &resources, &mut strings);
    let accounts = account_columns(tally, &mut strings);
    let gaps = gap_columns(report, &mut strings)?;
    let document = Document {
        outcomes: OUTCOMES.iter().map(|o| o.as_str()).collect(),
        severities: Severity::ALL.iter().map(|s| s.as_str()).collect(),
        strings: strings.table,
        rules,
        resources: resources.columns,
        framework_sets,
        findings,
        accounts,
        gaps,
    };
    let mut out = ScriptSafe(Vec::with_capacity(16 << 20));
    serde_json::to_writer(&mut out, &document)?;
    Ok(String::from_utf8(out.0).expect("serde_json writes UTF-8"))
}

fn rule_columns<'a>(tally: &Tally<'a>, strings: &mut Strings<'a>) -> RuleColumns {
    let mut rules = RuleColumns::default();
    for rule in &tally.rules {
        rules.id.push(strings.borrowed(rule.id));
        rules.title.push(strings.borrowed(rule.title));
        rules.references.push(rule.references.iter().map(|r| strings.borrowed(r)).collect());
    }
    rules
}

/// The distinct resources, numbered in the report's order.
struct Resources<'a> {
    columns: ResourceColumns,
    /// Each resource's values, for its findings' templates.
    fields: Vec<Fields<'a>>,
    /// Each finding's resource, in the report's order.
    of_finding: Vec<u32>,
}

impl<'a> Resources<'a> {
    fn of(report: &'a Report, strings: &mut Strings<'a>) -> Resources<'a> {
        let mut columns = ResourceColumns::default();
        let mut fields = Vec::new();
        let mut index = Shared::new();
        let of_finding = report
            .findings
            .iter()
            .map(|f| {
                index.get_or_add(&f.resource, |r| {
                    columns.arn.push(strings.borrowed(&r.arn));
                    columns.kind.push(strings.borrowed(r.kind.as_str()));
                    columns.account.push(strings.borrowed(&r.account));
                    columns.region.push(strings.borrowed(&r.region));
                    columns.unit.push(r.organizational_unit.as_deref().map_or(NONE, |u| i64::from(strings.borrowed(u))));
                    columns.location.push(
                        r.location.as_ref().map_or(NONE, |at| i64::from(strings.scratch(&format!("{}:{} ({})", at.file, at.line, at.address)))),
                    );
                    fields.push(Fields::of(r));
                    columns.arn.len() as u32 - 1
                })
            })
            .collect();
        Resources { columns, fields, of_finding }
    }
}

/// The findings' positions in reading order: outcome (worst first), severity (most severe
/// first), rule id, ARN. Sorted on integers: the rules are numbered by id, and the resources
/// are ranked by ARN once, rather than comparing strings a few million times.
fn reading_order(report: &Report, tally: &Tally, resources: &Resources, strings: &Strings) -> Vec<u32> {
    let arn = |resource: u32| &strings.table[resources.columns.arn[resource as usize] as usize];
    let mut by_arn: Vec<u32> = (0..resources.fields.len() as u32).collect();
    by_arn.sort_by(|&a, &b| arn(a).cmp(arn(b)));
    let mut arn_rank = vec![0u32; by_arn.len()];
    for (rank, &resource) in by_arn.iter().enumerate() {
        arn_rank[resource as usize] = rank as u32;
    }
    let mut keys: Vec<(u8, u8, u32, u32, u32)> = report
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (outcome_code(f.outcome), severity_code(f.severity), tally.of_finding[i].0, arn_rank[resources.of_finding[i] as usize], i as u32)
        })
        .collect();
    keys.sort_unstable();
    keys.into_iter().map(|key| key.4).collect()
}

fn finding_columns<'a>(
    report: &'a Report,
    ctx: &Context,
    tally: &Tally,
    order: &[u32],
    resources: &Resources,
    strings: &mut Strings<'a>,
) -> (FindingColumns, Vec<Vec<[u32; 2]>>) {
    let mut framework_sets: Vec<Vec<[u32; 2]>> = Vec::new();
    let mut framework_index = Shared::new();
    let mut messages = TemplateColumn::new();
    let mut remediations = TemplateColumn::new();
    let mut findings = FindingColumns { baseline: ctx.baseline.map(|_| Vec::with_capacity(order.len())), ..FindingColumns::default() };
    for (position, &i) in order.iter().enumerate() {
        let f = &report.findings[i as usize];
        findings.rule.push(tally.of_finding[i as usize].0);
        findings.outcome.push(outcome_code(f.outcome));
        findings.severity.push(severity_code(f.severity));
        let resource = resources.of_finding[i as usize];
        findings.resource.push(resource);
        let fields = &resources.fields[resource as usize];
        findings.message.push(messages.intern(&f.message, fields, strings));
        findings.remediation.push(remediations.intern(f.remediation.trim_end(), fields, strings));
        let set = framework_index.get_or_add(&f.frameworks, |sets| {
            framework_sets.push(
                sets.iter()
                    .map(|(id, controls)| [strings.borrowed(frameworks::display_name(id).unwrap_or(id)), strings.scratch(&controls.join(", "))])
                    .collect(),
            );
            framework_sets.len() as u32 - 1
        });
        findings.frameworks.push(set);
        if let Some(reason) = &f.suppression {
            findings.suppressed.push([position as u32, strings.borrowed(reason)]);
        }
        if let Some(baseline) = &mut findings.baseline {
            baseline.push(match ctx.baseline_status(f) {
                Some(BaselineStatus::New) => 1,
                Some(BaselineStatus::Existing) => 2,
                None => 0,
            });
        }
    }
    (findings, framework_sets)
}

fn account_columns<'a>(tally: &Tally<'a>, strings: &mut Strings<'a>) -> AccountColumns {
    let mut accounts = AccountColumns::default();
    for account in &tally.accounts {
        accounts.id.push(strings.borrowed(account.id));
        accounts.unit.push(account.unit.map_or(NONE, |u| i64::from(strings.borrowed(u))));
        let c = &account.counts;
        accounts.counts.extend(c.failed);
        accounts.counts.extend([c.inconclusive, c.suppressed, c.passed, c.not_applicable]);
    }
    accounts
}

fn gap_columns<'a>(report: &'a Report, strings: &mut Strings<'a>) -> Result<GapColumns, serde_json::Error> {
    let mut gaps = GapColumns::default();
    for g in &report.scan.incomplete {
        gaps.account.push(strings.borrowed(&g.account));
        gaps.region.push(strings.borrowed(&g.region));
        gaps.api.push(strings.borrowed(&g.api));
        gaps.resource.push(strings.borrowed(&g.resource));
        let reason = serde_json::to_value(g.reason)?;
        gaps.reason.push(strings.scratch(&reason.as_str().unwrap_or_default().replace('_', " ")));
        gaps.detail.push(strings.borrowed(&g.detail));
    }
    Ok(gaps)
}

/// Writes JSON with `<` and `>` as `\u003c` and `\u003e`. In JSON they can only occur inside
/// strings, where the escape reads back as the same character; in the page they would let a
/// value close the `<script>` element (`</script>`) or open a comment in it (`<!--`).
struct ScriptSafe(Vec<u8>);

impl Write for ScriptSafe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|&b| b == b'<' || b == b'>') {
            self.0.extend_from_slice(&rest[..at]);
            self.0.extend_from_slice(if rest[at] == b'<' { b"\\u003c" } else { b"\\u003e" });
            rest = &rest[at + 1..];
        }
        self.0.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Outcome;
    use crate::report::html::tally::{self, tests::*};
    use serde_json::Value;

    fn document(report: &Report) -> Value {
        let ctx = context();
        let tally = tally::count(report, &ctx);
        let text = build(report, &ctx, &tally).unwrap();
        assert!(!text.contains('<') && !text.contains('>'), "script-safe: {text}");
        serde_json::from_str(&text).unwrap()
    }

    fn string(doc: &Value, index: &Value) -> String {
        doc["strings"][index.as_u64().unwrap() as usize].as_str().unwrap().to_owned()
    }

    #[test]
    fn findings_are_columns_in_reading_order_with_shared_strings() {
        let mut hostile = finding("A", Outcome::Pass, Severity::Low, "222222222222", Some("Root/</script><!--"));
        hostile.message = "</script><script>alert(1)</script>".to_owned();
        let report = report(
            &["111111111111", "222222222222"],
            vec![
                hostile,
                finding("B", Outcome::Fail, Severity::Low, "111111111111", Some("Root")),
                finding("A", Outcome::Fail, Severity::High, "111111111111", Some("Root")),
                finding("B", Outcome::Inconclusive, Severity::Low, "222222222222", None),
            ],
        );
        let doc = document(&report);
        let f = &doc["findings"];
        let outcomes: Vec<&str> =
            f["outcome"].as_array().unwrap().iter().map(|o| doc["outcomes"][o.as_u64().unwrap() as usize].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["fail", "fail", "inconclusive", "pass"]);
        let rules: Vec<String> =
            f["rule"].as_array().unwrap().iter().map(|r| string(&doc, &doc["rules"]["id"][r.as_u64().unwrap() as usize])).collect();
        assert_eq!(rules, ["A", "B", "B", "A"]);
        // The two failures in account 1 are about the same resource, written once.
        assert_eq!(f["resource"][0], f["resource"][1]);
        assert_eq!(
            doc["resources"]["arn"].as_array().unwrap().len(),
            3,
            "account 1's trail, and account 2's trail as two findings place it in different units"
        );
        // The same sentence about two accounts is one template.
        assert_eq!(string(&doc, &f["message"][1]), "Trail t of \u{1}c is checked by B.");
        assert_eq!(string(&doc, &f["message"][3]), "</script><script>alert(1)</script>");
        let hostile_unit = doc["resources"]["unit"][f["resource"][3].as_u64().unwrap() as usize].clone();
        assert_eq!(string(&doc, &hostile_unit), "Root/</script><!--");
        assert_eq!(doc["resources"]["unit"][f["resource"][2].as_u64().unwrap() as usize], -1);
        assert_eq!(f["suppressed"], serde_json::json!([]));
        assert!(f.get("baseline").is_none(), "no baseline, no column");
        // Accounts worst first, nine counts each.
        assert_eq!(doc["accounts"]["id"].as_array().unwrap().iter().map(|i| string(&doc, i)).collect::<Vec<_>>(), ["111111111111", "222222222222"]);
        assert_eq!(doc["accounts"]["counts"].as_array().unwrap().len(), 18);
        assert_eq!(doc["accounts"]["counts"][1], 1, "one high failure in account 1");
    }

    #[test]
    fn suppressions_and_baseline_marks_are_kept() {
        let mut suppressed = finding("A", Outcome::Suppressed, Severity::High, "111111111111", None);
        suppressed.suppression = Some("legacy trail (until 2999-01-01)".to_owned());
        let old = finding("A", Outcome::Fail, Severity::High, "222222222222", None);
        let new = finding("B", Outcome::Fail, Severity::High, "222222222222", None);
        let report = report(&["111111111111", "222222222222"], vec![suppressed, old.clone(), new]);
        let baseline = crate::history::Baseline::of(&tally::tests::report(&[], vec![old]));
        let ctx = Context { baseline: Some(&baseline), ..context() };
        let tally = tally::count(&report, &ctx);
        let doc: Value = serde_json::from_str(&build(&report, &ctx, &tally).unwrap()).unwrap();
        let f = &doc["findings"];
        // Reading order: the two failures (A before B), then the suppressed finding.
        assert_eq!(f["baseline"], serde_json::json!([2, 1, 1]), "A existed in the baseline; B and the suppression are new");
        let suppressed = f["suppressed"].as_array().unwrap();
        assert_eq!(suppressed.len(), 1);
        assert_eq!(suppressed[0][0], 2);
        assert_eq!(string(&doc, &suppressed[0][1]), "legacy trail (until 2999-01-01)");
    }

    #[test]
    fn a_declared_resource_has_its_location_and_others_none() {
        let mut located = finding("A", Outcome::Fail, Severity::High, "111111111111", None);
        std::sync::Arc::make_mut(&mut located.resource).location =
            Some(crate::resource::Location { file: "stacks/trail.yaml".to_owned(), line: 24, address: "Trail".to_owned() });
        let report = report(&["111111111111", "222222222222"], vec![located, finding("B", Outcome::Fail, Severity::Low, "222222222222", None)]);
        let doc = document(&report);
        let location = |i: usize| doc["resources"]["location"][doc["findings"]["resource"][i].as_u64().unwrap() as usize].clone();
        assert_eq!(string(&doc, &location(0)), "stacks/trail.yaml:24 (Trail)");
        assert_eq!(location(1), -1);
    }

    #[test]
    fn script_safe_escapes_only_angle_brackets() {
        let mut out = ScriptSafe(Vec::new());
        out.write_all(b"{\"a\":\"</script>\",\"b\":1}").unwrap();
        assert_eq!(String::from_utf8(out.0).unwrap(), r#"{"a":"\u003c/script\u003e","b":1}"#);
    }
}
