//! The `trail` scope: each trail as rules see it, as a subject of its own (from its owner's
//! copy) and as an element of `account.trails` and `organization.organization_trails`.

use super::context::BuildContext;
use super::copies;
use super::readable::{IntoReadable, Readable};
use super::selectors::{self, DataEventCoverage, ManagementCoverage};
use super::subject::Subject;
use super::unreadable::{not_collected, UnreadableField};
use crate::inventory::{Account, EventSelectors, Fact, InsightSelector, Trail, TrailSetting, TrailStatus, Unreadable, UnreadableReason};
use crate::resource::{ResourceKind, ResourceRef};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// The binding of a `trail`-scope rule, and each element of `account.trails`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrailView {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    /// The account that owns the trail.
    pub account_id: String,
    /// Owned by the account it is seen from (false for an inherited organization trail).
    pub owned: bool,
    /// An organization trail seen from a member account.
    pub inherited: bool,
    /// This and the next eight settings are absent when infrastructure as code leaves them
    /// to deployment (`Trail.unknown_settings`).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub is_organization_trail: Readable<bool>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub is_multi_region: Readable<bool>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub include_global_service_events: Readable<bool>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub log_file_validation_enabled: Readable<bool>,
    /// The customer managed key that encrypts log files; null for SSE-S3.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub kms_key_id: Readable<Option<String>>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cloud_watch_logs_log_group_arn: Readable<Option<String>>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cloud_watch_logs_role_arn: Readable<Option<String>>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub sns_topic_arn: Readable<Option<String>>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub s3_key_prefix: Readable<Option<String>>,
    /// ListTags: read only when a rule names them.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub tags: Readable<BTreeMap<String, String>>,
    /// GetTrailStatus.IsLogging; for infrastructure as code, what the source declares
    /// (`declared_logging`) while `status` stays absent.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub is_logging: Readable<bool>,
    /// GetTrailStatus, with ages in hours measured from the snapshot's collection time.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub status: Readable<TrailStatusView>,
    /// Management events recorded (docs/architecture.md §4).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub management_events: Readable<ManagementCoverage>,
    /// S3 object-level data events recorded.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub s3_data_events: Readable<DataEventCoverage>,
    /// Lambda Invoke data events recorded.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub lambda_data_events: Readable<DataEventCoverage>,
    /// The trail is configured with advanced event selectors.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub uses_advanced_selectors: Readable<bool>,
    /// Data events of any resource type are recorded.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub logs_data_events: Readable<bool>,
    /// Some data events are selected with basic event selectors.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub data_events_via_basic_selectors: Readable<bool>,
    /// Insight types enabled on the trail.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub insights: Readable<InsightsView>,
    /// kms:DescribeKey of `kms_key_id`; null when the trail has no key.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub kms_key: Readable<Option<KmsKeyView>>,
    /// The bucket the trail delivers to.
    pub bucket: BucketLinkView,
    /// Another trail recording the owner account is multi-Region and known to be logging
    /// (used to judge how much a stopped trail matters). This and the next two facts are
    /// about the account's other trails: absent when the inventory does not list them all
    /// (infrastructure as code).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub other_logging_multi_region_trail: Readable<bool>,
    /// When another logging trail also delivers management events for the owner account in a
    /// region this trail covers, and that trail is the primary copy (the organization trail,
    /// else the full-baseline trail, else a multi-Region one): its name. Null when this trail
    /// is the only or the primary copy everywhere (CT-DUPLICATE-MGMT-EVENTS).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub duplicates_management_events_of: Readable<Option<String>>,
    /// Data-event resource types (`AWS::S3::Object`, `AWS::Lambda::Function`) that another
    /// logging trail also records in a region this trail covers (each copy is billed).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub data_events_also_recorded_by_other_trails: Readable<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TrailStatusView {
    #[serde(flatten)]
    pub status: TrailStatus,
    pub latest_delivery_age_hours: Option<f64>,
    pub latest_digest_delivery_age_hours: Option<f64>,
    pub latest_cloud_watch_logs_delivery_age_hours: Option<f64>,
    pub start_logging_age_hours: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct InsightsView {
    pub api_call_rate: bool,
    pub api_error_rate: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KmsKeyView {
    pub arn: String,
    pub key_state: String,
    pub key_manager: String,
}

/// Where a trail's logs go, and who owns that place.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BucketLinkView {
    pub name: String,
    pub arn: String,
    /// The account that owns the bucket.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub account_id: Readable<String>,
    /// The bucket is owned by another account than the trail's.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cross_account: Readable<bool>,
    /// The bucket is owned by the organization's management account.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub in_management_account: Readable<bool>,
    /// The bucket does not exist (any more): logs go nowhere, or to whoever registers the name.
    pub missing: bool,
    /// The bucket's owner is an account of the organization (false outside an organization).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub owner_in_organization: Readable<bool>,
}

