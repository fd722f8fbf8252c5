//! The report formats end to end: SARIF (checked against the SARIF 2.1.0 schema and by
//! Microsoft's SARIF multitool with GitHub's rules), HTML (in headless Chromium), Markdown and
//! JUnit, on the demo organization and on a snapshot with hostile names.
//!
//! External tools are required, never skipped: a missing tool fails the test with the command
//! that installs it (`.ci/run` installs both).

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use trailwarden::report::{self, Context};

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

/// The hostile strings: markup in a trail name and an attribute breakout in a tag.
const SCRIPT: &str = "<script>alert(1)</script>";
const BREAKOUT: &str = "\" onerror=\"alert(1)";

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

fn add_hostile_tags(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(tags)) = map.get_mut("tags") {
                tags.insert(SCRIPT.to_owned(), Value::from(BREAKOUT));
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
    html: PathBuf,
    markdown: PathBuf,
    junit: PathBuf,
    json: PathBuf,
}

/// Scans a snapshot once, writing every format.
fn scan_all(snapshot: Option<&Path>) -> Outputs {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot.map(Path::to_owned).unwrap_or_else(demo);
    let out = |name: &str| dir.path().join(name);
    trailwarden()
        .args(["scan", "--quiet", "--fail-on", "never", "--snapshot"])
        .arg(&snapshot)
        .arg("--sarif")
        .arg(out("report.sarif"))
        .arg("--html")
        .arg(out("report.html"))
        .arg("--markdown")
        .arg(out("summary.md"))
        .arg("--junit")
        .arg(out("junit.xml"))
        .arg("--json")
        .arg(out("report.json"))
        .assert()
        .code(0);
    Outputs {
        sarif: out("report.sarif"),
        html: out("report.html"),
        markdown: out("summary.md"),
        junit: out("junit.xml"),
        json: out("report.json"),
        _dir: dir,
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// SARIF validation

/// The SARIF 2.1.0 schema GitHub's upload action uses, from ../shared beside the repository.
fn sarif_schema() -> Value {
    let path = manifest_dir().join("../shared/sarif/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the SARIF schema is missing at {} ({e}). It lives in the shared folder beside the repository \
             (../shared/sarif/); CI provides it. This test does not skip without it.",
            path.display()
        )
    });
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

fn assert_schema_valid(sarif: &Value, what: &str) {
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} violates the SARIF 2.1.0 schema:\n{}", errors.join("\n"));
}

/// The multitool binary: $SARIF_MULTITOOL, else the copy `.ci/run` installs under .ci/node.
fn multitool() -> PathBuf {
    if let Some(path) = std::env::var_os("SARIF_MULTITOOL") {
        return PathBuf::from(path);
    }
    let path = manifest_dir().join(".ci/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    assert!(
        path.is_file(),
        "the SARIF multitool is not installed at {}. Install it with\n  \
         npm install --prefix .ci/node --no-audit --no-fund @microsoft/sarif-multitool\n\
         (or run `bash .ci/run`), or point SARIF_MULTITOOL at a Sarif.Multitool binary. This test does not skip without it.",
        path.display()
    );
    path
}

/// Runs `Sarif.Multitool validate` with GitHub's rules and returns its findings as
/// (level, rule id, message). Its exit code is 0 whatever it finds, so its output is read.
fn multitool_findings(sarif: &Path) -> Vec<(String, String, String)> {
    let config = manifest_dir().join("../shared/sarif/github.config.xml");
    assert!(config.is_file(), "GitHub's multitool config is missing at {}; CI provides ../shared/sarif/", config.display());
    let dir = tempfile::tempdir().unwrap();
    let output_path = dir.path().join("validation.sarif");
    let output = std::process::Command::new(multitool())
        .arg("validate")
        .args(["--rule-kind", "Sarif;Ghas", "--config"])
        .arg(&config)
        .arg("--output")
        .arg(&output_path)
        .args(["--log", "ForceOverwrite", "--sarif-output-version", "Current"])
        .arg(sarif)
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
            findings.push((level, rule, result["message"].to_string()));
        }
    }
    findings
}

