//! The facts an inventory could not read, listed for the report's `scan.incomplete`.

use super::fact::{Fact, Unreadable, UnreadableReason};
use super::model::Inventory;
use super::reads::FactId;
use serde::{Deserialize, Serialize};

/// One fact (or whole target) that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gap {
    pub account: String,
    pub region: String,
    /// The API operation, `service:Operation`.
    pub api: String,
    /// The resource ARN (or account pseudo-ARN) the fact belongs to.
    pub resource: String,
    pub reason: UnreadableReason,
    pub detail: String,
}

struct Collector<'a> {
    partition: &'a str,
    gaps: Vec<Gap>,
}

impl Collector<'_> {
    /// Records `fact` when it could not be read; `id` names the API when the record does not.
    fn add<T>(&mut self, fact: &Fact<T>, id: FactId, account: &str, region: &str, resource: &str) {
        if let Fact::Unreadable(u) = fact {
            self.push(u, account, region, id.api(), resource);
        }
    }

    fn push(&mut self, u: &Unreadable, account: &str, region: &str, default_api: &str, resource: &str) {
        if matches!(u.reason, UnreadableReason::NotCollected | UnreadableReason::NotInSource) {
            // Skipped on purpose (nothing the scan's rules needed is missing), or never part of
            // what a template or plan says: neither is a gap in what was read.
            return;
        }
        self.gaps.push(Gap {
            account: account.to_owned(),
            region: region.to_owned(),
            api: u.api.clone().unwrap_or_else(|| default_api.to_owned()),
            resource: resource.to_owned(),
            reason: u.reason,
            detail: u.detail.clone().unwrap_or_default(),
        });
    }
}

