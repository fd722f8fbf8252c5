//! A rule made ready to judge subjects: its parameters as CEL and template values, its
//! templates looked up once, and the variables a template can name.

use super::binding::Subject;
use super::tree::{self, MapNode};
use crate::findings::Outcome;
use crate::rules::{Rule, RuleSet, TemplateError};
use std::collections::BTreeSet;

/// A rule's parameters, ready for CEL and for templates.
#[derive(Debug, Clone)]
pub struct Params {
    pub cel: MapNode,
    pub template: minijinja::Value,
}

impl Params {
    pub fn new(values: &serde_json::Map<String, serde_json::Value>) -> Params {
        let tree = tree::to_tree(values).expect("JSON objects are trees");
        let cel = tree.downcast_ref::<MapNode>().expect("a JSON object is a map").clone();
        Params { template: tree::template::value(&cel), cel }
    }
}

/// A part of a rule that is a template (`rules::TEMPLATE_PARTS`, in that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Pass,
    Fail,
    NotApplicable,
    Inconclusive,
    Remediation,
    ResourceArn,
}

impl Part {
    const ALL: [Part; 6] = [Part::Pass, Part::Fail, Part::NotApplicable, Part::Inconclusive, Part::Remediation, Part::ResourceArn];

    pub(super) fn name(self) -> &'static str {
        crate::rules::TEMPLATE_PARTS[self as usize]
    }

    /// The message part of an outcome.
    pub(super) fn message(outcome: Outcome) -> Part {
        match outcome {
            Outcome::Pass => Part::Pass,
            Outcome::Fail => Part::Fail,
            Outcome::NotApplicable => Part::NotApplicable,
            Outcome::Inconclusive | Outcome::Suppressed => Part::Inconclusive,
        }
    }
}

/// A rule ready to judge subjects: its parameters, its templates (looked up once, not for
/// every finding), and the text of each template that names nothing but the rule and its
/// parameters, rendered once. (Long remediations often are such: the same commands for every
/// account, rendered ten thousand times in a large organization.)
pub struct Prepared<'s> {
    pub rule: &'s Rule,
    /// The binding paths the rule's conditions read: an inconclusive finding names the
    /// subject's unreadable facts among them.
    pub reads: BTreeSet<String>,
    pub params: Params,
    templates: [Option<minijinja::Template<'s, 's>>; 6],
    constant: [Option<String>; 6],
    /// Which parts name the quantified elements (`matched`, `unmatched`, `unknown`).
    names_elements: [bool; 6],
}

impl<'s> Prepared<'s> {
    pub fn new(set: &'s RuleSet, rule: &'s Rule, params: Params) -> Prepared<'s> {
        let templates = Part::ALL.map(|part| set.templates.get_template(&rule.template_name(part.name())).ok());
        let names_elements = Part::ALL.map(|part| rule.element_templates.iter().any(|p| p == part.name()));
        let reads = crate::rules::reads::condition_reads(rule);
        let mut prepared = Prepared { rule, reads, params, templates, constant: Default::default(), names_elements };
        // Functions of the environment (`namespace`, `range`, ...) are pure; the variables a
        // constant template may name are the rule and its parameters.
        let globals: Vec<&str> = set.templates.globals().map(|(name, _)| name).collect();
        let constant = Part::ALL.map(|part| {
            let template = prepared.templates[part as usize].as_ref()?;
            let names = template.undeclared_variables(false);
            if part == Part::ResourceArn || !names.iter().all(|n| n == "rule" || n == "params" || globals.contains(&n.as_str())) {
                return None;
            }
            // A constant template that fails is rendered (and fails) for each subject instead.
            render(template, &prepared.variables(None, Elements::default(), minijinja::Value::UNDEFINED), part).ok()
        });
        prepared.constant = constant;
        prepared
    }

    pub(super) fn template(&self, part: Part) -> Option<&minijinja::Template<'s, 's>> {
        self.templates[part as usize].as_ref()
    }

    /// Whether a part names the quantified elements (`matched`, `unmatched`, `unknown`).
    pub(super) fn names_elements(&self, part: Part) -> bool {
        self.names_elements[part as usize]
    }

    /// The text of a part for a judgement: its constant text, or the template rendered with
    /// the judgement's variables (or why it failed); None when the rule has no such template.
    pub(super) fn text(&self, part: Part, variables: &minijinja::Value) -> Option<Result<String, TemplateError>> {
        if let Some(text) = &self.constant[part as usize] {
            return Some(Ok(text.clone()));
        }
        self.templates[part as usize].as_ref().map(|template| render(template, variables, part))
    }

    /// What a rule's templates can name, for one judgement (a subject's, or none for the
    /// constant parts).
    pub(super) fn variables(&self, subject: Option<&Subject>, elements: Elements, outcome: minijinja::Value) -> minijinja::Value {
        minijinja::Value::from_object(TemplateVariables {
            rule: self.rule.template_rule.clone(),
            params: self.params.template.clone(),
            outcome,
            matched: list(elements.matched),
            unmatched: list(elements.unmatched),
            unknown: list(elements.unknown),
            variable: subject.map_or("", |s| s.variable),
            subject: subject.map_or(minijinja::Value::UNDEFINED, |s| s.template.clone()),
        })
    }
}

