//! One account: its enabled regions, what each scanned region lists, and account-wide facts.

use super::clients::Session;
use super::{cloudtrail, monitoring, s3, unreadable_fact, Collector};
use trailwarden_core::inventory::{Account, Fact, FactId, PolicyAttachments, RegionInventory};

pub async fn collect(c: &Collector, s: &Session, wanted: Option<&[String]>) -> Account {
    let enabled = enabled_regions(c, s).await;
    let regions: Vec<String> = match (&enabled, wanted) {
        (Fact::Value(enabled), Some(wanted)) => wanted.iter().filter(|r| enabled.contains(r)).cloned().collect(),
        (Fact::Value(enabled), None) => enabled.clone(),
        (Fact::Unreadable(_), Some(wanted)) => wanted.to_vec(),
        // Without the account's list (an SCP denying `account:*`, a role older than the
        // action), the Regions every account of the partition has: the scan does not shrink
        // to one Region. The gap stays recorded, and the user is told.
        (Fact::Unreadable(why), None) => {
            let defaults = enabled_by_default(&c.partition);
            let regions: Vec<String> =
                if defaults.is_empty() { vec![c.home_region.clone()] } else { defaults.iter().map(|r| (*r).to_owned()).collect() };
            c.progress.warn(&format!(
                "account {}: the enabled Regions could not be read ({why}); scanning the {} Region(s) enabled by default in the {} partition \
                 ({}), not the opt-in Regions the account may have enabled",
                s.account_id,
                regions.len(),
                c.partition,
                regions.join(", ")
            ));
            regions
        }
    };
    c.progress.add_work(regions.len() as u64);

    let region_reads = regions.iter().map(|r| async move {
        let inventory = region(c, s, r).await;
        c.progress.done_one();
        inventory
    });
    let (mut regions, owned_bucket_names, public_access_block, cloudtrail_full_access) = tokio::join!(
        futures::future::join_all(region_reads),
        s3::owned_bucket_names(c, s),
        s3::account_public_access_block(c, s),
        cloudtrail_full_access(c, s),
    );
    regions.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    let trails = cloudtrail::unique_trails(&regions);
    Account {
        id: s.account_id.clone(),
        name: String::new(),
        enabled_regions: enabled,
        regions: regions.into_iter().map(|(inventory, _)| inventory).collect(),
        trails,
        owned_bucket_names,
        public_access_block,
        cloudtrail_full_access,
    }
}

/// What one region lists, with the trails DescribeTrails returned there (details come later).
async fn region(c: &Collector, s: &Session, name: &str) -> (RegionInventory, Vec<aws_sdk_cloudtrail::types::Trail>) {
    let alerting = async {
        let trails = cloudtrail::describe_trails(c, s, name).await;
        // Alerting on trail changes only matters where the account's own trails are homed
        // (StopLogging, UpdateTrail and DeleteTrail are called there); when the scan's rules
        // read these facts nowhere else, the other regions are not listed.
        let homed_here = match &trails {
            Ok(listed) => {
                listed.iter().any(|t| t.home_region() == Some(name) && t.trail_arn().and_then(|a| a.split(':').nth(4)) == Some(s.account_id.as_str()))
            }
            Err(_) => true, // unknown: read them
        };
        if c.alerting_home_regions_only && !homed_here {
            const WHY: &str = "no trail of the account is homed in this region, and no rule of this scan reads it here";
            let rules = FactId::RegionEventBridgeRules.not_collected(WHY);
            let filters = FactId::RegionMetricFilters.not_collected(WHY);
            let alarms = FactId::RegionAlarms.not_collected(WHY);
            return (trails, rules, filters, alarms);
        }
        let (rules, filters, alarms) =
            tokio::join!(monitoring::eventbridge_rules(c, s, name), monitoring::metric_filters(c, s, name), monitoring::alarms(c, s, name));
        (trails, rules, filters, alarms)
    };
    let ((trails, eventbridge_rules, metric_filters, alarms), event_data_stores) = tokio::join!(alerting, cloudtrail::event_data_stores(c, s, name));
    let (trail_arns, listed) = match trails {
        Ok(trails) => {
            let mut arns: Vec<String> = trails.iter().filter_map(|t| t.trail_arn().map(str::to_owned)).collect();
            arns.sort();
            (Fact::Value(arns), trails)
        }
        Err(u) => (Fact::Unreadable(u), Vec::new()),
    };
    let inventory = RegionInventory { name: name.to_owned(), trail_arns, event_data_stores, eventbridge_rules, metric_filters, alarms };
    (inventory, listed)
}

