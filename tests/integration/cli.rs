//! The binary, end to end on snapshot files: reports, exit codes and error messages.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn trailwarden() -> Command {
    let mut cmd = Command::cargo_bin("trailwarden").expect("the binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The JSON report with its timestamps replaced, for snapshots.
fn stable_report(text: &str) -> serde_json::Value {
    let mut report: serde_json::Value = serde_json::from_str(text).expect("the report is JSON");
    report["scan"]["started_at"] = "[started_at]".into();
    report["scan"]["finished_at"] = "[finished_at]".into();
    report
}

#[test]
fn json_report_of_a_small_account() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    trailwarden().args(["scan", "--snapshot"]).arg(fixture("small-account.json")).arg("--json").arg(&out).arg("--quiet").assert().code(1);
    let report = stable_report(&std::fs::read_to_string(&out).unwrap());
    insta::assert_json_snapshot!("small_account_report", report);
}

#[test]
fn json_report_to_stdout_has_the_design_shape() {
    let output = trailwarden()
        .args(["scan", "--quiet", "--fail-on", "never", "--json", "-", "--snapshot"])
        .arg(fixture("small-account.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["tool"]["name"], "trailwarden");
    assert_eq!(report["scan"]["source"], "snapshot");
    assert_eq!(report["scan"]["accounts"], serde_json::json!(["111122223333"]));
    for key in ["critical", "high", "medium", "low", "info"] {
        assert!(report["summary"]["fail"][key].is_u64(), "summary.fail.{key}");
    }
    let findings = report["findings"].as_array().unwrap();
    let outcomes: std::collections::BTreeSet<&str> = findings.iter().map(|f| f["outcome"].as_str().unwrap()).collect();
    assert!(outcomes.contains("pass") && outcomes.contains("fail") && outcomes.contains("inconclusive"), "{outcomes:?}");
    for f in findings {
        for key in ["rule_id", "title", "outcome", "severity", "resource", "message", "remediation", "frameworks"] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
        for key in ["arn", "kind", "account", "region"] {
            assert!(f["resource"].get(key).is_some(), "resource lacks {key}: {f}");
        }
    }
    // One finding per rule and resource.
    let mut keys: Vec<(String, String)> =
        findings.iter().map(|f| (f["rule_id"].as_str().unwrap().to_owned(), f["resource"]["arn"].as_str().unwrap().to_owned())).collect();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), total, "duplicate rule/resource findings");
    let gap = &report["scan"]["incomplete"][0];
    assert_eq!(gap["reason"], "access_denied");
    assert!(gap["api"].as_str().unwrap().starts_with("s3:"), "{gap}");
}

#[test]
fn terminal_summary_groups_failures_by_severity() {
    let output = trailwarden().args(["scan", "--snapshot"]).arg(fixture("small-account.json")).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains('\u{1b}'), "no colour when stderr is not a terminal");
    insta::assert_snapshot!("small_account_terminal", stderr);
}

#[test]
fn fail_on_sets_the_threshold() {
    let scan =
        |fail_on: &str| trailwarden().args(["scan", "--quiet", "--fail-on", fail_on, "--snapshot"]).arg(fixture("small-account.json")).assert();
    scan("critical").code(0); // worst failure is high
    scan("high").code(1);
    scan("low").code(1);
    scan("never").code(0);
    trailwarden()
        .args(["scan", "--quiet", "--fail-on", "severe", "--snapshot"])
        .arg(fixture("small-account.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not one of info, low, medium, high, critical, never"));
}

#[test]
fn fail_on_incomplete_exits_3_when_facts_were_unreadable() {
    trailwarden()
        .args(["scan", "--quiet", "--fail-on", "never", "--fail-on-incomplete", "--snapshot"])
        .arg(fixture("small-account.json"))
        .assert()
        .code(3);
    // Failing findings take precedence.
    trailwarden().args(["scan", "--quiet", "--fail-on-incomplete", "--snapshot"]).arg(fixture("small-account.json")).assert().code(1);
}