/// A trail's subject, judged from the copy given (its owner's).
pub(super) fn trail_subject(cx: &BuildContext, account: &Account, trail: &Trail) -> Subject<TrailView> {
    let view = trail_view(cx, account, trail);
    let unreadable = trail_unreadable(&view, "trail");
    Subject {
        resource: ResourceRef::new(trail.arn.clone(), ResourceKind::Trail, trail.owner_account_id().to_owned(), trail.home_region.clone()),
        view,
        unreadable,
    }
}

/// A trail as seen from `account`.
pub(super) fn trail_view(cx: &BuildContext, account: &Account, trail: &Trail) -> TrailView {
    let owner = trail.owner_account_id().to_owned();
    let owned = owner == account.id;
    let selectors = trail.event_selectors.value();
    let management_events = match selectors::management_coverage(trail.has_custom_event_selectors, selectors) {
        Some(coverage) => Readable::value(coverage),
        None => Readable::unreadable(trail.event_selectors.unreadable().cloned().expect("coverage is only unknown when selectors are unreadable")),
    };
    TrailView {
        arn: trail.arn.clone(),
        name: trail.name.clone(),
        home_region: trail.home_region.clone(),
        account_id: owner.clone(),
        owned,
        // Only a live scan sees a trail from an account that does not own it, and a live
        // scan knows every setting.
        inherited: !owned && trail.is_organization_trail,
        is_organization_trail: setting(trail, TrailSetting::IsOrganizationTrail, &trail.is_organization_trail),
        is_multi_region: setting(trail, TrailSetting::IsMultiRegionTrail, &trail.is_multi_region_trail),
        include_global_service_events: setting(trail, TrailSetting::IncludeGlobalServiceEvents, &trail.include_global_service_events),
        log_file_validation_enabled: setting(trail, TrailSetting::LogFileValidationEnabled, &trail.log_file_validation_enabled),
        kms_key_id: setting(trail, TrailSetting::KmsKeyId, &trail.kms_key_id),
        cloud_watch_logs_log_group_arn: setting(trail, TrailSetting::CloudWatchLogsLogGroupArn, &trail.cloud_watch_logs_log_group_arn),
        cloud_watch_logs_role_arn: setting(trail, TrailSetting::CloudWatchLogsRoleArn, &trail.cloud_watch_logs_role_arn),
        sns_topic_arn: setting(trail, TrailSetting::SnsTopicArn, &trail.sns_topic_arn),
        s3_key_prefix: setting(trail, TrailSetting::S3KeyPrefix, &trail.s3_key_prefix),
        tags: (&trail.tags).into_readable(),
        is_logging: Readable(trail.is_logging().map_err(Clone::clone)),
        status: (&trail.status).into_readable().map(|s| status_view(s, cx.inventory.collected_at)),
        management_events,
        s3_data_events: selector_fact(trail, |s| selectors::data_coverage(s, "AWS::S3::Object", &cx.s3_all)),
        lambda_data_events: selector_fact(trail, |s| selectors::data_coverage(s, "AWS::Lambda::Function", &cx.lambda_all)),
        uses_advanced_selectors: selector_fact(trail, |s| !s.advanced.is_empty()),
        logs_data_events: selector_fact(trail, selectors::logs_data_events),
        data_events_via_basic_selectors: selector_fact(trail, |s| s.basic.iter().any(|b| !b.data_resources.is_empty())),
        insights: if trail.has_insight_selectors {
            (&trail.insight_selectors).into_readable().map(|s| insights(&s))
        } else {
            Readable::value(InsightsView::default())
        },
        kms_key: match trail.checked(TrailSetting::KmsKeyId, trail.kms_key_id.as_deref()) {
            Ok(key_id) => kms_key_view(cx, key_id),
            Err(unknown) => Readable::unreadable(unknown.clone()),
        },
        bucket: bucket_link(cx, &owner, &trail.s3_bucket_name),
        other_logging_multi_region_trail: about_other_trails(account, || {
            account
                .trails
                .iter()
                .map(|other| cx.best_copy(other))
                .any(|other| other.arn != trail.arn && other.is_multi_region_trail && other.is_logging() == Ok(true))
        }),
        duplicates_management_events_of: about_other_trails(account, || copies::primary_elsewhere(cx, account, trail)),
        data_events_also_recorded_by_other_trails: about_other_trails(account, || copies::shared_data_event_types(cx, account, trail)),
    }
}

