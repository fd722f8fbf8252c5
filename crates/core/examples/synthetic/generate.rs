//! A deterministic generator of synthetic, organization-shaped inventories, for benchmarks.
//!
//! Shared by the `synthetic` example (examples/synthetic.rs, which writes a snapshot file) and
//! the `evaluate` benchmark (benches/evaluate.rs, which evaluates the inventory in memory).
//! Both include this file with `#[path = ...] mod generate;`. It lives in a subdirectory of
//! examples/ that has no `main.rs`, so cargo's target auto-discovery does not take it for an
//! example of its own (cargo discovers only `examples/*.rs` and `examples/*/main.rs`).
//!
//! The shape: a management account that owns a multi-Region organization trail, which every
//! other account also lists (as seen from a member; some members cannot read its status or
//! selectors); a log-archive account that owns the central bucket the organization trail
//! delivers to; and member accounts with a deterministic mix of their own trails (none,
//! single-Region or multi-Region, basic or advanced selectors, data events, logging or not,
//! KMS or not), log buckets with varying versioning / MFA delete / lifecycle / Object Lock /
//! policy facts, EventBridge rules, metric filters and alarms, and CloudTrail Lake event data
//! stores. Everything varies with the account index (`index % k` for a few coprime `k`), so
//! the same N always gives the same inventory: no randomness, no clock.

#![allow(dead_code)] // the example and the benchmark each use a part of this module

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeMap;
use trailwarden_core::inventory::{
    Account, AclGrant, AdvancedEventSelector, AdvancedFieldSelector, Bucket, BucketLogging, BucketVersioning, DataResource, DefaultRetention,
    DelegatedAdministrator, EncryptionRule, EventBridgeRule, EventDataStore, EventDataStoreDetails, EventSelector, EventSelectors, Fact,
    InsightSelector, Inventory, KmsKey, KmsKeyMetadata, LifecycleRule, LifecycleTransition, MetricAlarm, MetricFilter, MetricTransformation,
    ObjectLock, Organization, OrganizationAccount, OrganizationalUnit, PolicyAttachments, PublicAccessBlock, RegionInventory, Trail, TrailStatus,
    Unreadable, UnreadableReason, SCHEMA_VERSION,
};

/// The scanned regions of every account; the first is the organization trail's home region.
pub const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];

const ORG_ID: &str = "o-synthetic01";
const ORG_TRAIL_NAME: &str = "org-trail";
const CLOUDTRAIL_CHANGES_PATTERN: &str = r#"{"source":["aws.cloudtrail"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["cloudtrail.amazonaws.com"],"eventName":["StopLogging","DeleteTrail","UpdateTrail","PutEventSelectors"]}}"#;
const CLOUDTRAIL_CHANGES_FILTER: &str =
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }";

/// The fixed "now" of every generated inventory.
pub fn collected_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).single().expect("a valid date")
}

/// Account ids: the management account is index 0, the log-archive account index 1,
/// members 2 and up.
pub fn account_id(index: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + index as u64)
}

/// An organization of `accounts` accounts in total (the management account, the log-archive
/// account and `accounts - 2` members), each scanned in the four `REGIONS`.
pub fn organization(accounts: usize) -> Inventory {
    assert!(accounts >= 2, "an organization needs at least the management and the log-archive account");
    let mut g = Generator { now: collected_at(), buckets: Vec::new(), kms_keys: Vec::new() };
    let ids: Vec<String> = (0..accounts).map(account_id).collect();
    let management = &ids[0];
    let log_archive = &ids[1];

    let org_trail = g.organization_trail(management, log_archive);
    g.central_bucket(log_archive, &org_trail);
    g.shared_member_bucket(log_archive);

    let mut scanned = Vec::with_capacity(accounts);
    for (index, id) in ids.iter().enumerate() {
        scanned.push(g.account(index, id, &org_trail));
    }

    let org_accounts: Vec<OrganizationAccount> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| OrganizationAccount {
            id: id.clone(),
            name: account_name(i),
            status: if i > 1 && i.is_multiple_of(397) { "SUSPENDED" } else { "ACTIVE" }.to_owned(),
        })
        .collect();
    let organizational_units = units(&org_accounts);
    let organization = Organization {
        id: ORG_ID.to_owned(),
        arn: format!("arn:aws:organizations::{management}:organization/{ORG_ID}"),
        management_account_id: management.clone(),
        feature_set: s("ALL"),
        accounts: Fact::Value(org_accounts),
        delegated_administrators: BTreeMap::from([(
            s("cloudtrail.amazonaws.com"),
            Fact::Value(vec![DelegatedAdministrator {
                account_id: log_archive.clone(),
                status: s("ACTIVE"),
                delegation_enabled_date: Some(g.now - Duration::days(400)),
            }]),
        )]),
        trusted_service_principals: Fact::Value(strings([
            "cloudtrail.amazonaws.com",
            "config.amazonaws.com",
            "securityhub.amazonaws.com",
            "sso.amazonaws.com",
        ])),
        organizational_units: Fact::Value(organizational_units),
    };

    Inventory {
        schema_version: SCHEMA_VERSION,
        collected_at: g.now,
        partition: s("aws"),
        caller_account_id: management.clone(),
        organization: Fact::Value(Some(organization)),
        accounts: scanned,
        buckets: g.buckets,
        kms_keys: g.kms_keys,
        collection_errors: Vec::new(),
        shard: None,
        locations: Default::default(),
    }
}

