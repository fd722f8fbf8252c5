//! Every read the scanner makes, by the inventory fact it fills: the API operation and the IAM
//! actions that allow it. This is the single list that the least-privilege policy
//! (`trailwarden iam-policy`) is built from, and that the collectors declare their calls by.
//! Every action here is a read.

/// One read: the inventory fact, the API operation, and the IAM actions it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    /// The fact's path in the inventory model (`trail.status`, `bucket.versioning`, ...).
    pub fact: &'static str,
    /// `service:Operation` as the API names it.
    pub api: &'static str,
    /// IAM actions (they differ from API names for some S3 calls).
    pub actions: &'static [&'static str],
}

const fn read(fact: &'static str, api: &'static str, actions: &'static [&'static str]) -> Read {
    Read { fact, api, actions }
}

pub const READS: &[Read] = &[
    read("caller", "sts:GetCallerIdentity", &["sts:GetCallerIdentity"]),
    read("organization", "organizations:DescribeOrganization", &["organizations:DescribeOrganization"]),
    read("organization.accounts", "organizations:ListAccounts", &["organizations:ListAccounts"]),
    read("organization.delegated_administrators", "organizations:ListDelegatedAdministrators", &["organizations:ListDelegatedAdministrators"]),
    read(
        "organization.trusted_service_principals",
        "organizations:ListAWSServiceAccessForOrganization",
        &["organizations:ListAWSServiceAccessForOrganization"],
    ),
    read("account.enabled_regions", "account:ListRegions", &["account:ListRegions"]),
    read("account.owned_bucket_names", "s3:ListBuckets", &["s3:ListAllMyBuckets"]),
    read("account.public_access_block", "s3control:GetPublicAccessBlock", &["s3:GetAccountPublicAccessBlock"]),
    read("account.cloudtrail_full_access", "iam:ListEntitiesForPolicy", &["iam:ListEntitiesForPolicy"]),
    read("region.trail_arns", "cloudtrail:DescribeTrails", &["cloudtrail:DescribeTrails"]),
    read("region.event_data_stores", "cloudtrail:ListEventDataStores", &["cloudtrail:ListEventDataStores", "cloudtrail:GetEventDataStore"]),
    read("region.event_data_stores.insight_selectors", "cloudtrail:GetInsightSelectors", &["cloudtrail:GetInsightSelectors"]),
    read("region.eventbridge_rules", "events:ListRules", &["events:ListRules", "events:DescribeRule", "events:ListTargetsByRule"]),
    read("region.metric_filters", "logs:DescribeMetricFilters", &["logs:DescribeMetricFilters"]),
    read("region.alarms", "cloudwatch:DescribeAlarms", &["cloudwatch:DescribeAlarms"]),
    read("trail", "cloudtrail:DescribeTrails", &["cloudtrail:DescribeTrails"]),
    read("trail.tags", "cloudtrail:ListTags", &["cloudtrail:ListTags"]),
    read("trail.status", "cloudtrail:GetTrailStatus", &["cloudtrail:GetTrailStatus"]),
    read("trail.event_selectors", "cloudtrail:GetEventSelectors", &["cloudtrail:GetEventSelectors"]),
    read("trail.insight_selectors", "cloudtrail:GetInsightSelectors", &["cloudtrail:GetInsightSelectors"]),
    read("bucket.owner_account_id", "s3:HeadBucket", &["s3:ListBucket"]),
    read("bucket.region", "s3:GetBucketLocation", &["s3:GetBucketLocation"]),
    read("bucket.versioning", "s3:GetBucketVersioning", &["s3:GetBucketVersioning"]),
    read("bucket.encryption", "s3:GetBucketEncryption", &["s3:GetEncryptionConfiguration"]),
    read("bucket.lifecycle", "s3:GetBucketLifecycleConfiguration", &["s3:GetLifecycleConfiguration"]),
    read("bucket.object_lock", "s3:GetObjectLockConfiguration", &["s3:GetBucketObjectLockConfiguration"]),
    read("bucket.public_access_block", "s3:GetPublicAccessBlock", &["s3:GetBucketPublicAccessBlock"]),
    read("bucket.policy", "s3:GetBucketPolicy", &["s3:GetBucketPolicy"]),
    read("bucket.policy_is_public", "s3:GetBucketPolicyStatus", &["s3:GetBucketPolicyStatus"]),
    read("bucket.acl_grants", "s3:GetBucketAcl", &["s3:GetBucketAcl"]),
    read("bucket.object_ownership", "s3:GetBucketOwnershipControls", &["s3:GetBucketOwnershipControls"]),
    read("bucket.logging", "s3:GetBucketLogging", &["s3:GetBucketLogging"]),
    read("kms_key.metadata", "kms:DescribeKey", &["kms:DescribeKey"]),
];

/// Facts every scan reads whatever the rules: who we are, the organization as a whole (one
/// call each per scan; trusted access is in every snapshot for custom rules), which regions,
/// which trails.
pub const ALWAYS: &[&str] = &[
    "caller",
    "organization",
    "organization.trusted_service_principals",
    "account.enabled_regions",
    "region.trail_arns",
    "trail",
    "bucket.owner_account_id",
    "bucket.region",
    "account.owned_bucket_names",
];

pub fn by_fact(fact: &str) -> Option<&'static Read> {
    READS.iter().find(|r| r.fact == fact)
}

/// Whether an IAM action only reads.
pub fn is_read_action(action: &str) -> bool {
    let Some((_, name)) = action.split_once(':') else { return false };
    ["Get", "List", "Describe", "Lookup", "Head"].iter().any(|verb| name.starts_with(verb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_action_is_a_read() {
        for r in READS {
            for action in r.actions {
                assert!(is_read_action(action), "{action} (for {}) is not a read", r.fact);
            }
        }
    }

    #[test]
    fn facts_are_declared_once() {
        let mut facts: Vec<&str> = READS.iter().map(|r| r.fact).collect();
        facts.sort_unstable();
        let before = facts.len();
        facts.dedup();
        assert_eq!(before, facts.len());
        for fact in ALWAYS {
            assert!(by_fact(fact).is_some(), "{fact}");
        }
    }
}
