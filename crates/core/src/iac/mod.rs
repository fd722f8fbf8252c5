//! Infrastructure as code: an inventory read from what a CloudFormation template or a
//! Terraform plan declares, so that the same rules run on it unchanged (docs/iac.md).
//!
//! Both sources build their inventory through [`SourceInventory`], which knows what a source
//! can and cannot say. A source declares some trails, buckets, keys and event data stores of
//! one account; it never says what the account holds besides them (its other trails and
//! buckets, its Regions, its Block Public Access setting), nor anything that exists only once
//! the resources run (whether a trail is logging, its delivery errors). Those facts are
//! `UnreadableReason::NotInSource`, so a rule that needs them is not applicable to the source:
//! never a pass, never a fail made up from a partial view. A value the source leaves to be
//! decided at deployment (a parameter without a default, a plan's `after_unknown`) is
//! `UnknownUntilApply`: inconclusive, never false.
//!
//! Each loader (cloudformation/, terraform/) parses its format, resolves references, and hands
//! every resource to the builder with where it is declared; `finish` joins them.

pub mod cloudformation;
pub mod terraform;

use crate::diagnostic::Diagnostic;
use crate::inventory::{
    Account, AclGrant, Bucket, BucketVersioning, DelegatedAdministrator, EncryptionRule, EventBridgeRule, EventDataStore, EventSelector,
    EventSelectors, Fact, Inventory, KmsKey, MetricAlarm, MetricFilter, Organization, PublicAccessBlock, RegionInventory, Trail, TrailSetting,
    Unreadable, UnreadableReason, SCHEMA_VERSION,
};
use crate::resource::Location;
use std::collections::BTreeMap;
use std::path::Path;

/// The account, Region and partition a source's resources are placed in. A template or plan
/// rarely names its account, so ARNs are built with a placeholder account unless it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceScope {
    pub account_id: String,
    pub region: String,
    pub partition: String,
}

/// The placeholder account of a source that does not name one.
pub const PLACEHOLDER_ACCOUNT: &str = "000000000000";
/// The Region of a source that does not name one (a CloudFormation stack's Region is chosen at
/// deployment).
pub const DEFAULT_REGION: &str = "us-east-1";

impl Default for SourceScope {
    fn default() -> Self {
        SourceScope { account_id: PLACEHOLDER_ACCOUNT.to_owned(), region: DEFAULT_REGION.to_owned(), partition: "aws".to_owned() }
    }
}

impl SourceScope {
    /// The ARN of a trail of this scope, as CloudTrail builds it.
    pub fn trail_arn(&self, region: &str, name: &str) -> String {
        format!("arn:{}:cloudtrail:{region}:{}:trail/{name}", self.partition, self.account_id)
    }

    /// The ARN of an event data store of this scope. CloudTrail names stores by a generated
    /// id; the source's name stands in for it.
    pub fn event_data_store_arn(&self, region: &str, name: &str) -> String {
        format!("arn:{}:cloudtrail:{region}:{}:eventdatastore/{name}", self.partition, self.account_id)
    }

    /// The ARN of a bucket (bucket ARNs name neither Region nor account).
    pub fn bucket_arn(&self, name: &str) -> String {
        format!("arn:{}:s3:::{name}", self.partition)
    }

    /// The ARN of a KMS key of this scope, by its key id (a source's address stands in for the
    /// id AWS generates).
    pub fn kms_key_arn(&self, key_id: &str) -> String {
        format!("arn:{}:kms:{}:{}:key/{key_id}", self.partition, self.region, self.account_id)
    }
}

/// What one Region holds besides trails.
#[derive(Debug, Default)]
struct RegionParts {
    event_data_stores: Vec<EventDataStore>,
    eventbridge_rules: Vec<EventBridgeRule>,
    metric_filters: Vec<MetricFilter>,
    alarms: Vec<MetricAlarm>,
}

/// The resources a source declares, gathered into an [`Inventory`] by [`SourceInventory::finish`].
#[derive(Debug)]
pub struct SourceInventory {
    scope: SourceScope,
    trails: Vec<Trail>,
    buckets: BTreeMap<String, Bucket>,
    keys: BTreeMap<String, KmsKey>,
    regions: BTreeMap<String, RegionParts>,
    delegated_administrators: BTreeMap<String, Vec<DelegatedAdministrator>>,
    locations: BTreeMap<String, Location>,
}

