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
    /// Where the resource is declared, when the inventory was read from infrastructure as code
    /// (a CloudFormation template, a Terraform plan): reports point at that file and line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// Where a resource is declared in infrastructure as code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The file, as given on the command line or relative to the Terraform directory, with `/`
    /// separators (SARIF artifact URIs are these paths).
    pub file: String,
    /// The 1-based line of the declaration: a CloudFormation resource's logical ID, a
    /// Terraform `resource "TYPE" "NAME"` block. 0 when the declaring line is not known (a
    /// plan read without `--terraform-dir`).
    pub line: u32,
    /// The resource's address in its source: `LogicalId` in a template, `module.x.aws_s3_bucket.logs`
    /// in a plan. With the file it identifies the resource across edits that move lines, so
    /// fingerprints are made from it, not from the line.
    pub address: String,
}

impl ResourceRef {
    /// A resource outside any organizational unit until the evaluation places it.
    pub fn new(arn: impl Into<String>, kind: ResourceKind, account: impl Into<String>, region: impl Into<String>) -> Self {
        ResourceRef { arn: arn.into(), kind, account: account.into(), region: region.into(), organizational_unit: None, location: None }
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
