//! The report formats end to end: SARIF (checked against the SARIF 2.1.0 schema and by
//! Microsoft's SARIF multitool with GitHub's rules), HTML (in headless Chromium), Markdown and
//! JUnit, on the demo organization and on a snapshot with hostile names.
//!
//! External tools are required, never skipped: a missing tool fails the test with the command
//! that installs it (`scripts/test.sh` installs both).

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use trailwarden_core::report::{self, Context};

fn trailwarden() -> Command {
    let mut cmd = Command::cargo_bin("trailwarden").expect("the binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn demo() -> PathBuf {
    manifest_dir().join("examples/demo-org.json")
}

/// The hostile strings: markup and an attribute breakout in a trail name.
pub(super) const SCRIPT: &str = "<script>alert(1)</script>";
pub(super) const BREAKOUT: &str = "\" onerror=\"alert(1)";
/// A hostile tag on every trail (key and value), distinct from the name so that a test can
/// tell which one it sees. Run as script, either would write its marker to the console.
pub(super) const TAG_KEY: &str = "<script>console.error('tag-key-ran')</script>";
pub(super) const TAG_VALUE: &str = "\"><img src=x onerror=\"console.error('tag-value-ran')\">";

/// The demo organization with one trail renamed to markup (name, ARN and so every message
/// about it) and hostile tags on every trail.
fn hostile_snapshot(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(demo()).unwrap();
    let hostile_name = format!("staging{SCRIPT}{BREAKOUT}|x");
    let encoded = serde_json::to_string(&hostile_name).unwrap();
    let text = text.replace("staging-trail", encoded.trim_matches('"'));
    let mut snapshot: Value = serde_json::from_str(&text).expect("still JSON");
    add_hostile_tags(&mut snapshot);
    let path = dir.join("hostile.json");
    std::fs::write(&path, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
    path
}

pub(super) fn add_hostile_tags(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // Trail tags are a fact: `{"value": {...}}`.
            if let Some(Value::Object(tags)) = map.get_mut("tags").and_then(|t| t.get_mut("value")) {
                tags.insert(TAG_KEY.to_owned(), Value::from(TAG_VALUE));
            }
            map.values_mut().for_each(add_hostile_tags);
        }
        Value::Array(items) => items.iter_mut().for_each(add_hostile_tags),
        _ => {}
    }
}

struct Outputs {
    _dir: tempfile::TempDir,
    sarif: PathBuf,
    markdown: PathBuf,
    junit: PathBuf,
    json: PathBuf,
}

/// Scans a snapshot once, writing every format.
fn scan_all(snapshot: Option<&Path>) -> Outputs {
    scan_all_with(snapshot, None)
}

/// As [`scan_all`], with the rules of `rules` added to the built-in pack.
fn scan_all_with(snapshot: Option<&Path>, rules: Option<&Path>) -> Outputs {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot.map(Path::to_owned).unwrap_or_else(demo);
    let out = |name: &str| dir.path().join(name);
    let mut cmd = trailwarden();
    cmd.arg("scan");
    if let Some(rules) = rules {
        cmd.arg("--rules").arg(rules);
    }
    cmd.args(["--quiet", "--fail-on", "never", "--snapshot"])
        .arg(&snapshot)
        .arg("--sarif")
        .arg(out("report.sarif"))
        .arg("--markdown")
        .arg(out("summary.md"))
        .arg("--junit")
        .arg(out("junit.xml"))
        .arg("--json")
        .arg(out("report.json"))
        .assert()
        .code(0);
    Outputs { sarif: out("report.sarif"), markdown: out("summary.md"), junit: out("junit.xml"), json: out("report.json"), _dir: dir }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// SARIF validation

/// The SARIF 2.1.0 schema GitHub's upload action uses (tests/sarif/, with its origin).
fn sarif_schema() -> Value {
    let path = manifest_dir().join("tests/sarif/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read the SARIF schema at {}: {e}", path.display()));
    let mut schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    repair_region_any_of(&mut schema);
    schema
}

/// The schema nests `region`'s `anyOf` (startLine, charOffset or byteOffset is required)
/// inside `properties`, which a strict draft 2020-12 validator refuses to compile. Moving it
/// one level up is what it means, and keeps the constraint checked.
fn repair_region_any_of(schema: &mut Value) {
    let region = &mut schema["definitions"]["region"];
    if let Some(any_of) = region["properties"].as_object_mut().and_then(|p| p.remove("anyOf")) {
        region["anyOf"] = any_of;
    }
}

pub(super) fn assert_schema_valid(sarif: &Value, what: &str) {
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} violates the SARIF 2.1.0 schema:\n{}", errors.join("\n"));
}

/// The multitool binary: $SARIF_MULTITOOL, else the copy `scripts/test.sh` installs under .ci/node.
fn multitool() -> PathBuf {
    if let Some(path) = std::env::var_os("SARIF_MULTITOOL") {
        return PathBuf::from(path);
    }
    let path = manifest_dir().join(".ci/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    assert!(
        path.is_file(),
        "the SARIF multitool is not installed at {}. Install it with\n  \
         npm install --prefix .ci/node --no-audit --no-fund @microsoft/sarif-multitool\n\
         (or run `scripts/test.sh`), or point SARIF_MULTITOOL at a Sarif.Multitool binary. This test does not skip without it.",
        path.display()
    );
    path
}

