//! The `account` scope: each scanned account, with every trail that records it (owned, then
//! inherited organization trails) and its CloudTrail Lake event data stores.

use super::context::BuildContext;
use super::event_data_store::{event_data_store_fields, event_data_store_unreadable, EventDataStoreFields};
use super::readable::Readable;
use super::subject::Subject;
use super::trail::{trail_unreadable, trail_view, TrailView};
use super::unreadable::{push_unreadable, UnreadableField};
use crate::inventory::{Account, Fact, PolicyAttachments};
use crate::resource::{ResourceKind, ResourceRef};
use schemars::JsonSchema;
use serde::Serialize;

/// The binding of an `account`-scope rule.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AccountView {
    pub id: String,
    /// The AWS partition (`aws`, `aws-cn`, `aws-us-gov`), for ARNs built by rules.
    pub partition: String,
    pub name: String,
    pub is_management_account: bool,
    /// Every trail that records this account: owned trails first, then organization trails
    /// inherited from the management account.
    pub trails: Vec<TrailView>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub enabled_regions: Readable<Vec<String>>,
    /// Entities with AWSCloudTrail_FullAccess attached as a permissions policy.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cloudtrail_full_access: Readable<PolicyAttachments>,
    /// CloudTrail Lake event data stores in the scanned regions. Unreadable as a whole if any
    /// region's listing failed (a list missing a region's stores would answer `size()`, `all()`
    /// or an absent `exists()` wrongly); a store whose own configuration could not be read is
    /// listed without those fields, so only rules that read them on that store are inconclusive.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub event_data_stores: Readable<Vec<EventDataStoreFields>>,
}

/// The trails that record an account: owned ones first, then inherited organization trails.
///
/// An inherited trail is described from its owner's copy when the owner was scanned: the
/// management account reads its organization trail's status and selectors, which a member
/// account usually may not.
pub(super) fn account_trails(cx: &BuildContext, account: &Account) -> Vec<TrailView> {
    let mut trails: Vec<TrailView> = account.trails.iter().map(|seen| trail_view(cx, account, cx.best_copy(seen))).collect();
    trails.sort_by(|a, b| b.owned.cmp(&a.owned).then_with(|| a.arn.cmp(&b.arn)));
    trails
}

pub(super) fn account_subject(cx: &BuildContext, account: &Account, trails: Vec<TrailView>) -> Subject<AccountView> {
    let view = AccountView {
        id: account.id.clone(),
        partition: cx.inventory.partition.clone(),
        name: account.name.clone(),
        is_management_account: cx.management_account_id == Some(account.id.as_str()),
        trails,
        enabled_regions: (&account.enabled_regions).into(),
        cloudtrail_full_access: (&account.cloudtrail_full_access).into(),
        event_data_stores: account_event_data_stores(account),
    };
    let mut unreadable = Vec::new();
    push_unreadable(&mut unreadable, "account.enabled_regions", &account.enabled_regions);
    push_unreadable(&mut unreadable, "account.cloudtrail_full_access", &account.cloudtrail_full_access);
    for region in &account.regions {
        match &region.event_data_stores {
            Fact::Unreadable(u) => unreadable.push(UnreadableField::labelled(
                "account.event_data_stores",
                format!("account.event_data_stores ({})", region.name),
                u.clone(),
            )),
            Fact::Value(stores) => {
                for store in stores {
                    let label = format!("event data store {} ({})", store.name, region.name);
                    unreadable.extend(event_data_store_unreadable(&event_data_store_fields(store), "account.event_data_stores[]", &label));
                }
            }
        }
    }
    for trail in &view.trails {
        unreadable.extend(trail_unreadable(trail, "account.trails[]"));
    }
    Subject { resource: ResourceRef::new(format!("AWS::::Account:{}", account.id), ResourceKind::Account, &account.id, "global"), view, unreadable }
}

fn account_event_data_stores(account: &Account) -> Readable<Vec<EventDataStoreFields>> {
    let mut stores = Vec::new();
    for region in &account.regions {
        match &region.event_data_stores {
            Fact::Value(found) => stores.extend(found.iter().map(event_data_store_fields)),
            Fact::Unreadable(u) => return Readable::unreadable(u.clone()),
        }
    }
    Readable::value(stores)
}