/// The unit tree of a large organization as it is commonly laid out: the management account
/// at the root, the log archive under Security, workloads by environment and business unit,
/// sandboxes, and suspended accounts parked in a unit of their own.
fn units(accounts: &[OrganizationAccount]) -> Vec<OrganizationalUnit> {
    let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, account) in accounts.iter().enumerate() {
        let path = match i {
            0 => s("Root"),
            1 => s("Root/Security"),
            _ if account.status == "SUSPENDED" => s("Root/Suspended"),
            i if i % 10 < 5 => format!("Root/Workloads/Prod/BU-{:02}", i % 16),
            i if i % 10 < 8 => format!("Root/Workloads/NonProd/BU-{:02}", i % 16),
            _ => s("Root/Sandbox"),
        };
        by_path.entry(path).or_default().push(account.id.clone());
    }
    // Units without accounts of their own (Workloads, Prod, NonProd) are units all the same.
    for path in ["Root/Workloads", "Root/Workloads/Prod", "Root/Workloads/NonProd"] {
        by_path.entry(s(path)).or_default();
    }
    by_path
        .into_iter()
        .enumerate()
        .map(|(n, (path, account_ids))| OrganizationalUnit {
            id: if path == "Root" { s("r-synt") } else { format!("ou-synt-{n:08}") },
            path,
            account_ids,
        })
        .collect()
}

fn account_name(index: usize) -> String {
    match index {
        0 => s("management"),
        1 => s("log-archive"),
        i => format!("workload-{i:05}"),
    }
}

fn s(text: &str) -> String {
    text.to_owned()
}

fn strings<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.map(str::to_owned).to_vec()
}

fn denied(api: &str) -> Unreadable {
    Unreadable::new(UnreadableReason::AccessDenied, api, format!("AccessDeniedException: not authorized to perform {api}"))
}

fn throttled(api: &str) -> Unreadable {
    Unreadable::new(UnreadableReason::Error, api, "ThrottlingException: Rate exceeded (retries exhausted)")
}

fn trail_arn(account: &str, region: &str, name: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}")
}

fn key_arn(account: &str, region: &str, n: usize) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{n:08x}-0000-4000-8000-{n:012x}")
}

fn central_bucket_name(log_archive: &str) -> String {
    format!("aws-cloudtrail-logs-{log_archive}-org")
}

fn shared_member_bucket_name(log_archive: &str) -> String {
    format!("cloudtrail-members-{log_archive}")
}

/// A basic selector for management events in one direction, optionally excluding sources.
fn basic_management(read_write_type: &str, exclude: &[&str]) -> EventSelector {
    EventSelector {
        read_write_type: s(read_write_type),
        include_management_events: true,
        data_resources: Vec::new(),
        exclude_management_event_sources: exclude.iter().map(|e| s(e)).collect(),
    }
}

fn field(name: &str, equals: &[&str]) -> AdvancedFieldSelector {
    AdvancedFieldSelector { field: s(name), equals: equals.iter().map(|v| s(v)).collect(), ..Default::default() }
}

fn advanced(name: &str, fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
    AdvancedEventSelector { name: Some(s(name)), field_selectors: fields }
}

