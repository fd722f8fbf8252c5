//! SARIF 2.1.0 for GitHub code scanning (docs/architecture.md §8).
//!
//! GitHub was built for source code, and rejects a whole upload when any result lacks a
//! repo-relative file location. Cloud resources have none, so each result points at a
//! synthetic path `aws/<account>/<region|global>/<service>/<resource>` (line 1), and carries
//! the real identity (ARN, account, region) in its message, its logical locations and its
//! properties. Only failing and inconclusive findings are results: GitHub opens an alert for
//! every result and closes the alerts that a later upload of the same category no longer has,
//! so a fixed resource closes its alert by itself.

use super::{Context, Format, Rendered, Report, ReportError};
use crate::findings::{Finding, Outcome, Severity};
use crate::history::BaselineStatus;
use crate::rules::{frameworks, Rule};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// GitHub's documented upload limits.
pub const MAX_RESULTS_PER_RUN: usize = 25_000;
pub const MAX_GZIPPED_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_TAGS_PER_RULE: usize = 20;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where users learn about the tool (SARIF `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/trailwarden/trailwarden";

/// Characters kept as they are in a path segment: RFC 3986 unreserved. Everything else (`:`
/// and `/` of ARNs, spaces, `%`, markup) is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Renders the report as a SARIF log with one run, or explains which GitHub limit it would
/// break.
pub fn render(report: &Report, ctx: &Context) -> Result<String, ReportError> {
    let results: Vec<&Finding> = report.findings.iter().filter(|f| is_result(f.outcome)).collect();
    check_result_count(results.len())?;
    let rules: Vec<&Rule> = ctx.rules.clone();
    let rule_index: BTreeMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let mut tree = LogicalTree::default();
    let sarif_results: Vec<SarifResult> =
        results.iter().map(|f| result(f, rule_index.get(f.rule_id.as_str()).copied(), tree.resource(f), ctx)).collect();

    let driver = ToolComponent::builder()
        .name("trailwarden")
        .version(report.tool.version.clone())
        .semantic_version(report.tool.version.clone())
        .information_uri(INFORMATION_URI)
        .rules(rules.iter().map(|r| rule_descriptor(r, ctx)).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(RunAutomationDetails::builder().id(automation_id(&ctx.scope)).build())
        .column_kind(json!("utf16CodeUnits"))
        .results(sarif_results)
        .properties(run_properties(report))
        .build();
    let mut run = run;
    // An empty array would only say "no logical locations"; the schema's default already does.
    run.logical_locations = Some(tree.locations).filter(|l| !l.is_empty());
    let log = Sarif::builder().schema(SCHEMA_URI).version(json!("2.1.0")).runs(vec![run]).build();

    let mut text = escape_markup(serde_json::to_string_pretty(&log)?);
    text.push('\n');
    check_size(&text)?;
    Ok(text)
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

fn rule_descriptor(rule: &Rule, ctx: &Context) -> ReportingDescriptor {
    let description = first_paragraph(&rule.description);
    let mut properties = BTreeMap::new();
    properties.insert("security-severity".to_owned(), json!(security_severity(rule.severity)));
    properties.insert("precision".to_owned(), json!("very-high"));
    properties.insert("severity".to_owned(), json!(rule.severity.as_str()));
    properties.insert("scope".to_owned(), json!(rule.scope.variable()));
    let mut descriptor = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(pascal_case(&rule.id))
        .short_description(text_message(&rule.title))
        .full_description(text_message(if description.is_empty() { &rule.title } else { &description }))
        .help(MultiformatMessageString::builder().text(help_text(rule, ctx)).markdown(help_markdown(rule, ctx)).build())
        .default_configuration(ReportingConfiguration::builder().level(json!(level(rule.severity).to_string())).build())
        .properties(PropertyBag::builder().tags(rule_tags(rule)).additional_properties(properties).build())
        .build();
    descriptor.help_uri = rule.references.iter().find(|r| r.starts_with("https://") || r.starts_with("http://")).cloned();
    descriptor
}

fn text_message(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text.to_owned()).build()
}

/// `security` first (GitHub's security view keys on it), then framework ids; at most 20.
fn rule_tags(rule: &Rule) -> Vec<String> {
    std::iter::once("security".to_owned()).chain(rule.frameworks.keys().cloned()).take(MAX_TAGS_PER_RULE).collect()
}

/// The description up to its first blank line, on one line (GitHub shows it in alert lists).
fn first_paragraph(text: &str) -> String {
    text.trim().split("\n\n").next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `CT-LOG-FILE-VALIDATION` → `CtLogFileValidation`: SARIF names are identifiers, not ids.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn help_text(rule: &Rule, ctx: &Context) -> String {
    let mut text = format!("{}\n\n{}", rule.title, rule.description.trim());
    if let Some(remediation) = ctx.remediation_source(rule) {
        text.push_str(&format!("\n\nRemediation:\n{}", remediation.trim_end()));
    }
    if !rule.references.is_empty() {
        text.push_str(&format!("\n\nReferences:\n{}", rule.references.join("\n")));
    }
    text
}

/// Rule help as GitHub shows it on an alert: description (already Markdown), the remediation
/// template in a code block, framework controls and references.
fn help_markdown(rule: &Rule, ctx: &Context) -> String {
    let mut md = format!("**{}**\n\n{}\n", rule.title, rule.description.trim());
    if let Some(remediation) = ctx.remediation_source(rule) {
        let fence = "`".repeat(remediation.split(|c| c != '`').map(str::len).max().unwrap_or(0).max(2) + 1);
        md.push_str(&format!(
            "\n### Remediation\n\nValues in `{{{{ }}}}` are filled in for each resource in the alert's message and in the HTML and JSON reports.\n\n{fence}text\n{}\n{fence}\n",
            remediation.trim_end()
        ));
    }
    if !rule.frameworks.is_empty() {
        md.push_str("\n### Frameworks\n\n");
        for (id, controls) in rule.frameworks.iter() {
            md.push_str(&format!("- {}: {}\n", frameworks::display_name(id).unwrap_or(id), controls.join(", ")));
        }
    }
    if !rule.references.is_empty() {
        md.push_str("\n### References\n\n");
        for reference in &rule.references {
            md.push_str(&format!("- <{reference}>\n"));
        }
    }
    md.push_str(&format!("\nRule file: `{}`\n", rule.path.display()));
    md
}

