//! `scan --terraform-plan`: the example plan gives the expected outcome per trail and bucket
//! rule, each finding located on its `resource` line (in the root module and in the local
//! module, and on the `"NAME"` key of a `.tf.json` file) in JSON and SARIF (valid, and accepted
//! by GitHub's rules), a broken `.tf.json` file is named, bucket ACLs are judged with the
//! bucket's Object Ownership, `--fail-on` gates, a destroyed resource is not judged, no AWS
//! call is made, and a plan of another format version is refused.

use super::iac::trailwarden;
use super::reports::{assert_github_accepts, assert_schema_valid};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DIR: &str = "examples/iac/terraform";

struct Scan {
    json: Value,
    sarif: Value,
    sarif_path: PathBuf,
    code: i32,
    _dir: tempfile::TempDir,
}

fn scan(with_dir: bool, fail_on: &str) -> Scan {
    let dir = tempfile::tempdir().unwrap();
    let (json, sarif) = (dir.path().join("r.json"), dir.path().join("r.sarif"));
    let mut cmd = trailwarden();
    cmd.args(["scan", "--terraform-plan", &format!("{DIR}/plan.json"), "--fail-on", fail_on, "-q", "--json"]).arg(&json).arg("--sarif").arg(&sarif);
    if with_dir {
        cmd.args(["--terraform-dir", DIR]);
    }
    let output = cmd.output().unwrap();
    let code = output.status.code().unwrap();
    assert!(code == 0 || code == 1, "exit {code}: {}", String::from_utf8_lossy(&output.stderr));
    let read = |p: &Path| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    Scan { json: read(&json), sarif: read(&sarif), sarif_path: sarif, code, _dir: dir }
}

/// (rule id, address) → (outcome, file, line) for the findings about declared resources.
fn outcomes(report: &Value) -> BTreeMap<(String, String), (String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["resource"]["location"].is_object())
        .map(|f| {
            let at = &f["resource"]["location"];
            (
                (f["rule_id"].as_str().unwrap().to_owned(), at["address"].as_str().unwrap().to_owned()),
                (f["outcome"].as_str().unwrap().to_owned(), at["file"].as_str().unwrap().to_owned(), at["line"].as_u64().unwrap()),
            )
        })
        .collect()
}

type Found = BTreeMap<(String, String), (String, String, u64)>;

fn expect(found: &Found, rule: &str, address: &str, outcome: &str, file: &str, line: u64) {
    let key = (rule.to_owned(), address.to_owned());
    assert_eq!(found.get(&key), Some(&(outcome.to_owned(), format!("{DIR}/{file}"), line)), "{rule} on {address}: {found:#?}");
}

const WEAK_TRAIL: &str = "aws_cloudtrail.weak";
const WEAK_BUCKET: &str = "aws_s3_bucket.weak";
const HARDENED_TRAIL: &str = "aws_cloudtrail.hardened";
const HARDENED_BUCKET: &str = "module.log_bucket.aws_s3_bucket.this";