/// Runs `Sarif.Multitool validate` with GitHub's rules on SARIF files (one run of the tool for
/// all of them) and returns its findings as (level, rule id, message and file). Its exit code
/// is 0 whatever it finds, so its output is read.
fn multitool_findings(sarifs: &[&Path]) -> Vec<(String, String, String)> {
    let config = manifest_dir().join("tests/sarif/github.config.xml");
    assert!(config.is_file(), "GitHub's multitool config is missing at {}", config.display());
    let dir = tempfile::tempdir().unwrap();
    let output_path = dir.path().join("validation.sarif");
    let output = std::process::Command::new(multitool())
        .arg("validate")
        .args(["--rule-kind", "Sarif;Ghas", "--config"])
        .arg(&config)
        .arg("--output")
        .arg(&output_path)
        .args(["--log", "ForceOverwrite", "--sarif-output-version", "Current"])
        .args(sarifs)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        // No ICU needed: the multitool does no culture-specific work.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("the SARIF multitool runs");
    let log = std::fs::read_to_string(&output_path).unwrap_or_else(|e| {
        panic!(
            "the multitool wrote no output ({e}); status {:?}\nstdout:\n{}\nstderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let log: Value = serde_json::from_str(log.trim_start_matches('\u{feff}')).expect("the multitool writes SARIF");
    let mut findings = Vec::new();
    for run in log["runs"].as_array().expect("runs") {
        for result in run["results"].as_array().into_iter().flatten() {
            // SARIF's default level is warning.
            let level = result["level"].as_str().unwrap_or("warning").to_owned();
            let rule = result["ruleId"].as_str().unwrap_or_default().to_owned();
            let file = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            findings.push((level, rule, format!("{} in {file}", result["message"])));
        }
    }
    findings
}

/// The multitool finds no error and no warning (GitHub's rules and SARIF's own); returns how
/// many notes it has.
pub(super) fn assert_github_accepts(path: &Path, what: &str) -> usize {
    assert_github_accepts_all(&[path], what)
}

/// [`assert_github_accepts`] for several files, checked by one run of the multitool (its
/// start-up is most of its time on small files).
fn assert_github_accepts_all(paths: &[&Path], what: &str) -> usize {
    let findings = multitool_findings(paths);
    let problems: Vec<_> = findings.iter().filter(|(level, ..)| level == "error" || level == "warning").collect();
    assert!(problems.is_empty(), "the multitool finds {} error(s) or warning(s) in {what}:\n{problems:#?}", problems.len());
    findings.len()
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn demo_sarif_passes_the_schema_and_githubs_rules() {
    let out = scan_all(None);
    let sarif = read_json(&out.sarif);
    assert_schema_valid(&sarif, "the demo SARIF");
    let notes = assert_github_accepts(&out.sarif, "the demo SARIF");
    eprintln!("multitool: 0 errors, 0 warnings, {notes} note(s) on the demo SARIF");
}

#[test]
fn hostile_sarif_passes_the_schema_and_githubs_rules() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan_all(Some(&hostile_snapshot(dir.path())));
    let sarif = read_json(&out.sarif);
    assert_schema_valid(&sarif, "the hostile SARIF");
    assert_github_accepts(&out.sarif, "the hostile SARIF");
    // Markup from the snapshot is JSON-escaped (`\u003c`): nothing reads as a tag in the file.
    let text = read(&out.sarif);
    assert!(!text.contains(['<', '>']), "raw markup in the SARIF file");
    assert!(sarif["runs"][0]["results"].as_array().unwrap().iter().any(|r| r["message"]["text"].as_str().unwrap().contains(SCRIPT)));
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.contains(['<', '>', '"', ' ', '|', ':']), "not percent-encoded: {uri}");
    }
}

#[test]
fn demo_sarif_has_githubs_shape() {
    let out = scan_all(None);
    let sarif = read_json(&out.sarif);
    let report = read_json(&out.json);
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "trailwarden");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));
    assert_eq!(run["automationDetails"]["id"], "trailwarden/o-demo12345/");

    // Every rule that ran is described, whether or not it found anything.
    let rules = driver["rules"].as_array().unwrap();
    let builtin = trailwarden_core::rules::load_builtin().unwrap();
    assert_eq!(rules.len(), builtin.rules.len());
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        for key in ["name", "shortDescription", "fullDescription", "help", "defaultConfiguration"] {
            assert!(!rule[key].is_null(), "{id}: {key}");
        }
        assert!(rule["help"]["markdown"].as_str().unwrap().contains(id) || rule["help"]["markdown"].as_str().unwrap().contains("Rule file"));
        let severity: f64 = rule["properties"]["security-severity"].as_str().expect("a numeric string").parse().unwrap();
        assert!((0.1..=10.0).contains(&severity), "{id}: {severity}");
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.len() <= 20 && tags[0] == "security", "{id}: {tags:?}");
    }

    // Results: exactly the failing and inconclusive findings.
    let findings = report["findings"].as_array().unwrap();
    let expected: BTreeSet<(String, String)> = findings
        .iter()
        .filter(|f| f["outcome"] == "fail" || f["outcome"] == "inconclusive")
        .map(|f| (f["rule_id"].as_str().unwrap().to_owned(), f["resource"]["arn"].as_str().unwrap().to_owned()))
        .collect();
    let results = run["results"].as_array().unwrap();
    let got: BTreeSet<(String, String)> = results
        .iter()
        .map(|r| {
            (r["ruleId"].as_str().unwrap().to_owned(), r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(results.len(), expected.len());

    for r in results {
        let (rule, arn) = (r["ruleId"].as_str().unwrap(), r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap());
        let physical = &r["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("aws/") && !uri.contains(':'), "{uri}");
        assert!(uri.split('/').count() >= 5, "{uri}");
        assert_eq!(physical["region"]["startLine"], 1);
        assert_eq!(r["partialFingerprints"]["primaryLocationLineHash"], report::sarif::fingerprint(rule, arn));
        let message = r["message"]["text"].as_str().unwrap();
        assert!(message.contains(arn), "{message}");
        assert_eq!(r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"], format!("rules/{rule}.yaml"));
        let level = r["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
    }
    let uri_of = |rule: &str, arn: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == rule && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == arn)
            .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        uri_of("CT-IS-LOGGING", "arn:aws:cloudtrail:eu-west-1:555555555555:trail/staging-trail").as_deref(),
        Some("aws/555555555555/eu-west-1/cloudtrail/trail/staging-trail")
    );
    assert_eq!(uri_of("CT-MULTI-REGION", "AWS::::Account:666666666666").as_deref(), Some("aws/666666666666/global/account/666666666666"));
    // Inconclusive outcomes are notes.
    let inconclusive = results.iter().find(|r| r["properties"]["outcome"] == "inconclusive").expect("the demo has one");
    assert_eq!(inconclusive["level"], "note");

    // Logical locations (SARIF §3.33): each result's resource, nested by parentIndex in its
    // region (or `global`) and its account, once each in run.logicalLocations.
    let logical = run["logicalLocations"].as_array().expect("run.logicalLocations");
    let entry = |index: &Value| &logical[index.as_u64().expect("an index") as usize];
    for (i, l) in logical.iter().enumerate() {
        assert_eq!(l["index"], i, "{l}");
    }
    for r in results {
        let reference = &r["locations"][0]["logicalLocations"][0];
        assert_eq!(r["locations"][0]["logicalLocations"].as_array().unwrap().len(), 1, "one logical location: the resource");
        let resource = entry(&reference["index"]);
        for key in ["name", "fullyQualifiedName", "kind", "parentIndex"] {
            assert_eq!(reference[key], resource[key], "the reference repeats its entry's {key}");
        }
        let (arn, account, region) = (&r["properties"]["arn"], &r["properties"]["account"], &r["properties"]["region"]);
        assert_eq!(resource["fullyQualifiedName"], *arn);
        assert_eq!(resource["kind"], "resource");
        assert_eq!(resource["properties"]["resourceKind"], r["properties"]["resourceKind"]);
        let region_entry = entry(&resource["parentIndex"]);
        assert_eq!(region_entry["name"], *region);
        assert_eq!(region_entry["fullyQualifiedName"], format!("{}/{}", account.as_str().unwrap(), region.as_str().unwrap()));
        assert_eq!((&region_entry["kind"], &region_entry["properties"]["resourceKind"]), (&"namespace".into(), &"region".into()));
        let account_entry = entry(&region_entry["parentIndex"]);
        assert_eq!((&account_entry["name"], &account_entry["fullyQualifiedName"]), (account, account));
        assert_eq!((&account_entry["kind"], &account_entry["properties"]["resourceKind"]), (&"namespace".into(), &"account".into()));
        assert!(account_entry["parentIndex"].is_null(), "an account is at the top");
        // The same identity in the message.
        let message = r["message"]["text"].as_str().unwrap();
        for part in [arn, account, region] {
            assert!(message.contains(part.as_str().unwrap()), "{part} in {message}");
        }
    }
    let distinct: BTreeSet<(String, String)> = logical.iter().map(|l| (l["fullyQualifiedName"].to_string(), l["parentIndex"].to_string())).collect();
    assert_eq!(distinct.len(), logical.len(), "each account, region and resource once");
    let global = results.iter().find(|r| r["properties"]["arn"] == "AWS::::Account:666666666666").expect("an account-level result");
    assert_eq!(entry(&entry(&global["locations"][0]["logicalLocations"][0]["index"])["parentIndex"])["name"], "global");

    // GitHub's severity per result: a failure at its own severity (which an escalation may
    // have raised above the rule's), an inconclusive outcome as low whatever the rule's.
    let rule_of = |id: &Value| rules.iter().find(|rule| rule["id"] == *id).expect("the result's rule");
    let mut escalated = 0;
    for r in results {
        let severity: trailwarden_core::findings::Severity = r["properties"]["severity"].as_str().unwrap().parse().unwrap();
        let expected = if r["properties"]["outcome"] == "inconclusive" { "1.0" } else { report::sarif::security_severity(severity) };
        assert_eq!(r["properties"]["security-severity"], expected, "{}", r["ruleId"]);
        let rule = rule_of(&r["ruleId"]);
        if r["properties"]["outcome"] == "fail" && rule["properties"]["severity"] != r["properties"]["severity"] {
            escalated += 1;
            assert_ne!(r["properties"]["security-severity"], rule["properties"]["security-severity"]);
            assert_eq!(r["level"], report::sarif::level(severity).to_string());
        }
    }
    assert!(escalated > 0, "the demo has escalated failures (e.g. CT-BUCKET-SEPARATE-ACCOUNT on a missing bucket)");
    let note_on_severe_rule = results
        .iter()
        .find(|r| r["properties"]["outcome"] == "inconclusive" && rule_of(&r["ruleId"])["properties"]["security-severity"] != "1.0")
        .expect("an inconclusive outcome of a rule above info");
    assert_eq!(note_on_severe_rule["properties"]["security-severity"], "1.0");
}

#[test]
fn fingerprints_are_stable_across_runs() {
    let fingerprints = |out: &Outputs| -> Vec<String> {
        read_json(&out.sarif)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"]["primaryLocationLineHash"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = fingerprints(&scan_all(None));
    let second = fingerprints(&scan_all(None));
    assert_eq!(first, second);
    assert_eq!(first.iter().collect::<BTreeSet<_>>().len(), first.len(), "one fingerprint per rule and resource");
}

/// A report with `n` failing findings (copies of a demo failure on distinct ARNs).
fn report_with_failures(n: usize) -> report::Report {
    let out = scan_all(None);
    let mut report: report::Report = serde_json::from_str(&read(&out.json)).unwrap();
    let template = report.findings.iter().find(|f| f.outcome == trailwarden_core::findings::Outcome::Fail).unwrap().clone();
    report.findings = (0..n)
        .map(|i| {
            let mut f = template.clone();
            std::sync::Arc::make_mut(&mut f.resource).arn = format!("arn:aws:cloudtrail:eu-west-1:555555555555:trail/t{i}");
            f
        })
        .collect();
    report
}

#[test]
fn sarif_over_githubs_result_limit_is_an_error_with_advice() {
    let set = trailwarden_core::rules::load_builtin().unwrap();
    let ctx = Context::new(&set, |_| true, "o-test");
    let at_limit = report_with_failures(report::sarif::MAX_RESULTS_PER_RUN);
    let text = report::sarif::render(&at_limit, &ctx).expect("exactly at the limit is accepted");
    let gzipped = report::sarif::gzipped_len(text.as_bytes());
    eprintln!("{} results: {} bytes, {} bytes gzipped", report::sarif::MAX_RESULTS_PER_RUN, text.len(), gzipped);
    assert!(gzipped < report::sarif::MAX_GZIPPED_BYTES);

    let over = report_with_failures(report::sarif::MAX_RESULTS_PER_RUN + 1);
    let err = report::sarif::render(&over, &ctx).unwrap_err().to_string();
    assert!(err.contains("25001 results") && err.contains("25000"), "{err}");
    assert!(err.contains("--sarif DIR/"), "the message names the directory form: {err}");
    assert!(err.contains("--regions") && err.contains("--accounts"), "{err}");

    // The directory form takes them all, in runs GitHub stores whole.
    let limits = report::sarif::Limits::GITHUB;
    let files = report::sarif::render_directory(&over, &ctx, &limits).unwrap();
    let mut arns = BTreeSet::new();
    for file in &files {
        let sarif: Value = serde_json::from_str(&file.text()).unwrap();
        let runs = sarif["runs"].as_array().unwrap();
        assert!(runs.len() <= limits.runs_per_file);
        for run in runs {
            let results = run["results"].as_array().unwrap();
            assert!(results.len() <= limits.results_per_run, "{} results in a run", results.len());
            arns.extend(results.iter().map(|r| r["properties"]["arn"].as_str().unwrap().to_owned()));
        }
    }
    assert_eq!(arns.len(), report::sarif::MAX_RESULTS_PER_RUN + 1);
    assert_eq!(files.iter().map(|f| f.results).sum::<usize>(), arns.len(), "and none twice");
}

#[test]
fn an_unwritable_output_fails_with_exit_2() {
    // A SARIF file in a directory that cannot be created: exit 2, naming the file.
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let output = trailwarden()
        .args(["scan", "--quiet", "--fail-on", "never", "--snapshot"])
        .arg(demo())
        .arg("--sarif")
        .arg(blocker.join("report.sarif"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("report.sarif"));
}

// ---------------------------------------------------------------------------------------------
// SARIF: the directory form

/// A result's identity: (rule id, ARN, fingerprint).
type ResultKey = (String, String, String);

/// The results of every run of a SARIF log, sorted (duplicates kept, to be found).
fn result_keys(sarif: &Value) -> Vec<ResultKey> {
    let mut keys: Vec<ResultKey> = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| run["results"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["properties"]["arn"].as_str().unwrap().to_owned(),
                r["partialFingerprints"]["primaryLocationLineHash"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// The upload action's test for two categories being one (upper-cased, every character but
/// letters, digits and `_` as `_`; github/codeql-action, upload-lib.ts).
fn clash_key(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_uppercase() } else { '_' }).collect()
}

/// Checks SARIF files against `limits` and against each other: each run within the result
/// limit, each file within the run and gzipped-size limits and the schema, every category
/// (`automationDetails.id`) in one run only; returns all their results.
fn check_sarif_files(files: &[(String, String)], limits: &report::sarif::Limits) -> Vec<ResultKey> {
    let mut categories = BTreeSet::new();
    let mut keys = Vec::new();
    for (name, text) in files {
        assert!(report::sarif::split::is_file_name(name), "{name}");
        let sarif: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_schema_valid(&sarif, name);
        let runs = sarif["runs"].as_array().unwrap();
        assert!(!runs.is_empty() && runs.len() <= limits.runs_per_file, "{name}: {} runs", runs.len());
        let gzipped = report::sarif::gzipped_len(text.as_bytes());
        assert!(gzipped <= limits.gzipped_bytes_per_file, "{name}: {gzipped} bytes gzipped");
        for run in runs {
            let id = run["automationDetails"]["id"].as_str().unwrap();
            assert!(id.starts_with("trailwarden/") && id.ends_with('/'), "{id}");
            assert!(run["automationDetails"]["description"]["text"].as_str().is_some_and(|d| !d.is_empty()), "{id}");
            assert!(categories.insert(clash_key(id)), "{name}: category {id} is in two runs");
            assert!(run["results"].as_array().unwrap().len() <= limits.results_per_run, "{id}");
            assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), trailwarden_core::rules::load_builtin().unwrap().rules.len());
        }
        keys.extend(result_keys(&sarif));
    }
    keys.sort();
    keys
}

/// The files of a SARIF directory, by name.
fn read_sarif_dir(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), read(&path))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn sarif_directory_at_small_limits_splits_without_losing_or_duplicating() {
    let (parsed, _) = demo_report();
    let set = trailwarden_core::rules::load_builtin().unwrap();
    let ctx = Context::new(&set, |_| true, "o-demo12345");
    let single: Value = serde_json::from_str(&report::sarif::render(&parsed, &ctx).unwrap()).unwrap();
    let expected = result_keys(&single);
    assert!(expected.len() > 50, "the demo has {} results", expected.len());

    // By result and run counts: runs of at most 10 results, files of at most 4 runs.
    let by_count = report::sarif::Limits { results_per_run: 10, runs_per_file: 4, gzipped_bytes_per_file: report::sarif::MAX_GZIPPED_BYTES };
    let files = report::sarif::render_directory(&parsed, &ctx, &by_count).unwrap();
    assert!(files.len() >= 3, "{} files", files.len());
    let texts: Vec<(String, String)> = files.iter().map(|f| (f.name.clone(), f.text())).collect();
    assert_eq!(check_sarif_files(&texts, &by_count), expected, "the files hold exactly the single file's results");
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = texts.iter().map(|(name, _)| dir.path().join(name)).collect();
    for ((_, text), path) in texts.iter().zip(&paths) {
        std::fs::write(path, text).unwrap();
    }
    assert_github_accepts_all(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>(), "the SARIF files split at small limits");

    // By size: files of at most two thirds of the largest above, gzipped.
    let largest = files.iter().map(|f| f.gzipped_estimate()).max().unwrap();
    let by_size = report::sarif::Limits { runs_per_file: 20, gzipped_bytes_per_file: largest * 2 / 3, ..by_count };
    let files = report::sarif::render_directory(&parsed, &ctx, &by_size).unwrap();
    let texts: Vec<(String, String)> = files.iter().map(|f| (f.name.clone(), f.text())).collect();
    assert_eq!(check_sarif_files(&texts, &by_size), expected);
    for file in &files {
        let gzipped = report::sarif::gzipped_len(file.text().as_bytes());
        assert!(gzipped <= file.gzipped_estimate(), "{}: the estimate {} is below the real {gzipped}", file.name, file.gzipped_estimate());
    }
}

#[test]
fn sarif_directory_of_the_demo_has_a_run_per_unit_in_files_github_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let sarif_dir = dir.path().join("sarif/");
    let single = dir.path().join("single.sarif");
    trailwarden()
        .args(["scan", "--quiet", "--fail-on", "never", "--snapshot"])
        .arg(demo())
        .arg("--sarif")
        .arg(format!("{}/", sarif_dir.display()))
        .assert()
        .code(0);
    trailwarden().args(["scan", "--quiet", "--fail-on", "never", "--snapshot"]).arg(demo()).arg("--sarif").arg(&single).assert().code(0);
    let files = read_sarif_dir(&sarif_dir);
    // Six runs, and the validator's five per file: two files.
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["trailwarden-01-Root--Root.Workloads.Prod.sarif", "trailwarden-02-outside-units.sarif"]);
    assert_eq!(check_sarif_files(&files, &report::sarif::Limits::GITHUB), result_keys(&read_json(&single)));
    let mut ids = Vec::new();
    for (_, text) in &files {
        let sarif: Value = serde_json::from_str(text).unwrap();
        ids.extend(sarif["runs"].as_array().unwrap().iter().map(|r| r["automationDetails"]["id"].as_str().unwrap().to_owned()));
    }
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| sarif_dir.join(name)).collect();
    assert_github_accepts_all(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>(), "the demo's SARIF directory");

    // Why five runs a file: the validator refuses six (GH1004), and names the file that has them.
    let mut merged: Value = serde_json::from_str(&files[0].1).unwrap();
    let second: Value = serde_json::from_str(&files[1].1).unwrap();
    merged["runs"].as_array_mut().unwrap().extend(second["runs"].as_array().unwrap().iter().cloned());
    let six = dir.path().join("six-runs.sarif");
    std::fs::write(&six, merged.to_string()).unwrap();
    let findings = multitool_findings(&[&paths[0], &six]);
    let problems: Vec<_> = findings.iter().filter(|(level, ..)| level == "error" || level == "warning").collect();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].1, "GH1004");
    assert!(problems[0].2.contains("six-runs.sarif") && problems[0].2.contains("\"6\",\"5\""), "{}", problems[0].2);
    assert_eq!(
        ids,
        [
            "trailwarden/o-demo12345/Root/",
            "trailwarden/o-demo12345/Root/Sandbox/",
            "trailwarden/o-demo12345/Root/Security/",
            "trailwarden/o-demo12345/Root/Workloads/NonProd/",
            "trailwarden/o-demo12345/Root/Workloads/Prod/",
            "trailwarden/o-demo12345/outside-units/"
        ]
    );
}

