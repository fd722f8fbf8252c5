//! The OCSF objects trailwarden writes, as Rust types: the Detection Finding class and the
//! attributes of its objects that a finding fills. Names and nesting are OCSF's
//! (https://schema.ocsf.io/1.8.0/classes/detection_finding); an absent value is left out,
//! never written as `null`, and every id is written with its caption (`severity_id` 4 with
//! `severity` "High"), as OCSF asks of enum siblings. Which value goes where is decided in
//! `map.rs`; this module only gives the shape.

use crate::resource::Location;
use serde::Serialize;
use std::collections::BTreeMap;

/// The OCSF version the objects conform to (`metadata.version`).
pub const OCSF_VERSION: &str = "1.8.0";

/// The profiles the objects apply (`metadata.profiles`): `cloud` for `cloud` and the
/// Region of each resource.
pub const PROFILES: [&str; 1] = ["cloud"];

pub const CATEGORY_UID: u32 = 2;
pub const CATEGORY_NAME: &str = "Findings";
pub const CLASS_UID: u32 = 2004;
pub const CLASS_NAME: &str = "Detection Finding";

/// An id and its caption: each is written as two attributes (`status_id` and `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enum {
    pub id: u32,
    pub caption: &'static str,
}

/// One Detection Finding (class_uid 2004).
#[derive(Debug, Serialize)]
pub struct DetectionFinding<'a> {
    pub activity_id: u32,
    pub activity_name: &'static str,
    pub category_uid: u32,
    pub category_name: &'static str,
    pub class_uid: u32,
    pub class_name: &'static str,
    pub type_uid: u32,
    pub type_name: &'static str,
    pub severity_id: u32,
    pub severity: &'static str,
    pub status_id: u32,
    pub status: &'static str,
    /// trailwarden's outcome (`fail`, `inconclusive`, `suppressed`, `pass`).
    pub status_code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<&'a str>,
    pub confidence_id: u32,
    pub confidence: &'static str,
    pub is_alert: bool,
    /// Milliseconds since the Unix epoch.
    pub time: i64,
    /// Minutes from UTC: `time` is UTC.
    pub timezone_offset: i32,
    pub message: &'a str,
    pub metadata: Metadata<'a>,
    pub finding_info: FindingInfo<'a>,
    pub cloud: Cloud<'a>,
    pub resources: [Resource<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation<'a>>,
    pub unmapped: Unmapped<'a>,
}

#[derive(Debug, Serialize)]
pub struct Metadata<'a> {
    pub version: &'static str,
    pub profiles: [&'static str; 1],
    pub product: Product<'a>,
    /// The organization id, else the account scanned.
    pub tenant_uid: &'a str,
}

#[derive(Debug, Serialize)]
pub struct Product<'a> {
    pub name: &'static str,
    pub vendor_name: &'static str,
    pub version: &'a str,
    pub url_string: &'static str,
}

#[derive(Debug, Serialize)]
pub struct FindingInfo<'a> {
    pub uid: String,
    pub title: &'a str,
    pub desc: &'a str,
    pub analytic: Analytic<'a>,
}

/// The rule that made the finding.
#[derive(Debug, Serialize)]
pub struct Analytic<'a> {
    pub uid: &'a str,
    pub name: &'a str,
    pub type_id: u32,
    #[serde(rename = "type")]
    pub type_name: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Cloud<'a> {
    pub provider: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_partition: Option<&'a str>,
    pub account: Account<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<Organization<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Account<'a> {
    pub uid: &'a str,
    pub type_id: u32,
    #[serde(rename = "type")]
    pub type_name: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Organization<'a> {
    pub uid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ou_name: Option<&'a str>,
}

/// `resource_details`: the resource the finding is about.
#[derive(Debug, Serialize)]
pub struct Resource<'a> {
    pub uid: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub type_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_partition: Option<&'a str>,
    pub role_id: u32,
    pub role: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Remediation<'a> {
    pub desc: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub references: &'a [String],
}

/// What OCSF's Detection Finding has no attribute for (`unmapped`: "attributes that are not
/// mapped to the event schema", named as the source names them).
#[derive(Debug, Serialize)]
pub struct Unmapped<'a> {
    /// trailwarden's resource kind (`trail`, `bucket`, ...).
    pub resource_kind: &'static str,
    /// The account's organizational unit as its path from the root (`Root/Workloads/Prod`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizational_unit: Option<&'a str>,
    /// Framework id → control ids, as in the JSON report.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub frameworks: &'a BTreeMap<String, Vec<String>>,
    /// `new` or `existing` relative to `--baseline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'static str>,
    /// Where infrastructure as code declares the resource (`file`, `line`, `address`), as in
    /// the JSON report. OCSF's file-and-line object, `affected_code`, belongs to a
    /// vulnerability (`vulnerabilities[]`), which a configuration finding is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<&'a Location>,
}
