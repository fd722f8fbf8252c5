//! Small builders for test inventories, shared by the integration tests.
//!
//! Everything defaults to the most ordinary readable value: an account with one enabled
//! region (`us-east-1`), a logging single-Region trail with AWS's default event selectors,
//! an unconfigured log bucket owned by the log-archive account, no organization. Each test
//! then states only what it is about:
//!
//! ```ignore
//! let inv = inventory()
//!     .account(account(MGMT).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
//!     .build();
//! ```
#![allow(dead_code)]

use std::collections::BTreeMap;

use trailwarden_core::evaluate::views::{self, Subject, Subjects};
pub use trailwarden_core::inventory::UnreadableReason;
use trailwarden_core::inventory::{
    Account, AdvancedEventSelector, AdvancedFieldSelector, Bucket, BucketVersioning, DataResource, DelegatedAdministrator, EventDataStore,
    EventDataStoreDetails, EventSelector, EventSelectors, Fact, Inventory, Organization, PolicyAttachments, PublicAccessBlock, RegionInventory,
    Trail, TrailStatus, Unreadable,
};

// ---------------------------------------------------------------------------------------------
// Well-known ids

/// The organization's management account.
pub const MGMT: &str = "111111111111";
/// A member account.
pub const MEMBER: &str = "222222222222";
/// The log-archive account that owns the central log bucket.
pub const LOG_ARCHIVE: &str = "333333333333";
/// An account that is never scanned.
pub const OUTSIDER: &str = "444444444444";

/// The organization trail of `MGMT`, home region us-east-1.
pub const ORG_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail";
/// A trail owned by `MEMBER`.
pub const MEMBER_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:222222222222:trail/member-trail";

pub const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";

/// A failed read with the given reason.
pub fn unreadable(reason: UnreadableReason) -> Unreadable {
    Unreadable::new(reason, "test:Operation", "made unreadable by the test")
}

// ---------------------------------------------------------------------------------------------
// Inventory

#[derive(Debug, Clone)]
pub struct InventoryBuilder {
    partition: String,
    caller: Option<String>,
    organization: Fact<Option<Organization>>,
    accounts: Vec<Account>,
    buckets: Vec<Bucket>,
}

/// An empty inventory in partition `aws`, outside any organization. The caller is the first
/// account added unless `.caller(..)` says otherwise.
pub fn inventory() -> InventoryBuilder {
    InventoryBuilder { partition: "aws".to_owned(), caller: None, organization: Fact::Value(None), accounts: vec![], buckets: vec![] }
}

impl InventoryBuilder {
    pub fn partition(mut self, partition: &str) -> Self {
        self.partition = partition.to_owned();
        self
    }

    pub fn caller(mut self, account_id: &str) -> Self {
        self.caller = Some(account_id.to_owned());
        self
    }

    pub fn account(mut self, account: AccountBuilder) -> Self {
        self.accounts.push(account.build());
        self
    }

    pub fn bucket(mut self, bucket: BucketBuilder) -> Self {
        self.buckets.push(bucket.build());
        self
    }

    pub fn organization(mut self, organization: OrganizationBuilder) -> Self {
        self.organization = Fact::Value(Some(organization.build()));
        self
    }

    /// organizations:DescribeOrganization said AWSOrganizationsNotInUseException (the default).
    pub fn not_in_organization(mut self) -> Self {
        self.organization = Fact::Value(None);
        self
    }

    pub fn organization_unreadable(mut self, reason: UnreadableReason) -> Self {
        self.organization = Fact::Unreadable(unreadable(reason));
        self
    }

    pub fn build(self) -> Inventory {
        let caller = self.caller.or_else(|| self.accounts.first().map(|a| a.id.clone())).unwrap_or_else(|| MGMT.to_owned());
        Inventory {
            schema_version: trailwarden_core::inventory::SCHEMA_VERSION,
            collected_at: "2026-01-01T00:00:00Z".parse().expect("a valid timestamp"),
            partition: self.partition,
            caller_account_id: caller,
            organization: self.organization,
            accounts: self.accounts,
            buckets: self.buckets,
            kms_keys: vec![],
            collection_errors: vec![],
            shard: None,
            locations: Default::default(),
        }
    }

    /// `views::build` of the inventory.
    pub fn subjects(self) -> Subjects {
        views::build(&self.build())
    }
}

// ---------------------------------------------------------------------------------------------
// Account

#[derive(Debug, Clone)]
pub struct AccountBuilder(Account);

