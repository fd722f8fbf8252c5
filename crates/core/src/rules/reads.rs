//! What a rule reads: the binding paths its conditions and templates name (e.g.
//! `account.trails[].is_logging`). The IAM policy and a scan's reads are derived from them
//! (`iam`), and an inconclusive finding names the unreadable facts among them (`evaluate`).

use super::{check, load::scope_shape, shape::Shape, Condition, PassRule, Rule, RuleSet};
use std::collections::{BTreeSet, HashMap};

/// The binding paths a rule reads (e.g. `account.trails[].is_logging`): in its conditions, and
/// the paths its message and remediation templates name outright (`trail.status.…`).
pub fn rule_reads(set: &RuleSet, rule: &Rule) -> BTreeSet<String> {
    let vars = variables(rule);
    let mut out = conditions_read(rule, &vars);
    out.extend(template_reads(set, rule, &vars));
    out
}

/// The variables a rule's conditions and templates see, with their shapes.
fn variables(rule: &Rule) -> HashMap<String, Shape> {
    let mut vars: HashMap<String, Shape> = HashMap::new();
    vars.insert(rule.scope.variable().to_owned(), scope_shape(rule.scope).clone());
    vars.insert("params".to_owned(), Shape::Any);
    vars
}

/// The binding paths a rule's conditions read (applicability, pass, escalations): the facts
/// that can decide its outcome.
pub fn condition_reads(rule: &Rule) -> BTreeSet<String> {
    conditions_read(rule, &variables(rule))
}

fn conditions_read(rule: &Rule, vars: &HashMap<String, Shape>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut read = |c: &Condition, elements: &HashMap<String, String>| out.extend(check::reads(&c.program, vars, elements));
    let none = HashMap::new();
    if let Some(c) = &rule.applies_if {
        read(c, &none);
    }
    match &rule.pass_rule {
        PassRule::Expression(c) => read(c, &none),
        PassRule::Quantified { list, binding, condition, alternative, .. } => {
            read(list, &none);
            let mut elements = HashMap::new();
            if let Some(path) = check::element_path(&list.program, vars) {
                elements.insert(binding.clone(), path);
            }
            read(condition, &elements);
            if let Some(c) = alternative {
                read(c, &none);
            }
        }
    }
    for (_, c) in &rule.escalations {
        read(c, &none);
    }
    out.retain(|p| !p.starts_with("params"));
    out
}

/// Paths under the scope variable that the rule's templates name, plus the quantified list
/// when a template names its elements (`matched`, `unmatched`, `unknown`).
fn template_reads(set: &RuleSet, rule: &Rule, vars: &HashMap<String, Shape>) -> BTreeSet<String> {
    let scope = rule.scope.variable();
    let list = match &rule.pass_rule {
        PassRule::Quantified { list, .. } => check::element_path(&list.program, vars),
        PassRule::Expression(_) => None,
    };
    let mut out = BTreeSet::new();
    for part in crate::rules::TEMPLATE_PARTS {
        let Ok(template) = set.templates.get_template(&rule.template_name(part)) else { continue };
        for name in template.undeclared_variables(true) {
            if name == scope || name.starts_with(&format!("{scope}.")) {
                out.insert(name);
            } else if ["matched", "unmatched", "unknown"].iter().any(|e| name == *e || name.starts_with(&format!("{e}."))) {
                out.extend(list.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_reads_follow_quantified_elements() {
        let set = crate::rules::load_builtin().unwrap();
        let reads = rule_reads(&set, set.get("CT-MULTI-REGION").unwrap());
        assert!(reads.contains("account.trails[].is_logging"), "{reads:?}");
        assert!(reads.contains("account.trails[].management_events.all"), "{reads:?}");
    }
}
