"""Corrections to moto 5.2.5 so that it answers as AWS documents.

Each patch is the narrowest change to one moto class that makes the reply match the AWS API
reference; the comment above it names the AWS behaviour. trailwarden's collector follows
AWS, never moto, so where moto is wrong it is corrected here, not special-cased in src/.

apply() must run after the MOTO_* environment variables are set and before the server
starts. It refuses to run on another moto version: the patches reach into moto's internals.
"""

from __future__ import annotations

import re
from typing import Any

import moto

EXPECTED_MOTO = "5.2.5"

# AWS's default event selector, returned by GetEventSelectors for a trail that was never
# given selectors: all read and write management events, no data events.
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html
# ("By default, trails ... log all management events and don't include data events")
DEFAULT_EVENT_SELECTORS = [
    {
        "ReadWriteType": "All",
        "IncludeManagementEvents": True,
        "DataResources": [],
        "ExcludeManagementEventSources": [],
    }
]

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def apply() -> None:
    if moto.__version__ != EXPECTED_MOTO:
        raise SystemExit(
            f"launcher: moto {moto.__version__} is installed but the corrections are written "
            f"for moto {EXPECTED_MOTO}; run scripts/setup-moto.sh"
        )
    _s3_versioning()
    _s3_cross_account()
    _cloudtrail()
    _cloudtrail_lake()
    _organizations_seeded_principals()
    _organization_trails_seen_from_members()
    _iam_speed()


# --------------------------------------------------------------------------------------------
# S3 GetBucketVersioning / PutBucketVersioning
# --------------------------------------------------------------------------------------------


def _s3_versioning() -> None:
    from moto.s3.responses import S3Response

    # PutBucketVersioning: AWS stores MFADelete (element <MfaDelete>Enabled|Disabled</MfaDelete>
    # of VersioningConfiguration) and GetBucketVersioning returns it from then on
    # (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html).
    # moto 5.2.5 reads only <Status> and drops MfaDelete; keep it on the bucket.
    orig_put = S3Response._bucket_response_put

    def _bucket_response_put(self, request, bucket_name, querystring):
        result = orig_put(self, request, bucket_name, querystring)
        if "versioning" in querystring and _status_of(result) == 200:
            body = self.body.decode("utf-8") if isinstance(self.body, bytes) else str(self.body)
            mfa = re.search(r"<MfaDelete>\s*(Enabled|Disabled)\s*</MfaDelete>", body)
            if mfa:
                self.backend.get_bucket(bucket_name).tw_mfa_delete = mfa.group(1)
        return result

    S3Response._bucket_response_put = _bucket_response_put

    # GetBucketVersioning: AWS's reply is
    #   <VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    #     <Status>Enabled|Suspended</Status><MfaDelete>Enabled|Disabled</MfaDelete>
    #   </VersioningConfiguration>
    # with both elements absent when versioning was never configured
    # (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html).
    # moto 5.2.5 names the root <GetBucketVersioningResponse>, which the SDK for Rust rejects
    # ("invalid root, expected VersioningConfiguration"), and never returns MfaDelete.
    def get_bucket_versioning(self):
        self.data["Action"] = "GetBucketVersioning"
        status = self.backend.get_bucket_versioning(self.bucket_name)
        bucket = self.backend.get_bucket(self.bucket_name)
        mfa = getattr(bucket, "tw_mfa_delete", None)
        inner = ""
        if status:
            inner += f"<Status>{status}</Status>"
        if mfa:
            inner += f"<MfaDelete>{mfa}</MfaDelete>"
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<VersioningConfiguration xmlns="{S3_NS}">{inner}</VersioningConfiguration>'
        )
        headers = dict(self.response_headers)
        headers["Content-Type"] = "application/xml"
        return 200, headers, body

    S3Response.get_bucket_versioning = get_bucket_versioning


# --------------------------------------------------------------------------------------------
# S3 across accounts and Regions: bucket policies, GetBucketLocation, HeadBucket
# --------------------------------------------------------------------------------------------


