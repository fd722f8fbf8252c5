//! A template's resources as inventory: `AWS::CloudTrail::Trail`, `AWS::S3::Bucket` with its
//! `AWS::S3::BucketPolicy`, `AWS::KMS::Key` (and `AWS::KMS::Alias`),
//! `AWS::CloudTrail::EventDataStore`, `AWS::Events::Rule`, `AWS::Logs::MetricFilter` and
//! `AWS::CloudWatch::Alarm`. A property left out takes the value AWS gives it
//! (`iac::new_bucket`, `iac::new_trail`); a property known only at deployment is
//! `UnknownUntilApply` where the inventory can say so.

use super::intrinsics::{Resolved, Template};
use crate::diagnostic::{Diagnostic, Position};
use crate::iac::{
    new_bucket, new_trail, owner_full_control, set_trail_setting, sns_topic_arn, unknown_bucket, unknown_until_apply, SourceInventory, TRAIL_NAMES,
    TRAIL_SWITCHES,
};
use crate::inventory::{
    AclGrant, AdvancedEventSelector, AdvancedFieldSelector, Bucket, BucketLogging, BucketVersioning, DataResource, DefaultRetention, EncryptionRule,
    EventBridgeRule, EventDataStore, EventDataStoreDetails, EventSelector, EventSelectors, Fact, InsightSelector, KmsKey, KmsKeyMetadata,
    LifecycleRule, LifecycleTransition, MetricAlarm, MetricFilter, MetricTransformation, ObjectLock, PublicAccessBlock, TrailSetting,
};
use crate::resource::Location;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// One resource being read: its template, logical ID, and where errors point.
struct Resource<'a> {
    template: &'a Template<'a>,
    id: &'a str,
    properties: Option<&'a Map<String, Value>>,
    path: &'a Path,
    line: u32,
}

/// A property: absent, known, or known only at deployment (why).
enum Property {
    Absent,
    Known(Value),
    Unknown(String),
}

impl Resource<'_> {
    fn error(&self, message: impl std::fmt::Display) -> Diagnostic {
        let position = Some(Position { line: self.line as usize, column: 0 });
        Diagnostic::at(self.path, position, format!("Resources.{}: {message}", self.id))
    }

    fn property(&self, name: &str) -> Result<Property, Diagnostic> {
        let Some(value) = self.properties.and_then(|p| p.get(name)) else { return Ok(Property::Absent) };
        match self.template.resolve(value, &format!("Properties.{name}")).map_err(|e| self.error(e))? {
            Resolved::Known(v) => Ok(Property::Known(v)),
            Resolved::Unknown(why) => Ok(Property::Unknown(why)),
            Resolved::NoValue => Ok(Property::Absent),
        }
    }

    /// A property the inventory holds as a plain value: one known only at deployment cannot
    /// be judged, so the template is refused, saying which property and why.
    fn plain(&self, name: &str) -> Result<Option<Value>, Diagnostic> {
        match self.property(name)? {
            Property::Absent => Ok(None),
            Property::Known(v) => Ok(Some(v)),
            Property::Unknown(why) => Err(self
                .error(format!("Properties.{name} is known only at deployment ({why})"))
                .with_help("give the parameter a default: trailwarden judges the template as it deploys with its defaults")),
        }
    }

    fn string(&self, name: &str) -> Result<Option<String>, Diagnostic> {
        self.plain(name)?.map(|v| text(&v).ok_or_else(|| self.error(format!("Properties.{name} must be a string, not {v}")))).transpose()
    }

    /// A boolean setting: its value (`default` when absent), or, when it is known only at
    /// deployment, what leaves it open (`Err`, for an unknown setting). A known value of the
    /// wrong type is an error.
    fn setting(&self, name: &str, default: bool) -> Result<Result<bool, String>, Diagnostic> {
        match self.property(name)? {
            Property::Absent => Ok(Ok(default)),
            Property::Known(v) => boolean(&v).map(Ok).ok_or_else(|| self.error(format!("Properties.{name} must be true or false, not {v}"))),
            Property::Unknown(why) => Ok(Err(format!("{} {name} ({why})", self.id))),
        }
    }

    /// A name setting: its value (None when absent), or what leaves it to deployment (`Err`).
    fn text_setting(&self, name: &str) -> Result<Result<Option<String>, String>, Diagnostic> {
        match self.property(name)? {
            Property::Absent => Ok(Ok(None)),
            Property::Known(v) => text(&v).map(|s| Ok(Some(s))).ok_or_else(|| self.error(format!("Properties.{name} must be a string, not {v}"))),
            Property::Unknown(why) => Ok(Err(format!("{} {name} ({why})", self.id))),
        }
    }

    fn boolean(&self, name: &str, default: bool) -> Result<bool, Diagnostic> {
        match self.plain(name)? {
            None => Ok(default),
            Some(v) => boolean(&v).ok_or_else(|| self.error(format!("Properties.{name} must be true or false, not {v}"))),
        }
    }

    /// A property whose inventory fact can be unknown: `read` maps a known value.
    fn fact<T>(&self, name: &str, api: &str, absent: T, read: impl FnOnce(&Value) -> Result<T, String>) -> Result<Fact<T>, Diagnostic> {
        match self.property(name)? {
            Property::Absent => Ok(Fact::Value(absent)),
            Property::Known(v) => read(&v).map(Fact::Value).map_err(|e| self.error(format!("Properties.{name}: {e}"))),
            Property::Unknown(why) => Ok(unknown_until_apply(api, &format!("{} {name} ({why})", self.id))),
        }
    }

    fn location(&self) -> Location {
        Location { file: self.path.to_string_lossy().replace('\\', "/"), line: self.line, address: self.id.to_owned() }
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// CloudFormation accepts `true` and `"true"` alike.
fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|f| !f.is_null())
}

