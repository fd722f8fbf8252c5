//! Each resource type of a plan into the inventory, through the shared builder.
//!
//! Buckets first (with the provider v3 inline blocks, then the split resources of v4 and
//! later, which join their bucket by name or by reference), then the keys, trails, event data
//! stores and the alerting resources. A value known only once applied becomes an
//! `UnknownUntilApply` fact, never a false or empty one; a resource whose name is unknown
//! (`bucket_prefix`, a name built from an unknown attribute) goes by its address instead, so
//! that what refers to it still joins it.

use super::references::{Instance, Resolver};
use super::values::{Attrs, Known, Unknown};
use crate::iac::{self, SourceInventory, SourceScope};
use crate::inventory::{
    AdvancedEventSelector, AdvancedFieldSelector, Bucket, BucketLogging, BucketVersioning, DataResource, DefaultRetention, DelegatedAdministrator,
    EncryptionRule, EventBridgeRule, EventDataStore, EventDataStoreDetails, EventSelector, EventSelectors, Fact, InsightSelector, Inventory, KmsKey,
    KmsKeyMetadata, LifecycleRule, LifecycleTransition, MetricAlarm, MetricFilter, MetricTransformation, ObjectLock, PublicAccessBlock, Trail,
    TrailSetting,
};
use crate::resource::Location;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Where each instance is declared (locate.rs).
pub trait Locate {
    fn locate(&self, instance: &Instance<'_>) -> Location;
}

/// The inventory of the plan's kept instances.
pub fn inventory(resolver: &Resolver<'_>, locator: &dyn Locate) -> Inventory {
    let scope = SourceScope { region: default_region(resolver).unwrap_or_else(|| iac::DEFAULT_REGION.to_owned()), ..SourceScope::default() };
    let mut mapper = Mapper { resolver, scope: scope.clone(), buckets: BTreeMap::new(), bucket_names: BTreeMap::new() };
    let mut source = SourceInventory::new(scope);
    mapper.buckets(locator);
    let keys = mapper.keys(&mut source, locator);
    for instance in mapper.of_type("aws_cloudtrail") {
        let (trail, undeclared_bucket) = mapper.trail(instance, &keys);
        let at = locator.locate(instance);
        if let Some(bucket) = undeclared_bucket {
            source.bucket(bucket, at.clone());
        }
        source.trail(trail, at);
    }
    for instance in mapper.of_type("aws_cloudtrail_event_data_store") {
        let region = mapper.region_of(instance);
        source.event_data_store(&region, mapper.event_data_store(instance, &region, &keys), locator.locate(instance));
    }
    for instance in mapper.of_type("aws_organizations_delegated_administrator") {
        let a = attrs(instance);
        let principal = a.string("service_principal").ok().flatten().unwrap_or("").to_owned();
        let account_id = a.string("account_id").ok().flatten().map_or_else(|| instance.address.to_owned(), str::to_owned);
        source.delegated_administrator(&principal, DelegatedAdministrator { account_id, status: "ACTIVE".to_owned(), delegation_enabled_date: None });
    }
    let targets = mapper.event_targets();
    for instance in mapper.of_type("aws_cloudwatch_event_rule") {
        let region = mapper.region_of(instance);
        source.eventbridge_rule(&region, mapper.eventbridge_rule(instance, &region, &targets));
    }
    for instance in mapper.of_type("aws_cloudwatch_log_metric_filter") {
        source.metric_filter(&mapper.region_of(instance), mapper.metric_filter(instance));
    }
    for instance in mapper.of_type("aws_cloudwatch_metric_alarm") {
        source.alarm(&mapper.region_of(instance), mapper.alarm(instance));
    }
    for (bucket, at) in std::mem::take(&mut mapper.buckets).into_values() {
        source.bucket(bucket, at);
    }
    source.finish()
}

/// The `aws_cloudtrail` argument that sets a setting.
fn argument(setting: TrailSetting) -> &'static str {
    match setting {
        TrailSetting::IncludeGlobalServiceEvents => "include_global_service_events",
        TrailSetting::IsMultiRegionTrail => "is_multi_region_trail",
        TrailSetting::IsOrganizationTrail => "is_organization_trail",
        TrailSetting::LogFileValidationEnabled => "enable_log_file_validation",
        TrailSetting::S3KeyPrefix => "s3_key_prefix",
        TrailSetting::SnsTopicArn => "sns_topic_name",
        TrailSetting::KmsKeyId => "kms_key_id",
        TrailSetting::CloudWatchLogsLogGroupArn => "cloud_watch_logs_group_arn",
        TrailSetting::CloudWatchLogsRoleArn => "cloud_watch_logs_role_arn",
    }
}

fn attrs<'p>(instance: &Instance<'p>) -> Attrs<'p> {
    Attrs::new(instance.values, instance.unknown, instance.config.map(|c| &c.expressions))
}

/// The region of the default aws provider, when the plan states it.
fn default_region(resolver: &Resolver<'_>) -> Option<String> {
    let providers = &resolver.plan.configuration.as_ref()?.provider_config;
    let aws = providers.get("aws")?;
    super::references::constant(resolver.plan, aws.expressions.get("region")?)?.as_str().map(str::to_owned)
}

struct Mapper<'r, 'p> {
    resolver: &'r Resolver<'p>,
    scope: SourceScope,
    /// Declared buckets by name (or address standing in for an unknown name), with where.
    buckets: BTreeMap<String, (Bucket, Location)>,
    /// Each aws_s3_bucket instance's address → its name in `buckets`.
    bucket_names: BTreeMap<String, String>,
}

/// The KMS keys declared, by address → the id trails and buckets name them by.
type Keys = BTreeMap<String, String>;

/// The `aws_cloudwatch_event_target` instances by the rule each names, found once for all
/// rules: by the rule's name and bus when the target's `rule` is known, else by the address
/// of the rule it refers to. Each with its place in the plan, to keep the plan's order.
#[derive(Default)]
struct EventTargets<'r, 'p> {
    by_name: HashMap<(String, String), Vec<(usize, &'r Instance<'p>)>>,
    by_address: HashMap<&'p str, Vec<(usize, &'r Instance<'p>)>>,
}