/// A setting of the trail (`value`, its field), absent when the source leaves it to deployment.
fn setting<T: Clone>(trail: &Trail, setting: TrailSetting, value: &T) -> Readable<T> {
    Readable(trail.checked(setting, value).cloned().map_err(Clone::clone))
}

/// A fact about the account's other trails: unreadable when the inventory does not list them
/// (a template or plan declares some trails and says nothing of the others), since the trails
/// it does hold are then not all there are.
fn about_other_trails<T>(account: &Account, f: impl FnOnce() -> T) -> Readable<T> {
    let unlisted = account.regions.iter().find_map(|r| r.trail_arns.unreadable().filter(|u| u.reason == UnreadableReason::NotInSource));
    match unlisted {
        Some(u) => Readable::unreadable(u.clone()),
        None => Readable::value(f()),
    }
}

/// A fact computed from a trail's event selectors. Without custom selectors the trail has
/// AWS's default (all management events, no data events) whether or not GetEventSelectors
/// answered, so such facts are known even when the call failed.
fn selector_fact<T>(trail: &Trail, f: impl FnOnce(&EventSelectors) -> T) -> Readable<T> {
    match &trail.event_selectors {
        Fact::Value(s) => Readable::value(f(s)),
        Fact::Unreadable(_) if !trail.has_custom_event_selectors => Readable::value(f(&EventSelectors::default())),
        Fact::Unreadable(u) => Readable::unreadable(u.clone()),
    }
}

fn status_view(status: TrailStatus, now: DateTime<Utc>) -> TrailStatusView {
    let age = |t: Option<DateTime<Utc>>| t.map(|t| (now - t).num_seconds() as f64 / 3600.0);
    TrailStatusView {
        latest_delivery_age_hours: age(status.latest_delivery_time),
        latest_digest_delivery_age_hours: age(status.latest_digest_delivery_time),
        latest_cloud_watch_logs_delivery_age_hours: age(status.latest_cloud_watch_logs_delivery_time),
        start_logging_age_hours: age(status.start_logging_time),
        status,
    }
}

pub(super) fn insights(selectors: &[InsightSelector]) -> InsightsView {
    let management = |s: &&InsightSelector| s.event_categories.is_empty() || s.event_categories.iter().any(|c| c == "Management");
    let has = |kind: &str| selectors.iter().filter(management).any(|s| s.insight_type == kind);
    InsightsView { api_call_rate: has("ApiCallRateInsight"), api_error_rate: has("ApiErrorRateInsight") }
}

fn kms_key_view(cx: &BuildContext, key_id: Option<&str>) -> Readable<Option<KmsKeyView>> {
    let Some(key_id) = key_id else { return Readable::value(None) };
    match cx.keys.get(key_id).map(|k| &k.metadata) {
        Some(Fact::Value(m)) => {
            Readable::value(Some(KmsKeyView { arn: m.arn.clone(), key_state: m.key_state.clone(), key_manager: m.key_manager.clone() }))
        }
        Some(Fact::Unreadable(u)) => Readable::unreadable(u.clone()),
        None => Readable::unreadable(not_collected("kms:DescribeKey", key_id)),
    }
}

fn bucket_owner(cx: &BuildContext, name: &str) -> Readable<String> {
    match cx.buckets.get(name) {
        Some(bucket) => (&bucket.owner_account_id).into(),
        None => Readable::unreadable(not_collected("s3:HeadBucket", &format!("bucket {name}"))),
    }
}

