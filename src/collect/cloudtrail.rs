//! CloudTrail: trails (listed in every region with shadow copies, de-duplicated by ARN, details
//! read once in the home region by ARN) and CloudTrail Lake event data stores.

use super::clients::Session;
use super::errors::unreadable;
use super::{time, unreadable_fact, Collector};
use aws_sdk_cloudtrail::types as sdk;
use std::collections::{BTreeMap, HashMap};
use trailwarden_core::inventory::{
    Account, AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventDataStore, EventDataStoreDetails, EventSelector, EventSelectors, Fact,
    FactId, InsightSelector, Organization, RegionInventory, Trail, TrailStatus, Unreadable, UnreadableReason,
};

/// cloudtrail:DescribeTrails with shadow copies (the API default, made explicit).
pub async fn describe_trails(c: &Collector, s: &Session, region: &str) -> Result<Vec<sdk::Trail>, Unreadable> {
    let call = s.cloudtrail(region).describe_trails().include_shadow_trails(true).send();
    match c.limiter.run(&s.account_id, call).await {
        Ok(out) => Ok(out.trail_list().to_vec()),
        Err(err) => Err(unreadable(FactId::Trail.api(), &err)),
    }
}

/// The account's trails from all its regions' listings, de-duplicated by ARN, with details
/// still to be read.
pub fn unique_trails(regions: &[(RegionInventory, Vec<sdk::Trail>)]) -> Vec<Trail> {
    let mut trails: BTreeMap<String, Trail> = BTreeMap::new();
    for (_, listed) in regions {
        for t in listed {
            let Some(arn) = t.trail_arn() else { continue };
            trails.entry(arn.to_owned()).or_insert_with(|| trail(t));
        }
    }
    trails.into_values().collect()
}

fn pending() -> Unreadable {
    Unreadable { reason: UnreadableReason::Error, api: None, detail: Some("not read".to_owned()) }
}

fn trail(t: &sdk::Trail) -> Trail {
    Trail {
        arn: t.trail_arn().unwrap_or_default().to_owned(),
        name: t.name().unwrap_or_default().to_owned(),
        home_region: t.home_region().unwrap_or_default().to_owned(),
        s3_bucket_name: t.s3_bucket_name().unwrap_or_default().to_owned(),
        s3_key_prefix: t.s3_key_prefix().map(str::to_owned),
        sns_topic_arn: t.sns_topic_arn().map(str::to_owned),
        include_global_service_events: t.include_global_service_events().unwrap_or(false),
        is_multi_region_trail: t.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: t.is_organization_trail().unwrap_or(false),
        log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: t.kms_key_id().map(str::to_owned),
        cloud_watch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_owned),
        cloud_watch_logs_role_arn: t.cloud_watch_logs_role_arn().map(str::to_owned),
        has_custom_event_selectors: t.has_custom_event_selectors().unwrap_or(false),
        has_insight_selectors: t.has_insight_selectors().unwrap_or(false),
        tags: Fact::Unreadable(pending()),
        status: Fact::Unreadable(pending()),
        declared_logging: None,
        unknown_settings: BTreeMap::new(),
        event_selectors: Fact::Unreadable(pending()),
        insight_selectors: Fact::Unreadable(pending()),
    }
}

/// The details of one trail, as read by one account.
#[derive(Clone)]
pub struct Details {
    status: Fact<TrailStatus>,
    event_selectors: Fact<EventSelectors>,
    insight_selectors: Fact<Vec<InsightSelector>>,
    tags: Fact<BTreeMap<String, String>>,
}

/// The details of every listed trail: for each account, for each of its trails, in order.
pub struct TrailDetails(Vec<Vec<Details>>);

impl TrailDetails {
    /// Fills the trails of `accounts` (the accounts they were read for) with their details.
    pub fn apply(self, accounts: &mut [Account]) {
        for (account, details) in accounts.iter_mut().zip(self.0) {
            for (t, found) in account.trails.iter_mut().zip(details) {
                t.status = found.status;
                t.event_selectors = found.event_selectors;
                t.insight_selectors = found.insight_selectors;
                t.tags = found.tags;
            }
        }
    }
}