/// A scanned account with one enabled region (`us-east-1`, listing no trail), no trails, no
/// account-level Block Public Access, nothing attached to AWSCloudTrail_FullAccess.
pub fn account(id: &str) -> AccountBuilder {
    AccountBuilder(Account {
        id: id.to_owned(),
        name: format!("account-{id}"),
        enabled_regions: Fact::Value(vec!["us-east-1".to_owned()]),
        regions: vec![region_inventory("us-east-1")],
        trails: vec![],
        owned_bucket_names: Fact::Value(vec![]),
        public_access_block: Fact::Value(None),
        cloudtrail_full_access: Fact::Value(PolicyAttachments::default()),
    })
}

fn region_inventory(name: &str) -> RegionInventory {
    RegionInventory {
        name: name.to_owned(),
        trail_arns: Fact::Value(vec![]),
        event_data_stores: Fact::Value(vec![]),
        eventbridge_rules: Fact::Value(vec![]),
        metric_filters: Fact::Value(vec![]),
        alarms: Fact::Value(vec![]),
    }
}

impl AccountBuilder {
    /// These regions are enabled and were scanned (replaces the default `us-east-1`).
    pub fn regions<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
        self.0.regions = names.iter().map(|n| region_inventory(n)).collect();
        self.0.enabled_regions = Fact::Value(names);
        self
    }

    /// Only the enabled-region list changes; the scanned regions stay as they are.
    pub fn enabled_regions<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.0.enabled_regions = Fact::Value(names.into_iter().map(str::to_owned).collect());
        self
    }

    pub fn enabled_regions_unreadable(mut self, reason: UnreadableReason) -> Self {
        self.0.enabled_regions = Fact::Unreadable(unreadable(reason));
        self
    }

    /// A region that was scanned (whether or not it is enabled).
    pub fn scanned_region(mut self, name: &str) -> Self {
        if !self.0.regions.iter().any(|r| r.name == name) {
            self.0.regions.push(region_inventory(name));
        }
        self
    }

    /// DescribeTrails in `region` listed these ARNs (adds the region if needed).
    pub fn region_lists<'a>(mut self, region: &str, arns: impl IntoIterator<Item = &'a str>) -> Self {
        self = self.scanned_region(region);
        let r = self.0.regions.iter_mut().find(|r| r.name == region).expect("just added");
        r.trail_arns = Fact::Value(arns.into_iter().map(str::to_owned).collect());
        self
    }

    /// DescribeTrails failed in `region` (adds the region if needed).
    pub fn region_listing_unreadable(mut self, region: &str, reason: UnreadableReason) -> Self {
        self = self.scanned_region(region);
        let r = self.0.regions.iter_mut().find(|r| r.name == region).expect("just added");
        r.trail_arns = Fact::Unreadable(unreadable(reason));
        self
    }

    pub fn event_data_store(mut self, region: &str, arn: &str) -> Self {
        self = self.scanned_region(region);
        let r = self.0.regions.iter_mut().find(|r| r.name == region).expect("just added");
        let Fact::Value(stores) = &mut r.event_data_stores else { unreachable!("readable by default") };
        stores.push(EventDataStore {
            arn: arn.to_owned(),
            name: arn.rsplit('/').next().unwrap_or(arn).to_owned(),
            details: Fact::Value(EventDataStoreDetails {
                status: "ENABLED".to_owned(),
                retention_period: 2557,
                billing_mode: None,
                termination_protection_enabled: true,
                multi_region_enabled: true,
                organization_enabled: false,
                kms_key_id: None,
                advanced_event_selectors: vec![],
            }),
            insight_selectors: Fact::Value(vec![]),
        });
        self
    }

    /// Changes the last event data store added in `region`.
    pub fn with_last_event_data_store(mut self, region: &str, change: impl FnOnce(&mut EventDataStore)) -> Self {
        let r = self.0.regions.iter_mut().find(|r| r.name == region).expect("a store was added in this region");
        let Fact::Value(stores) = &mut r.event_data_stores else { unreachable!("readable by default") };
        change(stores.last_mut().expect("a store was added in this region"));
        self
    }

    pub fn event_data_stores_unreadable(mut self, region: &str, reason: UnreadableReason) -> Self {
        self = self.scanned_region(region);
        let r = self.0.regions.iter_mut().find(|r| r.name == region).expect("just added");
        r.event_data_stores = Fact::Unreadable(unreadable(reason));
        self
    }

    /// A trail seen from this account (owned, or an organization trail of another account).
    pub fn trail(mut self, trail: TrailBuilder) -> Self {
        self.0.trails.push(trail.build());
        self
    }

    pub fn public_access_block(mut self, setting: PublicAccessBlock) -> Self {
        self.0.public_access_block = Fact::Value(Some(setting));
        self
    }

    pub fn public_access_block_unreadable(mut self, reason: UnreadableReason) -> Self {
        self.0.public_access_block = Fact::Unreadable(unreadable(reason));
        self
    }

    pub fn build(self) -> Account {
        self.0
    }
}

