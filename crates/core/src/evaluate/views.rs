//! Derived views: the inventory reshaped into what rules bind.
//!
//! Each view answers the questions that several rules share (does this trail record all
//! management events? is its bucket in another account?) so that rules stay one-liners.
//! Views are plain serde data; binding.rs turns them into CEL values. Their JSON Schema is
//! what rule conditions are checked against when a rule loads.

use super::copies;
use super::monitoring::{self, AlarmedMetricFilter, CloudTrailEventRule};
use super::policy::{self, PolicyAnalysis};
use super::readable::Readable;
use super::selectors::{self, DataEventCoverage, ManagementCoverage};
use crate::inventory::{
    Account, Bucket, BucketLogging, EncryptionRule, Fact, Inventory, LifecycleRule, ObjectLock, OrganizationAccount, PolicyAttachments,
    PublicAccessBlock, Trail, TrailStatus, Unreadable, UnreadableReason,
};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";

/// The binding of an `organization`-scope rule.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OrganizationView {
    /// The scanned account belongs to an organization.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub in_organization: Readable<bool>,
    pub id: Option<String>,
    pub arn: Option<String>,
    pub management_account_id: Option<String>,
    pub feature_set: Option<String>,
    /// ListAccounts.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub accounts: Readable<Vec<OrganizationAccount>>,
    /// Account ids registered as delegated administrators for cloudtrail.amazonaws.com.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cloudtrail_delegated_administrators: Readable<Vec<String>>,
    /// Service principals with trusted access to the organization.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub trusted_service_principals: Readable<Vec<String>>,
    /// Organization trails owned by the management account (when it was scanned).
    pub organization_trails: Vec<TrailView>,
    /// ACTIVE accounts that own no logging multi-Region trail recording all read and write
    /// management events; unreadable when the account list could not be read or an ACTIVE
    /// account was not scanned.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub accounts_without_own_multi_region_trail: Readable<Vec<String>>,
}

/// The binding of an `account`-scope rule.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AccountView {
    pub id: String,
    /// The AWS partition (`aws`, `aws-cn`, `aws-us-gov`), for ARNs built by rules.
    pub partition: String,
    pub name: String,
    pub is_management_account: bool,
    /// Every trail that records this account: owned trails first, then organization trails
    /// inherited from the management account.
    pub trails: Vec<TrailView>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub enabled_regions: Readable<Vec<String>>,
    /// Entities with AWSCloudTrail_FullAccess attached as a permissions policy.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cloudtrail_full_access: Readable<PolicyAttachments>,
    /// CloudTrail Lake event data stores in the scanned regions (unreadable if any region's
    /// listing failed).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub event_data_stores: Readable<Vec<EventDataStoreFields>>,
}

/// The binding of a `region`-scope rule: one enabled region of one account.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RegionView {
    pub name: String,
    pub account_id: String,
    /// The trails of `account.trails`, each with what tells whether and how it records this
    /// region (a trail's other facts are for account- and trail-scope rules). Kept small on
    /// purpose: an organization has four to seventeen region subjects per account, each
    /// bound on its own.
    pub trails: Vec<RegionTrail>,
    /// True when DescribeTrails answered in this region; absent (inconclusive) when it did not.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub trails_listed: Readable<bool>,
    /// The home region of a trail this account owns (where StopLogging / DeleteTrail of that
    /// trail can be called, so where a tamper alert must live).
    pub home_of_owned_trail: bool,
    /// Names of the CloudWatch Logs log groups that this account's trails homed here deliver to.
    pub trail_log_groups: Vec<String>,
    /// EventBridge rules on CloudTrail API calls to cloudtrail.amazonaws.com.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cloudtrail_event_rules: Readable<Vec<CloudTrailEventRule>>,
    /// CloudWatch Logs metric filters with the alarms on their metrics.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub metric_filters: Readable<Vec<AlarmedMetricFilter>>,
}

/// A trail as a region subject sees it (`region.trails`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RegionTrail {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    /// The account that owns the trail.
    pub account_id: String,
    /// Owned by the account it is seen from (false for an inherited organization trail).
    pub owned: bool,
    /// An organization trail seen from a member account.
    pub inherited: bool,
    pub is_organization_trail: bool,
    pub is_multi_region: bool,
    pub cloud_watch_logs_log_group_arn: Option<String>,
    /// GetTrailStatus.IsLogging.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub is_logging: Readable<bool>,
    /// Management events recorded (CATALOGUE §0.2).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub management_events: Readable<ManagementCoverage>,
}

impl From<&TrailView> for RegionTrail {
    fn from(t: &TrailView) -> RegionTrail {
        RegionTrail {
            arn: t.arn.clone(),
            name: t.name.clone(),
            home_region: t.home_region.clone(),
            account_id: t.account_id.clone(),
            owned: t.owned,
            inherited: t.inherited,
            is_organization_trail: t.is_organization_trail,
            is_multi_region: t.is_multi_region,
            cloud_watch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn.clone(),
            is_logging: t.is_logging.clone(),
            management_events: t.management_events.clone(),
        }
    }
}