fn assert_github_accepts(path: &Path, what: &str) -> usize {
    let findings = multitool_findings(path);
    let errors: Vec<_> = findings.iter().filter(|(level, ..)| level == "error").collect();
    assert!(errors.is_empty(), "the multitool finds {} error(s) in {what}:\n{errors:#?}", errors.len());
    findings.len()
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn demo_sarif_passes_the_schema_and_githubs_rules() {
    let out = scan_all(None);
    let sarif = read_json(&out.sarif);
    assert_schema_valid(&sarif, "the demo SARIF");
    let warnings = assert_github_accepts(&out.sarif, "the demo SARIF");
    eprintln!("multitool: 0 errors, {warnings} warning(s)/note(s) on the demo SARIF");
}

#[test]
fn hostile_sarif_passes_the_schema_and_githubs_rules() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan_all(Some(&hostile_snapshot(dir.path())));
    let sarif = read_json(&out.sarif);
    assert_schema_valid(&sarif, "the hostile SARIF");
    assert_github_accepts(&out.sarif, "the hostile SARIF");
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
    let builtin = trailwarden::rules::load_builtin().unwrap();
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
        .map(|r| (r["ruleId"].as_str().unwrap().to_owned(), r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(results.len(), expected.len());

    for r in results {
        let (rule, arn) = (r["ruleId"].as_str().unwrap(), r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap());
        let physical = &r["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("aws/") && !uri.contains(':'), "{uri}");
        assert_eq!(uri.split('/').count() >= 5, true, "{uri}");
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
    let template = report.findings.iter().find(|f| f.outcome == trailwarden::findings::Outcome::Fail).unwrap().clone();
    report.findings = (0..n)
        .map(|i| {
            let mut f = template.clone();
            f.resource.arn = format!("arn:aws:cloudtrail:eu-west-1:555555555555:trail/t{i}");
            f
        })
        .collect();
    report
}

#[test]
fn sarif_over_githubs_result_limit_is_an_error_with_advice() {
    let set = trailwarden::rules::load_builtin().unwrap();
    let ctx = Context::new(&set, |_| true, "o-test");
    let at_limit = report_with_failures(report::sarif::MAX_RESULTS_PER_RUN);
    let text = report::sarif::render(&at_limit, &ctx).expect("exactly at the limit is accepted");
    let gzipped = report::sarif::gzipped_len(text.as_bytes());
    eprintln!("{} results: {} bytes, {} bytes gzipped", report::sarif::MAX_RESULTS_PER_RUN, text.len(), gzipped);
    assert!(gzipped < report::sarif::MAX_GZIPPED_BYTES);

    let over = report_with_failures(report::sarif::MAX_RESULTS_PER_RUN + 1);
    let err = report::sarif::render(&over, &ctx).unwrap_err().to_string();
    assert!(err.contains("25001 results") && err.contains("25000"), "{err}");
    assert!(err.contains("--regions") && err.contains("--accounts"), "{err}");
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
// HTML

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(output) = std::process::Command::new("which").arg(name).output() {
            if output.status.success() {
                return PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
            }
        }
    }
    panic!(
        "headless Chromium is not installed. Install it with\n  \
         sudo apt-get update && sudo apt-get install -y chromium\n(or run `bash .ci/run`). This test does not skip without it."
    );
}

/// Loads a page in headless Chromium; returns (dumped DOM, console lines).
fn chromium_dom(page: &Path, screenshot: Option<&Path>) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1400,2000",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()));
    match screenshot {
        Some(png) => cmd.arg(format!("--screenshot={}", png.display())),
        None => cmd.arg("--dump-dom"),
    };
    let output = cmd.arg(format!("file://{}", page.display())).output().expect("chromium runs");
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    let console = String::from_utf8_lossy(&output.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(str::to_owned).collect();
    (String::from_utf8_lossy(&output.stdout).into_owned(), console)
}

#[test]
fn html_is_self_contained() {
    let out = scan_all(None);
    let html = read(&out.html);
    for forbidden in ["<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", " src=", "srcset="] {
        assert!(!html.contains(forbidden), "the report references something outside itself: {forbidden}");
    }
    // URLs appear only as the text of rule references, never in an attribute.
    let lower = html.to_lowercase();
    for attribute in ["href=\"http", "href=\"//", "action=", "href='http"] {
        assert!(!lower.contains(attribute), "external URL in an attribute: {attribute}");
    }
    let urls = html.matches("https://").count() + html.matches("http://").count();
    let in_references = html.matches("<span class=\"ref\">https://").count() + html.matches("<span class=\"ref\">http://").count();
    assert_eq!(urls, in_references, "every URL is a reference shown as text");
}

#[test]
fn html_loads_without_console_errors_and_shows_the_summary() {
    let out = scan_all(None);
    let html = read(&out.html);
    for label in ["critical", "high", "medium", "low", "inconclusive", "passed", "not applicable"] {
        assert!(html.contains(&format!("<div class=\"l\">{label}</div>")), "summary card {label}");
    }
    let counts = outcome_counts(&read_json(&out.json));
    let (dom, console) = chromium_dom(&out.html, None);
    assert!(console.is_empty(), "console output while loading the report:\n{}", console.join("\n"));
    assert!(dom.contains("data-report-ready=\"true\""), "the inline script did not finish");
    let shown = format!("{} of {} finding(s)", counts.fail + counts.inconclusive, counts.total);
    assert!(dom.contains(&shown), "the filter script shows the failing and inconclusive findings: {shown}");

    let png = out.html.with_extension("png");
    chromium_dom(&out.html, Some(&png));
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000, "screenshot of {} bytes", bytes.len());
    if let Some(keep) = std::env::var_os("TRAILWARDEN_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
}

#[test]
fn hostile_names_render_inert_in_html() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan_all(Some(&hostile_snapshot(dir.path())));
    let html = read(&out.html);
    assert!(!html.contains(SCRIPT), "raw markup from the snapshot");
    assert!(!html.contains(BREAKOUT), "raw attribute breakout from the snapshot");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"), "the hostile name is shown, escaped");
    assert_eq!(html.matches("<script").count(), 1, "only the report's own script");

    let (dom, console) = chromium_dom(&out.html, None);
    assert!(console.is_empty(), "console output:\n{}", console.join("\n"));
    assert!(dom.contains("data-report-ready=\"true\""));
    let tags = tags_of(&dom);
    assert_eq!(tags.iter().filter(|(name, _)| name == "script").count(), 1, "an injected script element exists in the DOM");
    let handlers: Vec<_> = tags.iter().filter(|(_, attrs)| attrs.iter().any(|a| a.starts_with("on"))).collect();
    assert!(handlers.is_empty(), "injected event handler attributes in the DOM: {handlers:?}");
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the name is text in the DOM");
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
// Markdown and JUnit

#[test]
fn markdown_summary_of_the_demo() {
    let out = scan_all(None);
    let report = read_json(&out.json);
    let summary = &report["summary"];
    let md = read(&out.markdown);
    assert!(md.starts_with("## trailwarden: o-demo12345\n"));
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
    for severity in ["critical", "high", "medium", "low", "info"] {
        let n = summary["fail"][severity].as_u64().unwrap();
        let heading = format!("### {}{} ({n})", severity[..1].to_uppercase(), &severity[1..]);
        assert_eq!(md.contains(&heading), n > 0, "{heading}");
    }
    assert!(md.contains(&format!("<details><summary>Passed ({})</summary>", summary["pass"])));
    // Every failing finding is listed with its ARN.
    for f in report["findings"].as_array().unwrap().iter().filter(|f| f["outcome"] == "fail") {
        let arn = trailwarden::report::markdown::escape(f["resource"]["arn"].as_str().unwrap());
        assert!(md.contains(&format!("<code>{arn}</code>")), "{arn}");
    }
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
        .find(|c| c.attribute("classname") == Some("CT-IS-LOGGING") && c.attribute("name") == Some("arn:aws:cloudtrail:eu-west-1:555555555555:trail/staging-trail"))
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

    let output = trailwarden()
        .args(["scan", "--quiet", "--fail-on", "never", "--sarif", "-", "--markdown", "-", "--snapshot"])
        .arg(demo())
        .output()
        .unwrap();
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
    let value = serde_json::json!({
        "tool": {"name": "trailwarden", "version": "0.0.0-test"},
        "scan": {"started_at": "2026-01-02T03:04:05Z", "finished_at": "2026-01-02T03:04:07Z", "source": "snapshot",
                 "accounts": ["111122223333"], "regions": ["us-east-1"], "incomplete": []},
        "summary": {"fail": {"critical": 1, "high": 1, "medium": 0, "low": 0, "info": 0},
                    "pass": 1, "inconclusive": 1, "not_applicable": 1, "suppressed": 1},
        "findings": [
            fixed_finding("X-LOGGING", "fail", "critical", "arn:aws:cloudtrail:us-east-1:111122223333:trail/a|b<i>", "Trail a|b<i> is *not* logging."),
            fixed_finding("X-LOGGING", "fail", "high", "arn:aws:cloudtrail:us-east-1:111122223333:trail/old", "Trail old is not logging."),
            fixed_finding("X-VALIDATION", "inconclusive", "medium", "arn:aws:cloudtrail:us-east-1:111122223333:trail/a", "Could not read the trail."),
            fixed_finding("X-VALIDATION", "pass", "medium", "arn:aws:cloudtrail:us-east-1:111122223333:trail/old", "Trail old validates."),
            fixed_finding("X-MFA", "not_applicable", "low", "arn:aws:s3:::logs", "Lifecycle rules apply."),
            suppressed
        ]
    });
    serde_json::from_value(value).expect("a report")
}

fn fixed_baseline() -> trailwarden::history::Baseline {
    let mut old = fixed_report();
    old.findings.retain(|f| f.resource.arn.ends_with("/old"));
    trailwarden::history::Baseline::of(&old)
}

fn fixed_context(baseline: &trailwarden::history::Baseline) -> Context<'_> {
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
