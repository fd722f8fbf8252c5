//! One scan: inventory + rules + config → report.

use crate::config::Config;
use crate::evaluate;
use crate::findings::Summary;
use crate::inventory::{gaps, Fact, Inventory};
use crate::report::json::{Report, ScanInfo, Source, ToolInfo};
use crate::rules::RuleSet;
use std::collections::BTreeSet;

/// The outcome of a scan: the report and warnings for the user.
pub struct ScanResult {
    pub report: Report,
    pub warnings: Vec<String>,
    pub rules_run: usize,
}

/// Evaluates an inventory. `regions`, when given, limits the findings to those regions
/// (findings about global resources are always kept). The inventory is dropped as soon as the
/// views are built from it: a large organization's inventory and its findings need not share
/// the memory.
pub fn scan_inventory(
    set: &RuleSet,
    inventory: Inventory,
    config: &Config,
    source: Source,
    regions: Option<&[String]>,
    started_at: chrono::DateTime<chrono::Utc>,
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
        Fact::Unreadable(u) => Some(u.to_string()),
        Fact::Value(_) => None,
    };
    let subjects = evaluate::views::build(&inventory);
    let collected_on = inventory.collected_at.date_naive();
    drop(inventory);

    let evaluation = evaluate::evaluate_subjects(set, subjects, config, collected_on);
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
    ScanResult { report, warnings, rules_run }
}