/// The binding of a `trail`-scope rule, and each element of `account.trails`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrailView {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    /// The account that owns the trail.
    pub account_id: String,
    /// Owned by the account it is seen from (false for an inherited organization trail).
    pub owned: bool,
    /// An organization trail seen from a member account.
    pub inherited: bool,
    pub is_organization_trail: bool,
    pub is_multi_region: bool,
    pub include_global_service_events: bool,
    pub log_file_validation_enabled: bool,
    /// The customer managed key that encrypts log files; null for SSE-S3.
    pub kms_key_id: Option<String>,
    pub cloud_watch_logs_log_group_arn: Option<String>,
    pub cloud_watch_logs_role_arn: Option<String>,
    pub sns_topic_arn: Option<String>,
    pub s3_key_prefix: Option<String>,
    /// ListTags: read only when a rule names them.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub tags: Readable<BTreeMap<String, String>>,
    /// GetTrailStatus.IsLogging.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub is_logging: Readable<bool>,
    /// GetTrailStatus, with ages in hours measured from the snapshot's collection time.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub status: Readable<TrailStatusView>,
    /// Management events recorded (CATALOGUE §0.2).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub management_events: Readable<ManagementCoverage>,
    /// S3 object-level data events recorded.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub s3_data_events: Readable<DataEventCoverage>,
    /// Lambda Invoke data events recorded.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub lambda_data_events: Readable<DataEventCoverage>,
    /// The trail is configured with advanced event selectors.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub uses_advanced_selectors: Readable<bool>,
    /// Data events of any resource type are recorded.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub logs_data_events: Readable<bool>,
    /// Some data events are selected with basic event selectors.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub data_events_via_basic_selectors: Readable<bool>,
    /// Insight types enabled on the trail.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub insights: Readable<InsightsView>,
    /// kms:DescribeKey of `kms_key_id`; null when the trail has no key.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub kms_key: Readable<Option<KmsKeyView>>,
    /// The bucket the trail delivers to.
    pub bucket: BucketLinkView,
    /// Another trail recording the owner account is multi-Region and known to be logging
    /// (used to judge how much a stopped trail matters).
    pub other_logging_multi_region_trail: bool,
    /// When another logging trail also delivers management events for the owner account in a
    /// region this trail covers, and that trail is the primary copy (the organization trail,
    /// else the full-baseline trail, else a multi-Region one): its name. Null when this trail
    /// is the only or the primary copy everywhere (CT-DUPLICATE-MGMT-EVENTS).
    pub duplicates_management_events_of: Option<String>,
    /// Data-event resource types (`AWS::S3::Object`, `AWS::Lambda::Function`) that another
    /// logging trail also records in a region this trail covers (each copy is billed).
    pub data_events_also_recorded_by_other_trails: Vec<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrailStatusView {
    #[serde(flatten)]
    pub status: TrailStatus,
    pub latest_delivery_age_hours: Option<f64>,
    pub latest_digest_delivery_age_hours: Option<f64>,
    pub latest_cloud_watch_logs_delivery_age_hours: Option<f64>,
    pub start_logging_age_hours: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct InsightsView {
    pub api_call_rate: bool,
    pub api_error_rate: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KmsKeyView {
    pub arn: String,
    pub key_state: String,
    pub key_manager: String,
}

/// Where a trail's logs go, and who owns that place.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BucketLinkView {
    pub name: String,
    pub arn: String,
    /// The account that owns the bucket.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub account_id: Readable<String>,
    /// The bucket is owned by another account than the trail's.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cross_account: Readable<bool>,
    /// The bucket is owned by the organization's management account.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub in_management_account: Readable<bool>,
    /// The bucket does not exist (any more): logs go nowhere, or to whoever registers the name.
    pub missing: bool,
    /// The bucket's owner is an account of the organization (false outside an organization).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub owner_in_organization: Readable<bool>,
}

/// The binding of a `bucket`-scope rule: a bucket that receives trail logs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BucketView {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub account_id: Readable<String>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub region: Readable<String>,
    /// Trails that deliver to this bucket.
    pub trail_arns: Vec<String>,
    /// Some trail delivering here uses SSE-KMS.
    pub trails_use_kms: bool,
    /// Where the trails write: `<S3KeyPrefix>/AWSLogs/` or `AWSLogs/`, one per distinct prefix.
    pub log_prefixes: Vec<String>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub versioning: Readable<VersioningView>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub lifecycle: Readable<LifecycleView>,
    /// Default encryption rules; empty when none is configured.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub encryption_rules: Readable<Vec<EncryptionRule>>,
    /// null when Object Lock is not configured.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub object_lock: Readable<Option<ObjectLock>>,
    /// Block Public Access in force: the bucket's setting, or the account's when the bucket has
    /// none; all four false when neither is configured.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub public_access_block: Readable<PublicAccessBlock>,
    /// The bucket policy document (parsed JSON); null when there is none.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub policy: Readable<Option<serde_json::Value>>,
    /// What the bucket policy allows; null when there is no policy.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub policy_analysis: Readable<Option<PolicyAnalysis>>,
    /// GetBucketPolicyStatus.IsPublic (false when there is no policy).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub policy_is_public: Readable<bool>,
    /// ACL grants to the AllUsers or AuthenticatedUsers groups.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub public_acl_grants: Readable<Vec<String>>,
    /// ObjectOwnership; null when not configured.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub object_ownership: Readable<Option<String>>,
    /// Server access logging; null when off.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub logging: Readable<Option<BucketLogging>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VersioningView {
    /// `Enabled`, `Suspended`, or null when versioning was never enabled.
    pub status: Option<String>,
    pub enabled: bool,
    /// GetBucketVersioning.MFADelete == "Enabled".
    pub mfa_delete_enabled: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LifecycleView {
    /// The bucket has a lifecycle configuration (with any rules, enabled or not).
    pub configured: bool,
    pub rules: Vec<LifecycleRule>,
}

/// The binding of an `event_data_store`-scope rule.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventDataStoreView {
    #[serde(flatten)]
    pub store: EventDataStoreFields,
    pub account_id: String,
    pub region: String,
}

/// The fields of an event data store that rules read.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventDataStoreFields {
    pub arn: String,
    pub name: String,
    pub status: String,
    pub retention_period: i64,
    pub billing_mode: Option<String>,
    pub termination_protection_enabled: bool,
    pub multi_region_enabled: bool,
    pub organization_enabled: bool,
    pub kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub insights: Readable<InsightsView>,
}

/// A finding's subject: what a rule was evaluated against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize, JsonSchema)]
pub struct ResourceRef {
    pub arn: String,
    pub kind: ResourceKind,
    pub account: String,
    /// The region, or `global`.
    pub region: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Organization,
    Account,
    Region,
    Trail,
    Bucket,
    EventDataStore,
    /// An IAM policy as used in one account (a rule's own `resource`).
    IamPolicy,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Account => "account",
            Self::Region => "region",
            Self::Trail => "trail",
            Self::Bucket => "bucket",
            Self::EventDataStore => "event_data_store",
            Self::IamPolicy => "iam_policy",
        }
    }
}

