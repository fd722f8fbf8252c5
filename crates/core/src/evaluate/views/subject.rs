//! Resource identity: what a rule is evaluated against and how a finding names it.
//!
//! Every scope's builder makes `Subject`s, and every finding carries a `ResourceRef`
//! (re-exported by `findings`): so these are defined in a leaf below them all, which imports
//! none of its users.

use crate::inventory::Unreadable;
use schemars::JsonSchema;
use serde::Serialize;

/// A finding's subject: what a rule was evaluated against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize, JsonSchema)]
pub struct ResourceRef {
    pub arn: String,
    pub kind: ResourceKind,
    pub account: String,
    /// The region, or `global`.
    pub region: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize, JsonSchema)]
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

/// One thing to evaluate: its reference, its binding and the facts about it that could not
/// be read (named in `inconclusive` messages).
#[derive(Debug, Clone)]
pub struct Subject<V> {
    pub resource: ResourceRef,
    pub view: V,
    pub unreadable: Vec<(String, Unreadable)>,
}
