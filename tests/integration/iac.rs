//! `scan --cloudformation`: the example templates give the expected outcome per rule, each
//! finding located on its file and line in JSON and SARIF (valid, and accepted by GitHub's
//! rules), `--fail-on` gates, no AWS call is made, and every template passes cfn-lint.

use super::reports::{assert_github_accepts, assert_schema_valid};
use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const DIR: &str = "examples/iac/cloudformation";

/// The CLI as an infrastructure-as-code scan runs it here, with no way to reach AWS (the
/// Terraform tests use it too).
pub(super) fn trailwarden() -> Command {
    let mut cmd = Command::cargo_bin("trailwarden").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    // No AWS call may be made: any endpoint is a closed port, and there are no credentials.
    cmd.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9").env("AWS_REGION", "us-east-1").env("NO_COLOR", "1");
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] {
        cmd.env_remove(var);
    }
    cmd
}

struct Scan {
    json: Value,
    sarif: Value,
    sarif_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn scan(template: &str, fail_on: &str) -> (Scan, i32) {
    let dir = tempfile::tempdir().unwrap();
    let (json, sarif) = (dir.path().join("r.json"), dir.path().join("r.sarif"));
    let output = trailwarden()
        .args(["scan", "--cloudformation", &format!("{DIR}/{template}"), "--fail-on", fail_on, "-q", "--json"])
        .arg(&json)
        .arg("--sarif")
        .arg(&sarif)
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    assert!(code == 0 || code == 1, "exit {code}: {}", String::from_utf8_lossy(&output.stderr));
    let read = |p: &Path| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    (Scan { json: read(&json), sarif: read(&sarif), sarif_path: sarif, _dir: dir }, code)
}

/// Rule id → (outcome, line) for the findings about declared resources.
fn outcomes(report: &Value) -> BTreeMap<String, (String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"]["location"].is_object())
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                (f["outcome"].as_str().unwrap().to_owned(), f["resource"]["location"]["line"].as_u64().unwrap()),
            )
        })
        .collect()
}

fn expect(found: &BTreeMap<String, (String, u64)>, rule: &str, outcome: &str, line: u64) {
    assert_eq!(found.get(rule), Some(&(outcome.to_owned(), line)), "{rule}: {found:#?}");
}

#[test]
fn the_weak_template_fails_the_trail_and_bucket_rules_on_their_lines() {
    let (scan, code) = scan("weak.yaml", "medium");
    assert_eq!(code, 1, "medium failures gate at --fail-on medium");
    let found = outcomes(&scan.json);
    for rule in ["CT-LOG-FILE-VALIDATION", "CT-KMS-ENCRYPTION", "CT-CLOUDWATCH-LOGS", "CT-BUCKET-SEPARATE-ACCOUNT"] {
        expect(&found, rule, "fail", 24);
    }
    for rule in
        ["CT-BUCKET-VERSIONING", "CT-BUCKET-OBJECT-LOCK", "CT-BUCKET-LIFECYCLE", "CT-BUCKET-ACCESS-LOGGING", "CT-BUCKET-POLICY-LEAST-PRIVILEGE"]
    {
        expect(&found, rule, "fail", 5);
    }
    // `IsLogging: false` is declared: the trail fails CT-IS-LOGGING (high; not raised to
    // critical, since the account's other trails are not in the source).
    expect(&found, "CT-IS-LOGGING", "fail", 24);
    let findings = scan.json["findings"].as_array().unwrap();
    let logging = findings.iter().find(|f| f["rule_id"] == "CT-IS-LOGGING").unwrap();
    assert_eq!(logging["severity"], "high", "{logging}");
    assert!(logging["message"].as_str().unwrap().contains("is not logging (its template or plan declares it so)"), "{logging}");
    // What a template cannot say (its deliveries, the account's other trails): not
    // applicable, never a pass or a fail.
    for rule in ["CT-DELIVERY-ERRORS", "CT-DUPLICATE-MGMT-EVENTS"] {
        expect(&found, rule, "not_applicable", 24);
    }
    let delivery = findings.iter().find(|f| f["rule_id"] == "CT-DELIVERY-ERRORS").unwrap();
    assert!(delivery["message"].as_str().unwrap().contains("not decidable from infrastructure as code"), "{delivery}");
    // Account, Region and organization rules: not applicable, saying why.
    let multi_region = findings.iter().find(|f| f["rule_id"] == "CT-MULTI-REGION").unwrap();
    assert_eq!(multi_region["outcome"], "not_applicable");
    assert!(multi_region["message"].as_str().unwrap().contains("shows only its own resources"), "{multi_region}");
    assert_eq!(scan.json["summary"]["inconclusive"], 0);
    assert_eq!(scan.json["scan"]["source"], "cloudformation");
    assert_eq!(scan.json["scan"]["incomplete"], Value::Array(Vec::new()), "a template's limits are not gaps");
    // The gate: its one high failure (not logging) fails --fail-on high; nothing is critical.
    let (_, code) = self::scan("weak.yaml", "high");
    assert_eq!(code, 1);
    let (_, code) = self::scan("weak.yaml", "critical");
    assert_eq!(code, 0);
}