fn field_str(v: &Value, key: &str) -> Option<String> {
    field(v, key).and_then(text)
}

fn field_bool(v: &Value, key: &str) -> Option<bool> {
    field(v, key).and_then(boolean)
}

fn field_int(v: &Value, key: &str) -> Option<i64> {
    field(v, key).and_then(integer)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).map(|items| items.iter().filter_map(text).collect()).unwrap_or_default()
}

fn list<'v>(v: &'v Value, what: &str) -> Result<&'v Vec<Value>, String> {
    v.as_array().ok_or_else(|| format!("{what} must be a list, not {v}"))
}

/// Maps one parsed template into `source`.
pub(super) fn map(source: &mut SourceInventory, path: &Path, tree: &Value, lines: &BTreeMap<String, u32>) -> Result<(), Diagnostic> {
    let Some(root) = tree.as_object() else { return Err(Diagnostic::file(path, "a template must be a mapping with a Resources section")) };
    let empty = Map::new();
    let section = |name: &str| -> Result<&Map<String, Value>, Diagnostic> {
        match root.get(name) {
            None => Ok(&empty),
            Some(Value::Object(map)) => Ok(map),
            Some(other) => Err(Diagnostic::file(path, format!("{name} must be a mapping, not {other}"))),
        }
    };
    let resources = section("Resources")?;
    if !root.contains_key("Resources") {
        return Err(Diagnostic::file(path, "the template has no Resources section"));
    }
    let scope = source.scope().clone();
    let template = Template {
        scope: &scope,
        parameters: section("Parameters")?,
        mappings: section("Mappings")?,
        conditions: section("Conditions")?,
        resources,
        evaluation: Default::default(),
    };

    let mut buckets: BTreeMap<String, (Bucket, Location)> = BTreeMap::new();
    let mut policies: Vec<(String, String, Location)> = Vec::new();
    for (id, definition) in resources {
        let line = lines.get(id).copied().unwrap_or(0);
        let properties = match definition.get("Properties") {
            None => None,
            Some(Value::Object(p)) => Some(p),
            Some(other) => {
                return Err(Diagnostic::at(
                    path,
                    Some(Position { line: line as usize, column: 0 }),
                    format!("Resources.{id}.Properties must be a mapping, not {other}"),
                ))
            }
        };
        let resource = Resource { template: &template, id, properties, path, line };
        let Some(kind) = definition.get("Type").and_then(Value::as_str) else { return Err(resource.error("the resource has no Type")) };
        if let Some(condition) = definition.get("Condition") {
            // A resource whose condition is false is not created; one whose condition is
            // known only at deployment is judged as if it were.
            if template.condition_named(condition, "Condition").map_err(|e| resource.error(e))? == Some(false) {
                continue;
            }
        }
        match kind {
            "AWS::CloudTrail::Trail" => trail(source, &resource)?,
            "AWS::S3::Bucket" => {
                let bucket = bucket(&resource, &scope)?;
                buckets.insert(bucket.name.clone(), (bucket, resource.location()));
            }
            "AWS::S3::BucketPolicy" => {
                let name = resource.string("Bucket")?.ok_or_else(|| resource.error("Properties.Bucket is required"))?;
                let document = resource.plain("PolicyDocument")?.ok_or_else(|| resource.error("Properties.PolicyDocument is required"))?;
                policies.push((name, document.to_string(), resource.location()));
            }
            "AWS::KMS::Key" => kms_key(source, &resource, &scope)?,
            "AWS::KMS::Alias" => kms_alias(source, &resource, &scope)?,
            "AWS::CloudTrail::EventDataStore" => event_data_store(source, &resource, &scope)?,
            "AWS::Events::Rule" => eventbridge_rule(source, &resource, &scope)?,
            "AWS::Logs::MetricFilter" => metric_filter(source, &resource, &scope)?,
            "AWS::CloudWatch::Alarm" => alarm(source, &resource, &scope)?,
            _ => {}
        }
    }
    for (name, document, at) in policies {
        match buckets.get_mut(&name) {
            Some((bucket, _)) => {
                bucket.policy_is_public = policy_is_public(&document);
                bucket.policy = Fact::Value(Some(document));
            }
            None => {
                let line = Some(Position { line: at.line as usize, column: 0 });
                return Err(Diagnostic::at(
                    path,
                    line,
                    format!("Resources.{}: the policy's bucket `{name}` is not declared in this template", at.address),
                )
                .with_help("give the bucket and its policy in the same template"));
            }
        }
    }
    for (bucket, at) in buckets.into_values() {
        source.bucket(bucket, at);
    }
    Ok(())
}