/// Reads each trail's status and selectors once. The reader is the trail's owner when the
/// owner was scanned, else a CloudTrail delegated administrator that was scanned (both can
/// read organization trails); other accounts listing the trail share that reading. A trail
/// that neither can read is read by every account that lists it, with what each may see: a
/// member may read the organization trail's status by its ARN, not its selectors or tags.
/// When a delegated administrator's read of a fact fails, the account listing the trail reads
/// it as a fallback, and an unreadable fact says as which account(s) it was read.
/// Needs only what DescribeTrails listed, so it runs beside the bucket and key reads.
pub async fn read_trail_details(
    c: &Collector,
    sessions: &[Session],
    organization: &Fact<Option<Organization>>,
    accounts: &[Account],
) -> TrailDetails {
    let scanned: HashMap<&str, &Session> = sessions.iter().map(|s| (s.account_id.as_str(), s)).collect();
    let delegated: Vec<&str> = match organization {
        Fact::Value(Some(org)) => org
            .delegated_administrators
            .get("cloudtrail.amazonaws.com")
            .and_then(Fact::value)
            .map(|admins| admins.iter().map(|a| a.account_id.as_str()).filter(|id| scanned.contains_key(id)).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let reader_of = |lister: &str, t: &Trail| -> Reader {
        let owner = t.owner_account_id();
        if scanned.contains_key(owner) {
            Reader { account: owner.to_owned(), role: Role::Owner }
        } else if let (true, Some(admin)) = (t.is_organization_trail, delegated.first()) {
            Reader { account: (*admin).to_owned(), role: Role::DelegatedAdministrator }
        } else {
            Reader { account: lister.to_owned(), role: Role::Lister }
        }
    };
    // (reader account, trail ARN) → the trail as listed.
    let mut jobs: BTreeMap<(String, String), Trail> = BTreeMap::new();
    for account in accounts.iter() {
        for t in &account.trails {
            jobs.entry((reader_of(&account.id, t).account, t.arn.clone())).or_insert_with(|| t.clone());
        }
    }
    let done = read_all(c, &scanned, &jobs).await;
    // A delegated administrator's failed reads, read again by the account listing the trail.
    let mut fallbacks: BTreeMap<(String, String), Trail> = BTreeMap::new();
    for account in accounts.iter() {
        for t in &account.trails {
            let reader = reader_of(&account.id, t);
            if reader.role == Role::DelegatedAdministrator && reader.account != account.id && done[&(reader.account, t.arn.clone())].failed() {
                fallbacks.entry((account.id.clone(), t.arn.clone())).or_insert_with(|| t.clone());
            }
        }
    }
    let fallback_done = read_all(c, &scanned, &fallbacks).await;
    TrailDetails(
        accounts
            .iter()
            .map(|account| {
                account
                    .trails
                    .iter()
                    .map(|t| {
                        let reader = reader_of(&account.id, t);
                        let read = done.get(&(reader.account.clone(), t.arn.clone())).cloned().expect("every listed trail has a reader");
                        let read = read.labelled(&reader.view(&account.id));
                        match fallback_done.get(&(account.id.clone(), t.arn.clone())) {
                            Some(fallback) => {
                                read.or(fallback.clone().labelled(&Reader { account: account.id.clone(), role: Role::Lister }.view(&account.id)))
                            }
                            None => read,
                        }
                    })
                    .collect()
            })
            .collect(),
    )
}

/// Reads the details of each (reader, trail) job.
async fn read_all(c: &Collector, scanned: &HashMap<&str, &Session>, jobs: &BTreeMap<(String, String), Trail>) -> HashMap<(String, String), Details> {
    let reads = jobs.iter().map(|((reader, _), t)| async move {
        let session = scanned[reader.as_str()];
        (reader.clone(), t.arn.clone(), details(c, session, t).await)
    });
    c.limiter.all(reads).await.into_iter().map(|(reader, arn, d)| ((reader, arn), d)).collect()
}

/// The account whose view of a trail the details are, and why it is the one.
struct Reader {
    account: String,
    role: Role,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Owner,
    DelegatedAdministrator,
    Lister,
}

impl Reader {
    /// "read as 111122223333 (a CloudTrail delegated administrator)", for the messages of the
    /// facts `lister` could not get; empty when the lister read them itself.
    fn view(&self, lister: &str) -> String {
        match self.role {
            Role::Owner if self.account != lister => format!("read as {} (the trail's owner)", self.account),
            Role::DelegatedAdministrator => format!("read as {} (a CloudTrail delegated administrator)", self.account),
            Role::Lister if self.account == lister => format!("read as {lister} (the account listing the trail)"),
            _ => String::new(),
        }
    }
}

impl Details {
    /// True when a fact the scan needed could not be read.
    fn failed(&self) -> bool {
        fn bad<T>(f: &Fact<T>) -> bool {
            matches!(f, Fact::Unreadable(u) if u.reason != UnreadableReason::NotCollected)
        }
        bad(&self.status) || bad(&self.event_selectors) || bad(&self.insight_selectors) || bad(&self.tags)
    }

    /// Each unreadable fact's detail prefixed with the view it was read from.
    fn labelled(self, view: &str) -> Details {
        fn label<T>(f: Fact<T>, view: &str) -> Fact<T> {
            match f {
                Fact::Unreadable(mut u) if !view.is_empty() && u.reason != UnreadableReason::NotCollected => {
                    u.detail = Some(format!("{view}: {}", u.detail.unwrap_or_default()));
                    Fact::Unreadable(u)
                }
                other => other,
            }
        }
        Details {
            status: label(self.status, view),
            event_selectors: label(self.event_selectors, view),
            insight_selectors: label(self.insight_selectors, view),
            tags: label(self.tags, view),
        }
    }

    /// Each fact from `self` when read, else from `fallback` when that read it; when neither
    /// did, both views' failures are said.
    fn or(self, fallback: Details) -> Details {
        fn pick<T>(first: Fact<T>, second: Fact<T>) -> Fact<T> {
            match (first, second) {
                (Fact::Unreadable(a), Fact::Unreadable(b)) if a.reason != UnreadableReason::NotCollected => Fact::Unreadable(Unreadable {
                    reason: a.reason,
                    api: a.api.or(b.api),
                    detail: Some(format!("{}; {}", a.detail.unwrap_or_default(), b.detail.unwrap_or_default())),
                }),
                (Fact::Unreadable(a), Fact::Value(v)) if a.reason != UnreadableReason::NotCollected => Fact::Value(v),
                (first, _) => first,
            }
        }
        Details {
            status: pick(self.status, fallback.status),
            event_selectors: pick(self.event_selectors, fallback.event_selectors),
            insight_selectors: pick(self.insight_selectors, fallback.insight_selectors),
            tags: pick(self.tags, fallback.tags),
        }
    }
}

async fn details(c: &Collector, s: &Session, t: &Trail) -> Details {
    let client = s.cloudtrail(&t.home_region);
    let account = s.account_id.as_str();
    let status = c.read(
        account,
        FactId::TrailStatus,
        client.get_trail_status().name(&t.arn).send(),
        |out| TrailStatus {
            is_logging: out.is_logging().unwrap_or(false),
            latest_delivery_error: out.latest_delivery_error().map(str::to_owned),
            latest_delivery_time: out.latest_delivery_time().and_then(time),
            latest_notification_error: out.latest_notification_error().map(str::to_owned),
            latest_notification_time: out.latest_notification_time().and_then(time),
            start_logging_time: out.start_logging_time().and_then(time),
            stop_logging_time: out.stop_logging_time().and_then(time),
            latest_cloud_watch_logs_delivery_error: out.latest_cloud_watch_logs_delivery_error().map(str::to_owned),
            latest_cloud_watch_logs_delivery_time: out.latest_cloud_watch_logs_delivery_time().and_then(time),
            latest_digest_delivery_time: out.latest_digest_delivery_time().and_then(time),
            latest_digest_delivery_error: out.latest_digest_delivery_error().map(str::to_owned),
        },
        None,
    );
    let selectors = c.read(
        account,
        FactId::TrailEventSelectors,
        client.get_event_selectors().trail_name(&t.arn).send(),
        |out| EventSelectors {
            basic: out.event_selectors().iter().map(event_selector).collect(),
            advanced: out.advanced_event_selectors().iter().map(advanced_selector).collect(),
        },
        None,
    );
    let insights = async {
        // Without insight selectors the call fails with InsightNotEnabledException: none to read.
        if !t.has_insight_selectors {
            return c.skip(FactId::TrailInsightSelectors).unwrap_or(Fact::Value(Vec::new()));
        }
        c.read(
            account,
            FactId::TrailInsightSelectors,
            client.get_insight_selectors().trail_name(&t.arn).send(),
            |out| out.insight_selectors().iter().map(insight_selector).collect(),
            Some(("InsightNotEnabledException", Vec::new())),
        )
        .await
    };
    let tags = c.read(
        account,
        FactId::TrailTags,
        client.list_tags().resource_id_list(&t.arn).send(),
        |out| {
            let listed = out.resource_tag_list().iter().find(|r| r.resource_id() == Some(t.arn.as_str()));
            listed
                .map(|r| r.tags_list().iter().map(|tag| (tag.key().to_owned(), tag.value().unwrap_or_default().to_owned())).collect())
                .unwrap_or_default()
        },
        None,
    );
    let (status, event_selectors, insight_selectors, tags) = tokio::join!(status, selectors, insights, tags);
    Details { status, event_selectors, insight_selectors, tags }
}

fn event_selector(s: &sdk::EventSelector) -> EventSelector {
    EventSelector {
        read_write_type: s.read_write_type().map_or("All", |r| r.as_str()).to_owned(),
        include_management_events: s.include_management_events().unwrap_or(true),
        data_resources: s
            .data_resources()
            .iter()
            .map(|r| DataResource { resource_type: r.r#type().unwrap_or_default().to_owned(), values: r.values().to_vec() })
            .collect(),
        exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
    }
}

fn advanced_selector(s: &sdk::AdvancedEventSelector) -> AdvancedEventSelector {
    AdvancedEventSelector {
        name: s.name().map(str::to_owned),
        field_selectors: s
            .field_selectors()
            .iter()
            .map(|f| AdvancedFieldSelector {
                field: f.field().to_owned(),
                equals: f.equals().to_vec(),
                starts_with: f.starts_with().to_vec(),
                ends_with: f.ends_with().to_vec(),
                not_equals: f.not_equals().to_vec(),
                not_starts_with: f.not_starts_with().to_vec(),
                not_ends_with: f.not_ends_with().to_vec(),
            })
            .collect(),
    }
}

fn insight_selector(s: &sdk::InsightSelector) -> InsightSelector {
    InsightSelector {
        insight_type: s.insight_type().map(|t| t.as_str().to_owned()).unwrap_or_default(),
        event_categories: s.event_categories().iter().map(|c| c.as_str().to_owned()).collect(),
    }
}

/// cloudtrail:ListEventDataStores, then GetEventDataStore and GetInsightSelectors for each
/// listed store. Only a failed listing makes the region's list unreadable: IAM evaluates
/// GetEventDataStore against each store's ARN, so a read can fail for one store alone, which
/// then stays listed (ARN and name) with its configuration unreadable.
pub async fn event_data_stores(c: &Collector, s: &Session, region: &str) -> Fact<Vec<EventDataStore>> {
    if let Some(skipped) = c.skip(FactId::RegionEventDataStores) {
        return skipped;
    }
    let client = s.cloudtrail(region);
    // ARN → name, as listed (ListEventDataStores returns only these two).
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    let mut token = None;
    loop {
        match c.limiter.run(&s.account_id, client.list_event_data_stores().set_next_token(token).send()).await {
            Ok(page) => {
                for store in page.event_data_stores() {
                    if let Some(arn) = store.event_data_store_arn() {
                        listed.insert(arn.to_owned(), store.name().unwrap_or_default().to_owned());
                    }
                }
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
            Err(err) => return unreadable_fact(FactId::RegionEventDataStores.api(), &err),
        }
    }
    let reads = listed.into_iter().map(|(arn, name)| event_data_store(c, s, &client, arn, name));
    Fact::Value(futures::future::join_all(reads).await)
}

/// One listed store's configuration and Insights selectors, each read on its own.
async fn event_data_store(c: &Collector, s: &Session, client: &aws_sdk_cloudtrail::Client, arn: String, name: String) -> EventDataStore {
    let account = s.account_id.as_str();
    let details = c.read(
        account,
        FactId::EventDataStoreDetails,
        client.get_event_data_store().event_data_store(&arn).send(),
        |out| {
            let details = EventDataStoreDetails {
                status: out.status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                retention_period: out.retention_period().map_or(0, i64::from),
                billing_mode: out.billing_mode().map(|b| b.as_str().to_owned()),
                termination_protection_enabled: out.termination_protection_enabled().unwrap_or(false),
                multi_region_enabled: out.multi_region_enabled().unwrap_or(false),
                organization_enabled: out.organization_enabled().unwrap_or(false),
                kms_key_id: out.kms_key_id().map(str::to_owned),
                advanced_event_selectors: out.advanced_event_selectors().iter().map(advanced_selector).collect(),
            };
            (details, out.name().map(str::to_owned))
        },
        None,
    );
    let insight_selectors = c.read(
        account,
        FactId::EventDataStoreInsightSelectors,
        client.get_insight_selectors().event_data_store(&arn).send(),
        |out| out.insight_selectors().iter().map(insight_selector).collect(),
        Some(("InsightNotEnabledException", Vec::new())),
    );
    let (details, insight_selectors) = tokio::join!(details, insight_selectors);
    // The listing names every store; GetEventDataStore's name is the same, should a listing
    // have left it out.
    let mut name = name;
    if let (true, Fact::Value((_, Some(read)))) = (name.is_empty(), &details) {
        name = read.clone();
    }
    EventDataStore { arn, name, details: details.map(|(d, _)| d), insight_selectors }
}