/// The severity GitHub shows for one result. A failure shows at its own severity, which an
/// escalation may have raised above the rule's; an inconclusive outcome (a note: nothing was
/// found wrong, a fact could not be read) shows as low, whatever the rule's severity.
fn result_security_severity(f: &Finding) -> &'static str {
    match f.outcome {
        Outcome::Inconclusive => security_severity(Severity::Info),
        _ => security_severity(f.severity),
    }
}

fn result(f: &Finding, rule_index: Option<usize>, logical: LogicalLocation, ctx: &Context) -> SarifResult {
    let level = if f.outcome == Outcome::Inconclusive { ResultLevel::Note } else { level(f.severity) };
    let mut properties = BTreeMap::new();
    properties.insert("outcome".to_owned(), json!(f.outcome.as_str()));
    properties.insert("severity".to_owned(), json!(f.severity.as_str()));
    // GitHub documents `security-severity` on rules, and its code scanning team states that a
    // result's own value overrides the rule's: an escalated failure then shows at its own
    // severity, not the rule's base one. Where GitHub reads only the rule's, the result's
    // `level` still reflects the escalation.
    properties.insert("security-severity".to_owned(), json!(result_security_severity(f)));
    properties.insert("arn".to_owned(), json!(f.resource.arn));
    properties.insert("account".to_owned(), json!(f.resource.account));
    properties.insert("region".to_owned(), json!(f.resource.region));
    properties.insert("resourceKind".to_owned(), json!(f.resource.kind.as_str()));
    let mut result = SarifResult::builder()
        .rule_id(f.rule_id.clone())
        .level(level)
        .message(Message::builder().text(result_message(f)).build())
        .locations(vec![location(f, logical)])
        .partial_fingerprints(BTreeMap::from([("primaryLocationLineHash".to_owned(), fingerprint(&f.rule_id, &f.resource.arn))]))
        .properties(PropertyBag::builder().additional_properties(properties).build())
        .build();
    // Set after building: the typed builder changes type with each setter.
    result.rule_index = rule_index.map(|i| i as i64);
    result.related_locations = ctx.rule(&f.rule_id).map(|rule| vec![rule_file_location(rule)]);
    if let Some(state) = ctx.baseline_status(f) {
        // GitHub ignores baselineState, so results for findings that were fixed since the
        // baseline ("absent") are not written: GitHub would open an alert for each of them.
        // GitHub closes those alerts itself when the next upload no longer has the result.
        let state = match state {
            BaselineStatus::New => "new",
            BaselineStatus::Existing => "unchanged",
        };
        result.baseline_state = Some(json!(state));
    }
    result
}

/// The message names the resource in full: on GitHub the synthetic path is the only other
/// clue, and it is percent-encoded.
fn result_message(f: &Finding) -> String {
    let mut text = f.message.trim().to_owned();
    if text.is_empty() {
        text = f.title.to_string();
    }
    text.push_str(&format!(
        "\n\nResource: {} ({})\nAccount: {}\nRegion: {}",
        f.resource.arn,
        f.resource.kind.as_str(),
        f.resource.account,
        f.resource.region
    ));
    if f.outcome == Outcome::Inconclusive {
        text.push_str("\nOutcome: inconclusive (a fact could not be read; this is not a pass)");
    }
    let remediation = f.remediation.trim();
    if !remediation.is_empty() {
        text.push_str(&format!("\n\nRemediation:\n{remediation}"));
    }
    text
}

