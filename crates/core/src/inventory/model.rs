//! The inventory: what the collector read, as plain data.
//!
//! Field names follow the AWS API fields in snake_case so that a reader who knows the API
//! knows the snapshot. Optional values are written as `null` and empty lists as `[]` rather
//! than left out: rules see an absent key as an unreadable fact, so absence is reserved for
//! that. Values are kept as AWS returns them (strings such as `"Enabled"`);
//! interpretation belongs to evaluate/.

use super::fact::{Fact, Unreadable};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything one collection run read. Written and read as a versioned JSON snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// The snapshot format version; see `SCHEMA_VERSION`.
    pub schema_version: u32,
    /// When collection finished (RFC 3339). Time-based rules measure ages from here.
    pub collected_at: chrono::DateTime<chrono::Utc>,
    /// The AWS partition (`aws`, `aws-us-gov`, `aws-cn`).
    #[serde(default = "default_partition")]
    pub partition: String,
    /// The account whose credentials ran the collection.
    pub caller_account_id: String,
    /// The organization, as seen from the caller. `null` inside `value` means the caller is
    /// not in an organization (AWSOrganizationsNotInUseException).
    pub organization: Fact<Option<Organization>>,
    /// Every account that was scanned, each with what was read in it.
    pub accounts: Vec<Account>,
    /// Every distinct S3 bucket that a trail delivers to.
    #[serde(default)]
    pub buckets: Vec<Bucket>,
    /// KMS keys referenced by trails, buckets and event data stores.
    #[serde(default)]
    pub kms_keys: Vec<KmsKey>,
    /// Targets that could not be scanned at all (an account whose role could not be assumed,
    /// a region that did not answer), with why.
    #[serde(default)]
    pub collection_errors: Vec<CollectionError>,
    /// Set when the snapshot holds one part of an organization (`collect --org --shard K/N`);
    /// `trailwarden merge` joins the parts into a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<super::shard::Shard>,
    /// Where each resource is declared, by ARN, when the inventory was read from
    /// infrastructure as code (`scan --cloudformation`, `--terraform-plan`); empty for AWS.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub locations: BTreeMap<String, crate::resource::Location>,
}

fn default_partition() -> String {
    "aws".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionError {
    pub account_id: String,
    #[serde(default)]
    pub region: Option<String>,
    pub unreadable: super::fact::Unreadable,
}

/// organizations:DescribeOrganization and the reads around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub id: String,
    pub arn: String,
    pub management_account_id: String,
    /// `ALL` or `CONSOLIDATED_BILLING`.
    pub feature_set: String,
    /// organizations:ListAccounts.
    pub accounts: Fact<Vec<OrganizationAccount>>,
    /// organizations:ListDelegatedAdministrators, per service principal asked about
    /// (at least `cloudtrail.amazonaws.com`).
    pub delegated_administrators: BTreeMap<String, Fact<Vec<DelegatedAdministrator>>>,
    /// organizations:ListAWSServiceAccessForOrganization: service principals with trusted access.
    pub trusted_service_principals: Fact<Vec<String>>,
    /// The tree of organizational units, walked down from the root (organizations:ListRoots,
    /// ListOrganizationalUnitsForParent, ListAccountsForParent): every unit with the accounts
    /// directly in it. The root is a unit too, named `Root`.
    pub organizational_units: Fact<Vec<OrganizationalUnit>>,
}

/// One organizational unit (or the root) and the accounts directly in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationalUnit {
    /// `ou-...`, or `r-...` for the root.
    pub id: String,
    /// The unit's names from the root down, joined by `/` (`Root/Workloads/Prod`). Names are
    /// kept as AWS returns them; AWS does not allow `/` in a unit's name.
    pub path: String,
    /// Ids of the accounts directly in this unit (not in its children).
    pub account_ids: Vec<String>,
}

