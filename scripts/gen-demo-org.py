#!/usr/bin/env python3
"""Generate examples/demo-org.json, the demo organization that trailwarden scans on a first run,
and examples/demo-org-last-month.json, the same organization a month earlier.

Regenerate (from anywhere; Python 3 standard library only, the output is deterministic):

    python3 scripts/gen-demo-org.py                      # writes both files under examples/
    python3 scripts/gen-demo-org.py OUT.json [OLD.json]  # writes elsewhere (e.g. to diff against the
                                                         # committed files; OLD.json defaults to
                                                         # OUT-last-month.json next to OUT.json)

Then try it:

    trailwarden scan --snapshot examples/demo-org.json
    trailwarden scan --snapshot examples/demo-org-last-month.json --json old.json --fail-on never
    trailwarden scan --snapshot examples/demo-org.json --json new.json --fail-on never
    trailwarden diff old.json new.json

The snapshot format is the `Inventory` type of src/inventory/model.rs (`trailwarden schema`
prints its JSON Schema; parsing is strict). Every fact is `{"value": ...}` or
`{"unreadable": {...}}`. As in snapshots that trailwarden writes, every field is present:
optional values are `null` and empty lists `[]`, never left out. All timestamps are relative
to the collection time: COLLECTED_AT (2026-11-20T06:00:00Z) for demo-org.json, LAST_MONTH_AT
(2026-10-20T06:00:00Z) for demo-org-last-month.json.

The story
---------
Organization o-demo12345 (all features), collected from the management account with an
organization scan. Six accounts, four enabled Regions each:

* 111111111111 management        owns the organization trail `org-trail` (home us-east-1,
                                 multi-Region, logging, validated, SSE-KMS, CloudWatch Logs,
                                 Insights, advanced selectors with S3 write data events; logging
                                 since 2024 as the management account's own trail, made an
                                 organization trail on 2026-10-28) and an
                                 organization Lake event data store (2557 days, CMK, protected).
                                 Tamper alerting with a CIS-style metric filter + alarm. Still
                                 owns `demo-mgmt-siem-feed`, the SIEM bucket from before
                                 log-archive existed (DSSE-KMS, logs its access into itself, the
                                 security account's SIEM role may delete what it has ingested).
* 222222222222 log-archive       owns the central log bucket `demo-org-cloudtrail-logs` (object
                                 lock, lifecycle, access logging, KMS + bucket key, tight policy)
                                 and `demo-security-data-events-logs` (MFA delete instead of a
                                 lifecycle, object lock too short, analysts' access written with
                                 NotAction). Its own Lake store keeps 90 days, without CMK or
                                 termination protection.
* 333333333333 security          owns a data-only trail `security-s3-data-events` (scoped S3 data
                                 events), the SIEM feed `security-siem-feed` (a second copy of
                                 management events without KMS and RDS Data API events, plus
                                 Lambda data events, delivered to the management account's
                                 bucket) and the EventBridge tamper alert rule in us-east-1.
* 444444444444 workload-prod     its own multi-Region `prod-audit-trail`: duplicates management
                                 events without KMS/RDS exclusions, blanket S3 data events with
                                 basic selectors, only one Insights type; its bucket is in its
                                 own account without MFA delete, lifecycle, object lock, access
                                 logging, bucket key or TLS-only policy. Tamper rule disabled.
                                 AWSCloudTrail_FullAccess attached to an IAM user. Its first
                                 trail `prod-legacy-trail` was stopped in 2023 and its bucket
                                 deleted since, but the trail still names that bucket.
* 555555555555 workload-staging  a single-Region trail in eu-west-1 that was stopped 12 days ago,
                                 no validation, no KMS; its bucket is public through an AllUsers
                                 ACL grant and expires logs after 30 days.
* 666666666666 workload-sandbox  joined the organization two hours before the scan (it was a
                                 stand-alone account of a legacy team); the organization trail has
                                 not been replicated into it yet. Its own single-Region trail in
                                 ap-southeast-2 records only write management events (advanced
                                 selectors, plus Lambda data events) and delivers to a bucket in
                                 the legacy account 999999999999, outside the scan: every bucket
                                 and key fact is access_denied, and delivery has failed for 3 days.
                                 The legacy team's Lake store has ingestion stopped.

The organization has no CloudTrail delegated administrator (the security account was
deregistered during an OU restructuring and never registered again); trusted access for
cloudtrail.amazonaws.com stays enabled.

The scanner role in workload-prod and workload-staging (an older StackSet version) only allows
the CloudTrail Get* calls on trails of its own account, so the organization trail's status,
event selectors and Insights selectors are access_denied there; log-archive and security read
them. In workload-sandbox the StackSet could not create its role (one of that name already
existed): the legacy team's own TrailwardenReadOnly is used, whose DescribeTrails permission
only covers the Regions that team worked in, so DescribeTrails is denied in eu-west-1.

What the first scan shows
-------------------------
Every rule has at least one failing and one passing resource, except the two
organization-scope rules: they produce exactly one finding per snapshot, so they cannot show
both. CT-ORG-TRAIL passes (the organization trail is the baseline everything else is compared
with) and CT-ORG-DELEGATED-ADMIN fails (no delegated administrator, above); the month-earlier
snapshot (below) shows their other outcome. Failures cover
every severity (critical: the public staging bucket and prod-legacy-trail's deleted bucket;
info: the data-event advisories). Inconclusive outcomes, each naming what could not be read:
the legacy bucket and its owner (access_denied), the deleted bucket's settings (NoSuchBucket),
eu-west-1 of workload-sandbox (DescribeTrails denied) and the NotAction policy of
demo-security-data-events-logs (beyond trailwarden's policy analysis).

Which control each deliberate choice exercises is said in a comment next to it
("PASS/FAIL/N-A/INCONCLUSIVE <control>").

A month earlier (demo-org-last-month.json)
-------------------------------------------
The same organization, collected the same way on 2026-10-20, with what has changed since
(comments marked "LAST MONTH"):

* `org-trail` was still the management account's own multi-Region trail, not yet an
  organization trail, so member accounts saw no organization trail: CT-ORG-TRAIL fails (no
  organization trail, and log-archive, security and workload-staging own no qualifying trail),
  and so do CT-MULTI-REGION and the other coverage rules in those accounts.
* The security account was still the CloudTrail delegated administrator (registered in
  2025): CT-ORG-DELEGATED-ADMIN passes.
* workload-sandbox had not joined the organization yet: it is neither a member nor scanned.
* staging-trail was still logging; workload-prod's EventBridge tamper rule was still enabled.
* The central bucket had no server access logging yet, and security-siem-feed no log file
  validation.

So the two organization-scope rules, which give one finding per snapshot, show their other
outcome there, and `trailwarden diff` between the two reports lists new failures (the
deregistered delegated administrator, the stopped staging trail, the disabled prod rule, the
sandbox account's findings) and resolved ones (the organization trail and the coverage it
brings, access logging, validation).
"""

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

COLLECTED_AT = datetime(2026, 11, 20, 6, 0, 0, tzinfo=timezone.utc)
LAST_MONTH_AT = COLLECTED_AT - timedelta(days=31)
NOW = COLLECTED_AT  # the collection time of the snapshot being built (set by build())
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]

ORG_ID = "o-demo12345"
MGMT = "111111111111"
LOG_ARCHIVE = "222222222222"
SECURITY = "333333333333"
PROD = "444444444444"
STAGING = "555555555555"
SANDBOX = "666666666666"
LEGACY = "999999999999"  # outside the organization and the scan