/// A template list of elements. Most judgements have none to give: they share one empty list
/// instead of allocating three.
fn list(elements: Vec<minijinja::Value>) -> minijinja::Value {
    static EMPTY: std::sync::LazyLock<minijinja::Value> = std::sync::LazyLock::new(|| minijinja::Value::from(Vec::<minijinja::Value>::new()));
    if elements.is_empty() {
        EMPTY.clone()
    } else {
        minijinja::Value::from(elements)
    }
}

/// A template's text, trimmed, or what went wrong.
fn render(template: &minijinja::Template, variables: &minijinja::Value, part: Part) -> Result<String, TemplateError> {
    // A fresh, exact-size copy: the rendering buffer has grown by doubling, and a quarter of a
    // million of them kept would cost a third more memory.
    template.render(variables).map(|s| s.trim().to_owned()).map_err(|e| TemplateError::new(part.name(), &e))
}

/// Elements of a quantified condition, sorted by how they answered (template values).
#[derive(Debug, Default)]
pub(super) struct Elements {
    pub matched: Vec<minijinja::Value>,
    pub unmatched: Vec<minijinja::Value>,
    pub unknown: Vec<minijinja::Value>,
}

/// What a rule's templates can name: `rule`, `params`, `outcome`, the quantified elements
/// and the subject under its scope's name. One small object per judgement, where a map of
/// these would be built and hashed for every template rendered.
#[derive(Debug)]
struct TemplateVariables {
    rule: minijinja::Value,
    params: minijinja::Value,
    outcome: minijinja::Value,
    matched: minijinja::Value,
    unmatched: minijinja::Value,
    unknown: minijinja::Value,
    variable: &'static str,
    subject: minijinja::Value,
}

impl minijinja::value::Object for TemplateVariables {
    fn get_value(self: &std::sync::Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        let value = match key.as_str()? {
            "rule" => &self.rule,
            "params" => &self.params,
            "outcome" => &self.outcome,
            "matched" => &self.matched,
            "unmatched" => &self.unmatched,
            "unknown" => &self.unknown,
            name if name == self.variable => &self.subject,
            _ => return None,
        };
        Some(value.clone())
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        let names = ["rule", "params", "outcome", "matched", "unmatched", "unknown", self.variable];
        minijinja::value::Enumerator::Values(names.into_iter().map(minijinja::Value::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared<'s>(set: &'s RuleSet, id: &str) -> Prepared<'s> {
        let rule = set.get(id).unwrap();
        Prepared::new(set, rule, Params::new(&rule.default_params()))
    }

    #[test]
    fn a_template_naming_only_the_rule_and_its_parameters_is_rendered_once() {
        let set = crate::rules::load_builtin().unwrap();
        // Names nothing, names only params: the same text for every subject.
        let lambda = prepared(&set, "CT-LAMBDA-DATA-EVENTS");
        let global = prepared(&set, "CT-GLOBAL-SERVICE-EVENTS");
        assert!(lambda.constant[Part::Remediation as usize].as_deref().is_some_and(|t| t.contains("aws cloudtrail")));
        assert!(global.constant[Part::Remediation as usize].is_some());
        // Names the subject (with params, or with an environment function): rendered per subject.
        let tamper = prepared(&set, "CT-TAMPER-ALERTS");
        assert!(tamper.constant[Part::Remediation as usize].is_none() && tamper.constant[Part::Fail as usize].is_none());
        let lifecycle = prepared(&set, "CT-BUCKET-LIFECYCLE");
        assert!(lifecycle.constant.iter().all(Option::is_none));
        // The constant text is what rendering it for a subject gives.
        let subject = tree::template::value(tree::to_tree(&serde_json::json!({"id": "111111111111"})).unwrap().as_ref());
        let variables = minijinja::Value::from_object(TemplateVariables {
            rule: lambda.rule.template_rule.clone(),
            params: lambda.params.template.clone(),
            outcome: minijinja::Value::from("fail"),
            matched: list(Vec::new()),
            unmatched: list(Vec::new()),
            unknown: list(Vec::new()),
            variable: "account",
            subject,
        });
        let rendered = render(lambda.template(Part::Remediation).unwrap(), &variables, Part::Remediation);
        assert_eq!(lambda.text(Part::Remediation, &variables), Some(rendered));
    }
}