#[test]
fn regions_filter_limits_regional_findings() {
    let output = trailwarden()
        .args(["scan", "--quiet", "--fail-on", "never", "--regions", "us-east-1", "--json", "-", "--snapshot"])
        .arg(fixture("small-account.json"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let regions: std::collections::BTreeSet<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["resource"]["region"].as_str().unwrap()).collect();
    assert!(!regions.contains("eu-west-1"), "{regions:?}");
    assert!(regions.contains("us-east-1"));
    assert_eq!(report["scan"]["regions"], serde_json::json!(["us-east-1"]));
}

#[test]
#[cfg(feature = "aws")]
fn live_scan_without_credentials_is_a_clear_error() {
    trailwarden()
        .args(["scan", "--quiet"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_REGION", "us-east-1")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot identify the caller").and(predicate::str::contains("check the AWS credentials")));
}

#[test]
#[cfg(feature = "aws")]
fn accounts_selection_needs_org() {
    trailwarden().args(["scan", "--accounts", "111122223333"]).assert().code(2).stderr(predicate::str::contains("add --org"));
}

/// Built without the collector, a live scan or a collect is a usage error that says how to
/// get one, and a snapshot scan works as ever.
#[test]
#[cfg(not(feature = "aws"))]
fn without_the_aws_feature_live_commands_say_so() {
    for args in [&["scan", "--quiet"][..], &["collect", "--output", "-"][..]] {
        trailwarden()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("built without AWS support").and(predicate::str::contains("scan --snapshot FILE")));
    }
    trailwarden().args(["scan", "--quiet", "--fail-on", "never", "--snapshot"]).arg(fixture("small-account.json")).assert().code(0);
}

#[test]
fn framework_restricts_rules_and_reports_controls() {
    let output = trailwarden()
        .args(["scan", "--framework", "cis-aws-foundations-v5.0.0", "--fail-on", "never", "--json", "-", "--snapshot"])
        .arg(fixture("small-account.json"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules: std::collections::BTreeSet<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    assert!(rules.contains("CT-MULTI-REGION") && !rules.contains("CT-ORG-DELEGATED-ADMIN"), "{rules:?}");
    let controls = report["summary"]["frameworks"]["cis-aws-foundations-v5.0.0"].as_array().unwrap();
    let control_31 = controls.iter().find(|c| c["control"] == "3.1").unwrap();
    assert!(control_31["rules"].as_array().unwrap().iter().any(|r| r == "CT-MULTI-REGION"));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("CIS AWS Foundations Benchmark v5.0.0"), "{stderr}");
    trailwarden()
        .args(["scan", "--framework", "cis-v5", "--snapshot"])
        .arg(fixture("small-account.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown framework `cis-v5`"));
}

#[test]
fn iam_policy_prints_only_read_actions() {
    let output = trailwarden().arg("iam-policy").output().unwrap();
    assert!(output.status.success());
    let policy: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let actions: Vec<&str> =
        policy["Statement"].as_array().unwrap().iter().flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap())).collect();
    assert!(actions.contains(&"cloudtrail:GetTrailStatus") && actions.contains(&"s3:GetBucketVersioning"), "{actions:?}");
    assert!(actions.iter().all(|a| trailwarden_core::inventory::reads::is_read_action(a)), "{actions:?}");
}