fn bucket_link(cx: &BuildContext, trail_account: &str, name: &str) -> BucketLinkView {
    let owner = bucket_owner(cx, name);
    BucketLinkView {
        name: name.to_owned(),
        arn: format!("arn:{}:s3:::{name}", cx.inventory.partition),
        cross_account: owner.clone().map(|o| o != trail_account),
        in_management_account: match &cx.inventory.organization {
            Fact::Unreadable(u) => Readable::unreadable(u.clone()),
            _ => owner.clone().map(|o| Some(o.as_str()) == cx.management_account_id),
        },
        missing: matches!(&owner.0, Err(u) if u.reason == UnreadableReason::NotFound),
        owner_in_organization: match &cx.inventory.organization {
            Fact::Unreadable(u) => Readable::unreadable(u.clone()),
            Fact::Value(None) => owner.clone().map(|_| false),
            Fact::Value(Some(org)) => match &org.accounts {
                Fact::Unreadable(u) => Readable::unreadable(u.clone()),
                Fact::Value(_) => owner.clone().map(|o| cx.members.as_ref().is_some_and(|members| members.contains(o.as_str()))),
            },
        },
        account_id: owner,
    }
}

/// The unreadable facts of a trail view, named by their path.
pub(super) fn trail_unreadable(view: &TrailView, prefix: &str) -> Vec<UnreadableField> {
    let fields: [(&str, Option<&Unreadable>); 27] = [
        ("is_organization_trail", view.is_organization_trail.0.as_ref().err()),
        ("is_multi_region", view.is_multi_region.0.as_ref().err()),
        ("include_global_service_events", view.include_global_service_events.0.as_ref().err()),
        ("log_file_validation_enabled", view.log_file_validation_enabled.0.as_ref().err()),
        ("kms_key_id", view.kms_key_id.0.as_ref().err()),
        ("cloud_watch_logs_log_group_arn", view.cloud_watch_logs_log_group_arn.0.as_ref().err()),
        ("cloud_watch_logs_role_arn", view.cloud_watch_logs_role_arn.0.as_ref().err()),
        ("sns_topic_arn", view.sns_topic_arn.0.as_ref().err()),
        ("s3_key_prefix", view.s3_key_prefix.0.as_ref().err()),
        ("tags", view.tags.0.as_ref().err()),
        ("is_logging", view.is_logging.0.as_ref().err()),
        ("status", view.status.0.as_ref().err()),
        ("management_events", view.management_events.0.as_ref().err()),
        ("s3_data_events", view.s3_data_events.0.as_ref().err()),
        ("lambda_data_events", view.lambda_data_events.0.as_ref().err()),
        ("logs_data_events", view.logs_data_events.0.as_ref().err()),
        ("data_events_via_basic_selectors", view.data_events_via_basic_selectors.0.as_ref().err()),
        ("uses_advanced_selectors", view.uses_advanced_selectors.0.as_ref().err()),
        ("insights", view.insights.0.as_ref().err()),
        ("kms_key", view.kms_key.0.as_ref().err()),
        ("bucket.account_id", view.bucket.account_id.0.as_ref().err()),
        ("bucket.cross_account", view.bucket.cross_account.0.as_ref().err()),
        ("bucket.in_management_account", view.bucket.in_management_account.0.as_ref().err()),
        ("bucket.owner_in_organization", view.bucket.owner_in_organization.0.as_ref().err()),
        ("other_logging_multi_region_trail", view.other_logging_multi_region_trail.0.as_ref().err()),
        ("duplicates_management_events_of", view.duplicates_management_events_of.0.as_ref().err()),
        ("data_events_also_recorded_by_other_trails", view.data_events_also_recorded_by_other_trails.0.as_ref().err()),
    ];
    // One entry per distinct failed read: is_logging and status share GetTrailStatus, and the
    // selector facts share GetEventSelectors, and a rule names the field it reads.
    // `prefix` is where the trail is bound: `trail` for its own subject, or a list of trails
    // (`account.trails[]`), whose element the message names.
    fields
        .into_iter()
        .filter_map(|(field, u)| u.map(|u| UnreadableField::labelled(format!("{prefix}.{field}"), format!("trail {} {field}", view.name), u.clone())))
        .collect()
}
