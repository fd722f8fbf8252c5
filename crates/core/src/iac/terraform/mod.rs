//! The Terraform plan source (`scan --terraform-plan PLAN.json [--terraform-dir DIR]`): the
//! JSON of `terraform show -json` mapped into the inventory, so that the same rules judge what
//! the plan will make (docs/iac-terraform.md).
//!
//! plan.rs reads the format; references.rs joins what refers to what when values are known
//! only once applied (through the configuration's locals, which locals.rs reads from the
//! files, since the plan leaves them out); locate.rs finds each resource's declaration in the
//! `.tf` files (and tf_json.rs in the `.tf.json` ones); map.rs turns each resource type into
//! inventory facts through the shared builder (`iac`).

mod address;
mod locals;
mod locate;
mod map;
mod plan;
mod references;
mod tf_json;
mod values;

use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use crate::resource::Location;
use address::Address;
use references::{Instance, Resolver};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

pub use plan::FORMAT_MAJOR;

/// Reads the plan at `plan_path` and, with `dir` (the configuration directory the plan was
/// made in), locates each resource on its `resource` line; without it, on the plan file.
pub fn load(plan_path: &Path, dir: Option<&Path>) -> Result<Inventory, Diagnostic> {
    let plan = plan::read(plan_path)?;
    let (locator, locals) = match dir {
        Some(dir) => {
            let files = locate::configuration_files(dir, &plan)?;
            (locate::Locator::from_files(plan_path, &files)?, locals::Locals::from_files(&files))
        }
        None => (locate::Locator::plan_only(plan_path), locals::Locals::default()),
    };
    let (instances, modules) = kept_instances(&plan);
    let resolver = Resolver::new(&plan, instances, modules, locals);
    Ok(map::inventory(&resolver, &locator))
}

impl map::Locate for locate::Locator {
    fn locate(&self, instance: &Instance<'_>) -> Location {
        locate::Locator::locate(self, instance.address, &instance.parts)
    }
}

/// The managed resource instances the plan keeps once applied (not those it destroys), each
/// with its change and configuration, and every module instance.
fn kept_instances(plan: &plan::Plan) -> (Vec<Instance<'_>>, BTreeSet<String>) {
    const NULL: &Value = &Value::Null;
    let changes: HashMap<&str, &plan::Change> = plan.resource_changes.iter().map(|c| (c.address.as_str(), &c.change)).collect();
    let mut modules = BTreeSet::from([String::new()]);
    let Some(values) = &plan.planned_values else { return (Vec::new(), modules) };
    collect_modules(&values.root_module, &mut modules);
    // Each module's resource blocks by address, built once per module: searching the module's
    // list for each instance made a plan of 10,000 resources take seconds.
    let mut configured: HashMap<Vec<String>, HashMap<&str, &plan::ConfigResource>> = HashMap::new();
    let instances = values
        .root_module
        .all_resources()
        .into_iter()
        .filter(|r| r.mode == "managed" || r.mode.is_empty())
        .filter(|r| !changes.get(r.address.as_str()).is_some_and(|c| c.removes()))
        .filter_map(|r| {
            let parts = Address::parse(&r.address)?;
            let blocks = configured.entry(parts.module_path.clone()).or_insert_with(|| resource_blocks(plan, &parts.module_path));
            let config = blocks.get(parts.in_module().as_str()).copied();
            let unknown = changes.get(r.address.as_str()).map_or(NULL, |c| &c.after_unknown);
            Some(Instance { address: &r.address, parts, index: r.index.as_ref(), values: &r.values, unknown, config })
        })
        .collect();
    (instances, modules)
}

fn collect_modules(module: &plan::Module, out: &mut BTreeSet<String>) {
    for child in &module.child_modules {
        if let Some(address) = &child.address {
            out.insert(address.clone());
        }
        collect_modules(child, out);
    }
}

