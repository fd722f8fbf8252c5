//! Runs one rule against one bound subject and decides the outcome and message.

use crate::findings::Outcome;
use crate::inventory::Unreadable;
use crate::rules::{Condition, PassRule, Quantifier, Rule, RuleSet};
use cel::{Context, Value};
use serde::Serialize;

/// A rule's parameters, ready for CEL and for templates.
#[derive(Debug, Clone)]
pub struct Params {
    pub cel: Value,
    pub template: minijinja::Value,
}

impl Params {
    pub fn new(values: &serde_json::Map<String, serde_json::Value>) -> Params {
        Params {
            cel: cel::to_value(values).expect("JSON values convert to CEL"),
            template: minijinja::Value::from(minijinja::value::Serde(values)),
        }
    }
}

/// The subject as rules see it: its CEL context and its template value.
pub struct Subject<'a> {
    /// A context in which the scope variable is bound.
    pub context: &'a Context<'a, 'a>,
    /// The scope variable's name (`account`, `trail`, ...).
    pub variable: &'static str,
    /// The same binding for templates.
    pub template: minijinja::Value,
    /// Facts of the subject that could not be read, named by path.
    pub unreadable: &'a [(String, Unreadable)],
}

/// The result of one rule on one subject, before config (suppressions, overrides) applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub outcome: Outcome,
    /// A raised severity, when an escalation of a failing rule applied.
    pub escalated: Option<crate::findings::Severity>,
    pub message: String,
    pub remediation: String,
}

/// A context for a subject: the rule set's CEL environment with the scope variable bound.
pub fn subject_context(set: &RuleSet, variable: &str, value: Value) -> Context<'static, 'static> {
    let mut context = Context::with_env(set.cel.clone());
    context.add_variable_from_value(variable, value);
    context
}

/// Elements of a quantified condition, sorted by how they answered.
#[derive(Debug, Default, Serialize)]
struct Elements {
    matched: Vec<serde_json::Value>,
    unmatched: Vec<serde_json::Value>,
    unknown: Vec<serde_json::Value>,
}

enum Decision {
    Outcome(Outcome),
    Error(String),
}

pub fn judge(set: &RuleSet, rule: &Rule, subject: &Subject, params: &Params) -> Verdict {
    let mut context = subject.context.new_inner_scope();
    context.add_variable_from_value("params", params.cel.clone());
    let mut elements = Elements::default();

    let decision = match rule.applies_if.as_ref().map(|c| run_bool(c, &context)) {
        Some(Err(e)) => Decision::Error(e),
        Some(Ok(false)) => Decision::Outcome(Outcome::NotApplicable),
        None | Some(Ok(true)) => match &rule.pass_rule {
            PassRule::Expression(condition) => match run_bool(condition, &context) {
                Ok(true) => Decision::Outcome(Outcome::Pass),
                Ok(false) => Decision::Outcome(Outcome::Fail),
                Err(e) => Decision::Error(e),
            },
            PassRule::Quantified { quantifier, list, binding, condition, alternative } => {
                match quantified(*quantifier, list, binding, condition, &context, &mut elements) {
                    Decision::Outcome(Outcome::Pass) => Decision::Outcome(Outcome::Pass),
                    undecided => match alternative.as_ref().map(|a| run_bool(a, &context)) {
                        Some(Ok(true)) => Decision::Outcome(Outcome::Pass),
                        // The alternative failing or erroring leaves the quantifier's answer.
                        None | Some(Ok(false)) => undecided,
                        Some(Err(e)) => match undecided {
                            Decision::Outcome(Outcome::Fail) => Decision::Error(e),
                            other => other,
                        },
                    },
                }
            }
        },
    };

    let (outcome, error) = match decision {
        Decision::Outcome(o) => (o, None),
        Decision::Error(e) => (Outcome::Inconclusive, Some(e)),
    };
    let escalated = match outcome {
        Outcome::Fail => rule.escalations.iter().find(|(_, when)| run_bool(when, &context) == Ok(true)).map(|(severity, _)| *severity),
        _ => None,
    };
    let render = |part: &str| -> Option<String> {
        let name = rule.template_name(part);
        let template = set.templates.get_template(&name).ok()?;
        let ctx: std::collections::BTreeMap<&str, minijinja::Value> = std::collections::BTreeMap::from([
            ("rule", minijinja::context! { id => &rule.id, title => &rule.title }),
            ("params", params.template.clone()),
            ("outcome", minijinja::Value::from(outcome.as_str())),
            ("matched", minijinja::Value::from(minijinja::value::Serde(&elements.matched))),
            ("unmatched", minijinja::Value::from(minijinja::value::Serde(&elements.unmatched))),
            ("unknown", minijinja::Value::from(minijinja::value::Serde(&elements.unknown))),
            (subject.variable, subject.template.clone()),
        ]);
        let ctx = minijinja::Value::from(ctx);
        Some(template.render(ctx).map(|s| s.trim().to_owned()).unwrap_or_else(|e| format!("(the rule's {part} template failed: {e})")))
    };
    let message = match outcome {
        Outcome::Pass => render("message.pass"),
        Outcome::Fail => render("message.fail"),
        Outcome::NotApplicable => render("message.not_applicable").or_else(|| Some(format!("{} does not apply.", rule.title))),
        Outcome::Inconclusive | Outcome::Suppressed => {
            let reason = inconclusive_reason(error.as_deref(), subject.unreadable);
            Some(match render("message.inconclusive") {
                Some(text) => format!("{text} {reason}"),
                None => format!("Could not be evaluated: {reason}"),
            })
        }
    }
    .unwrap_or_default();
    let remediation = match outcome {
        Outcome::Fail | Outcome::Inconclusive => render("remediation").unwrap_or_default(),
        _ => String::new(),
    };
    Verdict { outcome, escalated, message, remediation }
}

