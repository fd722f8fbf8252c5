//! One scan, planned and run: which rules run (the config, narrowed to a framework), what
//! must be read for them, and inventory + rules + config → the report with its warnings.
//! The command line reads files, collects or reads the inventory, and renders; the decisions
//! in between are made here.

use crate::compliance;
use crate::config::Config;
use crate::evaluate;
use crate::history::Baseline;
use crate::iam;
use crate::inventory::{gaps, Fact, FactId, Inventory};
use crate::report::Context;
use crate::results::{Report, ScanInfo, Source, Summary, ToolInfo};
use crate::rules::{RuleSet, Scope};
use std::collections::{BTreeMap, BTreeSet};

/// What a scan's enabled rules need read from AWS (a `collect` reads everything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// The inventory facts to read (`inventory::reads`).
    pub facts: BTreeSet<FactId>,
    /// Read alerting artefacts only in regions where the account homes a trail of its own.
    pub alerting_home_regions_only: bool,
}

/// A scan before its inventory: the rules and the config that decides which of them run.
pub struct Plan<'a> {
    pub set: &'a RuleSet,
    /// The config, limited to the framework's rules with `--framework`.
    pub config: Config,
    /// `--framework`: its controls' status goes into the report's summary.
    pub framework: Option<String>,
}

/// The outcome of a scan: the report and warnings for the user.
pub struct ScanResult {
    pub report: Report,
    pub warnings: Vec<String>,
    pub rules_run: usize,
    /// What was scanned, for SARIF categories and report titles: the organization id, or the
    /// account whose credentials collected the inventory; `cloudformation` or `terraform` for
    /// infrastructure as code.
    pub scope: String,
}

impl<'a> Plan<'a> {
    /// Plans a scan of `set` under `config`, restricted to the rules mapped to `framework` when
    /// one is given. An unknown framework, or one no enabled rule maps to, is a usage error
    /// (the message says why).
    pub fn new(set: &'a RuleSet, mut config: Config, framework: Option<&str>) -> Result<Plan<'a>, String> {
        if let Some(framework) = framework {
            compliance::restrict(&mut config, set, framework)?;
        }
        Ok(Plan { set, config, framework: framework.map(str::to_owned) })
    }

    /// Only the reads the enabled rules need (the same reads `iam-policy` allows).
    pub fn needs(&self) -> Needs {
        Needs {
            facts: iam::needed_reads(self.set, &self.config).into_keys().collect(),
            alerting_home_regions_only: iam::alerting_only_in_trail_home_regions(self.set, &self.config),
        }
    }

    /// Evaluates an inventory. `regions`, when given, limits the findings to those regions
    /// (findings about global resources are always kept).
    pub fn run(&self, inventory: Inventory, source: Source, regions: Option<&[String]>, started_at: chrono::DateTime<chrono::Utc>) -> ScanResult {
        let scope = match source {
            // A template or plan names no account (its placeholder is the same for both), and
            // the SARIF category is made from the scope: CloudFormation and Terraform scans of
            // one commit keep their alerts apart by source.
            Source::Cloudformation => "cloudformation".to_owned(),
            Source::TerraformPlan => "terraform".to_owned(),
            Source::Live | Source::Snapshot => scope(&inventory),
        };
        let mut result = scan_inventory(self.set, inventory, &self.config, source, regions, started_at, scope);
        if let Some(framework) = &self.framework {
            let status = compliance::status(&result.report.findings, framework);
            result.report.summary.frameworks = Some(BTreeMap::from([(framework.clone(), status)]));
        }
        result
    }

    /// What the renderers need besides the report: the rules that ran, the scope, the baseline.
    pub fn context<'c>(&'c self, result: &ScanResult, baseline: Option<&'c Baseline>) -> Context<'c> {
        Context::new(self.set, |id| self.config.rule_enabled(id), result.scope.clone()).with_baseline(baseline)
    }
}

/// The organization id, else the account whose credentials collected the inventory.
fn scope(inventory: &Inventory) -> String {
    match &inventory.organization {
        Fact::Value(Some(org)) => org.id.clone(),
        _ => inventory.caller_account_id.clone(),
    }
}

/// Evaluates an inventory into a report. The inventory is dropped as soon as the views are
/// built from it: a large organization's inventory and its findings need not share the memory.
fn scan_inventory(
    set: &RuleSet,
    inventory: Inventory,
    config: &Config,
    source: Source,
    regions: Option<&[String]>,
    started_at: chrono::DateTime<chrono::Utc>,
    scope: String,
) -> ScanResult {
    let accounts: Vec<String> = inventory.accounts.iter().map(|a| a.id.clone()).collect();
    let scanned_regions: BTreeSet<String> = inventory
        .accounts
        .iter()
        .flat_map(|a| a.regions.iter().map(|r| r.name.clone()))
        .filter(|r| regions.is_none_or(|only| only.contains(r)))
        .collect();
    let mut incomplete = gaps::gaps(&inventory);
    if let Some(regions) = regions {
        incomplete.retain(|g| g.region == "global" || regions.contains(&g.region));
    }
    let organization_unreadable = match &inventory.organization {
        // A template or plan describing no organization is no failure to warn of.
        Fact::Unreadable(u) if u.reason == crate::inventory::UnreadableReason::NotInSource => None,
        Fact::Unreadable(u) => Some(u.to_string()),
        Fact::Value(_) => None,
    };
    let subjects = evaluate::views::build(&inventory);
    let collected_on = inventory.collected_at.date_naive();
    drop(inventory);

    // Infrastructure as code shows some resources of one account: rules about a whole
    // account, Region or organization cannot be decided from it.
    let undecidable = match source.shows_only_its_own_resources() {
        Some(because) => evaluate::Undecidable { scopes: vec![Scope::Organization, Scope::Account, Scope::Region], because: because.to_owned() },
        None => evaluate::Undecidable::default(),
    };
    let evaluation = evaluate::evaluate_subjects(set, subjects, config, collected_on, &undecidable);
    let mut findings = evaluation.findings;
    if let Some(regions) = regions {
        findings.retain(|f| f.resource.region == "global" || regions.contains(&f.resource.region));
    }
    let report = Report {
        tool: ToolInfo::default(),
        scan: ScanInfo { started_at, finished_at: chrono::Utc::now(), source, accounts, regions: scanned_regions.into_iter().collect(), incomplete },
        summary: Summary::of(&findings),
        findings,
    };
    let rules_run = set.rules.iter().filter(|r| config.rule_enabled(&r.id)).count();
    let mut warnings = evaluation.warnings;
    if let Some(u) = organization_unreadable {
        warnings.push(format!("the organization could not be read ({u}); organization rules are inconclusive"));
    }
    ScanResult { report, warnings, rules_run, scope }
}
