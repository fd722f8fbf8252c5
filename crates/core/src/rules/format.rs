//! The rule file format (docs/architecture.md §7), parsed strictly: an unknown key is an error.

use crate::findings::{Frameworks, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One rule file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Stable id, e.g. `CT-MULTI-REGION`.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub scope: Scope,
    /// Why the rule matters (Markdown). Shown by `rules show` and in reports.
    pub description: String,
    /// Rule parameters with their defaults; overridable in the config file.
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
    /// CEL: when false, the outcome is `not_applicable`. Defaults to always applicable.
    #[serde(default)]
    pub applies_if: Option<String>,
    /// The pass condition: a CEL expression, or a quantifier over a list.
    pub pass_if: PassCondition,
    pub message: Messages,
    /// Raise the severity of a failure when a condition holds (first match wins).
    #[serde(default)]
    pub escalate: Vec<Escalation>,
    /// A minijinja template: how to fix a failure (AWS CLI and Terraform).
    pub remediation: String,
    /// What the findings are about when it is not the scope's subject itself.
    #[serde(default)]
    pub resource: Option<ResourceSpec>,
    /// Framework id → control ids (e.g. `cis-aws-foundations-v5.0.0: ["3.1"]`).
    #[serde(default)]
    pub frameworks: Frameworks,
    #[serde(default)]
    pub references: Vec<String>,
    /// Cases run by `trailwarden rules test`.
    #[serde(default)]
    pub tests: Vec<RuleTest>,
}

/// A rule's own finding resource: its kind, and its ARN as a template of the subject (for
/// example the `AWSCloudTrail_FullAccess` policy as used in each account). The account and
/// region stay the subject's.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    pub kind: crate::resource::ResourceKind,
    pub arn: String,
}

/// What a rule is evaluated against; also the name of the CEL variable bound to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Organization,
    Account,
    Region,
    Trail,
    Bucket,
    EventDataStore,
}

impl Scope {
    pub const ALL: [Scope; 6] = [Scope::Organization, Scope::Account, Scope::Region, Scope::Trail, Scope::Bucket, Scope::EventDataStore];

    /// The CEL variable a rule of this scope reads.
    pub fn variable(self) -> &'static str {
        match self {
            Scope::Organization => "organization",
            Scope::Account => "account",
            Scope::Region => "region",
            Scope::Trail => "trail",
            Scope::Bucket => "bucket",
            Scope::EventDataStore => "event_data_store",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub default: serde_json::Value,
    pub description: String,
}

#[derive(Debug, Clone)]
pub enum PassCondition {
    /// A CEL expression that must be true.
    Expression(String),
    /// A quantifier: `any` (or `all`) element of a CEL list must satisfy `where`.
    /// Templates then see the elements that matched, did not, or could not be evaluated.
    Quantified(Quantifier),
}

/// By the kind of value, not `#[serde(untagged)]`: an untagged enum buffers the value and
/// tries each form, which loses the parser's position (every error said line 1) and says
/// neither form matched instead of what is wrong in the quantifier.
impl<'de> Deserialize<'de> for PassCondition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = PassCondition;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a CEL expression, or a mapping with `any` (or `all`), `as` and `where`")
            }
            fn visit_str<E: serde::de::Error>(self, source: &str) -> Result<PassCondition, E> {
                Ok(PassCondition::Expression(source.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<PassCondition, A::Error> {
                Quantifier::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(PassCondition::Quantified)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantifier {
    #[serde(default)]
    pub any: Option<String>,
    #[serde(default)]
    pub all: Option<String>,
    /// The name each element is bound to in `where`.
    #[serde(rename = "as")]
    pub binding: String,
    #[serde(rename = "where")]
    pub condition: String,
    /// CEL: the rule also passes when this is true (for a pass that no single element
    /// carries, e.g. read and write events recorded by two different trails).
    #[serde(default, rename = "or")]
    pub alternative: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub severity: Severity,
    /// CEL, evaluated only for a failure; an error leaves the severity as it was.
    pub when: String,
}

/// minijinja templates for each outcome; `pass` and `fail` are required.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    pub pass: String,
    pub fail: String,
    #[serde(default)]
    pub not_applicable: Option<String>,
    #[serde(default)]
    pub inconclusive: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    pub name: String,
    /// The object bound to the rule's scope variable. Facts left out are unreadable.
    pub facts: serde_json::Value,
    /// Parameter overrides for this case.
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
    pub expect: crate::findings::Outcome,
    /// The severity the finding must have (checks escalations).
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Text the rendered message must contain.
    #[serde(default)]
    pub message_contains: Option<String>,
}
