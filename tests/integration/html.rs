//! The HTML report in headless Chromium, used as a person would use it: scripts/html-browser.mjs
//! drives Chromium through the DevTools protocol (typing, clicking, choosing options) and the
//! tests compare what the page then shows with what the report says. On the demo organization,
//! on hostile names, on a small fixed report with a baseline, a suppression and unreadable
//! facts, and on a synthetic organization of 10,000 accounts (a quarter of a million findings).
//!
//! Chromium and Node.js are required, never skipped: a missing tool fails the test with the
//! command that installs it (`scripts/test.sh` installs Chromium; Node.js comes with the npm it uses).

use assert_cmd::Command;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;
use trailwarden_core::findings::{Finding, Outcome, Severity};
use trailwarden_core::report::{self, Context, Report};

use super::reports::{add_hostile_tags, BREAKOUT, SCRIPT, TAG_KEY, TAG_RULE, TAG_VALUE};
use super::synthetic as generate;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn demo() -> PathBuf {
    manifest_dir().join("examples/demo-org.json")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Scans `snapshot` (with the rules of `rules` added) into an HTML and a JSON report.
fn scan(snapshot: &Path, rules: Option<&Path>) -> (tempfile::TempDir, PathBuf, Report) {
    let dir = tempfile::tempdir().unwrap();
    let (html, json) = (dir.path().join("report.html"), dir.path().join("report.json"));
    let mut cmd = Command::cargo_bin("trailwarden").expect("the binary is built");
    cmd.env("NO_COLOR", "1").arg("scan");
    if let Some(rules) = rules {
        cmd.arg("--rules").arg(rules);
    }
    cmd.args(["--quiet", "--fail-on", "never", "--snapshot"]).arg(snapshot).arg("--html").arg(&html).arg("--json").arg(&json).assert().code(0);
    let report = serde_json::from_str(&read(&json)).expect("the JSON report reads back");
    (dir, html, report)
}

// ---------------------------------------------------------------------------------------------
// The browser

fn tool(names: &[&str], install: &str) -> PathBuf {
    for name in names {
        if let Ok(output) = std::process::Command::new("which").arg(name).output() {
            if output.status.success() {
                return PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
            }
        }
    }
    panic!("{} is not installed. Install it with\n  {install}\n(or run `scripts/test.sh`). This test does not skip without it.", names[0]);
}

fn chromium() -> PathBuf {
    tool(&["chromium", "chromium-browser"], "sudo apt-get update && sudo apt-get install -y chromium")
}

fn node() -> PathBuf {
    tool(&["node", "nodejs"], "sudo apt-get update && sudo apt-get install -y nodejs")
}

/// What scripts/html-browser.mjs saw while loading a page and doing the steps.
#[derive(Debug)]
struct Session {
    console: Vec<String>,
    errors: Vec<String>,
    requests: Vec<String>,
    timings: Value,
    steps: Value,
    results: Value,
}

impl Session {
    fn result(&self, name: &str) -> &Value {
        self.results.get(name).unwrap_or_else(|| panic!("no result `{name}` in {:#}", self.results))
    }

    fn text(&self, name: &str) -> &str {
        self.result(name).as_str().unwrap_or_else(|| panic!("`{name}` is not text: {}", self.result(name)))
    }

    /// Nothing on the console, no script error.
    fn assert_quiet(&self) {
        assert!(self.console.is_empty(), "console output:\n{}", self.console.join("\n"));
        assert!(self.errors.is_empty(), "page errors:\n{}", self.errors.join("\n"));
    }
}

/// Loads `page` in headless Chromium and runs `steps` (see scripts/html-browser.mjs).
fn browse(page: &Path, steps: Vec<Value>) -> Session {
    let dir = tempfile::tempdir().unwrap();
    let steps_file = dir.path().join("steps.json");
    std::fs::write(&steps_file, serde_json::to_string(&steps).unwrap()).unwrap();
    let output = std::process::Command::new(node())
        .arg(manifest_dir().join("scripts/html-browser.mjs"))
        .arg("--chromium")
        .arg(chromium())
        .arg("--page")
        .arg(page)
        .arg("--steps")
        .arg(&steps_file)
        .output()
        .expect("node runs");
    assert!(output.status.success(), "html-browser failed: {}\n{}", String::from_utf8_lossy(&output.stderr), String::from_utf8_lossy(&output.stdout));
    let mut report: Value = serde_json::from_slice(&output.stdout).expect("html-browser prints JSON");
    let strings = |v: &mut Value| -> Vec<String> { v.take().as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect() };
    Session {
        console: strings(&mut report["console"]),
        errors: strings(&mut report["errors"]),
        requests: strings(&mut report["requests"]),
        timings: report["timings"].take(),
        steps: report["steps"].take(),
        results: report["results"].take(),
    }
}

fn eval(name: &str, expression: &str) -> Value {
    json!({"action": "eval", "name": name, "expression": expression})
}

/// Types `text` into a search field and waits for the filters to apply.
fn search(selector: &str, text: &str) -> Vec<Value> {
    vec![json!({"action": "type", "selector": selector, "text": text}), json!({"action": "settle"})]
}

fn click(selector: &str) -> Value {
    json!({"action": "click", "selector": selector})
}

fn choose(selector: &str, value: &str) -> Value {
    json!({"action": "select", "selector": selector, "value": value})
}

const COUNT: &str = "document.getElementById('count').textContent";
/// The findings on the page shown: rule, ARN and message as the reader sees them.
const SHOWN: &str = "[...document.querySelectorAll('#list > details.finding')].map(d => [d.querySelector('.rule').textContent, \
                     d.querySelector('.arn').textContent, d.querySelector('.msg').firstChild.textContent])";

// ---------------------------------------------------------------------------------------------
// What the page should show, computed from the report independently of the page

/// Reading order: failures, inconclusive, suppressed, passed, not applicable; most severe
/// first; by rule id and ARN.
fn reading_order(report: &Report) -> Vec<&Finding> {
    let rank =
        |o: Outcome| [Outcome::Fail, Outcome::Inconclusive, Outcome::Suppressed, Outcome::Pass, Outcome::NotApplicable].iter().position(|x| *x == o);
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by(|a, b| {
        rank(a.outcome)
            .cmp(&rank(b.outcome))
            .then(b.severity.cmp(&a.severity))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.resource.arn.cmp(&b.resource.arn))
    });
    findings
}