use super::synthetic;

/// A synthetic organization of 300 accounts in 36 organizational units, scanned once (for
/// every test that needs it) with the outputs a large organization changes: the JSON report,
/// the Markdown summary, the SARIF directory, a single SARIF file and the terminal summary.
struct LargeScan {
    json: Value,
    markdown: String,
    sarif_dir: PathBuf,
    sarif_file: PathBuf,
    terminal: String,
}

fn large_scan() -> &'static LargeScan {
    static SCAN: std::sync::OnceLock<LargeScan> = std::sync::OnceLock::new();
    SCAN.get_or_init(|| {
        // Per process, so that concurrent test runs do not share it; those of finished runs
        // (whose process is gone) are removed.
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for entry in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name.strip_prefix("large-scan-").and_then(|pid| pid.parse::<u32>().ok());
            if pid.is_some_and(|pid| Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = tmp.join(format!("large-scan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let snapshot = dir.join("synthetic-300.json");
        trailwarden_core::inventory::snapshot::write(&synthetic::organization(300), &snapshot).unwrap();
        let output = trailwarden()
            .args(["scan", "--fail-on", "never", "--snapshot"])
            .arg(&snapshot)
            .arg("--json")
            .arg(dir.join("report.json"))
            .arg("--markdown")
            .arg(dir.join("summary.md"))
            .arg("--sarif")
            .arg(format!("{}/", dir.join("sarif").display()))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let sarif_file = dir.join("single.sarif");
        trailwarden().args(["scan", "--quiet", "--fail-on", "never", "--snapshot"]).arg(&snapshot).arg("--sarif").arg(&sarif_file).assert().code(0);
        LargeScan {
            json: read_json(&dir.join("report.json")),
            markdown: read(&dir.join("summary.md")),
            sarif_dir: dir.join("sarif"),
            sarif_file,
            terminal: String::from_utf8(output.stderr).unwrap(),
        }
    })
}

#[test]
fn sarif_directory_of_a_large_organization_keeps_to_githubs_limits() {
    let scan = large_scan();
    let files = read_sarif_dir(&scan.sarif_dir);
    assert!(files.len() >= 2, "36 units are more runs than one file may hold: {} file(s)", files.len());
    let keys = check_sarif_files(&files, &report::sarif::Limits::GITHUB);
    assert_eq!(keys, result_keys(&read_json(&scan.sarif_file)), "the files hold exactly the single file's results");
    // Every unit has its run, with or without results: its upload closes the unit's fixed alerts.
    let units: BTreeSet<&str> =
        scan.json["findings"].as_array().unwrap().iter().filter_map(|f| f["resource"]["organizational_unit"].as_str()).collect();
    let mut covered = BTreeSet::new();
    for (name, text) in &files {
        let sarif: Value = serde_json::from_str(text).unwrap();
        for run in sarif["runs"].as_array().unwrap() {
            if let Some(unit) = run["properties"]["organizationalUnit"].as_str() {
                covered.insert(unit.to_owned());
                assert!(run["automationDetails"]["id"].as_str().unwrap().contains(unit), "{name}");
            }
        }
    }
    assert_eq!(covered, units.iter().map(|u| (*u).to_owned()).collect::<BTreeSet<_>>());
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| scan.sarif_dir.join(name)).collect();
    let notes = assert_github_accepts_all(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>(), "the large organization's SARIF directory");
    eprintln!("multitool: 0 errors, 0 warnings, {notes} note(s) on {} files", paths.len());
}

/// A custom rule that prints every tag of every trail in its message and remediation. No
/// built-in rule shows tags, so without it a tag-escaping regression would go unseen.
pub(super) const TAG_RULE: &str = r#"id: X-TRAIL-TAGS
title: Trail tags
severity: high
scope: trail
description: Lists the trail's tags, to show them in every report.
pass_if: "false"
message:
  pass: "Trail {{ trail.name }} tags:{% for key, value in trail.tags|items %} {{ key }}={{ value }};{% endfor %}"
  fail: "Trail {{ trail.name }} tags:{% for key, value in trail.tags|items %} {{ key }}={{ value }};{% endfor %}"
remediation: "Review the tags:{% for key, value in trail.tags|items %} {{ key }}={{ value }};{% endfor %}"
"#;

/// The hostile tag as the custom rule prints it.
fn tag_payload() -> String {
    format!("{TAG_KEY}={TAG_VALUE};")
}

/// The hostile snapshot scanned with the built-in rules and [`TAG_RULE`].
fn hostile_scan_with_tag_rule() -> (tempfile::TempDir, Outputs) {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("X-TRAIL-TAGS.yaml"), TAG_RULE).unwrap();
    let out = scan_all_with(Some(&hostile_snapshot(dir.path())), Some(&rules));
    let report = read_json(&out.json);
    let tag_findings = report["findings"].as_array().unwrap().iter().filter(|f| f["rule_id"] == "X-TRAIL-TAGS").count();
    assert!(tag_findings > 0, "the custom rule ran");
    for f in report["findings"].as_array().unwrap().iter().filter(|f| f["rule_id"] == "X-TRAIL-TAGS") {
        assert!(f["message"].as_str().unwrap().contains(&tag_payload()), "the rule prints the tag: {}", f["message"]);
    }
    (dir, out)
}