/// A CloudTrail bucket policy of the usual shape: the service may check the ACL and write,
/// under `condition` (a SourceArn or SourceOrgID test); optionally a deny of requests
/// without TLS.
fn bucket_policy(bucket: &str, condition: serde_json::Value, deny_insecure: bool) -> String {
    let mut write_condition = condition.clone();
    write_condition["s3:x-amz-acl"] = serde_json::json!("bucket-owner-full-control");
    let mut statements = vec![
        serde_json::json!({
            "Sid": "AWSCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": format!("arn:aws:s3:::{bucket}"),
            "Condition": {"StringEquals": condition}
        }),
        serde_json::json!({
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/*"),
            "Condition": {"StringEquals": write_condition}
        }),
    ];
    if deny_insecure {
        statements.push(serde_json::json!({
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }));
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn owner_grant(account: &str) -> AclGrant {
    AclGrant { grantee_type: s("CanonicalUser"), grantee_uri: None, grantee_id: Some(format!("{account:0>64}")), permission: s("FULL_CONTROL") }
}

struct Generator {
    now: DateTime<Utc>,
    buckets: Vec<Bucket>,
    kms_keys: Vec<KmsKey>,
}

impl Generator {
    fn hours_ago(&self, hours: i64) -> Option<DateTime<Utc>> {
        Some(self.now - Duration::hours(hours))
    }

    /// A logging trail's status; one in 50 has stalled delivery with an S3 error.
    fn logging_status(&self, index: usize, with_cloudwatch: bool) -> TrailStatus {
        let stalled = index % 50 == 7;
        let age = if stalled { 24 * 30 } else { (index % 5) as i64 };
        TrailStatus {
            is_logging: true,
            latest_delivery_error: stalled.then(|| s("AccessDenied")),
            latest_delivery_time: self.hours_ago(age),
            start_logging_time: self.hours_ago(24 * 500),
            latest_digest_delivery_time: self.hours_ago(age + 1),
            latest_cloud_watch_logs_delivery_time: if with_cloudwatch { self.hours_ago(age) } else { None },
            ..Default::default()
        }
    }

    fn stopped_status(&self) -> TrailStatus {
        TrailStatus {
            is_logging: false,
            latest_delivery_time: self.hours_ago(24 * 90),
            start_logging_time: self.hours_ago(24 * 700),
            stop_logging_time: self.hours_ago(24 * 90),
            latest_digest_delivery_time: self.hours_ago(24 * 90),
            ..Default::default()
        }
    }

    fn add_key(&mut self, arn: &str, readable: bool) {
        let metadata = if readable {
            Fact::Value(KmsKeyMetadata { arn: arn.to_owned(), key_state: s("Enabled"), key_manager: s("CUSTOMER"), multi_region: false })
        } else {
            Fact::Unreadable(denied("kms:DescribeKey"))
        };
        self.kms_keys.push(KmsKey { key_id: arn.to_owned(), metadata });
    }

    /// The organization trail, as its owner (the management account) reads it.
    fn organization_trail(&mut self, management: &str, log_archive: &str) -> Trail {
        let key = key_arn(log_archive, REGIONS[0], 0);
        self.add_key(&key, true);
        Trail {
            arn: trail_arn(management, REGIONS[0], ORG_TRAIL_NAME),
            name: s(ORG_TRAIL_NAME),
            home_region: s(REGIONS[0]),
            s3_bucket_name: central_bucket_name(log_archive),
            s3_key_prefix: Some(s("org")),
            sns_topic_arn: None,
            include_global_service_events: true,
            is_multi_region_trail: true,
            is_organization_trail: true,
            log_file_validation_enabled: true,
            kms_key_id: Some(key),
            cloud_watch_logs_log_group_arn: Some(format!("arn:aws:logs:{}:{management}:log-group:aws-cloudtrail-logs-org:*", REGIONS[0])),
            cloud_watch_logs_role_arn: Some(format!("arn:aws:iam::{management}:role/CloudTrailRoleForCloudWatchLogs")),
            has_custom_event_selectors: true,
            has_insight_selectors: true,
            tags: Fact::Value(BTreeMap::from([(s("owner"), s("platform-security")), (s("managed-by"), s("terraform"))])),
            status: Fact::Value(self.logging_status(1, true)),
            declared_logging: None,
            unknown_settings: BTreeMap::new(),
            event_selectors: Fact::Value(EventSelectors {
                basic: Vec::new(),
                advanced: vec![
                    advanced("Management events", vec![field("eventCategory", &["Management"])]),
                    advanced(
                        "S3 write data events",
                        vec![field("eventCategory", &["Data"]), field("resources.type", &["AWS::S3::Object"]), field("readOnly", &["false"])],
                    ),
                ],
            }),
            insight_selectors: Fact::Value(vec![
                InsightSelector { insight_type: s("ApiCallRateInsight"), event_categories: Vec::new() },
                InsightSelector { insight_type: s("ApiErrorRateInsight"), event_categories: Vec::new() },
            ]),
        }
    }

    /// The organization trail as a member account lists it: the configuration is readable,
    /// but one member in 6 cannot read its status and one in 9 cannot read its selectors
    /// (the management account's trail, read with the member's role).
    fn organization_trail_seen_from(&self, index: usize, org_trail: &Trail) -> Trail {
        let mut trail = org_trail.clone();
        if index % 6 == 1 {
            trail.status = Fact::Unreadable(denied("cloudtrail:GetTrailStatus"));
        }
        if index % 9 == 2 {
            trail.event_selectors = Fact::Unreadable(denied("cloudtrail:GetEventSelectors"));
            trail.insight_selectors = Fact::Unreadable(denied("cloudtrail:GetInsightSelectors"));
        }
        trail
    }

    /// The log-archive account's bucket that receives the organization trail.
    fn central_bucket(&mut self, log_archive: &str, org_trail: &Trail) {
        let name = central_bucket_name(log_archive);
        let key = key_arn(log_archive, REGIONS[0], 1);
        self.add_key(&key, true);
        self.buckets.push(Bucket {
            policy: Fact::Value(Some(bucket_policy(&name, serde_json::json!({"aws:SourceArn": [&org_trail.arn]}), true))),
            owner_account_id: Fact::Value(log_archive.to_owned()),
            region: Fact::Value(s(REGIONS[0])),
            versioning: Fact::Value(BucketVersioning { status: Some(s("Enabled")), mfa_delete: Some(s("Disabled")) }),
            encryption: Fact::Value(Some(vec![EncryptionRule {
                sse_algorithm: s("aws:kms"),
                kms_master_key_id: Some(key),
                bucket_key_enabled: true,
            }])),
            lifecycle: Fact::Value(Some(vec![LifecycleRule {
                id: Some(s("archive-then-expire")),
                status: s("Enabled"),
                prefix: None,
                expiration_days: Some(2555),
                noncurrent_version_expiration_days: Some(2555),
                transitions: vec![LifecycleTransition { days: 90, storage_class: s("GLACIER_IR") }],
            }])),
            object_lock: Fact::Value(Some(ObjectLock {
                enabled: true,
                default_retention: Some(DefaultRetention { mode: s("COMPLIANCE"), days: Some(400), years: None }),
            })),
            public_access_block: Fact::Value(Some(PublicAccessBlock {
                block_public_acls: true,
                ignore_public_acls: true,
                block_public_policy: true,
                restrict_public_buckets: true,
            })),
            policy_is_public: Fact::Value(Some(false)),
            acl_grants: Fact::Value(vec![owner_grant(log_archive)]),
            object_ownership: Fact::Value(Some(s("BucketOwnerEnforced"))),
            logging: Fact::Value(Some(BucketLogging { target_bucket: format!("s3-access-logs-{log_archive}"), target_prefix: s("cloudtrail/") })),
            name,
        });
    }

    /// One scanned account. Index 0 is the management account, 1 the log-archive account.
    fn account(&mut self, index: usize, id: &str, org_trail: &Trail) -> Account {
        let mut trails = Vec::new();
        let mut owned_bucket_names = vec![format!("app-data-{id}")];
        match index {
            0 => trails.push(org_trail.clone()),
            1 => {
                trails.push(self.organization_trail_seen_from(index, org_trail));
                owned_bucket_names.extend([central_bucket_name(id), shared_member_bucket_name(id), format!("s3-access-logs-{id}")]);
            }
            _ => {
                trails.push(self.organization_trail_seen_from(index, org_trail));
                let (own, bucket) = self.member_trails(index, id);
                trails.extend(own);
                owned_bucket_names.extend(bucket);
            }
        }

        // A multi-Region trail is listed (as a shadow copy) in every region; a single-Region
        // trail only in its home region.
        let regions = REGIONS.iter().enumerate().map(|(r, region)| self.region(index, id, r, region, &trails)).collect();

        Account {
            id: id.to_owned(),
            name: account_name(index),
            enabled_regions: if index % 61 == 5 {
                Fact::Unreadable(denied("account:ListRegions"))
            } else {
                Fact::Value(REGIONS.map(str::to_owned).to_vec())
            },
            regions,
            trails,
            owned_bucket_names: Fact::Value(owned_bucket_names),
            public_access_block: match index % 4 {
                0 | 1 => Fact::Value(Some(PublicAccessBlock {
                    block_public_acls: true,
                    ignore_public_acls: true,
                    block_public_policy: true,
                    restrict_public_buckets: true,
                })),
                2 => Fact::Value(None),
                _ if index % 43 == 3 => Fact::Unreadable(denied("s3control:GetPublicAccessBlock")),
                _ => Fact::Value(Some(PublicAccessBlock {
                    block_public_acls: true,
                    ignore_public_acls: true,
                    block_public_policy: false,
                    restrict_public_buckets: false,
                })),
            },
            cloudtrail_full_access: if index % 71 == 4 {
                Fact::Unreadable(denied("iam:ListEntitiesForPolicy"))
            } else {
                Fact::Value(PolicyAttachments {
                    users: if index % 8 == 3 { vec![s("legacy-admin")] } else { Vec::new() },
                    groups: if index % 12 == 5 { vec![s("CloudTrailAdmins")] } else { Vec::new() },
                    roles: match index % 3 {
                        0 => vec![s("OrganizationAccountAccessRole")],
                        1 => vec![s("OrganizationAccountAccessRole"), s("AWSReservedSSO_AdministratorAccess_0123456789abcdef")],
                        _ => Vec::new(),
                    },
                })
            },
        }
    }

    fn region(&mut self, index: usize, id: &str, r: usize, region: &str, trails: &[Trail]) -> RegionInventory {
        let listed: Vec<String> = trails.iter().filter(|t| t.is_multi_region_trail || t.home_region == region).map(|t| t.arn.clone()).collect();
        // One account in 89 could not list trails in its last region (a regional outage).
        let trail_arns = if r == 3 && index % 89 == 10 { Fact::Unreadable(throttled("cloudtrail:DescribeTrails")) } else { Fact::Value(listed) };

        // CloudTrail Lake: one account in 7 has an event data store in its first region.
        let event_data_stores = if r == 0 && index % 7 == 3 {
            Fact::Value(vec![self.event_data_store(index, id, region)])
        } else if index % 53 == 8 {
            Fact::Unreadable(denied("cloudtrail:ListEventDataStores"))
        } else {
            Fact::Value(Vec::new())
        };

        // Tamper alerts: EventBridge rules in a third of the accounts' first two regions.
        let eventbridge_rules = if r < 2 && index.is_multiple_of(3) {
            Fact::Value(vec![EventBridgeRule {
                name: s("cloudtrail-tamper"),
                arn: format!("arn:aws:events:{region}:{id}:rule/cloudtrail-tamper"),
                event_bus_name: s("default"),
                state: if index.is_multiple_of(15) { s("DISABLED") } else { s("ENABLED") },
                event_pattern: Some(s(CLOUDTRAIL_CHANGES_PATTERN)),
                targets: Fact::Value(vec![format!("arn:aws:sns:{region}:{id}:security-alerts")]),
            }])
        } else if index % 29 == 6 {
            Fact::Unreadable(denied("events:ListRules"))
        } else {
            Fact::Value(Vec::new())
        };

        // CIS metric filter + alarm in the home region of accounts whose trail sends to CloudWatch.
        let with_alarm = r == 0 && index % 10 == 9;
        let metric_filters = Fact::Value(if with_alarm {
            vec![MetricFilter {
                log_group_name: s("CloudTrail/DefaultLogGroup"),
                filter_name: s("CloudTrailChanges"),
                filter_pattern: s(CLOUDTRAIL_CHANGES_FILTER),
                metric_transformations: vec![MetricTransformation { metric_name: s("CloudTrailChangeCount"), metric_namespace: s("CISBenchmark") }],
            }]
        } else {
            Vec::new()
        });
        let alarms = Fact::Value(if with_alarm {
            vec![MetricAlarm {
                alarm_name: s("cis-cloudtrail-changes"),
                metric_name: Some(s("CloudTrailChangeCount")),
                namespace: Some(s("CISBenchmark")),
                actions_enabled: index % 20 != 19,
                alarm_actions: vec![format!("arn:aws:sns:{region}:{id}:security-alerts")],
            }]
        } else {
            Vec::new()
        });

        RegionInventory { name: region.to_owned(), trail_arns, event_data_stores, eventbridge_rules, metric_filters, alarms }
    }

    fn event_data_store(&mut self, index: usize, id: &str, region: &str) -> EventDataStore {
        let kms_key_id = (index % 2 == 1).then(|| {
            let key = key_arn(id, region, 100 + index);
            self.add_key(&key, true);
            key
        });
        EventDataStore {
            arn: format!("arn:aws:cloudtrail:{region}:{id}:eventdatastore/{index:08x}-1111-4111-8111-{index:012x}"),
            name: s("audit-lake"),
            details: Fact::Value(EventDataStoreDetails {
                status: if index % 21 == 10 { s("STOPPED_INGESTION") } else { s("ENABLED") },
                retention_period: [2557, 365, 90][index % 3],
                billing_mode: Some(if index.is_multiple_of(2) { s("EXTENDABLE_RETENTION_PRICING") } else { s("FIXED_RETENTION_PRICING") }),
                termination_protection_enabled: !index.is_multiple_of(5),
                multi_region_enabled: true,
                organization_enabled: false,
                kms_key_id,
                advanced_event_selectors: vec![advanced("Management events", vec![field("eventCategory", &["Management"])])],
            }),
            insight_selectors: if index.is_multiple_of(4) {
                Fact::Value(vec![InsightSelector { insight_type: s("ApiCallRateInsight"), event_categories: Vec::new() }])
            } else {
                Fact::Value(Vec::new())
            },
        }
    }

    /// The trails a member account owns, by `index % 10`:
    /// 0-3 none (covered by the organization trail only), 4 a single-Region trail with
    /// split read/write basic selectors, 5 a multi-Region trail with basic selectors and all
    /// S3 data events, KMS, 6 a multi-Region trail with advanced selectors that is not
    /// logging, 7 a single-Region advanced-selector trail with Lambda data events that
    /// excludes KMS events, 8 a multi-Region trail without validation or KMS, 9 two trails
    /// (a multi-Region one to CloudWatch Logs, a single-Region one with Insights).
    /// Returns the trails and the name of the bucket the account owns for them, if any.
    fn member_trails(&mut self, index: usize, id: &str) -> (Vec<Trail>, Option<String>) {
        let home = REGIONS[index % REGIONS.len()];
        let kind = index % 10;
        // Half of the member trails deliver to a bucket of the account itself, half to a
        // per-account prefix of a bucket in the log-archive account (which the scan also
        // reads, through the log-archive account).
        let own_bucket = format!("cloudtrail-{id}-{home}");
        let base = |g: &Self, name: &str, multi_region: bool| Trail {
            arn: trail_arn(id, home, name),
            name: s(name),
            home_region: s(home),
            s3_bucket_name: own_bucket.clone(),
            s3_key_prefix: None,
            sns_topic_arn: None,
            include_global_service_events: multi_region,
            is_multi_region_trail: multi_region,
            is_organization_trail: false,
            log_file_validation_enabled: true,
            kms_key_id: None,
            cloud_watch_logs_log_group_arn: None,
            cloud_watch_logs_role_arn: None,
            has_custom_event_selectors: false,
            has_insight_selectors: false,
            tags: Fact::Value(BTreeMap::new()),
            status: Fact::Value(g.logging_status(index, false)),
            declared_logging: None,
            unknown_settings: BTreeMap::new(),
            event_selectors: Fact::Value(EventSelectors { basic: vec![basic_management("All", &[])], advanced: Vec::new() }),
            insight_selectors: Fact::Value(Vec::new()),
        };
        let mut trails = Vec::new();
        match kind {
            4 => {
                let mut t = base(self, "regional", false);
                t.has_custom_event_selectors = true;
                t.event_selectors = Fact::Value(EventSelectors {
                    basic: vec![basic_management("ReadOnly", &[]), basic_management("WriteOnly", &[])],
                    advanced: Vec::new(),
                });
                trails.push(t);
            }
            5 => {
                let mut t = base(self, "account-trail", true);
                let key = key_arn(id, home, 1);
                self.add_key(&key, index % 30 != 15);
                t.kms_key_id = Some(key);
                t.has_custom_event_selectors = true;
                t.event_selectors = Fact::Value(EventSelectors {
                    basic: vec![EventSelector {
                        read_write_type: s("All"),
                        include_management_events: true,
                        data_resources: vec![DataResource { resource_type: s("AWS::S3::Object"), values: vec![s("arn:aws:s3")] }],
                        exclude_management_event_sources: Vec::new(),
                    }],
                    advanced: Vec::new(),
                });
                t.tags = Fact::Value(BTreeMap::from([(s("team"), format!("team-{}", index % 17))]));
                trails.push(t);
            }
            6 => {
                let mut t = base(self, "audit", true);
                t.has_custom_event_selectors = true;
                t.status = Fact::Value(self.stopped_status());
                t.event_selectors = Fact::Value(EventSelectors {
                    basic: Vec::new(),
                    advanced: vec![
                        advanced("Management events", vec![field("eventCategory", &["Management"])]),
                        advanced("S3 reads and writes", vec![field("eventCategory", &["Data"]), field("resources.type", &["AWS::S3::Object"])]),
                    ],
                });
                trails.push(t);
            }
            7 => {
                let mut t = base(self, "lambda-data", false);
                t.has_custom_event_selectors = true;
                t.log_file_validation_enabled = index % 20 != 7;
                t.event_selectors = Fact::Value(EventSelectors {
                    basic: Vec::new(),
                    advanced: vec![
                        advanced(
                            "Management events without KMS",
                            vec![
                                field("eventCategory", &["Management"]),
                                AdvancedFieldSelector { field: s("eventSource"), not_equals: vec![s("kms.amazonaws.com")], ..Default::default() },
                            ],
                        ),
                        advanced(
                            "Lambda invokes of one function",
                            vec![
                                field("eventCategory", &["Data"]),
                                field("resources.type", &["AWS::Lambda::Function"]),
                                AdvancedFieldSelector {
                                    field: s("resources.ARN"),
                                    starts_with: vec![format!("arn:aws:lambda:{home}:{id}:function:payments-")],
                                    ..Default::default()
                                },
                            ],
                        ),
                    ],
                });
                trails.push(t);
            }
            8 => {
                let mut t = base(self, "legacy", true);
                t.log_file_validation_enabled = false;
                t.include_global_service_events = index % 40 != 18;
                t.sns_topic_arn = Some(format!("arn:aws:sns:{home}:{id}:cloudtrail-notifications"));
                trails.push(t);
            }
            9 => {
                let mut main = base(self, "main", true);
                let key = key_arn(id, home, 2);
                self.add_key(&key, true);
                main.kms_key_id = Some(key);
                main.cloud_watch_logs_log_group_arn = Some(format!("arn:aws:logs:{home}:{id}:log-group:CloudTrail/DefaultLogGroup:*"));
                main.cloud_watch_logs_role_arn = Some(format!("arn:aws:iam::{id}:role/CloudTrail_CloudWatchLogs_Role"));
                main.status = Fact::Value(self.logging_status(index, true));
                trails.push(main);

                let mut insights = base(self, "insights", false);
                insights.has_insight_selectors = true;
                insights.insight_selectors = Fact::Value(vec![
                    InsightSelector { insight_type: s("ApiCallRateInsight"), event_categories: Vec::new() },
                    InsightSelector { insight_type: s("ApiErrorRateInsight"), event_categories: vec![s("Management")] },
                ]);
                trails.push(insights);
            }
            _ => {}
        }

        if trails.is_empty() {
            return (trails, None);
        }
        if index.is_multiple_of(2) {
            // Every other account sends its trails to the log-archive account instead.
            for t in &mut trails {
                t.s3_bucket_name = shared_member_bucket_name(&account_id(1));
                t.s3_key_prefix = Some(id.to_owned());
            }
            return (trails, None);
        }
        let arns: Vec<String> = trails.iter().map(|t| t.arn.clone()).collect();
        self.member_bucket(index, id, home, &own_bucket, &arns);
        (trails, Some(own_bucket))
    }

    /// The log-archive bucket that receives the trails of the members that do not keep their
    /// own. Its policy admits any trail of the organization (aws:SourceOrgID).
    fn shared_member_bucket(&mut self, log_archive: &str) {
        let name = shared_member_bucket_name(log_archive);
        self.buckets.push(Bucket {
            policy: Fact::Value(Some(bucket_policy(&name, serde_json::json!({"aws:SourceOrgID": ORG_ID}), true))),
            name,
            owner_account_id: Fact::Value(log_archive.to_owned()),
            region: Fact::Value(s(REGIONS[0])),
            versioning: Fact::Value(BucketVersioning { status: Some(s("Enabled")), mfa_delete: Some(s("Enabled")) }),
            encryption: Fact::Value(Some(vec![EncryptionRule { sse_algorithm: s("AES256"), kms_master_key_id: None, bucket_key_enabled: false }])),
            lifecycle: Fact::Value(Some(vec![LifecycleRule {
                id: Some(s("expire")),
                status: s("Enabled"),
                prefix: Some(String::new()),
                expiration_days: Some(400),
                noncurrent_version_expiration_days: Some(30),
                transitions: Vec::new(),
            }])),
            object_lock: Fact::Value(None),
            public_access_block: Fact::Value(None), // falls back to the account's setting
            policy_is_public: Fact::Value(Some(false)),
            acl_grants: Fact::Value(vec![owner_grant(log_archive)]),
            object_ownership: Fact::Value(Some(s("BucketOwnerEnforced"))),
            logging: Fact::Value(None),
        });
    }

    /// A bucket of the member account itself, with facts that vary by index.
    fn member_bucket(&mut self, index: usize, id: &str, home: &str, name: &str, trail_arns: &[String]) {
        let versioning = match index % 13 {
            0 => Fact::Unreadable(denied("s3:GetBucketVersioning")),
            1..=3 => Fact::Value(BucketVersioning::default()), // never enabled
            4 => Fact::Value(BucketVersioning { status: Some(s("Suspended")), mfa_delete: Some(s("Disabled")) }),
            5 | 6 => Fact::Value(BucketVersioning { status: Some(s("Enabled")), mfa_delete: Some(s("Enabled")) }),
            _ => Fact::Value(BucketVersioning { status: Some(s("Enabled")), mfa_delete: Some(s("Disabled")) }),
        };
        let lifecycle = match index % 11 {
            0..=2 => Fact::Value(None),
            3 => Fact::Value(Some(vec![LifecycleRule {
                id: Some(s("short")),
                status: s("Enabled"),
                prefix: None,
                expiration_days: Some(30),
                noncurrent_version_expiration_days: None,
                transitions: Vec::new(),
            }])),
            4 => Fact::Value(Some(vec![LifecycleRule {
                id: Some(s("disabled-archive")),
                status: s("Disabled"),
                prefix: Some(s("AWSLogs/")),
                expiration_days: Some(3650),
                noncurrent_version_expiration_days: None,
                transitions: vec![LifecycleTransition { days: 30, storage_class: s("STANDARD_IA") }],
            }])),
            5 if index.is_multiple_of(3) => Fact::Unreadable(throttled("s3:GetBucketLifecycleConfiguration")),
            _ => Fact::Value(Some(vec![LifecycleRule {
                id: Some(s("archive")),
                status: s("Enabled"),
                prefix: None,
                expiration_days: Some(400 + (index % 7) as i64 * 365),
                noncurrent_version_expiration_days: Some(90),
                transitions: vec![
                    LifecycleTransition { days: 30, storage_class: s("STANDARD_IA") },
                    LifecycleTransition { days: 180, storage_class: s("GLACIER") },
                ],
            }])),
        };
        let kms = index.is_multiple_of(3);
        let encryption = if kms {
            let key = key_arn(id, home, 3);
            self.add_key(&key, true);
            Fact::Value(Some(vec![EncryptionRule {
                sse_algorithm: s("aws:kms"),
                kms_master_key_id: Some(key),
                bucket_key_enabled: !index.is_multiple_of(9),
            }]))
        } else {
            Fact::Value(Some(vec![EncryptionRule { sse_algorithm: s("AES256"), kms_master_key_id: None, bucket_key_enabled: false }]))
        };
        let public = index % 101 == 17;
        let mut acl_grants = vec![owner_grant(id)];
        if public {
            acl_grants.push(AclGrant {
                grantee_type: s("Group"),
                grantee_uri: Some(s("http://acs.amazonaws.com/groups/global/AllUsers")),
                grantee_id: None,
                permission: s("READ"),
            });
        }
        self.buckets.push(Bucket {
            name: name.to_owned(),
            owner_account_id: Fact::Value(id.to_owned()),
            region: Fact::Value(home.to_owned()),
            versioning,
            encryption,
            lifecycle,
            object_lock: match index % 17 {
                0 => Fact::Value(Some(ObjectLock {
                    enabled: true,
                    default_retention: Some(DefaultRetention { mode: s("GOVERNANCE"), days: None, years: Some(1) }),
                })),
                1 => Fact::Value(Some(ObjectLock { enabled: true, default_retention: None })),
                _ => Fact::Value(None),
            },
            public_access_block: match index % 5 {
                0 | 1 => Fact::Value(None), // the account's setting applies
                2 if index % 19 == 2 => Fact::Unreadable(denied("s3:GetPublicAccessBlock")),
                _ => Fact::Value(Some(PublicAccessBlock {
                    block_public_acls: !public,
                    ignore_public_acls: !public,
                    block_public_policy: true,
                    restrict_public_buckets: true,
                })),
            },
            policy: if index % 37 == 11 {
                Fact::Unreadable(denied("s3:GetBucketPolicy"))
            } else {
                Fact::Value(Some(bucket_policy(name, serde_json::json!({"aws:SourceArn": trail_arns}), index % 4 != 1)))
            },
            policy_is_public: Fact::Value(Some(false)),
            acl_grants: Fact::Value(acl_grants),
            object_ownership: Fact::Value(if public {
                Some(s("ObjectWriter"))
            } else if index % 6 == 1 {
                None
            } else {
                Some(s("BucketOwnerEnforced"))
            }),
            logging: Fact::Value(
                (index % 4 == 3).then(|| BucketLogging { target_bucket: format!("s3-access-logs-{id}"), target_prefix: format!("{name}/") }),
            ),
        });
    }
}