impl<'r, 'p> EventTargets<'r, 'p> {
    /// The targets of the rule `name` on `bus` at `address`, in plan order.
    fn of(&self, name: &str, bus: &str, address: &str) -> Vec<&'r Instance<'p>> {
        let by_name = self.by_name.get(&(name.to_owned(), bus.to_owned())).into_iter().flatten();
        let mut targets: Vec<_> = by_name.chain(self.by_address.get(address).into_iter().flatten()).copied().collect();
        targets.sort_by_key(|(place, _)| *place);
        targets.into_iter().map(|(_, target)| target).collect()
    }
}

fn unknown_fact<T>(api: &str, instance: &Instance<'_>, argument: &str) -> Fact<T> {
    iac::unknown_until_apply(api, &format!("{}.{argument}", instance.address))
}

impl<'r, 'p> Mapper<'r, 'p> {
    fn of_type(&self, resource_type: &str) -> Vec<&'r Instance<'p>> {
        self.resolver.instances().iter().filter(|i| i.parts.resource_type == resource_type).collect()
    }

    /// The Region of an instance: its own `region` argument (provider v6), else its
    /// provider's configured region, else the default provider's.
    fn region_of(&self, instance: &Instance<'_>) -> String {
        if let Ok(Some(region)) = attrs(instance).string("region") {
            return region.to_owned();
        }
        let configured = instance.config.and_then(|c| c.provider_config_key.as_deref()).and_then(|key| {
            let providers = &self.resolver.plan.configuration.as_ref()?.provider_config;
            // `module.a:aws` names a provider configured in the module; the root's otherwise.
            let provider = providers.get(key).or_else(|| providers.get(key.rsplit(':').next()?))?;
            super::references::constant(self.resolver.plan, provider.expressions.get("region")?)?.as_str().map(str::to_owned)
        });
        configured.unwrap_or_else(|| self.scope.region.clone())
    }

    /// The name an instance goes by: its argument when known, else its address.
    fn name_or_address(instance: &Instance<'_>, argument: &str) -> String {
        attrs(instance).string(argument).ok().flatten().map_or_else(|| instance.address.to_owned(), str::to_owned)
    }

    /// What an argument names: its value when known, else what it refers to (by the
    /// referenced resource's stand-in), else the argument's own address.
    fn named(&self, instance: &Instance<'p>, argument: &str, keys: &Keys) -> Result<Option<String>, Unknown> {
        match attrs(instance).string(argument) {
            Ok(value) => Ok(value.map(str::to_owned)),
            Err(Unknown) => match self.resolver.referenced(instance, &[argument]) {
                Some(target) => Ok(Some(self.stand_in(target, keys))),
                None => Err(Unknown),
            },
        }
    }

    /// How a referenced resource is named where its identifier is unknown: a bucket by its
    /// name, a key by its id, a log group or topic by the ARN built from its name, anything
    /// else by its address.
    fn stand_in(&self, target: &Instance<'p>, keys: &Keys) -> String {
        let a = attrs(target);
        match target.parts.resource_type.as_str() {
            "aws_s3_bucket" => self.bucket_names.get(target.address).cloned().unwrap_or_else(|| target.address.to_owned()),
            "aws_kms_key" => keys.get(target.address).cloned().unwrap_or_else(|| target.address.to_owned()),
            "aws_kms_alias" => match self.resolver.referenced(target, &["target_key_id"]) {
                Some(key) if key.parts.resource_type == "aws_kms_key" => self.stand_in(key, keys),
                _ => a.string("name").ok().flatten().map_or_else(|| target.address.to_owned(), str::to_owned),
            },
            "aws_cloudwatch_log_group" => match a.string("arn") {
                Ok(Some(arn)) => arn.to_owned(),
                _ => format!(
                    "arn:{}:logs:{}:{}:log-group:{}",
                    self.scope.partition,
                    self.region_of(target),
                    self.scope.account_id,
                    Self::name_or_address(target, "name")
                ),
            },
            "aws_sns_topic" => match a.string("arn") {
                Ok(Some(arn)) => arn.to_owned(),
                _ => format!(
                    "arn:{}:sns:{}:{}:{}",
                    self.scope.partition,
                    self.region_of(target),
                    self.scope.account_id,
                    Self::name_or_address(target, "name")
                ),
            },
            _ => a.string("arn").ok().flatten().map_or_else(|| target.address.to_owned(), str::to_owned),
        }
    }

    // ---- buckets ----

    fn buckets(&mut self, locator: &dyn Locate) {
        let keys = self.key_ids();
        for instance in self.of_type("aws_s3_bucket") {
            let name = Self::name_or_address(instance, "bucket");
            let mut scope = self.scope.clone();
            scope.region = self.region_of(instance);
            let mut bucket = iac::new_bucket(&name, &scope);
            self.inline_blocks(instance, &mut bucket, &keys);
            self.bucket_names.insert(instance.address.to_owned(), name.clone());
            self.buckets.insert(name, (bucket, locator.locate(instance)));
        }
        for (resource_type, apply) in SPLIT {
            for instance in self.of_type(resource_type) {
                match self.target_bucket(instance) {
                    Target::Declared(name) => {
                        let (bucket, _) = self.buckets.get_mut(&name).expect("a declared bucket");
                        apply(bucket, instance, self.resolver, &keys);
                    }
                    // A bucket the source does not declare: nothing of it is judged.
                    Target::Undeclared => {}
                    // Some bucket, known once applied: whichever it is, its setting is unknown.
                    Target::Unknown => {
                        for (bucket, _) in self.buckets.values_mut() {
                            let mut probe = bucket.clone();
                            apply(&mut probe, instance, self.resolver, &keys);
                            mark_changed_unknown(bucket, &probe, instance);
                        }
                    }
                }
            }
        }
    }

    fn target_bucket(&self, instance: &Instance<'p>) -> Target {
        let name = match attrs(instance).string("bucket") {
            Ok(Some(name)) => name.to_owned(),
            Ok(None) => return Target::Undeclared,
            Err(Unknown) => match self.resolver.referenced(instance, &["bucket"]) {
                Some(target) if target.parts.resource_type == "aws_s3_bucket" => match self.bucket_names.get(target.address) {
                    Some(name) => name.clone(),
                    None => return Target::Unknown,
                },
                _ => return Target::Unknown,
            },
        };
        if self.buckets.contains_key(&name) {
            Target::Declared(name)
        } else {
            Target::Undeclared
        }
    }