impl SourceInventory {
    pub fn new(scope: SourceScope) -> Self {
        SourceInventory {
            scope,
            trails: Vec::new(),
            buckets: BTreeMap::new(),
            keys: BTreeMap::new(),
            regions: BTreeMap::new(),
            delegated_administrators: BTreeMap::new(),
            locations: BTreeMap::new(),
        }
    }

    pub fn scope(&self) -> &SourceScope {
        &self.scope
    }

    /// A declared trail, in its home Region (`trail.home_region`).
    pub fn trail(&mut self, trail: Trail, at: Location) {
        self.regions.entry(trail.home_region.clone()).or_default();
        self.locations.insert(trail.arn.clone(), at);
        self.trails.push(trail);
    }

    /// A declared bucket. A second declaration of the same name replaces the first (two
    /// templates cannot both create one bucket; the last one given wins).
    pub fn bucket(&mut self, bucket: Bucket, at: Location) {
        self.locations.insert(self.scope.bucket_arn(&bucket.name), at);
        self.buckets.insert(bucket.name.clone(), bucket);
    }

    /// A declared KMS key, under the id its users name it by (`KmsKey.key_id`).
    pub fn kms_key(&mut self, key: KmsKey, at: Location) {
        let arn = key.metadata.value().map_or_else(|| self.scope.kms_key_arn(&key.key_id), |m| m.arn.clone());
        self.locations.insert(arn, at);
        self.keys.insert(key.key_id.clone(), key);
    }

    pub fn event_data_store(&mut self, region: &str, store: EventDataStore, at: Location) {
        self.locations.insert(store.arn.clone(), at);
        self.regions.entry(region.to_owned()).or_default().event_data_stores.push(store);
    }

    pub fn eventbridge_rule(&mut self, region: &str, rule: EventBridgeRule) {
        self.regions.entry(region.to_owned()).or_default().eventbridge_rules.push(rule);
    }

    pub fn metric_filter(&mut self, region: &str, filter: MetricFilter) {
        self.regions.entry(region.to_owned()).or_default().metric_filters.push(filter);
    }

    pub fn alarm(&mut self, region: &str, alarm: MetricAlarm) {
        self.regions.entry(region.to_owned()).or_default().alarms.push(alarm);
    }

    /// An account registered as delegated administrator of `service_principal`. Only the
    /// management account can register one, so the source's account is taken to be it.
    pub fn delegated_administrator(&mut self, service_principal: &str, admin: DelegatedAdministrator) {
        self.delegated_administrators.entry(service_principal.to_owned()).or_default().push(admin);
    }