fn trail(source: &mut SourceInventory, r: &Resource) -> Result<(), Diagnostic> {
    let scope = source.scope().clone();
    let name = r.template.physical_name(r.id, "TrailName").map_err(|e| r.error(e))?;
    // A bucket named only at deployment stands in under the property's address, unreadable
    // as unknown until applied, so the bucket rules say they cannot tell rather than judge a
    // bucket of the same name.
    let bucket = match r.text_setting("S3BucketName")? {
        Ok(Some(bucket)) => bucket,
        Ok(None) => return Err(r.error("Properties.S3BucketName is required")),
        Err(what) => {
            let stand_in = format!("{}.S3BucketName", r.id);
            source.bucket(unknown_bucket(&stand_in, &what), r.location());
            stand_in
        }
    };
    let mut trail = new_trail(&name, &bucket, &scope);
    for name in TRAIL_NAMES {
        set_trail_setting(&mut trail, name.setting, name.field, r.text_setting(property(name.setting))?);
    }
    trail.sns_topic_arn = trail.sns_topic_arn.take().map(|topic| sns_topic_arn(topic, &scope, &scope.region));
    for switch in TRAIL_SWITCHES {
        set_trail_setting(&mut trail, switch.setting, switch.field, r.setting(property(switch.setting), switch.default)?);
    }
    trail.declared_logging = declared_logging(r)?;
    let basic = r.fact("EventSelectors", "cloudtrail:GetEventSelectors", None, |v| event_selectors(v).map(Some))?;
    let advanced = r.fact("AdvancedEventSelectors", "cloudtrail:GetEventSelectors", None, |v| advanced_selectors(v).map(Some))?;
    trail.has_custom_event_selectors = !matches!((&basic, &advanced), (Fact::Value(None), Fact::Value(None)));
    trail.event_selectors = match (basic, advanced) {
        (Fact::Unreadable(u), _) | (_, Fact::Unreadable(u)) => Fact::Unreadable(u),
        (Fact::Value(None), Fact::Value(None)) => trail.event_selectors,
        (Fact::Value(basic), Fact::Value(advanced)) => {
            Fact::Value(EventSelectors { basic: basic.unwrap_or_default(), advanced: advanced.unwrap_or_default() })
        }
    };
    let insights = r.fact("InsightSelectors", "cloudtrail:GetInsightSelectors", Vec::new(), insight_selectors)?;
    trail.has_insight_selectors = insights.value().is_none_or(|s| !s.is_empty());
    trail.insight_selectors = insights;
    trail.tags = r.fact("Tags", "cloudtrail:ListTags", BTreeMap::new(), |v| {
        Ok(list(v, "Tags")?.iter().filter_map(|t| Some((field_str(t, "Key")?, field_str(t, "Value").unwrap_or_default()))).collect())
    })?;
    source.trail(trail, r.location());
    Ok(())
}

