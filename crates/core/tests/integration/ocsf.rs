//! `--ocsf` and `--ocsf-all`: every object written for the demo organization (and for a lone
//! account) is an OCSF 1.8.0 Detection Finding by the JSON Schema in tests/ocsf/, says what
//! its finding says, and keeps its uid from scan to scan; the schema rejects what OCSF
//! forbids.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;
use trailwarden_core::config::Config;
use trailwarden_core::findings::{Finding, Outcome, ResourceKind, Severity};
use trailwarden_core::history::Baseline;
use trailwarden_core::inventory::{snapshot, Inventory};
use trailwarden_core::report::ocsf::{self, Ocsf};
use trailwarden_core::report::{Format, Report};
use trailwarden_core::results::Source;
use trailwarden_core::rules::{load_builtin, RuleSet};
use trailwarden_core::scan::Plan;

const SCHEMA: &str = "tests/ocsf/detection_finding-1.8.0.schema.json";

/// A suppression that matches findings of the demo organization (checked below).
const SUPPRESS_SANDBOX: &str =
    "suppressions:\n  - rule: '*'\n    organizational_unit: Root/Sandbox\n    reason: sandbox accounts are rebuilt weekly\n";

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("the OCSF schema is in the repository")).expect("the OCSF schema is JSON")
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| jsonschema::validator_for(&schema()).expect("the OCSF schema compiles"))
}

/// Every error of `object` against the schema, one a line.
fn errors(object: &Value) -> String {
    validator().iter_errors(object).map(|e| format!("{} at {}", e, e.instance_path())).collect::<Vec<_>>().join("\n")
}

fn assert_valid(object: &Value) {
    let errors = errors(object);
    assert!(errors.is_empty(), "not a Detection Finding of OCSF 1.8.0:\n{errors}\n{object:#}");
}

fn snapshot_file(path: &str) -> Inventory {
    snapshot::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("the snapshot reads")
}

fn demo() -> Inventory {
    snapshot_file("../../examples/demo-org.json")
}

struct Written {
    report: Report,
    lines: Vec<Value>,
}

/// Scans `inventory` with the built-in rules under `config` and writes `format` (marking
/// findings against `baseline`).
fn write(set: &RuleSet, inventory: Inventory, config: &str, format: &Ocsf, baseline: Option<&Report>) -> Written {
    write_from(set, inventory, Source::Snapshot, config, format, baseline)
}

/// As [`write`], for an inventory read from `source`.
fn write_from(set: &RuleSet, inventory: Inventory, source: Source, config: &str, format: &Ocsf, baseline: Option<&Report>) -> Written {
    let config = Config::parse(config, Path::new("test.yaml"), set).expect("the test config parses");
    let plan = Plan::new(set, config, None).expect("the scan plans");
    let result = plan.run(inventory, source, None, "2026-01-02T03:04:05Z".parse().unwrap());
    let baseline = baseline.map(Baseline::of);
    let ctx = plan.context(&result, baseline.as_ref());
    let mut out = Vec::new();
    let rendered = format.render(&result.report, &ctx).expect("OCSF renders");
    assert!(rendered.is_streamed(), "written as it is produced");
    rendered.write_to(&mut out).expect("OCSF writes");
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(text.is_empty() || text.ends_with('\n'), "each object ends its line");
    let lines = text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    Written { report: result.report, lines }
}