impl Organization {
    /// Each account's unit path, for the accounts the unit tree lists (none when the tree was
    /// unreadable).
    pub fn unit_paths(&self) -> std::collections::HashMap<&str, &str> {
        let Fact::Value(units) = &self.organizational_units else { return Default::default() };
        units.iter().flat_map(|unit| unit.account_ids.iter().map(move |account| (account.as_str(), unit.path.as_str()))).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationAccount {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `ACTIVE`, `SUSPENDED` or `PENDING_CLOSURE`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegatedAdministrator {
    pub account_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub delegation_enabled_date: Option<chrono::DateTime<chrono::Utc>>,
}

/// One scanned account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// account:ListRegions (ENABLED, ENABLED_BY_DEFAULT).
    pub enabled_regions: Fact<Vec<String>>,
    /// What was read in each scanned region.
    pub regions: Vec<RegionInventory>,
    /// Every trail seen from this account, de-duplicated by ARN: owned trails and organization
    /// trails of the management account (their details as readable from here).
    pub trails: Vec<Trail>,
    /// s3:ListBuckets: names of buckets this account owns (used to place log buckets).
    pub owned_bucket_names: Fact<Vec<String>>,
    /// s3control:GetPublicAccessBlock for the account; `null` when none is configured.
    pub public_access_block: Fact<Option<PublicAccessBlock>>,
    /// iam:ListEntitiesForPolicy on AWSCloudTrail_FullAccess.
    pub cloudtrail_full_access: Fact<PolicyAttachments>,
}

/// What was read in one region of one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionInventory {
    pub name: String,
    /// cloudtrail:DescribeTrails(includeShadowTrails=true): the ARNs listed in this region.
    pub trail_arns: Fact<Vec<String>>,
    /// cloudtrail:ListEventDataStores; each store's details are read on their own.
    pub event_data_stores: Fact<Vec<EventDataStore>>,
    /// events:ListRules (default bus) + DescribeRule + ListTargetsByRule.
    pub eventbridge_rules: Fact<Vec<EventBridgeRule>>,
    /// logs:DescribeMetricFilters.
    pub metric_filters: Fact<Vec<MetricFilter>>,
    /// cloudwatch:DescribeAlarms.
    pub alarms: Fact<Vec<MetricAlarm>>,
}

/// cloudtrail:DescribeTrails plus the per-trail detail calls, made in the home region by ARN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    pub s3_bucket_name: String,
    #[serde(default)]
    pub s3_key_prefix: Option<String>,
    #[serde(default)]
    pub sns_topic_arn: Option<String>,
    pub include_global_service_events: bool,
    pub is_multi_region_trail: bool,
    pub is_organization_trail: bool,
    pub log_file_validation_enabled: bool,
    /// Only present when a customer managed key encrypts the log files.
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub cloud_watch_logs_log_group_arn: Option<String>,
    #[serde(default)]
    pub cloud_watch_logs_role_arn: Option<String>,
    pub has_custom_event_selectors: bool,
    pub has_insight_selectors: bool,
    /// Tags (cloudtrail:ListTags in the home region); no built-in rule reads them, so a scan
    /// leaves them `not_collected` unless a custom rule does.
    pub tags: Fact<BTreeMap<String, String>>,
    /// cloudtrail:GetTrailStatus in the home region.
    pub status: Fact<TrailStatus>,
    /// Whether the source declares the trail logging (CloudFormation `IsLogging`, Terraform
    /// `enable_logging`). Set only for infrastructure as code, whose `status` is not in the
    /// source: a template states whether the trail logs but not how its deliveries go, so this
    /// answers `is_logging` alone and the delivery facts stay unreadable. None for a live
    /// scan, and for a source that leaves it to deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_logging: Option<bool>,
    /// Settings the source leaves to deployment (a template parameter without a default, a
    /// plan value known only after apply), and why. Their plain fields above then hold
    /// CloudTrail's default (a switch) or nothing (a name), which is no answer: read them
    /// through [`Trail::checked`]. Set only for infrastructure as code; empty for a live scan.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unknown_settings: BTreeMap<TrailSetting, Unreadable>,
    /// cloudtrail:GetEventSelectors.
    pub event_selectors: Fact<EventSelectors>,
    /// cloudtrail:GetInsightSelectors; an empty list when `has_insight_selectors` is false.
    pub insight_selectors: Fact<Vec<InsightSelector>>,
}

/// A trail's settings (DescribeTrails) that infrastructure as code can leave to deployment;
/// serialized as the name of the `Trail` field that holds it. The switches come first, then
/// the names of where the trail delivers and what encrypts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrailSetting {
    IncludeGlobalServiceEvents,
    IsMultiRegionTrail,
    IsOrganizationTrail,
    LogFileValidationEnabled,
    S3KeyPrefix,
    SnsTopicArn,
    KmsKeyId,
    CloudWatchLogsLogGroupArn,
    CloudWatchLogsRoleArn,
}

impl Trail {
    /// `value`, the trail's field for `setting`, or why that setting is unknown
    /// (infrastructure as code that leaves it to deployment). Every reader of a setting that
    /// a source can leave open goes through here, so a default never stands in for an answer.
    pub fn checked<T>(&self, setting: TrailSetting, value: T) -> Result<T, &Unreadable> {
        match self.unknown_settings.get(&setting) {
            Some(u) => Err(u),
            None => Ok(value),
        }
    }

    /// The account that owns the trail: the account field of its ARN.
    pub fn owner_account_id(&self) -> &str {
        arn_account(&self.arn).unwrap_or("")
    }