    /// The provider v3 inline blocks (`versioning {}`, `server_side_encryption_configuration
    /// {}`...). Providers v4 and later plan these as computed (unknown until applied) even
    /// when the configuration leaves them out, so they count only when the configuration
    /// writes them (or, for a plan without configuration, when their value is known).
    fn inline_blocks(&self, instance: &Instance<'p>, bucket: &mut Bucket, keys: &Keys) {
        let a = attrs(instance);
        let written = |argument: &str| match instance.config {
            Some(config) => config.expressions.get(argument).is_some(),
            None => match a.get(argument) {
                Known::Value(Value::Array(list)) => !list.is_empty(),
                // A known string (`acl`, `policy`): provider v3 plans them known, v4 and later
                // unknown unless set.
                Known::Value(value) => value.is_string(),
                _ => false,
            },
        };
        if written("versioning") {
            bucket.versioning = match a.block("versioning") {
                Ok(Some(v)) => match (v.bool_or("enabled", false), v.bool_or("mfa_delete", false)) {
                    (Ok(enabled), Ok(mfa)) => Fact::Value(BucketVersioning {
                        status: enabled.then(|| "Enabled".to_owned()),
                        mfa_delete: Some(if mfa { "Enabled" } else { "Disabled" }.to_owned()),
                    }),
                    _ => unknown_fact("s3:GetBucketVersioning", instance, "versioning"),
                },
                Ok(None) => Fact::Value(BucketVersioning::default()),
                Err(Unknown) => unknown_fact("s3:GetBucketVersioning", instance, "versioning"),
            };
        }
        if written("server_side_encryption_configuration") {
            bucket.encryption = match a.block("server_side_encryption_configuration") {
                Ok(Some(sse)) => encryption_rules(&sse, instance, &["server_side_encryption_configuration", "0"], self.resolver, keys),
                Ok(None) => bucket.encryption.clone(),
                Err(Unknown) => unknown_fact("s3:GetBucketEncryption", instance, "server_side_encryption_configuration"),
            };
        }
        if written("lifecycle_rule") {
            bucket.lifecycle = match a.blocks("lifecycle_rule") {
                Ok(rules) => legacy_lifecycle(&rules)
                    .map_or_else(|_| unknown_fact("s3:GetBucketLifecycleConfiguration", instance, "lifecycle_rule"), Fact::Value),
                Err(Unknown) => unknown_fact("s3:GetBucketLifecycleConfiguration", instance, "lifecycle_rule"),
            };
        }
        if written("logging") {
            bucket.logging = match a.block("logging") {
                Ok(Some(l)) => match (l.string("target_bucket"), l.string("target_prefix")) {
                    (Ok(Some(target)), Ok(prefix)) => {
                        Fact::Value(Some(BucketLogging { target_bucket: target.to_owned(), target_prefix: prefix.unwrap_or_default().to_owned() }))
                    }
                    (Ok(None), Ok(_)) => Fact::Value(None),
                    _ => match self.resolver.referenced(instance, &["logging", "0", "target_bucket"]) {
                        Some(target) => Fact::Value(Some(BucketLogging {
                            target_bucket: self.stand_in(target, keys),
                            target_prefix: l.string("target_prefix").ok().flatten().unwrap_or_default().to_owned(),
                        })),
                        None => unknown_fact("s3:GetBucketLogging", instance, "logging"),
                    },
                },
                Ok(None) => Fact::Value(None),
                Err(Unknown) => unknown_fact("s3:GetBucketLogging", instance, "logging"),
            };
        }
        if written("object_lock_configuration") || written("object_lock_enabled") {
            bucket.object_lock = match (a.bool_or("object_lock_enabled", false), a.block("object_lock_configuration")) {
                (Ok(enabled), Ok(Some(lock))) => object_lock(&lock, enabled)
                    .map_or_else(|_| unknown_fact("s3:GetObjectLockConfiguration", instance, "object_lock_configuration"), Fact::Value),
                (Ok(true), Ok(None)) => Fact::Value(Some(ObjectLock { enabled: true, default_retention: None })),
                (Ok(false), Ok(None)) => Fact::Value(None),
                _ => unknown_fact("s3:GetObjectLockConfiguration", instance, "object_lock_configuration"),
            };
        }
        if written("policy") {
            (bucket.policy, bucket.policy_is_public) = policy_facts(&a, instance);
        }
        // The ACL: a canned `acl`, or `grant` blocks (which S3 takes as the whole ACL).
        if written("acl") {
            match a.string("acl") {
                Ok(Some(acl)) => bucket.acl_grants = canned_acl(acl, instance),
                Ok(None) => {}
                Err(Unknown) => bucket.acl_grants = unknown_fact("s3:GetBucketAcl", instance, "acl"),
            }
        }
        if written("grant") {
            bucket.acl_grants = match a.blocks("grant").and_then(|blocks| legacy_grants(&blocks)) {
                Ok(grants) if grants.is_empty() => bucket.acl_grants.clone(),
                Ok(grants) => Fact::Value(grants),
                Err(Unknown) => unknown_fact("s3:GetBucketAcl", instance, "grant"),
            };
        }
    }

    fn key_ids(&self) -> Keys {
        self.of_type("aws_kms_key").into_iter().map(|k| (k.address.to_owned(), key_id(k))).collect()
    }

    // ---- keys ----