ACCOUNT_NAMES = {
    MGMT: "management",
    LOG_ARCHIVE: "log-archive",
    SECURITY: "security",
    PROD: "workload-prod",
    STAGING: "workload-staging",
    SANDBOX: "workload-sandbox",
}

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------

def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(days=0, hours=0, minutes=0):
    """A timestamp this long before the collection time."""
    return iso(NOW - timedelta(days=days, hours=hours, minutes=minutes))


def fact(value):
    return {"value": value}


def unreadable(reason, api, detail):
    assert reason in ("access_denied", "not_found", "unsupported", "error"), reason
    return {"unreadable": {"reason": reason, "api": api, "detail": detail}}


def trail_arn(region, account, name):
    return f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"


def kms_arn(region, account, key_uuid):
    return f"arn:aws:kms:{region}:{account}:key/{key_uuid}"


def scanner_denied(account, api, resource):
    """What a workload account's scanner role gets for a Get* call on a foreign trail."""
    return (
        f"AccessDeniedException: User: arn:aws:sts::{account}:assumed-role/TrailwardenReadOnly/trailwarden "
        f"is not authorized to perform: {api} on resource: {resource} "
        f"because no identity-based policy allows the {api} action"
    )


# --------------------------------------------------------------------------------------------
# CloudTrail: trails, status, selectors
# --------------------------------------------------------------------------------------------

def make_status(is_logging, delivered=None, digest=None, cloudwatch=None, notified=None,
                started=None, stopped=None, delivery_error=None, digest_error=None,
                cloudwatch_error=None, notification_error=None):
    """cloudtrail:GetTrailStatus, timestamps already formatted (see ago())."""
    return {
        "is_logging": is_logging,
        "latest_delivery_error": delivery_error,
        "latest_delivery_time": delivered,
        "latest_notification_error": notification_error,
        "latest_notification_time": notified,
        "start_logging_time": started,
        "stop_logging_time": stopped,
        "latest_cloud_watch_logs_delivery_error": cloudwatch_error,
        "latest_cloud_watch_logs_delivery_time": cloudwatch,
        "latest_digest_delivery_time": digest,
        "latest_digest_delivery_error": digest_error,
    }


def basic_selector(read_write_type="All", management=True, data_resources=None, exclude=None):
    """A basic EventSelector. data_resources: [(type, [values])]."""
    return {
        "read_write_type": read_write_type,
        "include_management_events": management,
        "data_resources": [{"type": t, "values": v} for t, v in (data_resources or [])],
        "exclude_management_event_sources": exclude or [],
    }


def field(name, equals=None, starts_with=None, ends_with=None, not_equals=None,
          not_starts_with=None, not_ends_with=None):
    """One AdvancedFieldSelector."""
    return {
        "field": name,
        "equals": equals or [],
        "starts_with": starts_with or [],
        "ends_with": ends_with or [],
        "not_equals": not_equals or [],
        "not_starts_with": not_starts_with or [],
        "not_ends_with": not_ends_with or [],
    }


def advanced_selector(name, *fields):
    return {"name": name, "field_selectors": list(fields)}


def selectors(basic=None, advanced=None):
    """cloudtrail:GetEventSelectors: basic or advanced, never both."""
    assert not (basic and advanced)
    return {"basic": basic or [], "advanced": advanced or []}


def insight(kind):
    """An InsightSelector; no event categories means Management."""
    return {"insight_type": kind, "event_categories": []}


def make_trail(account, region, name, bucket, *, multi_region, global_events, organization=False,
               validation, kms_key=None, prefix=None, sns_topic=None, log_group=None, log_role=None,
               custom_selectors, status, event_selectors, insight_selectors=(), tags=None):
    """A trail as its owner reads it (DescribeTrails + the detail calls in the home Region)."""
    insight_selectors = list(insight_selectors)
    return {
        "arn": trail_arn(region, account, name),
        "name": name,
        "home_region": region,
        "s3_bucket_name": bucket,
        "s3_key_prefix": prefix,
        "sns_topic_arn": sns_topic,
        "include_global_service_events": global_events,
        "is_multi_region_trail": multi_region,
        "is_organization_trail": organization,
        "log_file_validation_enabled": validation,
        "kms_key_id": kms_key,
        "cloud_watch_logs_log_group_arn": log_group,
        "cloud_watch_logs_role_arn": log_role,
        "has_custom_event_selectors": custom_selectors,
        "has_insight_selectors": bool(insight_selectors),
        "tags": {"value": tags or {}},
        "status": fact(status),
        "event_selectors": fact(event_selectors),
        "insight_selectors": fact(insight_selectors),
    }


def member_copy(trail, member, readable):
    """An organization trail as a member account sees it. DescribeTrails always returns its
    configuration; the detail calls by ARN are refused when the member's scanner role may not
    call them on another account's trail."""
    copy = dict(trail)
    if not readable:
        arn = trail["arn"]
        for key, api in [("status", "cloudtrail:GetTrailStatus"),
                         ("event_selectors", "cloudtrail:GetEventSelectors"),
                         ("insight_selectors", "cloudtrail:GetInsightSelectors")]:
            copy[key] = unreadable("access_denied", api, scanner_denied(member, api, arn))
    return copy


# --------------------------------------------------------------------------------------------
# S3 buckets
# --------------------------------------------------------------------------------------------

def pab(all_on=True):
    return {"block_public_acls": all_on, "ignore_public_acls": all_on,
            "block_public_policy": all_on, "restrict_public_buckets": all_on}


def owner_grant(canonical_id):
    return {"grantee_type": "CanonicalUser", "grantee_uri": None, "grantee_id": canonical_id,
            "permission": "FULL_CONTROL"}


def group_grant(uri, permission):
    return {"grantee_type": "Group", "grantee_uri": uri, "grantee_id": None, "permission": permission}


def versioning(status=None, mfa_delete=None):
    """GetBucketVersioning: status/MFADelete are null when never configured."""
    return {"status": status, "mfa_delete": mfa_delete}


def sse_kms(key, bucket_key):
    return [{"sse_algorithm": "aws:kms", "kms_master_key_id": key, "bucket_key_enabled": bucket_key}]


def sse_s3():
    return [{"sse_algorithm": "AES256", "kms_master_key_id": None, "bucket_key_enabled": False}]


def dsse_kms(key):
    """Dual-layer SSE-KMS (DSSE-KMS), which S3 Bucket Keys do not support."""
    return [{"sse_algorithm": "aws:kms:dsse", "kms_master_key_id": key, "bucket_key_enabled": False}]


def lifecycle_rule(rule_id, prefix, expiration_days=None, noncurrent_days=None, transitions=()):
    return {
        "id": rule_id,
        "status": "Enabled",
        "prefix": prefix,
        "expiration_days": expiration_days,
        "noncurrent_version_expiration_days": noncurrent_days,
        "transitions": [{"days": d, "storage_class": c} for d, c in transitions],
    }


def object_lock(mode, days):
    return {"enabled": True, "default_retention": {"mode": mode, "days": days, "years": None}}


def policy_text(statements):
    """GetBucketPolicy returns the document as compact JSON text."""
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))


def cloudtrail_acl_check(bucket, source_arns=None):
    statement = {
        "Sid": "AWSCloudTrailAclCheck",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:GetBucketAcl",
        "Resource": f"arn:aws:s3:::{bucket}",
    }
    if source_arns:
        statement["Condition"] = {"StringEquals": {"aws:SourceArn": source_arns}}
    return statement


