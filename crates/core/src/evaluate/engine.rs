//! Runs one rule against one bound subject and decides the outcome and message.

use super::binding::Subject;
use super::prepared::{Elements, Part, Prepared};
use super::tree::{self, MapNode};
use super::views::UnreadableField;
use crate::findings::Outcome;
use crate::inventory::UnreadableReason;
use crate::resource::ResourceKind;
use crate::rules::{Condition, PassRule, Quantifier};
use cel::common::value::Val;
use cel::{Context, Value};
use std::collections::BTreeSet;

/// The result of one rule on one subject, before config (suppressions, overrides) applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub outcome: Outcome,
    /// A raised severity, when an escalation of a failing rule applied.
    pub escalated: Option<crate::findings::Severity>,
    pub message: String,
    pub remediation: String,
    /// The first template that failed to render (its failure is in the message or remediation).
    pub template_failure: Option<crate::rules::TemplateError>,
}

impl Verdict {
    /// The verdict when the rule's own resource could not be named: inconclusive, saying why
    /// and what the rule answered, on the subject.
    pub fn without_resource(self, error: &str) -> Verdict {
        Verdict {
            outcome: Outcome::Inconclusive,
            escalated: None,
            message: format!(
                "Could not name the resource this finding is about: the rule's resource.arn template failed ({error}). On this subject the rule answered {}: {}",
                self.outcome, self.message
            ),
            remediation: self.remediation,
            template_failure: self.template_failure,
        }
    }
}

/// The variables of one judgement: the subject under its scope's name, and the rule's
/// parameters. Resolved by name on every lookup, where binding them in a scope of the context
/// would copy the names and box the values for each of the half a million judgements of a
/// large organization, and look names up in a map of strings.
struct Variables<'a> {
    variable: &'static str,
    subject: &'a (dyn Val + 'static),
    params: &'a MapNode,
}

impl cel::context::VariableResolver for Variables<'_> {
    fn resolve<'b>(&'b self, name: &str) -> Option<cel::common::value::CowVal<'b, 'b>> {
        if name == self.variable {
            Some(cel::common::value::CowVal::Borrowed(self.subject))
        } else if name == "params" {
            Some(cel::common::value::CowVal::Borrowed(self.params))
        } else {
            None
        }
    }
}

enum Decision {
    Outcome(Outcome),
    Error(String),
}