def _s3_cross_account() -> None:
    from moto.s3.exceptions import AccessDeniedByLock, S3ClientError
    from moto.s3.models import S3Backend, s3_backends
    from moto.s3.responses import S3Response

    def owning(bucket_name: str):
        located = s3_backends.bucket_accounts.get(bucket_name)
        if not located:
            return None
        partition, account_id = located
        return s3_backends[account_id][partition].buckets.get(bucket_name)

    # A bucket policy can grant another account access to the bucket
    # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html).
    # With MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS=false, moto 5.2.5 refuses every other account
    # whatever the policy says. Narrowest fix: an Allow statement whose AWS principal names the
    # caller's account (id or root ARN) lets it in; the actions are not checked (the tests'
    # policies grant reads only).
    orig_get_bucket = S3Backend.get_bucket

    def get_bucket(self, bucket_name: str):
        if bucket_name not in self.buckets:
            bucket = owning(bucket_name)
            if bucket is not None and bucket.account_id != self.account_id and _policy_grants(bucket.policy, self.account_id):
                return bucket
        return orig_get_bucket(self, bucket_name)

    S3Backend.get_bucket = get_bucket

    # GetBucketLocation: a bucket policy applies to it only in the bucket's own Region, so a
    # request of another account made through another Region's endpoint is refused
    # (AccessDenied) even when the policy grants that account access; AWS recommends HeadBucket
    # to find a bucket's Region (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html:
    # "We recommend that you use HeadBucket to return the Region that a bucket resides in").
    # moto 5.2.5 answers from any Region.
    orig_location = S3Response.get_bucket_location

    def get_bucket_location(self):
        bucket = self.backend.get_bucket(self.bucket_name)
        if bucket.account_id != self.current_account and self.region != bucket.region_name:
            raise AccessDeniedByLock()
        return orig_location(self)

    S3Response.get_bucket_location = get_bucket_location

    # HeadBucket: the x-amz-bucket-region header names the bucket's Region whether or not the
    # caller may access the bucket, on 200 and on 301, 400 and 403 replies alike
    # (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html, x-amz-bucket-region;
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-bucket-intro.html).
    # moto 5.2.5 sends it on 200 only.
    orig_head = S3Response.head_bucket

    def head_bucket(self):
        try:
            return orig_head(self)
        except S3ClientError as err:
            bucket = owning(self.bucket_name)
            if bucket is None or getattr(err, "code", None) != "AccessDenied":
                raise
            return 403, {"x-amz-bucket-region": bucket.region_name, "content-type": "application/xml"}, ""

    S3Response.head_bucket = head_bucket


def _policy_grants(policy: bytes | str | None, account_id: str) -> bool:
    """True when a bucket policy has an Allow statement whose AWS principal is `account_id`."""
    import json

    if not policy:
        return False
    try:
        doc = json.loads(policy.decode() if isinstance(policy, bytes) else policy)
    except ValueError:
        return False
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for st in statements:
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        aws = principal.get("AWS") if isinstance(principal, dict) else None
        names = aws if isinstance(aws, list) else [aws]
        if any(n in (account_id, f"arn:aws:iam::{account_id}:root") for n in names if isinstance(n, str)):
            return True
    return False


def _status_of(result: Any) -> int:
    if isinstance(result, tuple) and result and isinstance(result[0], int):
        return result[0]
    return 200


# --------------------------------------------------------------------------------------------
# CloudTrail
# --------------------------------------------------------------------------------------------


