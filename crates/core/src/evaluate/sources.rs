//! Which inventory facts each binding field is derived from: the bridge from what a rule's
//! conditions and templates read to the API calls a scan must make for it (and to the
//! least-privilege policy). Every field a rule can name has an entry here, list elements
//! included; a test walks every scope's binding schema and fails on a field without one, so a
//! new view field cannot silently be left unread by a live scan.

use crate::inventory::FactId::{self, *};

/// Binding path → the facts it is derived from. A path matches its own entry, or the entry of
/// the nearest enclosing *field* (an object or list field's entry covers what is inside it);
/// a scope's variable alone (`trail`, `bucket`, ...) covers nothing but itself. Paths inside
/// lists of trails are first read as `trail.` paths.
const SOURCES: &[(&str, &[FactId])] = &[
    // organization
    ("organization", &[Organization]),
    ("organization.in_organization", &[Organization]),
    ("organization.id", &[Organization]),
    ("organization.arn", &[Organization]),
    ("organization.management_account_id", &[Organization]),
    ("organization.feature_set", &[Organization]),
    ("organization.accounts", &[OrganizationAccounts]),
    ("organization.cloudtrail_delegated_administrators", &[OrganizationDelegatedAdministrators]),
    ("organization.trusted_service_principals", &[OrganizationTrustedServicePrincipals]),
    ("organization.organization_trails", &[Trail]),
    ("organization.accounts_without_own_multi_region_trail", &[OrganizationAccounts, TrailStatus, TrailEventSelectors]),
    // account: the subject is a scan target (the caller's account, or one of the organization's
    // accounts that an organization scan lists to find its targets)
    ("account", &[Caller]),
    ("account.id", &[Caller]),
    ("account.partition", &[Caller]),
    ("account.name", &[Caller]),
    ("account.is_management_account", &[Organization]),
    ("account.trails", &[Trail]),
    ("account.enabled_regions", &[AccountEnabledRegions]),
    ("account.cloudtrail_full_access", &[AccountCloudTrailFullAccess]),
    ("account.event_data_stores", &[RegionEventDataStores]),
    ("account.event_data_stores[].status", &[RegionEventDataStores, EventDataStoreDetails]),
    ("account.event_data_stores[].multi_region_enabled", &[RegionEventDataStores, EventDataStoreDetails]),
    ("account.event_data_stores[].organization_enabled", &[RegionEventDataStores, EventDataStoreDetails]),
    ("account.event_data_stores[].retention_period", &[RegionEventDataStores, EventDataStoreDetails]),
    ("account.event_data_stores[].termination_protection_enabled", &[RegionEventDataStores, EventDataStoreDetails]),
    ("account.event_data_stores[].billing_mode", &[RegionEventDataStores, EventDataStoreDetails]),
    ("account.event_data_stores[].kms_key_id", &[RegionEventDataStores, EventDataStoreDetails]),
    ("account.event_data_stores[].insights", &[RegionEventDataStores, EventDataStoreInsightSelectors]),
    // region: one enabled region of one account
    ("region", &[AccountEnabledRegions]),
    ("region.name", &[AccountEnabledRegions]),
    ("region.account_id", &[AccountEnabledRegions]),
    ("region.trails", &[Trail]),
    ("region.trails_listed", &[RegionTrailArns]),
    ("region.home_of_owned_trail", &[Trail]),
    ("region.trail_log_groups", &[Trail]),
    ("region.cloudtrail_event_rules", &[RegionEventBridgeRules]),
    ("region.metric_filters", &[RegionMetricFilters, RegionAlarms]),
    // trail: as DescribeTrails lists it, plus what is read for it by ARN
    ("trail", &[Trail]),
    ("trail.account_id", &[Trail]),
    ("trail.arn", &[Trail]),
    ("trail.name", &[Trail]),
    ("trail.home_region", &[Trail]),
    ("trail.owned", &[Trail]),
    ("trail.inherited", &[Trail]),
    ("trail.is_organization_trail", &[Trail]),
    ("trail.is_multi_region", &[Trail]),
    ("trail.include_global_service_events", &[Trail]),
    ("trail.log_file_validation_enabled", &[Trail]),
    ("trail.kms_key_id", &[Trail]),
    ("trail.s3_key_prefix", &[Trail]),
    ("trail.sns_topic_arn", &[Trail]),
    ("trail.cloud_watch_logs_log_group_arn", &[Trail]),
    ("trail.cloud_watch_logs_role_arn", &[Trail]),
    ("trail.tags", &[TrailTags]),
    ("trail.is_logging", &[TrailStatus]),
    ("trail.status", &[TrailStatus]),
    ("trail.management_events", &[TrailEventSelectors]),
    ("trail.s3_data_events", &[TrailEventSelectors]),
    ("trail.lambda_data_events", &[TrailEventSelectors]),
    ("trail.uses_advanced_selectors", &[TrailEventSelectors]),
    ("trail.logs_data_events", &[TrailEventSelectors]),
    ("trail.data_events_via_basic_selectors", &[TrailEventSelectors]),
    ("trail.insights", &[TrailInsightSelectors]),
    ("trail.kms_key", &[KmsKeyMetadata]),
    ("trail.bucket", &[BucketOwner]),
    ("trail.bucket.in_management_account", &[BucketOwner, Organization]),
    ("trail.bucket.owner_in_organization", &[BucketOwner, OrganizationAccounts]),
    ("trail.other_logging_multi_region_trail", &[TrailStatus]),
    ("trail.duplicates_management_events_of", &[TrailStatus, TrailEventSelectors]),
    ("trail.data_events_also_recorded_by_other_trails", &[TrailStatus, TrailEventSelectors]),
    // bucket: a subject because a trail delivers to it
    ("bucket", &[Trail]),
    ("bucket.name", &[Trail]),
    ("bucket.arn", &[Trail]),
    ("bucket.account_id", &[BucketOwner]),
    ("bucket.region", &[BucketRegion]),
    ("bucket.trail_arns", &[Trail]),
    ("bucket.trails_use_kms", &[Trail]),
    ("bucket.log_prefixes", &[Trail]),
    ("bucket.versioning", &[BucketVersioning]),
    ("bucket.lifecycle", &[BucketLifecycle]),
    ("bucket.encryption_rules", &[BucketEncryption]),
    ("bucket.object_lock", &[BucketObjectLock]),
    ("bucket.public_access_block", &[BucketPublicAccessBlock, AccountPublicAccessBlock]),
    ("bucket.policy", &[BucketPolicy]),
    ("bucket.policy_analysis", &[BucketPolicy]),
    ("bucket.policy_is_public", &[BucketPolicyIsPublic]),
    ("bucket.public_acl_grants", &[BucketAclGrants]),
    ("bucket.object_ownership", &[BucketObjectOwnership]),
    ("bucket.logging", &[BucketLogging]),
    // event data store
    ("event_data_store", &[RegionEventDataStores]),
    ("event_data_store.arn", &[RegionEventDataStores]),
    ("event_data_store.name", &[RegionEventDataStores]),
    ("event_data_store.account_id", &[RegionEventDataStores]),
    ("event_data_store.region", &[RegionEventDataStores]),
    // read for each listed store by its ARN: the store must be listed first
    ("event_data_store.status", &[RegionEventDataStores, EventDataStoreDetails]),
    ("event_data_store.multi_region_enabled", &[RegionEventDataStores, EventDataStoreDetails]),
    ("event_data_store.organization_enabled", &[RegionEventDataStores, EventDataStoreDetails]),
    ("event_data_store.retention_period", &[RegionEventDataStores, EventDataStoreDetails]),
    ("event_data_store.termination_protection_enabled", &[RegionEventDataStores, EventDataStoreDetails]),
    ("event_data_store.billing_mode", &[RegionEventDataStores, EventDataStoreDetails]),
    ("event_data_store.kms_key_id", &[RegionEventDataStores, EventDataStoreDetails]),
    ("event_data_store.insights", &[RegionEventDataStores, EventDataStoreInsightSelectors]),
];