/// The page's search, restated: every word occurs, case-insensitively, in one of the
/// finding's texts (rule id and title, the rule's references, message, resource fields,
/// frameworks, suppression reason, remediation).
fn matches_search(f: &Finding, references: &[String], query: &str) -> bool {
    let r = &f.resource;
    let mut texts: Vec<String> = vec![
        f.rule_id.clone(),
        f.title.to_string(),
        f.message.clone(),
        r.arn.clone(),
        r.kind.as_str().to_owned(),
        r.account.clone(),
        r.region.clone(),
        r.organizational_unit.clone().unwrap_or_default(),
        f.suppression.clone().unwrap_or_default(),
        f.remediation.trim_end().to_owned(),
    ];
    texts.extend(references.iter().cloned());
    for (id, controls) in f.frameworks.iter() {
        texts.push(trailwarden_core::rules::frameworks::display_name(id).unwrap_or(id).to_owned());
        texts.push(controls.join(", "));
    }
    let texts: Vec<String> = texts.iter().map(|t| t.to_lowercase()).collect();
    query.to_lowercase().split_whitespace().all(|word| texts.iter().any(|t| t.contains(word)))
}

fn failing(f: &Finding) -> bool {
    matches!(f.outcome, Outcome::Fail | Outcome::Inconclusive)
}

fn in_unit(f: &Finding, unit: &str, with_subunits: bool) -> bool {
    f.resource.organizational_unit.as_deref().is_some_and(|u| u == unit || (with_subunits && u.starts_with(&format!("{unit}/"))))
}

/// `249,885`
fn commas(n: usize) -> String {
    let digits = n.to_string();
    digits.chars().enumerate().fold(String::new(), |mut out, (i, c)| {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
        out
    })
}

/// `72,773 of 249,885 finding(s)`, as the page counts.
fn shown(n: usize, total: usize) -> String {
    format!("{} of {} finding(s)", commas(n), commas(total))
}

/// The page without the embedded data, and the data.
fn split_data(html: &str) -> (String, Value) {
    let open = "<script type=\"application/json\" id=\"report-data\">";
    let start = html.find(open).expect("embedded data") + open.len();
    let end = start + html[start..].find("</script>").expect("the data element is closed");
    let data = serde_json::from_str(&html[start..end]).expect("the embedded data is JSON");
    (format!("{}{}", &html[..start], &html[end..]), data)
}

// ---------------------------------------------------------------------------------------------
// The demo organization

