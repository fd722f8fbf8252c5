//! Derived views: the inventory reshaped into what rules bind.
//!
//! Each view answers the questions that several rules share (does this trail record all
//! management events? is its bucket in another account?) so that rules stay one-liners.
//! Views are plain serde data; binding.rs turns them into CEL values. Their JSON Schema is
//! what rule conditions are checked against when a rule loads.
//!
//! The view types are the binding contract: one module per scope (organization, account,
//! region, trail, bucket, event data store), each with the code that derives its view. They
//! are re-exported here, where rules and the rule loader name them (`views::TrailView`). The
//! analyses the views are made of (event selector coverage, bucket policy, tamper alerts,
//! duplicate copies of events) are modules of their own, as are the build context
//! (context.rs), resource identity (subject.rs) and unreadable bookkeeping (unreadable.rs).
//! Imports go one way: this file uses the scopes, the scopes use the analyses and those
//! leaves, and no module here imports this file back.

mod account;
mod bucket;
mod context;
mod copies;
mod event_data_store;
pub mod monitoring;
mod organization;
pub mod policy;
pub mod readable;
mod region;
pub mod selectors;
mod subject;
mod trail;
mod unreadable;
pub use unreadable::UnreadableField;

pub use crate::resource::{ResourceKind, ResourceRef};
pub use account::AccountView;
pub use bucket::{BucketView, LifecycleView, VersioningView};
pub use event_data_store::{EventDataStoreFields, EventDataStoreView};
pub use organization::OrganizationView;
pub use region::{RegionTrail, RegionView};
pub use subject::Subject;
pub use trail::{BucketLinkView, InsightsView, KmsKeyView, TrailStatusView, TrailView};

use crate::inventory::{Account, Fact, Inventory, Trail};
use context::BuildContext;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Every subject of an inventory, by scope.
#[derive(Debug, Clone, Default)]
pub struct Subjects {
    pub organization: Vec<Subject<OrganizationView>>,
    pub accounts: Vec<Subject<AccountView>>,
    pub regions: Vec<Subject<RegionView>>,
    pub trails: Vec<Subject<TrailView>>,
    pub buckets: Vec<Subject<BucketView>>,
    pub event_data_stores: Vec<Subject<EventDataStoreView>>,
}

/// One account's subjects: the account, its regions, its event data stores.
type AccountSubjects = (Subject<AccountView>, Vec<Subject<RegionView>>, Vec<Subject<EventDataStoreView>>);

/// Builds every subject of the inventory.
pub fn build(inventory: &Inventory) -> Subjects {
    let cx = BuildContext::new(inventory);
    let mut subjects = Subjects::default();
    let scanned: BTreeSet<&str> = inventory.accounts.iter().map(|a| a.id.as_str()).collect();

    // Accounts are independent of each other: their subjects are built on all cores, and
    // collected in inventory order.
    let per_account: Vec<AccountSubjects> = inventory
        .accounts
        .par_iter()
        .map(|account| {
            let trails = account::account_trails(&cx, account);
            let region_trails: Vec<RegionTrail> = trails.iter().map(RegionTrail::from).collect();
            let trails_unreadable: Vec<UnreadableField> = trails.iter().flat_map(|t| trail::trail_unreadable(t, "region.trails[]")).collect();
            let account_subject = account::account_subject(&cx, account, trails);
            let mut regions = Vec::new();
            let mut stores = Vec::new();
            for region in account.regions.iter().filter(|r| region::region_enabled(account, &r.name)) {
                regions.push(region::region_subject(&cx, account, region, region_trails.clone(), &trails_unreadable));
                if let Fact::Value(listed) = &region.event_data_stores {
                    stores.extend(listed.iter().map(|store| event_data_store::event_data_store_subject(account, &region.name, store)));
                }
            }
            (account_subject, regions, stores)
        })
        .collect();
    for (account, regions, stores) in per_account {
        subjects.accounts.push(account);
        subjects.regions.extend(regions);
        subjects.event_data_stores.extend(stores);
    }

    // Each trail is a subject once, from the copy that judges it (`BuildContext::owned_trails`).
    let owned: Vec<&(&Account, &Trail)> = cx.owned_trails.values().collect();
    subjects.trails = owned.par_iter().map(|(account, trail)| trail::trail_subject(&cx, account, trail)).collect();

    // Buckets named by trails whose owner was scanned.
    let mut bucket_trails: BTreeMap<&str, Vec<&Trail>> = BTreeMap::new();
    for (_, trail) in cx.owned_trails.values() {
        bucket_trails.entry(trail.s3_bucket_name.as_str()).or_default().push(trail);
    }
    // Each bucket's policy is parsed and analysed: buckets too are built on all cores, while
    // the organization's subject (a pass over every member) is built beside them.
    let bucket_trails: Vec<(&str, Vec<&Trail>)> = bucket_trails.into_iter().collect();
    let (buckets, organization) = rayon::join(
        || bucket_trails.par_iter().map(|(name, trails)| bucket::bucket_subject(&cx, name, trails, &scanned)).collect(),
        || organization::organization_subject(&cx),
    );
    subjects.buckets = buckets;
    subjects.organization.push(organization);
    place_in_units(inventory, &mut subjects);
    locate(inventory, &mut subjects);
    subjects
}

/// Names where each subject is declared, when the inventory was read from infrastructure as
/// code.
fn locate(inventory: &Inventory, subjects: &mut Subjects) {
    if inventory.locations.is_empty() {
        return;
    }
    let place = |resource: &mut ResourceRef| resource.location = inventory.locations.get(&resource.arn).cloned();
    let Subjects { organization, accounts, regions, trails, buckets, event_data_stores } = subjects;
    organization.iter_mut().for_each(|s| place(&mut s.resource));
    accounts.iter_mut().for_each(|s| place(&mut s.resource));
    regions.iter_mut().for_each(|s| place(&mut s.resource));
    trails.iter_mut().for_each(|s| place(&mut s.resource));
    buckets.iter_mut().for_each(|s| place(&mut s.resource));
    event_data_stores.iter_mut().for_each(|s| place(&mut s.resource));
}

/// Names each subject's organizational unit: the unit of the account it is in. The
/// organization's own subject is in no unit.
fn place_in_units(inventory: &Inventory, subjects: &mut Subjects) {
    let Fact::Value(Some(organization)) = &inventory.organization else { return };
    let units = organization.unit_paths();
    if units.is_empty() {
        return;
    }
    let place = |resource: &mut ResourceRef| resource.organizational_unit = units.get(resource.account.as_str()).map(|path| (*path).to_owned());
    let Subjects { organization: _, accounts, regions, trails, buckets, event_data_stores } = subjects;
    accounts.iter_mut().for_each(|s| place(&mut s.resource));
    regions.iter_mut().for_each(|s| place(&mut s.resource));
    trails.iter_mut().for_each(|s| place(&mut s.resource));
    buckets.iter_mut().for_each(|s| place(&mut s.resource));
    event_data_stores.iter_mut().for_each(|s| place(&mut s.resource));
}