#[test]
fn the_weak_trail_and_bucket_fail_on_their_lines() {
    let scan = scan(true, "medium");
    assert_eq!(scan.code, 1, "medium failures gate at --fail-on medium");
    let found = outcomes(&scan.json);
    // enable_logging = false is the one part of a trail's status a plan states.
    for rule in ["CT-IS-LOGGING", "CT-LOG-FILE-VALIDATION", "CT-KMS-ENCRYPTION", "CT-CLOUDWATCH-LOGS"] {
        expect(&found, rule, WEAK_TRAIL, "fail", "weak.tf", 39);
    }
    // The bucket is named by a prefix, so its address stands in for its name, and its split
    // resources join it by reference.
    for rule in ["CT-BUCKET-VERSIONING", "CT-BUCKET-MFA-DELETE", "CT-BUCKET-OBJECT-LOCK", "CT-BUCKET-LIFECYCLE", "CT-BUCKET-ACCESS-LOGGING"] {
        expect(&found, rule, WEAK_BUCKET, "fail", "weak.tf", 5);
    }
    // Its policy names the bucket's ARN, known only once applied: inconclusive, never a pass.
    for rule in ["CT-BUCKET-POLICY-LEAST-PRIVILEGE", "CT-BUCKET-NOT-PUBLIC"] {
        expect(&found, rule, WEAK_BUCKET, "inconclusive", "weak.tf", 5);
    }
    let findings = scan.json["findings"].as_array().unwrap();
    let policy =
        findings.iter().find(|f| f["rule_id"] == "CT-BUCKET-POLICY-LEAST-PRIVILEGE" && f["resource"]["location"]["address"] == WEAK_BUCKET).unwrap();
    assert!(policy["message"].as_str().unwrap().contains("unknown_until_apply"), "{policy}");
    assert_eq!(scan.json["scan"]["source"], "terraform_plan");
    // What the plan leaves to apply time is a gap of this scan (`--fail-on-incomplete`); what a
    // plan never says (the rest of the account) is not.
    let incomplete = scan.json["scan"]["incomplete"].as_array().unwrap();
    assert!(!incomplete.is_empty() && incomplete.iter().all(|gap| gap["reason"] == "unknown_until_apply"), "{incomplete:#?}");
    assert!(
        incomplete.iter().any(|gap| gap["api"] == "s3:GetBucketPolicy" && gap["resource"] == format!("arn:aws:s3:::{WEAK_BUCKET}")),
        "{incomplete:#?}"
    );
}

#[test]
fn the_hardened_trail_and_its_module_bucket_pass() {
    let scan = scan(true, "medium");
    let found = outcomes(&scan.json);
    // `enable_logging` (true when left out) is the trail's declared logging state.
    // Its key is named through a local (`kms_key_id = local.trail_key_arn`), read from the
    // directory since the plan leaves locals out.
    for rule in ["CT-IS-LOGGING", "CT-LOG-FILE-VALIDATION", "CT-KMS-ENCRYPTION"] {
        expect(&found, rule, HARDENED_TRAIL, "pass", "main.tf", 54);
    }
    // What a plan cannot say about a trail: not applicable, never a pass or a fail.
    for rule in ["CT-DELIVERY-ERRORS", "CT-CLOUDWATCH-LOGS"] {
        expect(&found, rule, HARDENED_TRAIL, "not_applicable", "main.tf", 54);
    }
    // The bucket is declared in the local module; modules.json places it.
    for rule in [
        "CT-BUCKET-VERSIONING",
        "CT-BUCKET-OBJECT-LOCK",
        "CT-BUCKET-LIFECYCLE",
        "CT-BUCKET-ACCESS-LOGGING",
        "CT-BUCKET-POLICY-LEAST-PRIVILEGE",
        "CT-BUCKET-NOT-PUBLIC",
        "CT-BUCKET-KEY",
    ] {
        expect(&found, rule, HARDENED_BUCKET, "pass", "modules/log-bucket/main.tf", 15);
    }
    let findings = scan.json["findings"].as_array().unwrap();
    let key = findings.iter().find(|f| f["rule_id"] == "CT-BUCKET-KEY" && f["resource"]["location"]["address"] == HARDENED_BUCKET).unwrap();
    assert!(key["message"].as_str().unwrap().contains("aws_kms_key.trail"), "the key joins by reference through the module variable: {key}");
    // The trail is in the provider's Region (region = var.region, "eu-west-1").
    let trail = findings.iter().find(|f| f["resource"]["location"]["address"] == HARDENED_TRAIL).unwrap();
    assert_eq!(trail["resource"]["arn"], "arn:aws:cloudtrail:eu-west-1:000000000000:trail/hardened-trail");
}

#[test]
fn a_destroyed_trail_is_not_judged() {
    let scan = scan(true, "critical");
    let text = scan.json.to_string();
    assert!(text.contains("hardened-trail") && !text.contains("legacy-trail"), "aws_cloudtrail.legacy is deleted by the plan");
}