/// The `AWS::CloudTrail::Trail` property that sets a setting.
fn property(setting: TrailSetting) -> &'static str {
    match setting {
        TrailSetting::IncludeGlobalServiceEvents => "IncludeGlobalServiceEvents",
        TrailSetting::IsMultiRegionTrail => "IsMultiRegionTrail",
        TrailSetting::IsOrganizationTrail => "IsOrganizationTrail",
        TrailSetting::LogFileValidationEnabled => "EnableLogFileValidation",
        TrailSetting::S3KeyPrefix => "S3KeyPrefix",
        TrailSetting::SnsTopicArn => "SnsTopicName",
        TrailSetting::KmsKeyId => "KMSKeyId",
        TrailSetting::CloudWatchLogsLogGroupArn => "CloudWatchLogsLogGroupArn",
        TrailSetting::CloudWatchLogsRoleArn => "CloudWatchLogsRoleArn",
    }
}

/// `IsLogging` (required by CloudFormation): whether the trail logs once deployed. Left
/// undecided (None) when it is known only at deployment, so CT-IS-LOGGING stays not
/// applicable rather than refusing the template: the status is not in the source anyway.
fn declared_logging(r: &Resource) -> Result<Option<bool>, Diagnostic> {
    match r.property("IsLogging")? {
        Property::Known(v) => boolean(&v).map(Some).ok_or_else(|| r.error(format!("Properties.IsLogging must be true or false, not {v}"))),
        Property::Absent | Property::Unknown(_) => Ok(None),
    }
}

fn event_selectors(v: &Value) -> Result<Vec<EventSelector>, String> {
    list(v, "EventSelectors")?
        .iter()
        .map(|s| {
            Ok(EventSelector {
                read_write_type: field_str(s, "ReadWriteType").unwrap_or_else(|| "All".to_owned()),
                include_management_events: field_bool(s, "IncludeManagementEvents").unwrap_or(true),
                data_resources: field(s, "DataResources")
                    .map(|d| list(d, "DataResources"))
                    .transpose()?
                    .into_iter()
                    .flatten()
                    .map(|d| DataResource { resource_type: field_str(d, "Type").unwrap_or_default(), values: strings(field(d, "Values")) })
                    .collect(),
                exclude_management_event_sources: strings(field(s, "ExcludeManagementEventSources")),
            })
        })
        .collect()
}