#[test]
fn hostile_tags_are_escaped_in_markdown_junit_and_sarif() {
    let (_dir, out) = hostile_scan_with_tag_rule();
    let payload = tag_payload();

    // Markdown: escaped in table cells; only code blocks (remediation) show text literally.
    let md = read(&out.markdown);
    let outside_code: String = md.split("\n```").step_by(2).collect::<Vec<_>>().join("\n");
    for raw in [TAG_KEY, TAG_VALUE, "<script", "<img"] {
        assert!(!outside_code.contains(raw), "raw {raw} in Markdown");
    }
    let escaped =
        "&lt;script&gt;console.error('tag-key-ran')&lt;/script&gt;=&quot;&gt;&lt;img src=x onerror=&quot;console.error('tag-value-ran')&quot;&gt;;";
    assert!(outside_code.contains(escaped), "the tag is shown, escaped, in Markdown");

    // JUnit: escaped in attributes and text, and the same text once parsed.
    let xml = read(&out.junit);
    assert!(!xml.contains(TAG_KEY) && !xml.contains(TAG_VALUE), "a raw tag in JUnit XML");
    assert!(xml.contains("&lt;script&gt;console.error(&apos;tag-key-ran&apos;)&lt;/script&gt;=&quot;&gt;&lt;img src=x onerror="));
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML despite the tags");
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.attribute("classname") == Some("X-TRAIL-TAGS"))
        .filter_map(|case| case.children().find(|n| n.has_tag_name("failure")))
        .collect();
    assert!(!failures.is_empty());
    for failure in failures {
        assert!(failure.attribute("message").unwrap().contains(&payload));
        assert!(failure.text().unwrap().contains(&payload));
    }

    // SARIF: JSON-escaped (no markup in the file), the same text once parsed, and still
    // accepted by the schema and GitHub's rules.
    let text = read(&out.sarif);
    assert!(!text.contains(TAG_KEY) && !text.contains(TAG_VALUE) && !text.contains(['<', '>']), "a raw tag in SARIF");
    let sarif = read_json(&out.sarif);
    let messages: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "X-TRAIL-TAGS")
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    assert!(!messages.is_empty());
    assert!(messages.iter().all(|m| m.contains(&payload)), "{messages:?}");
    assert_schema_valid(&sarif, "the SARIF with hostile tags");
    assert_github_accepts(&out.sarif, "the SARIF with hostile tags");
}