    /// The inventory of what was declared. Buckets and keys that a trail names but the source
    /// does not declare are unreadable (`NotInSource`), as is everything account-wide.
    pub fn finish(self) -> Inventory {
        let SourceInventory { scope, trails, mut buckets, mut keys, mut regions, delegated_administrators, locations } = self;
        regions.entry(scope.region.clone()).or_default();
        for trail in &trails {
            if !buckets.contains_key(&trail.s3_bucket_name) {
                let u = not_in_source_reason("s3:HeadBucket", &format!("bucket {} is not declared in the source", trail.s3_bucket_name));
                buckets.insert(trail.s3_bucket_name.clone(), Bucket::unreadable(&trail.s3_bucket_name, u));
            }
        }
        let named_keys = trails
            .iter()
            .filter_map(|t| t.kms_key_id.clone())
            .chain(buckets.values().filter_map(|b| b.encryption.value()).flatten().flatten().filter_map(|r| r.kms_master_key_id.clone()))
            .chain(regions.values().flat_map(|r| &r.event_data_stores).filter_map(|s| s.details.value().and_then(|d| d.kms_key_id.clone())));
        let named_keys: Vec<String> = named_keys.collect();
        for key_id in named_keys {
            keys.entry(key_id.clone()).or_insert_with(|| KmsKey {
                key_id: key_id.clone(),
                metadata: not_in_source_because("kms:DescribeKey", &format!("key {key_id} is not declared in the source")),
            });
        }
        let account_wide = |api: &str| not_in_source_reason(api, "a template or plan shows only its own resources, not the rest of the account");
        let account = Account {
            id: scope.account_id.clone(),
            name: String::new(),
            enabled_regions: Fact::Unreadable(account_wide("account:ListRegions")),
            regions: regions
                .into_iter()
                .map(|(name, parts)| RegionInventory {
                    name,
                    trail_arns: Fact::Unreadable(account_wide("cloudtrail:DescribeTrails")),
                    event_data_stores: Fact::Value(parts.event_data_stores),
                    eventbridge_rules: Fact::Value(parts.eventbridge_rules),
                    metric_filters: Fact::Value(parts.metric_filters),
                    alarms: Fact::Value(parts.alarms),
                })
                .collect(),
            trails,
            owned_bucket_names: Fact::Unreadable(account_wide("s3:ListBuckets")),
            public_access_block: Fact::Unreadable(account_wide("s3control:GetPublicAccessBlock")),
            cloudtrail_full_access: Fact::Unreadable(account_wide("iam:ListEntitiesForPolicy")),
        };
        let organization = organization(&scope, delegated_administrators);
        Inventory {
            schema_version: SCHEMA_VERSION,
            collected_at: chrono::Utc::now(),
            partition: scope.partition.clone(),
            caller_account_id: scope.account_id.clone(),
            organization,
            accounts: vec![account],
            buckets: buckets.into_values().collect(),
            kms_keys: keys.into_values().collect(),
            collection_errors: Vec::new(),
            shard: None,
            locations,
        }
    }
}

/// The organization as far as a source shows it: nothing, unless it registers delegated
/// administrators, which only the management account can do. Its id and members stay unknown.
fn organization(scope: &SourceScope, delegated: BTreeMap<String, Vec<DelegatedAdministrator>>) -> Fact<Option<Organization>> {
    const UNKNOWN: &str = "a template or plan does not describe the organization";
    if delegated.is_empty() {
        return not_in_source_because("organizations:DescribeOrganization", UNKNOWN);
    }
    Fact::Value(Some(Organization {
        id: String::new(),
        arn: String::new(),
        management_account_id: scope.account_id.clone(),
        feature_set: "ALL".to_owned(),
        accounts: not_in_source_because("organizations:ListAccounts", UNKNOWN),
        delegated_administrators: delegated.into_iter().map(|(principal, admins)| (principal, Fact::Value(admins))).collect(),
        trusted_service_principals: not_in_source_because("organizations:ListAWSServiceAccessForOrganization", UNKNOWN),
        organizational_units: not_in_source_because("organizations:ListRoots", UNKNOWN),
    }))
}

fn not_in_source_reason(api: &str, detail: &str) -> Unreadable {
    Unreadable::new(UnreadableReason::NotInSource, api, detail)
}

/// A fact the source does not say (`api` is the call that would read it from AWS).
pub fn not_in_source<T>(api: &str) -> Fact<T> {
    not_in_source_because(api, "infrastructure as code does not say it")
}

/// A fact the source does not say, and why (`detail`, for messages).
pub fn not_in_source_because<T>(api: &str, detail: &str) -> Fact<T> {
    Fact::Unreadable(not_in_source_reason(api, detail))
}

/// The bucket a trail names where the name is known only once the source is applied: a
/// stand-in under `stand_in` (the trail's property address), every fact of which is unknown,
/// so no rule judges some other bucket in its place. `what` says what leaves it open.
pub fn unknown_bucket(stand_in: &str, what: &str) -> Bucket {
    Bucket::unreadable(
        stand_in,
        Unreadable::new(UnreadableReason::UnknownUntilApply, "s3:HeadBucket", format!("{what} is known only once the source is applied")),
    )
}

/// A fact the source leaves to be decided when it is applied; `what` names the value (a
/// parameter without a default, an attribute known after apply).
pub fn unknown_until_apply<T>(api: &str, what: &str) -> Fact<T> {
    Fact::Unreadable(Unreadable::new(UnreadableReason::UnknownUntilApply, api, format!("{what} is known only once the source is applied")))
}