    /// Whether the trail is logging: `GetTrailStatus.IsLogging` when the status was read, else
    /// what the source declares (`declared_logging`), else why the status is unreadable.
    pub fn is_logging(&self) -> Result<bool, &Unreadable> {
        match (&self.status, self.declared_logging) {
            (Fact::Value(status), _) => Ok(status.is_logging),
            (Fact::Unreadable(_), Some(declared)) => Ok(declared),
            (Fact::Unreadable(u), None) => Err(u),
        }
    }
}

/// The account field of an ARN (`arn:partition:service:region:account:resource`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
    #[serde(default)]
    pub latest_delivery_error: Option<String>,
    #[serde(default)]
    pub latest_delivery_time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub latest_notification_error: Option<String>,
    #[serde(default)]
    pub latest_notification_time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub start_logging_time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub stop_logging_time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub latest_cloud_watch_logs_delivery_error: Option<String>,
    #[serde(default)]
    pub latest_cloud_watch_logs_delivery_time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub latest_digest_delivery_time: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub latest_digest_delivery_error: Option<String>,
}

/// A trail has either basic or advanced selectors, never both.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSelectors {
    #[serde(default)]
    pub basic: Vec<EventSelector>,
    #[serde(default)]
    pub advanced: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    pub include_management_events: bool,
    #[serde(default)]
    pub data_resources: Vec<DataResource>,
    #[serde(default)]
    pub exclude_management_event_sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataResource {
    /// e.g. `AWS::S3::Object`, `AWS::Lambda::Function`.
    #[serde(rename = "type")]
    pub resource_type: String,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvancedEventSelector {
    #[serde(default)]
    pub name: Option<String>,
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvancedFieldSelector {
    /// e.g. `eventCategory`, `readOnly`, `eventSource`, `resources.type`, `resources.ARN`.
    pub field: String,
    #[serde(default)]
    pub equals: Vec<String>,
    #[serde(default)]
    pub starts_with: Vec<String>,
    #[serde(default)]
    pub ends_with: Vec<String>,
    #[serde(default)]
    pub not_equals: Vec<String>,
    #[serde(default)]
    pub not_starts_with: Vec<String>,
    #[serde(default)]
    pub not_ends_with: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightSelector {
    /// `ApiCallRateInsight` or `ApiErrorRateInsight`.
    pub insight_type: String,
    /// Omitted means `Management`.
    #[serde(default)]
    pub event_categories: Vec<String>,
}

/// One S3 bucket that receives trail logs, read with the bucket owner's credentials when the
/// owner is part of the scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    /// The account that owns the bucket, as confirmed with ExpectedBucketOwner.
    pub owner_account_id: Fact<String>,
    /// s3:GetBucketLocation.
    pub region: Fact<String>,
    /// s3:GetBucketVersioning.
    pub versioning: Fact<BucketVersioning>,
    /// s3:GetBucketEncryption; `null` when no default encryption rule is set.
    pub encryption: Fact<Option<Vec<EncryptionRule>>>,
    /// s3:GetBucketLifecycleConfiguration; `null` for NoSuchLifecycleConfiguration.
    pub lifecycle: Fact<Option<Vec<LifecycleRule>>>,
    /// s3:GetObjectLockConfiguration; `null` for ObjectLockConfigurationNotFoundError.
    pub object_lock: Fact<Option<ObjectLock>>,
    /// s3:GetPublicAccessBlock; `null` for NoSuchPublicAccessBlockConfiguration.
    pub public_access_block: Fact<Option<PublicAccessBlock>>,
    /// s3:GetBucketPolicy as the JSON document; `null` for NoSuchBucketPolicy.
    pub policy: Fact<Option<String>>,
    /// s3:GetBucketPolicyStatus `IsPublic`; `null` when the bucket has no policy.
    pub policy_is_public: Fact<Option<bool>>,
    /// s3:GetBucketAcl.
    pub acl_grants: Fact<Vec<AclGrant>>,
    /// s3:GetBucketOwnershipControls `ObjectOwnership`; `null` when not configured.
    pub object_ownership: Fact<Option<String>>,
    /// s3:GetBucketLogging; `null` when access logging is off.
    pub logging: Fact<Option<BucketLogging>>,
}

impl Bucket {
    /// A bucket none of whose facts could be read, each for the same reason (it does not
    /// exist, or could not be located). A new bucket fact must be added here too: the struct
    /// literal does not compile without it.
    pub fn unreadable(name: &str, u: Unreadable) -> Bucket {
        fn fact<T>(u: &Unreadable) -> Fact<T> {
            Fact::Unreadable(u.clone())
        }
        Bucket {
            name: name.to_owned(),
            owner_account_id: fact(&u),
            region: fact(&u),
            versioning: fact(&u),
            encryption: fact(&u),
            lifecycle: fact(&u),
            object_lock: fact(&u),
            public_access_block: fact(&u),
            policy: fact(&u),
            policy_is_public: fact(&u),
            acl_grants: fact(&u),
            object_ownership: fact(&u),
            logging: fact(&u),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketVersioning {
    /// `Enabled`, `Suspended`, or absent when versioning was never enabled.
    #[serde(default)]
    pub status: Option<String>,
    /// `Enabled`, `Disabled`, or absent when MFA delete was never configured.
    #[serde(default)]
    pub mfa_delete: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EncryptionRule {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub sse_algorithm: String,
    #[serde(default)]
    pub kms_master_key_id: Option<String>,
    #[serde(default)]
    pub bucket_key_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    #[serde(default)]
    pub id: Option<String>,
    /// `Enabled` or `Disabled`.
    pub status: String,
    /// The key prefix the rule applies to; empty or absent means the whole bucket.
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub expiration_days: Option<i64>,
    #[serde(default)]
    pub noncurrent_version_expiration_days: Option<i64>,
    #[serde(default)]
    pub transitions: Vec<LifecycleTransition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleTransition {
    pub days: i64,
    pub storage_class: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    /// `ObjectLockEnabled == "Enabled"`.
    pub enabled: bool,
    #[serde(default)]
    pub default_retention: Option<DefaultRetention>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultRetention {
    /// `GOVERNANCE` or `COMPLIANCE`.
    pub mode: String,
    #[serde(default)]
    pub days: Option<i64>,
    #[serde(default)]
    pub years: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub fn all_enabled(&self) -> bool {
        self.block_public_acls && self.ignore_public_acls && self.block_public_policy && self.restrict_public_buckets
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AclGrant {
    /// `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
    pub grantee_type: String,
    /// The group URI for `Group` grantees (e.g. `http://acs.amazonaws.com/groups/global/AllUsers`).
    #[serde(default)]
    pub grantee_uri: Option<String>,
    #[serde(default)]
    pub grantee_id: Option<String>,
    pub permission: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketLogging {
    pub target_bucket: String,
    #[serde(default)]
    pub target_prefix: String,
}

/// iam:ListEntitiesForPolicy (PolicyUsageFilter=PermissionsPolicy).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyAttachments {
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// A CloudTrail Lake event data store: what cloudtrail:ListEventDataStores lists (its ARN and
/// name), and the facts read for it by ARN, each readable or not on its own (a policy may deny
/// GetEventDataStore on one store's ARN and not on the others).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDataStore {
    pub arn: String,
    pub name: String,
    /// cloudtrail:GetEventDataStore.
    pub details: Fact<EventDataStoreDetails>,
    /// cloudtrail:GetInsightSelectors(EventDataStore=...).
    pub insight_selectors: Fact<Vec<InsightSelector>>,
}

/// cloudtrail:GetEventDataStore: an event data store's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDataStoreDetails {
    /// `CREATED`, `ENABLED`, `PENDING_DELETION`, `STARTING_INGESTION`, `STOPPED_INGESTION`, ...
    pub status: String,
    pub retention_period: i64,
    #[serde(default)]
    pub billing_mode: Option<String>,
    pub termination_protection_enabled: bool,
    pub multi_region_enabled: bool,
    pub organization_enabled: bool,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBridgeRule {
    pub name: String,
    pub arn: String,
    pub event_bus_name: String,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    pub state: String,
    /// The event pattern as JSON text; absent for scheduled rules.
    #[serde(default)]
    pub event_pattern: Option<String>,
    /// events:ListTargetsByRule: target ARNs.
    pub targets: Fact<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricFilter {
    pub log_group_name: String,
    pub filter_name: String,
    pub filter_pattern: String,
    pub metric_transformations: Vec<MetricTransformation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricTransformation {
    pub metric_name: String,
    pub metric_namespace: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricAlarm {
    pub alarm_name: String,
    #[serde(default)]
    pub metric_name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    pub actions_enabled: bool,
    #[serde(default)]
    pub alarm_actions: Vec<String>,
}

/// kms:DescribeKey for a key referenced by a trail, bucket or event data store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    /// The key id or ARN exactly as the referencing resource names it.
    pub key_id: String,
    pub metadata: Fact<KmsKeyMetadata>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KmsKeyMetadata {
    pub arn: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub key_state: String,
    /// `CUSTOMER` or `AWS`.
    pub key_manager: String,
    #[serde(default)]
    pub multi_region: bool,
}