// ---------------------------------------------------------------------------------------------
// Markdown and JUnit

/// What a Markdown summary lists: the failing rows under each severity heading, and which
/// collapsed sections are there (the unit and rule tables are checked on their own).
#[derive(Debug)]
struct MarkdownListing {
    failing: BTreeMap<String, usize>,
    /// Failures listed with their remediation.
    remediation: usize,
    inconclusive: bool,
    suppressed: bool,
    passed: bool,
}

fn markdown_listing(md: &str) -> MarkdownListing {
    let mut failing = BTreeMap::new();
    for section in md.split("\n### ").skip(1) {
        let severity = section.split(' ').next().unwrap().to_lowercase();
        if !["critical", "high", "medium", "low", "info"].contains(&severity.as_str()) {
            continue; // the unit and rule tables
        }
        let body = section.split("\n<details>").next().unwrap().split("\n<sub>").next().unwrap();
        // Table rows, less the header row (the separator row starts with `|-`).
        let rows = body.lines().filter(|l| l.starts_with("| ")).count().saturating_sub(1);
        failing.insert(severity, rows);
    }
    MarkdownListing {
        failing,
        remediation: md.lines().filter(|l| l.starts_with("**") && l.contains("** on <code>")).count(),
        inconclusive: md.contains("<details><summary>Inconclusive ("),
        suppressed: md.contains("<details><summary>Suppressed ("),
        passed: md.contains("<details><summary>Passed ("),
    }
}

/// The closing note of a shortened summary (its last line), the number of findings it says
/// are left out and the number of listed failures it says are without their remediation.
fn left_out_note(md: &str) -> Option<(String, usize, usize)> {
    let last = md.trim_end().lines().last()?;
    let sentence = last.strip_prefix("> Left out to fit ")?;
    let after = sentence.split_once(": ")?.1;
    let findings = match after.split_once(" finding(s) (") {
        Some((n, _)) => n.parse().expect("a count of findings"),
        None => 0,
    };
    let remediation = match after.split_once("the remediation of ") {
        Some((_, rest)) => rest.split(' ').next().unwrap().parse().expect("a count of remediations"),
        None => 0,
    };
    Some((last.to_owned(), findings, remediation))
}

