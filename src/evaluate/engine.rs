//! Runs one rule against one bound subject and decides the outcome and message.

use crate::findings::Outcome;
use crate::inventory::Unreadable;
use super::tree::{self, MapNode};
use crate::rules::{Condition, PassRule, Quantifier, Rule, RuleSet};
use cel::common::value::Val;
use cel::{Context, Value};

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
enum Part {
    Pass,
    Fail,
    NotApplicable,
    Inconclusive,
    Remediation,
    ResourceArn,
}

impl Part {
    const ALL: [Part; 6] = [Part::Pass, Part::Fail, Part::NotApplicable, Part::Inconclusive, Part::Remediation, Part::ResourceArn];

    fn name(self) -> &'static str {
        crate::rules::TEMPLATE_PARTS[self as usize]
    }

    /// The message part of an outcome.
    fn message(outcome: Outcome) -> Part {
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
        let mut prepared = Prepared { rule, params, templates, constant: Default::default(), names_elements };
        // Functions of the environment (`namespace`, `range`, ...) are pure; the variables a
        // constant template may name are the rule and its parameters.
        let globals: Vec<&str> = set.templates.globals().map(|(name, _)| name).collect();
        let constant = Part::ALL.map(|part| {
            let template = prepared.templates[part as usize].as_ref()?;
            let names = template.undeclared_variables(false);
            if part == Part::ResourceArn || !names.iter().all(|n| n == "rule" || n == "params" || globals.contains(&n.as_str())) {
                return None;
            }
            Some(render(template, &prepared.variables(None, Elements::default(), minijinja::Value::UNDEFINED), part))
        });
        prepared.constant = constant;
        prepared
    }

    /// The text of a part for a judgement: its constant text, or the template rendered with
    /// the judgement's variables; None when the rule has no such template.
    fn text(&self, part: Part, variables: &minijinja::Value) -> Option<String> {
        if let Some(text) = &self.constant[part as usize] {
            return Some(text.clone());
        }
        self.templates[part as usize].as_ref().map(|template| render(template, variables, part))
    }

    /// What a rule's templates can name, for one judgement (a subject's, or none for the
    /// constant parts).
    fn variables(&self, subject: Option<&Subject>, elements: Elements, outcome: minijinja::Value) -> minijinja::Value {
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
fn render(template: &minijinja::Template, variables: &minijinja::Value, part: Part) -> String {
    // A fresh, exact-size copy: the rendering buffer has grown by doubling, and a quarter of a
    // million of them kept would cost a third more memory.
    template.render(variables).map(|s| s.trim().to_owned()).unwrap_or_else(|e| format!("(the rule's {} template failed: {e})", part.name()))
}

/// The subject as rules see it: its CEL context and its template value.
pub struct Subject<'a> {
    /// A context of the rule set's CEL environment, with no variables of its own.
    pub context: &'a Context<'static, 'static>,
    /// The scope variable's name (`account`, `trail`, ...).
    pub variable: &'static str,
    /// The subject's view, as conditions read it.
    pub tree: &'a (dyn Val + 'static),
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
        }
    }
}

