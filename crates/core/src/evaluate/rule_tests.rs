//! `trailwarden rules test`: runs the cases written inside each rule file through the engine,
//! as a scan would judge a subject with those facts. It lives with evaluation, not with the
//! rules, because it drives the engine: the rules module stays free of evaluation.

use super::binding::Bound;
use super::engine;
use super::prepared::{Params, Prepared};
use crate::diagnostic::Location;
use crate::rules::load::scope_shape;
use crate::rules::locate::{locate_nearest, Step};
use crate::rules::shape::Shaped;
use crate::rules::{Rule, RuleSet};

/// The result of one test case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub rule_id: String,
    pub name: String,
    /// `file:line:column` of the case (the file alone when the case cannot be found in it).
    pub location: String,
    /// None when the case passed; else what went wrong.
    pub failure: Option<String>,
}

pub fn run_rule(set: &RuleSet, rule: &Rule) -> Vec<CaseResult> {
    rule.tests
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let mut values = rule.default_params();
            values.extend(case.params.iter().map(|(k, v)| (k.clone(), v.clone())));
            let prepared = Prepared::new(set, rule, Params::new(&values));
            let shape = scope_shape(rule.scope);
            let bound = Bound::new(set, rule.scope, &Shaped { value: &case.facts, shape });
            let verdict = engine::judge(&prepared, &bound.subject(&[]));
            let mut problems = Vec::new();
            if verdict.outcome != case.expect {
                problems.push(format!("expected {}, got {}: {}", case.expect, verdict.outcome, verdict.message));
            }
            if let Some(expected) = case.severity {
                let actual = verdict.escalated.unwrap_or(rule.severity);
                if actual != expected {
                    problems.push(format!("expected severity {expected}, got {actual}"));
                }
            }
            if let Some(needle) = &case.message_contains {
                if !verdict.message.contains(needle.as_str()) {
                    problems.push(format!("message does not contain {needle:?}: {:?}", verdict.message));
                }
            }
            if let Some(Err(e)) = engine::resource_arn(&prepared, &bound.subject(&[])) {
                problems.push(format!("the resource.arn template failed: {e}"));
            }
            if let Some(failure) = &verdict.template_failure {
                problems.push(failure.to_string());
            }
            let position = locate_nearest(&rule.text, &[Step::Key("tests"), Step::Index(i)]);
            CaseResult {
                rule_id: rule.id.clone(),
                name: case.name.clone(),
                location: Location::new(&rule.path, position).to_string(),
                failure: (!problems.is_empty()).then(|| problems.join("; ")),
            }
        })
        .collect()
}

pub fn run_all(set: &RuleSet) -> Vec<CaseResult> {
    set.rules.iter().flat_map(|rule| run_rule(set, rule)).collect()
}

#[cfg(test)]
mod tests {
    use crate::findings::Outcome;

    /// Every built-in rule documents its behaviour with at least three cases, among them a
    /// passing and a failing one (the third is an edge case of its catalogue entry).
    #[test]
    fn every_builtin_rule_has_at_least_three_cases_with_a_pass_and_a_fail() {
        let set = crate::rules::load_builtin().expect("the built-in pack loads");
        let mut short = Vec::new();
        for rule in &set.rules {
            let expects = |o: Outcome| rule.tests.iter().any(|t| t.expect == o);
            if rule.tests.len() < 3 || !expects(Outcome::Pass) || !expects(Outcome::Fail) {
                short.push(format!("{} ({} case(s), pass: {}, fail: {})", rule.id, rule.tests.len(), expects(Outcome::Pass), expects(Outcome::Fail)));
            }
        }
        assert!(short.is_empty(), "built-in rules with too few test cases: {}", short.join(", "));
    }

    #[test]
    fn every_builtin_case_passes() {
        let set = crate::rules::load_builtin().expect("the built-in pack loads");
        let failures: Vec<String> =
            super::run_all(&set).into_iter().filter_map(|c| c.failure.map(|f| format!("{} / {} ({}): {f}", c.rule_id, c.name, c.location))).collect();
        assert!(failures.is_empty(), "failing rule test cases:\n{}", failures.join("\n"));
    }
}
