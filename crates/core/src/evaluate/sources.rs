//! Which inventory facts each binding field is derived from: the bridge from what a rule's
//! conditions read to the API calls the scan must make for it.

/// Binding path prefix → inventory facts (see inventory::reads). The longest matching prefix
/// wins; paths inside lists of trails are first rewritten to `trail.`.
const SOURCES: &[(&str, &[&str])] = &[
    ("organization", &["organization"]),
    ("organization.accounts", &["organization.accounts"]),
    ("organization.cloudtrail_delegated_administrators", &["organization.delegated_administrators"]),
    ("organization.trusted_service_principals", &["organization.trusted_service_principals"]),
    ("organization.accounts_without_own_multi_region_trail", &["organization.accounts", "trail.status", "trail.event_selectors"]),
    ("account", &[]),
    ("account.is_management_account", &["organization"]),
    ("account.enabled_regions", &["account.enabled_regions"]),
    ("account.cloudtrail_full_access", &["account.cloudtrail_full_access"]),
    ("account.event_data_stores", &["region.event_data_stores"]),
    ("account.event_data_stores[].insights", &["region.event_data_stores.insight_selectors"]),
    ("region", &[]),
    ("region.trails_listed", &["region.trail_arns"]),
    ("region.home_of_owned_trail", &["trail"]),
    ("region.trail_log_groups", &["trail"]),
    ("region.cloudtrail_event_rules", &["region.eventbridge_rules"]),
    ("region.metric_filters", &["region.metric_filters", "region.alarms"]),
    ("trail", &["trail"]),
    ("trail.tags", &["trail.tags"]),
    ("trail.is_logging", &["trail.status"]),
    ("trail.status", &["trail.status"]),
    ("trail.management_events", &["trail.event_selectors"]),
    ("trail.s3_data_events", &["trail.event_selectors"]),
    ("trail.lambda_data_events", &["trail.event_selectors"]),
    ("trail.uses_advanced_selectors", &["trail.event_selectors"]),
    ("trail.logs_data_events", &["trail.event_selectors"]),
    ("trail.data_events_via_basic_selectors", &["trail.event_selectors"]),
    ("trail.insights", &["trail.insight_selectors"]),
    ("trail.kms_key", &["kms_key.metadata"]),
    ("trail.bucket", &["bucket.owner_account_id"]),
    ("trail.bucket.in_management_account", &["bucket.owner_account_id", "organization"]),
    ("trail.bucket.owner_in_organization", &["bucket.owner_account_id", "organization.accounts"]),
    ("trail.other_logging_multi_region_trail", &["trail.status"]),
    ("trail.duplicates_management_events_of", &["trail.status", "trail.event_selectors"]),
    ("trail.data_events_also_recorded_by_other_trails", &["trail.status", "trail.event_selectors"]),
    ("bucket", &[]),
    ("bucket.account_id", &["bucket.owner_account_id"]),
    ("bucket.region", &["bucket.region"]),
    ("bucket.trail_arns", &["trail"]),
    ("bucket.trails_use_kms", &["trail"]),
    ("bucket.log_prefixes", &["trail"]),
    ("bucket.versioning", &["bucket.versioning"]),
    ("bucket.lifecycle", &["bucket.lifecycle"]),
    ("bucket.encryption_rules", &["bucket.encryption"]),
    ("bucket.object_lock", &["bucket.object_lock"]),
    ("bucket.public_access_block", &["bucket.public_access_block", "account.public_access_block"]),
    ("bucket.policy", &["bucket.policy"]),
    ("bucket.policy_analysis", &["bucket.policy"]),
    ("bucket.policy_is_public", &["bucket.policy_is_public"]),
    ("bucket.public_acl_grants", &["bucket.acl_grants"]),
    ("bucket.object_ownership", &["bucket.object_ownership"]),
    ("bucket.logging", &["bucket.logging"]),
    ("event_data_store", &["region.event_data_stores"]),
    ("event_data_store.insights", &["region.event_data_stores.insight_selectors"]),
];

/// Lists of trails inside other bindings; their elements are trails.
const TRAIL_LISTS: [&str; 3] = ["account.trails[]", "region.trails[]", "organization.organization_trails[]"];

/// The inventory facts a binding path is derived from.
pub fn facts_for(path: &str) -> &'static [&'static str] {
    let mut path = path.to_owned();
    for list in TRAIL_LISTS {
        if let Some(rest) = path.strip_prefix(list) {
            path = format!("trail{rest}");
        }
    }
    if path == "account.trails" || path == "region.trails" || path == "organization.organization_trails" {
        return &["trail"];
    }
    SOURCES
        .iter()
        .filter(|(prefix, _)| path == *prefix || path.starts_with(&format!("{prefix}.")) || path.starts_with(&format!("{prefix}[]")))
        .max_by_key(|(prefix, _)| prefix.len())
        .map_or(&[], |(_, facts)| facts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::reads;

    #[test]
    fn every_source_fact_is_a_declared_read() {
        for (prefix, facts) in SOURCES {
            for fact in *facts {
                assert!(reads::by_fact(fact).is_some(), "{prefix} names undeclared fact {fact}");
            }
        }
    }

    #[test]
    fn every_binding_field_has_a_source() {
        use crate::rules::{load::scope_shape, shape::Shape, Scope};
        fn walk(shape: &Shape, path: &str, out: &mut Vec<String>) {
            if let Shape::Object(fields) = shape {
                for (name, child) in fields {
                    let child_path = format!("{path}.{name}");
                    out.push(child_path.clone());
                    if let Shape::List(inner) = child {
                        if matches!(**inner, Shape::Object(_)) && !TRAIL_LISTS.contains(&format!("{child_path}[]").as_str()) {
                            walk(inner, &format!("{child_path}[]"), out);
                        }
                    }
                }
            }
        }
        for scope in Scope::ALL {
            let mut paths = Vec::new();
            walk(scope_shape(scope), scope.variable(), &mut paths);
            for path in paths {
                let facts = facts_for(&path);
                let plain = [
                    "id",
                    "name",
                    "arn",
                    "account_id",
                    "home_region",
                    "in_organization",
                    "management_account_id",
                    "feature_set",
                    "status",
                    "retention_period",
                ];
                let leaf = path.rsplit('.').next().unwrap_or_default();
                assert!(
                    !facts.is_empty()
                        || plain.contains(&leaf)
                        || path.starts_with("account.")
                        || path.starts_with("region.")
                        || path.starts_with("bucket."),
                    "binding field {path} has no source fact"
                );
            }
        }
    }

    #[test]
    fn trail_lists_map_to_trail_facts() {
        assert_eq!(facts_for("account.trails[].is_logging"), ["trail.status"]);
        assert_eq!(facts_for("region.trails[].management_events.all"), ["trail.event_selectors"]);
        assert_eq!(facts_for("bucket.versioning.mfa_delete_enabled"), ["bucket.versioning"]);
        assert_eq!(facts_for("trail.is_multi_region"), ["trail"]);
    }
}
