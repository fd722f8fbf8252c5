//! The `event_data_store` scope: CloudTrail Lake event data stores, each a subject in its
//! account and region, and the same fields listed in `account.event_data_stores`.

use super::readable::{IntoReadable, Readable};
use super::subject::Subject;
use super::trail::{insights, InsightsView};
use super::unreadable::push_unreadable;
use crate::inventory::{Account, EventDataStore};
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

pub(super) fn event_data_store_fields(store: &EventDataStore) -> EventDataStoreFields {
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

pub(super) fn event_data_store_subject(account: &Account, region: &str, store: &EventDataStore) -> Subject<EventDataStoreView> {
    let view = EventDataStoreView { store: event_data_store_fields(store), account_id: account.id.clone(), region: region.to_owned() };
    let mut unreadable = Vec::new();
    push_unreadable(&mut unreadable, "event_data_store.insights", &store.insight_selectors);
    Subject { resource: ResourceRef::new(store.arn.clone(), ResourceKind::EventDataStore, account.id.clone(), region.to_owned()), view, unreadable }
}
