//! Audit history end to end: `trailwarden diff OLD NEW` and `scan --baseline OLD`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn trailwarden() -> Command {
    let mut cmd = Command::cargo_bin("trailwarden").expect("the binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-org.json")
}

const STOPPED_TRAIL: &str = "arn:aws:cloudtrail:eu-west-1:555555555555:trail/staging-trail";

/// The demo's JSON report.
fn demo_report(dir: &Path) -> (PathBuf, Value) {
    let path = dir.join("new.json");
    trailwarden().args(["scan", "--quiet", "--fail-on", "never", "--json"]).arg(&path).arg("--snapshot").arg(demo()).assert().code(0);
    let report = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, report)
}

/// An "earlier" report: the stopped trail still logged (so its failure is new now), and one
/// finding that passes now failed then (so it is resolved now).
fn earlier_report(dir: &Path, current: &Value) -> (PathBuf, String) {
    let mut old = current.clone();
    let findings = old["findings"].as_array_mut().unwrap();
    let stopped =
        findings.iter_mut().find(|f| f["rule_id"] == "CT-IS-LOGGING" && f["resource"]["arn"] == STOPPED_TRAIL).expect("the demo's stopped trail");
    stopped["outcome"] = "pass".into();
    let fixed = findings.iter_mut().find(|f| f["outcome"] == "pass" && f["severity"] == "high").expect("a passing high finding");
    fixed["outcome"] = "fail".into();
    let fixed_key = format!("{} {}", fixed["rule_id"].as_str().unwrap(), fixed["resource"]["arn"].as_str().unwrap());
    let path = dir.join("old.json");
    std::fs::write(&path, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    (path, fixed_key)
}

fn failures(report: &Value) -> usize {
    report["findings"].as_array().unwrap().iter().filter(|f| f["outcome"] == "fail").count()
}

#[test]
fn diff_lists_new_resolved_and_unchanged_failures() {
    let dir = tempfile::tempdir().unwrap();
    let (new, report) = demo_report(dir.path());
    let (old, fixed) = earlier_report(dir.path(), &report);
    let output = trailwarden().arg("diff").arg(&old).arg(&new).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    // The new failure is high: the default gate (high) fails.
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let unchanged = failures(&report) - 1;
    assert!(stdout.starts_with(&format!("1 new failure(s), 1 resolved, {unchanged} unchanged failure(s)\n")), "{stdout}");
    assert!(stdout.contains(&format!("+ high     CT-IS-LOGGING {STOPPED_TRAIL}")), "{stdout}");
    let (rule, arn) = fixed.split_once(' ').unwrap();
    assert!(stdout.contains(&format!("{rule} {arn}\n")) && stdout.contains("now: pass"), "{stdout}");

    // Only new failures count, and only at or above --fail-on.
    trailwarden().arg("diff").arg(&old).arg(&new).args(["--fail-on", "critical"]).assert().code(0);
    trailwarden().arg("diff").arg(&new).arg(&new).assert().code(0).stdout(predicates::str::starts_with("0 new failure(s), 0 resolved"));
}

#[test]
fn diff_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let (new, report) = demo_report(dir.path());
    let (old, _) = earlier_report(dir.path(), &report);
    let output = trailwarden().arg("diff").arg(&old).arg(&new).args(["--json", "-", "--fail-on", "never"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let diff: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(diff["new_failures"].as_array().unwrap().len(), 1);
    assert_eq!(diff["new_failures"][0]["rule_id"], "CT-IS-LOGGING");
    assert_eq!(diff["resolved"][0]["now"], "pass");
    assert_eq!(diff["unchanged_failures"].as_array().unwrap().len(), failures(&report) - 1);
    // The readable summary goes to stderr when stdout carries JSON.
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("1 new failure(s)"));
}

#[test]
fn diff_of_unreadable_reports_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (new, _) = demo_report(dir.path());
    let missing = dir.path().join("missing.json");
    let output = trailwarden().arg("diff").arg(&missing).arg(&new).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing.json") && stderr.contains("cannot read"), "{stderr}");
    assert!(stderr.starts_with(&format!("error: {}: cannot read the report: ", missing.display())), "{stderr}");

    let snapshot_not_report = demo();
    let output = trailwarden().arg("diff").arg(&new).arg(&snapshot_not_report).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a trailwarden JSON report"), "{stderr}");
    assert!(stderr.contains("\n  help: `diff` and `--baseline` read the JSON report written by `trailwarden scan --json`"), "{stderr}");
}