// ---------------------------------------------------------------------------------------------
// Trail

#[derive(Debug, Clone)]
pub struct TrailBuilder(Trail);

/// A trail with the given ARN (`arn:<partition>:cloudtrail:<home region>:<owner>:trail/<name>`):
/// single-Region, not an organization trail, logging, AWS's default event selectors
/// (HasCustomEventSelectors=false), global service events on, delivering to `central-logs`.
pub fn trail(arn: &str) -> TrailBuilder {
    let home_region = arn.split(':').nth(3).expect("a trail ARN has a region").to_owned();
    let name = arn.rsplit_once("trail/").map(|(_, n)| n).unwrap_or(arn).to_owned();
    TrailBuilder(Trail {
        arn: arn.to_owned(),
        name,
        home_region,
        s3_bucket_name: "central-logs".to_owned(),
        s3_key_prefix: None,
        sns_topic_arn: None,
        include_global_service_events: true,
        is_multi_region_trail: false,
        is_organization_trail: false,
        log_file_validation_enabled: true,
        kms_key_id: None,
        cloud_watch_logs_log_group_arn: None,
        cloud_watch_logs_role_arn: None,
        has_custom_event_selectors: false,
        has_insight_selectors: false,
        tags: Fact::Value(BTreeMap::new()),
        status: Fact::Value(TrailStatus { is_logging: true, ..TrailStatus::default() }),
        declared_logging: None,
        unknown_settings: BTreeMap::new(),
        event_selectors: Fact::Value(EventSelectors::default()),
        insight_selectors: Fact::Value(vec![]),
    })
}

impl TrailBuilder {
    pub fn multi_region(mut self) -> Self {
        self.0.is_multi_region_trail = true;
        self
    }

    pub fn organization_trail(mut self) -> Self {
        self.0.is_organization_trail = true;
        self
    }

    pub fn logging(mut self, is_logging: bool) -> Self {
        self.0.status = Fact::Value(TrailStatus { is_logging, ..TrailStatus::default() });
        self
    }

    /// GetTrailStatus failed.
    pub fn status_unreadable(mut self, reason: UnreadableReason) -> Self {
        self.0.status = Fact::Unreadable(unreadable(reason));
        self
    }

    /// What infrastructure as code declares (`IsLogging`, `enable_logging`).
    pub fn declared_logging(mut self, declared: bool) -> Self {
        self.0.declared_logging = Some(declared);
        self
    }

    pub fn bucket(mut self, name: &str) -> Self {
        self.0.s3_bucket_name = name.to_owned();
        self
    }

    pub fn kms_key(mut self, key_id: &str) -> Self {
        self.0.kms_key_id = Some(key_id.to_owned());
        self
    }

    /// Custom basic event selectors (sets HasCustomEventSelectors).
    pub fn basic_selectors(mut self, selectors: impl IntoIterator<Item = impl Into<EventSelector>>) -> Self {
        self.0.has_custom_event_selectors = true;
        self.0.event_selectors = Fact::Value(basic_only(selectors));
        self
    }

    /// Custom advanced event selectors (sets HasCustomEventSelectors).
    pub fn advanced_selectors(mut self, selectors: impl IntoIterator<Item = AdvancedEventSelector>) -> Self {
        self.0.has_custom_event_selectors = true;
        self.0.event_selectors = Fact::Value(advanced_only(selectors));
        self
    }

    /// GetEventSelectors failed. HasCustomEventSelectors is left as it is.
    pub fn selectors_unreadable(mut self, reason: UnreadableReason) -> Self {
        self.0.event_selectors = Fact::Unreadable(unreadable(reason));
        self
    }

    pub fn has_custom_event_selectors(mut self, value: bool) -> Self {
        self.0.has_custom_event_selectors = value;
        self
    }