/// The Regions enabled by default in every account of a partition: those AWS introduced before
/// 20 March 2019, which cannot be disabled; the later ones are opt-in
/// (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html). Empty for
/// a partition not known here.
fn enabled_by_default(partition: &str) -> &'static [&'static str] {
    match partition {
        "aws" => &[
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-southeast-1",
            "ap-southeast-2",
            "ca-central-1",
            "eu-central-1",
            "eu-north-1",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ],
        "aws-cn" => &["cn-north-1", "cn-northwest-1"],
        "aws-us-gov" => &["us-gov-east-1", "us-gov-west-1"],
        _ => &[],
    }
}

/// account:ListRegions, the Regions enabled and enabled by default (docs/architecture.md §3: a
/// multi-Region trail covers only these). The catalogue's alternative, ec2:DescribeRegions,
/// is not read: it needs the EC2 SDK, by far the largest service crate, for one call.
async fn enabled_regions(c: &Collector, s: &Session) -> Fact<Vec<String>> {
    use aws_sdk_account::types::RegionOptStatus;
    let client = s.account(&c.global_region);
    let mut regions = Vec::new();
    let mut token = None;
    loop {
        let call = client
            .list_regions()
            .region_opt_status_contains(RegionOptStatus::Enabled)
            .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
            .set_next_token(token)
            .send();
        match c.limiter.run(&s.account_id, call).await {
            Ok(page) => {
                regions.extend(page.regions().iter().filter_map(|r| r.region_name().map(str::to_owned)));
                token = page.next_token;
                if token.is_none() {
                    regions.sort();
                    return Fact::Value(regions);
                }
            }
            Err(err) => return unreadable_fact(FactId::AccountEnabledRegions.api(), &err),
        }
    }
}

/// iam:ListEntitiesForPolicy on AWSCloudTrail_FullAccess, as a permissions policy only.
async fn cloudtrail_full_access(c: &Collector, s: &Session) -> Fact<PolicyAttachments> {
    if let Some(skipped) = c.skip(FactId::AccountCloudTrailFullAccess) {
        return skipped;
    }
    use aws_sdk_iam::types::PolicyUsageType;
    let client = s.iam(&c.home_region);
    let policy_arn = format!("arn:{}:iam::aws:policy/AWSCloudTrail_FullAccess", c.partition);
    let mut out = PolicyAttachments::default();
    let mut marker = None;
    loop {
        let call = client
            .list_entities_for_policy()
            .policy_arn(&policy_arn)
            .policy_usage_filter(PolicyUsageType::PermissionsPolicy)
            .set_marker(marker)
            .send();
        match c.limiter.run(&s.account_id, call).await {
            Ok(page) => {
                out.users.extend(page.policy_users().iter().filter_map(|u| u.user_name().map(str::to_owned)));
                out.groups.extend(page.policy_groups().iter().filter_map(|g| g.group_name().map(str::to_owned)));
                out.roles.extend(page.policy_roles().iter().filter_map(|r| r.role_name().map(str::to_owned)));
                if !page.is_truncated() {
                    break;
                }
                marker = page.marker;
            }
            Err(err) => return unreadable_fact(FactId::AccountCloudTrailFullAccess.api(), &err),
        }
    }
    out.users.sort();
    out.groups.sort();
    out.roles.sort();
    Fact::Value(out)
}
