//! Which trails deliver the same events in the same region: the first copy of management
//! events is free, every further copy is billed, and so is every copy of data events.
//! Read by the trail view (`duplicates_management_events_of`,
//! `data_events_also_recorded_by_other_trails`); it judges each trail by its best copy, from
//! the build context, and imports nothing of the views themselves.
//!
//! It reads trails' plain settings, not `Trail::setting`: these facts are about the account's
//! other trails, which only a live scan lists, and a live scan knows every setting
//! (infrastructure as code makes them unreadable first: `about_other_trails` in trail.rs).

use super::context::BuildContext;
use super::selectors;
use crate::inventory::{Account, Fact, Trail};

/// Regions a trail delivers events for, among the account's scanned regions.
fn covered_regions<'a>(trail: &Trail, account: &'a Account) -> Vec<&'a str> {
    account.regions.iter().map(|r| r.name.as_str()).filter(|r| trail.is_multi_region_trail || trail.home_region == *r).collect()
}

fn is_logging(trail: &Trail) -> bool {
    trail.is_logging() == Ok(true)
}

fn delivers_management_events(trail: &Trail) -> bool {
    is_logging(trail) && selectors::management_coverage(trail.has_custom_event_selectors, trail.event_selectors.value()).is_some_and(|m| m.any)
}

/// The full baseline of CT-SECURITY-TRAIL, used to choose the primary copy.
fn meets_baseline(trail: &Trail) -> bool {
    trail.is_multi_region_trail
        && trail.include_global_service_events
        && trail.log_file_validation_enabled
        && trail.kms_key_id.is_some()
        && selectors::management_coverage(trail.has_custom_event_selectors, trail.event_selectors.value()).is_some_and(|m| m.all)
}

/// Among trails delivering management events in one region: the organization trail, else one
/// meeting the full baseline, else a multi-Region one, else the first by ARN.
fn primary<'t>(candidates: &[&'t Trail]) -> &'t Trail {
    let rank = |t: &Trail| (!t.is_organization_trail, !meets_baseline(t), !t.is_multi_region_trail, t.arn.clone());
    candidates.iter().min_by_key(|t| rank(t)).copied().expect("called with at least one candidate")
}

/// The primary copy's name when `trail` is a secondary copy of management events for `account`
/// in some region it covers.
pub(super) fn primary_elsewhere(cx: &BuildContext, account: &Account, trail: &Trail) -> Option<String> {
    if !delivers_management_events(trail) {
        return None;
    }
    let trails: Vec<&Trail> = account.trails.iter().map(|t| cx.best_copy(t)).filter(|t| delivers_management_events(t)).collect();
    for region in covered_regions(trail, account) {
        let here: Vec<&Trail> = trails.iter().copied().filter(|t| t.is_multi_region_trail || t.home_region == region).collect();
        if here.len() > 1 {
            let first = primary(&here);
            if first.arn != trail.arn {
                return Some(first.name.clone());
            }
        }
    }
    None
}

/// Data-event resource types this trail records that another logging trail of the account also
/// records in a region they both cover.
pub(super) fn shared_data_event_types(cx: &BuildContext, account: &Account, trail: &Trail) -> Vec<String> {
    const TYPES: [&str; 2] = ["AWS::S3::Object", "AWS::Lambda::Function"];
    let records = |t: &Trail, kind: &str| match &t.event_selectors {
        Fact::Value(s) => is_logging(t) && selectors::data_coverage(s, kind, &[]).any,
        Fact::Unreadable(_) => false,
    };
    let mine = covered_regions(trail, account);
    TYPES
        .iter()
        .filter(|kind| records(trail, kind))
        .filter(|kind| {
            account
                .trails
                .iter()
                .map(|t| cx.best_copy(t))
                .filter(|t| t.arn != trail.arn)
                .any(|other| records(other, kind) && covered_regions(other, account).iter().any(|r| mine.contains(r)))
        })
        .map(|kind| (*kind).to_owned())
        .collect()
}