#[test]
fn html_is_self_contained() {
    let (_dir, page, _report) = scan(&demo(), None);
    let html = read(&page);
    for forbidden in ["<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", " src=", "srcset="] {
        assert!(!html.contains(forbidden), "the report references something outside itself: {forbidden}");
    }
    let (outside, data) = split_data(&html);
    let lower = outside.to_lowercase();
    for attribute in ["href=\"http", "href=\"//", "action=", "href='http", "xlink:href"] {
        assert!(!lower.contains(attribute), "external URL in an attribute: {attribute}");
    }
    // Outside the data, URLs are the text of rule references only (escaped: `/` is `&#x2f;`).
    // The data is text too: the script writes none of it into an attribute.
    assert!(!outside.contains("://"), "an unescaped URL outside the data");
    let urls = outside.matches(":&#x2f;&#x2f;").count();
    let in_references =
        outside.matches("<span class=\"ref\">https:&#x2f;&#x2f;").count() + outside.matches("<span class=\"ref\">http:&#x2f;&#x2f;").count();
    assert!(in_references > 0, "the demo's rules have references");
    assert_eq!(urls, in_references, "every URL is a reference shown as text");
    assert!(
        data["rules"]["references"].as_array().unwrap().iter().any(|r| !r.as_array().unwrap().is_empty()),
        "the rules' references are in the data"
    );

    // Loaded, opened and searched, the page asks for nothing but itself.
    let session = browse(
        &page,
        [
            vec![click("button.expand[data-rule-index='0']")],
            search("#q", "bucket"),
            vec![click("#list > details.finding > summary")],
            vec![eval(
                "attributes",
                "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]).filter(a => a.value.includes('://')).map(a => a.name)",
            )],
        ]
        .concat(),
    );
    session.assert_quiet();
    assert_eq!(session.result("attributes"), &json!([]), "a URL in an attribute");
    let own = url_of(&page);
    assert!(session.requests.iter().all(|r| *r == own), "requests besides the page itself: {:?}", session.requests);
}

fn url_of(page: &Path) -> String {
    format!("file://{}", page.canonicalize().unwrap().display())
}