/// `65536` → `65,536`, as the note writes limits.
fn with_commas(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Checks a summary against its report: the counts row and headings, failures listed most
/// severe first, and a closing note that counts exactly the findings that are not listed.
/// Returns how many findings are left out.
fn check_markdown_against(md: &str, report: &Value) -> usize {
    let summary = &report["summary"];
    let row = format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        summary["fail"]["critical"],
        summary["fail"]["high"],
        summary["fail"]["medium"],
        summary["fail"]["low"],
        summary["fail"]["info"],
        summary["inconclusive"],
        summary["pass"],
        summary["suppressed"],
        summary["not_applicable"]
    );
    assert!(md.contains(&row), "summary row {row} in:\n{md}");
    check_unit_table(md, report);
    check_rule_table(md, report);
    let listing = markdown_listing(md);
    let mut left_out = 0;
    let mut dropped_a_severity = false;
    for severity in ["critical", "high", "medium", "low", "info"] {
        let n = summary["fail"][severity].as_u64().unwrap() as usize;
        let heading = format!("### {}{} ({n}", severity[..1].to_uppercase(), &severity[1..]);
        assert_eq!(md.contains(&heading), n > 0, "{heading}");
        let listed = listing.failing.get(severity).copied().unwrap_or(0);
        assert!(listed <= n, "{severity}: {listed} of {n}");
        if listed < n {
            assert!(md.contains(&format!("{heading}, {listed} listed)")), "{heading}: says how many are listed");
        }
        assert!(!(dropped_a_severity && listed > 0), "{severity} failures listed while more severe ones are left out");
        dropped_a_severity |= listed < n;
        left_out += n - listed;
    }
    let count = |outcome: &str| report["findings"].as_array().unwrap().iter().filter(|f| f["outcome"] == outcome).count();
    let (mut inconclusive_out, mut suppressed_out, mut passed_out) = (false, false, false);
    for (shown, outcome, out) in [
        (listing.inconclusive, "inconclusive", &mut inconclusive_out),
        (listing.suppressed, "suppressed", &mut suppressed_out),
        (listing.passed, "pass", &mut passed_out),
    ] {
        if !shown && count(outcome) > 0 {
            left_out += count(outcome);
            *out = true;
        }
    }
    let failing_listed: usize = listing.failing.values().sum();
    assert!(listing.remediation <= failing_listed);
    let remediation_out = failing_listed - listing.remediation;
    // What goes, in order: passes, suppressed, inconclusive, remediation (least severe
    // first), failures (least severe first).
    let done = [passed_out || count("pass") == 0, suppressed_out || count("suppressed") == 0, inconclusive_out || count("inconclusive") == 0];
    let begun = [suppressed_out, inconclusive_out, remediation_out > 0 || dropped_a_severity];
    for (i, begun) in begun.into_iter().enumerate() {
        assert!(!begun || done[..=i].iter().all(|d| *d), "left out out of order: step {} begun before {done:?} {listing:?}", i + 1);
    }
    if dropped_a_severity {
        assert_eq!(listing.remediation, 0, "remediation goes before failures do");
    }
    match left_out_note(md) {
        Some((line, n, remediation)) => {
            assert_eq!(n, left_out, "the note counts the findings that are not listed: {line}");
            assert_eq!(remediation, remediation_out, "the note counts the listed failures without remediation: {line}");
            assert!(line.contains("The JSON and HTML reports (`--json`, `--html`) have every finding."), "{line}");
        }
        None => {
            assert_eq!(left_out, 0, "findings are left out without a note");
            assert_eq!(remediation_out, 0, "remediation is left out without a note");
            assert!(!md.contains("Left out to fit"));
        }
    }
    left_out
}

/// The report and the rules it was made with, to render it again through the library.
fn demo_report() -> (report::Report, Value) {
    let out = scan_all(None);
    let json = read_json(&out.json);
    (serde_json::from_value(json.clone()).unwrap(), json)
}

#[test]
fn markdown_of_the_demo_fits_a_pull_request_comment() {
    let out = scan_all(None);
    let report = read_json(&out.json);
    let md = read(&out.markdown);
    assert!(md.starts_with("## trailwarden: o-demo12345\n"));
    let chars = md.chars().count();
    assert!(chars <= report::markdown::GITHUB_COMMENT_LIMIT, "{chars} characters: GitHub refuses a comment over 65,536");
    let left_out = check_markdown_against(&md, &report);
    let (note, ..) = left_out_note(&md).expect("the demo summary is shortened, and says so on its last line");
    assert!(note.contains("GitHub's 65,536-character limit for comments"), "{note}");
    assert!(left_out > 0);

    // In full, the demo's summary would not fit: the budget is what keeps it in.
    let set = trailwarden_core::rules::load_builtin().unwrap();
    let ctx = Context::new(&set, |_| true, "o-demo12345");
    let parsed: report::Report = serde_json::from_value(report.clone()).unwrap();
    let full = report::markdown::render_within(&parsed, &ctx, usize::MAX).unwrap();
    assert!(full.chars().count() > report::markdown::GITHUB_COMMENT_LIMIT, "the demo no longer exercises the limit");
    assert!(left_out_note(&full).is_none());
    // Every critical and high failure is listed with its ARN.
    for f in
        report["findings"].as_array().unwrap().iter().filter(|f| f["outcome"] == "fail" && (f["severity"] == "critical" || f["severity"] == "high"))
    {
        let arn = trailwarden_core::report::markdown::escape(f["resource"]["arn"].as_str().unwrap());
        assert!(md.contains(&format!("<code>{arn}</code>")), "{arn}");
    }
}

#[test]
fn markdown_leaves_out_the_least_severe_failures_last() {
    let (parsed, report) = demo_report();
    let set = trailwarden_core::rules::load_builtin().unwrap();
    let ctx = Context::new(&set, |_| true, "o-demo12345");
    let mut previous_left_out = 0;
    for budget in [40_000, 12_000, 4_000, 2_500] {
        let md = report::markdown::render_within(&parsed, &ctx, budget).unwrap();
        assert!(md.chars().count() <= budget, "{} characters over a budget of {budget}", md.chars().count());
        let left_out = check_markdown_against(&md, &report);
        assert!(left_out >= previous_left_out, "a smaller budget leaves out as much or more");
        previous_left_out = left_out;
        let (note, ..) = left_out_note(&md).expect("a note");
        assert!(note.contains(&format!("to fit a limit of {} characters: ", with_commas(budget))), "{note}");
        let listing = markdown_listing(&md);
        assert!(!listing.passed && !listing.inconclusive, "budget {budget}: {listing:?}");
        // Critical failures are the last thing to go.
        let critical = report["summary"]["fail"]["critical"].as_u64().unwrap() as usize;
        assert_eq!(listing.failing.get("critical").copied().unwrap_or(0), critical, "budget {budget}");
    }
    // At 2,500 characters, failures themselves are left out, the least severe first.
    let md = report::markdown::render_within(&parsed, &ctx, 2_500).unwrap();
    let listing = markdown_listing(&md);
    assert_eq!(listing.remediation, 0);
    assert_eq!(listing.failing.get("info").copied().unwrap_or(0), 0, "{md}");
    assert!(left_out_note(&md).unwrap().0.contains("least severe failing"), "{md}");
}

#[test]
fn markdown_of_a_small_scan_leaves_nothing_out() {
    let snapshot = manifest_dir().join("tests/fixtures/small-account.json");
    let out = scan_all(Some(&snapshot));
    let report = read_json(&out.json);
    let md = read(&out.markdown);
    assert_eq!(check_markdown_against(&md, &report), 0);
    assert!(left_out_note(&md).is_none(), "nothing is left out of a small summary:\n{md}");
    for f in report["findings"].as_array().unwrap().iter().filter(|f| ["fail", "inconclusive", "pass"].contains(&f["outcome"].as_str().unwrap())) {
        let arn = trailwarden_core::report::markdown::escape(f["resource"]["arn"].as_str().unwrap());
        assert!(md.contains(&format!("<code>{arn}</code>")), "{arn} is listed");
    }
    // The fixed report renders the same with and without a budget (and as its snapshot).
    let baseline = fixed_baseline();
    let ctx = fixed_context(&baseline);
    let within = report::markdown::render(&fixed_report(), &ctx).unwrap();
    assert_eq!(within, report::markdown::render_within(&fixed_report(), &ctx, usize::MAX).unwrap());
}