/// A bucket as S3 creates it when the source sets nothing (the defaults since April 2023):
/// SSE-S3 default encryption, all four Block Public Access settings on, ObjectOwnership
/// BucketOwnerEnforced (ACLs off, the owner's grant only), no versioning, lifecycle, Object
/// Lock, policy or access logging. The loader overwrites what the source declares.
pub fn new_bucket(name: &str, scope: &SourceScope) -> Bucket {
    Bucket {
        name: name.to_owned(),
        owner_account_id: Fact::Value(scope.account_id.clone()),
        region: Fact::Value(scope.region.clone()),
        versioning: Fact::Value(BucketVersioning::default()),
        encryption: Fact::Value(Some(vec![EncryptionRule {
            sse_algorithm: "AES256".to_owned(),
            kms_master_key_id: None,
            bucket_key_enabled: false,
        }])),
        lifecycle: Fact::Value(None),
        object_lock: Fact::Value(None),
        public_access_block: Fact::Value(Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        })),
        policy: Fact::Value(None),
        policy_is_public: Fact::Value(None),
        acl_grants: Fact::Value(vec![owner_full_control()]),
        object_ownership: Fact::Value(Some("BucketOwnerEnforced".to_owned())),
        logging: Fact::Value(None),
    }
}

/// The grant every bucket's ACL has: its owner's full control.
pub fn owner_full_control() -> AclGrant {
    AclGrant { grantee_type: "CanonicalUser".to_owned(), grantee_uri: None, grantee_id: None, permission: "FULL_CONTROL".to_owned() }
}

/// A trail as CloudTrail creates it when the source sets only its name and bucket: single
/// Region, global service events on, log file validation off, no KMS key, CloudWatch Logs or
/// SNS, AWS's default event selector (all management events, no data events), no Insights. Its
/// status exists only once it runs: not in the source.
pub fn new_trail(name: &str, bucket: &str, scope: &SourceScope) -> Trail {
    Trail {
        arn: scope.trail_arn(&scope.region, name),
        name: name.to_owned(),
        home_region: scope.region.clone(),
        s3_bucket_name: bucket.to_owned(),
        s3_key_prefix: None,
        sns_topic_arn: None,
        include_global_service_events: true,
        is_multi_region_trail: false,
        is_organization_trail: false,
        log_file_validation_enabled: false,
        kms_key_id: None,
        cloud_watch_logs_log_group_arn: None,
        cloud_watch_logs_role_arn: None,
        has_custom_event_selectors: false,
        has_insight_selectors: false,
        tags: Fact::Value(BTreeMap::new()),
        status: not_in_source_because(
            "cloudtrail:GetTrailStatus",
            "a trail's deliveries, and whether it logs when the source does not declare it, are known only once it runs",
        ),
        declared_logging: None,
        unknown_settings: BTreeMap::new(),
        event_selectors: Fact::Value(EventSelectors {
            basic: vec![EventSelector {
                read_write_type: "All".to_owned(),
                include_management_events: true,
                data_resources: Vec::new(),
                exclude_management_event_sources: Vec::new(),
            }],
            advanced: Vec::new(),
        }),
        insight_selectors: Fact::Value(Vec::new()),
    }
}

/// A trail's switch that a source can leave open: CloudTrail's value when the source leaves
/// it out, and the `Trail` field that holds it.
pub struct TrailSwitch {
    pub setting: TrailSetting,
    pub default: bool,
    pub field: fn(&mut Trail) -> &mut bool,
}

/// A trail's name that a source can leave open (none when left out), and its `Trail` field.
pub struct TrailName {
    pub setting: TrailSetting,
    pub field: fn(&mut Trail) -> &mut Option<String>,
}

/// Every switch of a trail a loader reads; each loader names the property that sets it.
pub const TRAIL_SWITCHES: [TrailSwitch; 4] = [
    TrailSwitch { setting: TrailSetting::IncludeGlobalServiceEvents, default: true, field: |t| &mut t.include_global_service_events },
    TrailSwitch { setting: TrailSetting::IsMultiRegionTrail, default: false, field: |t| &mut t.is_multi_region_trail },
    TrailSwitch { setting: TrailSetting::IsOrganizationTrail, default: false, field: |t| &mut t.is_organization_trail },
    TrailSwitch { setting: TrailSetting::LogFileValidationEnabled, default: false, field: |t| &mut t.log_file_validation_enabled },
];