#[test]
fn html_loads_without_console_errors_and_shows_the_summary() {
    let (_dir, page, report) = scan(&demo(), None);
    let html = read(&page);
    for label in ["critical", "high", "medium", "low", "inconclusive", "passed", "not applicable", "pass rate"] {
        assert!(html.contains(&format!("<div class=\"l\">{label}</div>")), "summary card {label}");
    }
    for chart in [
        "Failures by severity",
        "Pass rate per rule",
        "Pass rate per organizational unit",
        "Pass rate per control: CIS AWS Foundations Benchmark v5.0.0",
    ] {
        assert!(html.contains("<svg viewBox=\"0 0 680 ") && html.contains(&format!("aria-label=\"{chart}.")), "chart {chart}");
    }
    let total = report.findings.len();
    let failing_count = report.findings.iter().filter(|f| failing(f)).count();
    let account = "333333333333";
    let by_account = report.findings.iter().filter(|f| failing(f) && matches_search(f, &[], account)).count();
    // A failing cell of the accounts × rules matrix, and what it should list.
    let cell = report.findings.iter().find(|f| f.outcome == Outcome::Fail).unwrap();
    let rule_ids: BTreeSet<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    let rule_index = rule_ids.iter().position(|r| *r == cell.rule_id).unwrap();
    let in_cell = report.findings.iter().filter(|f| f.rule_id == cell.rule_id && f.resource.account == cell.resource.account).count();
    let cell_button = format!("table.matrix button[data-rule-index='{rule_index}'][data-key='{}']", cell.resource.account);

    let png = page.with_extension("png");
    let session = browse(
        &page,
        [
            vec![eval("count", COUNT), eval("listed", "document.querySelectorAll('#list > details.finding').length")],
            vec![eval("matrix", "document.getElementById('matrix-title').textContent")],
            vec![json!({"action": "screenshot", "path": png})],
            search("#q", account),
            vec![eval("searched", COUNT), click("#reset"), eval("reset", COUNT)],
            vec![click(&cell_button), eval("cell", COUNT), eval("rule", "document.getElementById('rule').selectedOptions[0].textContent")],
        ]
        .concat(),
    );
    session.assert_quiet();
    assert_eq!(session.text("count"), shown(failing_count, total), "the failing and inconclusive findings are listed first");
    assert_eq!(session.result("listed"), failing_count.min(50), "the first page of them");
    assert_eq!(session.text("matrix"), "Accounts × rules", "six accounts are columns");
    assert_eq!(session.text("searched"), shown(by_account, total), "searching an account id");
    assert_eq!(session.text("reset"), shown(failing_count, total));
    assert_eq!(session.text("cell"), shown(in_cell, total), "a matrix cell lists its rule's findings in its account");
    assert_eq!(session.text("rule"), cell.rule_id);

    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000, "screenshot of {} bytes", bytes.len());
    if let Some(keep) = std::env::var_os("TRAILWARDEN_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile names

// The hostile strings and the tag rule are those of the other reports' tests.
/// A unit name that would close the data's script element.
const UNIT: &str = "</script><script>console.error('unit-ran')</script><!--";

/// The demo organization with one trail renamed to markup (name, ARN and so every message
/// about it), hostile tags on every trail and a hostile organizational unit.
fn hostile_snapshot(dir: &Path) -> PathBuf {
    let text = read(&demo());
    let encoded = |s: &str| serde_json::to_string(s).unwrap().trim_matches('"').to_owned();
    let text = text.replace("staging-trail", &encoded(&format!("staging{SCRIPT}{BREAKOUT}|x")));
    let text = text.replace("\"Root/Sandbox\"", &format!("\"Root/{}\"", encoded(UNIT)));
    let mut snapshot: Value = serde_json::from_str(&text).expect("still JSON");
    add_hostile_tags(&mut snapshot);
    let path = dir.join("hostile.json");
    std::fs::write(&path, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
    path
}

#[test]
fn hostile_names_render_inert_in_html() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("X-TRAIL-TAGS.yaml"), TAG_RULE).unwrap();
    let (_out, page, report) = scan(&hostile_snapshot(dir.path()), Some(&rules));
    let payload = format!("{TAG_KEY}={TAG_VALUE};");
    let tagged = report.findings.iter().filter(|f| f.rule_id == "X-TRAIL-TAGS" && f.message.contains(&payload)).count();
    assert!(tagged > 0, "the custom rule prints the tag");
    let hostile_unit = report.findings.iter().filter(|f| f.resource.organizational_unit.as_deref().is_some_and(|u| u.contains(UNIT))).count();
    assert!(hostile_unit > 0, "the hostile unit is some findings' unit");

    let html = read(&page);
    for raw in [SCRIPT, BREAKOUT, TAG_KEY, TAG_VALUE, UNIT] {
        assert!(!html.contains(raw), "raw text from the snapshot in the page: {raw}");
    }
    assert_eq!(html.matches("<script").count(), 2, "only the report's data and script elements");
    assert!(!html.contains("<img"), "an injected image");
    // The unit is in the server-rendered tables, escaped; the data holds the names, escaped for
    // a script element.
    assert!(html.contains("&lt;&#x2f;script&gt;&lt;script&gt;console.error(&#x27;unit-ran&#x27;)"), "the unit is shown, escaped");
    let (_, data) = split_data(&html);
    let strings: Vec<&str> = data["strings"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(strings.iter().any(|s| s.contains(&payload)), "the tag reads back from the data unchanged");

    // Search the tagged trail's findings, open the first, and read what the page shows.
    let opened = "#list > details.finding[open]";
    let session = browse(
        &page,
        [
            search("#q", "staging<script>"),
            vec![eval("count", COUNT), eval("shown", SHOWN)],
            search("#q", "X-TRAIL-TAGS"),
            vec![
                click("#list > details.finding > summary"),
                eval("message", &format!("document.querySelector('{opened} .msg').firstChild.textContent")),
            ],
            vec![eval("remediation", &format!("document.querySelector('{opened} pre').textContent"))],
            vec![choose("#unit", &format!("u:Root/{UNIT}")), eval("unit", COUNT)],
            vec![eval("dom", "document.documentElement.outerHTML")],
            vec![eval("scripts", "document.scripts.length"), eval("images", "document.images.length")],
            vec![eval(
                "handlers",
                "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))",
            )],
        ]
        .concat(),
    );
    session.assert_quiet();
    let ran = ["tag-key-ran", "tag-value-ran", "unit-ran"];
    assert!(!session.console.iter().any(|l| ran.iter().any(|r| l.contains(r))), "an injected script ran");
    let about_staging = report.findings.iter().filter(|f| failing(f) && matches_search(f, &[], "staging<script>")).count();
    assert!(about_staging > 0);
    assert_eq!(session.text("count"), shown(about_staging, report.findings.len()));
    let shown_messages = session.result("shown").as_array().unwrap();
    assert!(!shown_messages.is_empty());
    // The trail's own findings show the name in their ARN and message, as text.
    let name = format!("staging{SCRIPT}{BREAKOUT}|x");
    assert!(shown_messages.iter().any(|row| row[1].as_str().unwrap().contains(&name)), "the name is text in an ARN: {shown_messages:?}");
    assert!(shown_messages.iter().any(|row| row[2].as_str().unwrap().contains(&name)), "the name is text in a message: {shown_messages:?}");
    assert!(session.text("message").contains(&payload), "the tag is text in the message: {}", session.text("message"));
    assert!(session.text("remediation").contains(&payload), "the tag is text in the remediation");
    let in_hostile_unit =
        report.findings.iter().filter(|f| failing(f) && matches_search(f, &[], "X-TRAIL-TAGS") && in_unit(f, &format!("Root/{UNIT}"), true)).count();
    assert_eq!(session.text("unit"), shown(in_hostile_unit, report.findings.len()), "the hostile unit filters");
    assert_eq!(session.result("scripts"), 2, "no injected script element");
    assert_eq!(session.result("images"), 0, "no injected image");
    assert_eq!(session.result("handlers"), &json!([]), "no injected event handler attribute");
    let dom = session.text("dom");
    assert_eq!(tags_of(dom).iter().filter(|(name, _)| name == "script").count(), 2, "script elements in the serialized DOM");
    assert!(dom.contains("&lt;script&gt;console.error('tag-key-ran')&lt;/script&gt;="), "the tag is text in the DOM");
}

/// The elements of a serialized DOM as (tag name, attribute names). In a serialization, `<`
/// in text is always `&lt;` and attribute values are quoted with `"` escaped, so every `<`
/// followed by a letter starts a real element; script and style bodies are skipped.
fn tags_of(dom: &str) -> Vec<(String, Vec<String>)> {
    let bytes = dom.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        i += 1;
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/' {
            i += 1;
        }
        let name = dom[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        while i < bytes.len() && bytes[i] != b'>' {
            if bytes[i].is_ascii_whitespace() || bytes[i] == b'/' {
                i += 1;
                continue;
            }
            let attr_start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>') {
                i += 1;
            }
            attrs.push(dom[attr_start..i].to_ascii_lowercase());
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                if let Some(&quote) = bytes.get(i).filter(|q| matches!(q, b'"' | b'\'')) {
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote {
                        i += 1;
                    }
                    i += 1;
                } else {
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = dom[i..].find(&close).map_or(bytes.len(), |at| i + at);
        }
        tags.push((name, attrs));
    }
    tags
}