#[test]
fn fail_on_gates() {
    assert_eq!(scan(true, "medium").code, 1);
    // The weak trail's failures are high at most (CT-IS-LOGGING): nothing critical.
    assert_eq!(scan(true, "critical").code, 0);
}

#[test]
fn without_the_directory_findings_name_the_plan_with_an_unknown_line() {
    let scan = scan(false, "critical");
    let found = outcomes(&scan.json);
    let key = ("CT-LOG-FILE-VALIDATION".to_owned(), WEAK_TRAIL.to_owned());
    assert_eq!(found.get(&key), Some(&("fail".to_owned(), format!("{DIR}/plan.json"), 0)), "{found:#?}");
    // The hardened trail names its key through a local, which only the directory holds: the
    // key is unknown until apply (it passes with the directory, above), never a made-up pass.
    let key = ("CT-KMS-ENCRYPTION".to_owned(), HARDENED_TRAIL.to_owned());
    assert_eq!(found.get(&key), Some(&("inconclusive".to_owned(), format!("{DIR}/plan.json"), 0)), "{found:#?}");
}

#[test]
fn sarif_points_at_the_resource_lines_and_passes_the_schema_and_githubs_rules() {
    let scan = scan(true, "critical");
    assert_schema_valid(&scan.sarif, "the Terraform SARIF");
    assert_github_accepts(&scan.sarif_path, "the Terraform SARIF");
    let results = scan.sarif["runs"][0]["results"].as_array().unwrap();
    let located = |rule: &str, file: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == rule && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == format!("{DIR}/{file}"))
            .unwrap_or_else(|| panic!("a {rule} result on {file}: {results:#?}"))
    };
    let validation = located("CT-LOG-FILE-VALIDATION", "weak.tf");
    assert_eq!(validation["locations"][0]["physicalLocation"]["region"]["startLine"], 39);
    let versioning = located("CT-BUCKET-VERSIONING", "weak.tf");
    assert_eq!(versioning["locations"][0]["physicalLocation"]["region"]["startLine"], 5);
    // Fingerprints come from rule, file and address: they do not move with the line.
    let expected = trailwarden_core::report::sarif::fingerprint("CT-LOG-FILE-VALIDATION", &format!("{DIR}/weak.tf#{WEAK_TRAIL}"));
    assert_eq!(validation["partialFingerprints"]["primaryLocationLineHash"], expected);
}

#[test]
fn sarif_without_the_directory_passes_githubs_rules() {
    let scan = scan(false, "critical");
    assert_schema_valid(&scan.sarif, "the Terraform SARIF without --terraform-dir");
    assert_github_accepts(&scan.sarif_path, "the Terraform SARIF without --terraform-dir");
}

#[test]
fn a_plan_of_another_major_version_is_refused_naming_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, r#"{"format_version": "2.0", "planned_values": {"root_module": {}}}"#).unwrap();
    let output = trailwarden().args(["scan", "--terraform-plan"]).arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("plan.json") && stderr.contains("`format_version` \"2.0\" is not supported"), "{stderr}");
}