/// Every name of a trail a loader reads besides its bucket (which a trail cannot go without).
pub const TRAIL_NAMES: [TrailName; 5] = [
    TrailName { setting: TrailSetting::S3KeyPrefix, field: |t| &mut t.s3_key_prefix },
    TrailName { setting: TrailSetting::SnsTopicArn, field: |t| &mut t.sns_topic_arn },
    TrailName { setting: TrailSetting::KmsKeyId, field: |t| &mut t.kms_key_id },
    TrailName { setting: TrailSetting::CloudWatchLogsLogGroupArn, field: |t| &mut t.cloud_watch_logs_log_group_arn },
    TrailName { setting: TrailSetting::CloudWatchLogsRoleArn, field: |t| &mut t.cloud_watch_logs_role_arn },
];

/// A trail's SNS topic as the inventory holds it: the ARN, as DescribeTrails gives it. Sources
/// take a name or an ARN; a name is of a topic in the trail's account and Region.
pub fn sns_topic_arn(topic: String, scope: &SourceScope, region: &str) -> String {
    match topic.starts_with("arn:") {
        true => topic,
        false => format!("arn:{}:sns:{region}:{}:{topic}", scope.partition, scope.account_id),
    }
}

/// Sets a trail's setting from what the source says: its value, or what leaves it to
/// deployment (a parameter, a plan address). Then the setting is unknown until apply, and its
/// plain field keeps what it held (CloudTrail's default, or no name), which no reader takes as
/// the answer ([`Trail::checked`]). `field` is the `Trail` field that holds `setting`.
pub fn set_trail_setting<T>(trail: &mut Trail, setting: TrailSetting, field: fn(&mut Trail) -> &mut T, value: Result<T, String>) {
    match value {
        Ok(value) => {
            *field(trail) = value;
            trail.unknown_settings.remove(&setting);
        }
        Err(what) => {
            let u = Unreadable::new(
                UnreadableReason::UnknownUntilApply,
                "cloudtrail:DescribeTrails",
                format!("{what} is known only once the source is applied"),
            );
            trail.unknown_settings.insert(setting, u);
        }
    }
}