// ---------------------------------------------------------------------------------------------
// Baseline, suppressions, unreadable facts

fn fixed_finding(rule: &str, outcome: &str, severity: &str, name: &str, unit: Option<&str>) -> Value {
    let mut resource = json!({"arn": format!("arn:aws:cloudtrail:us-east-1:111122223333:trail/{name}"), "kind": "trail", "account": "111122223333", "region": "us-east-1"});
    if let Some(unit) = unit {
        resource["organizational_unit"] = unit.into();
    }
    json!({
        "rule_id": rule, "title": format!("{rule} title"), "outcome": outcome, "severity": severity, "resource": resource,
        "message": format!("Trail {name} is {outcome} for {rule}."),
        "remediation": if outcome == "fail" { format!("aws cloudtrail start-logging --name {name}") } else { String::new() },
        "frameworks": {"cis-aws-foundations-v5.0.0": ["3.1"]}
    })
}

fn fixed_report() -> Report {
    let mut suppressed = fixed_finding("X-MFA", "suppressed", "low", "legacy", Some("Root/Dev"));
    suppressed["suppression"] = "legacy bucket (until 2027-03-31)".into();
    let gap = |api: &str| json!({"account": "111122223333", "region": "us-east-1", "api": api, "resource": "AWS::::Account:111122223333", "reason": "access_denied", "detail": "AccessDenied"});
    serde_json::from_value(json!({
        "tool": {"name": "trailwarden", "version": "0.0.0-test"},
        "scan": {"started_at": "2026-01-02T03:04:05Z", "finished_at": "2026-01-02T03:04:07Z", "source": "snapshot",
                 "accounts": ["111122223333"], "regions": ["us-east-1"],
                 "incomplete": [gap("cloudtrail:GetTrailStatus"), gap("s3:GetBucketPolicy")]},
        "summary": {"fail": {"critical": 1, "high": 1, "medium": 0, "low": 0, "info": 0},
                    "pass": 1, "inconclusive": 1, "not_applicable": 0, "suppressed": 1},
        "findings": [
            fixed_finding("X-LOGGING", "fail", "critical", "new-trail", Some("Root/Prod")),
            fixed_finding("X-LOGGING", "fail", "high", "old-trail", Some("Root/Prod/Payments")),
            fixed_finding("X-VALIDATION", "inconclusive", "medium", "new-trail", None),
            fixed_finding("X-VALIDATION", "pass", "medium", "old-trail", Some("Root/Prod/Payments")),
            suppressed
        ]
    }))
    .expect("a report")
}