    pub fn build(self) -> Trail {
        self.0
    }
}

// ---------------------------------------------------------------------------------------------
// Event selectors

/// A basic event selector under construction; converts into `EventSelector`.
#[derive(Debug, Clone)]
pub struct BasicSelector(EventSelector);

/// A basic selector with the given ReadWriteType (`All`, `ReadOnly`, `WriteOnly`),
/// IncludeManagementEvents=true (the AWS default), no exclusions, no data resources.
pub fn basic(read_write_type: &str) -> BasicSelector {
    BasicSelector(EventSelector {
        read_write_type: read_write_type.to_owned(),
        include_management_events: true,
        data_resources: vec![],
        exclude_management_event_sources: vec![],
    })
}

impl BasicSelector {
    /// IncludeManagementEvents=false (a data-only selector).
    pub fn no_management_events(mut self) -> Self {
        self.0.include_management_events = false;
        self
    }

    pub fn excluding<'a>(mut self, sources: impl IntoIterator<Item = &'a str>) -> Self {
        self.0.exclude_management_event_sources.extend(sources.into_iter().map(str::to_owned));
        self
    }

    pub fn data<'a>(mut self, resource_type: &str, values: impl IntoIterator<Item = &'a str>) -> Self {
        self.0.data_resources.push(DataResource { resource_type: resource_type.to_owned(), values: values.into_iter().map(str::to_owned).collect() });
        self
    }

    /// DataResources of type AWS::S3::Object.
    pub fn s3<'a>(self, values: impl IntoIterator<Item = &'a str>) -> Self {
        self.data("AWS::S3::Object", values)
    }

    /// DataResources of type AWS::Lambda::Function.
    pub fn lambda<'a>(self, values: impl IntoIterator<Item = &'a str>) -> Self {
        self.data("AWS::Lambda::Function", values)
    }
}

impl From<BasicSelector> for EventSelector {
    fn from(b: BasicSelector) -> Self {
        b.0
    }
}

/// An advanced event selector made of these field selectors.
pub fn advanced(fields: impl IntoIterator<Item = AdvancedFieldSelector>) -> AdvancedEventSelector {
    AdvancedEventSelector { name: None, field_selectors: fields.into_iter().collect() }
}

fn values<'a>(vs: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    vs.into_iter().map(str::to_owned).collect()
}

pub fn equals<'a>(field: &str, vs: impl IntoIterator<Item = &'a str>) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.to_owned(), equals: values(vs), ..Default::default() }
}

pub fn not_equals<'a>(field: &str, vs: impl IntoIterator<Item = &'a str>) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.to_owned(), not_equals: values(vs), ..Default::default() }
}

pub fn starts_with<'a>(field: &str, vs: impl IntoIterator<Item = &'a str>) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.to_owned(), starts_with: values(vs), ..Default::default() }
}

pub fn not_starts_with<'a>(field: &str, vs: impl IntoIterator<Item = &'a str>) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: field.to_owned(), not_starts_with: values(vs), ..Default::default() }
}

/// `eventCategory Equals [category]`.
pub fn category(category: &str) -> AdvancedFieldSelector {
    equals("eventCategory", [category])
}

/// `resources.type Equals [resource_type]`.
pub fn resource_type(resource_type: &str) -> AdvancedFieldSelector {
    equals("resources.type", [resource_type])
}

pub fn basic_only(selectors: impl IntoIterator<Item = impl Into<EventSelector>>) -> EventSelectors {
    EventSelectors { basic: selectors.into_iter().map(Into::into).collect(), advanced: vec![] }
}

pub fn advanced_only(selectors: impl IntoIterator<Item = AdvancedEventSelector>) -> EventSelectors {
    EventSelectors { basic: vec![], advanced: selectors.into_iter().collect() }
}

// ---------------------------------------------------------------------------------------------
// Bucket

#[derive(Debug, Clone)]
pub struct BucketBuilder(Bucket);

/// A log bucket owned by `LOG_ARCHIVE` in us-east-1 with every fact readable and nothing
/// configured (no versioning, encryption, lifecycle, Object Lock, Block Public Access, policy,
/// ACL grants, ownership controls or access logging).
pub fn bucket(name: &str) -> BucketBuilder {
    BucketBuilder(Bucket {
        name: name.to_owned(),
        owner_account_id: Fact::Value(LOG_ARCHIVE.to_owned()),
        region: Fact::Value("us-east-1".to_owned()),
        versioning: Fact::Value(BucketVersioning::default()),
        encryption: Fact::Value(None),
        lifecycle: Fact::Value(None),
        object_lock: Fact::Value(None),
        public_access_block: Fact::Value(None),
        policy: Fact::Value(None),
        policy_is_public: Fact::Value(None),
        acl_grants: Fact::Value(vec![]),
        object_ownership: Fact::Value(None),
        logging: Fact::Value(None),
    })
}