    fn keys(&self, source: &mut SourceInventory, locator: &dyn Locate) -> Keys {
        let mut ids = Keys::new();
        for instance in self.of_type("aws_kms_key") {
            let a = attrs(instance);
            let id = key_id(instance);
            let region = self.region_of(instance);
            let arn = a.string("arn").ok().flatten().map_or_else(
                || format!("arn:{}:kms:{region}:{}:key/{}", self.scope.partition, self.scope.account_id, instance.address),
                str::to_owned,
            );
            let metadata = match (a.bool_or("is_enabled", true), a.bool_or("multi_region", false)) {
                (Ok(enabled), Ok(multi_region)) => Fact::Value(KmsKeyMetadata {
                    arn,
                    key_state: if enabled { "Enabled" } else { "Disabled" }.to_owned(),
                    key_manager: "CUSTOMER".to_owned(),
                    multi_region,
                }),
                _ => unknown_fact("kms:DescribeKey", instance, "is_enabled"),
            };
            source.kms_key(KmsKey { key_id: id.clone(), metadata }, locator.locate(instance));
            ids.insert(instance.address.to_owned(), id);
        }
        ids
    }

    // ---- trails ----

    /// The trail, and the bucket standing in for one whose name is unknown until applied.
    fn trail(&self, instance: &Instance<'p>, keys: &Keys) -> (Trail, Option<Bucket>) {
        let a = attrs(instance);
        let name = Self::name_or_address(instance, "name");
        let region = self.region_of(instance);
        let mut undeclared_bucket = None;
        let bucket = match self.named(instance, "s3_bucket_name", keys) {
            Ok(Some(bucket)) => bucket,
            Ok(None) | Err(Unknown) => {
                let stand_in = format!("{}.s3_bucket_name", instance.address);
                undeclared_bucket = Some(iac::unknown_bucket(&stand_in, &format!("the bucket {stand_in} names")));
                stand_in
            }
        };
        let mut scope = self.scope.clone();
        scope.region = region.clone();
        let mut trail = iac::new_trail(&name, &bucket, &scope);
        if let Ok(Some(arn)) = a.string("arn") {
            trail.arn = arn.to_owned();
        }
        // A setting known only once applied is unknown, never CloudTrail's default nor a
        // made-up name: the plain field keeps the default and `unknown_settings` says it is no
        // answer. A name that refers to a resource of the plan is that resource's stand-in.
        let unknown = |argument: &str| format!("{}.{argument}", instance.address);
        for switch in iac::TRAIL_SWITCHES {
            let argument = argument(switch.setting);
            iac::set_trail_setting(
                &mut trail,
                switch.setting,
                switch.field,
                a.bool_or(argument, switch.default).map_err(|Unknown| unknown(argument)),
            );
        }
        for name in iac::TRAIL_NAMES {
            let argument = argument(name.setting);
            let value = match name.setting {
                // A prefix is text, not the name of some resource.
                TrailSetting::S3KeyPrefix => a.string(argument).map(|p| p.map(str::to_owned)),
                _ => self.named(instance, argument, keys),
            };
            iac::set_trail_setting(&mut trail, name.setting, name.field, value.map_err(|Unknown| unknown(argument)));
        }
        trail.sns_topic_arn = trail.sns_topic_arn.take().map(|topic| iac::sns_topic_arn(topic, &scope, &region));
        if let Ok(Some(Value::Object(tags))) = a.get("tags").value() {
            trail.tags = Fact::Value(tags.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect());
        }
        // Whether the trail logs is the one part of its status a plan states (`enable_logging`,
        // true unless set); its delivery status stays not in the source.
        match a.bool_or("enable_logging", true) {
            Ok(logging) => trail.declared_logging = Some(logging),
            Err(Unknown) => trail.status = unknown_fact("cloudtrail:GetTrailStatus", instance, "enable_logging"),
        }
        match (a.blocks("event_selector"), a.blocks("advanced_event_selector")) {
            (Ok(basic), Ok(advanced)) => match (basic_selectors(&basic), advanced_selectors(&advanced)) {
                (Ok(basic), Ok(advanced)) => {
                    trail.has_custom_event_selectors = !basic.is_empty() || !advanced.is_empty();
                    if trail.has_custom_event_selectors {
                        trail.event_selectors = Fact::Value(EventSelectors { basic, advanced });
                    }
                }
                _ => trail.event_selectors = unknown_fact("cloudtrail:GetEventSelectors", instance, "event_selector"),
            },
            _ => trail.event_selectors = unknown_fact("cloudtrail:GetEventSelectors", instance, "event_selector"),
        }
        match a.blocks("insight_selector").map(|blocks| insight_selectors(&blocks)) {
            Ok(Ok(selectors)) => {
                trail.has_insight_selectors = !selectors.is_empty();
                trail.insight_selectors = Fact::Value(selectors);
            }
            _ => trail.insight_selectors = unknown_fact("cloudtrail:GetInsightSelectors", instance, "insight_selector"),
        }
        (trail, undeclared_bucket)
    }

    // ---- CloudTrail Lake ----

    fn event_data_store(&self, instance: &Instance<'p>, region: &str, keys: &Keys) -> EventDataStore {
        let a = attrs(instance);
        let name = Self::name_or_address(instance, "name");
        let arn = a.string("arn").ok().flatten().map_or_else(|| self.scope.event_data_store_arn(region, &name), str::to_owned);
        let details = (|| -> Result<EventDataStoreDetails, Unknown> {
            Ok(EventDataStoreDetails {
                status: "ENABLED".to_owned(),
                retention_period: a.int("retention_period")?.unwrap_or(2555),
                billing_mode: Some(a.string("billing_mode")?.unwrap_or("EXTENDABLE_RETENTION_PRICING").to_owned()),
                termination_protection_enabled: a.bool_or("termination_protection_enabled", true)?,
                multi_region_enabled: a.bool_or("multi_region_enabled", true)?,
                organization_enabled: a.bool_or("organization_enabled", false)?,
                kms_key_id: self.named(instance, "kms_key_id", keys)?,
                advanced_event_selectors: advanced_selectors(&a.blocks("advanced_event_selector")?)?,
            })
        })();
        let details = details
            .map_or_else(|_| iac::unknown_until_apply("cloudtrail:GetEventDataStore", &format!("a setting of {}", instance.address)), Fact::Value);
        EventDataStore { arn, name, details, insight_selectors: Fact::Value(Vec::new()) }
    }

    // ---- alerting ----