fn written(findings: &[Finding], passes: bool) -> Vec<&Finding> {
    let wanted = |o: Outcome| matches!(o, Outcome::Fail | Outcome::Inconclusive | Outcome::Suppressed) || (passes && o == Outcome::Pass);
    findings.iter().filter(|f| wanted(f.outcome)).collect()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_object_is_a_detection_finding_that_says_what_its_finding_says() {
    let set = load_builtin().expect("the built-in rules load");
    for (format, passes) in [(&Ocsf::FINDINGS, false), (&Ocsf::ALL, true)] {
        let Written { report, lines } = write(&set, demo(), SUPPRESS_SANDBOX, format, None);
        let findings = written(&report.findings, passes);
        assert_eq!(lines.len(), findings.len(), "one object per written finding");
        let outcomes: BTreeSet<Outcome> = findings.iter().map(|f| f.outcome).collect();
        for outcome in [Outcome::Fail, Outcome::Inconclusive, Outcome::Suppressed] {
            assert!(outcomes.contains(&outcome), "the demo has {outcome} findings to write");
        }
        assert_eq!(outcomes.contains(&Outcome::Pass), passes, "passes only with --ocsf-all");
        let mut uids = BTreeSet::new();
        for (f, object) in findings.iter().zip(&lines) {
            assert_valid(object);
            assert_says(f, object, &report);
            assert!(uids.insert(object["finding_info"]["uid"].to_string()), "uids are unique in a report");
        }
    }
}

/// What an object says of its finding, attribute by attribute.
fn assert_says(f: &Finding, o: &Value, report: &Report) {
    let context = format!("{} {}", f.rule_id, f.resource.arn);
    let (severity_id, severity) = match f.severity {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    };
    assert_eq!((&o["severity_id"], &o["severity"]), (&json!(severity_id), &json!(severity)), "{context}");
    let (status_id, activity_id, confidence_id) = match f.outcome {
        Outcome::Fail => (1, 1, 3),
        Outcome::Inconclusive => (1, 1, 1),
        Outcome::Suppressed => (3, 1, 3),
        Outcome::Pass => (4, 3, 3),
        Outcome::NotApplicable => panic!("{context}: a not-applicable finding was written"),
    };
    assert_eq!(o["status_id"], json!(status_id), "{context}");
    assert_eq!(o["activity_id"], json!(activity_id), "{context}");
    assert_eq!(o["confidence_id"], json!(confidence_id), "{context}");
    assert_eq!(o["status_code"], json!(f.outcome.as_str()), "{context}");
    assert_eq!(o["is_alert"], json!(f.outcome == Outcome::Fail), "{context}");
    if f.outcome == Outcome::Suppressed {
        assert_eq!(o["status_detail"], json!(f.suppression.as_deref().expect("a suppressed finding says why")), "{context}");
    }
    assert_eq!(o["time"], json!(report.scan.finished_at.timestamp_millis()), "{context}");
    assert_eq!(o["metadata"]["product"]["name"], json!("trailwarden"));
    assert_eq!(o["metadata"]["product"]["version"], json!(report.tool.version));
    assert_eq!(o["metadata"]["version"], json!(ocsf::OCSF_VERSION));

    let info = &o["finding_info"];
    assert_eq!(info["uid"], json!(sha256_hex(&format!("{}\n{}", f.rule_id, f.resource.arn))), "{context}");
    assert_eq!(info["title"], json!(&*f.title), "{context}");
    assert_eq!(info["desc"], json!(f.message), "{context}");
    assert_eq!(info["analytic"]["uid"], json!(f.rule_id), "{context}");
    let remediation = f.remediation.trim();
    assert_eq!(o["remediation"]["desc"], if remediation.is_empty() { Value::Null } else { json!(remediation) }, "{context}");

    let region = if f.resource.region == "global" { Value::Null } else { json!(f.resource.region) };
    assert_eq!((&o["cloud"]["provider"], &o["cloud"]["region"]), (&json!("AWS"), &region), "{context}");
    assert_eq!(o["cloud"]["account"]["uid"], json!(f.resource.account), "{context}");
    let resource = &o["resources"][0];
    assert_eq!(o["resources"].as_array().map(Vec::len), Some(1), "{context}");
    assert_eq!((&resource["uid"], &resource["region"]), (&json!(f.resource.arn), &region), "{context}");
    let aws_type = match f.resource.kind {
        ResourceKind::Organization => "AWS::Organizations::Organization",
        ResourceKind::Account => "AWS::::Account",
        ResourceKind::Region => "AWS::Region",
        ResourceKind::Trail => "AWS::CloudTrail::Trail",
        ResourceKind::Bucket => "AWS::S3::Bucket",
        ResourceKind::EventDataStore => "AWS::CloudTrail::EventDataStore",
        ResourceKind::IamPolicy => "AWS::IAM::Policy",
    };
    assert_eq!(resource["type"], json!(aws_type), "{context}");
    assert_eq!(o["unmapped"]["resource_kind"], json!(f.resource.kind.as_str()), "{context}");

    let frameworks = if f.frameworks.is_empty() { Value::Null } else { json!(&*f.frameworks) };
    assert_eq!(o["unmapped"]["frameworks"], frameworks, "{context}");
    match &f.resource.organizational_unit {
        Some(path) => {
            assert_eq!(o["unmapped"]["organizational_unit"], json!(path), "{context}");
            assert_eq!(o["cloud"]["org"]["ou_name"], json!(path.rsplit('/').next().unwrap()), "{context}");
        }
        None => assert_eq!(o["cloud"]["org"]["ou_name"], Value::Null, "{context}"),
    }
}

#[test]
fn organization_and_units_are_named_in_cloud_org() {
    let set = load_builtin().unwrap();
    let Written { lines, .. } = write(&set, demo(), "", &Ocsf::FINDINGS, None);
    let units: BTreeSet<&str> = lines.iter().filter_map(|o| o["unmapped"]["organizational_unit"].as_str()).collect();
    assert!(units.contains("Root/Workloads/Prod") && units.contains("Root/Sandbox"), "{units:?}");
    for o in &lines {
        assert!(o["cloud"]["org"]["uid"].as_str().is_some_and(|id| id.starts_with("o-")), "{o:#}");
        assert_eq!(o["metadata"]["tenant_uid"], o["cloud"]["org"]["uid"]);
    }
}

#[test]
fn a_lone_account_has_no_organization() {
    let set = load_builtin().unwrap();
    let Written { report, lines } = write(&set, snapshot_file("../../tests/fixtures/small-account.json"), "", &Ocsf::ALL, None);
    assert_eq!(lines.len(), written(&report.findings, true).len());
    assert!(!lines.is_empty());
    for o in &lines {
        assert_valid(o);
        assert!(o["cloud"].get("org").is_none(), "{o:#}");
        assert!(o["unmapped"].get("organizational_unit").is_none(), "{o:#}");
    }
}

/// A resource declared in a template: its file, line and logical ID are in
/// `unmapped.location` (OCSF's `affected_code` belongs to a vulnerability), and the object
/// stays a valid Detection Finding.
#[test]
fn a_declared_resource_has_its_location_in_unmapped() {
    let set = load_builtin().unwrap();
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac/cloudformation/weak.yaml");
    let inventory = trailwarden_core::iac::cloudformation::load(std::slice::from_ref(&template)).expect("the template loads");
    let Written { lines, .. } = write_from(&set, inventory, Source::Cloudformation, "", &Ocsf::FINDINGS, None);
    let logging = lines.iter().find(|o| o["finding_info"]["analytic"]["uid"] == "CT-IS-LOGGING").expect("the trail fails CT-IS-LOGGING");
    let file = template.to_string_lossy().replace('\\', "/");
    assert_eq!(logging["unmapped"]["location"], json!({"file": file, "line": 24, "address": "Trail"}));
    for o in &lines {
        assert_valid(o);
        assert!(o["unmapped"]["location"].is_object(), "every finding written is about a declared resource: {o:#}");
    }
    let demo = write(&set, demo(), "", &Ocsf::FINDINGS, None);
    assert!(demo.lines.iter().all(|o| o["unmapped"].get("location").is_none()), "a live resource has no location");
}

#[test]
fn a_finding_keeps_its_uid_from_scan_to_scan() {
    let set = load_builtin().unwrap();
    let uids = |inventory: Inventory| -> BTreeMap<(String, String), (String, Value)> {
        let Written { report, lines } = write(&set, inventory, "", &Ocsf::ALL, None);
        let findings = written(&report.findings, true);
        findings
            .iter()
            .zip(lines)
            .map(|(f, o)| ((f.rule_id.clone(), f.resource.arn.clone()), (f.message.clone(), o["finding_info"]["uid"].clone())))
            .collect()
    };
    let before = uids(snapshot_file("../../examples/demo-org-last-month.json"));
    let now = uids(demo());
    let mut changed_message = 0;
    let mut shared = 0;
    for (key, (message, uid)) in &now {
        if let Some((old_message, old_uid)) = before.get(key) {
            shared += 1;
            assert_eq!(uid, old_uid, "{key:?}");
            changed_message += usize::from(message != old_message);
        }
    }
    assert!(shared > 0 && changed_message > 0, "{shared} findings in both scans, {changed_message} of them with another message");
    let distinct: BTreeSet<String> = now.values().map(|(_, uid)| uid.to_string()).collect();
    assert_eq!(distinct.len(), now.len(), "one uid per rule and resource");
}

#[test]
fn with_a_baseline_known_findings_are_updates() {
    let set = load_builtin().unwrap();
    let last_month = write(&set, snapshot_file("../../examples/demo-org-last-month.json"), "", &Ocsf::FINDINGS, None).report;
    let Written { report, lines } = write(&set, demo(), "", &Ocsf::ALL, Some(&last_month));
    let mut activities = BTreeSet::new();
    for (f, o) in written(&report.findings, true).iter().zip(&lines) {
        assert_valid(o);
        let baseline = o["unmapped"]["baseline"].as_str().expect("each object says new or existing");
        let expected = match (f.outcome, baseline) {
            (Outcome::Pass, _) => 3,
            (_, "existing") => 2,
            (_, "new") => 1,
            other => panic!("{other:?}"),
        };
        assert_eq!(o["activity_id"], json!(expected), "{} {}", f.rule_id, f.resource.arn);
        assert_eq!(o["type_uid"], json!(ocsf::CLASS_UID * 100 + expected), "{} {}", f.rule_id, f.resource.arn);
        activities.insert(expected);
    }
    assert_eq!(activities, BTreeSet::from([1, 2, 3]), "created, updated and closed findings");
}

/// What is wrong with an object, and how to make it so.
type Mutation = (&'static str, fn(&mut Value));

/// The schema is as strict as OCSF: each of these changes to a valid object is refused.
#[test]
fn the_schema_refuses_what_ocsf_forbids() {
    let set = load_builtin().unwrap();
    let Written { lines, .. } = write(&set, demo(), "", &Ocsf::FINDINGS, None);
    let valid = lines.iter().find(|o| o["remediation"].is_object() && o["cloud"]["region"].is_string()).expect("a finding in a region").clone();
    assert_valid(&valid);
    let mutations: [Mutation; 12] = [
        ("time as a string", |o| o["time"] = json!("2026-01-02T03:04:05Z")),
        ("no finding_info.uid", |o| drop(o["finding_info"].as_object_mut().unwrap().remove("uid"))),
        ("no metadata", |o| drop(o.as_object_mut().unwrap().remove("metadata"))),
        ("no cloud (required by the cloud profile)", |o| drop(o.as_object_mut().unwrap().remove("cloud"))),
        ("severity_id 7", |o| o["severity_id"] = json!(7)),
        ("a severity that is not severity_id's caption", |o| o["severity"] = json!("Loud")),
        ("type_uid of another activity", |o| o["type_uid"] = json!(ocsf::CLASS_UID * 100 + 3)),
        ("class_uid of Compliance Finding", |o| o["class_uid"] = json!(2003)),
        ("a compliance object, which Detection Finding does not have", |o| o["compliance"] = json!({"standards": ["CIS"]})),
        ("status_id 42", |o| o["status_id"] = json!(42)),
        ("cloud.account.type_id 10 captioned otherwise", |o| o["cloud"]["account"]["type"] = json!("AWS IAM Role")),
        ("another OCSF version", |o| o["metadata"]["version"] = json!("1.5.0")),
    ];
    for (what, mutate) in mutations {
        let mut object = valid.clone();
        mutate(&mut object);
        assert!(!errors(&object).is_empty(), "the schema accepts {what}");
    }
}