fn quantified(
    quantifier: Quantifier,
    list: &Condition,
    binding: &str,
    condition: &Condition,
    context: &Context,
    elements: &mut Elements,
) -> Decision {
    let items = match list.program.execute(context) {
        Ok(Value::List(items)) => items,
        Ok(other) => return Decision::Error(format!("`{}` is a {:?}, not a list", list.source.trim(), other.type_of())),
        Err(e) => return Decision::Error(e.to_string()),
    };
    let mut first_error = None;
    for item in items.iter() {
        let mut inner = context.new_inner_scope();
        inner.add_variable_from_value(binding, item.clone());
        let json = item.json().unwrap_or(serde_json::Value::Null);
        match run_bool(condition, &inner) {
            Ok(true) => elements.matched.push(json),
            Ok(false) => elements.unmatched.push(json),
            Err(e) => {
                first_error.get_or_insert(e);
                elements.unknown.push(json);
            }
        }
    }
    let outcome = match quantifier {
        Quantifier::Any if !elements.matched.is_empty() => Outcome::Pass,
        Quantifier::All if !elements.unmatched.is_empty() => Outcome::Fail,
        _ if first_error.is_some() => return Decision::Error(first_error.unwrap_or_default()),
        Quantifier::Any => Outcome::Fail,
        Quantifier::All => Outcome::Pass,
    };
    Decision::Outcome(outcome)
}

/// Runs a condition that must produce a bool.
fn run_bool(condition: &Condition, context: &Context) -> Result<bool, String> {
    match condition.program.execute(context) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("`{}` produced {:?}, not a bool", condition.source.trim(), other.type_of())),
        Err(e) => Err(e.to_string()),
    }
}

/// Names what could not be read: the unreadable facts that the error points at (a missing
/// key), or all of the subject's unreadable facts when the error names none of them.
fn inconclusive_reason(error: Option<&str>, unreadable: &[(String, Unreadable)]) -> String {
    let missing = error.and_then(|e| e.strip_prefix("No such key: ")).map(str::trim);
    let relevant: Vec<&(String, Unreadable)> = match missing {
        Some(key) => {
            let hits: Vec<_> = unreadable.iter().filter(|(fact, _)| fact.ends_with(key) || fact.rsplit(['.', ' ']).next() == Some(key)).collect();
            if hits.is_empty() { unreadable.iter().collect() } else { hits }
        }
        None => unreadable.iter().collect(),
    };
    if relevant.is_empty() {
        return format!("evaluation error: {}.", error.unwrap_or("unknown"));
    }
    let facts: Vec<String> = relevant.iter().map(|(fact, u)| format!("{fact} ({u})")).collect();
    format!("could not read {}.", facts.join("; "))
}