fn advanced_selectors(v: &Value) -> Result<Vec<AdvancedEventSelector>, String> {
    list(v, "AdvancedEventSelectors")?
        .iter()
        .map(|s| {
            let fields = field(s, "FieldSelectors").ok_or("an advanced event selector needs FieldSelectors")?;
            Ok(AdvancedEventSelector {
                name: field_str(s, "Name"),
                field_selectors: list(fields, "FieldSelectors")?
                    .iter()
                    .map(|f| AdvancedFieldSelector {
                        field: field_str(f, "Field").unwrap_or_default(),
                        equals: strings(field(f, "Equals")),
                        starts_with: strings(field(f, "StartsWith")),
                        ends_with: strings(field(f, "EndsWith")),
                        not_equals: strings(field(f, "NotEquals")),
                        not_starts_with: strings(field(f, "NotStartsWith")),
                        not_ends_with: strings(field(f, "NotEndsWith")),
                    })
                    .collect(),
            })
        })
        .collect()
}

fn insight_selectors(v: &Value) -> Result<Vec<InsightSelector>, String> {
    Ok(list(v, "InsightSelectors")?
        .iter()
        .filter_map(|s| Some(InsightSelector { insight_type: field_str(s, "InsightType")?, event_categories: Vec::new() }))
        .collect())
}

fn bucket(r: &Resource, scope: &crate::iac::SourceScope) -> Result<Bucket, Diagnostic> {
    let name = r.template.physical_name(r.id, "BucketName").map_err(|e| r.error(e))?;
    let mut bucket = new_bucket(&name, scope);
    bucket.versioning = r.fact("VersioningConfiguration", "s3:GetBucketVersioning", BucketVersioning::default(), |v| {
        Ok(BucketVersioning { status: field_str(v, "Status"), mfa_delete: None })
    })?;
    bucket.encryption = r.fact("BucketEncryption", "s3:GetBucketEncryption", bucket.encryption.value().cloned().flatten(), |v| {
        let rules = field(v, "ServerSideEncryptionConfiguration").ok_or("ServerSideEncryptionConfiguration is required")?;
        Ok(Some(
            list(rules, "ServerSideEncryptionConfiguration")?
                .iter()
                .map(|rule| {
                    let default = field(rule, "ServerSideEncryptionByDefault");
                    EncryptionRule {
                        sse_algorithm: default.and_then(|d| field_str(d, "SSEAlgorithm")).unwrap_or_else(|| "AES256".to_owned()),
                        kms_master_key_id: default.and_then(|d| field_str(d, "KMSMasterKeyID")),
                        bucket_key_enabled: field_bool(rule, "BucketKeyEnabled").unwrap_or(false),
                    }
                })
                .collect(),
        ))
    })?;
    bucket.lifecycle = r.fact("LifecycleConfiguration", "s3:GetBucketLifecycleConfiguration", None, |v| {
        let rules = field(v, "Rules").ok_or("Rules is required")?;
        Ok(Some(list(rules, "Rules")?.iter().map(lifecycle_rule).collect()))
    })?;
    let lock_enabled =
        r.fact("ObjectLockEnabled", "s3:GetObjectLockConfiguration", false, |v| boolean(v).ok_or_else(|| format!("must be true or false, not {v}")))?;
    let lock_configuration = r.fact("ObjectLockConfiguration", "s3:GetObjectLockConfiguration", None, |v| {
        let retention = field(v, "Rule").and_then(|rule| field(rule, "DefaultRetention"));
        Ok(Some(ObjectLock {
            enabled: field_str(v, "ObjectLockEnabled").as_deref() == Some("Enabled"),
            default_retention: retention.map(|d| DefaultRetention {
                mode: field_str(d, "Mode").unwrap_or_default(),
                days: field_int(d, "Days"),
                years: field_int(d, "Years"),
            }),
        }))
    })?;
    bucket.object_lock = match (lock_enabled, lock_configuration) {
        (Fact::Unreadable(u), _) | (_, Fact::Unreadable(u)) => Fact::Unreadable(u),
        (Fact::Value(enabled), Fact::Value(configuration)) => Fact::Value(match configuration {
            Some(lock) => Some(ObjectLock { enabled: enabled || lock.enabled, ..lock }),
            None if enabled => Some(ObjectLock { enabled: true, default_retention: None }),
            None => None,
        }),
    };
    bucket.public_access_block =
        r.fact("PublicAccessBlockConfiguration", "s3:GetPublicAccessBlock", bucket.public_access_block.value().copied().flatten(), |v| {
            // A flag the configuration leaves out is off.
            let flag = |key: &str| field_bool(v, key).unwrap_or(false);
            Ok(Some(PublicAccessBlock {
                block_public_acls: flag("BlockPublicAcls"),
                ignore_public_acls: flag("IgnorePublicAcls"),
                block_public_policy: flag("BlockPublicPolicy"),
                restrict_public_buckets: flag("RestrictPublicBuckets"),
            }))
        })?;
    bucket.acl_grants = r.fact("AccessControl", "s3:GetBucketAcl", vec![owner_full_control()], |v| Ok(canned_acl(&text(v).unwrap_or_default())))?;
    bucket.object_ownership = r.fact("OwnershipControls", "s3:GetBucketOwnershipControls", Some("BucketOwnerEnforced".to_owned()), |v| {
        Ok(field(v, "Rules").and_then(Value::as_array).and_then(|rules| rules.first()).and_then(|rule| field_str(rule, "ObjectOwnership")))
    })?;
    bucket.logging = r.fact("LoggingConfiguration", "s3:GetBucketLogging", None, |v| {
        Ok(Some(BucketLogging {
            target_bucket: field_str(v, "DestinationBucketName").unwrap_or_else(|| name.clone()),
            target_prefix: field_str(v, "LogFilePrefix").unwrap_or_default(),
        }))
    })?;
    Ok(bucket)
}