fn location(f: &Finding, logical: LogicalLocation) -> Location {
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(artifact_path(f)).build())
        .region(Region::builder().start_line(1).build())
        .build();
    Location::builder().physical_location(physical).logical_locations(vec![logical]).build()
}

/// The run's logical locations (SARIF §3.33): each account, each of its regions (or `global`)
/// and each resource in them, once, nested by `parentIndex` (resource → region → account).
/// A result's logical location is its resource's entry, referenced by `index`.
///
/// Kinds are SARIF's own where one fits: an account and a region are `namespace`s (they
/// qualify every ARN in them), a cloud resource is a `resource`. What the AWS thing is
/// (account, region, trail, bucket, ...) is in each entry's `resourceKind` property.
#[derive(Default)]
struct LogicalTree {
    locations: Vec<LogicalLocation>,
    accounts: HashMap<String, usize>,
    regions: HashMap<(usize, String), usize>,
    resources: HashMap<(usize, String), usize>,
}

impl LogicalTree {
    /// The entry of a finding's resource (added with its region and account when new), as a
    /// result's logical location: a reference by index that repeats the entry's names.
    fn resource(&mut self, f: &Finding) -> LogicalLocation {
        let account = non_empty(&f.resource.account, "unknown-account").to_owned();
        let region = non_empty(&f.resource.region, "global").to_owned();
        let account_index = match self.accounts.get(&account) {
            Some(&i) => i,
            None => {
                let i = self.push(&account, &account, "namespace", "account", None);
                self.accounts.insert(account.clone(), i);
                i
            }
        };
        let region_index = match self.regions.get(&(account_index, region.clone())) {
            Some(&i) => i,
            None => {
                let i = self.push(&region, &format!("{account}/{region}"), "namespace", "region", Some(account_index));
                self.regions.insert((account_index, region), i);
                i
            }
        };
        let arn = &f.resource.arn;
        let index = match self.resources.get(&(region_index, arn.clone())) {
            Some(&i) => i,
            None => {
                let i = self.push(&resource_name(arn), arn, "resource", f.resource.kind.as_str(), Some(region_index));
                self.resources.insert((region_index, arn.clone()), i);
                i
            }
        };
        let entry = &self.locations[index];
        let mut reference = LogicalLocation::builder().index(index as i64).build();
        reference.name = entry.name.clone();
        reference.fully_qualified_name = entry.fully_qualified_name.clone();
        reference.kind = entry.kind.clone();
        reference.parent_index = entry.parent_index;
        reference
    }

    fn push(&mut self, name: &str, fully_qualified_name: &str, kind: &str, resource_kind: &str, parent: Option<usize>) -> usize {
        let index = self.locations.len();
        let properties = BTreeMap::from([("resourceKind".to_owned(), json!(resource_kind))]);
        let mut location = LogicalLocation::builder()
            .index(index as i64)
            .name(name.to_owned())
            .fully_qualified_name(fully_qualified_name.to_owned())
            .kind(kind.to_owned())
            .properties(PropertyBag::builder().additional_properties(properties).build())
            .build();
        location.parent_index = parent.map(|p| p as i64);
        self.locations.push(location);
        index
    }
}

/// JSON with `<`, `>` and `&` written as `\u003c`, `\u003e` and `\u0026`: the same JSON, but
/// names from a snapshot (markup in a trail name or tag) never appear as markup in the file,
/// should anything show it as HTML. These characters only occur inside JSON strings, where
/// the escapes mean exactly them.
fn escape_markup(json: String) -> String {
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// The rule's YAML file, so that an alert links to the rule that raised it.
fn rule_file_location(rule: &Rule) -> Location {
    let uri: Vec<String> = relative_rule_path(&rule.path).split('/').filter(|s| !s.is_empty() && *s != ".").map(encode_segment).collect();
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(uri.join("/")).build())
        .region(Region::builder().start_line(1).build())
        .build();
    Location::builder()
        .id(1)
        .physical_location(physical)
        .message(Message::builder().text(format!("Rule {} ({})", rule.id, rule.path.display())).build())
        .build()
}

/// A rule file's path as a repo-relative URI path: built-in rules are `rules/<ID>.yaml`
/// already; a custom rule given by absolute path is made relative to the working directory
/// (where a CI job runs the scan, usually the repository root) when it lies below it.
fn relative_rule_path(path: &std::path::Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(cwd).ok().map(std::path::Path::to_path_buf));
    relative.as_deref().unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// `primaryLocationLineHash`: stable across runs and independent of the message, so that an
