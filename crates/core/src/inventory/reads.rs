//! Every fact the collector reads, declared once: its name (its place in the inventory model),
//! the API operation that reads it, the IAM actions that allow that, and whether every scan
//! reads it. Everything else is derived from this one list: the least-privilege policy
//! (`trailwarden iam-policy`), the collector's decision to skip a read no rule needs, the API
//! named by a gap in `scan.incomplete` and by a fact left unread on purpose. Which binding
//! fields each fact feeds is declared beside the views (`evaluate::sources`), in terms of these
//! ids. Every action here is a read (tested).

use super::fact::{Fact, Unreadable, UnreadableReason};
use std::fmt;

macro_rules! declare_facts {
    ($( $(#[doc = $doc:literal])* $id:ident = $name:literal, $api:literal, [$($action:literal),+ $(,)?], $every_scan:literal; )+) => {
        /// An inventory fact the collector reads (see the module documentation).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FactId {
            $( $(#[doc = $doc])* $id, )+
        }

        impl FactId {
            /// Every declared fact, in declaration order.
            pub const ALL: &'static [FactId] = &[$(FactId::$id),+];

            /// The fact's path in the inventory model (`trail.status`, `bucket.versioning`, ...).
            pub const fn name(self) -> &'static str {
                match self { $(FactId::$id => $name,)+ }
            }

            /// The API operation that reads it, as `service:Operation`.
            pub const fn api(self) -> &'static str {
                match self { $(FactId::$id => $api,)+ }
            }

            /// The IAM actions that allow the read (they differ from API names for some S3 calls).
            pub const fn actions(self) -> &'static [&'static str] {
                match self { $(FactId::$id => &[$($action),+],)+ }
            }

            /// Read by every scan whatever its rules: who we are, the organization as a whole,
            /// which regions, which trails and buckets.
            pub const fn every_scan(self) -> bool {
                match self { $(FactId::$id => $every_scan,)+ }
            }
        }
    };
}

