//! Evaluation: pure and synchronous, `(rules, inventory, config) -> findings`.
//!
//! `views` derives from the inventory what rules bind; `binding` turns a view into a CEL
//! context and a template value; `prepared` readies a rule's parameters and templates once;
//! `engine` judges one prepared rule on one bound subject; `suppress` applies the config's
//! suppressions; `rule_tests` runs the cases written in rule files through the engine. Imports
//! between these go one way (engine → prepared → binding → tree), so that each can be read
//! without the ones above it.

pub mod binding;
pub mod engine;
pub mod prepared;
pub mod rule_tests;
pub mod sources;
pub mod suppress;
pub mod tree;
pub mod views;

use crate::config::Config;
use crate::findings::{Finding, Outcome, Severity};
use crate::inventory::{units, Inventory};
use crate::rules::{Rule, RuleSet, Scope};
use prepared::{Params, Prepared};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;
use views::{ResourceRef, Subject};

/// The result of evaluating an inventory.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Sorted by rule id, then resource ARN.
    pub findings: Vec<Finding>,
    /// Things the user should know that are not findings (expired or unused suppressions).
    pub warnings: Vec<String>,
}

/// A rule that runs, with its parameters resolved and its templates prepared.
struct Active<'a> {
    rule: &'a Rule,
    prepared: Prepared<'a>,
    /// The rule prepared with the parameters of `unit_parameters` entries that set some of
    /// its parameters, in config order: a subject in a unit one matches is judged with it.
    by_unit: Vec<(globset::GlobMatcher, Prepared<'a>)>,
    severity: Severity,
}

impl Active<'_> {
    /// The rule as prepared for a subject in `unit`.
    fn prepared_for(&self, unit: Option<&str>) -> &Prepared<'_> {
        let Some(unit) = unit else { return &self.prepared };
        self.by_unit.iter().find(|(glob, _)| units::path_matches(glob, unit)).map_or(&self.prepared, |(_, prepared)| prepared)
    }
}

/// Scopes whose rules an inventory's source cannot decide, and why: a template or plan shows
/// only its own resources, so no rule about a whole account, Region or organization can be
/// judged from it. Their findings are not applicable, saying so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Undecidable {
    pub scopes: Vec<Scope>,
    pub because: String,
}

pub fn evaluate(set: &RuleSet, inventory: &Inventory, config: &Config) -> Evaluation {
    evaluate_subjects(set, views::build(inventory), config, inventory.collected_at.date_naive(), &Undecidable::default())
}

/// Evaluates already-built subjects; `today` decides which suppressions have expired.
pub fn evaluate_subjects(
    set: &RuleSet,
    subjects: views::Subjects,
    config: &Config,
    today: chrono::NaiveDate,
    undecidable: &Undecidable,
) -> Evaluation {
    let active: Vec<Active> = set
        .rules
        .iter()
        .filter(|r| config.rule_enabled(&r.id))
        .map(|rule| {
            let mut values = rule.default_params();
            if let Some(overrides) = config.parameters.get(&rule.id) {
                values.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            let by_unit = config
                .unit_parameters
                .iter()
                .filter_map(|unit| {
                    let overrides = unit.parameters.get(&rule.id)?;
                    let mut values = values.clone();
                    values.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
                    let glob = units::unit_glob(&unit.organizational_unit).expect("unit globs are checked when the config loads");
                    Some((glob, Prepared::new(set, rule, Params::new(&values))))
                })
                .collect();
            let severity = config.severity_overrides.get(&rule.id).copied().unwrap_or(rule.severity);
            Active { rule, prepared: Prepared::new(set, rule, Params::new(&values)), by_unit, severity }
        })
        .collect();

    // Each scope's views are freed as soon as its rules have run: the findings grow as the
    // views they came from go, and a large organization's peak memory is the lower for it.
    let views::Subjects { organization, accounts, regions, trails, buckets, event_data_stores } = subjects;
    let run =
        |scope: Scope| Run { set, active: &active, scope, undecidable: undecidable.scopes.contains(&scope).then_some(undecidable.because.as_str()) };
    let scopes = [
        run(Scope::Organization).and_free(organization),
        run(Scope::Account).and_free(accounts),
        run(Scope::Region).and_free(regions),
        run(Scope::Trail).and_free(trails),
        run(Scope::Bucket).and_free(buckets),
        run(Scope::EventDataStore).and_free(event_data_stores),
    ];
    let mut findings = in_report_order(scopes);

    let today = chrono::Utc::now().date_naive().max(today);
    let warnings = suppress::apply(&mut findings, &config.suppressions, today);
    Evaluation { findings, warnings }
}

/// The findings of one scope, subject by subject: `by_subject[s][r]` is rule `rules[r]` on
/// subject `s`; `order` lists the subjects by resource.
struct ScopeFindings<'a> {
    rules: Vec<&'a Rule>,
    by_subject: Vec<Vec<Finding>>,
    order: Vec<usize>,
}

/// One scope's run: its rules, and why the source cannot decide them, when it cannot.
struct Run<'r, 'a> {
    set: &'r RuleSet,
    active: &'a [Active<'a>],
    scope: Scope,
    undecidable: Option<&'r str>,
}

impl<'a> Run<'_, 'a> {
    /// Runs the scope's rules, then frees its subjects on all cores (hundreds of thousands of
    /// small allocations in a large organization).
    fn and_free<V: Serialize + Send + Sync>(&self, subjects: Vec<Subject<V>>) -> ScopeFindings<'a> {
        let findings = run_scope(self.set, self.active, self.scope, &subjects, self.undecidable);
        subjects.into_par_iter().for_each(drop);
        findings
    }
}