def _cloudtrail() -> None:
    import json

    from moto.cloudtrail import models as ctm
    from moto.cloudtrail.exceptions import InvalidParameterCombinationException
    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.core.exceptions import JsonRESTError

    Trail, TrailStatus = ctm.Trail, ctm.TrailStatus

    class InsightNotEnabledException(JsonRESTError):
        code = 400

        def __init__(self, arn: str):
            super().__init__(
                "InsightNotEnabledException",
                f"Trail {arn} does not have Insights enabled. Edit the trail settings to enable Insights events.",
            )

    # Let a trail's status find its trail (for the delivery times below).
    orig_init = Trail.__init__

    def __init__(self, *args, **kwargs):
        orig_init(self, *args, **kwargs)
        self.status.tw_trail = self

    Trail.__init__ = __init__

    # CreateTrail / UpdateTrail: the bucket may belong to another account (an organization's
    # log-archive account); AWS requires only that it exists and that its policy lets CloudTrail
    # write (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-set-bucket-policy-for-multiple-accounts.html).
    # moto 5.2.5 looks the bucket up as the trail's own account, which with
    # MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS=false refuses every other account's bucket.
    orig_check_bucket = Trail.check_bucket_exists

    def check_bucket_exists(self) -> None:
        from moto.s3.models import s3_backends

        if self.bucket_name in s3_backends.bucket_accounts:
            return
        orig_check_bucket(self)

    Trail.check_bucket_exists = check_bucket_exists

    # DescribeTrails / GetTrail: HasCustomEventSelectors is true when the trail has event
    # selectors or advanced event selectors set by Put(Advanced)EventSelectors, and
    # HasInsightSelectors when PutInsightSelectors left at least one Insights type
    # (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html).
    # moto 5.2.5 hard-codes both to false.
    orig_description = Trail.description

    def description(self, include_region: bool = False):
        desc = orig_description(self, include_region)
        desc["HasCustomEventSelectors"] = bool(self.event_selectors or self.advanced_event_selectors)
        desc["HasInsightSelectors"] = bool(self.insight_selectors)
        return desc

    Trail.description = description

    # PutEventSelectors / PutAdvancedEventSelectors: each call replaces the trail's whole
    # selector configuration, and basic and advanced selectors replace each other; both in one
    # call is InvalidParameterCombinationException
    # (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html:
    # "you can use either AdvancedEventSelectors or EventSelectors, but not both. If you apply
    # AdvancedEventSelectors to a trail, any existing EventSelectors are overwritten").
    # moto 5.2.5 keeps stale advanced selectors when basic ones are put.
    # Omitted members of a basic selector take AWS's defaults (ReadWriteType All,
    # IncludeManagementEvents true; empty DataResources / ExcludeManagementEventSources), as
    # GetEventSelectors shows them on AWS.
    def put_event_selectors(self, event_selectors, advanced_event_selectors):
        if event_selectors is not None and advanced_event_selectors is not None:
            raise InvalidParameterCombinationException(
                "You cannot use both EventSelectors and AdvancedEventSelectors in a PutEventSelectors request."
            )
        if advanced_event_selectors is not None:
            self.advanced_event_selectors = list(advanced_event_selectors)
            self.event_selectors = []
        else:
            self.event_selectors = [_with_selector_defaults(s) for s in (event_selectors or [])]
            self.advanced_event_selectors = []

    Trail.put_event_selectors = put_event_selectors

    # PutInsightSelectors replaces the trail's Insights types; an empty list turns Insights off
    # (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html).
    # moto 5.2.5 appends to the previous list.
    def put_insight_selectors(self, insight_selectors):
        self.insight_selectors = list(insight_selectors or [])

    Trail.put_insight_selectors = put_insight_selectors

    # GetEventSelectors returns the selectors of the one kind the trail uses; a trail never
    # given selectors has AWS's default selector (all management events)
    # (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetEventSelectors.html).
    # moto 5.2.5 returns two empty lists.
    def get_event_selectors(self):
        params = json.loads(self.body)
        trail = self.cloudtrail_backend.get_trail(params.get("TrailName"))
        resp: dict[str, Any] = {"TrailARN": trail.arn}
        if trail.advanced_event_selectors:
            resp["AdvancedEventSelectors"] = trail.advanced_event_selectors
        elif trail.event_selectors:
            resp["EventSelectors"] = trail.event_selectors
        else:
            resp["EventSelectors"] = [dict(s) for s in DEFAULT_EVENT_SELECTORS]
        return json.dumps(resp)

    CloudTrailResponse.get_event_selectors = get_event_selectors

    # GetInsightSelectors on a trail without Insights fails with InsightNotEnabledException
    # (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetInsightSelectors.html:
    # "If you run GetInsightSelectors on a trail ... that does not have Insights events
    # enabled, the operation throws the exception InsightNotEnabledException").
    # moto 5.2.5 answers 200 with no InsightSelectors.
    def get_insight_selectors(self):
        trail = self.cloudtrail_backend.get_trail(self._get_param("TrailName"))
        if not trail.insight_selectors:
            raise InsightNotEnabledException(trail.arn)
        return json.dumps({"TrailARN": trail.arn, "InsightSelectors": trail.insight_selectors})

    CloudTrailResponse.get_insight_selectors = get_insight_selectors

    # GetTrail's Trail carries HomeRegion like DescribeTrails' entries
    # (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html).
    # moto 5.2.5 leaves it out of GetTrail.
    def get_trail(self):
        trail = self.cloudtrail_backend.get_trail(self._get_param("Name"))
        return json.dumps({"Trail": trail.description(include_region=True)})

    CloudTrailResponse.get_trail = get_trail

    # DescribeTrails with trailNameList returns only the named trails (names match trails of
    # the current Region, ARNs any trail)
    # (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html).
    # moto 5.2.5 ignores trailNameList.
    #
    # A member account's DescribeTrails also lists its organization's trails (AWS creates them
    # in every member account; with includeShadowTrails, the default, they are listed with the
    # management account's ARN in every Region a multi-Region trail covers)
    # (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html).
    # moto 5.2.5 lists only the account's own trails.
    def describe_trails(self):
        include_shadow = self._get_bool_param("includeShadowTrails", True)
        names = self._get_param("trailNameList") or []
        trails = list(self.cloudtrail_backend.describe_trails(include_shadow))
        if include_shadow:
            trails += _organization_trails_of_member(self.current_account, self.region)
        if names:
            wanted = set(names)
            region = self.region
            trails = [
                t for t in trails if t.arn in wanted or (t.trail_name in wanted and t.region_name == region)
            ]
        return json.dumps({"trailList": [t.description(include_region=True) for t in trails]})

    CloudTrailResponse.describe_trails = describe_trails

    # GetTrailStatus reports LatestCloudWatchLogsDeliveryTime for a trail that sends to a
    # CloudWatch Logs log group and LatestDigestDeliveryTime for a trail with log file
    # validation (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
    # moto 5.2.5 reports neither. moto's own LatestDeliveryTime (set when logging starts and
    # refreshed while the trail logs) is used for both: a trail that never logged has
    # delivered nothing, so it gets neither, as on AWS.
    orig_status = TrailStatus.description

    def status_description(self):
        desc = orig_status(self)
        trail = getattr(self, "tw_trail", None)
        delivered = desc.get("LatestDeliveryTime")
        if trail is not None and delivered is not None:
            if trail.cw_log_group_arn:
                desc["LatestCloudWatchLogsDeliveryTime"] = delivered
            if trail.log_validation:
                desc["LatestDigestDeliveryTime"] = delivered
        return desc

    TrailStatus.description = status_description


