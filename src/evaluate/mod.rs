//! Evaluation: pure and synchronous, `(rules, inventory, config) -> findings`.

pub mod binding;
mod copies;
pub mod engine;
pub mod monitoring;
pub mod policy;
pub mod readable;
pub mod selectors;
pub mod sources;
pub mod suppress;
pub mod tree;
pub mod views;

use crate::config::Config;
use crate::findings::Finding;
use crate::inventory::Inventory;
use crate::rules::{Rule, RuleSet, Scope};
use engine::Params;
use rayon::prelude::*;
use serde::Serialize;
use views::Subject;

/// The result of evaluating an inventory.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Sorted by rule id, then resource ARN.
    pub findings: Vec<Finding>,
    /// Things the user should know that are not findings (expired or unused suppressions).
    pub warnings: Vec<String>,
}

/// A rule that runs, with its parameters resolved.
struct Active<'a> {
    rule: &'a Rule,
    params: Params,
    severity: crate::findings::Severity,
}

pub fn evaluate(set: &RuleSet, inventory: &Inventory, config: &Config) -> Evaluation {
    evaluate_subjects(set, &views::build(inventory), config, inventory.collected_at.date_naive())
}

/// Evaluates already-built subjects; `today` decides which suppressions have expired.
pub fn evaluate_subjects(set: &RuleSet, subjects: &views::Subjects, config: &Config, today: chrono::NaiveDate) -> Evaluation {
    let active: Vec<Active> = set
        .rules
        .iter()
        .filter(|r| config.rule_enabled(&r.id))
        .map(|rule| {
            let mut values = rule.default_params();
            if let Some(overrides) = config.parameters.get(&rule.id) {
                values.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            let severity = config.severity_overrides.get(&rule.id).copied().unwrap_or(rule.severity);
            Active { rule, params: Params::new(&values), severity }
        })
        .collect();

    let mut findings = Vec::new();
    findings.extend(run_scope(set, &active, Scope::Organization, &subjects.organization));
    findings.extend(run_scope(set, &active, Scope::Account, &subjects.accounts));
    findings.extend(run_scope(set, &active, Scope::Region, &subjects.regions));
    findings.extend(run_scope(set, &active, Scope::Trail, &subjects.trails));
    findings.extend(run_scope(set, &active, Scope::Bucket, &subjects.buckets));
    findings.extend(run_scope(set, &active, Scope::EventDataStore, &subjects.event_data_stores));
    findings.sort_by(|a, b| a.rule_id.cmp(&b.rule_id).then_with(|| a.resource.cmp(&b.resource)));

    let today = chrono::Utc::now().date_naive().max(today);
    let warnings = suppress::apply(&mut findings, &config.suppressions, today);
    Evaluation { findings, warnings }
}

fn run_scope<V: Serialize + Sync>(set: &RuleSet, active: &[Active], scope: Scope, subjects: &[Subject<V>]) -> Vec<Finding> {
    let rules: Vec<&Active> = active.iter().filter(|a| a.rule.scope == scope).collect();
    if rules.is_empty() {
        return Vec::new();
    }
    subjects
        .par_iter()
        .flat_map_iter(|subject| {
            let bound = binding::Bound::new(set, scope, &subject.view);
            let engine_subject = bound.subject(&subject.unreadable);
            rules
                .iter()
                .map(|a| {
                    let verdict = engine::judge(set, a.rule, &engine_subject, &a.params);
                    Finding {
                        rule_id: a.rule.id.clone(),
                        title: a.rule.title.clone(),
                        outcome: verdict.outcome,
                        severity: verdict.escalated.map_or(a.severity, |e| e.max(a.severity)),
                        resource: subject.resource.clone(),
                        message: verdict.message,
                        remediation: verdict.remediation,
                        frameworks: a.rule.frameworks.clone(),
                        suppression: None,
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}