#[test]
fn html_marks_baseline_and_suppressions_and_lists_unreadable_facts() {
    let report = fixed_report();
    let mut old = fixed_report();
    old.findings.retain(|f| f.resource.arn.ends_with("/old-trail"));
    let baseline = trailwarden_core::history::Baseline::of(&old);
    let ctx = Context { rules: Vec::new(), set: None, scope: "o-fixed".to_owned(), baseline: Some(&baseline) };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("fixed.html");
    std::fs::write(&page, report::html::render(&report, &ctx).unwrap()).unwrap();
    let html = read(&page);
    assert!(html.contains("<div class=\"n\">1</div><div class=\"l\">new failures</div>"), "one failure is new");

    let opened = "#list > details.finding[open]";
    let session = browse(
        &page,
        [
            vec![
                eval("count", COUNT),
                eval("badges", "[...document.querySelectorAll('#list .badge.b-new, #list .badge.b-existing')].map(b => b.textContent)"),
            ],
            vec![click("#new-only"), eval("new", COUNT), eval("new_shown", SHOWN), click("#reset")],
            vec![click(".f-outcome[value='2']"), eval("with_suppressed", COUNT)],
            search("#q", "legacy"),
            vec![
                click("#list > details.finding > summary"),
                eval("suppressed", &format!("[...document.querySelectorAll('{opened} dt')].map(d => [d.textContent, d.nextSibling.textContent])")),
            ],
            vec![click("#reset"), choose("#unit", "u:Root/Prod"), eval("unit", COUNT), click("#subunits"), eval("unit_only", COUNT)],
            vec![choose("#unit", "u:Root/Dev"), eval("empty", "document.getElementById('empty').hidden")],
            vec![eval("gaps", "[...document.querySelectorAll('#gaps-body tr')].map(r => [...r.cells].map(c => c.textContent))")],
        ]
        .concat(),
    );
    session.assert_quiet();
    assert_eq!(session.text("count"), "3 of 5 finding(s)");
    assert_eq!(session.result("badges"), &json!(["new", "existing", "new"]), "baseline marks in reading order");
    assert_eq!(session.text("new"), "2 of 5 finding(s)", "new since the baseline: the new trail's failure and inconclusive finding");
    assert_eq!(session.result("new_shown")[0][1], "arn:aws:cloudtrail:us-east-1:111122223333:trail/new-trail");
    assert_eq!(session.text("with_suppressed"), "4 of 5 finding(s)");
    let details = session.result("suppressed").as_array().unwrap();
    assert!(details.contains(&json!(["Suppressed", "legacy bucket (until 2027-03-31)"])), "the suppression's reason: {details:?}");
    assert!(details.contains(&json!(["Unit", "Root/Dev"])), "the unit: {details:?}");
    assert_eq!(session.text("unit"), "2 of 5 finding(s)", "Root/Prod and its sub-unit Payments");
    assert_eq!(session.text("unit_only"), "1 of 5 finding(s)", "Root/Prod alone");
    assert_eq!(session.result("empty"), false, "the suppressed finding is not failing: nothing to show, and the page says so");
    let gaps = session.result("gaps").as_array().unwrap();
    assert_eq!(gaps.len(), 2);
    assert_eq!(
        gaps[0],
        json!(["111122223333", "us-east-1", "cloudtrail:GetTrailStatus", "AWS::::Account:111122223333", "access denied", "AccessDenied"])
    );
}