fn lifecycle_rule(rule: &Value) -> LifecycleRule {
    LifecycleRule {
        id: field_str(rule, "Id"),
        status: field_str(rule, "Status").unwrap_or_default(),
        prefix: field_str(rule, "Prefix"),
        expiration_days: field_int(rule, "ExpirationInDays"),
        noncurrent_version_expiration_days: field_int(rule, "NoncurrentVersionExpirationInDays")
            .or_else(|| field(rule, "NoncurrentVersionExpiration").and_then(|n| field_int(n, "NoncurrentDays"))),
        transitions: field(rule, "Transitions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| Some(LifecycleTransition { days: field_int(t, "TransitionInDays")?, storage_class: field_str(t, "StorageClass")? }))
            .collect(),
    }
}

/// The grants of a canned ACL (`AccessControl`), besides the owner's.
fn canned_acl(acl: &str) -> Vec<AclGrant> {
    let group = |uri: &str, permission: &str| AclGrant {
        grantee_type: "Group".to_owned(),
        grantee_uri: Some(format!("http://acs.amazonaws.com/groups/{uri}")),
        grantee_id: None,
        permission: permission.to_owned(),
    };
    let mut grants = vec![owner_full_control()];
    match acl {
        "PublicRead" => grants.push(group("global/AllUsers", "READ")),
        "PublicReadWrite" => grants.extend([group("global/AllUsers", "READ"), group("global/AllUsers", "WRITE")]),
        "AuthenticatedRead" => grants.push(group("global/AuthenticatedUsers", "READ")),
        "LogDeliveryWrite" => grants.extend([group("s3/LogDelivery", "WRITE"), group("s3/LogDelivery", "READ_ACP")]),
        _ => {}
    }
    grants
}

/// S3's policy status for a declared policy: public when a statement allows everyone (`*`)
/// without a condition; not public when no statement allows everyone. A conditioned grant to
/// everyone is public or not by S3's own analysis of the condition, which is not repeated
/// here: not in the source.
fn policy_is_public(document: &str) -> Fact<Option<bool>> {
    let Ok(doc) = serde_json::from_str::<Value>(document) else { return Fact::Value(Some(false)) };
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let everyone = |principal: Option<&Value>| match principal {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(map)) => map.get("AWS").is_some_and(|aws| aws == "*" || aws.as_array().is_some_and(|a| a.iter().any(|p| p == "*"))),
        _ => false,
    };
    let open: Vec<&Value> =
        statements.iter().filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow") && everyone(s.get("Principal"))).collect();
    if open.is_empty() {
        Fact::Value(Some(false))
    } else if open.iter().any(|s| s.get("Condition").is_none()) {
        Fact::Value(Some(true))
    } else {
        crate::iac::not_in_source_because(
            "s3:GetBucketPolicyStatus",
            "whether S3 deems a conditioned grant to everyone public is decided by S3's own analysis",
        )
    }
}