#[test]
fn the_hardened_template_passes_them() {
    let (scan, code) = scan("hardened.yaml", "medium");
    let found = outcomes(&scan.json);
    for rule in ["CT-LOG-FILE-VALIDATION", "CT-KMS-ENCRYPTION", "CT-IS-LOGGING"] {
        expect(&found, rule, "pass", 130);
    }
    expect(&found, "CT-DELIVERY-ERRORS", "not_applicable", 130);
    for rule in [
        "CT-BUCKET-VERSIONING",
        "CT-BUCKET-OBJECT-LOCK",
        "CT-BUCKET-LIFECYCLE",
        "CT-BUCKET-ACCESS-LOGGING",
        "CT-BUCKET-POLICY-LEAST-PRIVILEGE",
        "CT-BUCKET-NOT-PUBLIC",
        "CT-BUCKET-KEY",
    ] {
        expect(&found, rule, "pass", 48);
    }
    // A single-account template's bucket is in the trail's account: a real failure, decided by
    // what the template declares; CloudWatch Logs is not configured.
    expect(&found, "CT-BUCKET-SEPARATE-ACCOUNT", "fail", 130);
    expect(&found, "CT-CLOUDWATCH-LOGS", "fail", 130);
    assert_eq!(code, 1);
}

#[test]
fn a_json_template_is_located_too() {
    let (scan, _) = scan("weak.json", "critical");
    let found = outcomes(&scan.json);
    expect(&found, "CT-LOG-FILE-VALIDATION", "fail", 12);
    expect(&found, "CT-BUCKET-VERSIONING", "fail", 8);
    expect(&found, "CT-IS-LOGGING", "pass", 12);
}

/// Writes `templates` (file name, text) into a temporary directory and scans them together.
fn scan_written(templates: &[(&str, &str)]) -> (BTreeMap<String, (String, u64)>, Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let mut cmd = trailwarden();
    cmd.args(["scan", "-q", "--fail-on", "critical", "--json"]).arg(&report).arg("--cloudformation");
    for (name, text) in templates {
        std::fs::write(dir.path().join(name), text).unwrap();
        cmd.arg(dir.path().join(name));
    }
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    (outcomes(&json), json, dir)
}

/// Findings of `rule` about the resource `address` (declared or not: by ARN suffix).
fn finding<'r>(report: &'r Value, rule: &str, arn_suffix: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule && f["resource"]["arn"].as_str().unwrap().ends_with(arn_suffix))
        .unwrap_or_else(|| panic!("no {rule} finding on {arn_suffix}"))
}