declare_facts! {
    /// The identity of the credentials (account, partition).
    Caller = "caller", "sts:GetCallerIdentity", ["sts:GetCallerIdentity"], true;
    /// Whether the account is in an organization, and which.
    Organization = "organization", "organizations:DescribeOrganization", ["organizations:DescribeOrganization"], true;
    OrganizationAccounts = "organization.accounts", "organizations:ListAccounts", ["organizations:ListAccounts"], false;
    OrganizationDelegatedAdministrators = "organization.delegated_administrators", "organizations:ListDelegatedAdministrators",
        ["organizations:ListDelegatedAdministrators"], false;
    /// Trusted access is in every snapshot, for custom rules.
    OrganizationTrustedServicePrincipals = "organization.trusted_service_principals", "organizations:ListAWSServiceAccessForOrganization",
        ["organizations:ListAWSServiceAccessForOrganization"], true;
    /// The unit tree is in every snapshot: every finding about an account names its unit.
    OrganizationUnits = "organization.organizational_units", "organizations:ListOrganizationalUnitsForParent",
        ["organizations:ListRoots", "organizations:ListOrganizationalUnitsForParent", "organizations:ListAccountsForParent"], true;
    AccountEnabledRegions = "account.enabled_regions", "account:ListRegions", ["account:ListRegions"], true;
    AccountOwnedBucketNames = "account.owned_bucket_names", "s3:ListBuckets", ["s3:ListAllMyBuckets"], true;
    AccountPublicAccessBlock = "account.public_access_block", "s3control:GetPublicAccessBlock", ["s3:GetAccountPublicAccessBlock"], false;
    AccountCloudTrailFullAccess = "account.cloudtrail_full_access", "iam:ListEntitiesForPolicy", ["iam:ListEntitiesForPolicy"], false;
    RegionTrailArns = "region.trail_arns", "cloudtrail:DescribeTrails", ["cloudtrail:DescribeTrails"], true;
    RegionEventDataStores = "region.event_data_stores", "cloudtrail:ListEventDataStores", ["cloudtrail:ListEventDataStores"], false;
    /// One event data store's configuration, read by its ARN (IAM evaluates the store's ARN).
    EventDataStoreDetails = "region.event_data_stores.details", "cloudtrail:GetEventDataStore", ["cloudtrail:GetEventDataStore"], false;
    EventDataStoreInsightSelectors = "region.event_data_stores.insight_selectors", "cloudtrail:GetInsightSelectors",
        ["cloudtrail:GetInsightSelectors"], false;
    RegionEventBridgeRules = "region.eventbridge_rules", "events:ListRules", ["events:ListRules", "events:DescribeRule", "events:ListTargetsByRule"], false;
    RegionMetricFilters = "region.metric_filters", "logs:DescribeMetricFilters", ["logs:DescribeMetricFilters"], false;
    RegionAlarms = "region.alarms", "cloudwatch:DescribeAlarms", ["cloudwatch:DescribeAlarms"], false;
    /// A trail's configuration as DescribeTrails lists it.
    Trail = "trail", "cloudtrail:DescribeTrails", ["cloudtrail:DescribeTrails"], true;
    TrailTags = "trail.tags", "cloudtrail:ListTags", ["cloudtrail:ListTags"], false;
    TrailStatus = "trail.status", "cloudtrail:GetTrailStatus", ["cloudtrail:GetTrailStatus"], false;
    TrailEventSelectors = "trail.event_selectors", "cloudtrail:GetEventSelectors", ["cloudtrail:GetEventSelectors"], false;
    TrailInsightSelectors = "trail.insight_selectors", "cloudtrail:GetInsightSelectors", ["cloudtrail:GetInsightSelectors"], false;
    BucketOwner = "bucket.owner_account_id", "s3:HeadBucket", ["s3:ListBucket"], true;
    BucketRegion = "bucket.region", "s3:GetBucketLocation", ["s3:GetBucketLocation"], true;
    BucketVersioning = "bucket.versioning", "s3:GetBucketVersioning", ["s3:GetBucketVersioning"], false;
    BucketEncryption = "bucket.encryption", "s3:GetBucketEncryption", ["s3:GetEncryptionConfiguration"], false;
    BucketLifecycle = "bucket.lifecycle", "s3:GetBucketLifecycleConfiguration", ["s3:GetLifecycleConfiguration"], false;
    BucketObjectLock = "bucket.object_lock", "s3:GetObjectLockConfiguration", ["s3:GetBucketObjectLockConfiguration"], false;
    BucketPublicAccessBlock = "bucket.public_access_block", "s3:GetPublicAccessBlock", ["s3:GetBucketPublicAccessBlock"], false;
    BucketPolicy = "bucket.policy", "s3:GetBucketPolicy", ["s3:GetBucketPolicy"], false;
    BucketPolicyIsPublic = "bucket.policy_is_public", "s3:GetBucketPolicyStatus", ["s3:GetBucketPolicyStatus"], false;
    BucketAclGrants = "bucket.acl_grants", "s3:GetBucketAcl", ["s3:GetBucketAcl"], false;
    BucketObjectOwnership = "bucket.object_ownership", "s3:GetBucketOwnershipControls", ["s3:GetBucketOwnershipControls"], false;
    BucketLogging = "bucket.logging", "s3:GetBucketLogging", ["s3:GetBucketLogging"], false;
    KmsKeyMetadata = "kms_key.metadata", "kms:DescribeKey", ["kms:DescribeKey"], false;
}

impl FactId {
    /// An unreadable record of this fact, naming its API.
    pub fn unreadable(self, reason: UnreadableReason, detail: impl Into<String>) -> Unreadable {
        Unreadable::new(reason, self.api(), detail)
    }

    /// This fact left unread on purpose (`not_collected`), saying why.
    pub fn not_collected<T>(self, why: &str) -> Fact<T> {
        Fact::Unreadable(self.unreadable(UnreadableReason::NotCollected, why))
    }
}

impl fmt::Display for FactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
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
        for fact in FactId::ALL {
            for action in fact.actions() {
                assert!(is_read_action(action), "{action} (for {fact}) is not a read");
            }
        }
    }

    #[test]
    fn names_are_unique_and_apis_name_their_service() {
        let mut names: Vec<&str> = FactId::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FactId::ALL.len(), "a fact name is declared twice");
        for fact in FactId::ALL {
            assert!(fact.api().contains(':'), "{fact}: {}", fact.api());
        }
    }

    #[test]
    fn a_fact_left_unread_names_its_api() {
        let fact: Fact<bool> = FactId::BucketLogging.not_collected("no rule of this scan reads it");
        let u = fact.unreadable().unwrap();
        assert_eq!((u.reason, u.api.as_deref()), (UnreadableReason::NotCollected, Some("s3:GetBucketLogging")));
    }
}