/// Every unreadable fact and collection error, sorted and de-duplicated.
pub fn gaps(inventory: &Inventory) -> Vec<Gap> {
    let mut c = Collector { partition: &inventory.partition, gaps: Vec::new() };
    let caller = inventory.caller_account_id.as_str();
    let account_arn = |id: &str| format!("AWS::::Account:{id}");

    match &inventory.organization {
        Fact::Unreadable(u) => c.push(u, caller, "global", FactId::Organization.api(), &account_arn(caller)),
        Fact::Value(Some(org)) => {
            let mgmt = org.management_account_id.as_str();
            c.add(&org.accounts, FactId::OrganizationAccounts, mgmt, "global", &org.arn);
            for admins in org.delegated_administrators.values() {
                c.add(admins, FactId::OrganizationDelegatedAdministrators, mgmt, "global", &org.arn);
            }
            c.add(&org.trusted_service_principals, FactId::OrganizationTrustedServicePrincipals, mgmt, "global", &org.arn);
        }
        Fact::Value(None) => {}
    }
    for error in &inventory.collection_errors {
        let region = error.region.as_deref().unwrap_or("global");
        c.push(&error.unreadable, &error.account_id, region, "sts:AssumeRole", &account_arn(&error.account_id));
    }
    for account in &inventory.accounts {
        let id = account.id.as_str();
        let arn = account_arn(id);
        c.add(&account.enabled_regions, FactId::AccountEnabledRegions, id, "global", &arn);
        c.add(&account.owned_bucket_names, FactId::AccountOwnedBucketNames, id, "global", &arn);
        c.add(&account.public_access_block, FactId::AccountPublicAccessBlock, id, "global", &arn);
        let policy = format!("arn:{}:iam::aws:policy/AWSCloudTrail_FullAccess", c.partition);
        c.add(&account.cloudtrail_full_access, FactId::AccountCloudTrailFullAccess, id, "global", &policy);
        for region in &account.regions {
            let r = region.name.as_str();
            let pseudo = format!("arn:{}:cloudtrail:{r}:{id}:trail", c.partition);
            c.add(&region.trail_arns, FactId::RegionTrailArns, id, r, &pseudo);
            c.add(&region.event_data_stores, FactId::RegionEventDataStores, id, r, &pseudo);
            c.add(&region.eventbridge_rules, FactId::RegionEventBridgeRules, id, r, &arn);
            c.add(&region.metric_filters, FactId::RegionMetricFilters, id, r, &arn);
            c.add(&region.alarms, FactId::RegionAlarms, id, r, &arn);
            if let Fact::Value(stores) = &region.event_data_stores {
                for store in stores {
                    c.add(&store.details, FactId::EventDataStoreDetails, id, r, &store.arn);
                    c.add(&store.insight_selectors, FactId::EventDataStoreInsightSelectors, id, r, &store.arn);
                }
            }
            if let Fact::Value(rules) = &region.eventbridge_rules {
                for rule in rules {
                    // A part of the rules' listing, read by its own call.
                    if let Fact::Unreadable(u) = &rule.targets {
                        c.push(u, id, r, "events:ListTargetsByRule", &rule.arn);
                    }
                }
            }
        }
        for trail in &account.trails {
            let r = trail.home_region.as_str();
            c.add(&trail.status, FactId::TrailStatus, id, r, &trail.arn);
            c.add(&trail.event_selectors, FactId::TrailEventSelectors, id, r, &trail.arn);
            c.add(&trail.insight_selectors, FactId::TrailInsightSelectors, id, r, &trail.arn);
            c.add(&trail.tags, FactId::TrailTags, id, r, &trail.arn);
            for unknown in trail.unknown_settings.values() {
                c.push(unknown, id, r, "cloudtrail:DescribeTrails", &trail.arn);
            }
        }
    }
    // A bucket whose owner or region could not be read is filed where a trail delivering to
    // it lives, as its findings are.
    let mut delivering: std::collections::HashMap<&str, (&str, &str)> = std::collections::HashMap::new();
    for account in &inventory.accounts {
        for trail in account.trails.iter().filter(|t| t.owner_account_id() == account.id) {
            delivering.entry(trail.s3_bucket_name.as_str()).or_insert((account.id.as_str(), trail.home_region.as_str()));
        }
    }
    for bucket in &inventory.buckets {
        let arn = format!("arn:{}:s3:::{}", c.partition, bucket.name);
        let (trail_account, trail_region) = delivering.get(bucket.name.as_str()).copied().unwrap_or((caller, "global"));
        let account = bucket.owner_account_id.value().map_or(trail_account, String::as_str).to_owned();
        let region = bucket.region.value().map_or(trail_region, String::as_str).to_owned();
        let (a, r) = (account.as_str(), region.as_str());
        c.add(&bucket.owner_account_id, FactId::BucketOwner, a, r, &arn);
        c.add(&bucket.region, FactId::BucketRegion, a, r, &arn);
        c.add(&bucket.versioning, FactId::BucketVersioning, a, r, &arn);
        c.add(&bucket.encryption, FactId::BucketEncryption, a, r, &arn);
        c.add(&bucket.lifecycle, FactId::BucketLifecycle, a, r, &arn);
        c.add(&bucket.object_lock, FactId::BucketObjectLock, a, r, &arn);
        c.add(&bucket.public_access_block, FactId::BucketPublicAccessBlock, a, r, &arn);
        c.add(&bucket.policy, FactId::BucketPolicy, a, r, &arn);
        c.add(&bucket.policy_is_public, FactId::BucketPolicyIsPublic, a, r, &arn);
        c.add(&bucket.acl_grants, FactId::BucketAclGrants, a, r, &arn);
        c.add(&bucket.object_ownership, FactId::BucketObjectOwnership, a, r, &arn);
        c.add(&bucket.logging, FactId::BucketLogging, a, r, &arn);
    }
    for key in &inventory.kms_keys {
        let account = super::model::arn_account(&key.key_id).unwrap_or(caller).to_owned();
        c.add(&key.metadata, FactId::KmsKeyMetadata, &account, "global", &key.key_id);
    }
    let mut gaps = c.gaps;
    gaps.sort();
    gaps.dedup();
    gaps
}
