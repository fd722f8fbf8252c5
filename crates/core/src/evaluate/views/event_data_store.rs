//! The `event_data_store` scope: CloudTrail Lake event data stores, each a subject in its
//! account and region, and the same fields listed in `account.event_data_stores`.
//!
//! A store is listed (ARN and name) by its region's ListEventDataStores; its configuration is
//! read by ARN (GetEventDataStore), which can fail for one store alone: its configuration
//! fields are then unreadable (absent from the binding) while its ARN and name, and every other
//! store, stay readable.

use super::readable::{IntoReadable, Readable};
use super::subject::Subject;
use super::trail::{insights, InsightsView};
use super::unreadable::UnreadableField;
use crate::inventory::{Account, EventDataStore, EventDataStoreDetails, Fact, Unreadable};
use crate::resource::{ResourceKind, ResourceRef};
use schemars::JsonSchema;
use serde::Serialize;

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
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub status: Readable<String>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub retention_period: Readable<i64>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub billing_mode: Readable<Option<String>>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub termination_protection_enabled: Readable<bool>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub multi_region_enabled: Readable<bool>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub organization_enabled: Readable<bool>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub kms_key_id: Readable<Option<String>>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub insights: Readable<InsightsView>,
}

pub(super) fn event_data_store_fields(store: &EventDataStore) -> EventDataStoreFields {
    let details = &store.details;
    EventDataStoreFields {
        arn: store.arn.clone(),
        name: store.name.clone(),
        status: detail(details, |d| d.status.clone()),
        retention_period: detail(details, |d| d.retention_period),
        billing_mode: detail(details, |d| d.billing_mode.clone()),
        termination_protection_enabled: detail(details, |d| d.termination_protection_enabled),
        multi_region_enabled: detail(details, |d| d.multi_region_enabled),
        organization_enabled: detail(details, |d| d.organization_enabled),
        kms_key_id: detail(details, |d| d.kms_key_id.clone()),
        insights: (&store.insight_selectors).into_readable().map(|s| insights(&s)),
    }
}

/// One field of a store's GetEventDataStore answer, unreadable when that read failed.
fn detail<T>(details: &Fact<EventDataStoreDetails>, field: impl FnOnce(&EventDataStoreDetails) -> T) -> Readable<T> {
    Readable(details.as_result().map(field).map_err(Unreadable::clone))
}

/// The unreadable fields of a store bound at `prefix` (`event_data_store` for its own subject,
/// `account.event_data_stores[]` in the account's list), named in messages as `label` and the
/// field (`event data store audit-lake kms_key_id`).
pub(super) fn event_data_store_unreadable(store: &EventDataStoreFields, prefix: &str, label: &str) -> Vec<UnreadableField> {
    let fields: [(&str, Option<&Unreadable>); 8] = [
        ("status", store.status.0.as_ref().err()),
        ("retention_period", store.retention_period.0.as_ref().err()),
        ("billing_mode", store.billing_mode.0.as_ref().err()),
        ("termination_protection_enabled", store.termination_protection_enabled.0.as_ref().err()),
        ("multi_region_enabled", store.multi_region_enabled.0.as_ref().err()),
        ("organization_enabled", store.organization_enabled.0.as_ref().err()),
        ("kms_key_id", store.kms_key_id.0.as_ref().err()),
        ("insights", store.insights.0.as_ref().err()),
    ];
    // A rule names the field it reads; fields of one failed read (GetEventDataStore) are said
    // once in a message.
    fields
        .into_iter()
        .filter_map(|(field, u)| u.map(|u| UnreadableField::labelled(format!("{prefix}.{field}"), format!("{label} {field}"), u.clone())))
        .collect()
}

pub(super) fn event_data_store_subject(account: &Account, region: &str, store: &EventDataStore) -> Subject<EventDataStoreView> {
    let view = EventDataStoreView { store: event_data_store_fields(store), account_id: account.id.clone(), region: region.to_owned() };
    let unreadable = event_data_store_unreadable(&view.store, "event_data_store", &format!("event data store {}", store.name));
    Subject { resource: ResourceRef::new(store.arn.clone(), ResourceKind::EventDataStore, account.id.clone(), region.to_owned()), view, unreadable }
}