/// A template's findings are shown where the template declares their resource, in the list,
/// in a finding's details and for the search.
#[test]
fn html_shows_where_a_template_declares_each_resource() {
    let dir = tempfile::tempdir().unwrap();
    let (page, json) = (dir.path().join("iac.html"), dir.path().join("iac.json"));
    let mut cmd = Command::cargo_bin("trailwarden").expect("the binary is built");
    cmd.current_dir(manifest_dir()).env("NO_COLOR", "1");
    cmd.args(["scan", "-q", "--fail-on", "never", "--cloudformation", "examples/iac/cloudformation/weak.yaml", "--html"]).arg(&page);
    cmd.arg("--json").arg(&json).assert().success();
    let report: Report = serde_json::from_str(&read(&json)).unwrap();
    let on_bucket = report.findings.iter().filter(|f| failing(f) && f.resource.location.as_ref().is_some_and(|at| at.line == 5)).count();
    assert!(on_bucket > 0);

    let opened = "#list > details.finding[open]";
    let session = browse(
        &page,
        [
            vec![eval("shown", SHOWN), click("#list > details.finding > summary")],
            vec![eval("details", &format!("[...document.querySelectorAll('{opened} dt')].map(d => [d.textContent, d.nextSibling.textContent])"))],
            search("#q", "weak.yaml:5 ("),
            vec![eval("search", COUNT)],
        ]
        .concat(),
    );
    session.assert_quiet();
    let trail = "examples/iac/cloudformation/weak.yaml:24 (Trail)";
    let first = &session.result("shown")[0];
    assert_eq!((&first[0], &first[1]), (&json!("CT-IS-LOGGING"), &json!(trail)), "the most severe failure, where it is declared");
    let details = session.result("details").as_array().unwrap();
    assert!(details.contains(&json!(["Declared at", trail])), "{details:?}");
    assert!(details.iter().any(|d| d[0] == "Resource" && d[1].as_str().unwrap().contains(":trail/weak-trail")), "the ARN stays: {details:?}");
    assert_eq!(session.text("search"), shown(on_bucket, report.findings.len()), "the search finds the bucket's findings by file and line");
}

// ---------------------------------------------------------------------------------------------
// 10,000 accounts