/// Reads a Terraform plan (`terraform show -json`) and, with `dir`, the configuration that
/// locates its resources (terraform/).
pub fn load_terraform(plan: &Path, dir: Option<&Path>) -> Result<Inventory, Diagnostic> {
    terraform::load(plan, dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{KmsKeyMetadata, UnreadableReason};

    fn at(line: u32, address: &str) -> Location {
        Location { file: "stack.yaml".to_owned(), line, address: address.to_owned() }
    }

    fn reason<T>(fact: &Fact<T>) -> Option<UnreadableReason> {
        fact.unreadable().map(|u| u.reason)
    }

    #[test]
    fn a_declared_trail_bucket_and_key_are_readable_and_located() {
        let scope = SourceScope::default();
        let mut source = SourceInventory::new(scope.clone());
        let mut trail = new_trail("main", "logs", &scope);
        trail.kms_key_id = Some("key-1".to_owned());
        let trail_arn = trail.arn.clone();
        source.trail(trail, at(3, "Trail"));
        source.bucket(new_bucket("logs", &scope), at(10, "Logs"));
        let metadata = KmsKeyMetadata {
            arn: scope.kms_key_arn("Key"),
            key_state: "Enabled".to_owned(),
            key_manager: "CUSTOMER".to_owned(),
            multi_region: false,
        };
        source.kms_key(KmsKey { key_id: "key-1".to_owned(), metadata: Fact::Value(metadata) }, at(20, "Key"));
        let inventory = source.finish();

        assert_eq!(trail_arn, "arn:aws:cloudtrail:us-east-1:000000000000:trail/main");
        assert_eq!(inventory.accounts.len(), 1);
        assert_eq!(inventory.accounts[0].trails.len(), 1);
        assert_eq!(inventory.buckets.len(), 1);
        assert!(inventory.buckets[0].versioning.value().is_some());
        assert!(inventory.kms_keys[0].metadata.value().is_some());
        assert_eq!(inventory.locations[&trail_arn].line, 3);
        assert_eq!(inventory.locations["arn:aws:s3:::logs"].address, "Logs");
        assert_eq!(inventory.locations.len(), 3);
    }

    #[test]
    fn what_a_trail_names_but_the_source_does_not_declare_is_not_in_source() {
        let scope = SourceScope::default();
        let mut source = SourceInventory::new(scope.clone());
        let mut trail = new_trail("main", "elsewhere", &scope);
        trail.kms_key_id = Some("arn:aws:kms:us-east-1:111122223333:key/abc".to_owned());
        source.trail(trail, at(3, "Trail"));
        let inventory = source.finish();
        assert_eq!(inventory.buckets.len(), 1);
        assert_eq!(reason(&inventory.buckets[0].versioning), Some(UnreadableReason::NotInSource));
        assert_eq!(reason(&inventory.kms_keys[0].metadata), Some(UnreadableReason::NotInSource));
    }

    #[test]
    fn account_wide_facts_and_trail_status_are_not_in_source_and_never_gaps() {
        let scope = SourceScope::default();
        let mut source = SourceInventory::new(scope.clone());
        source.trail(new_trail("main", "logs", &scope), at(3, "Trail"));
        source.bucket(new_bucket("logs", &scope), at(10, "Logs"));
        let inventory = source.finish();
        let account = &inventory.accounts[0];
        assert_eq!(reason(&account.enabled_regions), Some(UnreadableReason::NotInSource));
        assert_eq!(reason(&account.public_access_block), Some(UnreadableReason::NotInSource));
        assert_eq!(reason(&account.owned_bucket_names), Some(UnreadableReason::NotInSource));
        assert_eq!(reason(&account.regions[0].trail_arns), Some(UnreadableReason::NotInSource));
        assert_eq!(reason(&account.trails[0].status), Some(UnreadableReason::NotInSource));
        assert_eq!(reason(&inventory.organization), Some(UnreadableReason::NotInSource));
        assert!(crate::inventory::gaps::gaps(&inventory).is_empty(), "a source's limits are not gaps in what was read");
    }

    #[test]
    fn regions_of_trails_and_stores_are_listed_with_the_scope_region() {
        let scope = SourceScope::default();
        let mut source = SourceInventory::new(scope.clone());
        let mut trail = new_trail("west", "logs", &scope);
        trail.home_region = "eu-west-1".to_owned();
        source.trail(trail, at(1, "West"));
        let inventory = source.finish();
        let regions: Vec<&str> = inventory.accounts[0].regions.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(regions, ["eu-west-1", "us-east-1"]);
    }

    #[test]
    fn a_delegated_administrator_implies_the_management_account_and_nothing_else() {
        let scope = SourceScope::default();
        let mut source = SourceInventory::new(scope.clone());
        let admin = DelegatedAdministrator { account_id: "111122223333".to_owned(), status: "ACTIVE".to_owned(), delegation_enabled_date: None };
        source.delegated_administrator("cloudtrail.amazonaws.com", admin);
        let inventory = source.finish();
        let Fact::Value(Some(org)) = &inventory.organization else { panic!("an organization is declared") };
        assert_eq!(org.management_account_id, PLACEHOLDER_ACCOUNT);
        assert_eq!(reason(&org.accounts), Some(UnreadableReason::NotInSource));
    }

    #[test]
    fn defaults_are_what_aws_creates() {
        let scope = SourceScope::default();
        let bucket = new_bucket("b", &scope);
        assert!(bucket.public_access_block.value().unwrap().unwrap().all_enabled());
        assert_eq!(bucket.encryption.value().unwrap().as_ref().unwrap()[0].sse_algorithm, "AES256");
        assert_eq!(bucket.versioning.value().unwrap().status, None);
        let trail = new_trail("t", "b", &scope);
        assert!(!trail.is_multi_region_trail && trail.include_global_service_events && !trail.log_file_validation_enabled);
        let unknown: Fact<bool> = unknown_until_apply("s3:GetBucketVersioning", "parameter Versioning");
        assert_eq!(reason(&unknown), Some(UnreadableReason::UnknownUntilApply));
    }
}