    fn event_targets(&self) -> EventTargets<'r, 'p> {
        let mut index = EventTargets::default();
        for (place, target) in self.of_type("aws_cloudwatch_event_target").into_iter().enumerate() {
            let t = attrs(target);
            match t.string("rule") {
                Ok(Some(rule)) => {
                    let bus = t.string("event_bus_name").ok().flatten().unwrap_or("default");
                    index.by_name.entry((rule.to_owned(), bus.to_owned())).or_default().push((place, target));
                }
                _ => {
                    if let Some(rule) = self.resolver.referenced(target, &["rule"]) {
                        index.by_address.entry(rule.address).or_default().push((place, target));
                    }
                }
            }
        }
        index
    }

    fn eventbridge_rule(&self, instance: &Instance<'p>, region: &str, targets_of: &EventTargets<'r, 'p>) -> EventBridgeRule {
        let a = attrs(instance);
        let name = Self::name_or_address(instance, "name");
        let bus = a.string("event_bus_name").ok().flatten().unwrap_or("default").to_owned();
        let state = match (a.string("state"), a.bool_or("is_enabled", true)) {
            (Ok(Some(state)), _) => state.to_owned(),
            (_, Ok(false)) => "DISABLED".to_owned(),
            _ => "ENABLED".to_owned(),
        };
        let path = if bus == "default" { name.clone() } else { format!("{bus}/{name}") };
        let arn = a
            .string("arn")
            .ok()
            .flatten()
            .map_or_else(|| format!("arn:{}:events:{region}:{}:rule/{path}", self.scope.partition, self.scope.account_id), str::to_owned);
        let keys = Keys::new();
        let mut targets = Vec::new();
        let mut unknown_target = None;
        for target in targets_of.of(&name, &bus, instance.address) {
            match self.named(target, "arn", &keys) {
                Ok(Some(arn)) => targets.push(arn),
                _ => unknown_target = Some(target.address),
            }
        }
        let targets = match unknown_target {
            Some(address) => iac::unknown_until_apply("events:ListTargetsByRule", &format!("{address}.arn")),
            None => Fact::Value(targets),
        };
        EventBridgeRule { name, arn, event_bus_name: bus, state, event_pattern: a.string("event_pattern").ok().flatten().map(str::to_owned), targets }
    }

    fn metric_filter(&self, instance: &Instance<'p>) -> MetricFilter {
        let a = attrs(instance);
        let log_group_name = match a.string("log_group_name") {
            Ok(Some(name)) => name.to_owned(),
            _ => match self.resolver.referenced(instance, &["log_group_name"]) {
                Some(group) => Self::name_or_address(group, "name"),
                None => format!("{}.log_group_name", instance.address),
            },
        };
        let metric_transformations = a
            .blocks("metric_transformation")
            .unwrap_or_default()
            .iter()
            .map(|t| MetricTransformation {
                metric_name: t.string("name").ok().flatten().unwrap_or_default().to_owned(),
                metric_namespace: t.string("namespace").ok().flatten().unwrap_or_default().to_owned(),
            })
            .collect();
        MetricFilter {
            log_group_name,
            filter_name: Self::name_or_address(instance, "name"),
            filter_pattern: a.string("pattern").ok().flatten().unwrap_or_default().to_owned(),
            metric_transformations,
        }
    }

    fn alarm(&self, instance: &Instance<'p>) -> MetricAlarm {
        let a = attrs(instance);
        let alarm_actions = match a.strings("alarm_actions") {
            Ok(actions) => actions,
            // Each unknown action by what it refers to (an SNS topic's ARN built from its name).
            Err(Unknown) => {
                let references =
                    instance.config.and_then(|c| c.expressions.get("alarm_actions")).map(super::references::references).unwrap_or_default();
                let keys = Keys::new();
                let resolved: Vec<String> = references
                    .iter()
                    .filter_map(|r| {
                        let (t, rest) = r.split_once('.')?;
                        let name = rest.split('.').next()?;
                        self.resolver.instances_of(&instance.parts.module, t, name).next()
                    })
                    .map(|target| self.stand_in(target, &keys))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if resolved.is_empty() {
                    vec![format!("{}.alarm_actions", instance.address)]
                } else {
                    resolved
                }
            }
        };
        MetricAlarm {
            alarm_name: Self::name_or_address(instance, "alarm_name"),
            metric_name: a.string("metric_name").ok().flatten().map(str::to_owned),
            namespace: a.string("namespace").ok().flatten().map(str::to_owned),
            actions_enabled: a.bool_or("actions_enabled", true).unwrap_or(true),
            alarm_actions,
        }
    }
}

enum Target {
    Declared(String),
    Undeclared,
    Unknown,
}

/// The id a key goes by: its `key_id` or `arn` when known (an existing key), else its address.
fn key_id(instance: &Instance<'_>) -> String {
    let a = attrs(instance);
    match (a.string("arn"), a.string("key_id")) {
        (Ok(Some(arn)), _) => arn.to_owned(),
        (_, Ok(Some(id))) => id.to_owned(),
        _ => instance.address.to_owned(),
    }
}

type Apply = fn(&mut Bucket, &Instance<'_>, &Resolver<'_>, &Keys);

/// The split bucket resources of provider v4 and later, each with what it sets.
const SPLIT: [(&str, Apply); 9] = [
    ("aws_s3_bucket_versioning", apply_versioning),
    ("aws_s3_bucket_server_side_encryption_configuration", apply_encryption),
    ("aws_s3_bucket_public_access_block", apply_public_access_block),
    ("aws_s3_bucket_policy", apply_policy),
    ("aws_s3_bucket_lifecycle_configuration", apply_lifecycle),
    ("aws_s3_bucket_object_lock_configuration", apply_object_lock),
    ("aws_s3_bucket_logging", apply_logging),
    ("aws_s3_bucket_ownership_controls", apply_ownership),
    ("aws_s3_bucket_acl", apply_acl),
];

fn apply_versioning(bucket: &mut Bucket, instance: &Instance<'_>, _: &Resolver<'_>, _: &Keys) {
    let a = attrs(instance);
    bucket.versioning = (|| -> Result<BucketVersioning, Unknown> {
        let Some(v) = a.block("versioning_configuration")? else { return Ok(BucketVersioning::default()) };
        // "Disabled" is the provider's word for a bucket whose versioning was never enabled.
        let status = v.string("status")?.filter(|s| *s != "Disabled").map(str::to_owned);
        let mfa_delete = v.string("mfa_delete")?.filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(BucketVersioning { status, mfa_delete })
    })()
    .map_or_else(|_| unknown_fact("s3:GetBucketVersioning", instance, "versioning_configuration"), Fact::Value);
}