/// Lists of trails inside other bindings; their elements are trails.
const TRAIL_LISTS: [&str; 3] = ["account.trails[]", "region.trails[]", "organization.organization_trails[]"];

/// The inventory facts a binding path is derived from; empty for a path no binding has.
pub fn facts_for(path: &str) -> &'static [FactId] {
    let rewritten;
    let mut path = path;
    for list in TRAIL_LISTS {
        if let Some(rest) = path.strip_prefix(list) {
            rewritten = format!("trail{rest}");
            path = &rewritten;
            break;
        }
    }
    source(path).map_or(&[], |(_, facts)| facts)
}

/// The entry a path takes its facts from: its own, or its nearest enclosing field's.
fn source(path: &str) -> Option<&'static (&'static str, &'static [FactId])> {
    SOURCES
        .iter()
        .filter(|(entry, _)| {
            path == *entry || (entry.contains('.') && (path.starts_with(&format!("{entry}.")) || path.starts_with(&format!("{entry}[]"))))
        })
        .max_by_key(|(entry, _)| entry.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{load::scope_shape, shape::Shape, Scope};

    /// Every path a rule can name under `path`: fields, and the fields of list elements.
    fn walk(shape: &Shape, path: &str, out: &mut Vec<String>) {
        match shape {
            Shape::Object(fields) => {
                for (name, child) in fields {
                    let child_path = format!("{path}.{name}");
                    out.push(child_path.clone());
                    walk(child, &child_path, out);
                }
            }
            Shape::List(inner) => walk(inner, &format!("{path}[]"), out),
            _ => {}
        }
    }

    /// Every scope's variable and every path under it.
    fn binding_paths() -> Vec<String> {
        let mut paths = Vec::new();
        for scope in Scope::ALL {
            paths.push(scope.variable().to_owned());
            walk(scope_shape(scope), scope.variable(), &mut paths);
        }
        paths
    }

    #[test]
    fn every_binding_field_has_a_source() {
        let missing: Vec<String> = binding_paths().into_iter().filter(|path| facts_for(path).is_empty()).collect();
        assert!(missing.is_empty(), "binding fields without a source fact (add them to SOURCES): {missing:#?}");
    }

    #[test]
    fn every_entry_names_a_binding_field() {
        let paths = binding_paths();
        for (entry, _) in SOURCES {
            assert!(paths.iter().any(|p| p == entry), "SOURCES entry {entry} is no binding field");
        }
    }

    #[test]
    fn fields_take_their_own_or_their_enclosing_fields_facts() {
        assert_eq!(facts_for("account.trails[].is_logging"), [TrailStatus]);
        assert_eq!(facts_for("region.trails[].management_events.all"), [TrailEventSelectors]);
        assert_eq!(facts_for("bucket.versioning.mfa_delete_enabled"), [BucketVersioning]);
        assert_eq!(facts_for("trail.bucket.in_management_account"), [BucketOwner, Organization]);
        assert_eq!(facts_for("trail.is_multi_region"), [Trail]);
        // An event data store's details are read for the stores the listing found.
        assert_eq!(facts_for("event_data_store.kms_key_id"), [RegionEventDataStores, EventDataStoreDetails]);
        assert_eq!(facts_for("account.event_data_stores[].status"), [RegionEventDataStores, EventDataStoreDetails]);
        assert_eq!(facts_for("account.event_data_stores[].name"), [RegionEventDataStores]);
        // A scope's variable covers only itself: a field without an entry has no source.
        assert!(facts_for("bucket.no_such_field").is_empty());
        assert!(facts_for("nothing").is_empty());
    }
}