/// A context of the rule set's CEL environment, in which judgements bind their variables.
pub fn root_context(set: &RuleSet) -> Context<'static, 'static> {
    Context::with_env(set.cel.clone())
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

/// Elements of a quantified condition, sorted by how they answered (template values).
#[derive(Debug, Default)]
struct Elements {
    matched: Vec<minijinja::Value>,
    unmatched: Vec<minijinja::Value>,
    unknown: Vec<minijinja::Value>,
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
    // Elements for templates are only worked out when the template that will render names them.
    if let PassRule::Quantified { list, binding, condition, answers, path, .. } = &rule.pass_rule {
        let needed = prepared.names_elements[Part::message(outcome) as usize]
            || (prepared.names_elements[Part::Remediation as usize] && matches!(outcome, Outcome::Fail | Outcome::Inconclusive));
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
    let message = match outcome {
        Outcome::Pass | Outcome::Fail => prepared.text(Part::message(outcome), &variables),
        Outcome::NotApplicable => prepared.text(Part::NotApplicable, &variables).or_else(|| Some(format!("{} does not apply.", rule.title))),
        Outcome::Inconclusive | Outcome::Suppressed => {
            let reason = inconclusive_reason(error.as_deref(), subject.unreadable);
            Some(match prepared.text(Part::Inconclusive, &variables) {
                Some(text) => format!("{text} {reason}"),
                None => format!("Could not be evaluated: {reason}"),
            })
        }
    }
    .unwrap_or_default();
    let remediation = match outcome {
        Outcome::Fail | Outcome::Inconclusive => prepared.text(Part::Remediation, &variables).unwrap_or_default(),
        _ => String::new(),
    };
    Verdict { outcome, escalated, message, remediation }
}

/// The ARN of a rule's own finding resource (its `resource.arn` template) for a subject;
/// None when the rule has none. An error is the template's (a rule's test cases render it).
pub fn resource_arn(prepared: &Prepared, subject: &Subject) -> Option<Result<String, String>> {
    prepared.rule.resource_kind?;
    let Some(template) = &prepared.templates[Part::ResourceArn as usize] else {
        return Some(Err(format!("the rule has no {} template", Part::ResourceArn.name())));
    };
    let variables = prepared.variables(Some(subject), Elements::default(), minijinja::Value::UNDEFINED);
    Some(match template.render(variables) {
        Ok(arn) if !arn.trim().is_empty() => Ok(arn.trim().to_owned()),
        Ok(_) => Err("the resource.arn template rendered nothing".to_owned()),
        Err(e) => Err(e.to_string()),
    })
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

/// Names what could not be read: the unreadable facts that the error points at (a missing
/// key), or all of the subject's unreadable facts when the error names none of them.
fn inconclusive_reason(error: Option<&str>, unreadable: &[(String, Unreadable)]) -> String {
    let missing = error.and_then(|e| e.strip_prefix("No such key: ")).map(str::trim);
    // Facts left unread on purpose (`not_collected`) were needed by no rule of the scan that
    // collected them: they are named only when the error points at them.
    let read_and_failed = || -> Vec<&(String, Unreadable)> {
        let failed: Vec<_> = unreadable.iter().filter(|(_, u)| u.reason != crate::inventory::UnreadableReason::NotCollected).collect();
        if failed.is_empty() { unreadable.iter().collect() } else { failed }
    };
    let relevant: Vec<&(String, Unreadable)> = match missing {
        Some(key) => {
            let hits: Vec<_> = unreadable.iter().filter(|(fact, _)| fact.ends_with(key) || fact.rsplit(['.', ' ']).next() == Some(key)).collect();
            if hits.is_empty() { read_and_failed() } else { hits }
        }
        None => read_and_failed(),
    };
    if relevant.is_empty() {
        return format!("evaluation error: {}.", error.unwrap_or("unknown"));
    }
    let facts: Vec<String> = relevant.iter().map(|(fact, u)| format!("{fact} ({u})")).collect();
    format!("could not read {}.", facts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::inconclusive_reason;
    use crate::inventory::{Unreadable, UnreadableReason};

    fn fact(path: &str, reason: UnreadableReason) -> (String, Unreadable) {
        (path.to_owned(), Unreadable { reason, api: Some("cloudtrail:Api".to_owned()), detail: None })
    }

    #[test]
    fn facts_left_unread_on_purpose_are_named_only_when_the_error_points_at_them() {
        let unreadable =
            [fact("account.event_data_stores (us-east-1)", UnreadableReason::Unsupported), fact("trail main tags", UnreadableReason::NotCollected)];
        let unrelated = inconclusive_reason(Some("some other error"), &unreadable);
        assert!(unrelated.contains("event_data_stores") && !unrelated.contains("tags"), "{unrelated}");
        let about_tags = inconclusive_reason(Some("No such key: tags"), &unreadable);
        assert!(about_tags.contains("trail main tags (not_collected") && !about_tags.contains("event_data_stores"), "{about_tags}");
        let only_unread = inconclusive_reason(None, &unreadable[1..]);
        assert!(only_unread.contains("tags"), "{only_unread}");
    }
}