fn apply_encryption(bucket: &mut Bucket, instance: &Instance<'_>, resolver: &Resolver<'_>, keys: &Keys) {
    bucket.encryption = encryption_rules(&attrs(instance), instance, &[], resolver, keys);
}

/// The `rule` blocks of a server-side encryption configuration (`prefix` is the path of
/// `attributes` in the resource's expressions, for references).
fn encryption_rules(
    a: &Attrs<'_>,
    instance: &Instance<'_>,
    prefix: &[&str],
    resolver: &Resolver<'_>,
    keys: &Keys,
) -> Fact<Option<Vec<EncryptionRule>>> {
    let rules = (|| -> Result<Vec<EncryptionRule>, Unknown> {
        let mut out = Vec::new();
        for (i, rule) in a.blocks("rule")?.iter().enumerate() {
            let Some(default) = rule.block("apply_server_side_encryption_by_default")? else { continue };
            let index = i.to_string();
            let kms_master_key_id = match default.string("kms_master_key_id") {
                Ok(id) => id.map(str::to_owned),
                Err(Unknown) => {
                    let mut path: Vec<&str> = prefix.to_vec();
                    path.extend(["rule", index.as_str(), "apply_server_side_encryption_by_default", "0", "kms_master_key_id"]);
                    let target = resolver.referenced(instance, &path).ok_or(Unknown)?;
                    Some(keys.get(target.address).cloned().unwrap_or_else(|| target.address.to_owned()))
                }
            };
            out.push(EncryptionRule {
                sse_algorithm: default.string("sse_algorithm")?.unwrap_or("AES256").to_owned(),
                kms_master_key_id,
                bucket_key_enabled: rule.bool_or("bucket_key_enabled", false)?,
            });
        }
        Ok(out)
    })();
    match rules {
        Ok(rules) => Fact::Value(Some(rules)),
        Err(Unknown) => unknown_fact("s3:GetBucketEncryption", instance, "rule"),
    }
}

fn apply_public_access_block(bucket: &mut Bucket, instance: &Instance<'_>, _: &Resolver<'_>, _: &Keys) {
    let a = attrs(instance);
    // Each setting is false unless the resource turns it on (the provider's default).
    bucket.public_access_block = (|| -> Result<PublicAccessBlock, Unknown> {
        Ok(PublicAccessBlock {
            block_public_acls: a.bool_or("block_public_acls", false)?,
            ignore_public_acls: a.bool_or("ignore_public_acls", false)?,
            block_public_policy: a.bool_or("block_public_policy", false)?,
            restrict_public_buckets: a.bool_or("restrict_public_buckets", false)?,
        })
    })()
    .map_or_else(|_| unknown_fact("s3:GetPublicAccessBlock", instance, "block_public_acls"), |p| Fact::Value(Some(p)));
}

fn apply_policy(bucket: &mut Bucket, instance: &Instance<'_>, _: &Resolver<'_>, _: &Keys) {
    (bucket.policy, bucket.policy_is_public) = policy_facts(&attrs(instance), instance);
}

/// A bucket policy's text, and whether it is public. S3 decides `IsPublic` with its own
/// analysis: a statement that allows everyone (`"*"`) without a condition is public, a policy
/// without one is not; one with a condition is left to S3 (not in the source).
fn policy_facts(a: &Attrs<'_>, instance: &Instance<'_>) -> (Fact<Option<String>>, Fact<Option<bool>>) {
    match a.string("policy") {
        Ok(None) => (Fact::Value(None), Fact::Value(None)),
        Ok(Some(text)) => {
            let public = match serde_json::from_str::<Value>(text) {
                Ok(policy) => match allows_everyone(&policy) {
                    Some(public) => Fact::Value(Some(public)),
                    None => iac::not_in_source_because(
                        "s3:GetBucketPolicyStatus",
                        "S3 judges whether a conditional grant to everyone is public once applied",
                    ),
                },
                Err(_) => unknown_fact("s3:GetBucketPolicyStatus", instance, "policy"),
            };
            (Fact::Value(Some(text.to_owned())), public)
        }
        Err(Unknown) => (unknown_fact("s3:GetBucketPolicy", instance, "policy"), unknown_fact("s3:GetBucketPolicyStatus", instance, "policy")),
    }
}

/// Some(true) when a statement allows everyone unconditionally, Some(false) when none allows
/// everyone, None when one does under a condition.
fn allows_everyone(policy: &Value) -> Option<bool> {
    let statements = match policy.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let mut conditional = false;
    for statement in statements.iter().filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow")) {
        let principal = statement.get("Principal");
        let everyone = principal == Some(&Value::String("*".to_owned()))
            || principal.and_then(|p| p.get("AWS")).is_some_and(|aws| aws == "*" || aws.as_array().is_some_and(|l| l.iter().any(|e| e == "*")));
        if everyone {
            match statement.get("Condition") {
                Some(Value::Object(c)) if !c.is_empty() => conditional = true,
                _ => return Some(true),
            }
        }
    }
    if conditional {
        None
    } else {
        Some(false)
    }
}

fn apply_lifecycle(bucket: &mut Bucket, instance: &Instance<'_>, _: &Resolver<'_>, _: &Keys) {
    let a = attrs(instance);
    let rules = (|| -> Result<Vec<LifecycleRule>, Unknown> {
        let mut out = Vec::new();
        for rule in a.blocks("rule")? {
            let filter_prefix = match rule.block("filter")? {
                Some(filter) => filter.string("prefix")?.map(str::to_owned),
                None => None,
            };
            let prefix = filter_prefix.or(rule.string("prefix")?.map(str::to_owned));
            out.push(LifecycleRule {
                id: rule.string("id")?.map(str::to_owned),
                status: rule.string("status")?.unwrap_or("Enabled").to_owned(),
                prefix,
                expiration_days: match rule.block("expiration")? {
                    Some(e) => e.int("days")?.filter(|d| *d > 0),
                    None => None,
                },
                noncurrent_version_expiration_days: match rule.block("noncurrent_version_expiration")? {
                    Some(e) => e.int("noncurrent_days")?.filter(|d| *d > 0),
                    None => None,
                },
                transitions: transitions(&rule.blocks("transition")?)?,
            });
        }
        Ok(out)
    })();
    bucket.lifecycle = rules.map_or_else(|_| unknown_fact("s3:GetBucketLifecycleConfiguration", instance, "rule"), |r| Fact::Value(Some(r)));
}