impl BucketBuilder {
    pub fn owned_by(mut self, account_id: &str) -> Self {
        self.0.owner_account_id = Fact::Value(account_id.to_owned());
        self
    }

    pub fn owner_unreadable(mut self, reason: UnreadableReason) -> Self {
        self.0.owner_account_id = Fact::Unreadable(unreadable(reason));
        self
    }

    pub fn region(mut self, region: &str) -> Self {
        self.0.region = Fact::Value(region.to_owned());
        self
    }

    /// The bucket's own Block Public Access configuration.
    pub fn public_access_block(mut self, setting: PublicAccessBlock) -> Self {
        self.0.public_access_block = Fact::Value(Some(setting));
        self
    }

    pub fn public_access_block_unreadable(mut self, reason: UnreadableReason) -> Self {
        self.0.public_access_block = Fact::Unreadable(unreadable(reason));
        self
    }

    pub fn build(self) -> Bucket {
        self.0
    }
}

/// Block Public Access with all four flags on.
pub fn all_blocked() -> PublicAccessBlock {
    PublicAccessBlock { block_public_acls: true, ignore_public_acls: true, block_public_policy: true, restrict_public_buckets: true }
}

// ---------------------------------------------------------------------------------------------
// Organization

#[derive(Debug, Clone)]
pub struct OrganizationBuilder(Organization);

/// An organization (all features) managed by `management_account_id`, with readable account
/// list and trusted access, and an empty (readable) delegated-administrator list for
/// cloudtrail.amazonaws.com.
pub fn organization(management_account_id: &str) -> OrganizationBuilder {
    let mut delegated_administrators = BTreeMap::new();
    delegated_administrators.insert(CLOUDTRAIL_PRINCIPAL.to_owned(), Fact::Value(vec![]));
    OrganizationBuilder(Organization {
        id: "o-exampleorgid".to_owned(),
        arn: organization_arn(management_account_id),
        management_account_id: management_account_id.to_owned(),
        feature_set: "ALL".to_owned(),
        accounts: Fact::Value(vec![]),
        delegated_administrators,
        trusted_service_principals: Fact::Value(vec![CLOUDTRAIL_PRINCIPAL.to_owned()]),
        organizational_units: Fact::Value(vec![]),
    })
}

pub fn organization_arn(management_account_id: &str) -> String {
    format!("arn:aws:organizations::{management_account_id}:organization/o-exampleorgid")
}

impl OrganizationBuilder {
    /// ListDelegatedAdministrators(ServicePrincipal=principal) answered these accounts.
    pub fn delegated_administrators<'a>(mut self, principal: &str, account_ids: impl IntoIterator<Item = &'a str>) -> Self {
        let admins = account_ids
            .into_iter()
            .map(|id| DelegatedAdministrator { account_id: id.to_owned(), status: "ACTIVE".to_owned(), delegation_enabled_date: None })
            .collect();
        self.0.delegated_administrators.insert(principal.to_owned(), Fact::Value(admins));
        self
    }

    pub fn delegated_administrators_unreadable(mut self, principal: &str, reason: UnreadableReason) -> Self {
        self.0.delegated_administrators.insert(principal.to_owned(), Fact::Unreadable(unreadable(reason)));
        self
    }

    /// The snapshot has no answer at all for `principal`.
    pub fn without_delegated_administrators_for(mut self, principal: &str) -> Self {
        self.0.delegated_administrators.remove(principal);
        self
    }

    pub fn build(self) -> Organization {
        self.0
    }
}

// ---------------------------------------------------------------------------------------------
// Reading subjects

/// The subject's view as JSON, exactly as rules bind it.
pub fn json<V: serde::Serialize>(subject: &Subject<V>) -> serde_json::Value {
    serde_json::to_value(&subject.view).expect("a view serializes")
}

/// The binding paths under which a subject reports its unreadable facts.
pub fn unreadable_names<V>(subject: &Subject<V>) -> Vec<&str> {
    subject.unreadable.iter().map(|f| f.path.as_str()).collect()
}