#[test]
fn event_data_stores_are_judged_by_the_lake_rules() {
    let (scan, _) = scan("lake.yaml", "critical");
    let weak = (
        finding(&scan.json, "CT-LAKE-RETENTION", "eventdatastore/short-lived-store"),
        finding(&scan.json, "CT-LAKE-CMK", "eventdatastore/short-lived-store"),
    );
    for f in [weak.0, weak.1] {
        assert_eq!((&f["outcome"], &f["resource"]["location"]["line"]), (&Value::from("fail"), &Value::from(5)), "{f}");
    }
    assert!(weak.0["message"].as_str().unwrap().contains("only 90"), "{}", weak.0);
    for rule in ["CT-LAKE-RETENTION", "CT-LAKE-CMK"] {
        let f = finding(&scan.json, rule, "eventdatastore/audit-store");
        assert_eq!((&f["outcome"], &f["resource"]["location"]["address"]), (&Value::from("pass"), &Value::from("AuditStore")), "{f}");
    }
}

const TRAIL_NAMING_A_BUCKET: &str = "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      TrailName: org\n      S3BucketName: central-trail-logs\n      IsLogging: true\n";
const THE_BUCKET: &str = "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: central-trail-logs\n      VersioningConfiguration:\n        Status: Enabled\n";

#[test]
fn a_trail_and_the_bucket_it_names_in_two_templates_are_joined_by_name_when_given_together() {
    let (_, together, _dir) = scan_written(&[("trail.yaml", TRAIL_NAMING_A_BUCKET), ("buckets.yaml", THE_BUCKET)]);
    let versioning = finding(&together, "CT-BUCKET-VERSIONING", ":::central-trail-logs");
    assert_eq!(versioning["outcome"], "pass");
    assert!(versioning["resource"]["location"]["file"].as_str().unwrap().ends_with("buckets.yaml"), "{versioning}");
    let lifecycle = finding(&together, "CT-BUCKET-LIFECYCLE", ":::central-trail-logs");
    assert_eq!(lifecycle["outcome"], "fail", "the declared bucket is judged: {lifecycle}");

    // The trail's template alone: the bucket is not in the source, and its rules say so.
    let (_, alone, _dir) = scan_written(&[("trail.yaml", TRAIL_NAMING_A_BUCKET)]);
    for rule in ["CT-BUCKET-VERSIONING", "CT-BUCKET-LIFECYCLE"] {
        let f = finding(&alone, rule, ":::central-trail-logs");
        assert_eq!(f["outcome"], "not_applicable", "{f}");
        assert!(f["resource"]["location"].is_null(), "an undeclared bucket has no location: {f}");
        assert!(f["message"].as_str().unwrap().contains("not declared in the source"), "{f}");
    }
}

#[test]
fn is_logging_known_only_at_deployment_leaves_the_rule_not_applicable() {
    let template = "Parameters:\n  Logging:\n    Type: String\n    AllowedValues: [\"true\", \"false\"]\nResources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      S3BucketName: logs\n      IsLogging: !Ref Logging\n";
    let (found, json, _dir) = scan_written(&[("stack.yaml", template)]);
    expect(&found, "CT-IS-LOGGING", "not_applicable", 6);
    let logging = json["findings"].as_array().unwrap().iter().find(|f| f["rule_id"] == "CT-IS-LOGGING").unwrap();
    assert!(logging["message"].as_str().unwrap().contains("does not say trail Trail is_logging"), "{logging}");
}