fn run_scope<'a, V: Serialize + Sync>(
    set: &RuleSet,
    active: &'a [Active],
    scope: Scope,
    subjects: &[Subject<V>],
    undecidable: Option<&str>,
) -> ScopeFindings<'a> {
    let rules: Vec<&Active> = active.iter().filter(|a| a.rule.scope == scope).collect();
    if rules.is_empty() {
        return ScopeFindings { rules: Vec::new(), by_subject: Vec::new(), order: Vec::new() };
    }
    // Each subject is bound once, for all the rules of its scope.
    let by_subject = subjects
        .par_iter()
        .map(|subject| {
            let resource = Arc::new(subject.resource.clone());
            match undecidable {
                Some(because) => undecided(&rules, scope, &resource, because),
                None => judged(set, scope, &rules, subject, &resource),
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..subjects.len()).collect();
    order.sort_by(|&a, &b| subjects[a].resource.cmp(&subjects[b].resource));
    ScopeFindings { rules: rules.iter().map(|a| a.rule).collect(), by_subject, order }
}

/// The findings of the scope's rules on one subject, bound once for all of them.
fn judged<V: Serialize>(set: &RuleSet, scope: Scope, rules: &[&Active], subject: &Subject<V>, resource: &Arc<ResourceRef>) -> Vec<Finding> {
    let bound = binding::Bound::new(set, scope, &subject.view);
    let engine_subject = bound.subject(&subject.unreadable);
    rules
        .iter()
        .map(|a| {
            let prepared = a.prepared_for(subject.resource.organizational_unit.as_deref());
            let mut verdict = engine::judge(prepared, &engine_subject);
            // A rule with its own resource (`resource:`) reports on it, in the subject's
            // account and region. When its ARN cannot be rendered (a fact it names was
            // unreadable, say), the finding is the subject's, and inconclusive: an outcome
            // about an unnamed resource is no outcome.
            let resource = match engine::resource_arn(prepared, &engine_subject) {
                None => resource.clone(),
                Some(Ok((kind, arn))) => Arc::new(ResourceRef { arn, kind, ..subject.resource.clone() }),
                Some(Err(error)) => {
                    verdict = verdict.without_resource(&error);
                    resource.clone()
                }
            };
            let severity = verdict.escalated.map_or(a.severity, |e| e.max(a.severity));
            finding(a, resource, verdict.outcome, severity, verdict.message, verdict.remediation)
        })
        .collect()
}

/// The findings of a scope the source cannot decide, on one subject: each rule not
/// applicable, saying why, without judging it.
fn undecided(rules: &[&Active], scope: Scope, resource: &Arc<ResourceRef>, because: &str) -> Vec<Finding> {
    rules
        .iter()
        .map(|a| {
            let message = format!("{}: not decidable from {because}; this {} rule needs all of it.", a.rule.title, scope_name(scope));
            finding(a, resource.clone(), Outcome::NotApplicable, a.severity, message, String::new())
        })
        .collect()
}

/// A finding of rule `a` on `resource` (suppressions are applied later, to all findings).
fn finding(a: &Active, resource: Arc<ResourceRef>, outcome: Outcome, severity: Severity, message: String, remediation: String) -> Finding {
    Finding {
        rule_id: a.rule.id.clone(),
        title: a.rule.title.clone(),
        outcome,
        severity,
        resource,
        message,
        remediation,
        frameworks: a.rule.frameworks.clone(),
        suppression: None,
    }
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Organization => "organization",
        Scope::Account => "account",
        Scope::Region => "Region",
        Scope::Trail => "trail",
        Scope::Bucket => "bucket",
        Scope::EventDataStore => "event data store",
    }
}

/// All findings sorted by rule id, then resource, without sorting them: every rule belongs to
/// one scope, so its findings are one column of that scope's table, read in resource order.
/// (Sorting a quarter of a million findings moved ~200 bytes each, some 18 times.) The scopes'
/// tables are turned into columns on all cores; the columns are then laid end to end.
fn in_report_order(scopes: [ScopeFindings; 6]) -> Vec<Finding> {
    let mut columns: Vec<(&str, Vec<Finding>)> = scopes.into_par_iter().flat_map_iter(columns_of).collect();
    columns.sort_by(|a, b| a.0.cmp(b.0));
    let mut findings = Vec::with_capacity(columns.iter().map(|(_, column)| column.len()).sum());
    for (_, column) in columns {
        findings.extend(column);
    }
    findings
}

/// One scope's findings as one column per rule, each in resource order.
fn columns_of(scope: ScopeFindings<'_>) -> Vec<(&str, Vec<Finding>)> {
    let ScopeFindings { rules, mut by_subject, order } = scope;
    let mut columns: Vec<Vec<Finding>> = rules.iter().map(|_| Vec::with_capacity(order.len())).collect();
    for &subject in &order {
        // Each row is freed as soon as it is spread over the columns.
        for (column, finding) in columns.iter_mut().zip(std::mem::take(&mut by_subject[subject])) {
            column.push(finding);
        }
    }
    rules
        .iter()
        .zip(columns)
        .map(|(rule, mut column)| {
            // A rule with its own resource does not follow its subjects' order.
            if rule.resource_kind.is_some() {
                column.sort_by(|a, b| a.resource.cmp(&b.resource));
            }
            (rule.id.as_str(), column)
        })
        .collect()
}
