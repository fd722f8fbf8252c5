//! One finding as one OCSF Detection Finding: which trailwarden value goes into which OCSF
//! attribute, and the enum ids chosen. Captions are OCSF 1.8.0's
//! (https://schema.ocsf.io/1.8.0/classes/detection_finding); the tests hold them against the
//! schema.

use super::event::{
    Account, Analytic, Cloud, DetectionFinding, Enum, FindingInfo, Metadata, Organization, Product, Remediation, Resource, Unmapped, CATEGORY_NAME,
    CATEGORY_UID, CLASS_NAME, CLASS_UID, OCSF_VERSION, PROFILES,
};
use crate::findings::{Finding, Outcome, ResourceKind, Severity};
use crate::history::BaselineStatus;
use crate::report::Context;
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Where users learn about the tool (`metadata.product.url_string`).
const PRODUCT_URL: &str = "https://github.com/trailwarden/trailwarden";

/// What a whole report's findings share.
pub struct Scan<'a> {
    /// `scan.finished_at`, in milliseconds: when the findings were reported.
    pub time: i64,
    pub version: &'a str,
    pub ctx: &'a Context<'a>,
}

/// The Detection Finding of `f`; it borrows the finding's strings rather than copying them.
pub fn detection_finding<'a>(f: &'a Finding, scan: &Scan<'a>) -> DetectionFinding<'a> {
    let baseline = scan.ctx.baseline_status(f);
    let (activity, type_name) = activity(f.outcome, baseline);
    let severity = severity(f.severity);
    let status = status(f.outcome);
    let confidence = confidence(f.outcome);
    let resource = &f.resource;
    let region = Some(resource.region.as_str()).filter(|r| *r != "global" && !r.is_empty());
    let partition = partition(&resource.arn);
    let message = if f.message.trim().is_empty() { &*f.title } else { f.message.as_str() };
    let rule = scan.ctx.rule(&f.rule_id);
    DetectionFinding {
        activity_id: activity.id,
        activity_name: activity.caption,
        category_uid: CATEGORY_UID,
        category_name: CATEGORY_NAME,
        class_uid: CLASS_UID,
        class_name: CLASS_NAME,
        // https://schema.ocsf.io/1.8.0/classes/detection_finding: class_uid * 100 + activity_id.
        type_uid: CLASS_UID * 100 + activity.id,
        type_name,
        severity_id: severity.id,
        severity: severity.caption,
        status_id: status.id,
        status: status.caption,
        status_code: f.outcome.as_str(),
        status_detail: status_detail(f),
        confidence_id: confidence.id,
        confidence: confidence.caption,
        is_alert: f.outcome == Outcome::Fail,
        time: scan.time,
        timezone_offset: 0,
        message,
        metadata: Metadata {
            version: OCSF_VERSION,
            profiles: PROFILES,
            product: Product { name: "trailwarden", vendor_name: "trailwarden", version: scan.version, url_string: PRODUCT_URL },
            tenant_uid: &scan.ctx.scope,
        },
        finding_info: FindingInfo {
            uid: finding_uid(&f.rule_id, &resource.arn),
            title: &f.title,
            desc: message,
            analytic: Analytic { uid: &f.rule_id, name: &f.title, type_id: 1, type_name: "Rule" },
        },
        cloud: Cloud {
            provider: "AWS",
            region,
            cloud_partition: partition,
            // type_id 10: "AWS Account" (account.type_id).
            account: Account { uid: &resource.account, type_id: 10, type_name: "AWS Account" },
            org: organization(&scan.ctx.scope, resource.organizational_unit.as_deref()),
        },
        resources: [Resource {
            uid: &resource.arn,
            // A region subject's ARN ends in `:trail` (CloudTrail in that Region).
            name: if resource.kind == ResourceKind::Region { &resource.region } else { resource_name(&resource.arn) },
            type_name: resource_type(resource.kind),
            region,
            cloud_partition: partition,
            // resource_details.role_id 1: "The resource is the primary target or subject of
            // the event/finding."
            role_id: 1,
            role: "Target",
        }],
        remediation: Some(f.remediation.trim())
            .filter(|r| !r.is_empty())
            .map(|desc| Remediation { desc, references: rule.map_or(&[][..], |r| &r.references) }),
        unmapped: Unmapped {
            resource_kind: resource.kind.as_str(),
            organizational_unit: resource.organizational_unit.as_deref(),
            frameworks: &f.frameworks,
            baseline: baseline.map(BaselineStatus::as_str),
            location: resource.location.as_ref(),
        },
    }
}

