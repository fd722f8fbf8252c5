//! The findings as the page's script reads them: one JSON document of columns of small
//! integers and one table of distinct strings, embedded in the page and rendered there a page
//! at a time (templates/report.js).
//!
//! Every rule id, title, ARN, account, Region, unit, framework control and suppression reason
//! is written once and referenced by index; messages and remediations are interned as
//! templates over their resource (see [`placeholders`]). At 10,000 accounts (~250,000
//! findings) this is about 11 MB, where a rendered element per finding was over 500 MB.
//!
//! The document is made safe to embed in a `<script>` element: `<` and `>` are written as
//! JSON escapes, so no value can close the element or open a comment in it.

use super::placeholders::{self, Fields};
use super::tally::{outcome_code, severity_code, Tally, OUTCOMES};
use crate::findings::{Finding, Severity};
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

/// Positions of values that findings share through an `Arc` (resources, framework maps): looked
/// up by pointer first, which is one hash of an address per finding, and by content when the
/// pointer is new (a report read back from JSON shares nothing).
struct Shared<'a, T: ?Sized> {
    by_pointer: HashMap<*const T, u32>,
    by_content: HashMap<&'a T, u32>,
}

impl<'a, T: ?Sized + std::hash::Hash + Eq> Shared<'a, T> {
    fn new() -> Self {
        Shared { by_pointer: HashMap::new(), by_content: HashMap::new() }
    }

    /// The position of `value`; `add` stores a new one and returns its position.
    fn get_or_add(&mut self, value: &'a std::sync::Arc<T>, add: impl FnOnce(&'a T) -> u32) -> u32 {
        let pointer = std::sync::Arc::as_ptr(value);
        if let Some(&i) = self.by_pointer.get(&pointer) {
            return i;
        }
        let i = *self.by_content.entry(value.as_ref()).or_insert_with(|| add(value.as_ref()));
        self.by_pointer.insert(pointer, i);
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
    severity: Vec<u8>,
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
    /// The suppression's reason, or -1.
    suppression: Vec<i64>,
    /// With a baseline: 1 new, 2 existing.
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

/// Reading order: outcome (worst first), severity (most severe first), rule id, ARN.
fn reading_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    outcome_code(a.outcome)
        .cmp(&outcome_code(b.outcome))
        .then_with(|| severity_code(a.severity).cmp(&severity_code(b.severity)))
        .then_with(|| a.rule_id.cmp(&b.rule_id))
        .then_with(|| a.resource.arn.cmp(&b.resource.arn))
}

/// The findings' indexes in reading order.
fn order(report: &Report) -> Vec<usize> {
    let mut order: Vec<usize> = (0..report.findings.len()).collect();
    order.sort_unstable_by(|&a, &b| reading_order(&report.findings[a], &report.findings[b]).then(a.cmp(&b)));
    order
}

/// The embedded document, script-safe.
pub fn build(report: &Report, ctx: &Context, tally: &Tally) -> Result<String, serde_json::Error> {
    let order = order(report);
    let mut strings = Strings::default();
    let mut rules = RuleColumns::default();
    for rule in &tally.rules {
        rules.id.push(strings.borrowed(rule.id));
        rules.title.push(strings.borrowed(rule.title));
        rules.severity.push(severity_code(rule.severity));
        rules.references.push(rule.references.iter().map(|r| strings.borrowed(r)).collect());
    }

    let mut resources = ResourceColumns::default();
    let mut resource_index = Shared::new();
    let mut framework_sets: Vec<Vec<[u32; 2]>> = Vec::new();
    let mut framework_index = Shared::new();
    let mut findings = FindingColumns { baseline: ctx.baseline.map(|_| Vec::with_capacity(order.len())), ..FindingColumns::default() };
    let mut scratch = String::new();
    for &i in &order {
        let f = &report.findings[i];
        findings.rule.push(tally.rule_index[f.rule_id.as_str()] as u32);
        findings.outcome.push(outcome_code(f.outcome));
        findings.severity.push(severity_code(f.severity));
        let resource = resource_index.get_or_add(&f.resource, |r| {
            resources.arn.push(strings.borrowed(&r.arn));
            resources.kind.push(strings.borrowed(r.kind.as_str()));
            resources.account.push(strings.borrowed(&r.account));
            resources.region.push(strings.borrowed(&r.region));
            resources.unit.push(r.organizational_unit.as_deref().map_or(NONE, |u| i64::from(strings.borrowed(u))));
            resources.arn.len() as u32 - 1
        });
        findings.resource.push(resource);
        let fields = Fields::of(&f.resource);
        placeholders::encode(&f.message, &fields, &mut scratch);
        findings.message.push(strings.scratch(&scratch));
        placeholders::encode(f.remediation.trim_end(), &fields, &mut scratch);
        findings.remediation.push(strings.scratch(&scratch));
        let set = framework_index.get_or_add(&f.frameworks, |sets| {
            framework_sets.push(
                sets.iter()
                    .map(|(id, controls)| [strings.borrowed(frameworks::display_name(id).unwrap_or(id)), strings.scratch(&controls.join(", "))])
                    .collect(),
            );
            framework_sets.len() as u32 - 1
        });
        findings.frameworks.push(set);
        findings.suppression.push(f.suppression.as_deref().map_or(NONE, |s| i64::from(strings.borrowed(s))));
        if let Some(baseline) = &mut findings.baseline {
            baseline.push(match ctx.baseline_status(f) {
                Some(BaselineStatus::New) => 1,
                Some(BaselineStatus::Existing) => 2,
                None => 0,
            });
        }
    }

    let mut accounts = AccountColumns::default();
    for account in &tally.accounts {
        accounts.id.push(strings.borrowed(account.id));
        accounts.unit.push(account.unit.map_or(NONE, |u| i64::from(strings.borrowed(u))));
        let c = &account.counts;
        accounts.counts.extend(c.failed);
        accounts.counts.extend([c.inconclusive, c.suppressed, c.passed, c.not_applicable]);
    }

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

    let document = Document {
        outcomes: OUTCOMES.iter().map(|o| o.as_str()).collect(),
        severities: Severity::ALL.iter().map(|s| s.as_str()).collect(),
        strings: strings.table,
        rules,
        resources,
        framework_sets,
        findings,
        accounts,
        gaps,
    };
    let mut out = ScriptSafe(Vec::with_capacity(16 << 20));
    serde_json::to_writer(&mut out, &document)?;
    Ok(String::from_utf8(out.0).expect("serde_json writes UTF-8"))
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
        assert_eq!(f["suppression"], serde_json::json!([-1, -1, -1, -1]));
        assert!(f.get("baseline").is_none(), "no baseline, no column");
        // Accounts worst first, nine counts each.
        assert_eq!(doc["accounts"]["id"].as_array().unwrap().iter().map(|i| string(&doc, i)).collect::<Vec<_>>(), ["111111111111", "222222222222"]);
        assert_eq!(doc["accounts"]["counts"].as_array().unwrap().len(), 18);
        assert_eq!(doc["accounts"]["counts"][1], 1, "one high failure in account 1");
    }

    #[test]
    fn script_safe_escapes_only_angle_brackets() {
        let mut out = ScriptSafe(Vec::new());
        out.write_all(b"{\"a\":\"</script>\",\"b\":1}").unwrap();
        assert_eq!(String::from_utf8(out.0).unwrap(), r#"{"a":"\u003c/script\u003e","b":1}"#);
    }
}
