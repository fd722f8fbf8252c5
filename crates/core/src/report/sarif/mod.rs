//! SARIF 2.1.0 for GitHub code scanning (docs/architecture.md §8).
//!
//! GitHub was built for source code, and rejects a whole upload when any result lacks a
//! repo-relative file location. Cloud resources have none, so each result points at a
//! synthetic path `aws/<account>/<region|global>/<service>/<resource>` (line 1), and carries
//! the real identity (ARN, account, region) in its message, its logical locations and its
//! properties. Only failing and inconclusive findings are results: GitHub opens an alert for
//! every result and closes the alerts that a later upload of the same category no longer has,
//! so a fixed resource closes its alert by itself.
//!
//! Two forms. `--sarif FILE` writes one run, and refuses to write a file over GitHub's
//! limits. `--sarif DIR/` writes the directory form ([`directory`]): one run per
//! organizational unit (or shard of a large one), each with its own category, in as many
//! files as GitHub's limits require ([`split`]).

mod directory;
mod results;
mod rules;
pub mod split;

pub use directory::{render_directory, SarifFile};
pub use results::{artifact_path, fingerprint};
pub use split::Limits;

use super::{Context, DirectoryFormat, Format, OutputFile, Rendered, Report, ReportError};
use crate::findings::{Finding, Outcome, Severity};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde_json::json;
use serde_sarif::sarif::{Message, PropertyBag, ResultLevel, Run, RunAutomationDetails, Sarif, Tool, ToolComponent};
use std::collections::BTreeMap;