/// `finding_info.uid`: SHA-256 of rule id and ARN, in hex: the same rule and resource keep
/// their uid from scan to scan (whatever the message, severity or outcome), so a consumer
/// updates one finding rather than opening another. It is the value SARIF's
/// `primaryLocationLineHash` has for the same finding.
pub fn finding_uid(rule_id: &str, arn: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule_id.as_bytes());
    hasher.update(b"\n");
    hasher.update(arn.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in hasher.finalize() {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The activity and its `type_name`. A failure, inconclusive or suppressed finding is
/// created, or updated when `--baseline` had it already; a pass closes the finding the rule
/// and resource had (https://schema.ocsf.io/1.8.0/classes/detection_finding, activity_id:
/// 1 Create "A finding was created", 2 Update, 3 Close "A finding was closed").
pub fn activity(outcome: Outcome, baseline: Option<BaselineStatus>) -> (Enum, &'static str) {
    match (outcome, baseline) {
        (Outcome::Pass, _) => (Enum { id: 3, caption: "Close" }, "Detection Finding: Close"),
        (_, Some(BaselineStatus::Existing)) => (Enum { id: 2, caption: "Update" }, "Detection Finding: Update"),
        _ => (Enum { id: 1, caption: "Create" }, "Detection Finding: Create"),
    }
}

/// One to one: OCSF's severity_id 1–5 are Informational, Low, Medium, High, Critical.
pub fn severity(severity: Severity) -> Enum {
    match severity {
        Severity::Info => Enum { id: 1, caption: "Informational" },
        Severity::Low => Enum { id: 2, caption: "Low" },
        Severity::Medium => Enum { id: 3, caption: "Medium" },
        Severity::High => Enum { id: 4, caption: "High" },
        Severity::Critical => Enum { id: 5, caption: "Critical" },
    }
}

/// Failing and inconclusive findings are New ("yet to be reviewed"): trailwarden does not
/// know whether anyone has looked at them. A suppression in the config is the review OCSF's
/// Suppressed means ("reviewed, determined to be benign"); a pass is Resolved.
pub fn status(outcome: Outcome) -> Enum {
    match outcome {
        Outcome::Fail | Outcome::Inconclusive => Enum { id: 1, caption: "New" },
        // Not written (nothing was checked), but an OCSF value all the same.
        Outcome::NotApplicable => Enum { id: 0, caption: "Unknown" },
        Outcome::Suppressed => Enum { id: 3, caption: "Suppressed" },
        Outcome::Pass => Enum { id: 4, caption: "Resolved" },
    }
}

/// confidence_id is "the accuracy of the rule that created the finding": a rule that read
/// every fact it needs judges exactly (High); an inconclusive finding may be no problem at
/// all (Low).
pub fn confidence(outcome: Outcome) -> Enum {
    match outcome {
        Outcome::Inconclusive => Enum { id: 1, caption: "Low" },
        _ => Enum { id: 3, caption: "High" },
    }
}

fn status_detail(f: &Finding) -> Option<&str> {
    match f.outcome {
        Outcome::Suppressed => f.suppression.as_deref(),
        Outcome::Inconclusive => Some("Inconclusive: a fact the rule needs could not be read, or its condition could not be evaluated; not a pass"),
        _ => None,
    }
}

/// `cloud.org` when the scan was of an organization (its scope is then the organization id,
/// `o-…`): the unit is named by its own name (OCSF's `ou_name`, "Finance, IT, R&D"); its path
/// from the root, which is unambiguous, is in `unmapped.organizational_unit`.
fn organization<'a>(scope: &'a str, unit_path: Option<&'a str>) -> Option<Organization<'a>> {
    scope.starts_with("o-").then(|| Organization { uid: scope, ou_name: unit_path.and_then(|p| p.rsplit('/').next()).filter(|n| !n.is_empty()) })
}

/// The AWS resource type names of AWS Config and CloudFormation (`AWS::CloudTrail::Trail`),
/// which Security Hub and SIEMs know. Nothing in AWS names CloudTrail's state in one Region
/// of one account, the subject of the region rules: `AWS::Region` follows the same pattern;
/// trailwarden's own kind is in `unmapped.resource_kind` for every finding.
pub fn resource_type(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Organization => "AWS::Organizations::Organization",
        ResourceKind::Account => "AWS::::Account",
        ResourceKind::Region => "AWS::Region",
        ResourceKind::Trail => "AWS::CloudTrail::Trail",
        ResourceKind::Bucket => "AWS::S3::Bucket",
        ResourceKind::EventDataStore => "AWS::CloudTrail::EventDataStore",
        ResourceKind::IamPolicy => "AWS::IAM::Policy",
    }
}

/// The partition of an ARN (`aws`, `aws-us-gov`, `aws-cn`); none for the account pseudo-ARN
/// `AWS::::Account:<id>`.
fn partition(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(3, ':');
    match (parts.next(), parts.next()) {
        (Some("arn"), Some(partition)) if !partition.is_empty() => Some(partition),
        _ => None,
    }
}

/// The last part of an ARN's resource (`org-trail` of `...:trail/org-trail`, the bucket of
/// `arn:aws:s3:::bucket`, the id of `AWS::::Account:<id>`).
fn resource_name(arn: &str) -> &str {
    let resource = arn.rsplit(':').next().unwrap_or(arn);
    resource.rsplit('/').find(|s| !s.is_empty()).unwrap_or(resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_uid_is_sha256_of_rule_and_arn() {
        // printf 'R\nA' | sha256sum
        assert_eq!(finding_uid("R", "A"), "afdee4493c99138a5775930720bb40a29117e62700b1baf7e419099c67eafd51");
        assert_ne!(finding_uid("R", "A"), finding_uid("R", "B"));
        assert_ne!(finding_uid("R", "A"), finding_uid("S", "A"));
    }

    #[test]
    fn names_and_partitions_of_arns() {
        assert_eq!(resource_name("arn:aws:cloudtrail:us-east-1:1:trail/org-trail"), "org-trail");
        assert_eq!(resource_name("arn:aws:s3:::central-logs"), "central-logs");
        assert_eq!(resource_name("AWS::::Account:111111111111"), "111111111111");
        assert_eq!(resource_name("arn:aws:organizations::1:organization/o-x"), "o-x");
        assert_eq!(partition("arn:aws-us-gov:s3:::b"), Some("aws-us-gov"));
        assert_eq!(partition("AWS::::Account:1"), None);
    }

    #[test]
    fn passes_close_and_existing_findings_update() {
        assert_eq!(activity(Outcome::Pass, Some(BaselineStatus::Existing)).0.id, 3);
        assert_eq!(activity(Outcome::Fail, Some(BaselineStatus::Existing)).0.id, 2);
        assert_eq!(activity(Outcome::Fail, Some(BaselineStatus::New)).0.id, 1);
        assert_eq!(activity(Outcome::Suppressed, None).0.id, 1);
    }

    #[test]
    fn units_are_named_by_their_last_segment_inside_an_organization_only() {
        let org = organization("o-abc", Some("Root/Workloads/Prod")).unwrap();
        assert_eq!((org.uid, org.ou_name), ("o-abc", Some("Prod")));
        assert!(organization("111111111111", Some("Root/Workloads")).is_none());
        assert_eq!(organization("o-abc", None).unwrap().ou_name, None);
    }
}
