//! SARIF results: one per failing or inconclusive finding, located at a synthetic
//! repository path (GitHub needs a file location; a cloud resource has none) and at its
//! resource in the run's logical locations, and fingerprinted by rule id and ARN so that an
//! alert follows its resource across uploads.

use super::{level, security_severity, Context, SEGMENT};
use crate::findings::{Finding, Outcome, Severity};
use crate::history::BaselineStatus;
use crate::rules::Rule;
use percent_encoding::utf8_percent_encode;
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, PhysicalLocation, PropertyBag, Region, Result as SarifResult, ResultLevel,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// The results of `findings` (the failing and inconclusive findings of one run) and the run's
/// logical locations, which the results refer to by index.
pub fn results(findings: &[&Finding], ctx: &Context) -> (Vec<SarifResult>, Vec<LogicalLocation>) {
    let rule_index: HashMap<&str, usize> = ctx.rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    // One location per rule, made once: it reads the working directory.
    let rule_files: Vec<Location> = ctx.rules.iter().map(|rule| rule_file_location(rule)).collect();
    let mut tree = LogicalTree::default();
    let results = findings
        .iter()
        .map(|f| {
            let index = rule_index.get(f.rule_id.as_str()).copied();
            result(f, index, tree.resource(f), index.map(|i| rule_files[i].clone()), ctx)
        })
        .collect();
    (results, tree.locations)
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

fn result(f: &Finding, rule_index: Option<usize>, logical: LogicalLocation, rule_file: Option<Location>, ctx: &Context) -> SarifResult {
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
        .partial_fingerprints(BTreeMap::from([("primaryLocationLineHash".to_owned(), result_fingerprint(f))]))
        .properties(PropertyBag::builder().additional_properties(properties).build())
        .build();
    // Set after building: the typed builder changes type with each setter.
    result.rule_index = rule_index.map(|i| i as i64);
    result.related_locations = rule_file.map(|location| vec![location]);
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
    if let Some(at) = &f.resource.location {
        text.push_str(&format!("\nDeclared at: {}:{} ({})", at.file, at.line, at.address));
    }
    if f.outcome == Outcome::Inconclusive {
        text.push_str("\nOutcome: inconclusive (a fact could not be read; this is not a pass)");
    }
    let remediation = f.remediation.trim();
    if !remediation.is_empty() {
        text.push_str(&format!("\n\nRemediation:\n{remediation}"));
    }
    text
}

/// A resource declared in infrastructure as code is fingerprinted by its file and address,
/// not its line, so that its alert survives edits that move it; any other by its ARN.
fn result_fingerprint(f: &Finding) -> String {
    match &f.resource.location {
        Some(at) => fingerprint(&f.rule_id, &format!("{}#{}", at.file, at.address)),
        None => fingerprint(&f.rule_id, &f.resource.arn),
    }
}

/// A declared resource's file and line (line 1 when the declaring line is unknown); any other
/// resource's synthetic path.
fn location(f: &Finding, logical: LogicalLocation) -> Location {
    let (uri, line) = match &f.resource.location {
        Some(at) => (file_uri(&at.file), i64::from(at.line.max(1))),
        None => (artifact_path(f), 1),
    };
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(uri).build())
        .region(Region::builder().start_line(line).build())
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
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
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

/// A declared resource's file as a relative URI reference (RFC 3986, which SARIF requires):
/// each segment percent-encoded, `.` and `..` kept as the path steps they are.
fn file_uri(file: &str) -> String {
    file.split('/').map(|segment| utf8_percent_encode(segment, SEGMENT).to_string()).collect::<Vec<_>>().join("/")
}

fn encode_segment(segment: &str) -> String {
    let encoded = utf8_percent_encode(segment, SEGMENT).to_string();
    match encoded.as_str() {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => encoded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_file_is_a_uri_reference() {
        assert_eq!(file_uri("stacks/a|b <x>.yaml"), "stacks/a%7Cb%20%3Cx%3E.yaml");
        assert_eq!(file_uri("../infra/./main.tf"), "../infra/./main.tf");
    }

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
}
