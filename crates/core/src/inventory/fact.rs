//! A fact the collector tried to read: either its value, or why it could not be read.
//!
//! An unreadable fact is never the same thing as a false or absent one: a bucket whose
//! versioning could not be read is not a bucket without versioning. Keeping the two apart in
//! the type system is what lets evaluation answer `inconclusive` instead of `fail` or `pass`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a fact could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnreadableReason {
    /// The credentials were refused (AccessDenied, an SCP, a bucket or key policy).
    AccessDenied,
    /// The resource that holds the fact does not exist (any more).
    NotFound,
    /// The endpoint did not accept the credentials (UnrecognizedClientException,
    /// InvalidClientTokenId, ExpiredToken...): unknown, invalid or expired keys or tokens, or a
    /// Region the account has not enabled. Nothing was allowed or denied.
    CredentialsRejected,
    /// The request went to another Region than the resource's (S3 PermanentRedirect,
    /// AuthorizationHeaderMalformed, IllegalLocationConstraintException).
    WrongRegion,
    /// The endpoint does not implement the API.
    Unsupported,
    /// Any other failure: throttling that outlasted the retries, a 5xx, a timeout.
    Error,
    /// Not read on purpose: no rule enabled for the scan that collected the snapshot needs it
    /// (a scan makes only the calls its rules need). Never listed as a gap of that scan.
    NotCollected,
    /// The inventory was read from infrastructure as code (a CloudFormation template, a
    /// Terraform plan), which does not say it: whether a trail is logging now, its delivery
    /// errors and digest times, the account's other trails and buckets, its Regions. A rule
    /// that needs such a fact is not applicable to the source, never passed or failed on a
    /// partial view (docs/iac.md).
    NotInSource,
    /// A Terraform plan names the value only once it is applied (`after_unknown`): unknown,
    /// never taken as false or empty.
    UnknownUntilApply,
}

impl UnreadableReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::NotFound => "not_found",
            Self::CredentialsRejected => "credentials_rejected",
            Self::WrongRegion => "wrong_region",
            Self::Unsupported => "unsupported",
            Self::Error => "error",
            Self::NotCollected => "not_collected",
            Self::NotInSource => "not_in_source",
            Self::UnknownUntilApply => "unknown_until_apply",
        }
    }
}

impl fmt::Display for UnreadableReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The record of a failed read: the reason, the API that failed and what it said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unreadable {
    pub reason: UnreadableReason,
    /// The API operation that failed, as `service:Operation` (e.g. `s3:GetBucketVersioning`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// What the endpoint said (error code and message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Unreadable {
    pub fn new(reason: UnreadableReason, api: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { reason, api: Some(api.into()), detail: Some(detail.into()) }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.reason)?;
        if let Some(api) = &self.api {
            write!(f, " on {api}")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

/// A collected fact. In a snapshot it is written `{"value": ...}` or `{"unreadable": {...}}`,
/// so that a reader can never confuse the two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Fact<T> {
    Value(T),
    Unreadable(Unreadable),
}

impl<T> Fact<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Fact::Value(v) => Some(v),
            Fact::Unreadable(_) => None,
        }
    }

    pub fn unreadable(&self) -> Option<&Unreadable> {
        match self {
            Fact::Value(_) => None,
            Fact::Unreadable(u) => Some(u),
        }
    }

    pub fn as_ref(&self) -> Fact<&T> {
        match self {
            Fact::Value(v) => Fact::Value(v),
            Fact::Unreadable(u) => Fact::Unreadable(u.clone()),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fact<U> {
        match self {
            Fact::Value(v) => Fact::Value(f(v)),
            Fact::Unreadable(u) => Fact::Unreadable(u),
        }
    }

    pub fn as_result(&self) -> Result<&T, &Unreadable> {
        match self {
            Fact::Value(v) => Ok(v),
            Fact::Unreadable(u) => Err(u),
        }
    }
}

impl<T> From<T> for Fact<T> {
    fn from(value: T) -> Self {
        Fact::Value(value)
    }
}