/// A trail setting from a parameter without a default is unknown until the stack is deployed:
/// the rule that reads it is inconclusive (never a pass or a fail on CloudTrail's default), and
/// the report lists it among what the scan could not decide.
#[test]
fn a_setting_known_only_at_deployment_is_inconclusive_and_listed() {
    let template = "Parameters:\n  Validation:\n    Type: String\n    AllowedValues: [\"true\", \"false\"]\nResources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      S3BucketName: logs\n      IsLogging: true\n      EnableLogFileValidation: !Ref Validation\n";
    let (found, json, _dir) = scan_written(&[("stack.yaml", template)]);
    expect(&found, "CT-LOG-FILE-VALIDATION", "inconclusive", 6);
    expect(&found, "CT-IS-LOGGING", "pass", 6);
    let validation = finding(&json, "CT-LOG-FILE-VALIDATION", "trail/Trail");
    assert!(validation["message"].as_str().unwrap().contains("log_file_validation_enabled"), "{validation}");
    let incomplete = json["scan"]["incomplete"].to_string();
    assert!(incomplete.contains("unknown_until_apply") && incomplete.contains("EnableLogFileValidation"), "{incomplete}");
}

#[test]
fn a_bucket_and_key_named_only_at_deployment_are_inconclusive_not_refused() {
    // The common shape of a shared trail template: the log bucket and the key are parameters.
    let template = "Parameters:\n  LogBucket:\n    Type: String\n  KeyArn:\n    Type: String\nResources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      S3BucketName: !Ref LogBucket\n      KMSKeyId: !Ref KeyArn\n      IsLogging: true\n      IsMultiRegionTrail: true\n      EnableLogFileValidation: true\n";
    let (found, json, _dir) = scan_written(&[("stack.yaml", template)]);
    expect(&found, "CT-KMS-ENCRYPTION", "inconclusive", 7);
    expect(&found, "CT-BUCKET-VERSIONING", "inconclusive", 7);
    expect(&found, "CT-LOG-FILE-VALIDATION", "pass", 7);
    let encryption = finding(&json, "CT-KMS-ENCRYPTION", "trail/Trail");
    assert!(encryption["message"].as_str().unwrap().contains("kms_key_id"), "{encryption}");
    let incomplete = json["scan"]["incomplete"].to_string();
    assert!(incomplete.contains("KMSKeyId") && incomplete.contains("LogBucket"), "{incomplete}");
}

#[test]
fn sarif_points_at_the_template_line_and_passes_the_schema_and_githubs_rules() {
    let (scan, _) = scan("weak.yaml", "critical");
    assert_schema_valid(&scan.sarif, "the CloudFormation SARIF");
    assert_github_accepts(&scan.sarif_path, "the CloudFormation SARIF");
    let results = scan.sarif["runs"][0]["results"].as_array().unwrap();
    let validation = results.iter().find(|r| r["ruleId"] == "CT-LOG-FILE-VALIDATION").expect("a result");
    let physical = &validation["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], format!("{DIR}/weak.yaml"));
    assert_eq!(physical["region"]["startLine"], 24);
    // Fingerprints come from rule, file and address: they do not move with the line.
    let expected = trailwarden_core::report::sarif::fingerprint("CT-LOG-FILE-VALIDATION", &format!("{DIR}/weak.yaml#Trail"));
    assert_eq!(validation["partialFingerprints"]["primaryLocationLineHash"], expected);
    // The category names the source, not the placeholder account: a Terraform scan of the
    // same commit keeps its own alerts.
    assert_eq!(scan.sarif["runs"][0]["automationDetails"]["id"], "trailwarden/cloudformation/");
}

#[test]
fn a_broken_template_is_an_error_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.yaml");
    std::fs::write(&path, "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      S3BucketName: !Ref Nowhere\n      IsLogging: true\n").unwrap();
    let output = trailwarden().args(["scan", "--cloudformation"]).arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.yaml:4:") && stderr.contains("Properties.S3BucketName") && stderr.contains("Nowhere"), "{stderr}");
}

#[test]
fn every_example_template_passes_cfn_lint() {
    let lint = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/cfn-lint");
    assert!(lint.is_file(), "cfn-lint is missing at {}: run scripts/setup-lint.sh", lint.display());
    let templates: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR)).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(templates.len() >= 3, "{templates:?}");
    let output = std::process::Command::new(&lint).args(&templates).output().unwrap();
    assert!(output.status.success(), "cfn-lint:\n{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
}
