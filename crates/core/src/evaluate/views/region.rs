//! The `region` scope: each enabled region of each account, with the trails that record it and
//! the tamper alerts that live there (EventBridge rules, metric filters and alarms, from
//! monitoring.rs).

use super::context::BuildContext;
use super::monitoring::{self, AlarmedMetricFilter, CloudTrailEventRule};
use super::readable::{IntoReadable, Readable};
use super::selectors::ManagementCoverage;
use super::subject::Subject;
use super::trail::TrailView;
use super::unreadable::{push_unreadable, UnreadableField};
use crate::inventory::{Account, Fact, RegionInventory, TrailSetting};
use crate::resource::{ResourceKind, ResourceRef};
use schemars::JsonSchema;
use serde::Serialize;

/// The binding of a `region`-scope rule: one enabled region of one account.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RegionView {
    pub name: String,
    pub account_id: String,
    /// The trails of `account.trails`, each with what tells whether and how it records this
    /// region (a trail's other facts are for account- and trail-scope rules). Kept small on
    /// purpose: an organization has four to seventeen region subjects per account, each
    /// bound on its own.
    pub trails: Vec<RegionTrail>,
    /// True when DescribeTrails answered in this region; absent (inconclusive) when it did not.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub trails_listed: Readable<bool>,
    /// The home region of a trail this account owns (where StopLogging / DeleteTrail of that
    /// trail can be called, so where a tamper alert must live).
    pub home_of_owned_trail: bool,
    /// Names of the CloudWatch Logs log groups that this account's trails homed here deliver
    /// to; absent when infrastructure as code leaves one of them to deployment.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub trail_log_groups: Readable<Vec<String>>,
    /// EventBridge rules on CloudTrail API calls to cloudtrail.amazonaws.com.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cloudtrail_event_rules: Readable<Vec<CloudTrailEventRule>>,
    /// CloudWatch Logs metric filters with the alarms on their metrics.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub metric_filters: Readable<Vec<AlarmedMetricFilter>>,
}

/// A trail as a region subject sees it (`region.trails`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RegionTrail {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    /// The account that owns the trail.
    pub account_id: String,
    /// Owned by the account it is seen from (false for an inherited organization trail).
    pub owned: bool,
    /// An organization trail seen from a member account.
    pub inherited: bool,
    /// Absent when infrastructure as code leaves it to deployment (as `TrailView`).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub is_organization_trail: Readable<bool>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub is_multi_region: Readable<bool>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cloud_watch_logs_log_group_arn: Readable<Option<String>>,
    /// GetTrailStatus.IsLogging, or what infrastructure as code declares (as `TrailView`).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub is_logging: Readable<bool>,
    /// Management events recorded (docs/architecture.md §4).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub management_events: Readable<ManagementCoverage>,
}

impl From<&TrailView> for RegionTrail {
    fn from(t: &TrailView) -> RegionTrail {
        RegionTrail {
            arn: t.arn.clone(),
            name: t.name.clone(),
            home_region: t.home_region.clone(),
            account_id: t.account_id.clone(),
            owned: t.owned,
            inherited: t.inherited,
            is_organization_trail: t.is_organization_trail.clone(),
            is_multi_region: t.is_multi_region.clone(),
            cloud_watch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn.clone(),
            is_logging: t.is_logging.clone(),
            management_events: t.management_events.clone(),
        }
    }
}

pub(super) fn region_enabled(account: &Account, region: &str) -> bool {
    match &account.enabled_regions {
        Fact::Value(regions) => regions.iter().any(|r| r == region),
        // Unknown: keep the region, its rules will say what could not be read.
        Fact::Unreadable(_) => true,
    }
}

pub(super) fn region_subject(
    cx: &BuildContext,
    account: &Account,
    region: &RegionInventory,
    trails: Vec<RegionTrail>,
    trails_unreadable: &[UnreadableField],
) -> Subject<RegionView> {
    let view = RegionView {
        name: region.name.clone(),
        account_id: account.id.clone(),
        home_of_owned_trail: account.trails.iter().any(|t| t.owner_account_id() == account.id && t.home_region == region.name),
        trail_log_groups: Readable(
            account
                .trails
                .iter()
                .filter(|t| t.owner_account_id() == account.id && t.home_region == region.name)
                .map(|t| t.checked(TrailSetting::CloudWatchLogsLogGroupArn, t.cloud_watch_logs_log_group_arn.as_deref()))
                .filter_map(|arn| arn.map(|arn| arn.and_then(log_group_name)).transpose())
                .collect::<Result<_, _>>()
                .map_err(Clone::clone),
        ),
        trails,
        trails_listed: (&region.trail_arns).into_readable().map(|_| true),
        cloudtrail_event_rules: (&region.eventbridge_rules).into_readable().map(|rules| monitoring::cloudtrail_event_rules(&rules)),
        // Without the alarms, each filter's alarms are unknown, not the filters themselves.
        metric_filters: match &region.metric_filters {
            Fact::Value(filters) => Readable::value(monitoring::alarmed_metric_filters(filters, &region.alarms)),
            Fact::Unreadable(u) => Readable::unreadable(u.clone()),
        },
    };
    let mut unreadable = Vec::new();
    push_unreadable(&mut unreadable, "region.trails_listed", &region.trail_arns);
    push_unreadable(&mut unreadable, "region.cloudtrail_event_rules", &region.eventbridge_rules);
    push_unreadable(&mut unreadable, "region.metric_filters", &region.metric_filters);
    if let Err(u) = &view.trail_log_groups.0 {
        unreadable.push(UnreadableField::new("region.trail_log_groups", u.clone()));
    }
    if let Fact::Unreadable(u) = &region.alarms {
        let label = "region.metric_filters (alarms)".to_owned();
        unreadable.push(UnreadableField::labelled("region.metric_filters[].alarms_with_actions", label, u.clone()));
    }
    unreadable.extend_from_slice(trails_unreadable);
    Subject {
        resource: ResourceRef::new(
            format!("arn:{}:cloudtrail:{}:{}:trail", cx.inventory.partition, region.name, account.id),
            ResourceKind::Region,
            &account.id,
            &region.name,
        ),
        view,
        unreadable,
    }
}

/// The log group name in a CloudTrail `CloudWatchLogsLogGroupArn`
/// (`arn:aws:logs:<region>:<account>:log-group:<name>:*`).
fn log_group_name(arn: &str) -> Option<String> {
    let rest = arn.split(":log-group:").nth(1)?;
    Some(rest.trim_end_matches(":*").to_owned())
}