/// One thing to evaluate: its reference, its binding and the facts about it that could not
/// be read (named in `inconclusive` messages).
#[derive(Debug, Clone)]
pub struct Subject<V> {
    pub resource: ResourceRef,
    pub view: V,
    pub unreadable: Vec<(String, Unreadable)>,
}

/// Every subject of an inventory, by scope.
#[derive(Debug, Clone, Default)]
pub struct Subjects {
    pub organization: Vec<Subject<OrganizationView>>,
    pub accounts: Vec<Subject<AccountView>>,
    pub regions: Vec<Subject<RegionView>>,
    pub trails: Vec<Subject<TrailView>>,
    pub buckets: Vec<Subject<BucketView>>,
    pub event_data_stores: Vec<Subject<EventDataStoreView>>,
}

/// Context shared while building the views of one inventory.
pub(super) struct BuildContext<'a> {
    inventory: &'a Inventory,
    /// Each trail by ARN, from its owner's copy, for owners that were scanned.
    owned_trails: BTreeMap<&'a str, (&'a Account, &'a Trail)>,
    management_account_id: Option<&'a str>,
    buckets: HashMap<&'a str, &'a Bucket>,
    keys: HashMap<&'a str, &'a crate::inventory::KmsKey>,
    /// The scanned accounts by id, and the organization's member ids (when readable): looked
    /// up once per trail, bucket and member, so a large organization must not scan lists.
    accounts_by_id: HashMap<&'a str, &'a Account>,
    members: Option<HashSet<&'a str>>,
    s3_all: Vec<String>,
    lambda_all: Vec<String>,
}