/// alert survives a reworded message or a changed severity.
pub fn fingerprint(rule_id: &str, arn: &str) -> String {
    let digest = Sha256::digest(format!("{rule_id}\n{arn}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The parts of an ARN that name a resource: (service, resource). The account pseudo-ARN
/// `AWS::::Account:<id>` is service `account`; anything unparseable is kept whole.
fn arn_parts(arn: &str) -> (String, String) {
    if let Some(id) = arn.strip_prefix("AWS::::Account:") {
        return ("account".to_owned(), id.to_owned());
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _partition, service, _region, _account, resource] if !service.is_empty() => ((*service).to_owned(), (*resource).to_owned()),
        _ => ("unknown".to_owned(), arn.to_owned()),
    }
}

fn resource_name(arn: &str) -> String {
    let (_, resource) = arn_parts(arn);
    resource.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or(&resource).to_owned()
}

/// `aws/<account>/<region|global>/<service>/<resource>`, each segment percent-encoded. The
/// resource's own `/` separators stay path separators (readable paths on GitHub) unless a
/// segment would be empty, `.` or `..`, which a consumer could normalize away; then the
/// resource is one encoded segment.
pub fn artifact_path(f: &Finding) -> String {
    let (service, resource) = arn_parts(&f.resource.arn);
    let account = non_empty(&f.resource.account, "unknown-account");
    let region = non_empty(&f.resource.region, "global");
    let pieces: Vec<&str> = resource.split('/').collect();
    let resource_path = if pieces.iter().any(|p| p.is_empty() || *p == "." || *p == "..") {
        encode_segment(&resource)
    } else {
        pieces.into_iter().map(encode_segment).collect::<Vec<_>>().join("/")
    };
    let resource_path = if resource_path.is_empty() { "-".to_owned() } else { resource_path };
    ["aws".to_owned(), encode_segment(account), encode_segment(region), encode_segment(&service), resource_path].join("/")
}

fn non_empty<'a>(value: &'a str, fallback: &'a str) -> &'a str {
    if value.trim().is_empty() {
        fallback
    } else {
        value
    }
}

fn encode_segment(segment: &str) -> String {
    let encoded = utf8_percent_encode(segment, SEGMENT).to_string();
    match encoded.as_str() {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => encoded,
    }
}

fn run_properties(report: &Report) -> PropertyBag {
    let mut properties = BTreeMap::new();
    properties.insert("accounts".to_owned(), json!(report.scan.accounts));
    properties.insert("regions".to_owned(), json!(report.scan.regions));
    properties.insert("incompleteFacts".to_owned(), json!(report.scan.incomplete.len()));
    properties.insert("summary".to_owned(), json!(report.summary));
    PropertyBag::builder().additional_properties(properties).build()
}

const ADVICE: &str = "narrow the scan so that each upload stays within GitHub's limits: \
    scan fewer regions (--regions), split the organization by account (--accounts) and upload \
    each part with its own category, or drop low-severity rules in the config file (disabled_rules)";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_parts_cover_the_resource_kinds() {
        assert_eq!(arn_parts("arn:aws:cloudtrail:eu-west-1:1:trail/t"), ("cloudtrail".into(), "trail/t".into()));
        assert_eq!(arn_parts("arn:aws:s3:::bucket"), ("s3".into(), "bucket".into()));
        assert_eq!(arn_parts("arn:aws:organizations::1:organization/o-x"), ("organizations".into(), "organization/o-x".into()));
        assert_eq!(arn_parts("AWS::::Account:111"), ("account".into(), "111".into()));
        assert_eq!(arn_parts("junk"), ("unknown".into(), "junk".into()));
    }

    #[test]
    fn segments_are_percent_encoded_and_never_dot_segments() {
        assert_eq!(encode_segment("a b:c/<d>"), "a%20b%3Ac%2F%3Cd%3E");
        assert_eq!(encode_segment(".."), "%2E%2E");
        assert_eq!(encode_segment("trail-1_x.y~"), "trail-1_x.y~");
    }

    #[test]
    fn fingerprint_is_sha256_of_rule_and_arn() {
        // printf 'R\nA' | sha256sum
        assert_eq!(fingerprint("R", "A"), "afdee4493c99138a5775930720bb40a29117e62700b1baf7e419099c67eafd51");
        assert_ne!(fingerprint("R", "A"), fingerprint("R", "B"));
    }

    #[test]
    fn pascal_case_names() {
        assert_eq!(pascal_case("CT-LOG-FILE-VALIDATION"), "CtLogFileValidation");
    }

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

/// The `--sarif` format.
#[derive(Debug)]
pub struct SarifFormat;

impl Format for SarifFormat {
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError> {
        render(report, ctx).map(Rendered::Text)
    }
}