#[test]
fn a_missing_terraform_directory_is_an_error() {
    let output = trailwarden().args(["scan", "--terraform-plan", &format!("{DIR}/plan.json"), "--terraform-dir", "no/such/dir"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/dir"));
}

/// Runs `scan --terraform-plan DIR/plan.json --terraform-dir DIR` on a fixture directory; its
/// JSON report and the exit code.
fn scan_fixture(dir: &str) -> (Value, i32) {
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("r.json");
    let output = trailwarden()
        .args(["scan", "--terraform-plan", &format!("{dir}/plan.json"), "--terraform-dir", dir, "-q", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    assert!(code == 0 || code == 1, "exit {code}: {}", String::from_utf8_lossy(&output.stderr));
    (serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap(), code)
}

#[test]
fn resources_declared_in_tf_json_are_located_on_their_name_keys() {
    let dir = "tests/fixtures/terraform-json";
    let found = outcomes(&scan_fixture(dir).0);
    let at = |rule: &str, address: &str| found.get(&(rule.to_owned(), address.to_owned())).cloned();
    // The trail is in an array at the type level (`"aws_cloudtrail": [{"json": {...}}]`).
    assert_eq!(at("CT-LOG-FILE-VALIDATION", "aws_cloudtrail.json"), Some(("fail".to_owned(), format!("{dir}/main.tf.json"), 14)), "{found:#?}");
    assert_eq!(at("CT-IS-LOGGING", "aws_cloudtrail.json"), Some(("pass".to_owned(), format!("{dir}/main.tf.json"), 14)), "{found:#?}");
    assert_eq!(at("CT-BUCKET-VERSIONING", "aws_s3_bucket.logs"), Some(("fail".to_owned(), format!("{dir}/main.tf.json"), 8)), "{found:#?}");
}

#[test]
fn a_broken_tf_json_file_is_an_error_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("tests/fixtures/terraform-json/plan.json", dir.path().join("plan.json")).unwrap();
    std::fs::write(dir.path().join("main.tf.json"), "{\n  \"resource\": {\n    \"aws_s3_bucket\": {\"logs\": {}}\n  \n").unwrap();
    let output =
        trailwarden().args(["scan", "--terraform-plan"]).arg(dir.path().join("plan.json")).arg("--terraform-dir").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("main.tf.json:5") && stderr.contains("invalid Terraform JSON configuration"), "{stderr}");
}

#[test]
fn bucket_acls_are_judged_with_object_ownership_as_a_live_scan_would() {
    let dir = "tests/fixtures/terraform-acl";
    let (report, code) = scan_fixture(dir);
    assert_eq!(code, 1, "a public ACL is a critical failure");
    let found = outcomes(&report);
    let expected = [
        // public-read under BucketOwnerPreferred: the ACL counts.
        ("preferred", "fail", 14),
        // public-read under S3's default BucketOwnerEnforced: ACLs are disabled.
        ("enforced", "pass", 33),
        // The canned ACL is known only once applied: never a pass.
        ("unknown", "inconclusive", 43),
        // log-delivery-write grants the LogDelivery group, which is not public.
        ("delivery", "pass", 60),
        // access_control_policy with a grant to AuthenticatedUsers.
        ("granted", "fail", 77),
        // Provider v3 inline `acl = "public-read-write"` under ObjectWriter.
        ("legacy", "fail", 112),
    ];
    for (bucket, outcome, line) in expected {
        let key = ("CT-BUCKET-NOT-PUBLIC".to_owned(), format!("aws_s3_bucket.{bucket}"));
        assert_eq!(found.get(&key), Some(&(outcome.to_owned(), format!("{dir}/main.tf"), line)), "{bucket}: {found:#?}");
    }
    let message = |bucket: &str| {
        let findings = report["findings"].as_array().unwrap();
        let address = format!("aws_s3_bucket.{bucket}");
        let finding = findings.iter().find(|f| f["rule_id"] == "CT-BUCKET-NOT-PUBLIC" && f["resource"]["location"]["address"] == address.as_str());
        finding.unwrap()["message"].as_str().unwrap().to_owned()
    };
    assert!(message("preferred").contains("the bucket ACL grants access to AllUsers"), "{}", message("preferred"));
    assert!(message("granted").contains("grants access to AuthenticatedUsers"), "{}", message("granted"));
    assert!(message("enforced").contains("ACLs are disabled (BucketOwnerEnforced)"), "{}", message("enforced"));
    assert!(message("unknown").contains("aws_s3_bucket_acl.unknown.acl"), "{}", message("unknown"));
    let incomplete = report["scan"]["incomplete"].as_array().unwrap();
    assert!(
        incomplete.iter().any(|gap| gap["api"] == "s3:GetBucketAcl" && gap["resource"] == "arn:aws:s3:::acl-unknown"),
        "the unknown ACL is a gap of the scan: {incomplete:#?}"
    );
}