# --------------------------------------------------------------------------------------------
# CloudTrail Lake event data stores (missing from moto 5.2.5)
# --------------------------------------------------------------------------------------------

# The selector AWS gives an event data store created without AdvancedEventSelectors: all
# management events (the create-event-data-store example of the CloudTrail User Guide shows it
# as "Default management events").
DEFAULT_LAKE_SELECTORS = [
    {"Name": "Default management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
]


def _cloudtrail_lake() -> None:
    """A minimal CloudTrail Lake: CreateEventDataStore, ListEventDataStores, GetEventDataStore,
    and PutInsightSelectors / GetInsightSelectors with EventDataStore, on moto's CloudTrail
    request handling (so each account and Region has its own stores, and moto's reset clears
    them). moto 5.2.5 has none of these operations. Shapes and defaults follow the API
    reference (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/):

    - CreateEventDataStore: Name required and unique in the account and Region
      (EventDataStoreAlreadyExistsException); MultiRegionEnabled defaults to true,
      OrganizationEnabled to false, TerminationProtectionEnabled to true, StartIngestion to
      true, BillingMode to EXTENDABLE_RETENTION_PRICING, RetentionPeriod to 366 days
      (extendable) or 2557 (fixed), valid 7-3653 (extendable) or 7-2557 (fixed)
      (InvalidParameterException); KmsKeyId (a key id, key ARN, alias or alias ARN) is stored as
      the key's ARN, an unknown key is KmsKeyNotFoundException. The ARN is
      arn:<partition>:cloudtrail:<region>:<account>:eventdatastore/<uuid>. A store that
      ingests is ENABLED at once (AWS passes through CREATED); StartIngestion false leaves it
      STOPPED_INGESTION, the state StartEventDataStoreIngestion starts from.
    - ListEventDataStores: each store's EventDataStoreArn and Name only (the other members of
      EventDataStore "are no longer returned"), MaxResults 1-1000, NextToken.
    - GetEventDataStore: by ARN or ID suffix of the ARN; unknown: EventDataStoreNotFoundException.
    - PutInsightSelectors with EventDataStore needs InsightsDestination (an existing store), not
      with TrailName (InvalidParameterCombinationException); an empty list turns Insights off.
      GetInsightSelectors of a store without Insights: InsightNotEnabledException.
    Not modelled: organization stores' checks (OrganizationEnabled is stored as given), the
    Insights destination's own selectors, ingestion state changes, queries."""
    import json
    import time
    import uuid

    from moto.cloudtrail.models import CloudTrailBackend
    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.core.exceptions import JsonRESTError
    from moto.utilities.utils import get_partition

    def error(code: str, message: str) -> JsonRESTError:
        err = JsonRESTError(code, message)
        err.code = 400
        return err

    def stores(backend: CloudTrailBackend) -> dict[str, dict[str, Any]]:
        """The account-Region's event data stores by ARN, in creation order."""
        if not hasattr(backend, "tw_event_data_stores"):
            backend.tw_event_data_stores = {}
        return backend.tw_event_data_stores

    def find(backend: CloudTrailBackend, ref: str | None) -> dict[str, Any]:
        for arn, store in stores(backend).items():
            if ref in (arn, arn.rsplit("/", 1)[-1]):
                return store
        raise error("EventDataStoreNotFoundException", f"The specified event data store {ref} was not found.")

    def description(store: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in store.items() if not k.startswith("tw_") and v is not None}

    def create_event_data_store(self):
        name = self._get_param("Name")
        if not name or not re.fullmatch(r"[a-zA-Z0-9._\-]{3,128}", name):
            raise error("InvalidParameterException", f"Event data store name {name!r} is not valid.")
        backend = self.cloudtrail_backend
        if any(s["Name"] == name for s in stores(backend).values()):
            raise error("EventDataStoreAlreadyExistsException", f"An event data store with the name {name} already exists.")
        billing = self._get_param("BillingMode") or "EXTENDABLE_RETENTION_PRICING"
        most = {"EXTENDABLE_RETENTION_PRICING": 3653, "FIXED_RETENTION_PRICING": 2557}.get(billing)
        if most is None:
            raise error("InvalidParameterException", f"BillingMode {billing} is not valid.")
        retention = self._get_param("RetentionPeriod")
        retention = (366 if most == 3653 else 2557) if retention is None else int(retention)
        if not 7 <= retention <= most:
            raise error("InvalidParameterException", f"RetentionPeriod must be between 7 and {most} days with {billing}.")
        key = self._get_param("KmsKeyId")
        if key is not None:
            from moto.kms.models import kms_backends

            try:
                key = kms_backends[self.current_account][self.region].describe_key(key).arn
            except KeyError:
                raise error("KmsKeyNotFoundException", f"KMS key {key} was not found.") from None
        now = time.time()
        arn = f"arn:{get_partition(self.region)}:cloudtrail:{self.region}:{self.current_account}:eventdatastore/{uuid.uuid4()}"
        store = {
            "EventDataStoreArn": arn,
            "Name": name,
            "Status": "ENABLED" if self._get_bool_param("StartIngestion", True) else "STOPPED_INGESTION",
            "AdvancedEventSelectors": self._get_param("AdvancedEventSelectors") or [dict(s) for s in DEFAULT_LAKE_SELECTORS],
            "MultiRegionEnabled": self._get_bool_param("MultiRegionEnabled", True),
            "OrganizationEnabled": self._get_bool_param("OrganizationEnabled", False),
            "RetentionPeriod": retention,
            "TerminationProtectionEnabled": self._get_bool_param("TerminationProtectionEnabled", True),
            "CreatedTimestamp": now,
            "UpdatedTimestamp": now,
            "KmsKeyId": key,
            "BillingMode": billing,
            "tw_tags": self._get_param("TagsList") or [],
            "tw_insight_selectors": [],
            "tw_insights_destination": None,
        }
        stores(backend)[arn] = store
        return json.dumps({**description(store), "TagsList": store["tw_tags"]})

    def list_event_data_stores(self):
        listed = list(stores(self.cloudtrail_backend).values())
        size = self._get_param("MaxResults") or 1000
        if not 1 <= int(size) <= 1000:
            raise error("InvalidMaxResultsException", "MaxResults must be between 1 and 1000.")
        # PaginationToken: 4 to 1000 characters.
        token = self._get_param("NextToken")
        start = 0
        if token is not None:
            m = re.fullmatch(r"after-(\d+)", token)
            start = int(m.group(1)) if m else -1
            if not 0 < start <= len(listed):
                raise error("InvalidNextTokenException", "The NextToken is not valid.")
        end = start + int(size)
        reply: dict[str, Any] = {
            "EventDataStores": [{"EventDataStoreArn": s["EventDataStoreArn"], "Name": s["Name"]} for s in listed[start:end]]
        }
        if end < len(listed):
            reply["NextToken"] = f"after-{end}"
        return json.dumps(reply)

    def get_event_data_store(self):
        return json.dumps(description(find(self.cloudtrail_backend, self._get_param("EventDataStore"))))

    CloudTrailResponse.create_event_data_store = create_event_data_store
    CloudTrailResponse.list_event_data_stores = list_event_data_stores
    CloudTrailResponse.get_event_data_store = get_event_data_store

    trail_put_insights = CloudTrailResponse.put_insight_selectors
    trail_get_insights = CloudTrailResponse.get_insight_selectors

    def put_insight_selectors(self):
        ref = self._get_param("EventDataStore")
        if ref is None:
            if self._get_param("InsightsDestination") is not None:
                raise error("InvalidParameterCombinationException", "InsightsDestination cannot be used with TrailName.")
            return trail_put_insights(self)
        if self._get_param("TrailName") is not None:
            raise error("InvalidParameterCombinationException", "EventDataStore cannot be used with TrailName.")
        destination = self._get_param("InsightsDestination")
        if destination is None:
            raise error(
                "InvalidParameterCombinationException",
                "To enable Insights on an event data store, provide both EventDataStore and InsightsDestination.",
            )
        backend = self.cloudtrail_backend
        store = find(backend, ref)
        store["tw_insight_selectors"] = list(self._get_param("InsightSelectors") or [])
        store["tw_insights_destination"] = find(backend, destination)["EventDataStoreArn"]
        return json.dumps(
            {
                "EventDataStoreArn": store["EventDataStoreArn"],
                "InsightSelectors": store["tw_insight_selectors"],
                "InsightsDestination": store["tw_insights_destination"],
            }
        )

    def get_insight_selectors(self):
        ref = self._get_param("EventDataStore")
        if ref is None:
            return trail_get_insights(self)
        if self._get_param("TrailName") is not None:
            raise error("InvalidParameterCombinationException", "EventDataStore cannot be used with TrailName.")
        store = find(self.cloudtrail_backend, ref)
        if not store["tw_insight_selectors"]:
            raise error(
                "InsightNotEnabledException",
                f"Event data store {store['EventDataStoreArn']} does not have Insights enabled.",
            )
        return json.dumps(
            {
                "EventDataStoreArn": store["EventDataStoreArn"],
                "InsightSelectors": store["tw_insight_selectors"],
                "InsightsDestination": store["tw_insights_destination"],
            }
        )

    CloudTrailResponse.put_insight_selectors = put_insight_selectors
    CloudTrailResponse.get_insight_selectors = get_insight_selectors


def _organization_trails_of_member(account_id: str, region: str) -> list:
    """The organization trails that AWS shows in a member account's `region`: those of the
    management account of the account's organization."""
    from moto.cloudtrail.models import cloudtrail_backends
    from moto.organizations.models import organizations_backends

    management = organizations_backends.master_accounts.get(account_id)
    if management is None or management[0] == account_id:
        return []
    trails = []
    for backend in cloudtrail_backends[management[0]].values():
        for trail in backend.trails.values():
            if trail.is_org_trail and (trail.is_multi_region or trail.region_name == region):
                trails.append(trail)
    return trails


def _organization_trails_seen_from_members() -> None:
    """Reads of the management account's organization trail by a member account, by its ARN.

    AWS: every member sees the organization trail (DescribeTrails) and may call GetTrailStatus
    with its full ARN; its configuration (event selectors, Insights selectors, tags) is the
    management account's to read, and a CloudTrail delegated administrator's, which manages
    organization trails; other members are refused (AccessDeniedException): "Member accounts
    can see the organization trail, but can't modify or delete it"
    (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html,
    https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html).
    moto 5.2.5 looks the ARN up in the member's own trails only: TrailNotFoundException for
    GetTrailStatus, GetEventSelectors and GetInsightSelectors, and empty tags from ListTags."""
    from moto.cloudtrail.exceptions import TrailNotFoundException
    from moto.cloudtrail.models import CloudTrailBackend
    from moto.core.exceptions import JsonRESTError

    class AccessDeniedException(JsonRESTError):
        code = 400

        def __init__(self, account_id: str, arn: str):
            super().__init__(
                "AccessDeniedException",
                f"Account {account_id} is not the owner of {arn} nor a CloudTrail delegated administrator of its organization",
            )

    def org_trail(backend, arn: str):
        return next((t for t in _organization_trails_of_member(backend.account_id, backend.region_name) if t.arn == arn), None)

    orig_get_trail = CloudTrailBackend.get_trail

    def get_trail(self, name_or_arn: str):
        try:
            return orig_get_trail(self, name_or_arn)
        except TrailNotFoundException:
            trail = org_trail(self, name_or_arn)
            if trail is None:
                raise
            if not _is_cloudtrail_delegated_admin(self.account_id):
                raise AccessDeniedException(self.account_id, name_or_arn) from None
            return trail

    CloudTrailBackend.get_trail = get_trail

    orig_status = CloudTrailBackend.get_trail_status

    def get_trail_status(self, name: str):
        try:
            return orig_status(self, name)
        except TrailNotFoundException:
            trail = org_trail(self, name)
            if trail is None:
                raise
            return trail.status

    CloudTrailBackend.get_trail_status = get_trail_status

    orig_list_tags = CloudTrailBackend.list_tags

    def list_tags(self, resource_id_list):
        from moto.cloudtrail.models import cloudtrail_backends

        for arn in resource_id_list:
            trail = org_trail(self, arn)
            if trail is None:
                continue
            if not _is_cloudtrail_delegated_admin(self.account_id):
                raise AccessDeniedException(self.account_id, arn)
            owner = cloudtrail_backends[trail.account_id][trail.region_name]
            return orig_list_tags(owner, resource_id_list)
        return orig_list_tags(self, resource_id_list)

    CloudTrailBackend.list_tags = list_tags


def _is_cloudtrail_delegated_admin(account_id: str) -> bool:
    from moto.organizations.models import organizations_backends

    for by_partition in organizations_backends.values():
        for backend in by_partition.values():
            for admin in getattr(backend, "admins", []):
                if admin.account.id == account_id and "cloudtrail.amazonaws.com" in admin.services:
                    return True
    return False


def _with_selector_defaults(selector: dict[str, Any]) -> dict[str, Any]:
    s = dict(selector)
    s.setdefault("ReadWriteType", "All")
    s.setdefault("IncludeManagementEvents", True)
    s.setdefault("DataResources", [])
    s.setdefault("ExcludeManagementEventSources", [])
    return s


# --------------------------------------------------------------------------------------------
# Organizations: delegated administrators seeded by the test control API
# --------------------------------------------------------------------------------------------


def _organizations_seeded_principals() -> None:
    """moto 5.2.5's Organizations refuses cloudtrail.amazonaws.com as a delegated-administrator
    principal (RegisterDelegatedAdministrator and the ServicePrincipal filter of
    ListDelegatedAdministrators raise InvalidInputException), and CloudTrail's
    RegisterOrganizationDelegatedAdmin is not implemented. That refusal is left as it is; a
    test may seed an administrator with POST /_trailwarden/organizations/delegated-administrators
    (seed_delegated_admin below), and ListDelegatedAdministrators then filters by any principal
    that was seeded, as AWS does for a registered one."""
    from moto.organizations.models import FakeDelegatedAdministrator, OrganizationsBackend

    orig_list = OrganizationsBackend.list_delegated_administrators

    def list_delegated_administrators(self, **kwargs):
        service = kwargs.get("ServicePrincipal")
        if service and any(service in getattr(a, "tw_seeded", ()) for a in self.admins):
            admins = [a for a in self.admins if service in a.services]
            return {"DelegatedAdministrators": [a.describe() for a in admins]}
        return orig_list(self, **kwargs)

    OrganizationsBackend.list_delegated_administrators = list_delegated_administrators
    _ = FakeDelegatedAdministrator  # imported to fail early if moto's model changes


def seed_delegated_admin(account_id: str, service_principal: str, management_account_id: str | None) -> dict:
    """Writes a delegated administrator straight into moto's Organizations backend of the
    organization that holds account_id (or of management_account_id)."""
    from moto.core.utils import unix_time
    from moto.organizations.models import FakeDelegatedAdministrator, organizations_backends

    backend = None
    candidates = [management_account_id] if management_account_id else list(organizations_backends.keys())
    for acct in candidates:
        if acct not in organizations_backends:
            continue
        for partition_backend in organizations_backends[acct].values():
            if partition_backend.org is not None and any(a.id == account_id for a in partition_backend.accounts):
                backend = partition_backend
                break
        if backend is not None:
            break
    if backend is None:
        raise LookupError(f"no organization in moto holds account {account_id}")
    if account_id == backend.account_id:
        raise ValueError("the management account cannot be its own delegated administrator")
    account = backend.get_account_by_id(account_id)
    admin = next((a for a in backend.admins if a.account.id == account_id), None)
    if admin is None:
        admin = FakeDelegatedAdministrator(account)
        backend.admins.append(admin)
    admin.services[service_principal] = {
        "ServicePrincipal": service_principal,
        "DelegationEnabledDate": unix_time(),
    }
    seeded = getattr(admin, "tw_seeded", set())
    seeded.add(service_principal)
    admin.tw_seeded = seeded
    return {
        "management_account_id": backend.account_id,
        "account_id": account_id,
        "service_principal": service_principal,
    }


# --------------------------------------------------------------------------------------------
# Speed only (no change to any reply)
# --------------------------------------------------------------------------------------------


def _iam_speed() -> None:
    """With MOTO_IAM_LOAD_MANAGED_POLICIES=true every IAM backend parses moto's 1,582 AWS
    managed policies (about 0.5 s), and moto 5.2.5 resolves the account of every request with
    get_account_id_from, which touches the IAM backend of every known account in every
    partition (aws, aws-cn, aws-us-gov, the ISO ones), creating each on first touch: the first
    request of each new account cost 3-7 s and the memory of ~8 policy sets. Both patches
    keep moto's results: the managed-policy JSON is parsed once and shared (each backend still
    builds its own policy objects), and an access key is looked up only in backends that exist
    (a backend that was never created holds no access key)."""
    import json
    from functools import lru_cache

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam import models as iam_models
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    @lru_cache(maxsize=1)
    def parsed_policies() -> dict:
        return json.loads(aws_managed_policies_data)

    def _init_aws_policies(self):
        if not iam_models.load_iam_aws_managed_policies():
            return []
        return [
            iam_models.AWSManagedPolicy.from_data(name, self.account_id, self.region_name, d)
            for name, d in parsed_policies().items()
        ]

    iam_models.IAMBackend._init_aws_policies = _init_aws_policies

    def get_account_id_from(access_key: str) -> str:
        for account_id, account in list(iam_models.iam_backends.items()):
            for partition in list(dict.keys(account)):
                if access_key in dict.__getitem__(account, partition).access_keys:
                    return account_id
        return DEFAULT_ACCOUNT_ID

    iam_models.get_account_id_from = get_account_id_from


# --------------------------------------------------------------------------------------------
# account:ListRegions (missing from moto 5.2.5)
# --------------------------------------------------------------------------------------------

# The Regions a new AWS account has enabled by default (RegionOptStatus ENABLED_BY_DEFAULT);
# every other commercial Region is opt-in and starts DISABLED.
# https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html
ENABLED_BY_DEFAULT = [
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
    "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
]


# The same in the other partitions: both China Regions, both AWS GovCloud (US) Regions.
# https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-arns.html,
# https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html
ENABLED_BY_DEFAULT_IN = {
    "aws": ENABLED_BY_DEFAULT,
    "aws-cn": ["cn-north-1", "cn-northwest-1"],
    "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
}


def _partition_of(region: str | None) -> str:
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def missing_api(environ, service: str | None, operation: str) -> tuple[int, dict] | None:
    """The reply, as (HTTP status, JSON document), to an AWS API that moto does not implement,
    or None when moto answers the request itself.

    account:ListRegions (restJson1, POST /listRegions): AWS lists the account's Regions with
    their opt status, filtered by RegionOptStatusContains. Every account of this endpoint has
    the Regions enabled by default in the partition of the Region the request is signed for,
    all in one page.
    https://docs.aws.amazon.com/accounts/latest/reference/API_ListRegions.html"""
    if service != "account" or operation != "ListRegions":
        return None
    import json

    from awsreq import read_body

    raw = read_body(environ)
    request = json.loads(raw) if raw.strip() else {}
    wanted = request.get("RegionOptStatusContains")
    if wanted is not None and "ENABLED_BY_DEFAULT" not in wanted:
        return 200, {"Regions": []}
    from awsreq import credential_scope

    regions = ENABLED_BY_DEFAULT_IN[_partition_of(credential_scope(environ)[1])]
    return 200, {"Regions": [{"RegionName": r, "RegionOptStatus": "ENABLED_BY_DEFAULT"} for r in regions]}
