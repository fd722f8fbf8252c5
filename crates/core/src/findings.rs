//! Findings: the owned result of evaluating one rule against one resource, and its parts
//! (outcome, severity, the resource it is about). A leaf: the rules, the evaluation, the
//! results and every renderer name these types, and this module names none of them.

pub use crate::resource::{ResourceKind, ResourceRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str() == s)
            .ok_or_else(|| format!("unknown severity `{s}` (expected info, low, medium, high or critical)"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Inconclusive,
    NotApplicable,
    Suppressed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Inconclusive => "inconclusive",
            Self::NotApplicable => "not_applicable",
            Self::Suppressed => "suppressed",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Framework id (e.g. `cis-aws-foundations-v5.0.0`) → control ids in that framework.
pub type Frameworks = BTreeMap<String, Vec<String>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    /// Shared with the rule and every other finding of it (hundreds of thousands in a large
    /// organization).
    pub title: Arc<str>,
    pub outcome: Outcome,
    pub severity: Severity,
    /// Shared by every finding about the resource.
    pub resource: Arc<ResourceRef>,
    pub message: String,
    pub remediation: String,
    pub frameworks: Arc<Frameworks>,
    /// For a suppressed finding: the suppression's reason (and expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<String>,
}