/// The 10,000-account synthetic organization (crates/core/examples/synthetic), scanned with the
/// built-in rules in this process (a debug build evaluates it in about ten seconds, where
/// writing and reading back its snapshot and JSON report would take longer), and rendered.
#[test]
fn html_of_10000_accounts_is_small_and_usable() {
    let started = Instant::now();
    let set = trailwarden_core::rules::load_builtin().expect("the built-in rules load");
    let plan = trailwarden_core::scan::Plan::new(&set, trailwarden_core::config::Config::default(), None).unwrap();
    let result = plan.run(generate::organization(10_000), trailwarden_core::results::Source::Snapshot, None, generate::collected_at());
    let scanned = started.elapsed();
    let ctx = plan.context(&result, None);
    let report = &result.report;
    let html = report::html::render(report, &ctx).unwrap();
    let rendered = started.elapsed() - scanned;
    let total = report.findings.len();
    assert!(total > 200_000, "a quarter of a million findings: {total}");
    assert!(html.len() <= 30_000_000, "{} bytes", html.len());
    let (_, data) = split_data(&html);
    assert_eq!(data["findings"]["rule"].as_array().unwrap().len(), total, "every finding is in the page");
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("10k.html");
    std::fs::write(&page, &html).unwrap();
    drop(html);

    let order = reading_order(report);
    let failing_count = report.findings.iter().filter(|f| failing(f)).count();
    let references: std::collections::HashMap<&str, &[String]> = ctx.rules.iter().map(|r| (r.id.as_str(), r.references.as_slice())).collect();
    let matching = |query: &str| -> Vec<&Finding> {
        order.iter().copied().filter(|f| failing(f) && matches_search(f, references[f.rule_id.as_str()], query)).collect()
    };
    // An account id; the same followed by the `;` the messages put after it (a word across a
    // placeholder's edge: the page must expand those messages to decide); two words; a bucket
    // name; a word of the rules' own text.
    let queries = ["100000000042", "100000000042;", "lambda 100000000042", "100000000005-us-west-2", "noncurrent"];
    let expected: Vec<Vec<&Finding>> = queries.iter().map(|q| matching(q)).collect();
    assert!(expected.iter().all(|e| !e.is_empty()), "every query finds something");
    let unit = "Root/Workloads/Prod";
    let in_prod = report.findings.iter().filter(|f| in_unit(f, unit, true));
    let in_prod_failing = in_prod.clone().filter(|f| failing(f)).count();
    let in_prod_with_passes = in_prod.filter(|f| failing(f) || f.outcome == Outcome::Pass).count();
    let worst_account = worst_account(report);

    let mut steps = vec![eval("count", COUNT), eval("matrix", "document.getElementById('matrix-title').textContent")];
    steps.push(eval("columns", "document.querySelectorAll('table.matrix thead th.col').length"));
    for (i, query) in queries.iter().enumerate() {
        steps.extend(search("#q", query));
        steps.push(eval(&format!("q{i}"), COUNT));
        steps.push(eval(&format!("q{i}_shown"), SHOWN));
        steps.push(eval(&format!("q{i}_ms"), "+document.documentElement.dataset.filterMs"));
    }
    steps.extend([click("#reset"), click("#list ~ .pager button[title='Next page']"), eval("page2", SHOWN)]);
    steps.extend([choose("#unit", &format!("u:{unit}")), eval("unit", COUNT), click(".f-outcome[value='3']"), eval("unit_passes", COUNT)]);
    steps.push(eval("unit_ms", "+document.documentElement.dataset.filterMs"));
    steps.extend([click("button.expand[data-rule-index='0']"), eval("rule_rows", "document.querySelectorAll('#rule-0 tbody tr').length")]);
    steps.push(eval("rule_pages", "document.querySelector('#rule-0 .pager .status').textContent"));
    steps.push(eval("first_account", "document.querySelector('#accounts-body th').textContent"));
    steps.push(eval("accounts_listed", "document.querySelectorAll('#accounts-body tr').length"));
    let session = browse(&page, steps);
    session.assert_quiet();

    assert_eq!(session.text("count"), shown(failing_count, total));
    assert_eq!(session.text("matrix"), "Organizational units × rules", "10,000 accounts are grouped by unit");
    let columns = session.result("columns").as_u64().unwrap();
    assert!((2..=40).contains(&columns), "{columns} unit columns");
    for (i, query) in queries.iter().enumerate() {
        assert_eq!(session.text(&format!("q{i}")), shown(expected[i].len(), total), "search `{query}`");
        let page_one: Vec<Value> = expected[i].iter().take(50).map(|f| json!([f.rule_id, f.resource.arn, f.message])).collect();
        assert_eq!(session.result(&format!("q{i}_shown")), &json!(page_one), "the first page of `{query}`, as the report words it");
    }
    let failing_order: Vec<&&Finding> = order.iter().filter(|f| failing(f)).collect();
    let page_two: Vec<Value> = failing_order.iter().skip(50).take(50).map(|f| json!([f.rule_id, f.resource.arn, f.message])).collect();
    assert_eq!(session.result("page2"), &json!(page_two), "the second page");
    assert_eq!(session.text("unit"), shown(in_prod_failing, total), "the unit {unit} and its sub-units");
    assert_eq!(session.text("unit_passes"), shown(in_prod_with_passes, total), "with passes");
    let first_rule = &ctx.rules[0].id;
    let of_first_rule = report.findings.iter().filter(|f| f.rule_id == *first_rule).count();
    assert_eq!(session.result("rule_rows"), of_first_rule.min(20), "a rule opens onto its resources");
    assert!(session.text("rule_pages").ends_with(&format!("resources 1–20 of {}", commas(of_first_rule))), "{}", session.text("rule_pages"));
    assert_eq!(session.text("first_account"), worst_account, "accounts worst first");
    assert_eq!(session.result("accounts_listed"), 25);

    // Opens in seconds, filters in well under one (generous bounds: CI machines are slow and shared).
    let ready_ms = session.timings["ready_ms"].as_u64().unwrap();
    let filter_ms: Vec<f64> = (0..queries.len())
        .map(|i| session.result(&format!("q{i}_ms")).as_f64().unwrap())
        .chain([session.result("unit_ms").as_f64().unwrap()])
        .collect();
    eprintln!(
        "10,000 accounts: {total} findings; scanned in {scanned:.1?}, rendered in {rendered:.1?} (debug build), {} bytes; Chromium ready in {ready_ms} ms \
         (page timings {}), filters in {filter_ms:?} ms; steps {}; whole test so far {:.1?}",
        std::fs::metadata(&page).unwrap().len(),
        session.timings["page"],
        session.steps,
        started.elapsed()
    );
    assert!(ready_ms < 30_000, "the page took {ready_ms} ms to be ready");
    assert!(filter_ms.iter().all(|ms| *ms < 2_000.0), "filtering took {filter_ms:?} ms");
}

/// The account the page lists first: most critical failures, then high, medium, low, info,
/// then most inconclusive findings; by id on ties.
fn worst_account(report: &Report) -> String {
    let mut counts: std::collections::BTreeMap<&str, ([usize; 5], usize)> = std::collections::BTreeMap::new();
    for f in &report.findings {
        let entry = counts.entry(&f.resource.account).or_default();
        match f.outcome {
            Outcome::Fail => entry.0[Severity::ALL.iter().position(|s| *s == f.severity).unwrap()] += 1,
            Outcome::Inconclusive => entry.1 += 1,
            _ => {}
        }
    }
    let (account, _) = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).unwrap();
    (*account).to_owned()
}