#[test]
fn markdown_escapes_hostile_names_and_pipes() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan_all(Some(&hostile_snapshot(dir.path())));
    let md = read(&out.markdown);
    // Code blocks are shown literally (remediation commands), so only the rest must be escaped.
    let outside_code: String = md.split("\n```").step_by(2).collect::<Vec<_>>().join("\n");
    assert!(!outside_code.contains("<script"), "raw markup in Markdown");
    assert!(!outside_code.contains(BREAKOUT), "raw attribute breakout in Markdown");
    assert!(md.contains("&lt;script&gt;"));
    // Every table row has as many unescaped pipes as its header.
    for table in md.split("\n\n").filter(|block| block.starts_with("| Rule")) {
        let pipes = |line: &str| line.replace("\\|", "").matches('|').count();
        let mut lines = table.lines();
        let header = pipes(lines.next().unwrap());
        for line in lines {
            assert_eq!(pipes(line), header, "a value broke the table: {line}");
        }
    }
}

/// The rows of the Markdown table under `heading` (cells trimmed, header and separator left
/// out), and the paragraph after the table; `None` without the heading.
fn markdown_table(md: &str, heading: &str) -> Option<(Vec<Vec<String>>, String)> {
    let section = md.split(&format!("\n### {heading}\n")).nth(1)?;
    let section = section.split("\n### ").next().unwrap();
    let rows: Vec<Vec<String>> = section
        .lines()
        .filter(|l| l.starts_with("| "))
        .skip(1)
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_owned()).collect())
        .collect();
    let after = section.lines().filter(|l| !l.is_empty() && !l.starts_with('|')).collect::<Vec<_>>().join("\n");
    Some((rows, after))
}

/// Checks the unit table against the report: every unit with failing or inconclusive findings,
/// worst first, its counts; at most 25 rows and a line counting the rest. Returns how many
/// units it lists.
fn check_unit_table(md: &str, report: &Value) -> usize {
    type Tally = (BTreeSet<String>, [usize; 5], usize);
    let mut units: BTreeMap<Option<String>, Tally> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let unit = f["resource"]["organizational_unit"].as_str().map(str::to_owned);
        let tally = units.entry(unit).or_default();
        tally.0.insert(f["resource"]["account"].as_str().unwrap().to_owned());
        match f["outcome"].as_str().unwrap() {
            "fail" => tally.1[["critical", "high", "medium", "low", "info"].iter().position(|s| f["severity"] == *s).unwrap()] += 1,
            "inconclusive" => tally.2 += 1,
            _ => {}
        }
    }
    let Some((rows, after)) = markdown_table(md, "Failures by organizational unit") else {
        assert!(units.keys().all(Option::is_none), "findings carry units, and there is no unit table");
        return 0;
    };
    let mut expected: Vec<(Option<String>, Tally)> = units.into_iter().filter(|(_, t)| t.1.iter().sum::<usize>() + t.2 > 0).collect();
    expected.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(b.1 .2.cmp(&a.1 .2)).then_with(|| a.0.cmp(&b.0)));
    let expected_rows: Vec<Vec<String>> = expected
        .iter()
        .take(25)
        .map(|(unit, (accounts, fail, inconclusive))| {
            let label = report::markdown::escape(unit.as_deref().unwrap_or("(outside any unit)"));
            let mut row = vec![label, accounts.len().to_string()];
            row.extend(fail.iter().map(usize::to_string));
            row.push(inconclusive.to_string());
            row
        })
        .collect();
    assert!(rows.len() <= expected_rows.len());
    assert_eq!(rows, expected_rows[..rows.len()], "the unit table, worst first");
    if rows.len() < expected.len() {
        let more = expected.len() - rows.len();
        assert!(after.starts_with(&format!("{more} more unit(s)")) || (rows.is_empty() && after.starts_with(&more.to_string())), "{after}");
    }
    rows.len()
}

/// Checks the rule table, when there is one, against the report: each rule's failures at each
/// severity, most severe first, with their accounts and the three with the most. Returns how
/// many rows it lists.
fn check_rule_table(md: &str, report: &Value) -> usize {
    let Some((rows, _)) = markdown_table(md, "Failures by rule") else { return 0 };
    let severities = ["critical", "high", "medium", "low", "info"];
    let mut by_rule: BTreeMap<(usize, String), BTreeMap<String, usize>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap().iter().filter(|f| f["outcome"] == "fail") {
        let severity = severities.iter().position(|s| f["severity"] == *s).unwrap();
        *by_rule
            .entry((severity, f["rule_id"].as_str().unwrap().to_owned()))
            .or_default()
            .entry(f["resource"]["account"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let mut expected: Vec<(usize, usize, String, BTreeMap<String, usize>)> =
        by_rule.into_iter().map(|((severity, rule), accounts)| (severity, accounts.values().sum(), rule, accounts)).collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(&b.2)));
    for (row, (severity, failing, rule, accounts)) in rows.iter().zip(&expected) {
        let mut worst: Vec<(&String, &usize)> = accounts.iter().collect();
        worst.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let worst: Vec<String> = worst.iter().take(3).map(|(a, n)| format!("{a} ({n})")).collect();
        let expected_row =
            [report::markdown::escape(rule), severities[*severity].to_owned(), failing.to_string(), accounts.len().to_string(), worst.join(", ")];
        assert_eq!(*row, expected_row);
    }
    assert!(rows.len() <= expected.len());
    rows.len()
}

#[test]
fn markdown_of_a_large_organization_counts_failures_by_rule_and_unit() {
    let scan = large_scan();
    let md = &scan.markdown;
    let chars = md.chars().count();
    assert!(chars <= report::markdown::GITHUB_COMMENT_LIMIT, "{chars} characters");
    let left_out = check_markdown_against(md, &scan.json);
    assert!(left_out > 0);
    assert!(check_unit_table(md, &scan.json) > 25 - 1, "the unit table lists its 25 worst units");
    let rules = check_rule_table(md, &scan.json);
    assert!(rules > 10, "the rule table stands for the failures not listed: {rules} rows");
    let listing = markdown_listing(md);
    assert!(listing.failing.get("critical").copied().unwrap_or(0) > 0, "the most severe failures are still listed one by one");
    // The demo fits without the rule table; the large organization does not.
    let (_, demo) = demo_report();
    let demo_md = report::markdown::render(
        &serde_json::from_value(demo.clone()).unwrap(),
        &Context::new(&trailwarden_core::rules::load_builtin().unwrap(), |_| true, "o-demo12345"),
    )
    .unwrap();
    assert!(!demo_md.contains("### Failures by rule"));
    assert_eq!(check_unit_table(&demo_md, &demo), 6, "the demo's five units and the organization, outside any unit");
}

#[test]
fn terminal_summary_of_a_large_organization_counts_by_rule() {
    let scan = large_scan();
    let terminal = &scan.terminal;
    assert!(terminal.lines().count() < 120, "a screenful, not a line per finding:\n{terminal}");
    assert!(terminal.contains("FAILURES BY ORGANIZATIONAL UNIT"), "{terminal}");
    assert!(terminal.contains("counted by rule"), "{terminal}");
    // Each rule line's count is the report's.
    let findings = scan.json["findings"].as_array().unwrap();
    for line in terminal.lines().filter(|l| l.starts_with("  FAIL ") || l.starts_with("  ? ")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (rule, count): (&str, usize) = (words[1], words[2].parse().unwrap());
        let outcome = if words[0] == "FAIL" { "fail" } else { "inconclusive" };
        let in_report = findings.iter().filter(|f| f["rule_id"] == rule && f["outcome"] == outcome).count();
        assert!(count <= in_report && count > 0, "{line}: {in_report} in the report");
    }
    let summary = terminal.lines().find(|l| l.starts_with("Summary: ")).expect("the summary line");
    assert!(
        summary.contains(&format!("{} failed", scan.json["findings"].as_array().unwrap().iter().filter(|f| f["outcome"] == "fail").count())),
        "{summary}"
    );
}

#[test]
fn junit_has_a_case_per_rule_and_resource() {
    let out = scan_all(None);
    let counts = outcome_counts(&read_json(&out.json));
    let xml = read(&out.junit);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some(counts.total.to_string().as_str()));
    assert_eq!(root.attribute("failures"), Some(counts.fail.to_string().as_str()));
    assert_eq!(root.attribute("errors"), Some(counts.inconclusive.to_string().as_str()));
    assert_eq!(root.attribute("skipped"), Some((counts.not_applicable + counts.suppressed).to_string().as_str()));
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), counts.total);
    let failure = cases
        .iter()
        .find(|c| {
            c.attribute("classname") == Some("CT-IS-LOGGING")
                && c.attribute("name") == Some("arn:aws:cloudtrail:eu-west-1:555555555555:trail/staging-trail")
        })
        .expect("the demo's stopped trail");
    let element = failure.children().find(|n| n.has_tag_name("failure")).expect("a <failure>");
    assert_eq!(element.attribute("type"), Some("high"));
    assert!(element.text().unwrap().contains("aws cloudtrail start-logging"));
    let errors = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("error"))).count();
    assert_eq!(errors, counts.inconclusive);
}