#[test]
fn help_documents_exit_codes() {
    trailwarden()
        .args(["scan", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:").and(predicate::str::contains("--fail-on-incomplete")));
}

// ---- rules commands ----

#[test]
fn builtin_rule_tests_pass() {
    trailwarden().args(["rules", "test"]).assert().success().stdout(predicate::str::is_match(r"rules: \d+ passed, 0 failed").unwrap());
}

#[test]
fn rules_list_and_show() {
    trailwarden()
        .args(["rules", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CT-MULTI-REGION").and(predicate::str::contains("CT-S3-DATA-EVENTS-READ")));
    trailwarden()
        .args(["rules", "show", "CT-MULTI-REGION"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CIS AWS Foundations Benchmark v5.0.0: 3.1").and(predicate::str::contains("accept_split_read_write")));
    trailwarden().args(["rules", "show", "CT-MULTI-REGON"]).assert().code(2).stderr(predicate::str::contains("did you mean `CT-MULTI-REGION`"));
}

/// A directory holding one rule file.
fn rule_dir(id: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(format!("{id}.yaml")), text).unwrap();
    dir
}

const GOOD_RULE: &str = "id: X-CUSTOM
title: Custom
severity: low
scope: trail
description: A custom rule.
pass_if: trail.is_logging
message:
  pass: ok
  fail: bad
remediation: fix it
tests:
  - name: logging
    facts: {is_logging: true}
    expect: pass
";

/// The JSON report of a scan of the small-account fixture with the rules of `dir`.
fn scan_with_rules(dir: &tempfile::TempDir) -> serde_json::Value {
    let output = trailwarden()
        .args(["scan", "--quiet", "--fail-on", "never", "--json", "-", "--rules"])
        .arg(dir.path())
        .arg("--snapshot")
        .arg(fixture("small-account.json"))
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_custom_rule_directory_validates_tests_and_scans() {
    let dir = rule_dir("X-CUSTOM", GOOD_RULE);
    trailwarden().args(["rules", "validate"]).arg(dir.path()).assert().success().stdout(predicate::str::contains("1 rule(s) valid"));
    trailwarden().args(["rules", "test"]).arg(dir.path()).assert().success().stdout(predicate::str::contains("rules: 1 passed, 0 failed"));
    let report = scan_with_rules(&dir);
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["rule_id"] == "X-CUSTOM"));
}

/// A rule naming its own resource by a fact the subject lacks (the `owner` tag).
const RULE_WITH_OWN_RESOURCE: &str = "id: X-OWNED
title: Trails have an owner role
severity: low
scope: trail
description: A custom rule that reports on the trail owner's role.
resource:
  kind: iam_policy
  arn: \"arn:aws:iam::{{ trail.account_id }}:role/{{ trail.tags.owner }}\"
pass_if: trail.is_logging
message:
  pass: ok
  fail: bad
remediation: fix it
tests:
  - name: logging
    facts: {is_logging: true, account_id: '111111111111', tags: {owner: admins}}
    expect: pass
";

#[test]
fn a_rule_resource_that_cannot_be_named_makes_the_finding_inconclusive() {
    let dir = rule_dir("X-OWNED", RULE_WITH_OWN_RESOURCE);
    trailwarden().args(["rules", "test"]).arg(dir.path()).assert().success();
    let report = scan_with_rules(&dir);
    let findings: Vec<&serde_json::Value> = report["findings"].as_array().unwrap().iter().filter(|f| f["rule_id"] == "X-OWNED").collect();
    assert!(!findings.is_empty());
    for finding in findings {
        // No trail of the fixture has an `owner` tag: never a pass or fail about a guessed resource.
        assert_eq!(finding["outcome"], "inconclusive", "{finding}");
        assert_eq!(finding["resource"]["kind"], "trail", "{finding}");
        let message = finding["message"].as_str().unwrap();
        assert!(message.contains("resource.arn template failed") && message.contains("the rule answered"), "{message}");
    }
}

#[test]
fn a_failing_rule_test_exits_1_and_names_the_case() {
    let dir = rule_dir("X-CUSTOM", &GOOD_RULE.replace("expect: pass", "expect: fail"));
    trailwarden().args(["rules", "test"]).arg(dir.path()).assert().code(1).stdout(
        predicate::str::contains("X-CUSTOM.yaml:12:5 `logging`: expected fail, got pass").and(predicate::str::contains("rules: 0 passed, 1 failed")),
    );
}

/// Validates a broken rule and returns stderr; asserts exit code 2.
fn broken_rule(text: &str) -> String {
    let dir = rule_dir("X-CUSTOM", text);
    let output = trailwarden().args(["rules", "validate"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "stdout: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn unknown_key_in_a_rule_is_refused_with_position_and_suggestion() {
    let err = broken_rule(&GOOD_RULE.replace("remediation: fix it", "remediation: fix it\nremedation: typo"));
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("X-CUSTOM.yaml:11:1: unknown field `remedation`, expected one of `id`, "), "{err}");
    assert!(err.contains("\n  help: did you mean `remediation`?\n"), "{err}");
}

#[test]
fn bad_severity_is_refused() {
    let err = broken_rule(&GOOD_RULE.replace("severity: low", "severity: severe"));
    assert!(err.contains("X-CUSTOM.yaml:3:11: severity: unknown variant `severe`"), "{err}");
}

#[test]
fn cel_syntax_error_is_refused_with_position() {
    let err = broken_rule(&GOOD_RULE.replace("pass_if: trail.is_logging", "pass_if: trail.is_logging &&"));
    assert!(err.contains("X-CUSTOM.yaml:6:"), "{err}");
    assert!(err.contains("CEL syntax error"), "{err}");
}

#[test]
fn misspelled_field_is_refused_at_load_with_suggestion() {
    let err = broken_rule(&GOOD_RULE.replace("pass_if: trail.is_logging", "pass_if: trail.is_multi_region && trail.is_loging"));
    assert!(err.contains("X-CUSTOM.yaml:6:41: unknown field `is_loging`\n  help: did you mean `is_logging`?"), "{err}");
}

#[test]
fn misspelled_nested_field_in_a_block_condition_points_at_its_line() {
    let rule = GOOD_RULE.replace("pass_if: trail.is_logging", "pass_if: |\n  trail.is_logging\n    && trail.management_events.al");
    let err = broken_rule(&rule);
    assert!(err.contains("X-CUSTOM.yaml:8:32: unknown field `al`\n  help: did you mean `all`?"), "{err}");
}

#[test]
fn misspelled_field_inside_a_quantifier_is_refused() {
    let rule = GOOD_RULE
        .replace("scope: trail", "scope: account")
        .replace("pass_if: trail.is_logging", "pass_if:\n  any: account.trails\n  as: t\n  where: t.is_multi_regon")
        .replace("facts: {is_logging: true}", "facts: {trails: []}")
        .replace("expect: pass", "expect: fail");
    let err = broken_rule(&rule);
    assert!(err.contains("X-CUSTOM.yaml:9:12: unknown field `is_multi_regon`\n  help: did you mean `is_multi_region`?"), "{err}");
}

#[test]
fn every_error_of_a_rule_file_is_reported_and_labelled() {
    let err = broken_rule(&GOOD_RULE.replace("pass_if: trail.is_logging", "pass_if: trail.is_loging && trail.is_multi_regon"));
    let expected = "error: {dir}/X-CUSTOM.yaml:6:16: unknown field `is_loging`\n  help: did you mean `is_logging`?\n\
                    error: {dir}/X-CUSTOM.yaml:6:35: unknown field `is_multi_regon`\n  help: did you mean `is_multi_region`?\n";
    let dir = err.strip_prefix("error: ").and_then(|e| e.split("/X-CUSTOM.yaml").next()).unwrap_or_default();
    assert_eq!(err, expected.replace("{dir}", dir));
}

#[test]
fn unknown_variable_is_refused() {
    let err = broken_rule(&GOOD_RULE.replace("pass_if: trail.is_logging", "pass_if: bucket.versioning.enabled"));
    assert!(err.contains("unknown variable `bucket`"), "{err}");
    assert!(err.contains("this rule can read: params, trail"), "{err}");
}

#[test]
fn unknown_fact_in_a_rule_test_is_refused() {
    let err = broken_rule(&GOOD_RULE.replace("facts: {is_logging: true}", "facts: {is_loging: true}"));
    assert!(
        err.contains("X-CUSTOM.yaml:13:12: test `logging`: facts `trail.is_loging`: unknown field `is_loging`\n  help: did you mean `is_logging`?"),
        "{err}"
    );
}

#[test]
fn template_syntax_error_is_refused() {
    let err = broken_rule(&GOOD_RULE.replace("  fail: bad", "  fail: \"bad {{ trail.name \""));
    assert!(err.contains("X-CUSTOM.yaml:9:10: template syntax error in message.fail: "), "{err}");
}

#[test]
fn rule_id_must_match_file_name() {
    let dir = rule_dir("X-OTHER", GOOD_RULE);
    trailwarden().args(["rules", "validate"]).arg(dir.path()).assert().code(2).stderr(predicate::str::contains("must match the file name"));
}

#[test]
fn broken_rule_in_scan_exits_2() {
    let dir = rule_dir("X-CUSTOM", &GOOD_RULE.replace("severity: low", "severity: severe"));
    trailwarden()
        .args(["scan", "--rules"])
        .arg(dir.path())
        .arg("--snapshot")
        .arg(fixture("small-account.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown variant `severe`"));
}

#[test]
fn duplicate_rule_id_is_refused() {
    let dir = rule_dir("CT-IS-LOGGING", &GOOD_RULE.replace("X-CUSTOM", "CT-IS-LOGGING"));
    trailwarden()
        .args(["rules", "list", "--rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rule id `CT-IS-LOGGING` is already defined in rules/CT-IS-LOGGING.yaml"));
}

// ---- broken snapshots ----

fn scan_snapshot_text(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.json");
    std::fs::write(&path, text).unwrap();
    let output = trailwarden().args(["scan", "--quiet", "--snapshot"]).arg(&path).output().unwrap();
    (output.status.code(), String::from_utf8(output.stderr).unwrap())
}

/// The 1-based line and column of the last character of the first `needle` in `text`.
pub fn position_after(text: &str, needle: &str) -> (usize, usize) {
    let end = text.find(needle).expect("the text has the needle") + needle.len();
    let before = &text[..end];
    (before.matches('\n').count() + 1, before.rsplit('\n').next().unwrap().chars().count())
}

#[test]
fn snapshot_that_is_not_json_names_line_and_column() {
    let (code, err) = scan_snapshot_text("{\n  \"schema_version\": 3,\n  oops\n}");
    assert_eq!(code, Some(2));
    assert!(err.contains("snap.json:3:3: invalid snapshot: key must be a string\n"), "{err}");
}

#[test]
fn snapshot_with_a_wrong_field_names_the_field() {
    let text = std::fs::read_to_string(fixture("small-account.json")).unwrap().replace("\"is_logging\": true", "\"is_logging\": \"yes\"");
    let (code, err) = scan_snapshot_text(&text);
    assert_eq!(code, Some(2));
    // serde_json reports the end of the bad value.
    let (line, column) = position_after(&text, "\"is_logging\": \"yes\"");
    let expected = format!(
        "snap.json:{line}:{column}: invalid snapshot at `accounts[0].trails[0].status.value.is_logging`: invalid type: string \"yes\", expected a boolean\n"
    );
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn snapshot_with_an_unknown_field_is_refused() {
    let text =
        std::fs::read_to_string(fixture("small-account.json")).unwrap().replace("\"partition\": \"aws\"", "\"partition\": \"aws\", \"partitoin\": 1");
    let (code, err) = scan_snapshot_text(&text);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown field `partitoin`"), "{err}");
}

#[test]
fn snapshot_of_another_version_says_so() {
    let text = std::fs::read_to_string(fixture("small-account.json")).unwrap().replace("\"schema_version\": 3", "\"schema_version\": 7");
    let (code, err) = scan_snapshot_text(&text);
    assert_eq!(code, Some(2));
    assert!(err.contains("snap.json: snapshot schema_version 7 is not supported (this build reads version 3)\n  help: re-collect it"), "{err}");
}

#[test]
fn missing_snapshot_file_is_a_clear_error() {
    trailwarden()
        .args(["scan", "--snapshot", "/nonexistent/snap.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/snap.json: cannot read the snapshot"));
}

// ---- config ----

fn scan_with_config(config: &str) -> (Option<i32>, serde_json::Value, String) {
    scan_snapshot_with_config(&fixture("small-account.json"), config)
}

fn scan_snapshot_with_config(snapshot: &Path, config: &str) -> (Option<i32>, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trailwarden.yaml");
    std::fs::write(&path, config).unwrap();
    let output = trailwarden().args(["scan", "--quiet", "--json", "-", "--config"]).arg(&path).arg("--snapshot").arg(snapshot).output().unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    (output.status.code(), report, String::from_utf8(output.stderr).unwrap())
}

fn finding<'a>(report: &'a serde_json::Value, rule: &str, arn_part: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule && f["resource"]["arn"].as_str().unwrap().contains(arn_part))
        .unwrap_or_else(|| panic!("no {rule} finding on {arn_part}"))
}

#[test]
fn config_disables_rules_and_overrides_severity() {
    let (code, report, _) = scan_with_config("disabled_rules: [CT-IS-LOGGING]\nseverity_overrides:\n  CT-LOG-FILE-VALIDATION: critical\n");
    assert_eq!(code, Some(1));
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.iter().any(|f| f["rule_id"] == "CT-IS-LOGGING"));
    assert_eq!(finding(&report, "CT-LOG-FILE-VALIDATION", "trail/local")["severity"], "critical");
}

#[test]
fn config_parameters_change_rule_behaviour() {
    let (_, report, _) = scan_with_config("parameters:\n  CT-MULTI-REGION:\n    require_global_events_in_multi_region: false\n");
    assert_eq!(finding(&report, "CT-MULTI-REGION", "111122223333")["outcome"], "pass");
}

#[test]
fn suppression_with_reason_suppresses_and_says_why() {
    let (code, report, err) = scan_with_config(
        "suppressions:\n  - rule: CT-IS-LOGGING\n    resource: \"arn:aws:cloudtrail:eu-west-1:*:trail/local\"\n    reason: decommissioning this trail\n    expires: 2999-01-01\n",
    );
    let f = finding(&report, "CT-IS-LOGGING", "trail/local");
    assert_eq!(f["outcome"], "suppressed");
    assert_eq!(f["suppression"], "decommissioning this trail (until 2999-01-01)");
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(code, Some(0), "the only high failure is suppressed: {err}");
}

#[test]
fn expired_suppression_stops_suppressing_and_warns() {
    let (code, report, err) =
        scan_with_config("suppressions:\n  - rule: CT-IS-LOGGING\n    resource: \"*trail/local\"\n    reason: temporary\n    expires: 2020-01-31\n");
    assert_eq!(code, Some(1));
    let f = finding(&report, "CT-IS-LOGGING", "trail/local");
    assert_eq!(f["outcome"], "fail");
    assert!(f["message"].as_str().unwrap().contains("expired on 2020-01-31"));
    assert!(err.contains("warning: suppression of CT-IS-LOGGING on `*trail/local` expired on 2020-01-31"), "{err}");
}

/// Parameters set for a unit apply to the resources of its accounts and of the units below
/// it, and only to them.
#[test]
fn unit_parameters_apply_to_the_units_they_name() {
    let (_, before, _) = scan_snapshot_with_config(&demo(), "");
    assert_eq!(finding(&before, "CT-BUCKET-LIFECYCLE", "demo-staging-cloudtrail-logs")["outcome"], "fail");
    let config = "unit_parameters:\n  - organizational_unit: Root/Workloads/NonProd\n    parameters:\n      CT-BUCKET-LIFECYCLE: {min_log_retention_days: 30}\n  - organizational_unit: \"Root/*\"\n    parameters:\n      CT-BUCKET-LIFECYCLE: {min_log_retention_days: 3650}\n";
    let (_, report, err) = scan_snapshot_with_config(&demo(), config);
    // The first entry matching the unit wins: staging (NonProd) keeps logs long enough for 30 days.
    let staging = finding(&report, "CT-BUCKET-LIFECYCLE", "demo-staging-cloudtrail-logs");
    assert_eq!(staging["outcome"], "pass", "{staging} {err}");
    assert!(staging["message"].as_str().unwrap().contains("30 days"), "{staging}");
    // Root/* covers Security below the root, not the root itself.
    let archive = finding(&report, "CT-BUCKET-LIFECYCLE", "demo-org-cloudtrail-logs");
    assert_eq!(archive["outcome"], "fail", "{archive}");
    let management = finding(&report, "CT-BUCKET-LIFECYCLE", "demo-mgmt-siem-feed");
    assert_eq!(management["outcome"], "pass", "{management}");
    assert!(management["message"].as_str().unwrap().contains("365 days"), "{management}");
}

/// A suppression can name a unit instead of (or as well as) a resource glob: it covers the
/// unit's accounts and those of the units below it.
#[test]
fn a_suppression_can_name_an_organizational_unit() {
    let config = "suppressions:\n  - rule: \"*\"\n    organizational_unit: Root/Workloads\n    reason: workloads are judged by their own team\n";
    let (_, report, err) = scan_snapshot_with_config(&demo(), config);
    for f in report["findings"].as_array().unwrap() {
        let unit = f["resource"]["organizational_unit"].as_str().unwrap_or("");
        let in_workloads = unit.starts_with("Root/Workloads/");
        match f["outcome"].as_str().unwrap() {
            "suppressed" => assert!(in_workloads, "{f}"),
            "fail" | "inconclusive" => assert!(!in_workloads, "{f}"),
            _ => {}
        }
    }
    assert!(report["summary"]["suppressed"].as_u64().unwrap() > 5, "{err}");

    let err = config_error("suppressions:\n  - rule: CT-IS-LOGGING\n    reason: no idea which\n");
    assert!(err.contains("trailwarden.yaml:2:5: a suppression needs a `resource` glob, an `organizational_unit` glob, or both"), "{err}");
    let err = config_error("unit_parameters:\n  - organizational_unit: Root/Sandbox\n    parameters:\n      CT-BUCKET-LIFECYCLE: {min_days: 30}\n");
    assert!(err.contains("trailwarden.yaml:4:28: rule CT-BUCKET-LIFECYCLE has no parameter `min_days`"), "{err}");
}

#[test]
fn unused_suppression_is_warned_about() {
    let (_, _, err) =
        scan_with_config("suppressions:\n  - rule: CT-IS-LOGGING\n    resource: \"arn:aws:cloudtrail:*:*:trail/gone\"\n    reason: old\n");
    assert!(err.contains("matched no failing finding"), "{err}");
}

fn config_error(config: &str) -> String {
    let (code, _, err) = scan_with_config(config);
    assert_eq!(code, Some(2), "{err}");
    err
}

#[test]
fn config_errors_name_file_line_and_field() {
    let err = config_error("disabled_rule: [CT-IS-LOGGING]\n");
    assert!(err.contains("trailwarden.yaml:1:1: invalid config: unknown field `disabled_rule`"), "{err}");
    assert!(err.contains("\n  help: did you mean `disabled_rules`?"), "{err}");

    let err = config_error("disabled_rules:\n  - CT-IS-LOGING\n");
    assert!(err.contains("trailwarden.yaml:2:5: unknown rule id `CT-IS-LOGING`\n  help: did you mean `CT-IS-LOGGING`?"), "{err}");

    // A flow-style list: the list itself, not a guessed 1:1.
    let err = config_error("enabled_rules: [CT-IS-LOGGING, CT-IS-LOGING]\n");
    assert!(err.contains("trailwarden.yaml:1:16: unknown rule id `CT-IS-LOGING`\n  help: did you mean `CT-IS-LOGGING`?"), "{err}");

    // Not YAML: the parser's own position, not repeated in the message, and where its context began.
    let err = config_error("disabled_rules: [CT-IS-LOGGING\n");
    assert!(
        err.contains("trailwarden.yaml:2:1: invalid config: did not find expected ',' or ']', while parsing a flow sequence at line 1 column 17\n"),
        "{err}"
    );

    let err = config_error("parameters:\n  CT-MULTI-REGION:\n    accept_split_read_write: \"yes\"\n");
    assert!(err.contains("trailwarden.yaml:3:31: parameter `accept_split_read_write` of CT-MULTI-REGION must be a boolean"), "{err}");

    let err = config_error("parameters:\n  CT-MULTI-REGION:\n    accept_split: true\n");
    assert!(err.contains("trailwarden.yaml:3:19: rule CT-MULTI-REGION has no parameter `accept_split`"), "{err}");

    let err = config_error("suppressions:\n  - rule: CT-IS-LOGGING\n    resource: \"*\"\n    reason: \"\"\n");
    assert!(err.contains("trailwarden.yaml:4:14: a suppression needs a reason"), "{err}");

    let err = config_error("suppressions:\n  - rule: CT-IS-LOGGING\n    resource: \"*\"\n");
    assert!(err.contains("missing field `reason`"), "{err}");

    let err = config_error("severity_overrides:\n  CT-IS-LOGGING: severe\n");
    assert!(err.contains("trailwarden.yaml:2:18: invalid config: severity_overrides.CT-IS-LOGGING: unknown variant `severe`"), "{err}");
}

#[test]
fn every_broken_setting_of_a_config_is_an_error_of_its_own() {
    let err = config_error("disabled_rules: [CT-IS-LOGING]\nparameters:\n  CT-MULTI-REGION:\n    accept_split: true\n");
    let first = "trailwarden.yaml:1:17: unknown rule id `CT-IS-LOGING`\n  help: did you mean `CT-IS-LOGGING`?\nerror: ";
    let second = "trailwarden.yaml:4:19: rule CT-MULTI-REGION has no parameter `accept_split`";
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.matches("error: ").count(), 2, "{err}");
    let (Some(a), Some(b)) = (err.find(first), err.find(second)) else { panic!("both errors, each labelled: {err}") };
    assert!(a < b, "in the order of the file: {err}");
}

#[test]
fn an_unreadable_config_names_no_position() {
    let output = trailwarden()
        .args(["scan", "--quiet", "--config", "/nonexistent/trailwarden.yaml", "--snapshot"])
        .arg(fixture("small-account.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(err.starts_with("error: /nonexistent/trailwarden.yaml: cannot read the config file: "), "{err}");
}

// ---- the demo organization ----

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-org.json")
}

#[test]
fn demo_organization_report_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo.json");
    let output = trailwarden().args(["scan", "--snapshot"]).arg(demo()).arg("--json").arg(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "the demo has high failures");
    let report = stable_report(&std::fs::read_to_string(&out).unwrap());
    let outcomes: std::collections::BTreeSet<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["outcome"].as_str().unwrap()).collect();
    assert!(outcomes.contains("pass") && outcomes.contains("fail"), "{outcomes:?}");
    assert_eq!(report["scan"]["accounts"].as_array().unwrap().len(), 6);
    insta::assert_json_snapshot!("demo_report", report);
    insta::assert_snapshot!("demo_terminal", String::from_utf8(output.stderr).unwrap());
}

// ---- output destinations ----

#[test]
fn a_directory_is_refused_for_a_single_file_format() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, destination) in [("--markdown", format!("{}/md/", dir.path().display())), ("--junit", dir.path().display().to_string())] {
        let output = trailwarden()
            .args(["scan", "--quiet", "--fail-on", "never", "--snapshot"])
            .arg(demo())
            .arg("--json")
            .arg(dir.path().join("report.json"))
            .arg(flag)
            .arg(&destination)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag} {destination}");
        let err = String::from_utf8(output.stderr).unwrap();
        assert!(err.starts_with(&format!("error: {flag} {destination}: a directory")), "{err}");
        assert!(err.contains("only --sarif can write a directory"), "{err}");
        assert!(!dir.path().join("report.json").exists(), "nothing is written when a destination is wrong");
        assert!(!dir.path().join("md").exists());
    }
}

#[test]
fn the_sarif_directory_replaces_its_own_earlier_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("sarif");
    std::fs::create_dir(&sarif).unwrap();
    // An earlier scan's file that this one does not write, and someone else's files.
    for name in ["trailwarden-07-Root.Old.sarif", "other-tool.sarif", "trailwarden-notes.txt"] {
        std::fs::write(sarif.join(name), "{}").unwrap();
    }
    // An existing directory, named without a trailing slash.
    trailwarden().args(["scan", "--quiet", "--fail-on", "never", "--snapshot"]).arg(demo()).arg("--sarif").arg(&sarif).assert().code(0);
    let mut names: Vec<String> = std::fs::read_dir(&sarif).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        ["other-tool.sarif", "trailwarden-01-Root--Root.Workloads.Prod.sarif", "trailwarden-02-outside-units.sarif", "trailwarden-notes.txt"]
    );
}

#[test]
fn sarif_help_names_the_directory_form() {
    let output = trailwarden().args(["scan", "--help"]).output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("--sarif <FILE|DIR/>"), "{help}");
    assert!(help.contains("--markdown <FILE>"), "{help}");
}
