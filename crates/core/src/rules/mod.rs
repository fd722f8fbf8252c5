//! Rules: the file format, loading and static checks (running a rule's tests is
//! `evaluate::rule_tests`).

pub mod check;
pub mod docs;
pub mod error;
pub mod format;
pub mod frameworks;
pub mod load;
pub mod locate;
pub mod reads;
pub mod shape;
pub mod template_error;

pub use format::Scope;
pub use load::{load_builtin, load_rules, RuleSet};
pub use template_error::{TemplateError, TemplateErrorKind};

use crate::findings::{Frameworks, Severity};
use format::{Parameter, RuleTest};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A compiled CEL condition with the text it came from.
#[derive(Debug)]
pub struct Condition {
    pub source: String,
    pub program: cel::Program,
}

/// How a rule decides `pass`.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per rule: boxing would only add an indirection
pub enum PassRule {
    /// The expression must be true.
    Expression(Condition),
    /// Some (`any`) or every (`all`) element of `list`, bound to `binding`, must satisfy
    /// `condition`.
    Quantified {
        quantifier: Quantifier,
        list: Condition,
        binding: String,
        condition: Condition,
        alternative: Option<Condition>,
        /// The whole quantifier as one CEL program (`list.exists(b, cond)` or `.all`): decides
        /// the outcome without taking values out of CEL, with CEL's error absorption.
        decision: cel::Program,
        /// `list.map(b, cond)`: each element's answer, for templates that name the elements.
        answers: cel::Program,
        /// The list as a field path from the scope variable (`account.trails`), when it is one:
        /// elements for templates are then taken from the subject's template value.
        path: Option<Vec<String>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
}

/// Whether a template's source names the elements of a quantified condition.
pub fn names_elements(source: &str) -> bool {
    ["matched", "unmatched", "unknown"].iter().any(|w| source.contains(w))
}

/// A loaded, checked and compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    /// Shared with every finding of the rule.
    pub title: std::sync::Arc<str>,
    pub severity: Severity,
    pub scope: Scope,
    pub description: String,
    pub parameters: BTreeMap<String, Parameter>,
    pub applies_if: Option<Condition>,
    pub pass_rule: PassRule,
    /// (severity, condition): raise a failure's severity when the condition is true.
    pub escalations: Vec<(Severity, Condition)>,
    /// Shared with every finding of the rule.
    pub frameworks: std::sync::Arc<Frameworks>,
    pub references: Vec<String>,
    pub tests: Vec<RuleTest>,
    /// Where the rule came from: `rules/<ID>.yaml` for the built-in pack, else the file path.
    pub path: PathBuf,
    pub builtin: bool,
    /// The YAML text, for `rules show` and for positions in test failures.
    pub text: String,
    /// The remediation template as written (for documentation).
    pub remediation_source: String,
    /// `rule` as its templates see it (`rule.id`, `rule.title`), built once for all findings.
    pub template_rule: minijinja::Value,
    /// The kind of the rule's own finding resource (`resource:`); its ARN is the template
    /// `resource.arn`. None: the findings are about the subject.
    pub resource_kind: Option<crate::resource::ResourceKind>,
    /// Template parts (`message.pass`, ...) whose source names `matched`, `unmatched` or `unknown`.
    pub element_templates: Vec<String>,
}

/// The templates a rule file can have, named by their YAML path.
pub const TEMPLATE_PARTS: [&str; 6] =
    ["message.pass", "message.fail", "message.not_applicable", "message.inconclusive", "remediation", "resource.arn"];

impl Rule {
    /// Template names in the rule set's template environment.
    pub fn template_name(&self, part: &str) -> String {
        format!("{}/{part}", self.id)
    }

    /// The parameters' defaults, as a JSON object.
    pub fn default_params(&self) -> serde_json::Map<String, serde_json::Value> {
        self.parameters.iter().map(|(k, p)| (k.clone(), p.default.clone())).collect()
    }
}
