//! The facts an inventory could not read, listed for the report's `scan.incomplete`.

use super::fact::{Fact, Unreadable, UnreadableReason};
use super::model::Inventory;
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
    fn add<T>(&mut self, fact: &Fact<T>, account: &str, region: &str, default_api: &str, resource: &str) {
        if let Fact::Unreadable(u) = fact {
            self.push(u, account, region, default_api, resource);
        }
    }

    fn push(&mut self, u: &Unreadable, account: &str, region: &str, default_api: &str, resource: &str) {
        if u.reason == UnreadableReason::NotCollected {
            return; // skipped on purpose: nothing the scan's rules needed is missing
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
        Fact::Unreadable(u) => c.push(u, caller, "global", "organizations:DescribeOrganization", &account_arn(caller)),
        Fact::Value(Some(org)) => {
            let mgmt = org.management_account_id.as_str();
            c.add(&org.accounts, mgmt, "global", "organizations:ListAccounts", &org.arn);
            for admins in org.delegated_administrators.values() {
                c.add(admins, mgmt, "global", "organizations:ListDelegatedAdministrators", &org.arn);
            }
            c.add(&org.trusted_service_principals, mgmt, "global", "organizations:ListAWSServiceAccessForOrganization", &org.arn);
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
        c.add(&account.enabled_regions, id, "global", "account:ListRegions", &arn);
        c.add(&account.owned_bucket_names, id, "global", "s3:ListBuckets", &arn);
        c.add(&account.public_access_block, id, "global", "s3control:GetPublicAccessBlock", &arn);
        let policy = format!("arn:{}:iam::aws:policy/AWSCloudTrail_FullAccess", c.partition);
        c.add(&account.cloudtrail_full_access, id, "global", "iam:ListEntitiesForPolicy", &policy);
        for region in &account.regions {
            let r = region.name.as_str();
            let pseudo = format!("arn:{}:cloudtrail:{r}:{id}:trail", c.partition);
            c.add(&region.trail_arns, id, r, "cloudtrail:DescribeTrails", &pseudo);
            c.add(&region.event_data_stores, id, r, "cloudtrail:ListEventDataStores", &pseudo);
            c.add(&region.eventbridge_rules, id, r, "events:ListRules", &arn);
            c.add(&region.metric_filters, id, r, "logs:DescribeMetricFilters", &arn);
            c.add(&region.alarms, id, r, "cloudwatch:DescribeAlarms", &arn);
            if let Fact::Value(stores) = &region.event_data_stores {
                for store in stores {
                    c.add(&store.insight_selectors, id, r, "cloudtrail:GetInsightSelectors", &store.arn);
                }
            }
            if let Fact::Value(rules) = &region.eventbridge_rules {
                for rule in rules {
                    c.add(&rule.targets, id, r, "events:ListTargetsByRule", &rule.arn);
                }
            }
        }
        for trail in &account.trails {
            let r = trail.home_region.as_str();
            c.add(&trail.status, id, r, "cloudtrail:GetTrailStatus", &trail.arn);
            c.add(&trail.event_selectors, id, r, "cloudtrail:GetEventSelectors", &trail.arn);
            c.add(&trail.insight_selectors, id, r, "cloudtrail:GetInsightSelectors", &trail.arn);
            c.add(&trail.tags, id, r, "cloudtrail:ListTags", &trail.arn);
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
        c.add(&bucket.owner_account_id, a, r, "s3:HeadBucket", &arn);
        c.add(&bucket.region, a, r, "s3:GetBucketLocation", &arn);
        c.add(&bucket.versioning, a, r, "s3:GetBucketVersioning", &arn);
        c.add(&bucket.encryption, a, r, "s3:GetBucketEncryption", &arn);
        c.add(&bucket.lifecycle, a, r, "s3:GetBucketLifecycleConfiguration", &arn);
        c.add(&bucket.object_lock, a, r, "s3:GetObjectLockConfiguration", &arn);
        c.add(&bucket.public_access_block, a, r, "s3:GetPublicAccessBlock", &arn);
        c.add(&bucket.policy, a, r, "s3:GetBucketPolicy", &arn);
        c.add(&bucket.policy_is_public, a, r, "s3:GetBucketPolicyStatus", &arn);
        c.add(&bucket.acl_grants, a, r, "s3:GetBucketAcl", &arn);
        c.add(&bucket.object_ownership, a, r, "s3:GetBucketOwnershipControls", &arn);
        c.add(&bucket.logging, a, r, "s3:GetBucketLogging", &arn);
    }
    for key in &inventory.kms_keys {
        let account = super::model::arn_account(&key.key_id).unwrap_or(caller).to_owned();
        c.add(&key.metadata, &account, "global", "kms:DescribeKey", &key.key_id);
    }
    let mut gaps = c.gaps;
    gaps.sort();
    gaps.dedup();
    gaps
}