pub fn judge(prepared: &Prepared, subject: &Subject) -> Verdict {
    let Prepared { rule, params, .. } = prepared;
    let variables = Variables { variable: subject.variable, subject: subject.tree, params: &params.cel };
    let mut context = subject.context.new_inner_scope();
    context.set_variable_resolver(&variables);
    let mut elements = Elements::default();
    // When a template may name the quantified elements, each element's answer is needed anyway;
    // if every answer is a bool they also decide the quantifier, in one pass over the list.
    let mut answered: Option<Vec<bool>> = None;

    let decision = match rule.applies_if.as_ref().map(|c| run_bool(c, &context)) {
        Some(Err(e)) => Decision::Error(e),
        Some(Ok(false)) => Decision::Outcome(Outcome::NotApplicable),
        None | Some(Ok(true)) => match &rule.pass_rule {
            PassRule::Expression(condition) => match run_bool(condition, &context) {
                Ok(true) => Decision::Outcome(Outcome::Pass),
                Ok(false) => Decision::Outcome(Outcome::Fail),
                Err(e) => Decision::Error(e),
            },
            PassRule::Quantified { quantifier, decision, alternative, answers, .. } => {
                if !rule.element_templates.is_empty() {
                    answered = bool_answers(answers, &context);
                }
                let decided = match &answered {
                    Some(bools) => {
                        let pass = match quantifier {
                            Quantifier::Any => bools.iter().any(|b| *b),
                            Quantifier::All => bools.iter().all(|b| *b),
                        };
                        Decision::Outcome(if pass { Outcome::Pass } else { Outcome::Fail })
                    }
                    // An element that errors: the quantifier absorbs errors as CEL defines.
                    None => match decision.execute(&context) {
                        Ok(Value::Bool(true)) => Decision::Outcome(Outcome::Pass),
                        Ok(Value::Bool(false)) => Decision::Outcome(Outcome::Fail),
                        Ok(other) => Decision::Error(format!("the quantifier produced {:?}, not a bool", other.type_of())),
                        Err(e) => Decision::Error(e.to_string()),
                    },
                };
                match decided {
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
    // An answer that hangs on facts the source (a template, a plan) does not say is no answer
    // the source can give: not applicable to it, saying which facts. (A pass or fail that the
    // declared facts decide on their own, CEL's `false && unknown`, stands.)
    let undecidable = match outcome {
        Outcome::Inconclusive => not_in_source(&rule.title, &prepared.reads, subject.unreadable),
        _ => None,
    };
    let outcome = if undecidable.is_some() { Outcome::NotApplicable } else { outcome };
    // Elements for templates are only worked out when the template that will render names them.
    if let PassRule::Quantified { list, binding, condition, answers, path, .. } = &rule.pass_rule {
        let needed = prepared.names_elements(Part::message(outcome))
            || (prepared.names_elements(Part::Remediation) && matches!(outcome, Outcome::Fail | Outcome::Inconclusive));
        if needed && outcome != Outcome::NotApplicable {
            let answered = answered.or_else(|| bool_answers(answers, &context));
            elements = classify(list, binding, condition, answered.as_deref(), path.as_deref(), &context, subject);
        }
    }
    let escalated = match outcome {
        Outcome::Fail => rule.escalations.iter().find(|(_, when)| run_bool(when, &context) == Ok(true)).map(|(severity, _)| *severity),
        _ => None,
    };
    let variables = prepared.variables(Some(subject), elements, minijinja::Value::from(outcome.as_str()));
    // A template that fails says so in the text, and the first failure is kept, typed.
    let mut template_failure = None;
    let mut part_text = |part: Part| {
        prepared.text(part, &variables).map(|rendered| {
            rendered.unwrap_or_else(|failure| {
                let text = format!("({failure})");
                template_failure.get_or_insert(failure);
                text
            })
        })
    };
    let message = match outcome {
        Outcome::Pass | Outcome::Fail => part_text(Part::message(outcome)),
        Outcome::NotApplicable => match undecidable {
            Some(text) => Some(text),
            None => part_text(Part::NotApplicable).or_else(|| Some(format!("{} does not apply.", rule.title))),
        },
        Outcome::Inconclusive | Outcome::Suppressed => {
            let reason = inconclusive_reason(&prepared.reads, subject.unreadable, error.as_deref());
            Some(match part_text(Part::Inconclusive) {
                Some(text) => format!("{text} {reason}"),
                None => format!("Could not be evaluated: {reason}"),
            })
        }
    }
    .unwrap_or_default();
    let remediation = match outcome {
        Outcome::Fail | Outcome::Inconclusive => part_text(Part::Remediation).unwrap_or_default(),
        _ => String::new(),
    };
    Verdict { outcome, escalated, message, remediation, template_failure }
}

/// The kind and ARN of a rule's own finding resource (its `resource.arn` template) for a subject;
/// None when the rule has none. An error is the template's (a rule's test cases render it).
pub fn resource_arn(prepared: &Prepared, subject: &Subject) -> Option<Result<(ResourceKind, String), String>> {
    let kind = prepared.rule.resource_kind?;
    let Some(template) = prepared.template(Part::ResourceArn) else {
        return Some(Err(format!("the rule has no {} template", Part::ResourceArn.name())));
    };
    let variables = prepared.variables(Some(subject), Elements::default(), minijinja::Value::UNDEFINED);
    Some(match template.render(variables) {
        Ok(arn) if !arn.trim().is_empty() => Ok((kind, arn.trim().to_owned())),
        Ok(_) => Err("the resource.arn template rendered nothing".to_owned()),
        Err(e) => Err(e.to_string()),
    })
}

/// Sorts a quantifier's elements into matched, unmatched and unknown. When every element
/// answers (the common case), one `map()` gives the answers and the elements are taken from
/// the subject's template value; otherwise each element is evaluated on its own.
fn classify(
    list: &Condition,
    binding: &str,
    condition: &Condition,
    answered: Option<&[bool]>,
    path: Option<&[String]>,
    context: &Context<'_, '_>,
    subject: &Subject,
) -> Elements {
    let mut elements = Elements::default();
    if let (Some(answers), Some(path)) = (answered, path) {
        let mut items = subject.template.clone();
        for field in &path[1..] {
            items = items.get_attr(field).unwrap_or_default();
        }
        for (i, answer) in answers.iter().enumerate() {
            let item = items.get_item(&minijinja::Value::from(i)).unwrap_or_default();
            if *answer {
                elements.matched.push(item);
            } else {
                elements.unmatched.push(item);
            }
        }
        return elements;
    }
    let Ok(items) = Value::resolve_val(list.program.expression(), context) else { return elements };
    let Some(items) = items.as_iterable() else { return elements };
    let mut items = items.iter();
    while let Some(item) = items.next() {
        let mut inner = context.new_inner_scope();
        inner.add_variable_as_val(binding, item.clone_as_boxed());
        let value = tree::template::value(item);
        match run_bool(condition, &inner) {
            Ok(true) => elements.matched.push(value),
            Ok(false) => elements.unmatched.push(value),
            Err(_) => elements.unknown.push(value),
        }
    }
    elements
}

/// Each element's answer (`list.map(b, cond)`), when every one is a bool.
fn bool_answers(answers: &cel::Program, context: &Context) -> Option<Vec<bool>> {
    match answers.execute(context) {
        Ok(Value::List(list)) => list.iter().map(|v| if let Value::Bool(b) = v { Some(*b) } else { None }).collect(),
        _ => None,
    }
}

/// Runs a condition that must produce a bool.
fn run_bool(condition: &Condition, context: &Context) -> Result<bool, String> {
    match condition.program.execute(context) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("`{}` produced {:?}, not a bool", condition.source.trim(), other.type_of())),
        Err(e) => Err(e.to_string()),
    }
}

/// When every fact the rule reads that is unreadable is one the source does not say
/// (`NotInSource`): the not-applicable message naming them. Facts unknown until apply, or
/// unreadable for any other reason, leave the rule inconclusive.
fn not_in_source(title: &str, reads: &BTreeSet<String>, unreadable: &[UnreadableField]) -> Option<String> {
    let relevant: Vec<&UnreadableField> = unreadable.iter().filter(|f| reads.iter().any(|read| f.is_read_by(read))).collect();
    if relevant.is_empty() || relevant.iter().any(|f| f.unreadable.reason != UnreadableReason::NotInSource) {
        return None;
    }
    let mut labels: Vec<&str> = relevant.iter().map(|f| f.label.as_str()).collect();
    labels.dedup();
    let detail = relevant.iter().find_map(|f| f.unreadable.detail.as_deref()).map(|d| format!(" ({d})")).unwrap_or_default();
    Some(format!("{title}: not decidable from infrastructure as code, which does not say {}{detail}.", labels.join(", ")))
}

/// Names what could not be read: the subject's unreadable facts that the rule reads (by
/// binding path), or, when it reads none of them, every fact that failed to read (facts left
/// unread on purpose, `not_collected`, were needed by no rule of the scan that collected the
/// snapshot, so they are named only when the rule reads them or nothing else is unreadable).
fn inconclusive_reason(reads: &BTreeSet<String>, unreadable: &[UnreadableField], error: Option<&str>) -> String {
    let mut relevant: Vec<&UnreadableField> = unreadable.iter().filter(|f| reads.iter().any(|read| f.is_read_by(read))).collect();
    if relevant.is_empty() {
        relevant = unreadable.iter().filter(|f| f.unreadable.reason != UnreadableReason::NotCollected).collect();
    }
    if relevant.is_empty() {
        relevant = unreadable.iter().collect();
    }
    if relevant.is_empty() {
        return format!("evaluation error: {}.", error.unwrap_or("unknown"));
    }
    // Fields derived from one failed read (a trail's status and is_logging; its bucket's owner
    // and what follows from it) are named once, by the first.
    let mut seen: Vec<&crate::inventory::Unreadable> = Vec::new();
    relevant.retain(|f| {
        !seen.contains(&&f.unreadable) && {
            seen.push(&f.unreadable);
            true
        }
    });
    let facts: Vec<String> = relevant.iter().map(ToString::to_string).collect();
    format!("could not read {}.", facts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::{inconclusive_reason, not_in_source};
    use crate::evaluate::views::UnreadableField;
    use crate::inventory::{Unreadable, UnreadableReason};
    use std::collections::BTreeSet;

    fn fact(path: &str, label: &str, reason: UnreadableReason) -> UnreadableField {
        UnreadableField::labelled(path, label.to_owned(), Unreadable { reason, api: Some("cloudtrail:Api".to_owned()), detail: None })
    }

    fn reads(paths: &[&str]) -> BTreeSet<String> {
        paths.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn a_rule_hanging_on_facts_the_source_does_not_say_is_not_decidable_and_names_them() {
        let status = fact("trail.status", "trail main status", UnreadableReason::NotInSource);
        let unknown = fact("trail.kms_key", "trail main kms_key", UnreadableReason::UnknownUntilApply);
        let message = not_in_source("Logging", &reads(&["trail.status.is_logging"]), &[status.clone(), unknown.clone()]).expect("not in source");
        assert!(message.contains("trail main status") && !message.contains("kms_key"), "{message}");
        // A fact unknown until apply among those read keeps the rule inconclusive.
        assert_eq!(not_in_source("Both", &reads(&["trail.status", "trail.kms_key"]), &[status.clone(), unknown]), None);
        // Nothing the rule reads is unreadable: an evaluation error, not the source's limit.
        assert_eq!(not_in_source("Other", &reads(&["trail.name"]), &[status]), None);
    }

    #[test]
    fn the_facts_a_rule_reads_are_named_and_facts_left_unread_on_purpose_only_then() {
        let unreadable = [
            fact("account.event_data_stores", "account.event_data_stores (us-east-1)", UnreadableReason::Unsupported),
            fact("account.trails[].tags", "trail main tags", UnreadableReason::NotCollected),
        ];
        let unrelated = inconclusive_reason(&reads(&["account.id"]), &unreadable, Some("some other error"));
        assert!(unrelated.contains("event_data_stores") && !unrelated.contains("tags"), "{unrelated}");
        let about_tags = inconclusive_reason(&reads(&["account.trails[].tags.owner"]), &unreadable, None);
        assert!(about_tags.contains("trail main tags (not_collected") && !about_tags.contains("event_data_stores"), "{about_tags}");
        let only_unread = inconclusive_reason(&reads(&[]), &unreadable[1..], None);
        assert!(only_unread.contains("tags"), "{only_unread}");
        assert!(inconclusive_reason(&reads(&[]), &[], Some("no such overload")).contains("evaluation error: no such overload"));
    }
}