fn transitions(blocks: &[Attrs<'_>]) -> Result<Vec<LifecycleTransition>, Unknown> {
    let mut out = Vec::new();
    for t in blocks {
        if let Some(days) = t.int("days")? {
            out.push(LifecycleTransition { days, storage_class: t.string("storage_class")?.unwrap_or_default().to_owned() });
        }
    }
    Ok(out)
}

/// Provider v3 `lifecycle_rule` blocks.
fn legacy_lifecycle(rules: &[Attrs<'_>]) -> Result<Option<Vec<LifecycleRule>>, Unknown> {
    if rules.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for rule in rules {
        out.push(LifecycleRule {
            id: rule.string("id")?.map(str::to_owned),
            status: if rule.bool_or("enabled", true)? { "Enabled" } else { "Disabled" }.to_owned(),
            prefix: rule.string("prefix")?.map(str::to_owned),
            expiration_days: match rule.block("expiration")? {
                Some(e) => e.int("days")?.filter(|d| *d > 0),
                None => None,
            },
            noncurrent_version_expiration_days: match rule.block("noncurrent_version_expiration")? {
                Some(e) => e.int("days")?.filter(|d| *d > 0),
                None => None,
            },
            transitions: transitions(&rule.blocks("transition")?)?,
        });
    }
    Ok(Some(out))
}

fn apply_object_lock(bucket: &mut Bucket, instance: &Instance<'_>, _: &Resolver<'_>, _: &Keys) {
    let a = attrs(instance);
    let enabled = a.string("object_lock_enabled").map(|s| s.unwrap_or("Enabled") == "Enabled");
    bucket.object_lock = match enabled.and_then(|enabled| object_lock(&a, enabled)) {
        Ok(lock) => Fact::Value(lock),
        Err(Unknown) => unknown_fact("s3:GetObjectLockConfiguration", instance, "rule"),
    };
}

/// An Object Lock configuration's `rule { default_retention {} }` (split and inline alike).
fn object_lock(a: &Attrs<'_>, enabled: bool) -> Result<Option<ObjectLock>, Unknown> {
    let retention = match a.block("rule")? {
        Some(rule) => match rule.block("default_retention")? {
            Some(r) => {
                Some(DefaultRetention { mode: r.string("mode")?.unwrap_or_default().to_owned(), days: r.int("days")?, years: r.int("years")? })
            }
            None => None,
        },
        None => None,
    };
    Ok(Some(ObjectLock { enabled: enabled || retention.is_some(), default_retention: retention }))
}

fn apply_logging(bucket: &mut Bucket, instance: &Instance<'_>, resolver: &Resolver<'_>, _: &Keys) {
    let a = attrs(instance);
    let target = match a.string("target_bucket") {
        Ok(target) => target.map(str::to_owned),
        // The target bucket by reference: its name when known, else its address.
        Err(Unknown) => resolver
            .referenced(instance, &["target_bucket"])
            .map(|t| attrs(t).string("bucket").ok().flatten().map_or_else(|| t.address.to_owned(), str::to_owned)),
    };
    bucket.logging = match (target, a.string("target_prefix")) {
        (Some(target_bucket), Ok(prefix)) => Fact::Value(Some(BucketLogging { target_bucket, target_prefix: prefix.unwrap_or_default().to_owned() })),
        _ => unknown_fact("s3:GetBucketLogging", instance, "target_bucket"),
    };
}

fn apply_ownership(bucket: &mut Bucket, instance: &Instance<'_>, _: &Resolver<'_>, _: &Keys) {
    let a = attrs(instance);
    bucket.object_ownership = match a.block("rule").and_then(|rule| rule.map_or(Ok(None), |r| r.string("object_ownership"))) {
        Ok(ownership) => Fact::Value(ownership.map(str::to_owned)),
        Err(Unknown) => unknown_fact("s3:GetBucketOwnershipControls", instance, "rule"),
    };
}

/// `aws_s3_bucket_acl`: a canned `acl`, or an `access_control_policy` whose grants are the
/// whole ACL (the owner keeps access only through a grant it lists). The provider plans
/// `access_control_policy` as computed when `acl` is set, so `acl` decides when it is written.
/// Whether ACLs count at all is Object Ownership's (`aws_s3_bucket_ownership_controls`): under
/// `BucketOwnerEnforced`, S3's default for a new bucket, ACLs are disabled and S3 refuses any
/// ACL but the owner's own, so the rule reads the grants together with the ownership.
fn apply_acl(bucket: &mut Bucket, instance: &Instance<'_>, _: &Resolver<'_>, _: &Keys) {
    let a = attrs(instance);
    bucket.acl_grants = match a.string("acl") {
        Ok(Some(acl)) => canned_acl(acl, instance),
        Err(Unknown) => unknown_fact("s3:GetBucketAcl", instance, "acl"),
        Ok(None) => match a.block("access_control_policy").and_then(|policy| policy.map(|p| policy_grants(&p)).transpose()) {
            Ok(Some(grants)) => Fact::Value(grants),
            // Neither argument: the provider refuses the resource; the ACL stays as it was.
            Ok(None) => return,
            Err(Unknown) => unknown_fact("s3:GetBucketAcl", instance, "access_control_policy"),
        },
    };
}

/// The `grant { grantee { type uri id email_address } permission }` blocks of an
/// `access_control_policy`; any part unknown makes the whole ACL unknown.
fn policy_grants(policy: &Attrs<'_>) -> Result<Vec<crate::inventory::AclGrant>, Unknown> {
    let mut out = Vec::new();
    for grant in policy.blocks("grant")? {
        let permission = grant.string("permission")?.unwrap_or_default().to_owned();
        let Some(grantee) = grant.block("grantee")? else { continue };
        out.push(crate::inventory::AclGrant {
            grantee_type: grantee.string("type")?.unwrap_or_default().to_owned(),
            grantee_uri: grantee.string("uri")?.map(str::to_owned),
            grantee_id: match grantee.string("id")? {
                Some(id) => Some(id.to_owned()),
                None => grantee.string("email_address")?.map(str::to_owned),
            },
            permission,
        });
    }
    Ok(out)
}

/// Provider v3 inline `grant { type uri id permissions = [...] }` blocks: one grant per
/// permission.
fn legacy_grants(blocks: &[Attrs<'_>]) -> Result<Vec<crate::inventory::AclGrant>, Unknown> {
    let mut out = Vec::new();
    for grant in blocks {
        let (grantee_type, uri, id) = (grant.string("type")?, grant.string("uri")?, grant.string("id")?);
        for permission in grant.strings("permissions")? {
            out.push(crate::inventory::AclGrant {
                grantee_type: grantee_type.unwrap_or_default().to_owned(),
                grantee_uri: uri.map(str::to_owned),
                grantee_id: id.map(str::to_owned),
                permission,
            });
        }
    }
    Ok(out)
}

/// The grants S3 gives a bucket for a canned ACL (`acl = "public-read"`, inline or on
/// `aws_s3_bucket_acl`): the owner's full control, plus the canned ACL's group grants.
/// `bucket-owner-read` and `bucket-owner-full-control` concern objects; S3 ignores them on a
/// bucket. A name S3 does not define is not a grant list this scanner can state.
fn canned_acl(acl: &str, instance: &Instance<'_>) -> Fact<Vec<crate::inventory::AclGrant>> {
    let group = |uri: &str, permission: &str| crate::inventory::AclGrant {
        grantee_type: "Group".to_owned(),
        grantee_uri: Some(format!("http://acs.amazonaws.com/groups/{uri}")),
        grantee_id: None,
        permission: permission.to_owned(),
    };
    let mut grants = vec![iac::owner_full_control()];
    match acl {
        "private" | "bucket-owner-read" | "bucket-owner-full-control" => {}
        "public-read" => grants.push(group("global/AllUsers", "READ")),
        "public-read-write" => grants.extend([group("global/AllUsers", "READ"), group("global/AllUsers", "WRITE")]),
        "authenticated-read" => grants.push(group("global/AuthenticatedUsers", "READ")),
        "log-delivery-write" => grants.extend([group("s3/LogDelivery", "WRITE"), group("s3/LogDelivery", "READ_ACP")]),
        // Amazon EC2's own canonical user, to read AMI bundles: a named account, not a group.
        "aws-exec-read" => grants.push(crate::inventory::AclGrant {
            grantee_type: "CanonicalUser".to_owned(),
            grantee_uri: None,
            grantee_id: None,
            permission: "READ".to_owned(),
        }),
        other => {
            return iac::not_in_source_because(
                "s3:GetBucketAcl",
                &format!("{}.acl `{other}` is not a canned ACL S3 defines (S3 refuses it when applied)", instance.address),
            )
        }
    }
    Fact::Value(grants)
}

/// Marks unknown the facts that a split resource of an unknown bucket would change.
fn mark_changed_unknown(bucket: &mut Bucket, probe: &Bucket, instance: &Instance<'_>) {
    let what = format!("the bucket {} applies to", instance.address);
    macro_rules! mark {
        ($($field:ident: $api:literal),*) => {$(
            if bucket.$field != probe.$field {
                bucket.$field = iac::unknown_until_apply($api, &what);
            }
        )*};
    }
    mark!(versioning: "s3:GetBucketVersioning", encryption: "s3:GetBucketEncryption", public_access_block: "s3:GetPublicAccessBlock",
          policy: "s3:GetBucketPolicy", policy_is_public: "s3:GetBucketPolicyStatus", lifecycle: "s3:GetBucketLifecycleConfiguration",
          object_lock: "s3:GetObjectLockConfiguration", logging: "s3:GetBucketLogging", object_ownership: "s3:GetBucketOwnershipControls",
          acl_grants: "s3:GetBucketAcl");
}

fn basic_selectors(blocks: &[Attrs<'_>]) -> Result<Vec<EventSelector>, Unknown> {
    let mut out = Vec::new();
    for s in blocks {
        let mut data_resources = Vec::new();
        for d in s.blocks("data_resource")? {
            data_resources.push(DataResource { resource_type: d.string("type")?.unwrap_or_default().to_owned(), values: d.strings("values")? });
        }
        out.push(EventSelector {
            read_write_type: s.string("read_write_type")?.unwrap_or("All").to_owned(),
            include_management_events: s.bool_or("include_management_events", true)?,
            data_resources,
            exclude_management_event_sources: s.strings("exclude_management_event_sources")?,
        });
    }
    Ok(out)
}

fn advanced_selectors(blocks: &[Attrs<'_>]) -> Result<Vec<AdvancedEventSelector>, Unknown> {
    let mut out = Vec::new();
    for s in blocks {
        let mut field_selectors = Vec::new();
        for f in s.blocks("field_selector")? {
            field_selectors.push(AdvancedFieldSelector {
                field: f.string("field")?.unwrap_or_default().to_owned(),
                equals: f.strings("equals")?,
                starts_with: f.strings("starts_with")?,
                ends_with: f.strings("ends_with")?,
                not_equals: f.strings("not_equals")?,
                not_starts_with: f.strings("not_starts_with")?,
                not_ends_with: f.strings("not_ends_with")?,
            });
        }
        out.push(AdvancedEventSelector { name: s.string("name")?.map(str::to_owned), field_selectors });
    }
    Ok(out)
}

fn insight_selectors(blocks: &[Attrs<'_>]) -> Result<Vec<InsightSelector>, Unknown> {
    blocks
        .iter()
        .map(|s| Ok(InsightSelector { insight_type: s.string("insight_type")?.unwrap_or_default().to_owned(), event_categories: Vec::new() }))
        .collect()
}
