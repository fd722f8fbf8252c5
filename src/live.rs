//! Collection from AWS as the commands ask for it: the collector's options from the command
//! line, and the calls it made printed with `-v`. A binary built without the `aws` feature has
//! no collector; asking it for a live scan is a usage error that says how to get one.

use clap::Args;
use trailwarden_core::inventory::Inventory;
use trailwarden_core::scan::Needs;

/// Where and how to collect from AWS (credentials come from the standard AWS chain).
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Scan every ACTIVE account of the organization (run from the management account or a
    /// delegated administrator), assuming --role-name in each.
    #[arg(long)]
    pub org: bool,
    /// The role to assume in each account of an --org scan.
    #[arg(long, default_value = "OrganizationAccountAccessRole", value_name = "NAME")]
    pub role_name: String,
    /// External id for the assumed role.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Only these accounts of the organization (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub accounts: Vec<String>,
    /// Skip these accounts of the organization (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub exclude_accounts: Vec<String>,
    /// Only the accounts in these organizational units or below them (comma-separated paths
    /// from the root, such as Root/Workloads, or unit ids).
    #[arg(long, value_delimiter = ',', value_name = "UNITS")]
    pub ous: Vec<String>,
    /// Skip the accounts in these organizational units or below them (paths or ids).
    #[arg(long, value_delimiter = ',', value_name = "UNITS")]
    pub exclude_ous: Vec<String>,
    /// The AWS profile to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// API calls in flight at once (at most 8 per account).
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub concurrency: usize,
}

/// One collection run as the command line describes it.
#[cfg_attr(not(feature = "aws"), allow(dead_code))] // read only by the collector
pub struct Request<'a> {
    pub args: &'a LiveArgs,
    /// Only these regions (`--regions`).
    pub regions: Option<&'a [String]>,
    /// Only this part of the organization's accounts (`collect --shard K/N`).
    pub shard: Option<trailwarden_core::inventory::Shard>,
    /// No progress bar.
    pub quiet: bool,
    /// `-v`: print the API calls made, by operation.
    pub verbose: u8,
    /// What the scan's rules need read (`scan::Plan::needs`); `None`: read every fact.
    pub needs: Option<Needs>,
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[cfg(feature = "aws")]
    #[error("{0}")]
    Collect(#[from] crate::collect::CollectError),
    #[cfg(not(feature = "aws"))]
    #[error(
        "this trailwarden was built without AWS support (the `aws` feature), so it cannot collect; \
         evaluate a snapshot with `scan --snapshot FILE`, or build with the default features"
    )]
    NotBuilt,
}

#[cfg(feature = "aws")]
pub fn collect(request: &Request) -> Result<Inventory, LiveError> {
    use crate::collect;
    let live = request.args;
    let options = collect::Options {
        org: live.org,
        role_name: live.role_name.clone(),
        external_id: live.external_id.clone(),
        accounts: live.accounts.clone(),
        exclude_accounts: live.exclude_accounts.clone(),
        ous: live.ous.clone(),
        exclude_ous: live.exclude_ous.clone(),
        shard: request.shard,
        regions: request.regions.map(<[String]>::to_vec),
        profile: live.profile.clone(),
        region: None,
        concurrency: live.concurrency,
        progress: !request.quiet,
        facts: request.needs.as_ref().map(|n| n.facts.clone()),
        alerting_home_regions_only: request.needs.as_ref().is_some_and(|n| n.alerting_home_regions_only),
    };
    let (inventory, calls) = collect::collect(&options)?;
    if request.verbose > 0 {
        let calls = calls.snapshot();
        let total: usize = calls.values().sum();
        eprintln!("API calls: {total}");
        for (operation, count) in calls {
            eprintln!("  {count:>6}  {operation}");
        }
    }
    Ok(inventory)
}

#[cfg(not(feature = "aws"))]
pub fn collect(_request: &Request) -> Result<Inventory, LiveError> {
    Err(LiveError::NotBuilt)
}