fn kms_key(source: &mut SourceInventory, r: &Resource, scope: &crate::iac::SourceScope) -> Result<(), Diagnostic> {
    let enabled = r.boolean("Enabled", true)?;
    let metadata = KmsKeyMetadata {
        arn: scope.kms_key_arn(r.id),
        key_state: if enabled { "Enabled" } else { "Disabled" }.to_owned(),
        key_manager: "CUSTOMER".to_owned(),
        multi_region: r.boolean("MultiRegion", false)?,
    };
    // Users name a key by its id (`Ref`) or its ARN (`GetAtt Key.Arn`): both find it.
    for key_id in [r.id.to_owned(), metadata.arn.clone()] {
        source.kms_key(KmsKey { key_id, metadata: Fact::Value(metadata.clone()) }, r.location());
    }
    Ok(())
}

/// An alias of a declared key names that key too (`alias/name` and the alias ARN).
fn kms_alias(source: &mut SourceInventory, r: &Resource, scope: &crate::iac::SourceScope) -> Result<(), Diagnostic> {
    let (Some(alias), Some(target)) = (r.string("AliasName")?, r.string("TargetKeyId")?) else { return Ok(()) };
    let target = target.rsplit('/').next().unwrap_or(&target).to_owned();
    if r.template.resource_type(&target) != "AWS::KMS::Key" {
        return Ok(());
    }
    let key = r.template.resources.get(&target).and_then(|k| k.get("Properties"));
    let enabled = key.and_then(|p| field_bool(p, "Enabled")).unwrap_or(true);
    let metadata = KmsKeyMetadata {
        arn: scope.kms_key_arn(&target),
        key_state: if enabled { "Enabled" } else { "Disabled" }.to_owned(),
        key_manager: "CUSTOMER".to_owned(),
        multi_region: key.and_then(|p| field_bool(p, "MultiRegion")).unwrap_or(false),
    };
    let alias_arn = format!("arn:{}:kms:{}:{}:{alias}", scope.partition, scope.region, scope.account_id);
    for key_id in [alias, alias_arn] {
        source.kms_key(KmsKey { key_id, metadata: Fact::Value(metadata.clone()) }, r.location());
    }
    Ok(())
}