#[derive(Default)]
struct OutcomeCounts {
    total: usize,
    fail: usize,
    pass: usize,
    inconclusive: usize,
    not_applicable: usize,
    suppressed: usize,
}

fn outcome_counts(report: &Value) -> OutcomeCounts {
    let mut c = OutcomeCounts::default();
    for f in report["findings"].as_array().unwrap() {
        c.total += 1;
        match f["outcome"].as_str().unwrap() {
            "fail" => c.fail += 1,
            "pass" => c.pass += 1,
            "inconclusive" => c.inconclusive += 1,
            "not_applicable" => c.not_applicable += 1,
            "suppressed" => c.suppressed += 1,
            other => panic!("unknown outcome {other}"),
        }
    }
    c
}

#[test]
fn junit_escapes_hostile_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan_all(Some(&hostile_snapshot(dir.path())));
    let xml = read(&out.junit);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML despite the names");
    assert!(doc.descendants().any(|n| n.attribute("name").is_some_and(|name| name.contains(SCRIPT) && name.contains(BREAKOUT))));
}

#[test]
fn outputs_can_go_to_stdout_one_at_a_time() {
    let output = trailwarden().args(["scan", "--quiet", "--fail-on", "never", "--sarif", "-", "--snapshot"]).arg(demo()).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    let output =
        trailwarden().args(["scan", "--quiet", "--fail-on", "never", "--sarif", "-", "--markdown", "-", "--snapshot"]).arg(demo()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("only one output"));
}

// ---------------------------------------------------------------------------------------------
// Snapshots of a small fixed report (independent of the rule pack, so new rules do not churn
// them): every outcome, a value with pipes and markup, and a baseline.

fn fixed_finding(rule: &str, outcome: &str, severity: &str, arn: &str, message: &str) -> Value {
    serde_json::json!({
        "rule_id": rule, "title": format!("{rule} title"), "outcome": outcome, "severity": severity,
        "resource": {"arn": arn, "kind": "trail", "account": "111122223333", "region": "us-east-1"},
        "message": message,
        "remediation": if outcome == "fail" { "aws cloudtrail start-logging --name t|x\n```\nnot the end" } else { "" },
        "frameworks": {"cis-aws-foundations-v5.0.0": ["3.1"], "aws-security-hub": ["CloudTrail.1"]}
    })
}

fn fixed_report() -> report::Report {
    let mut suppressed = fixed_finding("X-MFA", "suppressed", "low", "arn:aws:s3:::other", "No MFA delete.");
    suppressed["suppression"] = "legacy bucket (until 2027-03-31)".into();
    // Declared in infrastructure as code: shown at its file and line.
    let mut declared = fixed_finding("X-LOGGING", "fail", "high", "arn:aws:cloudtrail:us-east-1:111122223333:trail/old", "Trail old is not logging.");
    declared["resource"]["location"] = serde_json::json!({"file": "stacks/a|b <x>.yaml", "line": 12, "address": "OldTrail"});
    let value = serde_json::json!({
        "tool": {"name": "trailwarden", "version": "0.0.0-test"},
        "scan": {"started_at": "2026-01-02T03:04:05Z", "finished_at": "2026-01-02T03:04:07Z", "source": "snapshot",
                 "accounts": ["111122223333"], "regions": ["us-east-1"], "incomplete": []},
        "summary": {"fail": {"critical": 1, "high": 1, "medium": 0, "low": 0, "info": 0},
                    "pass": 1, "inconclusive": 1, "not_applicable": 1, "suppressed": 1},
        "findings": [
            fixed_finding("X-LOGGING", "fail", "critical", "arn:aws:cloudtrail:us-east-1:111122223333:trail/a|b<i>", "Trail a|b<i> is *not* logging."),
            declared,
            fixed_finding("X-VALIDATION", "inconclusive", "medium", "arn:aws:cloudtrail:us-east-1:111122223333:trail/a", "Could not read the trail."),
            fixed_finding("X-VALIDATION", "pass", "medium", "arn:aws:cloudtrail:us-east-1:111122223333:trail/old", "Trail old validates."),
            fixed_finding("X-MFA", "not_applicable", "low", "arn:aws:s3:::logs", "Lifecycle rules apply."),
            suppressed
        ]
    });
    serde_json::from_value(value).expect("a report")
}

fn fixed_baseline() -> trailwarden_core::history::Baseline {
    let mut old = fixed_report();
    old.findings.retain(|f| f.resource.arn.ends_with("/old"));
    trailwarden_core::history::Baseline::of(&old)
}

fn fixed_context(baseline: &trailwarden_core::history::Baseline) -> Context<'_> {
    Context { rules: Vec::new(), set: None, scope: "o-fixed".to_owned(), baseline: Some(baseline) }
}

#[test]
fn markdown_snapshot() {
    let baseline = fixed_baseline();
    let md = report::markdown::render(&fixed_report(), &fixed_context(&baseline)).unwrap();
    insta::assert_snapshot!("fixed_markdown", md);
}

#[test]
fn junit_snapshot() {
    let baseline = fixed_baseline();
    let xml = report::junit::render(&fixed_report(), &fixed_context(&baseline)).unwrap();
    roxmltree::Document::parse(&xml).expect("well-formed XML");
    insta::assert_snapshot!("fixed_junit", xml);
}

#[test]
fn sarif_snapshot_with_baseline_states() {
    let baseline = fixed_baseline();
    let text = report::sarif::render(&fixed_report(), &fixed_context(&baseline)).unwrap();
    let sarif: Value = serde_json::from_str(&text).unwrap();
    assert_schema_valid(&sarif, "the fixed SARIF");
    let states: Vec<&str> = sarif["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["baselineState"].as_str().unwrap()).collect();
    assert_eq!(states, ["new", "unchanged", "new"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixed.sarif");
    std::fs::write(&path, &text).unwrap();
    assert_github_accepts(&path, "the fixed SARIF");
    insta::assert_json_snapshot!("fixed_sarif", sarif);
}
