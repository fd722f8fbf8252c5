//! Resource identity: how a finding names what it is about. Every scope's view builder makes
//! subjects with a `ResourceRef`, every finding carries one, and reports, history and
//! suppressions read it: so it is defined in a leaf below them all, which imports none of its
//! users.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A finding's subject: what a rule was evaluated against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct ResourceRef {
    pub arn: String,
    pub kind: ResourceKind,
    pub account: String,
    /// The region, or `global`.
    pub region: String,
    /// The organizational unit path of the resource's account (`Root/Workloads/Prod`), when
    /// the account is in the organization's unit tree as collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizational_unit: Option<String>,
}

impl ResourceRef {
    /// A resource outside any organizational unit until the evaluation places it.
    pub fn new(arn: impl Into<String>, kind: ResourceKind, account: impl Into<String>, region: impl Into<String>) -> Self {
        ResourceRef { arn: arn.into(), kind, account: account.into(), region: region.into(), organizational_unit: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Organization,
    Account,
    Region,
    Trail,
    Bucket,
    EventDataStore,
    /// An IAM policy as used in one account (a rule's own `resource`).
    IamPolicy,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Account => "account",
            Self::Region => "region",
            Self::Trail => "trail",
            Self::Bucket => "bucket",
            Self::EventDataStore => "event_data_store",
            Self::IamPolicy => "iam_policy",
        }
    }
}