def cloudtrail_write(bucket, key_paths, source_arns=None):
    condition = {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
    if source_arns:
        condition["StringEquals"]["aws:SourceArn"] = source_arns
    return {
        "Sid": "AWSCloudTrailWrite",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": [f"arn:aws:s3:::{bucket}/{p}" for p in key_paths],
        "Condition": condition,
    }


def deny_insecure_transport(bucket):
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def make_bucket(name, owner, region, *, versioning_config, encryption, lifecycle, object_lock_config,
                public_access_block, policy, policy_is_public, acl_grants, object_ownership, logging):
    """A log bucket read with the owner's credentials. None means "not configured" (null)."""
    return {
        "name": name,
        "owner_account_id": fact(owner),
        "region": fact(region),
        "versioning": fact(versioning_config),
        "encryption": fact(encryption),
        "lifecycle": fact(lifecycle),
        "object_lock": fact(object_lock_config),
        "public_access_block": fact(public_access_block),
        "policy": fact(policy),
        "policy_is_public": fact(policy_is_public),
        "acl_grants": fact(acl_grants),
        "object_ownership": fact(object_ownership),
        "logging": fact(logging),
    }


def unreadable_bucket(name, reader, expected_owner):
    """A bucket outside the scan: every read from `reader` is refused."""
    def denied(api, action):
        return unreadable("access_denied", api,
                          f"403 AccessDenied: User: arn:aws:sts::{reader}:assumed-role/TrailwardenReadOnly/trailwarden "
                          f"is not authorized to perform: {action} on resource: arn:aws:s3:::{name}")
    return {
        "name": name,
        "owner_account_id": unreadable(
            "access_denied", "s3:HeadBucket",
            f"403 Forbidden: HeadBucket with ExpectedBucketOwner={expected_owner}: "
            "the bucket is owned by another account, or the caller may not read it"),
        "region": denied("s3:GetBucketLocation", "s3:GetBucketLocation"),
        "versioning": denied("s3:GetBucketVersioning", "s3:GetBucketVersioning"),
        "encryption": denied("s3:GetBucketEncryption", "s3:GetEncryptionConfiguration"),
        "lifecycle": denied("s3:GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
        "object_lock": denied("s3:GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
        "public_access_block": denied("s3:GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
        "policy": denied("s3:GetBucketPolicy", "s3:GetBucketPolicy"),
        "policy_is_public": denied("s3:GetBucketPolicyStatus", "s3:GetBucketPolicyStatus"),
        "acl_grants": denied("s3:GetBucketAcl", "s3:GetBucketAcl"),
        "object_ownership": denied("s3:GetBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
        "logging": denied("s3:GetBucketLogging", "s3:GetBucketLogging"),
    }


def deleted_bucket(name):
    """A bucket that no longer exists: HeadBucket answers a bare 404 (no error body), every
    other S3 call NoSuchBucket."""
    def gone(api):
        return unreadable("not_found", api, "NoSuchBucket: The specified bucket does not exist")
    return {
        "name": name,
        "owner_account_id": unreadable("not_found", "s3:HeadBucket", "404 Not Found"),
        "region": gone("s3:GetBucketLocation"),
        "versioning": gone("s3:GetBucketVersioning"),
        "encryption": gone("s3:GetBucketEncryption"),
        "lifecycle": gone("s3:GetBucketLifecycleConfiguration"),
        "object_lock": gone("s3:GetObjectLockConfiguration"),
        "public_access_block": gone("s3:GetPublicAccessBlock"),
        "policy": gone("s3:GetBucketPolicy"),
        "policy_is_public": gone("s3:GetBucketPolicyStatus"),
        "acl_grants": gone("s3:GetBucketAcl"),
        "object_ownership": gone("s3:GetBucketOwnershipControls"),
        "logging": gone("s3:GetBucketLogging"),
    }


# --------------------------------------------------------------------------------------------
# Monitoring, Lake, accounts
# --------------------------------------------------------------------------------------------

def tamper_pattern(event_names):
    return json.dumps({
        "source": ["aws.cloudtrail"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["cloudtrail.amazonaws.com"], "eventName": event_names},
    }, separators=(",", ":"))


def eventbridge_rule(account, region, name, state, pattern, targets):
    return {
        "name": name,
        "arn": f"arn:aws:events:{region}:{account}:rule/{name}",
        "event_bus_name": "default",
        "state": state,
        "event_pattern": pattern,
        "targets": fact(targets),
    }


def metric_filter(log_group, name, pattern, metric, namespace):
    return {
        "log_group_name": log_group,
        "filter_name": name,
        "filter_pattern": pattern,
        "metric_transformations": [{"metric_name": metric, "metric_namespace": namespace}],
    }


def alarm(name, metric, namespace, actions_enabled, actions):
    return {"alarm_name": name, "metric_name": metric, "namespace": namespace,
            "actions_enabled": actions_enabled, "alarm_actions": actions}


def event_data_store(account, region, store_id, name, *, retention, billing, protected, org,
                     kms_key=None, selectors_=(), insights=(), status="ENABLED"):
    return {
        "arn": f"arn:aws:cloudtrail:{region}:{account}:eventdatastore/{store_id}",
        "name": name,
        "details": fact({
            "status": status,
            "retention_period": retention,
            "billing_mode": billing,
            "termination_protection_enabled": protected,
            "multi_region_enabled": True,
            "organization_enabled": org,
            "kms_key_id": kms_key,
            "advanced_event_selectors": list(selectors_),
        }),
        "insight_selectors": fact(list(insights)),
    }


def make_region(name, trail_arns, event_data_stores=(), rules=(), filters=(), alarms=()):
    return {
        "name": name,
        "trail_arns": fact(sorted(trail_arns)),
        "event_data_stores": fact(list(event_data_stores)),
        "eventbridge_rules": fact(list(rules)),
        "metric_filters": fact(list(filters)),
        "alarms": fact(list(alarms)),
    }


def make_account(account_id, trails, owned_buckets, *, public_access_block, full_access, per_region=None):
    """One scanned account. `per_region` maps a region to extra make_region() keyword arguments.
    trail_arns per region are what DescribeTrails(includeShadowTrails=true) lists there: every
    multi-Region trail the account can see (owned or organization), single-Region trails only
    in their home Region; a `trail_arns` entry in `per_region` replaces that (e.g. with an
    unreadable fact when DescribeTrails was refused)."""
    per_region = per_region or {}
    regions = []
    for region in REGIONS:
        extra = dict(per_region.get(region, {}))
        arns = [t["arn"] for t in trails if t["is_multi_region_trail"] or t["home_region"] == region]
        region_inventory = make_region(region, arns, **{k: v for k, v in extra.items() if k != "trail_arns"})
        if "trail_arns" in extra:
            region_inventory["trail_arns"] = extra["trail_arns"]
        regions.append(region_inventory)
    users, groups, roles = full_access
    return {
        "id": account_id,
        "name": ACCOUNT_NAMES[account_id],
        "enabled_regions": fact(list(REGIONS)),
        "regions": regions,
        "trails": trails,
        "owned_bucket_names": fact(sorted(owned_buckets)),
        "public_access_block": fact(public_access_block),
        "cloudtrail_full_access": fact({"users": users, "groups": groups, "roles": roles}),
    }


def kms_key(key_id, state="Enabled", manager="CUSTOMER", multi_region=False):
    return {"key_id": key_id,
            "metadata": fact({"arn": key_id, "key_state": state, "key_manager": manager,
                              "multi_region": multi_region})}


# --------------------------------------------------------------------------------------------
# The organization
# --------------------------------------------------------------------------------------------

def build(last_month=False):
    """The organization at COLLECTED_AT, or (last_month) at LAST_MONTH_AT."""
    global NOW
    NOW = LAST_MONTH_AT if last_month else COLLECTED_AT
    names = {a: n for a, n in ACCOUNT_NAMES.items() if not (last_month and a == SANDBOX)}

    # ---- KMS keys ---------------------------------------------------------------------------
    org_trail_key = kms_arn("us-east-1", LOG_ARCHIVE, "0f6c1c9e-3a52-4d8e-9b7a-1d2e3f4a5b6c")
    security_trail_key = kms_arn("us-east-1", SECURITY, "5d2f7a10-8c3e-4b61-a9d4-2e7f1c0b9a83")
    prod_trail_key = kms_arn("us-west-2", PROD, "a41e9b27-6d05-4f3c-8e12-7b9d0c5f2e64")
    sandbox_trail_key = kms_arn("ap-southeast-2", LEGACY, "c83b5e41-2f9a-4d07-b6e8-91a0d3c7f215")
    lake_key = kms_arn("us-east-1", MGMT, "e7a90c52-4b1d-4e8f-93c6-0d5a2b8f71e9")
    siem_bucket_key = kms_arn("us-east-1", MGMT, "3b8d6f21-c04a-4e97-a5d2-6f1e9b3c7a08")
    sandbox_lake_key = kms_arn("ap-southeast-2", SANDBOX, "91c4e7a2-5d38-4b0f-8e61-a2d7c9f05b34")

    kms_keys = [
        kms_key(org_trail_key),        # PASS CT-KMS-ENCRYPTION (org-trail): enabled customer managed key
        kms_key(security_trail_key),
        kms_key(prod_trail_key),
        # The legacy account's key: DescribeKey refused -> key state INCONCLUSIVE, KmsKeyId present.
        {"key_id": sandbox_trail_key,
         "metadata": unreadable("access_denied", "kms:DescribeKey",
                                f"AccessDeniedException: User: arn:aws:sts::{SANDBOX}:assumed-role/TrailwardenReadOnly/trailwarden "
                                f"is not authorized to perform: kms:DescribeKey on resource: {sandbox_trail_key} "
                                "because no resource-based policy allows the kms:DescribeKey action")},
        kms_key(lake_key),             # PASS CT-LAKE-CMK (org-audit-lake)
        kms_key(siem_bucket_key),      # default (DSSE-KMS) encryption of demo-mgmt-siem-feed
        kms_key(sandbox_lake_key),     # PASS CT-LAKE-CMK (acme-legacy-audit-lake)
    ]
    if last_month:  # LAST MONTH: workload-sandbox had not joined, nothing names its keys
        kms_keys = [k for k in kms_keys if k["key_id"] not in (sandbox_trail_key, sandbox_lake_key)]

    # ---- SNS topics, log groups ---------------------------------------------------------------
    mgmt_alerts = f"arn:aws:sns:us-east-1:{MGMT}:security-alerts"
    security_alerts = f"arn:aws:sns:us-east-1:{SECURITY}:cloudtrail-tamper-alerts"
    prod_alerts = f"arn:aws:sns:us-west-2:{PROD}:prod-security-alerts"
    org_log_group = "org-trail-cloudtrail-logs"
    prod_log_group = "prod-audit-trail"

    # ---- Trails -------------------------------------------------------------------------------

    # The organization trail: the compliant baseline.
    # PASS CT-ORG-TRAIL, CT-MULTI-REGION, CT-SECURITY-TRAIL, CT-GLOBAL-SERVICE-EVENTS,
    # CT-REGION-COVERAGE (management, log-archive), CT-IS-LOGGING, CT-DELIVERY-ERRORS,
    # CT-LOG-FILE-VALIDATION, CT-KMS-ENCRYPTION, CT-CLOUDWATCH-LOGS, CT-INSIGHTS (both types),
    # CT-ADVANCED-SELECTORS, CT-S3-DATA-EVENTS-WRITE (advanced, readOnly=false, all buckets);
    # FAIL CT-S3-DATA-EVENTS-READ where nothing else records reads.
    # LAST MONTH: not yet an organization trail (FAIL CT-ORG-TRAIL; members see no trail of it).
    org_trail = make_trail(
        MGMT, "us-east-1", "org-trail", "demo-org-cloudtrail-logs",
        multi_region=True, global_events=True, organization=not last_month, validation=True,
        kms_key=org_trail_key,
        sns_topic=f"arn:aws:sns:us-east-1:{MGMT}:org-trail-notifications",
        log_group=f"arn:aws:logs:us-east-1:{MGMT}:log-group:{org_log_group}:*",
        log_role=f"arn:aws:iam::{MGMT}:role/CloudTrailToCloudWatchLogs",
        custom_selectors=True,
        status=make_status(True, delivered=ago(hours=1), digest=ago(hours=1), cloudwatch=ago(minutes=10),
                           notified=ago(hours=1), started=iso(datetime(2024, 3, 4, 9, 12, 40, tzinfo=timezone.utc))),
        event_selectors=selectors(advanced=[
            advanced_selector("Management events", field("eventCategory", equals=["Management"])),
            advanced_selector("S3 object writes, all buckets",
                              field("eventCategory", equals=["Data"]),
                              field("resources.type", equals=["AWS::S3::Object"]),
                              field("readOnly", equals=["false"])),
        ]),
        insight_selectors=[insight("ApiCallRateInsight"), insight("ApiErrorRateInsight")],
        tags={"managed-by": "terraform", "owner": "security-engineering"},
    )

    # A data-only trail of the security team: S3 data events on two sensitive buckets.
    # No management events -> not a duplicate (CT-DUPLICATE-MGMT-EVENTS edge case).
    # Scoped S3 selectors do not count for CT-S3-DATA-EVENTS-* under profile `all`.
    # PASS CT-ADVANCED-SELECTORS, CT-BUCKET-SEPARATE-ACCOUNT (bucket in log-archive);
    # FAIL CT-CLOUDWATCH-LOGS (no log group).
    security_trail = make_trail(
        SECURITY, "us-east-1", "security-s3-data-events", "demo-security-data-events-logs",
        multi_region=True, global_events=True, validation=True, kms_key=security_trail_key,
        custom_selectors=True,
        status=make_status(True, delivered=ago(hours=1), digest=ago(hours=1),
                           started=iso(datetime(2025, 6, 17, 14, 3, 5, tzinfo=timezone.utc))),
        event_selectors=selectors(advanced=[
            advanced_selector("S3 data events on sensitive buckets",
                              field("eventCategory", equals=["Data"]),
                              field("resources.type", equals=["AWS::S3::Object"]),
                              field("resources.ARN", starts_with=["arn:aws:s3:::demo-org-cloudtrail-logs/",
                                                                  "arn:aws:s3:::demo-prod-customer-data/"])),
        ]),
        tags={"owner": "security-engineering"},
    )

    # The security team's SIEM feed: a second, deliberately cheaper copy of management events
    # (KMS and RDS Data API events left out) plus Lambda invocations in every Region. It still
    # delivers to the SIEM bucket in the management account, created before log-archive existed.
    # PASS CT-DUPLICATE-MGMT-EVENTS (secondary copy of org-trail's management events that
    # excludes kms.amazonaws.com and rdsdata.amazonaws.com, with advanced selectors),
    # CT-LAMBDA-DATA-EVENTS (security: from a multi-Region trail, no single-Region note),
    # CT-ADVANCED-SELECTORS, CT-DATA-EVENTS-COST (nobody else records Lambda events here),
    # CT-GLOBAL-SERVICE-EVENTS and CT-REGION-COVERAGE (security: owned trails are named before
    # org-trail; exclusions do not matter there), CT-IS-LOGGING, CT-DELIVERY-ERRORS, CT-KMS-ENCRYPTION;
    # FAIL CT-BUCKET-SEPARATE-ACCOUNT (bucket owned by the management account),
    # CT-CLOUDWATCH-LOGS (no log group). It never qualifies for CT-MULTI-REGION or
    # CT-SECURITY-TRAIL (it excludes sources): org-trail does.
    # LAST MONTH: log file validation was off (FAIL CT-LOG-FILE-VALIDATION, resolved since).
    siem_trail = make_trail(
        SECURITY, "us-east-1", "security-siem-feed", "demo-mgmt-siem-feed",
        multi_region=True, global_events=True, validation=not last_month, kms_key=security_trail_key,
        custom_selectors=True,
        status=make_status(True, delivered=ago(minutes=20), digest=None if last_month else ago(minutes=50),
                           started=iso(datetime(2024, 5, 6, 11, 30, 0, tzinfo=timezone.utc))),
        event_selectors=selectors(advanced=[
            advanced_selector("Management events without KMS and RDS Data API",
                              field("eventCategory", equals=["Management"]),
                              field("eventSource", not_equals=["kms.amazonaws.com", "rdsdata.amazonaws.com"])),
            advanced_selector("Lambda invocations, all functions",
                              field("eventCategory", equals=["Data"]),
                              field("resources.type", equals=["AWS::Lambda::Function"])),
        ]),
        tags={"owner": "security-engineering", "consumer": "siem"},
    )

    # workload-prod's own multi-Region trail.
    # PASS CT-MULTI-REGION (prod, even though the org trail's details are unreadable there),
    # CT-S3-DATA-EVENTS-READ/WRITE (prod), CT-IS-LOGGING, CT-LOG-FILE-VALIDATION,
    # CT-KMS-ENCRYPTION, CT-CLOUDWATCH-LOGS, CT-DELIVERY-ERRORS;
    # FAIL CT-DUPLICATE-MGMT-EVENTS (second copy of all management events, no KMS/RDS exclusion),
    # CT-ADVANCED-SELECTORS + CT-DATA-EVENTS-COST (blanket S3 data events with basic selectors,
    # S3 writes also recorded by org-trail), CT-BUCKET-SEPARATE-ACCOUNT (bucket in prod itself);
    # only ApiCallRateInsight (CT-INSIGHTS needs both types).
    prod_trail = make_trail(
        PROD, "us-west-2", "prod-audit-trail", "demo-prod-cloudtrail-logs",
        multi_region=True, global_events=True, validation=True, kms_key=prod_trail_key, prefix="prod",
        log_group=f"arn:aws:logs:us-west-2:{PROD}:log-group:{prod_log_group}:*",
        log_role=f"arn:aws:iam::{PROD}:role/prod-audit-trail-cloudwatch",
        custom_selectors=True,
        status=make_status(True, delivered=ago(minutes=55), digest=ago(minutes=55), cloudwatch=ago(minutes=4),
                           started=iso(datetime(2023, 9, 28, 16, 40, 0, tzinfo=timezone.utc))),
        event_selectors=selectors(basic=[
            basic_selector("All", management=True, data_resources=[("AWS::S3::Object", ["arn:aws:s3"])]),
        ]),
        insight_selectors=[insight("ApiCallRateInsight")],
        tags={"environment": "prod", "owner": "platform-team"},
    )

    # workload-prod's first trail, replaced by prod-audit-trail in September 2023: logging was
    # stopped then, and its bucket was deleted in a storage clean-up, but the trail itself was
    # never deleted. Anyone who creates a bucket with that name would receive its logs as soon
    # as someone starts logging again.
    # FAIL CT-BUCKET-SEPARATE-ACCOUNT (critical: the bucket does not exist, HeadBucket 404),
    # CT-IS-LOGGING (high, not critical: it is single-Region), CT-KMS-ENCRYPTION,
    # CT-CLOUDWATCH-LOGS; N/A CT-DUPLICATE-MGMT-EVENTS (not logging); CT-DELIVERY-ERRORS passes
    # (no error since it stopped). Every bucket rule is INCONCLUSIVE on the deleted bucket.
    prod_legacy_trail = make_trail(
        PROD, "us-west-2", "prod-legacy-trail", "demo-prod-cloudtrail-2022",
        multi_region=False, global_events=False, validation=True,
        custom_selectors=False,
        status=make_status(False, delivered=iso(datetime(2023, 9, 29, 10, 11, 42, tzinfo=timezone.utc)),
                           digest=iso(datetime(2023, 9, 29, 9, 58, 3, tzinfo=timezone.utc)),
                           started=iso(datetime(2022, 2, 14, 8, 45, 0, tzinfo=timezone.utc)),
                           stopped=iso(datetime(2023, 9, 29, 10, 15, 0, tzinfo=timezone.utc))),
        event_selectors=selectors(basic=[basic_selector("All", management=True)]),
        tags={"environment": "prod", "owner": "platform-team", "status": "replaced-by-prod-audit-trail"},
    )

    # workload-staging: single-Region, stopped 12 days ago, no validation, no KMS, no CloudWatch.
    # FAIL CT-IS-LOGGING, CT-LOG-FILE-VALIDATION, CT-KMS-ENCRYPTION, CT-CLOUDWATCH-LOGS,
    # CT-BUCKET-SEPARATE-ACCOUNT. Not a duplicate: it is not logging.
    # CT-DELIVERY-ERRORS: the last delivery is old but the trail is stopped (no error string).
    # LAST MONTH: still logging (PASS CT-IS-LOGGING then: the failure is new).
    staging_started = iso(datetime(2025, 1, 14, 10, 0, 0, tzinfo=timezone.utc))
    staging_trail = make_trail(
        STAGING, "eu-west-1", "staging-trail", "demo-staging-cloudtrail-logs",
        multi_region=False, global_events=False, validation=False,
        custom_selectors=False,
        status=make_status(True, delivered=ago(minutes=35), started=staging_started) if last_month else
               make_status(False, delivered=ago(days=12, hours=2, minutes=51), started=staging_started,
                           stopped=ago(days=12, hours=3)),
        # has_custom_event_selectors=false: AWS returns its default selector.
        event_selectors=selectors(basic=[basic_selector("All", management=True)]),
        tags={"environment": "staging"},
    )

    # workload-sandbox: single-Region in ap-southeast-2, write-only management events, Lambda
    # data events, bucket and key in the legacy account 999999999999; S3 delivery has been
    # failing for 3 days.
    # FAIL CT-MULTI-REGION (single-Region, write-only), CT-REGION-COVERAGE (us-east-1, us-west-2;
    # eu-west-1 is INCONCLUSIVE, see the account),
    # CT-GLOBAL-SERVICE-EVENTS (account, and the trail advisory: global events on a
    # single-Region trail outside us-east-1), CT-DELIVERY-ERRORS, CT-LOG-FILE-VALIDATION,
    # CT-CLOUDWATCH-LOGS, CT-INSIGHTS, CT-S3-DATA-EVENTS-*;
    # PASS CT-LAMBDA-DATA-EVENTS, CT-ADVANCED-SELECTORS, CT-IS-LOGGING, CT-REGION-COVERAGE
    # (ap-southeast-2); INCONCLUSIVE bucket rules and CT-BUCKET-SEPARATE-ACCOUNT; CT-KMS-ENCRYPTION
    # has a KmsKeyId but the key state is unreadable.
    sandbox_trail = make_trail(
        SANDBOX, "ap-southeast-2", "sandbox-trail", "acme-legacy-cloudtrail-logs",
        multi_region=False, global_events=True, validation=False, kms_key=sandbox_trail_key, prefix="sandbox",
        custom_selectors=True,
        status=make_status(True, delivered=ago(days=3, hours=1, minutes=12), delivery_error="AccessDenied",
                           started=iso(datetime(2022, 11, 2, 3, 25, 0, tzinfo=timezone.utc))),
        event_selectors=selectors(advanced=[
            advanced_selector("Write-only management events",
                              field("eventCategory", equals=["Management"]),
                              field("readOnly", equals=["false"])),
            advanced_selector("Lambda invocations, all functions",
                              field("eventCategory", equals=["Data"]),
                              field("resources.type", equals=["AWS::Lambda::Function"])),
        ]),
        tags={"migrated-from": f"acme-legacy ({LEGACY})", "environment": "sandbox"},
    )

    # ---- Buckets ------------------------------------------------------------------------------
    org_bucket = "demo-org-cloudtrail-logs"
    security_bucket = "demo-security-data-events-logs"
    access_log_bucket = "demo-org-s3-access-logs"  # target of server access logging, not a trail bucket
    siem_bucket = "demo-mgmt-siem-feed"
    mgmt_canonical = "9a4c2e7f1b3d5a8c0e6f2b4d7a9c1e3f5b8d0a2c4e6f9b1d3a5c7e0f2b4d6a8c"
    log_archive_canonical = "6f1d4c8a2b9e07d53a1c4e8f2b7d09a6c5e3f18b4d2a7c9e0f6b3d8a1c5e4f72"
    prod_canonical = "b3e9a7c1d5f2084e6a9c3b7d1e5f8a2c4b6d0e9f3a7c5b1d8e2f4a6c0b9d3e7f"
    staging_canonical = "2c8e4a6b0d9f1e3a5c7b9d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a1c3b5d7f9e2a"

    buckets = [
        # The central bucket: everything right.
        # PASS CT-BUCKET-NOT-PUBLIC, CT-BUCKET-POLICY-LEAST-PRIVILEGE (aws:SourceArn + TLS deny),
        # CT-BUCKET-VERSIONING, CT-BUCKET-OBJECT-LOCK (COMPLIANCE 365 d), CT-BUCKET-LIFECYCLE
        # (keeps AWSLogs/ 7 years), CT-BUCKET-ACCESS-LOGGING, CT-BUCKET-KEY;
        # N/A CT-BUCKET-MFA-DELETE (lifecycle design chosen).
        make_bucket(
            org_bucket, LOG_ARCHIVE, "us-east-1",
            versioning_config=versioning("Enabled", "Disabled"),
            encryption=sse_kms(org_trail_key, bucket_key=True),
            lifecycle=[lifecycle_rule("cloudtrail-retention", "AWSLogs/", expiration_days=2555,
                                      noncurrent_days=365,
                                      transitions=[(90, "STANDARD_IA"), (365, "GLACIER")])],
            object_lock_config=object_lock("COMPLIANCE", 365),
            public_access_block=pab(True),
            policy=policy_text([
                cloudtrail_acl_check(org_bucket, [org_trail["arn"]]),
                cloudtrail_write(org_bucket, [f"AWSLogs/{MGMT}/*", f"AWSLogs/{ORG_ID}/*"], [org_trail["arn"]]),
                deny_insecure_transport(org_bucket),
            ]),
            policy_is_public=False,
            acl_grants=[owner_grant(log_archive_canonical)],
            object_ownership="BucketOwnerEnforced",
            # LAST MONTH: no access logging yet (FAIL CT-BUCKET-ACCESS-LOGGING, resolved since).
            logging=None if last_month else {"target_bucket": access_log_bucket, "target_prefix": f"{org_bucket}/"},
        ),
        # MFA delete instead of a lifecycle, and a short GOVERNANCE lock.
        # PASS CT-BUCKET-MFA-DELETE, CT-BUCKET-VERSIONING, CT-BUCKET-NOT-PUBLIC, CT-BUCKET-KEY,
        # CT-BUCKET-ACCESS-LOGGING;
        # FAIL CT-BUCKET-OBJECT-LOCK (90 days < 365), CT-BUCKET-LIFECYCLE (none: the two designs
        # exclude each other, docs/architecture.md §6);
        # INCONCLUSIVE CT-BUCKET-POLICY-LEAST-PRIVILEGE: the TLS deny and the SourceArn condition
        # are there, but the analysts' read access is written as an Allow with NotAction
        # ("everything except Delete* and Put*"), which also grants s3:BypassGovernanceRetention
        # among others: beyond the policy analysis, to be checked by hand.
        make_bucket(
            security_bucket, LOG_ARCHIVE, "us-east-1",
            versioning_config=versioning("Enabled", "Enabled"),
            encryption=sse_kms(org_trail_key, bucket_key=True),
            lifecycle=None,
            object_lock_config=object_lock("GOVERNANCE", 90),
            public_access_block=pab(True),
            policy=policy_text([
                cloudtrail_acl_check(security_bucket, [security_trail["arn"]]),
                cloudtrail_write(security_bucket, [f"AWSLogs/{SECURITY}/*"], [security_trail["arn"]]),
                deny_insecure_transport(security_bucket),
                {
                    "Sid": "SecurityAnalystsReadOnly",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{SECURITY}:role/SecurityAnalyst"},
                    "NotAction": ["s3:Delete*", "s3:Put*"],
                    "Resource": [f"arn:aws:s3:::{security_bucket}", f"arn:aws:s3:::{security_bucket}/*"],
                },
            ]),
            policy_is_public=False,
            acl_grants=[owner_grant(log_archive_canonical)],
            object_ownership="BucketOwnerEnforced",
            logging={"target_bucket": access_log_bucket, "target_prefix": f"{security_bucket}/"},
        ),
        # The SIEM bucket in the management account (from before log-archive existed): the
        # security account's SIEM ingests each file and then deletes it.
        # PASS CT-BUCKET-ACCESS-LOGGING (with a note: it logs into itself, under access-logs/),
        # CT-BUCKET-LIFECYCLE (AWSLogs/ kept 7 years; only access-logs/ expires after 90 days),
        # CT-BUCKET-VERSIONING, CT-BUCKET-NOT-PUBLIC;
        # FAIL CT-BUCKET-KEY (dual-layer DSSE-KMS, which S3 Bucket Keys do not support),
        # CT-BUCKET-POLICY-LEAST-PRIVILEGE (s3:DeleteObject granted to a role of another account,
        # although TLS deny and SourceArn condition are right), CT-BUCKET-OBJECT-LOCK (none);
        # N/A CT-BUCKET-MFA-DELETE (has a lifecycle).
        make_bucket(
            siem_bucket, MGMT, "us-east-1",
            versioning_config=versioning("Enabled", "Disabled"),
            encryption=dsse_kms(siem_bucket_key),
            lifecycle=[lifecycle_rule("cloudtrail-archive", "AWSLogs/", expiration_days=2555, noncurrent_days=400,
                                      transitions=[(30, "STANDARD_IA")]),
                       lifecycle_rule("expire-access-logs", "access-logs/", expiration_days=90)],
            object_lock_config=None,
            public_access_block=pab(True),
            policy=policy_text([
                cloudtrail_acl_check(siem_bucket, [siem_trail["arn"]]),
                cloudtrail_write(siem_bucket, [f"AWSLogs/{SECURITY}/*"], [siem_trail["arn"]]),
                deny_insecure_transport(siem_bucket),
                {
                    "Sid": "SiemIngestReadThenDelete",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{SECURITY}:role/siem-ingest"},
                    "Action": ["s3:GetObject", "s3:DeleteObject"],
                    "Resource": f"arn:aws:s3:::{siem_bucket}/AWSLogs/*",
                },
            ]),
            policy_is_public=False,
            acl_grants=[owner_grant(mgmt_canonical)],
            object_ownership="BucketOwnerEnforced",
            logging={"target_bucket": siem_bucket, "target_prefix": "access-logs/"},
        ),
        # workload-prod's own bucket.
        # PASS CT-BUCKET-VERSIONING, CT-BUCKET-NOT-PUBLIC (through the account-level Block Public
        # Access: the bucket has none of its own);
        # FAIL CT-BUCKET-MFA-DELETE (never configured, no lifecycle), CT-BUCKET-LIFECYCLE (none),
        # CT-BUCKET-OBJECT-LOCK (none), CT-BUCKET-ACCESS-LOGGING (off), CT-BUCKET-KEY (SSE-KMS
        # without bucket key), CT-BUCKET-POLICY-LEAST-PRIVILEGE (no SecureTransport deny).
        make_bucket(
            "demo-prod-cloudtrail-logs", PROD, "us-west-2",
            versioning_config=versioning("Enabled"),  # MFADelete never configured
            encryption=sse_kms(prod_trail_key, bucket_key=False),
            lifecycle=None,
            object_lock_config=None,
            public_access_block=None,
            policy=policy_text([
                cloudtrail_acl_check("demo-prod-cloudtrail-logs", [prod_trail["arn"]]),
                cloudtrail_write("demo-prod-cloudtrail-logs", [f"prod/AWSLogs/{PROD}/*"], [prod_trail["arn"]]),
            ]),
            policy_is_public=False,
            acl_grants=[owner_grant(prod_canonical)],
            object_ownership="BucketOwnerPreferred",
            logging=None,
        ),
        # workload-staging's bucket: public.
        # FAIL CT-BUCKET-NOT-PUBLIC (critical: AllUsers READ grant, no Block Public Access
        # anywhere, ACLs enabled), CT-BUCKET-VERSIONING (never enabled), CT-BUCKET-LIFECYCLE
        # (expires logs after 30 days), CT-BUCKET-OBJECT-LOCK, CT-BUCKET-ACCESS-LOGGING,
        # CT-BUCKET-POLICY-LEAST-PRIVILEGE (no aws:SourceArn, no TLS deny);
        # N/A CT-BUCKET-MFA-DELETE (has a lifecycle), CT-BUCKET-KEY (SSE-S3, trail without KMS).
        make_bucket(
            "demo-staging-cloudtrail-logs", STAGING, "eu-west-1",
            versioning_config=versioning(),  # never enabled
            encryption=sse_s3(),
            lifecycle=[lifecycle_rule("expire-old-logs", "", expiration_days=30)],
            object_lock_config=None,
            public_access_block=None,
            policy=policy_text([
                cloudtrail_acl_check("demo-staging-cloudtrail-logs"),
                cloudtrail_write("demo-staging-cloudtrail-logs", [f"AWSLogs/{STAGING}/*"]),
            ]),
            policy_is_public=False,
            acl_grants=[owner_grant(staging_canonical),
                        group_grant(ALL_USERS, "READ")],
            object_ownership="ObjectWriter",
            logging=None,
        ),
        # workload-sandbox's bucket in the legacy account: every read refused.
        # INCONCLUSIVE on every bucket rule.
        unreadable_bucket("acme-legacy-cloudtrail-logs", reader=SANDBOX, expected_owner=SANDBOX),
        # prod-legacy-trail's bucket, deleted: HeadBucket 404 (FAIL, critical,
        # CT-BUCKET-SEPARATE-ACCOUNT on the trail); every bucket rule INCONCLUSIVE (NoSuchBucket).
        deleted_bucket("demo-prod-cloudtrail-2022"),
    ]
    if last_month:  # LAST MONTH: workload-sandbox had not joined, nothing names its bucket
        buckets = [b for b in buckets if b["name"] != "acme-legacy-cloudtrail-logs"]

    # ---- Monitoring -----------------------------------------------------------------------------
    cis_trail_changes = ("{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
                         "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || "
                         "($.eventName = StopLogging) }")
    cis_root_usage = ('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                      '$.eventType != "AwsServiceEvent" }')
    tamper_names = ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"]

    # ---- Accounts -------------------------------------------------------------------------------
    accounts = [
        make_account(
            MGMT, [org_trail],
            ["demo-mgmt-terraform-state", "demo-mgmt-cur-reports", siem_bucket],
            public_access_block=pab(True),
            full_access=([], [], []),  # PASS CT-FULLACCESS-LIMITED
            per_region={"us-east-1": {
                # PASS CT-LAKE-RETENTION (2557 days, protected) and CT-LAKE-CMK.
                "event_data_stores": [event_data_store(
                    MGMT, "us-east-1", "4f0b2c7e-9a13-4d5e-8b61-c2e7f9a03d18", "org-audit-lake",
                    retention=2557, billing="FIXED_RETENTION_PRICING", protected=True, org=True,
                    kms_key=lake_key,
                    selectors_=[advanced_selector("Management events",
                                                  field("eventCategory", equals=["Management"]))])],
                # PASS CT-TAMPER-ALERTS (management, us-east-1 = org-trail's home Region): the CIS
                # 4.5 metric filter on org-trail's log group, with an alarm that notifies.
                "filters": [
                    metric_filter(org_log_group, "cis-4.3-root-account-usage", cis_root_usage,
                                  "RootAccountUsage", "CISBenchmark"),
                    metric_filter(org_log_group, "cis-4.5-cloudtrail-config-changes", cis_trail_changes,
                                  "CloudTrailConfigChanges", "CISBenchmark"),
                ],
                "alarms": [
                    alarm("cis-4.3-root-account-usage", "RootAccountUsage", "CISBenchmark", True, [mgmt_alerts]),
                    alarm("cis-4.5-cloudtrail-config-changes", "CloudTrailConfigChanges", "CISBenchmark",
                          True, [mgmt_alerts]),
                ],
            }},
        ),
        make_account(
            LOG_ARCHIVE, [] if last_month else [member_copy(org_trail, LOG_ARCHIVE, readable=True)],
            [org_bucket, security_bucket, access_log_bucket],
            public_access_block=pab(True),
            full_access=([], [], []),
            per_region={"us-east-1": {
                # FAIL CT-LAKE-RETENTION (90 days, no termination protection) and CT-LAKE-CMK.
                "event_data_stores": [event_data_store(
                    LOG_ARCHIVE, "us-east-1", "9c3d1e5a-7b2f-4a80-b6d4-e1f05a9c2b37", "log-archive-query-lake",
                    retention=90, billing="EXTENDABLE_RETENTION_PRICING", protected=False, org=False,
                    selectors_=[advanced_selector("Management events",
                                                  field("eventCategory", equals=["Management"]))])],
            }},
        ),
        make_account(
            SECURITY, [security_trail, siem_trail] + ([] if last_month else [member_copy(org_trail, SECURITY, readable=True)]),
            ["demo-security-findings-export"],
            public_access_block=pab(True),
            # An approved administrator role: passes when listed in fullaccess_allowed_principals.
            full_access=([], [], ["CloudTrailAdministrator"]),
            per_region={"us-east-1": {
                # PASS CT-TAMPER-ALERTS (security, us-east-1 = home of security-s3-data-events and
                # security-siem-feed): EventBridge rule with a target.
                "rules": [
                    eventbridge_rule(SECURITY, "us-east-1", "cloudtrail-tamper-alerts", "ENABLED",
                                     tamper_pattern(tamper_names), [security_alerts]),
                    eventbridge_rule(SECURITY, "us-east-1", "guardduty-findings-to-sns", "ENABLED",
                                     json.dumps({"source": ["aws.guardduty"],
                                                 "detail-type": ["GuardDuty Finding"]}, separators=(",", ":")),
                                     [security_alerts]),
                ],
            }},
        ),
        make_account(
            PROD, [prod_trail, prod_legacy_trail] + ([] if last_month else [member_copy(org_trail, PROD, readable=False)]),
            ["demo-prod-cloudtrail-logs", "demo-prod-customer-data", "demo-prod-app-assets"],
            public_access_block=pab(True),  # the prod bucket relies on this account-level setting
            # FAIL CT-FULLACCESS-LIMITED: attached to an IAM user.
            full_access=(["ci-deployer"], [], []),
            per_region={"us-west-2": {
                # FAIL CT-TAMPER-ALERTS (prod, us-west-2 = prod-audit-trail's home Region): the
                # EventBridge rule is DISABLED and the metric filter's alarm has actions disabled.
                # LAST MONTH: the rule was still ENABLED (PASS then: the failure is new).
                "rules": [eventbridge_rule(PROD, "us-west-2", "detect-cloudtrail-changes",
                                           "ENABLED" if last_month else "DISABLED",
                                           tamper_pattern(tamper_names), [prod_alerts])],
                "filters": [metric_filter(prod_log_group, "cloudtrail-config-changes", cis_trail_changes,
                                          "CloudTrailConfigChanges", "Prod/Security")],
                "alarms": [alarm("prod-cloudtrail-config-changes", "CloudTrailConfigChanges", "Prod/Security",
                                 False, [prod_alerts])],
            }},
        ),
        make_account(
            STAGING, [staging_trail] + ([] if last_month else [member_copy(org_trail, STAGING, readable=False)]),
            ["demo-staging-cloudtrail-logs", "demo-staging-app-assets"],
            # No account-level Block Public Access (NoSuchPublicAccessBlockConfiguration).
            public_access_block=None,
            full_access=([], [], []),
            # FAIL CT-TAMPER-ALERTS (staging, eu-west-1): no rule, no metric filter.
        ),
        make_account(
            SANDBOX, [sandbox_trail],  # org-trail not replicated yet (joined 2 h ago)
            ["demo-sandbox-experiments"],
            public_access_block=pab(True),
            # FAIL CT-FULLACCESS-LIMITED: attached to an IAM group.
            full_access=([], ["sandbox-developers"], []),
            per_region={
                # INCONCLUSIVE CT-REGION-COVERAGE (sandbox, eu-west-1): the legacy scanner role
                # allows DescribeTrails only in the legacy team's Regions, and no multi-Region
                # trail covers the account, so whether a trail is homed here is unknown.
                # (us-east-1 and us-west-2 FAIL: DescribeTrails answered there.)
                "eu-west-1": {"trail_arns": unreadable(
                    "access_denied", "cloudtrail:DescribeTrails",
                    scanner_denied(SANDBOX, "cloudtrail:DescribeTrails", f"arn:aws:cloudtrail:eu-west-1:{SANDBOX}:trail/*"))},
                "ap-southeast-2": {
                    # The legacy team's Lake store: ingestion stopped during the migration, kept for
                    # queries. FAIL CT-LAKE-RETENTION (only because ingestion is stopped: 730 days,
                    # protected); PASS CT-LAKE-CMK. It has both Insights types, but a stopped store
                    # produces none: CT-INSIGHTS (sandbox) still FAILS and names it.
                    "event_data_stores": [event_data_store(
                        SANDBOX, "ap-southeast-2", "b2e81f47-0c6d-4a93-9f15-3d7a8c2e6b90", "acme-legacy-audit-lake",
                        retention=730, billing="EXTENDABLE_RETENTION_PRICING", protected=True, org=False,
                        kms_key=sandbox_lake_key, status="STOPPED_INGESTION",
                        selectors_=[advanced_selector("Management events",
                                                      field("eventCategory", equals=["Management"]))],
                        insights=[insight("ApiCallRateInsight"), insight("ApiErrorRateInsight")])],
                    # FAIL CT-TAMPER-ALERTS (sandbox, ap-southeast-2): the rule matches but its SNS
                    # target was deleted, so it has none.
                    "rules": [eventbridge_rule(SANDBOX, "ap-southeast-2", "trail-tamper", "ENABLED",
                                               tamper_pattern(["StopLogging", "DeleteTrail"]), [])],
                },
            },
        ),
    ]
    accounts = [a for a in accounts if a["id"] in names]  # LAST MONTH: no workload-sandbox

    # ---- Organization -----------------------------------------------------------------------------
    ids = {n: a for a, n in names.items()}

    def unit(unit_id, path, members):
        return {"id": unit_id, "path": path, "account_ids": [ids[m] for m in members if m in ids]}

    organization = {
        "id": ORG_ID,
        "arn": f"arn:aws:organizations::{MGMT}:organization/{ORG_ID}",
        "management_account_id": MGMT,
        "feature_set": "ALL",
        "accounts": fact([{"id": a, "name": n, "status": "ACTIVE"} for a, n in names.items()]),
        # FAIL CT-ORG-DELEGATED-ADMIN (low): no CloudTrail delegated administrator. The security
        # account was deregistered during the 2026 OU restructuring and not registered again, so
        # org-trail can only be changed from the management account. Trusted access for
        # cloudtrail.amazonaws.com stays enabled (organization trails need it).
        # LAST MONTH: PASS CT-ORG-DELEGATED-ADMIN, the security account was still registered.
        "delegated_administrators": {
            "cloudtrail.amazonaws.com": fact(
                [{"account_id": SECURITY, "status": "ACTIVE",
                  "delegation_enabled_date": iso(datetime(2025, 6, 16, 9, 20, 0, tzinfo=timezone.utc))}]
                if last_month else []),
        },
        "trusted_service_principals": fact(sorted([
            "cloudtrail.amazonaws.com",
            "config.amazonaws.com",
            "guardduty.amazonaws.com",
            "member.org.stacksets.cloudformation.amazonaws.com",
            "securityhub.amazonaws.com",
            "sso.amazonaws.com",
        ])),
        # The unit tree: the management account at the root, the log archive and security
        # accounts under Security, workloads by environment, the sandbox on its own.
        "organizational_units": fact([
            unit("r-demo", "Root", ["management"]),
            unit("ou-demo-secu1234", "Root/Security", ["log-archive", "security"]),
            unit("ou-demo-sand1234", "Root/Sandbox", ["workload-sandbox"]),
            unit("ou-demo-work1234", "Root/Workloads", []),
            unit("ou-demo-nonp1234", "Root/Workloads/NonProd", ["workload-staging"]),
            unit("ou-demo-prod1234", "Root/Workloads/Prod", ["workload-prod"]),
        ]),
    }

    return {
        "schema_version": 3,
        "collected_at": iso(NOW),
        "partition": "aws",
        "caller_account_id": MGMT,
        "organization": fact(organization),
        "accounts": accounts,
        "buckets": buckets,
        "kms_keys": kms_keys,
        "collection_errors": [],
    }


def main(argv):
    root = Path(__file__).resolve().parent.parent
    out = Path(argv[1]) if len(argv) > 1 else root / "examples" / "demo-org.json"
    old = Path(argv[2]) if len(argv) > 2 else out.with_name(f"{out.stem}-last-month{out.suffix}")
    for path, last_month in [(out, False), (old, True)]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(build(last_month), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv)