#[test]
fn a_broken_report_names_line_column_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (new, _) = demo_report(dir.path());
    let text = std::fs::read_to_string(&new).unwrap();
    let needle = "\"outcome\": \"pass\"";
    let broken_at = text.find(needle).unwrap();
    let broken = format!("{}\"outcome\": \"passed\"{}", &text[..broken_at], &text[broken_at + needle.len()..]);
    let old = dir.path().join("old.json");
    std::fs::write(&old, &broken).unwrap();
    // serde_json reports the end of the bad value.
    let end = broken_at + "\"outcome\": \"passed\"".len();
    let line = broken[..end].matches('\n').count() + 1;
    let column = broken[..end].rsplit('\n').next().unwrap().chars().count();
    let findings: Value = serde_json::from_str(&text).unwrap();
    let index = findings["findings"].as_array().unwrap().iter().position(|f| f["outcome"] == "pass").unwrap();

    for args in [vec!["diff".to_owned(), old.display().to_string(), new.display().to_string()], {
        let mut scan: Vec<String> = ["scan", "--quiet", "--baseline"].map(str::to_owned).to_vec();
        scan.extend([old.display().to_string(), "--snapshot".to_owned(), demo().display().to_string()]);
        scan
    }] {
        let output = trailwarden().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        let expected = format!(
            "error: {}:{line}:{column}: not a trailwarden JSON report at `findings[{index}].outcome`: unknown variant `passed`, expected one of ",
            old.display()
        );
        assert!(stderr.starts_with(&expected), "{args:?}: {stderr}");
        assert!(stderr.ends_with("\n  help: did you mean `pass`?\n"), "{stderr}");
    }
}

#[test]
fn scan_with_a_baseline_marks_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let (_, report) = demo_report(dir.path());
    let (old, _) = earlier_report(dir.path(), &report);
    let out = |name: &str| dir.path().join(name);
    let output = trailwarden()
        .args(["scan", "--fail-on", "never", "--snapshot"])
        .arg(demo())
        .arg("--baseline")
        .arg(&old)
        .arg("--json")
        .arg(out("marked.json"))
        .arg("--sarif")
        .arg(out("marked.sarif"))
        .arg("--markdown")
        .arg(out("marked.md"))
        .arg("--html")
        .arg(out("marked.html"))
        .arg("--junit")
        .arg(out("marked.xml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));

    // JSON: every finding is marked; the stopped trail is new, unchanged failures existing.
    let marked: Value = serde_json::from_str(&std::fs::read_to_string(out("marked.json")).unwrap()).unwrap();
    let findings = marked["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["baseline"] == "new" || f["baseline"] == "existing"));
    let status = |rule: &str, arn: &str| findings.iter().find(|f| f["rule_id"] == rule && f["resource"]["arn"] == arn).unwrap()["baseline"].clone();
    assert_eq!(status("CT-IS-LOGGING", STOPPED_TRAIL), "new");
    let new_failures = findings.iter().filter(|f| f["outcome"] == "fail" && f["baseline"] == "new").count();
    assert_eq!(new_failures, 1);

    // SARIF: baselineState on every result.
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(out("marked.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let stopped = results.iter().find(|r| r["ruleId"] == "CT-IS-LOGGING" && r["properties"]["arn"] == STOPPED_TRAIL).unwrap();
    assert_eq!(stopped["baselineState"], "new");
    assert!(results.iter().all(|r| r["baselineState"] == "new" || r["baselineState"] == "unchanged"));
    assert!(results.iter().any(|r| r["baselineState"] == "unchanged"));

    // Terminal, Markdown, HTML and JUnit.
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(&format!("FAIL [new] CT-IS-LOGGING {STOPPED_TRAIL}")), "{stderr}");
    assert!(stderr.contains("[existing]") && stderr.contains("Baseline: 1 new failure(s) since the baseline report"), "{stderr}");
    let md = std::fs::read_to_string(out("marked.md")).unwrap();
    assert!(md.contains("| New failures |") && md.contains("🆕 CT-IS-LOGGING"), "{md}");
    let html = std::fs::read_to_string(out("marked.html")).unwrap();
    // The page's script draws each finding's new/existing badge from the data's baseline
    // column (tests/integration/html.rs checks them in Chromium).
    assert!(html.contains("<div class=\"n\">1</div><div class=\"l\">new failures</div>") && html.contains("\"baseline\":["));
    assert!(html.contains("new since baseline only"));
    let xml = std::fs::read_to_string(out("marked.xml")).unwrap();
    assert!(xml.contains("Baseline: new") && xml.contains("Baseline: existing"));
}

#[test]
fn a_missing_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output =
        trailwarden().args(["scan", "--quiet", "--snapshot"]).arg(demo()).arg("--baseline").arg(dir.path().join("nope.json")).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nope.json"));
}