/// The resource blocks of the module at a path of calls, by address within the module (the
/// first block of an address, should a hand-made plan repeat one).
fn resource_blocks<'p>(plan: &'p plan::Plan, path: &[String]) -> HashMap<&'p str, &'p plan::ConfigResource> {
    let mut blocks = HashMap::new();
    for block in plan.config_module(path).map(|m| m.resources.as_slice()).unwrap_or_default() {
        blocks.entry(block.address.as_str()).or_insert(block);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Fact, UnreadableReason};
    use serde_json::json;

    /// The inventory of a plan given as JSON, located on the plan file.
    fn inventory(plan: Value) -> Inventory {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, plan.to_string()).unwrap();
        load(&path, None).expect("a valid plan")
    }

    fn resource(address: &str, values: Value) -> Value {
        let parts = Address::parse(address).unwrap();
        let index = parts.index.as_deref().map(|i| serde_json::from_str::<Value>(&i[1..i.len() - 1]).unwrap());
        json!({"address": address, "mode": "managed", "type": parts.resource_type, "name": parts.name, "index": index, "values": values})
    }

    fn change(address: &str, actions: &[&str], unknown: Value) -> Value {
        json!({"address": address, "change": {"actions": actions, "after_unknown": unknown}})
    }

    fn config(address: &str, expressions: Value) -> Value {
        json!({"address": address, "provider_config_key": "aws", "expressions": expressions})
    }

    fn reason<T>(fact: &Fact<T>) -> Option<UnreadableReason> {
        fact.unreadable().map(|u| u.reason)
    }

    #[test]
    fn a_trail_setting_known_only_after_apply_is_unknown_not_the_default() {
        use crate::inventory::TrailSetting;
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_s3_bucket.logs", json!({"bucket": "logs"})),
                resource("aws_cloudtrail.t", json!({"name": "main", "s3_bucket_name": "logs", "enable_log_file_validation": true}))]}},
            "resource_changes": [
                change("aws_s3_bucket.logs", &["create"], json!({"id": true})),
                change("aws_cloudtrail.t", &["create"], json!({"arn": true, "is_multi_region_trail": true}))]}));
        let trail = &inv.accounts[0].trails[0];
        let unknown = trail.checked(TrailSetting::IsMultiRegionTrail, trail.is_multi_region_trail).unwrap_err();
        assert_eq!(unknown.reason, UnreadableReason::UnknownUntilApply);
        assert!(unknown.to_string().contains("aws_cloudtrail.t.is_multi_region_trail"), "{unknown}");
        assert_eq!(trail.checked(TrailSetting::LogFileValidationEnabled, trail.log_file_validation_enabled), Ok(true));
        assert_eq!(
            trail.checked(TrailSetting::IncludeGlobalServiceEvents, trail.include_global_service_events),
            Ok(true),
            "unset: CloudTrail's default"
        );
        assert_eq!(trail.unknown_settings.len(), 1);
    }

    #[test]
    fn a_name_known_only_after_apply_is_unknown_unless_it_refers_to_a_resource_of_the_plan() {
        use crate::inventory::TrailSetting;
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_s3_bucket.logs", json!({"bucket": "logs"})),
                resource("aws_kms_key.k", json!({})),
                resource("aws_cloudtrail.t", json!({"name": "main", "s3_bucket_name": "logs"}))]}},
            "resource_changes": [
                change("aws_s3_bucket.logs", &["create"], json!({"id": true})),
                change("aws_kms_key.k", &["create"], json!({"arn": true})),
                change("aws_cloudtrail.t", &["create"], json!({"arn": true, "kms_key_id": true, "s3_key_prefix": true, "cloud_watch_logs_group_arn": true}))],
            "configuration": {"root_module": {"resources": [
                {"address": "aws_cloudtrail.t", "mode": "managed", "type": "aws_cloudtrail", "name": "t",
                 "expressions": {"kms_key_id": {"references": ["aws_kms_key.k.arn", "aws_kms_key.k"]},
                                 "s3_key_prefix": {"references": ["local.prefix"]},
                                 "cloud_watch_logs_group_arn": {"references": ["data.aws_cloudwatch_log_group.g.arn", "data.aws_cloudwatch_log_group.g"]}}}]}}}));
        let trail = &inv.accounts[0].trails[0];
        assert_eq!(trail.checked(TrailSetting::KmsKeyId, trail.kms_key_id.as_deref()), Ok(Some("aws_kms_key.k")), "the key of the plan");
        for (setting, argument) in
            [(TrailSetting::S3KeyPrefix, "s3_key_prefix"), (TrailSetting::CloudWatchLogsLogGroupArn, "cloud_watch_logs_group_arn")]
        {
            let unknown = trail.unknown_settings.get(&setting).unwrap_or_else(|| panic!("{setting:?} unknown: {trail:?}"));
            assert!(unknown.to_string().contains(&format!("aws_cloudtrail.t.{argument}")), "{unknown}");
        }
        assert_eq!(trail.s3_key_prefix, None, "no made-up prefix");
        assert_eq!(trail.cloud_watch_logs_log_group_arn, None, "no made-up log group");
    }

    #[test]
    fn references_through_locals_are_followed_with_the_configuration_directory() {
        // The shape of a reusable trail module: the key is ours unless one is given, and the
        // bucket's name is generated, so both are known only once applied.
        let plan = json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_kms_key.this[0]", json!({"is_enabled": true})),
                resource("aws_s3_bucket.logs", json!({"bucket_prefix": "trail-"})),
                resource("aws_s3_bucket_versioning.v", json!({"versioning_configuration": [{"status": "Enabled"}]})),
                resource("aws_cloudtrail.t", json!({"name": "main"}))]}},
            "resource_changes": [
                change("aws_kms_key.this[0]", &["create"], json!({"arn": true})),
                change("aws_s3_bucket.logs", &["create"], json!({"bucket": true, "id": true})),
                change("aws_s3_bucket_versioning.v", &["create"], json!({"bucket": true})),
                change("aws_cloudtrail.t", &["create"], json!({"s3_bucket_name": true, "kms_key_id": true, "arn": true}))],
            "configuration": {"root_module": {"resources": [
                config("aws_kms_key.this", json!({})),
                config("aws_s3_bucket.logs", json!({"bucket_prefix": {"constant_value": "trail-"}})),
                config("aws_s3_bucket_versioning.v", json!({"bucket": {"references": ["local.bucket"]},
                    "versioning_configuration": [{"status": {"constant_value": "Enabled"}}]})),
                config("aws_cloudtrail.t", json!({"s3_bucket_name": {"references": ["local.bucket"]},
                    "kms_key_id": {"references": ["local.key_arn"]}}))]}}});
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, plan.to_string()).unwrap();
        let locals =
            "locals {\n  key_arn = var.kms_key_arn != null ? var.kms_key_arn : aws_kms_key.this[0].arn\n  bucket  = aws_s3_bucket.logs.id\n}\n";
        std::fs::write(dir.path().join("locals.tf"), locals).unwrap();

        let without = load(&path, None).expect("a valid plan");
        let trail = &without.accounts[0].trails[0];
        assert!(trail.unknown_settings.contains_key(&crate::inventory::TrailSetting::KmsKeyId), "no directory, no locals: unknown");
        assert_eq!(trail.s3_bucket_name, "aws_cloudtrail.t.s3_bucket_name");

        let with = load(&path, Some(dir.path())).expect("a valid plan");
        let trail = &with.accounts[0].trails[0];
        assert_eq!((trail.s3_bucket_name.as_str(), trail.kms_key_id.as_deref()), ("aws_s3_bucket.logs", Some("aws_kms_key.this[0]")));
        assert!(trail.unknown_settings.is_empty(), "{:?}", trail.unknown_settings);
        let bucket = with.buckets.iter().find(|b| b.name == "aws_s3_bucket.logs").expect("the declared bucket");
        assert_eq!(bucket.versioning.value().map(|v| v.status.as_deref()), Some(Some("Enabled")), "the split resource joins through the local");
    }

    #[test]
    fn a_trail_joins_its_bucket_and_key_by_reference_and_its_settings_are_read() {
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_kms_key.k", json!({"is_enabled": true})),
                resource("aws_s3_bucket.logs", json!({"bucket": "logs"})),
                resource("aws_s3_bucket_versioning.v", json!({"versioning_configuration": [{"status": "Enabled"}]})),
                resource("aws_cloudtrail.t", json!({"name": "main", "is_multi_region_trail": true, "enable_log_file_validation": true,
                    "event_selector": [{"read_write_type": "All", "include_management_events": true, "data_resource": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}],
                    "insight_selector": [{"insight_type": "ApiCallRateInsight"}], "tags": {"team": "sec"}}))]}},
            "resource_changes": [
                change("aws_kms_key.k", &["create"], json!({"arn": true, "key_id": true, "multi_region": true})),
                change("aws_s3_bucket.logs", &["create"], json!({"id": true, "versioning": true})),
                change("aws_s3_bucket_versioning.v", &["create"], json!({"bucket": true, "versioning_configuration": [{"mfa_delete": true}]})),
                change("aws_cloudtrail.t", &["create"], json!({"s3_bucket_name": true, "kms_key_id": true, "arn": true}))],
            "configuration": {"provider_config": {"aws": {"expressions": {"region": {"constant_value": "eu-west-1"}}}},
                "root_module": {"resources": [
                    config("aws_kms_key.k", json!({})),
                    config("aws_s3_bucket.logs", json!({"bucket": {"constant_value": "logs"}})),
                    config("aws_s3_bucket_versioning.v", json!({"bucket": {"references": ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]},
                        "versioning_configuration": [{"status": {"constant_value": "Enabled"}}]})),
                    config("aws_cloudtrail.t", json!({"s3_bucket_name": {"references": ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]},
                        "kms_key_id": {"references": ["aws_kms_key.k.arn", "aws_kms_key.k"]}}))]}}}));
        let trail = &inv.accounts[0].trails[0];
        assert_eq!(trail.arn, "arn:aws:cloudtrail:eu-west-1:000000000000:trail/main");
        assert_eq!((trail.s3_bucket_name.as_str(), trail.kms_key_id.as_deref()), ("logs", Some("aws_kms_key.k")));
        assert!(trail.is_multi_region_trail && trail.log_file_validation_enabled && trail.include_global_service_events);
        let selectors = trail.event_selectors.value().expect("known selectors");
        assert_eq!(selectors.basic[0].data_resources[0].resource_type, "AWS::S3::Object");
        assert!(trail.has_custom_event_selectors && trail.has_insight_selectors);
        assert_eq!(trail.tags.value().unwrap()["team"], "sec");
        assert_eq!(reason(&trail.status), Some(UnreadableReason::NotInSource));
        let bucket = inv.buckets.iter().find(|b| b.name == "logs").expect("the declared bucket");
        assert_eq!(bucket.versioning.value().unwrap().status.as_deref(), Some("Enabled"));
        assert_eq!(bucket.versioning.value().unwrap().mfa_delete, None, "computed, not configured: never set");
        let key = inv.kms_keys.iter().find(|k| k.key_id == "aws_kms_key.k").expect("the declared key");
        assert_eq!(key.metadata.value().unwrap().key_manager, "CUSTOMER");
        assert_eq!(inv.locations[&trail.arn].address, "aws_cloudtrail.t");
        assert_eq!((inv.locations[&trail.arn].line, inv.locations["arn:aws:s3:::logs"].line), (0, 0));
    }

    #[test]
    fn values_unknown_until_apply_are_unknown_never_false() {
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_s3_bucket.b", json!({"bucket": "b"})),
                resource("aws_s3_bucket_versioning.v", json!({"bucket": "b", "versioning_configuration": [{}]})),
                resource("aws_s3_bucket_public_access_block.p", json!({"bucket": "b", "block_public_acls": true})),
                resource("aws_cloudtrail.t", json!({"name": "t", "s3_bucket_name": "b", "event_selector": []}))]}},
            "resource_changes": [
                change("aws_s3_bucket_versioning.v", &["create"], json!({"versioning_configuration": [{"status": true}]})),
                change("aws_s3_bucket_public_access_block.p", &["create"], json!({"ignore_public_acls": true})),
                change("aws_cloudtrail.t", &["create"], json!({"enable_logging": true, "event_selector": true}))],
            "configuration": {"root_module": {"resources": [
                config("aws_s3_bucket.b", json!({"bucket": {"constant_value": "b"}})),
                config("aws_s3_bucket_versioning.v", json!({"bucket": {"constant_value": "b"}, "versioning_configuration": [{"status": {"references": ["var.status"]}}]})),
                config("aws_s3_bucket_public_access_block.p", json!({"bucket": {"constant_value": "b"}, "ignore_public_acls": {"references": ["var.ignore"]}})),
                config("aws_cloudtrail.t", json!({"enable_logging": {"references": ["aws_ssm_parameter.x.value"]}, "event_selector": {"references": ["local.selectors"]}}))]}}}));
        let bucket = &inv.buckets[0];
        assert_eq!(reason(&bucket.versioning), Some(UnreadableReason::UnknownUntilApply));
        assert_eq!(reason(&bucket.public_access_block), Some(UnreadableReason::UnknownUntilApply));
        let trail = &inv.accounts[0].trails[0];
        assert_eq!(reason(&trail.status), Some(UnreadableReason::UnknownUntilApply));
        assert_eq!(reason(&trail.event_selectors), Some(UnreadableReason::UnknownUntilApply));
        assert!(bucket.encryption.value().is_some(), "what nothing sets is AWS's default, not unknown");
    }

    #[test]
    fn logging_off_destroyed_resources_and_count_instances() {
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_s3_bucket.b[0]", json!({"bucket": "b-0"})),
                resource("aws_s3_bucket.b[1]", json!({"bucket": "b-1"})),
                resource("aws_s3_bucket_versioning.v[1]", json!({"versioning_configuration": [{"status": "Enabled"}]})),
                resource("aws_cloudtrail.off", json!({"name": "off", "s3_bucket_name": "b-0", "enable_logging": false})),
                resource("aws_cloudtrail.gone", json!({"name": "gone", "s3_bucket_name": "b-0"}))]}},
            "resource_changes": [
                change("aws_s3_bucket_versioning.v[1]", &["create"], json!({"bucket": true})),
                change("aws_cloudtrail.gone", &["delete"], json!({})),
                change("aws_cloudtrail.old", &["delete"], json!({}))],
            "configuration": {"root_module": {"resources": [
                config("aws_s3_bucket.b", json!({"bucket": {"references": ["count.index"]}})),
                config("aws_s3_bucket_versioning.v", json!({"bucket": {"references": ["aws_s3_bucket.b", "count.index"]}, "versioning_configuration": [{"status": {"constant_value": "Enabled"}}]})),
                config("aws_cloudtrail.off", json!({"enable_logging": {"constant_value": false}}))]}}}));
        let trails = &inv.accounts[0].trails;
        assert_eq!(trails.len(), 1, "a trail the plan deletes is not judged");
        assert_eq!(trails[0].is_logging(), Ok(false), "enable_logging = false is in the source");
        assert!(trails[0].status.value().is_none(), "the delivery status is not");
        let versioning = |name: &str| inv.buckets.iter().find(|b| b.name == name).unwrap().versioning.value().unwrap().status.clone();
        assert_eq!(versioning("b-1").as_deref(), Some("Enabled"), "count instances pair by index");
        assert_eq!(versioning("b-0"), None);
    }

    #[test]
    fn provider_v3_inline_blocks_and_a_name_known_only_once_applied() {
        let inv = inventory(json!({"format_version": "1.0",
            "planned_values": {"root_module": {"resources": [
                resource("aws_s3_bucket.legacy", json!({"bucket_prefix": "logs-", "acl": "public-read",
                    "versioning": [{"enabled": true, "mfa_delete": false}],
                    "server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": "arn:aws:kms:us-east-1:111122223333:key/k"}], "bucket_key_enabled": true}]}],
                    "lifecycle_rule": [{"id": "expire", "enabled": true, "prefix": "", "expiration": [{"days": 400}], "noncurrent_version_expiration": [], "transition": []}],
                    "logging": [{"target_bucket": "access", "target_prefix": "l/"}]})),
                resource("aws_cloudtrail.t", json!({"name": "t"}))]}},
            "resource_changes": [change("aws_s3_bucket.legacy", &["create"], json!({"bucket": true, "id": true})), change("aws_cloudtrail.t", &["create"], json!({"s3_bucket_name": true}))],
            "configuration": {"root_module": {"resources": [
                config("aws_s3_bucket.legacy", json!({"bucket_prefix": {"constant_value": "logs-"}, "acl": {"constant_value": "public-read"}, "versioning": [{}],
                    "server_side_encryption_configuration": [{}], "lifecycle_rule": [{}], "logging": [{}]})),
                config("aws_cloudtrail.t", json!({"s3_bucket_name": {"references": ["aws_s3_bucket.legacy.id", "aws_s3_bucket.legacy"]}}))]}}}));
        let trail = &inv.accounts[0].trails[0];
        assert_eq!(trail.s3_bucket_name, "aws_s3_bucket.legacy", "the address stands in for a name known once applied");
        let bucket = inv.buckets.iter().find(|b| b.name == "aws_s3_bucket.legacy").unwrap();
        assert_eq!(bucket.versioning.value().unwrap().status.as_deref(), Some("Enabled"));
        let rules = bucket.encryption.value().unwrap().as_ref().unwrap();
        assert_eq!((rules[0].sse_algorithm.as_str(), rules[0].bucket_key_enabled), ("aws:kms", true));
        assert_eq!(bucket.lifecycle.value().unwrap().as_ref().unwrap()[0].expiration_days, Some(400));
        assert_eq!(bucket.logging.value().unwrap().as_ref().unwrap().target_bucket, "access");
        assert!(bucket.acl_grants.value().unwrap().iter().any(|g| g.grantee_uri.as_deref().is_some_and(|u| u.ends_with("/AllUsers"))));
        let key = inv.kms_keys.iter().find(|k| k.key_id.ends_with("key/k")).expect("the key the bucket names");
        assert_eq!(reason(&key.metadata), Some(UnreadableReason::NotInSource), "a key the plan does not declare");
    }

    #[test]
    fn a_split_resource_whose_bucket_is_unknown_makes_its_setting_unknown_on_every_bucket() {
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_s3_bucket.a", json!({"bucket": "a"})),
                resource("aws_s3_bucket_versioning.v", json!({"versioning_configuration": [{"status": "Enabled"}]}))]}},
            "resource_changes": [change("aws_s3_bucket_versioning.v", &["create"], json!({"bucket": true}))],
            "configuration": {"root_module": {"resources": [
                config("aws_s3_bucket.a", json!({"bucket": {"constant_value": "a"}})),
                config("aws_s3_bucket_versioning.v", json!({"bucket": {"references": ["data.aws_s3_bucket.elsewhere.id"]}, "versioning_configuration": [{"status": {"constant_value": "Enabled"}}]}))]}}}));
        assert_eq!(reason(&inv.buckets[0].versioning), Some(UnreadableReason::UnknownUntilApply));
        assert!(inv.buckets[0].encryption.value().is_some());
    }

    /// The public groups' URIs among a bucket's ACL grants, with their permissions.
    fn group_grants(bucket: &crate::inventory::Bucket) -> Vec<(String, String)> {
        let grants = bucket.acl_grants.value().expect("known grants");
        grants.iter().filter_map(|g| Some((g.grantee_uri.clone()?.rsplit('/').next()?.to_owned(), g.permission.clone()))).collect()
    }

    #[test]
    fn bucket_acls_are_mapped_with_their_object_ownership() {
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_s3_bucket.public", json!({"bucket": "public"})),
                resource("aws_s3_bucket_ownership_controls.public", json!({"bucket": "public", "rule": [{"object_ownership": "BucketOwnerPreferred"}]})),
                resource("aws_s3_bucket_acl.public", json!({"bucket": "public", "acl": "public-read", "access_control_policy": []})),
                resource("aws_s3_bucket.logs", json!({"bucket": "logs"})),
                resource("aws_s3_bucket_acl.logs", json!({"bucket": "logs", "acl": "log-delivery-write"})),
                resource("aws_s3_bucket.granted", json!({"bucket": "granted"})),
                resource("aws_s3_bucket_acl.granted", json!({"bucket": "granted", "access_control_policy": [{
                    "grant": [{"grantee": [{"type": "CanonicalUser", "id": "abc", "uri": null, "email_address": null}], "permission": "FULL_CONTROL"},
                              {"grantee": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}], "permission": "READ_ACP"}],
                    "owner": [{"id": "abc"}]}]})),
                resource("aws_s3_bucket.private", json!({"bucket": "private"})),
                resource("aws_s3_bucket_acl.private", json!({"bucket": "private", "acl": "private"}))]}},
            "resource_changes": [
                // The provider computes `access_control_policy` from `acl`: unknown, not configured.
                change("aws_s3_bucket_acl.public", &["create"], json!({"id": true, "access_control_policy": true})),
                change("aws_s3_bucket_acl.private", &["create"], json!({"id": true, "access_control_policy": true}))],
            "configuration": {"root_module": {"resources": [
                config("aws_s3_bucket_acl.public", json!({"bucket": {"constant_value": "public"}, "acl": {"constant_value": "public-read"}})),
                config("aws_s3_bucket_acl.private", json!({"bucket": {"constant_value": "private"}, "acl": {"constant_value": "private"}}))]}}}));
        let bucket = |name: &str| inv.buckets.iter().find(|b| b.name == name).unwrap();
        let grant = |uri: &str, permission: &str| (uri.to_owned(), permission.to_owned());
        assert_eq!(group_grants(bucket("public")), [grant("AllUsers", "READ")]);
        assert_eq!(bucket("public").object_ownership.value(), Some(&Some("BucketOwnerPreferred".to_owned())));
        assert_eq!(group_grants(bucket("logs")), [grant("LogDelivery", "WRITE"), grant("LogDelivery", "READ_ACP")]);
        assert_eq!(bucket("logs").acl_grants.value().unwrap().len(), 3, "and the owner's full control");
        let granted = bucket("granted").acl_grants.value().unwrap();
        assert_eq!(granted.len(), 2, "the policy's grants are the whole ACL: {granted:?}");
        assert_eq!((granted[0].grantee_id.as_deref(), granted[0].permission.as_str()), (Some("abc"), "FULL_CONTROL"));
        assert_eq!(group_grants(bucket("granted")), [grant("AuthenticatedUsers", "READ_ACP")]);
        assert_eq!(group_grants(bucket("private")), []);
        // Without ownership controls a new bucket keeps S3's default, BucketOwnerEnforced (ACLs off).
        assert_eq!(bucket("logs").object_ownership.value(), Some(&Some("BucketOwnerEnforced".to_owned())));
    }

    #[test]
    fn a_bucket_acl_known_only_once_applied_is_unknown() {
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_s3_bucket.a", json!({"bucket": "a"})),
                resource("aws_s3_bucket_acl.a", json!({"bucket": "a"})),
                resource("aws_s3_bucket.b", json!({"bucket": "b"})),
                resource("aws_s3_bucket_acl.b", json!({"bucket": "b", "access_control_policy": [{"grant": [{"grantee": [{"type": "Group"}], "permission": "READ"}]}]})),
                resource("aws_s3_bucket.c", json!({"bucket": "c"})),
                resource("aws_s3_bucket_acl.c", json!({"bucket": "c", "acl": "public-reed"})),
                resource("aws_s3_bucket.legacy", json!({"bucket": "legacy"})),
                resource("aws_s3_bucket.granted", json!({"bucket": "granted", "grant": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers", "id": null, "permissions": ["READ", "WRITE"]}]}))]}},
            "resource_changes": [
                change("aws_s3_bucket_acl.a", &["create"], json!({"acl": true, "access_control_policy": true})),
                change("aws_s3_bucket_acl.b", &["create"], json!({"access_control_policy": [{"grant": [{"grantee": [{"uri": true}]}]}]})),
                change("aws_s3_bucket.legacy", &["create"], json!({"acl": true}))],
            "configuration": {"root_module": {"resources": [
                config("aws_s3_bucket_acl.a", json!({"bucket": {"constant_value": "a"}, "acl": {"references": ["var.acl"]}})),
                config("aws_s3_bucket_acl.b", json!({"bucket": {"constant_value": "b"}, "access_control_policy": [{"grant": [{
                    "grantee": [{"type": {"constant_value": "Group"}, "uri": {"references": ["local.group"]}}], "permission": {"constant_value": "READ"}}]}]})),
                config("aws_s3_bucket_acl.c", json!({"bucket": {"constant_value": "c"}, "acl": {"constant_value": "public-reed"}})),
                config("aws_s3_bucket.legacy", json!({"bucket": {"constant_value": "legacy"}, "acl": {"references": ["var.acl"]}})),
                config("aws_s3_bucket.granted", json!({"bucket": {"constant_value": "granted"}, "grant": [{}]}))]}}}));
        let bucket = |name: &str| inv.buckets.iter().find(|b| b.name == name).unwrap();
        for name in ["a", "b", "legacy"] {
            assert_eq!(reason(&bucket(name).acl_grants), Some(UnreadableReason::UnknownUntilApply), "{name}: never the default, never a pass");
        }
        let unknown = bucket("a").acl_grants.unreadable().unwrap().to_string();
        assert!(unknown.contains("aws_s3_bucket_acl.a.acl"), "{unknown}");
        assert_eq!(reason(&bucket("c").acl_grants), Some(UnreadableReason::NotInSource), "a name S3 does not define");
        let grants = group_grants(bucket("granted"));
        assert_eq!(grants, [("AllUsers".to_owned(), "READ".to_owned()), ("AllUsers".to_owned(), "WRITE".to_owned())], "v3 inline grant blocks");
    }

    #[test]
    fn an_acl_of_an_unknown_bucket_makes_every_buckets_acl_unknown() {
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_s3_bucket.a", json!({"bucket": "a"})),
                resource("aws_s3_bucket_acl.x", json!({"acl": "public-read"}))]}},
            "resource_changes": [change("aws_s3_bucket_acl.x", &["create"], json!({"bucket": true}))],
            "configuration": {"root_module": {"resources": [
                config("aws_s3_bucket_acl.x", json!({"bucket": {"references": ["data.aws_s3_bucket.other.id"]}, "acl": {"constant_value": "public-read"}}))]}}}));
        assert_eq!(reason(&inv.buckets[0].acl_grants), Some(UnreadableReason::UnknownUntilApply));
        assert!(inv.buckets[0].object_ownership.value().is_some(), "what the resource does not set stays known");
    }

    #[test]
    fn lake_stores_alerting_and_delegated_administrators_are_mapped() {
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_cloudtrail_event_data_store.lake", json!({"name": "lake", "retention_period": 365, "termination_protection_enabled": true, "advanced_event_selector": []})),
                resource("aws_organizations_delegated_administrator.ct", json!({"account_id": "111122223333", "service_principal": "cloudtrail.amazonaws.com"})),
                resource("aws_sns_topic.alerts", json!({"name": "alerts"})),
                resource("aws_cloudwatch_event_rule.tamper", json!({"name": "tamper", "event_pattern": "{\"source\":[\"aws.cloudtrail\"]}"})),
                resource("aws_cloudwatch_event_target.sns", json!({"rule": "tamper"})),
                resource("aws_cloudwatch_log_metric_filter.f", json!({"name": "f", "pattern": "{ $.eventName = StopLogging }", "log_group_name": "trail",
                    "metric_transformation": [{"name": "StopLogging", "namespace": "Trail"}]})),
                resource("aws_cloudwatch_metric_alarm.a", json!({"alarm_name": "a", "metric_name": "StopLogging", "namespace": "Trail"}))]}},
            "resource_changes": [
                change("aws_cloudtrail_event_data_store.lake", &["create"], json!({"arn": true, "kms_key_id": true})),
                change("aws_cloudwatch_event_target.sns", &["create"], json!({"arn": true})),
                change("aws_cloudwatch_metric_alarm.a", &["create"], json!({"alarm_actions": [true]}))],
            "configuration": {"root_module": {"resources": [
                config("aws_cloudtrail_event_data_store.lake", json!({"name": {"constant_value": "lake"}})),
                config("aws_sns_topic.alerts", json!({"name": {"constant_value": "alerts"}})),
                config("aws_cloudwatch_event_target.sns", json!({"rule": {"constant_value": "tamper"}, "arn": {"references": ["aws_sns_topic.alerts.arn", "aws_sns_topic.alerts"]}})),
                config("aws_cloudwatch_metric_alarm.a", json!({"alarm_actions": {"references": ["aws_sns_topic.alerts.arn", "aws_sns_topic.alerts"]}}))]}}}));
        let region = &inv.accounts[0].regions[0];
        let store = &region.event_data_stores.value().unwrap()[0];
        let details = store.details.value().expect("known settings; kms_key_id is computed, not configured");
        assert_eq!((details.retention_period, details.multi_region_enabled, details.kms_key_id.as_deref()), (365, true, None));
        let rule = &region.eventbridge_rules.value().unwrap()[0];
        assert_eq!(rule.targets.value().unwrap(), &["arn:aws:sns:us-east-1:000000000000:alerts".to_owned()]);
        assert_eq!(region.metric_filters.value().unwrap()[0].metric_transformations[0].metric_name, "StopLogging");
        assert_eq!(region.alarms.value().unwrap()[0].alarm_actions, ["arn:aws:sns:us-east-1:000000000000:alerts"]);
        let Fact::Value(Some(org)) = &inv.organization else { panic!("a delegated administrator implies the organization") };
        assert_eq!(org.delegated_administrators["cloudtrail.amazonaws.com"].value().unwrap()[0].account_id, "111122223333");
    }

    #[test]
    fn each_event_rule_gets_the_targets_that_name_it_or_refer_to_it() {
        let inv = inventory(json!({"format_version": "1.2",
            "planned_values": {"root_module": {"resources": [
                resource("aws_cloudwatch_event_rule.named", json!({"name": "tamper"})),
                resource("aws_cloudwatch_event_rule.prefixed", json!({})),
                resource("aws_cloudwatch_event_target.first", json!({"rule": "tamper", "arn": "arn:aws:sns:us-east-1:111122223333:first"})),
                resource("aws_cloudwatch_event_target.other_bus", json!({"rule": "tamper", "event_bus_name": "audit", "arn": "arn:aws:sns:us-east-1:111122223333:bus"})),
                resource("aws_cloudwatch_event_target.by_reference", json!({"arn": "arn:aws:sns:us-east-1:111122223333:ref"})),
                resource("aws_cloudwatch_event_target.named_by_reference", json!({"arn": "arn:aws:sns:us-east-1:111122223333:named-ref"})),
                resource("aws_cloudwatch_event_target.second", json!({"rule": "tamper", "arn": "arn:aws:sns:us-east-1:111122223333:second"}))]}},
            "resource_changes": [
                change("aws_cloudwatch_event_rule.prefixed", &["create"], json!({"name": true, "arn": true})),
                change("aws_cloudwatch_event_target.by_reference", &["create"], json!({"rule": true})),
                change("aws_cloudwatch_event_target.named_by_reference", &["create"], json!({"rule": true}))],
            "configuration": {"root_module": {"resources": [
                config("aws_cloudwatch_event_rule.prefixed", json!({"name_prefix": {"constant_value": "tamper-"}})),
                config("aws_cloudwatch_event_target.by_reference", json!({"rule": {"references": ["aws_cloudwatch_event_rule.prefixed.name", "aws_cloudwatch_event_rule.prefixed"]}})),
                config("aws_cloudwatch_event_target.named_by_reference", json!({"rule": {"references": ["aws_cloudwatch_event_rule.named.name", "aws_cloudwatch_event_rule.named"]}}))]}}}));
        let rules = inv.accounts[0].regions[0].eventbridge_rules.value().unwrap();
        let targets =
            |name: &str| rules.iter().find(|r| r.name == name).unwrap_or_else(|| panic!("rule {name}: {rules:?}")).targets.value().unwrap().clone();
        assert_eq!(
            targets("tamper"),
            ["arn:aws:sns:us-east-1:111122223333:first", "arn:aws:sns:us-east-1:111122223333:named-ref", "arn:aws:sns:us-east-1:111122223333:second"],
            "by name and by reference, in plan order, not the other bus's"
        );
        assert_eq!(targets("aws_cloudwatch_event_rule.prefixed"), ["arn:aws:sns:us-east-1:111122223333:ref"]);
    }
}