/// GitHub's documented upload limits: it rejects a run with more results, a file with more
/// runs, a larger file (gzipped) or a rule with more tags.
pub const MAX_RESULTS_PER_RUN: usize = 25_000;
pub const MAX_RUNS_PER_FILE: usize = 20;
pub const MAX_GZIPPED_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_TAGS_PER_RULE: usize = 20;
/// GitHub accepts up to [`MAX_RESULTS_PER_RUN`] results in a run but keeps only the 5,000 most
/// severe of them ("data truncation limits" in GitHub's SARIF documentation).
pub const STORED_RESULTS_PER_RUN: usize = 5_000;
/// The results per run and runs per file that Microsoft's SARIF validator (the multitool,
/// which GitHub's documentation points to for checking a file) allows with GitHub's rules
/// (GH1004): older, stricter limits than GitHub's own. The directory form keeps to them, so
/// that every file passes the validator and GitHub stores every result.
pub const VALIDATOR_RESULTS_PER_RUN: usize = 1_000;
pub const VALIDATOR_RUNS_PER_FILE: usize = 5;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where users learn about the tool (SARIF `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/trailwarden/trailwarden";

/// Characters kept as they are in a path segment: RFC 3986 unreserved. Everything else (`:`
/// and `/` of ARNs, spaces, `%`, markup) is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Renders the report as a SARIF log with one run, or explains which GitHub limit it would
/// break.
pub fn render(report: &Report, ctx: &Context) -> Result<String, ReportError> {
    let findings: Vec<&Finding> = report.findings.iter().filter(|f| is_result(f.outcome)).collect();
    check_result_count(findings.len())?;
    let identity = RunIdentity { id: automation_id(&ctx.scope), description: None, properties: run_properties(report) };
    let log = Sarif::builder().schema(SCHEMA_URI).version(json!("2.1.0")).runs(vec![run(report, ctx, &findings, identity)]).build();
    let mut text = escape_markup(serde_json::to_string_pretty(&log)?);
    text.push('\n');
    check_size(&text)?;
    Ok(text)
}

/// What sets a run apart from the other runs of an upload: its `automationDetails` (the
/// category GitHub files its alerts under) and its properties.
struct RunIdentity {
    id: String,
    description: Option<String>,
    properties: BTreeMap<String, serde_json::Value>,
}

/// One run: every rule that ran, the results of `findings` and their logical locations.
fn run(report: &Report, ctx: &Context, findings: &[&Finding], identity: RunIdentity) -> Run {
    let (results, logical_locations) = results::results(findings, ctx);
    let driver = ToolComponent::builder()
        .name("trailwarden")
        .version(report.tool.version.clone())
        .semantic_version(report.tool.version.clone())
        .information_uri(INFORMATION_URI)
        .rules(rules::descriptors(ctx))
        .build();
    let mut automation = RunAutomationDetails::builder().id(identity.id).build();
    automation.description = identity.description.map(|text| Message::builder().text(text).build());
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(automation)
        .column_kind(json!("utf16CodeUnits"))
        .results(results)
        .properties(PropertyBag::builder().additional_properties(identity.properties).build())
        .build();
    // An empty array would only say "no logical locations"; the schema's default already does.
    run.logical_locations = Some(logical_locations).filter(|l| !l.is_empty());
    run
}

/// Outcomes that become results. Inconclusive ones do (as notes): a control that could not be
/// checked is something to look at. Passes, suppressions and not-applicable ones do not.
fn is_result(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Fail | Outcome::Inconclusive)
}

/// The code scanning category: one per organization (or account), so that scans of different
/// scopes uploaded to one repository do not close each other's alerts.
pub fn automation_id(scope: &str) -> String {
    let scope: String = scope.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let scope = if scope.is_empty() { "unknown" } else { &scope };
    format!("trailwarden/{scope}/")
}

pub fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's numeric `security-severity`: > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
/// 0.1–3.9 low. Info is 1.0, not 0.0: GitHub shows a score under 0.1 as no security severity
/// at all and falls back to the plain warning/note level, which would hide that the finding
/// belongs to the security view; 1.0 keeps it there, at the bottom of "low".
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Info => "1.0",
    }
}

/// JSON with `<`, `>` and `&` written as `\u003c`, `\u003e` and `\u0026`: the same JSON, but
/// names from a snapshot (markup in a trail name or tag) never appear as markup in the file,
/// should anything show it as HTML. These characters only occur inside JSON strings, where
/// the escapes mean exactly them.
fn escape_markup(json: String) -> String {
    const MARKUP: [char; 3] = ['<', '>', '&'];
    if !json.contains(MARKUP) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 64);
    let mut rest = json.as_str();
    while let Some(at) = rest.find(MARKUP) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            _ => "\\u0026",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}

/// The scan as a whole, in every run's properties (a run of the directory form replaces
/// `accounts` with its own).
fn run_properties(report: &Report) -> BTreeMap<String, serde_json::Value> {
    let mut properties = BTreeMap::new();
    properties.insert("accounts".to_owned(), json!(report.scan.accounts));
    properties.insert("regions".to_owned(), json!(report.scan.regions));
    properties.insert("incompleteFacts".to_owned(), json!(report.scan.incomplete.len()));
    properties.insert("summary".to_owned(), json!(report.summary));
    properties
}

const ADVICE: &str = "write the directory form instead (`--sarif DIR/`): as many SARIF files as GitHub's limits \
    require, one category per organizational unit, each file uploaded on its own (docs/github-actions.md). \
    Or narrow the scan: fewer regions (--regions), part of the organization (--accounts) per upload, \
    or low-severity rules disabled in the config file (disabled_rules)";

fn check_result_count(count: usize) -> Result<(), ReportError> {
    if count > MAX_RESULTS_PER_RUN {
        return Err(ReportError::SarifLimit(format!(
            "the SARIF file would have {count} results; GitHub code scanning accepts at most {MAX_RESULTS_PER_RUN} per run \
             and rejects the whole upload beyond that. No SARIF file was written; {ADVICE}"
        )));
    }
    Ok(())
}

/// GitHub measures the gzipped upload. JSON compresses well, so the gzip is only computed for
/// files that are large enough to possibly exceed the limit.
fn check_size(text: &str) -> Result<(), ReportError> {
    if text.len() <= MAX_GZIPPED_BYTES {
        return Ok(());
    }
    let gzipped = gzipped_len(text.as_bytes());
    if gzipped > MAX_GZIPPED_BYTES {
        return Err(ReportError::SarifLimit(format!(
            "the SARIF file would be {gzipped} bytes gzipped; GitHub code scanning accepts at most {MAX_GZIPPED_BYTES} \
             (10 MB) and rejects larger uploads. No SARIF file was written; {ADVICE}"
        )));
    }
    Ok(())
}

/// The gzipped size of `bytes` at gzip's default level, as GitHub's upload action compresses.
pub fn gzipped_len(bytes: &[u8]) -> usize {
    use flate2::write::GzEncoder;
    use std::io::Write;
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail; a failure would only make the check conservative.
    if encoder.write_all(bytes).is_err() {
        return usize::MAX;
    }
    encoder.finish().map_or(usize::MAX, |v| v.len())
}

/// The `--sarif` format: one file, or with a directory the directory form.
#[derive(Debug)]
pub struct SarifFormat;

impl Format for SarifFormat {
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError> {
        render(report, ctx).map(Rendered::Text)
    }

    fn directory(&self) -> Option<&dyn DirectoryFormat> {
        Some(self)
    }
}

impl DirectoryFormat for SarifFormat {
    fn render_files<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Vec<OutputFile<'a>>, ReportError> {
        let files = render_directory(report, ctx, &Limits::GITHUB)?;
        Ok(files
            .into_iter()
            .map(|file| OutputFile { name: file.name.clone(), content: Rendered::Streamed(Box::new(move |out| file.write_to(out))) })
            .collect())
    }

    fn owns(&self, file_name: &str) -> bool {
        split::is_file_name(file_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_inside_json_strings() {
        let json = serde_json::to_string(&json!({"a<b>": "<i>&\"</i>"})).unwrap();
        let escaped = escape_markup(json);
        assert!(!escaped.contains(['<', '>', '&']), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, json!({"a<b>": "<i>&\"</i>"}));
    }

    #[test]
    fn info_is_low_not_none_on_github() {
        let score: f64 = security_severity(Severity::Info).parse().unwrap();
        assert!(score >= 0.1);
    }
}