fn event_data_store(source: &mut SourceInventory, r: &Resource, scope: &crate::iac::SourceScope) -> Result<(), Diagnostic> {
    let name = r.template.physical_name(r.id, "Name").map_err(|e| r.error(e))?;
    let arn = scope.event_data_store_arn(&scope.region, &name);
    let fields = [
        "IngestionEnabled",
        "RetentionPeriod",
        "BillingMode",
        "TerminationProtectionEnabled",
        "MultiRegionEnabled",
        "OrganizationEnabled",
        "KmsKeyId",
        "AdvancedEventSelectors",
    ];
    let mut values = BTreeMap::new();
    let mut unknown = None;
    for name in fields {
        match r.property(name)? {
            Property::Known(v) => {
                values.insert(name, v);
            }
            Property::Unknown(why) => unknown = Some(format!("{} {name} ({why})", r.id)),
            Property::Absent => {}
        }
    }
    let flag = |name: &str, default: bool| values.get(name).and_then(boolean).unwrap_or(default);
    let details = match unknown {
        Some(what) => unknown_until_apply("cloudtrail:GetEventDataStore", &what),
        None => Fact::Value(EventDataStoreDetails {
            status: if flag("IngestionEnabled", true) { "ENABLED" } else { "STOPPED_INGESTION" }.to_owned(),
            retention_period: values.get("RetentionPeriod").and_then(integer).unwrap_or(2557),
            billing_mode: Some(values.get("BillingMode").and_then(text).unwrap_or_else(|| "EXTENDABLE_RETENTION_PRICING".to_owned())),
            termination_protection_enabled: flag("TerminationProtectionEnabled", true),
            multi_region_enabled: flag("MultiRegionEnabled", true),
            organization_enabled: flag("OrganizationEnabled", false),
            kms_key_id: values.get("KmsKeyId").and_then(text),
            advanced_event_selectors: values
                .get("AdvancedEventSelectors")
                .map(advanced_selectors)
                .transpose()
                .map_err(|e| r.error(e))?
                .unwrap_or_default(),
        }),
    };
    let insight_selectors = r.fact("InsightSelectors", "cloudtrail:GetInsightSelectors", Vec::new(), insight_selectors)?;
    let region = scope.region.clone();
    source.event_data_store(&region, EventDataStore { arn, name, details, insight_selectors }, r.location());
    Ok(())
}

fn eventbridge_rule(source: &mut SourceInventory, r: &Resource, scope: &crate::iac::SourceScope) -> Result<(), Diagnostic> {
    let name = r.template.physical_name(r.id, "Name").map_err(|e| r.error(e))?;
    let targets =
        r.fact("Targets", "events:ListTargetsByRule", Vec::new(), |v| Ok(list(v, "Targets")?.iter().filter_map(|t| field_str(t, "Arn")).collect()))?;
    let rule = EventBridgeRule {
        arn: format!("arn:{}:events:{}:{}:rule/{name}", scope.partition, scope.region, scope.account_id),
        name,
        event_bus_name: r.string("EventBusName")?.unwrap_or_else(|| "default".to_owned()),
        state: r.string("State")?.unwrap_or_else(|| "ENABLED".to_owned()),
        event_pattern: r.plain("EventPattern")?.map(|p| p.to_string()),
        targets,
    };
    source.eventbridge_rule(&scope.region.clone(), rule);
    Ok(())
}

fn metric_filter(source: &mut SourceInventory, r: &Resource, scope: &crate::iac::SourceScope) -> Result<(), Diagnostic> {
    let transformations = r.plain("MetricTransformations")?.unwrap_or(Value::Array(Vec::new()));
    let filter = MetricFilter {
        log_group_name: r.string("LogGroupName")?.unwrap_or_default(),
        filter_name: r.template.physical_name(r.id, "FilterName").map_err(|e| r.error(e))?,
        filter_pattern: r.string("FilterPattern")?.unwrap_or_default(),
        metric_transformations: list(&transformations, "MetricTransformations")
            .map_err(|e| r.error(e))?
            .iter()
            .map(|t| MetricTransformation {
                metric_name: field_str(t, "MetricName").unwrap_or_default(),
                metric_namespace: field_str(t, "MetricNamespace").unwrap_or_default(),
            })
            .collect(),
    };
    source.metric_filter(&scope.region.clone(), filter);
    Ok(())
}

fn alarm(source: &mut SourceInventory, r: &Resource, scope: &crate::iac::SourceScope) -> Result<(), Diagnostic> {
    let alarm = MetricAlarm {
        alarm_name: r.template.physical_name(r.id, "AlarmName").map_err(|e| r.error(e))?,
        metric_name: r.string("MetricName")?,
        namespace: r.string("Namespace")?,
        actions_enabled: r.boolean("ActionsEnabled", true)?,
        alarm_actions: strings(r.plain("AlarmActions")?.as_ref()),
    };
    source.alarm(&scope.region.clone(), alarm);
    Ok(())
}