impl<'a> BuildContext<'a> {
    /// The owner's copy of a trail when the owner was scanned, else the copy seen.
    pub(super) fn best_copy(&self, seen: &'a Trail) -> &'a Trail {
        self.owned_trails.get(seen.arn.as_str()).map_or(seen, |(_, owners_copy)| owners_copy)
    }
}

/// One account's subjects: the account, its regions, its event data stores.
type AccountSubjects = (Subject<AccountView>, Vec<Subject<RegionView>>, Vec<Subject<EventDataStoreView>>);

/// Builds every subject of the inventory.
pub fn build(inventory: &Inventory) -> Subjects {
    let management_account_id = match &inventory.organization {
        Fact::Value(Some(org)) => Some(org.management_account_id.as_str()),
        _ => None,
    };
    let mut subjects = Subjects::default();

    // Trails, de-duplicated by ARN: each is evaluated once, from its owner's copy, and only
    // when the owner was scanned (an organization trail seen from a member is coverage only).
    let mut owned_trails: BTreeMap<&str, (&Account, &Trail)> = BTreeMap::new();
    for account in &inventory.accounts {
        for trail in account.trails.iter().filter(|t| t.owner_account_id() == account.id) {
            owned_trails.entry(trail.arn.as_str()).or_insert((account, trail));
        }
    }
    // A CloudTrail delegated administrator manages the organization's trails: when the
    // management account was not scanned, its copy is the one to judge them by (§0.1.5).
    let delegated = cloudtrail_delegated_administrators(inventory);
    for account in inventory.accounts.iter().filter(|a| delegated.contains(&a.id.as_str())) {
        for trail in account.trails.iter().filter(|t| t.is_organization_trail) {
            owned_trails.entry(trail.arn.as_str()).or_insert((account, trail));
        }
    }
    let cx = BuildContext {
        owned_trails: owned_trails.clone(),
        inventory,
        management_account_id,
        buckets: inventory.buckets.iter().map(|b| (b.name.as_str(), b)).collect(),
        keys: inventory.kms_keys.iter().map(|k| (k.key_id.as_str(), k)).collect(),
        // Reversed so that, as with a search from the front, the first of two same ids wins.
        accounts_by_id: inventory.accounts.iter().rev().map(|a| (a.id.as_str(), a)).collect(),
        members: match &inventory.organization {
            Fact::Value(Some(org)) => match &org.accounts {
                Fact::Value(members) => Some(members.iter().map(|m| m.id.as_str()).collect()),
                Fact::Unreadable(_) => None,
            },
            _ => None,
        },
        s3_all: selectors::s3_all_prefixes(&inventory.partition),
        lambda_all: selectors::lambda_all_prefixes(&inventory.partition),
    };
    let scanned: BTreeSet<&str> = inventory.accounts.iter().map(|a| a.id.as_str()).collect();

    // Accounts are independent of each other: their subjects are built on all cores, and
    // collected in inventory order.
    let per_account: Vec<AccountSubjects> = inventory
        .accounts
        .par_iter()
        .map(|account| {
            let trails = account_trails(&cx, account);
            let region_trails: Vec<RegionTrail> = trails.iter().map(RegionTrail::from).collect();
            let trails_unreadable: Vec<(String, Unreadable)> = trails.iter().flat_map(trail_unreadable).collect();
            let account_subject = account_subject(&cx, account, trails);
            let mut regions = Vec::new();
            let mut stores = Vec::new();
            for region in account.regions.iter().filter(|r| region_enabled(account, &r.name)) {
                regions.push(region_subject(&cx, account, region, region_trails.clone(), &trails_unreadable));
                if let Fact::Value(listed) = &region.event_data_stores {
                    stores.extend(listed.iter().map(|store| event_data_store_subject(account, &region.name, store)));
                }
            }
            (account_subject, regions, stores)
        })
        .collect();
    for (account, regions, stores) in per_account {
        subjects.accounts.push(account);
        subjects.regions.extend(regions);
        subjects.event_data_stores.extend(stores);
    }

    let owned: Vec<&(&Account, &Trail)> = owned_trails.values().collect();
    subjects.trails = owned
        .par_iter()
        .map(|(account, trail)| {
            let view = trail_view(&cx, account, trail);
            let unreadable = trail_unreadable(&view);
            Subject {
                resource: ResourceRef {
                    arn: trail.arn.clone(),
                    kind: ResourceKind::Trail,
                    account: trail.owner_account_id().to_owned(),
                    region: trail.home_region.clone(),
                },
                view,
                unreadable,
            }
        })
        .collect();

    // Buckets named by trails whose owner was scanned.
    let mut bucket_trails: BTreeMap<&str, Vec<&Trail>> = BTreeMap::new();
    for (_, trail) in owned_trails.values() {
        bucket_trails.entry(trail.s3_bucket_name.as_str()).or_default().push(trail);
    }
    // Each bucket's policy is parsed and analysed: buckets too are built on all cores, while
    // the organization's subject (a pass over every member) is built beside them.
    let bucket_trails: Vec<(&str, Vec<&Trail>)> = bucket_trails.into_iter().collect();
    let (buckets, organization) = rayon::join(
        || bucket_trails.par_iter().map(|(name, trails)| bucket_subject(&cx, name, trails, &scanned)).collect(),
        || organization_subject(&cx, &owned_trails),
    );
    subjects.buckets = buckets;
    subjects.organization.push(organization);
    subjects
}

/// Account ids registered as CloudTrail delegated administrators.
fn cloudtrail_delegated_administrators(inventory: &Inventory) -> Vec<&str> {
    match &inventory.organization {
        Fact::Value(Some(org)) => org
            .delegated_administrators
            .get(CLOUDTRAIL_PRINCIPAL)
            .and_then(Fact::value)
            .map(|admins| admins.iter().map(|a| a.account_id.as_str()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn region_enabled(account: &Account, region: &str) -> bool {
    match &account.enabled_regions {
        Fact::Value(regions) => regions.iter().any(|r| r == region),
        // Unknown: keep the region, its rules will say what could not be read.
        Fact::Unreadable(_) => true,
    }
}

/// The trails that record an account: owned ones first, then inherited organization trails.
///
/// An inherited trail is described from its owner's copy when the owner was scanned: the
/// management account reads its organization trail's status and selectors, which a member
/// account usually may not.
fn account_trails(cx: &BuildContext, account: &Account) -> Vec<TrailView> {
    let mut trails: Vec<TrailView> = account.trails.iter().map(|seen| trail_view(cx, account, cx.best_copy(seen))).collect();
    trails.sort_by(|a, b| b.owned.cmp(&a.owned).then_with(|| a.arn.cmp(&b.arn)));
    trails
}

fn account_subject(cx: &BuildContext, account: &Account, trails: Vec<TrailView>) -> Subject<AccountView> {
    let view = AccountView {
        id: account.id.clone(),
        partition: cx.inventory.partition.clone(),
        name: account.name.clone(),
        is_management_account: cx.management_account_id == Some(account.id.as_str()),
        trails,
        enabled_regions: (&account.enabled_regions).into(),
        cloudtrail_full_access: (&account.cloudtrail_full_access).into(),
        event_data_stores: account_event_data_stores(account),
    };
    let mut unreadable = Vec::new();
    push_unreadable(&mut unreadable, "account.enabled_regions", &account.enabled_regions);
    push_unreadable(&mut unreadable, "account.cloudtrail_full_access", &account.cloudtrail_full_access);
    for region in &account.regions {
        push_unreadable(&mut unreadable, &format!("account.event_data_stores ({})", region.name), &region.event_data_stores);
    }
    for trail in &view.trails {
        unreadable.extend(trail_unreadable(trail));
    }
    Subject {
        resource: ResourceRef {
            arn: format!("AWS::::Account:{}", account.id),
            kind: ResourceKind::Account,
            account: account.id.clone(),
            region: "global".to_owned(),
        },
        view,
        unreadable,
    }
}

fn account_event_data_stores(account: &Account) -> Readable<Vec<EventDataStoreFields>> {
    let mut stores = Vec::new();
    for region in &account.regions {
        match &region.event_data_stores {
            Fact::Value(found) => stores.extend(found.iter().map(event_data_store_fields)),
            Fact::Unreadable(u) => return Readable::unreadable(u.clone()),
        }
    }
    Readable::value(stores)
}

fn event_data_store_fields(store: &crate::inventory::EventDataStore) -> EventDataStoreFields {
    EventDataStoreFields {
        arn: store.arn.clone(),
        name: store.name.clone(),
        status: store.status.clone(),
        retention_period: store.retention_period,
        billing_mode: store.billing_mode.clone(),
        termination_protection_enabled: store.termination_protection_enabled,
        multi_region_enabled: store.multi_region_enabled,
        organization_enabled: store.organization_enabled,
        kms_key_id: store.kms_key_id.clone(),
        insights: (&store.insight_selectors).into_readable().map(|s| insights(&s)),
    }
}

fn region_subject(
    cx: &BuildContext,
    account: &Account,
    region: &crate::inventory::RegionInventory,
    trails: Vec<RegionTrail>,
    trails_unreadable: &[(String, Unreadable)],
) -> Subject<RegionView> {
    let view = RegionView {
        name: region.name.clone(),
        account_id: account.id.clone(),
        home_of_owned_trail: account.trails.iter().any(|t| t.owner_account_id() == account.id && t.home_region == region.name),
        trail_log_groups: account
            .trails
            .iter()
            .filter(|t| t.owner_account_id() == account.id && t.home_region == region.name)
            .filter_map(|t| t.cloud_watch_logs_log_group_arn.as_deref().and_then(log_group_name))
            .collect(),
        trails,
        trails_listed: (&region.trail_arns).into_readable().map(|_| true),
        cloudtrail_event_rules: (&region.eventbridge_rules).into_readable().map(|rules| monitoring::cloudtrail_event_rules(&rules)),
        // Without the alarms, no filter can be said to alert: the whole list is unknown.
        metric_filters: match (&region.metric_filters, &region.alarms) {
            (Fact::Value(filters), Fact::Value(alarms)) => Readable::value(monitoring::alarmed_metric_filters(filters, alarms)),
            (Fact::Unreadable(u), _) | (_, Fact::Unreadable(u)) => Readable::unreadable(u.clone()),
        },
    };
    let mut unreadable = Vec::new();
    push_unreadable(&mut unreadable, "region.trails_listed", &region.trail_arns);
    push_unreadable(&mut unreadable, "region.cloudtrail_event_rules", &region.eventbridge_rules);
    push_unreadable(&mut unreadable, "region.metric_filters", &region.metric_filters);
    push_unreadable(&mut unreadable, "region.metric_filters (alarms)", &region.alarms);
    unreadable.extend_from_slice(trails_unreadable);
    Subject {
        resource: ResourceRef {
            arn: format!("arn:{}:cloudtrail:{}:{}:trail", cx.inventory.partition, region.name, account.id),
            kind: ResourceKind::Region,
            account: account.id.clone(),
            region: region.name.clone(),
        },
        view,
        unreadable,
    }
}

fn event_data_store_subject(account: &Account, region: &str, store: &crate::inventory::EventDataStore) -> Subject<EventDataStoreView> {
    let view = EventDataStoreView { store: event_data_store_fields(store), account_id: account.id.clone(), region: region.to_owned() };
    let mut unreadable = Vec::new();
    push_unreadable(&mut unreadable, "event_data_store.insights", &store.insight_selectors);
    Subject {
        resource: ResourceRef { arn: store.arn.clone(), kind: ResourceKind::EventDataStore, account: account.id.clone(), region: region.to_owned() },
        view,
        unreadable,
    }
}

fn organization_subject(cx: &BuildContext, owned_trails: &BTreeMap<&str, (&Account, &Trail)>) -> Subject<OrganizationView> {
    let caller = cx.inventory.caller_account_id.clone();
    let account_ref = |arn: String| ResourceRef { arn, kind: ResourceKind::Organization, account: caller.clone(), region: "global".to_owned() };
    let organization_trails: Vec<TrailView> = owned_trails
        .values()
        .filter(|(_, trail)| trail.is_organization_trail && Some(trail.owner_account_id()) == cx.management_account_id)
        .map(|(account, trail)| trail_view(cx, account, trail))
        .collect();
    let mut unreadable = Vec::new();
    let (view, resource) = match &cx.inventory.organization {
        Fact::Unreadable(u) => {
            unreadable.push(("organization".to_owned(), u.clone()));
            let view = OrganizationView {
                in_organization: Readable::unreadable(u.clone()),
                id: None,
                arn: None,
                management_account_id: None,
                feature_set: None,
                accounts: Readable::unreadable(u.clone()),
                cloudtrail_delegated_administrators: Readable::unreadable(u.clone()),
                trusted_service_principals: Readable::unreadable(u.clone()),
                organization_trails,
                accounts_without_own_multi_region_trail: Readable::unreadable(u.clone()),
            };
            (view, account_ref(format!("AWS::::Account:{caller}")))
        }
        Fact::Value(None) => {
            let view = OrganizationView {
                in_organization: Readable::value(false),
                id: None,
                arn: None,
                management_account_id: None,
                feature_set: None,
                accounts: Readable::value(Vec::new()),
                cloudtrail_delegated_administrators: Readable::value(Vec::new()),
                trusted_service_principals: Readable::value(Vec::new()),
                organization_trails,
                accounts_without_own_multi_region_trail: Readable::value(Vec::new()),
            };
            (view, account_ref(format!("AWS::::Account:{caller}")))
        }
        Fact::Value(Some(org)) => {
            let admins = match org.delegated_administrators.get(CLOUDTRAIL_PRINCIPAL) {
                Some(fact) => fact.into_readable().map(|admins| admins.into_iter().map(|a| a.account_id).collect()),
                None => Readable::unreadable(Unreadable {
                    reason: UnreadableReason::Error,
                    api: Some("organizations:ListDelegatedAdministrators".to_owned()),
                    detail: Some(format!("the snapshot has no answer for {CLOUDTRAIL_PRINCIPAL}")),
                }),
            };
            if let Err(u) = &admins.0 {
                unreadable.push(("organization.cloudtrail_delegated_administrators".to_owned(), u.clone()));
            }
            push_unreadable(&mut unreadable, "organization.accounts", &org.accounts);
            push_unreadable(&mut unreadable, "organization.trusted_service_principals", &org.trusted_service_principals);
            let view = OrganizationView {
                in_organization: Readable::value(true),
                id: Some(org.id.clone()),
                arn: Some(org.arn.clone()),
                management_account_id: Some(org.management_account_id.clone()),
                feature_set: Some(org.feature_set.clone()),
                accounts: (&org.accounts).into(),
                cloudtrail_delegated_administrators: admins,
                trusted_service_principals: (&org.trusted_service_principals).into(),
                organization_trails,
                accounts_without_own_multi_region_trail: accounts_without_own_trail(cx, org),
            };
            let resource = ResourceRef {
                arn: org.arn.clone(),
                kind: ResourceKind::Organization,
                account: org.management_account_id.clone(),
                region: "global".to_owned(),
            };
            (view, resource)
        }
    };
    Subject { resource, view, unreadable }
}

/// ACTIVE member accounts that own no logging multi-Region trail recording all read and write
/// management events (the per-account fallback of CT-ORG-TRAIL).
fn accounts_without_own_trail(cx: &BuildContext, org: &crate::inventory::Organization) -> Readable<Vec<String>> {
    let members = match &org.accounts {
        Fact::Value(members) => members,
        Fact::Unreadable(u) => return Readable::unreadable(u.clone()),
    };
    let mut uncovered = Vec::new();
    for member in members.iter().filter(|m| m.status == "ACTIVE") {
        let Some(account) = cx.accounts_by_id.get(member.id.as_str()).copied() else {
            return Readable::unreadable(Unreadable {
                reason: UnreadableReason::Error,
                api: None,
                detail: Some(format!("ACTIVE account {} was not scanned", member.id)),
            });
        };
        // Covered: an owned multi-Region trail known to be logging all management events.
        // Not covered only if every owned trail is known not to qualify.
        let mut unknown = None;
        let mut covered = false;
        for t in account.trails.iter().filter(|t| t.owner_account_id() == account.id && t.is_multi_region_trail) {
            let logging = t.status.as_result().map(|s| s.is_logging);
            let all = selectors::management_coverage(t.has_custom_event_selectors, t.event_selectors.value()).map(|m| m.all);
            match (logging, all) {
                (Ok(true), Some(true)) => covered = true,
                (Ok(false), _) | (_, Some(false)) => {}
                (Err(u), _) => unknown = Some(u.clone()),
                (_, None) => unknown = t.event_selectors.unreadable().cloned(),
            }
        }
        match (covered, unknown) {
            (true, _) => {}
            (false, Some(u)) => return Readable::unreadable(u),
            (false, None) => uncovered.push(member.id.clone()),
        }
    }
    Readable::value(uncovered)
}

/// A trail as seen from `account`.
fn trail_view(cx: &BuildContext, account: &Account, trail: &Trail) -> TrailView {
    let owner = trail.owner_account_id().to_owned();
    let owned = owner == account.id;
    let selectors = trail.event_selectors.value();
    let management_events = match selectors::management_coverage(trail.has_custom_event_selectors, selectors) {
        Some(coverage) => Readable::value(coverage),
        None => Readable::unreadable(trail.event_selectors.unreadable().cloned().expect("coverage is only unknown when selectors are unreadable")),
    };
    TrailView {
        arn: trail.arn.clone(),
        name: trail.name.clone(),
        home_region: trail.home_region.clone(),
        account_id: owner.clone(),
        owned,
        inherited: !owned && trail.is_organization_trail,
        is_organization_trail: trail.is_organization_trail,
        is_multi_region: trail.is_multi_region_trail,
        include_global_service_events: trail.include_global_service_events,
        log_file_validation_enabled: trail.log_file_validation_enabled,
        kms_key_id: trail.kms_key_id.clone(),
        cloud_watch_logs_log_group_arn: trail.cloud_watch_logs_log_group_arn.clone(),
        cloud_watch_logs_role_arn: trail.cloud_watch_logs_role_arn.clone(),
        sns_topic_arn: trail.sns_topic_arn.clone(),
        s3_key_prefix: trail.s3_key_prefix.clone(),
        tags: (&trail.tags).into_readable(),
        is_logging: (&trail.status).into_readable().map(|s| s.is_logging),
        status: (&trail.status).into_readable().map(|s| status_view(s, cx.inventory.collected_at)),
        management_events,
        s3_data_events: selector_fact(trail, |s| selectors::data_coverage(s, "AWS::S3::Object", &cx.s3_all)),
        lambda_data_events: selector_fact(trail, |s| selectors::data_coverage(s, "AWS::Lambda::Function", &cx.lambda_all)),
        uses_advanced_selectors: selector_fact(trail, |s| !s.advanced.is_empty()),
        logs_data_events: selector_fact(trail, selectors::logs_data_events),
        data_events_via_basic_selectors: selector_fact(trail, |s| s.basic.iter().any(|b| !b.data_resources.is_empty())),
        insights: if trail.has_insight_selectors {
            (&trail.insight_selectors).into_readable().map(|s| insights(&s))
        } else {
            Readable::value(InsightsView::default())
        },
        kms_key: kms_key_view(cx, trail.kms_key_id.as_deref()),
        bucket: bucket_link(cx, &owner, &trail.s3_bucket_name),
        other_logging_multi_region_trail: account
            .trails
            .iter()
            .map(|other| cx.best_copy(other))
            .any(|other| other.arn != trail.arn && other.is_multi_region_trail && other.status.value().is_some_and(|s| s.is_logging)),
        duplicates_management_events_of: copies::primary_elsewhere(cx, account, trail),
        data_events_also_recorded_by_other_trails: copies::shared_data_event_types(cx, account, trail),
    }
}

/// A fact computed from a trail's event selectors.
/// A fact computed from a trail's event selectors. Without custom selectors the trail has
/// AWS's default (all management events, no data events) whether or not GetEventSelectors
/// answered, so such facts are known even when the call failed.
fn selector_fact<T>(trail: &Trail, f: impl FnOnce(&crate::inventory::EventSelectors) -> T) -> Readable<T> {
    match &trail.event_selectors {
        Fact::Value(s) => Readable::value(f(s)),
        Fact::Unreadable(_) if !trail.has_custom_event_selectors => Readable::value(f(&crate::inventory::EventSelectors::default())),
        Fact::Unreadable(u) => Readable::unreadable(u.clone()),
    }
}

fn status_view(status: TrailStatus, now: DateTime<Utc>) -> TrailStatusView {
    let age = |t: Option<DateTime<Utc>>| t.map(|t| (now - t).num_seconds() as f64 / 3600.0);
    TrailStatusView {
        latest_delivery_age_hours: age(status.latest_delivery_time),
        latest_digest_delivery_age_hours: age(status.latest_digest_delivery_time),
        latest_cloud_watch_logs_delivery_age_hours: age(status.latest_cloud_watch_logs_delivery_time),
        start_logging_age_hours: age(status.start_logging_time),
        status,
    }
}

fn insights(selectors: &[crate::inventory::InsightSelector]) -> InsightsView {
    let management = |s: &&crate::inventory::InsightSelector| s.event_categories.is_empty() || s.event_categories.iter().any(|c| c == "Management");
    let has = |kind: &str| selectors.iter().filter(management).any(|s| s.insight_type == kind);
    InsightsView { api_call_rate: has("ApiCallRateInsight"), api_error_rate: has("ApiErrorRateInsight") }
}

fn kms_key_view(cx: &BuildContext, key_id: Option<&str>) -> Readable<Option<KmsKeyView>> {
    let Some(key_id) = key_id else { return Readable::value(None) };
    match cx.keys.get(key_id).map(|k| &k.metadata) {
        Some(Fact::Value(m)) => {
            Readable::value(Some(KmsKeyView { arn: m.arn.clone(), key_state: m.key_state.clone(), key_manager: m.key_manager.clone() }))
        }
        Some(Fact::Unreadable(u)) => Readable::unreadable(u.clone()),
        None => Readable::unreadable(not_collected("kms:DescribeKey", key_id)),
    }
}

fn not_collected(api: &str, what: &str) -> Unreadable {
    Unreadable { reason: UnreadableReason::Error, api: Some(api.to_owned()), detail: Some(format!("{what} is not in the snapshot")) }
}

fn bucket_owner(cx: &BuildContext, name: &str) -> Readable<String> {
    match cx.buckets.get(name) {
        Some(bucket) => (&bucket.owner_account_id).into(),
        None => Readable::unreadable(not_collected("s3:HeadBucket", &format!("bucket {name}"))),
    }
}

fn bucket_link(cx: &BuildContext, trail_account: &str, name: &str) -> BucketLinkView {
    let owner = bucket_owner(cx, name);
    BucketLinkView {
        name: name.to_owned(),
        arn: format!("arn:{}:s3:::{name}", cx.inventory.partition),
        cross_account: owner.clone().map(|o| o != trail_account),
        in_management_account: match &cx.inventory.organization {
            Fact::Unreadable(u) => Readable::unreadable(u.clone()),
            _ => owner.clone().map(|o| Some(o.as_str()) == cx.management_account_id),
        },
        missing: matches!(&owner.0, Err(u) if u.reason == UnreadableReason::NotFound),
        owner_in_organization: match &cx.inventory.organization {
            Fact::Unreadable(u) => Readable::unreadable(u.clone()),
            Fact::Value(None) => owner.clone().map(|_| false),
            Fact::Value(Some(org)) => match &org.accounts {
                Fact::Unreadable(u) => Readable::unreadable(u.clone()),
                Fact::Value(_) => owner.clone().map(|o| cx.members.as_ref().is_some_and(|members| members.contains(o.as_str()))),
            },
        },
        account_id: owner,
    }
}

fn bucket_subject(cx: &BuildContext, name: &str, trails: &[&Trail], scanned: &BTreeSet<&str>) -> Subject<BucketView> {
    let arn = format!("arn:{}:s3:::{name}", cx.inventory.partition);
    let trail_arns: Vec<String> = trails.iter().map(|t| t.arn.clone()).collect();
    let trails_use_kms = trails.iter().any(|t| t.kms_key_id.is_some());
    let mut log_prefixes: Vec<String> = trails
        .iter()
        .map(|t| match t.s3_key_prefix.as_deref().map(|p| p.trim_matches('/')).filter(|p| !p.is_empty()) {
            Some(prefix) => format!("{prefix}/AWSLogs/"),
            None => "AWSLogs/".to_owned(),
        })
        .collect();
    log_prefixes.sort();
    log_prefixes.dedup();
    let first_trail = trails[0];
    let mut unreadable = Vec::new();
    let view = match cx.buckets.get(name) {
        None => {
            let missing = not_collected("s3:HeadBucket", &format!("bucket {name}"));
            unreadable.push(("bucket".to_owned(), missing.clone()));
            BucketView {
                name: name.to_owned(),
                arn: arn.clone(),
                account_id: Readable::unreadable(missing.clone()),
                region: Readable::unreadable(missing.clone()),
                trail_arns,
                trails_use_kms,
                log_prefixes,
                versioning: Readable::unreadable(missing.clone()),
                lifecycle: Readable::unreadable(missing.clone()),
                encryption_rules: Readable::unreadable(missing.clone()),
                object_lock: Readable::unreadable(missing.clone()),
                public_access_block: Readable::unreadable(missing.clone()),
                policy: Readable::unreadable(missing.clone()),
                policy_analysis: Readable::unreadable(missing.clone()),
                policy_is_public: Readable::unreadable(missing.clone()),
                public_acl_grants: Readable::unreadable(missing.clone()),
                object_ownership: Readable::unreadable(missing.clone()),
                logging: Readable::unreadable(missing.clone()),
            }
        }
        Some(bucket) => {
            for (fact, u) in [
                ("bucket.account_id", bucket.owner_account_id.unreadable()),
                ("bucket.region", bucket.region.unreadable()),
                ("bucket.versioning", bucket.versioning.unreadable()),
                ("bucket.lifecycle", bucket.lifecycle.unreadable()),
                ("bucket.encryption_rules", bucket.encryption.unreadable()),
                ("bucket.object_lock", bucket.object_lock.unreadable()),
                ("bucket.public_access_block", bucket.public_access_block.unreadable()),
                ("bucket.policy", bucket.policy.unreadable()),
                ("bucket.policy_is_public", bucket.policy_is_public.unreadable()),
                ("bucket.public_acl_grants", bucket.acl_grants.unreadable()),
                ("bucket.object_ownership", bucket.object_ownership.unreadable()),
                ("bucket.logging", bucket.logging.unreadable()),
            ] {
                if let Some(u) = u {
                    unreadable.push((fact.to_owned(), u.clone()));
                }
            }
            BucketView {
                name: name.to_owned(),
                arn: arn.clone(),
                account_id: (&bucket.owner_account_id).into(),
                region: (&bucket.region).into(),
                trail_arns,
                trails_use_kms,
                log_prefixes,
                versioning: (&bucket.versioning).into_readable().map(|v| VersioningView {
                    enabled: v.status.as_deref() == Some("Enabled"),
                    mfa_delete_enabled: v.mfa_delete.as_deref() == Some("Enabled"),
                    status: v.status,
                }),
                lifecycle: (&bucket.lifecycle)
                    .into_readable()
                    .map(|rules| LifecycleView { configured: rules.is_some(), rules: rules.unwrap_or_default() }),
                encryption_rules: (&bucket.encryption).into_readable().map(Option::unwrap_or_default),
                object_lock: (&bucket.object_lock).into(),
                public_access_block: effective_public_access_block(cx, bucket, &mut unreadable),
                policy: policy_document(bucket, &mut unreadable),
                policy_analysis: policy_analysis(bucket, &mut unreadable),
                policy_is_public: (&bucket.policy_is_public).into_readable().map(|p| p.unwrap_or(false)),
                public_acl_grants: (&bucket.acl_grants).into_readable().map(|grants| {
                    grants
                        .iter()
                        .filter_map(|g| g.grantee_uri.as_deref())
                        .filter(|uri| uri.ends_with("/AllUsers") || uri.ends_with("/AuthenticatedUsers"))
                        .map(str::to_owned)
                        .collect()
                }),
                object_ownership: (&bucket.object_ownership).into(),
                logging: (&bucket.logging).into(),
            }
        }
    };
    // Report the bucket under its owner when known and scanned, else under the trail's account.
    let account =
        view.account_id.get().filter(|owner| scanned.contains(owner.as_str())).cloned().unwrap_or_else(|| first_trail.owner_account_id().to_owned());
    let region = view.region.get().cloned().unwrap_or_else(|| first_trail.home_region.clone());
    Subject { resource: ResourceRef { arn, kind: ResourceKind::Bucket, account, region }, view, unreadable }
}

/// The bucket's own Block Public Access, else the owner account's, else none at all.
fn effective_public_access_block(cx: &BuildContext, bucket: &Bucket, unreadable: &mut Vec<(String, Unreadable)>) -> Readable<PublicAccessBlock> {
    // S3 enforces each flag if either the bucket or its owner account sets it.
    let own = match &bucket.public_access_block {
        Fact::Unreadable(u) => return Readable::unreadable(u.clone()),
        Fact::Value(own) => own.unwrap_or_default(),
    };
    if own.all_enabled() {
        return Readable::value(own);
    }
    let owner = bucket.owner_account_id.value();
    let account = owner.and_then(|o| cx.accounts_by_id.get(o.as_str()).copied());
    match account.map(|a| &a.public_access_block) {
        Some(Fact::Value(setting)) => {
            let acct = setting.unwrap_or_default();
            Readable::value(PublicAccessBlock {
                block_public_acls: own.block_public_acls || acct.block_public_acls,
                ignore_public_acls: own.ignore_public_acls || acct.ignore_public_acls,
                block_public_policy: own.block_public_policy || acct.block_public_policy,
                restrict_public_buckets: own.restrict_public_buckets || acct.restrict_public_buckets,
            })
        }
        Some(Fact::Unreadable(u)) => {
            unreadable.push(("bucket.public_access_block".to_owned(), u.clone()));
            Readable::unreadable(u.clone())
        }
        None => {
            let u = not_collected("s3control:GetPublicAccessBlock", "the bucket owner's account setting");
            unreadable.push(("bucket.public_access_block".to_owned(), u.clone()));
            Readable::unreadable(u)
        }
    }
}

fn policy_analysis(bucket: &Bucket, unreadable: &mut Vec<(String, Unreadable)>) -> Readable<Option<PolicyAnalysis>> {
    let analysis = policy_document(bucket, &mut Vec::new()).map(|doc| doc.as_ref().map(policy::analyse));
    match &analysis.0 {
        Err(u) => unreadable.push(("bucket.policy_analysis".to_owned(), u.clone())),
        Ok(Some(a)) => {
            if let Err(u) = &a.sensitive_grants.0 {
                unreadable.push(("bucket.policy_analysis.sensitive_grants".to_owned(), u.clone()));
            }
        }
        Ok(None) => {}
    }
    analysis
}

fn policy_document(bucket: &Bucket, unreadable: &mut Vec<(String, Unreadable)>) -> Readable<Option<serde_json::Value>> {
    match &bucket.policy {
        Fact::Unreadable(u) => Readable::unreadable(u.clone()),
        Fact::Value(None) => Readable::value(None),
        Fact::Value(Some(text)) => match serde_json::from_str(text) {
            Ok(doc) => Readable::value(Some(doc)),
            Err(err) => {
                let u = Unreadable {
                    reason: UnreadableReason::Error,
                    api: Some("s3:GetBucketPolicy".to_owned()),
                    detail: Some(format!("the policy is not valid JSON: {err}")),
                };
                unreadable.push(("bucket.policy".to_owned(), u.clone()));
                Readable::unreadable(u)
            }
        },
    }
}

fn push_unreadable<T>(out: &mut Vec<(String, Unreadable)>, name: &str, fact: &Fact<T>) {
    if let Fact::Unreadable(u) = fact {
        out.push((name.to_owned(), u.clone()));
    }
}

/// The unreadable facts of a trail view, named by their path.
fn trail_unreadable(view: &TrailView) -> Vec<(String, Unreadable)> {
    let fields: [(&str, Option<&Unreadable>); 15] = [
        ("tags", view.tags.0.as_ref().err()),
        ("is_logging", view.is_logging.0.as_ref().err()),
        ("status", view.status.0.as_ref().err()),
        ("management_events", view.management_events.0.as_ref().err()),
        ("s3_data_events", view.s3_data_events.0.as_ref().err()),
        ("lambda_data_events", view.lambda_data_events.0.as_ref().err()),
        ("logs_data_events", view.logs_data_events.0.as_ref().err()),
        ("data_events_via_basic_selectors", view.data_events_via_basic_selectors.0.as_ref().err()),
        ("uses_advanced_selectors", view.uses_advanced_selectors.0.as_ref().err()),
        ("insights", view.insights.0.as_ref().err()),
        ("kms_key", view.kms_key.0.as_ref().err()),
        ("bucket.account_id", view.bucket.account_id.0.as_ref().err()),
        ("bucket.cross_account", view.bucket.cross_account.0.as_ref().err()),
        ("bucket.in_management_account", view.bucket.in_management_account.0.as_ref().err()),
        ("bucket.owner_in_organization", view.bucket.owner_in_organization.0.as_ref().err()),
    ];
    // One entry per distinct failed read: is_logging and status share GetTrailStatus, and the
    // selector facts share GetEventSelectors; the key names let a "no such key" error find them.
    fields.into_iter().filter_map(|(field, u)| u.map(|u| (format!("trail {} {field}", view.name), u.clone()))).collect()
}

/// The log group name in a CloudTrail `CloudWatchLogsLogGroupArn`
/// (`arn:aws:logs:<region>:<account>:log-group:<name>:*`).
fn log_group_name(arn: &str) -> Option<String> {
    let rest = arn.split(":log-group:").nth(1)?;
    Some(rest.trim_end_matches(":*").to_owned())
}

/// `Fact` → `Readable` by value, for chaining `.map`.
trait IntoReadable<T> {
    fn into_readable(self) -> Readable<T>;
}

impl<T: Clone> IntoReadable<T> for &Fact<T> {
    fn into_readable(self) -> Readable<T> {
        self.into()
    }
}
