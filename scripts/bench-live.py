#!/usr/bin/env python3
"""Live collection benchmark: an organization scan against the local AWS endpoint (moto, see
tests/moto/README.md) with latency injected into every AWS call.

    scripts/setup-moto.sh                      # once: .venv/ with moto and boto3
    cargo build --release                      # the binary under test
    .venv/bin/python scripts/bench-live.py     # 50 accounts x 4 regions, 50 ms per call
    .venv/bin/python scripts/bench-live.py --runs 3 --concurrency 64 --json-out /tmp/bench.json

Options: --accounts N (50), --regions r1,r2 (us-east-1,eu-west-1,ap-southeast-2,sa-east-1),
--latency-ms MS (50), --concurrency N (passed to the scanner; 32 = its default), --runs N (1),
--binary PATH (target/release/trailwarden), --json-out FILE, --replay-passes N (3),
--replay-threads N (the scanner's concurrency), --python PATH (the launcher's interpreter).

What it does:

1. Starts tests/moto/launcher.py with a piped stdin (the endpoint dies with this script) and
   seeds, through boto3, an organization of N accounts: the management account (an
   organization trail, multi-Region, logging, KMS-encrypted, with insight selectors; CIS
   metric filters, alarms and an EventBridge rule), a log-archive member owning the trail's
   bucket (versioned, encrypted, lifecycle, public access block, a CloudTrail bucket policy),
   an audit member registered as CloudTrail delegated administrator, and workload members of
   which some have a single-Region trail to a bucket of their own, some a trail to the
   central bucket, some an unrelated bucket, some alarms or rules of their own.
2. Records the scan's requests: one scan with no latency runs through a small recording
   proxy in this process, which keeps every request (method, path, headers, body) and its
   status. Those requests are the basis of the duplicate-read check (same account, region,
   operation, path and body) and of the throughput measurement.
3. Measures the endpoint's own throughput with no latency: the recorded requests are
   replayed --replay-passes times, straight to the endpoint, from --replay-threads keep-alive
   connections (default: as many as the scanner's --concurrency), and calls/s is completed
   requests divided by the wall time of the replay. Signatures go stale, which moto does not
   check; every request is a read (the scan's own), so replaying it changes nothing but
   AssumeRole's session list. The replay client shares the machine's cores with the
   endpoint, as the scanner does. Shown beside it, not used in the bound: the same replay
   with a new connection per request; the scan with no latency, without the proxy (its
   calls/s includes the scanner's own waits); and an "ideal client" with the latency: the
   recorded requests replayed once with exactly --concurrency in flight, ignoring every
   dependency and the per-account cap (the best any client could do at that concurrency).
4. Sets --latency-ms on every AWS call (the launcher sleeps before answering), empties the
   call log and runs the scanner --runs times, each timed (wall clock around the process) with
   its peak RSS and CPU time from GNU time (/usr/bin/time; without it, VmHWM polled from
   /proc). Not this process's rusage of the child: Linux keeps the pre-exec high-water mark
   across execve and subprocess spawns with vfork, so that would include this process's RSS.
5. From the endpoint's call log of each run: calls by operation, per account-region
   (regional listings), per account (global calls), per trail, per bucket; statuses, injected
   faults and retries; arrival time of each collector phase; and the lower bound

       bound = max(chain x latency, calls x latency / concurrency, calls / throughput)

   where chain is the longest sequence of calls that must wait for one another's answer:
   sts:GetCallerIdentity (caller and partition) -> organizations:ListAccounts (every page)
   -> sts:AssumeRole -> account:ListRegions (the scanned Regions are the requested ones the
   account has enabled) -> the longest regional branch: cloudtrail:DescribeTrails -> the
   trail's bucket (s3:GetBucketLocation -> [s3:HeadBucket when the owner is not scanned]
   -> the bucket's Get* reads) / trail details / kms:DescribeKey; events:ListRules (pages)
   -> events:ListTargetsByRule; cloudtrail:ListEventDataStores -> GetEventDataStore ->
   GetInsightSelectors. Page counts are taken from the call log. The target is wall <= 1.5 x
   bound.

   "No more calls than the rules need" is checked against the built-in rule pack and what
   was seeded: per account-region, DescribeTrails and ListEventDataStores everywhere, and
   the monitoring listings (events:ListRules + ListTargetsByRule per rule,
   logs:DescribeMetricFilters, cloudwatch:DescribeAlarms) only where the account owns a
   trail homed in that Region (the only place CT-TAMPER-ALERTS, their only reader, applies);
   outside the listings, one sts:GetCallerIdentity (a GetCallerIdentity per assumed role
   only proves the role) and s3control:GetPublicAccessBlock only for accounts that own a
   bucket a trail delivers to. Duplicate reads are looked for in the recorded requests, with
   their bodies; the number of TCP connections the scanner opened is counted there too. Shown beside it (not part of the bound): an estimate of the best the collector's
   phase structure allows (its phases wait for one another, and it caps 8 calls in flight
   per account), phase by phase.

Exits non-zero, with the reason on stderr, when the endpoint does not start, seeding fails,
the scanner fails or reads fewer accounts than seeded, or the call log shows injected
faults that were not asked for. Requires only the standard library and boto3.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import http.client
import http.server
import json
import math
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

try:
    import boto3
    from botocore.config import Config
except ImportError:  # pragma: no cover - explained to the user
    sys.exit("bench-live: boto3 is missing; run this script with the venv of scripts/setup-moto.sh (.venv/bin/python)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANAGEMENT = "123456789012"
DEFAULT_REGIONS = "us-east-1,eu-west-1,ap-southeast-2,sa-east-1"
SCANNER_DEFAULT_CONCURRENCY = 32
# src/collect/mod.rs: `const PER_ACCOUNT: usize = 8;` (calls in flight for one account).
PER_ACCOUNT_CAP = 8
ROLE = "OrganizationAccountAccessRole"


class BenchError(Exception):
    """A failure that stops the benchmark; main() prints it and exits 1."""


def log(msg: str) -> None:
    print(f"[bench-live {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------ endpoint


class Endpoint:
    """tests/moto/launcher.py as a child process whose stdin is a pipe we hold open."""

    def __init__(self, python: str):
        self.errlog = tempfile.NamedTemporaryFile(prefix="bench-live-launcher-", suffix=".log", delete=False)
        cmd = [python, os.path.join(REPO, "tests", "moto", "launcher.py")]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errlog, cwd=REPO)
        except OSError as exc:
            raise BenchError(f"cannot start the endpoint ({' '.join(cmd)}): {exc}") from exc
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=120).decode().strip()
        except queue.Empty:
            line = ""
        if not line.startswith("READY "):
            self.close()
            raise BenchError(f"the endpoint did not start (first stdout line {line!r}); its stderr:\n{self.stderr_tail()}")
        self.url = line.split(" ", 1)[1]
        parsed = urllib.parse.urlsplit(self.url)
        self.host, self.port = parsed.hostname, parsed.port

    def stderr_tail(self, n: int = 40) -> str:
        try:
            with open(self.errlog.name, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def control(self, method: str, path: str, doc=None):
        data = json.dumps(doc).encode() if doc is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise BenchError(f"control API {method} {path}: HTTP {exc.code} {exc.read()[:500]!r}") from exc
        except OSError as exc:
            raise BenchError(f"control API {method} {path}: {exc}") from exc

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        try:
            os.unlink(self.errlog.name)
        except OSError:
            pass


# ------------------------------------------------------------------------------------ seeding


class Seeder:
    """Builds the organization through boto3 and keeps a manifest of what it made."""

    def __init__(self, endpoint: Endpoint, accounts: int, regions: list[str]):
        self.ep = endpoint
        self.n_accounts = accounts
        self.regions = regions
        self.manifest = {
            "accounts": [MANAGEMENT],
            "log_archive": None,
            "audit": None,
            "trails": [],  # {account, region, name, bucket, organization, insights, kms}
            "buckets": [],  # {account, name, region, used_by_trail}
            "kms_keys": [],
            "eventbridge_rules": [],  # {account, region, name, targets}
            "metric_filters": [],  # {account, region, name}
            "alarms": [],  # {account, region, name}
        }
        self.lock = threading.Lock()

    def client(self, service: str, region: str, creds: dict | None = None):
        creds = creds or {"AccessKeyId": "test", "SecretAccessKey": "test", "SessionToken": None}
        session = boto3.session.Session()
        return session.client(
            service,
            region_name=region,
            endpoint_url=self.ep.url,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds.get("SessionToken"),
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}),
        )

    def credentials(self, account: str) -> dict | None:
        if account == MANAGEMENT:
            return None
        sts = self.client("sts", "us-east-1")
        out = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="seed")
        return out["Credentials"]

    def record(self, key: str, item) -> None:
        with self.lock:
            self.manifest[key].append(item)

    # -- pieces

    @staticmethod
    def cloudtrail_policy(bucket: str, source_accounts: list[str], org_id: str | None) -> str:
        write_resources = [f"arn:aws:s3:::{bucket}/AWSLogs/{a}/*" for a in source_accounts]
        if org_id:
            write_resources.append(f"arn:aws:s3:::{bucket}/AWSLogs/{org_id}/*")
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AWSCloudTrailAclCheck",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "s3:GetBucketAcl",
                        "Resource": f"arn:aws:s3:::{bucket}",
                    },
                    {
                        "Sid": "AWSCloudTrailWrite",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": write_resources,
                        "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                    },
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                ],
            }
        )

    def bucket(self, creds, account: str, name: str, region: str, *, log_bucket: bool, policy: str | None, used_by_trail: bool):
        s3 = self.client("s3", region, creds)
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        if log_bucket:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            )
            s3.put_public_access_block(
                Bucket=name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
            s3.put_bucket_lifecycle_configuration(
                Bucket=name,
                LifecycleConfiguration={
                    "Rules": [
                        {
                            "ID": "archive",
                            "Status": "Enabled",
                            "Filter": {"Prefix": "AWSLogs/"},
                            "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}],
                        }
                    ]
                },
            )
        if policy:
            s3.put_bucket_policy(Bucket=name, Policy=policy)
        self.record("buckets", {"account": account, "name": name, "region": region, "used_by_trail": used_by_trail})

    def trail(self, creds, account: str, region: str, name: str, bucket: str, *, multi_region=False, organization=False,
              logging=True, kms_key=None, insights=False, validation=True):
        ct = self.client("cloudtrail", region, creds)
        kwargs = dict(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region, IsOrganizationTrail=organization,
                      EnableLogFileValidation=validation, IncludeGlobalServiceEvents=multi_region)
        if kms_key:
            kwargs["KmsKeyId"] = kms_key
        ct.create_trail(**kwargs)
        if logging:
            ct.start_logging(Name=name)
        if insights:
            ct.put_insight_selectors(TrailName=name, InsightSelectors=[{"InsightType": "ApiCallRateInsight"}])
        self.record("trails", {"account": account, "region": region, "name": name, "bucket": bucket,
                               "organization": organization, "multi_region": multi_region, "insights": insights,
                               "kms": bool(kms_key)})

    def monitoring(self, creds, account: str, region: str, *, filters: int, alarms: int, rules: int):
        if filters:
            logs = self.client("logs", region, creds)
            group = "aws-cloudtrail-logs"
            logs.create_log_group(logGroupName=group)
            patterns = [
                ("unauthorized-api-calls", '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'),
                ("cloudtrail-changes", "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"),
                ("root-usage", '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'),
                ("console-no-mfa", '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'),
            ]
            for name, pattern in patterns[:filters]:
                logs.put_metric_filter(
                    logGroupName=group,
                    filterName=name,
                    filterPattern=pattern,
                    metricTransformations=[{"metricName": name, "metricNamespace": "CISBenchmark", "metricValue": "1"}],
                )
                self.record("metric_filters", {"account": account, "region": region, "name": name})
        if alarms:
            cw = self.client("cloudwatch", region, creds)
            names = ["unauthorized-api-calls", "cloudtrail-changes", "root-usage", "console-no-mfa"]
            for name in names[:alarms]:
                cw.put_metric_alarm(
                    AlarmName=f"cis-{name}",
                    MetricName=name,
                    Namespace="CISBenchmark",
                    Statistic="Sum",
                    Period=300,
                    EvaluationPeriods=1,
                    Threshold=1.0,
                    ComparisonOperator="GreaterThanOrEqualToThreshold",
                    AlarmActions=[f"arn:aws:sns:{region}:{account}:security-alerts"],
                )
                self.record("alarms", {"account": account, "region": region, "name": name})
        if rules:
            events = self.client("events", region, creds)
            patterns = [
                {"source": ["aws.cloudtrail"], "detail-type": ["AWS API Call via CloudTrail"],
                 "detail": {"eventName": ["StopLogging", "DeleteTrail", "UpdateTrail"]}},
                {"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"]},
            ]
            for i, pattern in enumerate(patterns[:rules]):
                name = f"security-rule-{i}"
                events.put_rule(Name=name, EventPattern=json.dumps(pattern), State="ENABLED")
                events.put_targets(Rule=name, Targets=[{"Id": "sns", "Arn": f"arn:aws:sns:{region}:{account}:security-alerts"}])
                self.record("eventbridge_rules", {"account": account, "region": region, "name": name, "targets": 1})

    # -- the organization

    def seed(self):
        t0 = time.monotonic()
        home = "us-east-1"
        orgs = self.client("organizations", home)
        org = orgs.create_organization(FeatureSet="ALL")["Organization"]
        org_id = org["Id"]
        members = []
        for i in range(self.n_accounts - 1):
            if i == 0:
                name = "log-archive"
            elif i == 1:
                name = "audit"
            else:
                name = f"workload-{i:02d}"
            out = orgs.create_account(AccountName=name, Email=f"{name}@example.com")
            account_id = out["CreateAccountStatus"].get("AccountId")
            if not account_id:
                raise BenchError(f"organizations:CreateAccount gave no account id for {name}: {out}")
            members.append(account_id)
        self.manifest["accounts"] = [MANAGEMENT] + members
        orgs.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
        orgs.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
        log_archive = members[0] if members else MANAGEMENT
        audit = members[1] if len(members) > 1 else None
        self.manifest["log_archive"], self.manifest["audit"] = log_archive, audit
        if audit:
            self.ep.control("POST", "/_trailwarden/organizations/delegated-administrators",
                            {"account_id": audit, "service_principal": "cloudtrail.amazonaws.com"})

        # The central log bucket, then the organization trail that writes to it.
        central = f"org-trail-logs-{log_archive}"
        self.bucket(self.credentials(log_archive), log_archive, central, home, log_bucket=True,
                    policy=self.cloudtrail_policy(central, self.manifest["accounts"], org_id), used_by_trail=True)
        kms = self.client("kms", home)
        key_arn = kms.create_key(Description="CloudTrail logs", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
        self.record("kms_keys", key_arn)
        self.trail(None, MANAGEMENT, home, "org-trail", central, multi_region=True, organization=True,
                   kms_key=key_arn, insights=True)
        ct = self.client("cloudtrail", home)
        ct.put_event_selectors(
            TrailName="org-trail",
            EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True,
                             "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{central}/"]}]}],
        )
        self.monitoring(None, MANAGEMENT, home, filters=4, alarms=4, rules=2)

        def member(index_account):
            k, account = index_account
            creds = self.credentials(account)
            region = self.regions[k % len(self.regions)]
            if account == audit:
                self.monitoring(creds, account, home, filters=0, alarms=0, rules=1)
                return
            if account == log_archive:
                return
            if k % 4 == 0:
                # A single-Region trail of its own, to a bucket of its own in that Region.
                name = f"local-logs-{account}"
                self.bucket(creds, account, name, region, log_bucket=(k % 8 == 0),
                            policy=self.cloudtrail_policy(name, [account], None), used_by_trail=True)
                self.trail(creds, account, region, "local-trail", name, logging=(k % 3 != 0), validation=(k % 8 == 0))
            elif k % 5 == 2:
                # A legacy trail of its own delivering to the central bucket.
                self.trail(creds, account, region, "legacy-trail", central, logging=False, validation=False)
            if k % 6 == 1:
                # A bucket no trail uses: listed by ListBuckets, never read.
                self.bucket(creds, account, f"app-data-{account}", region, log_bucket=False, policy=None, used_by_trail=False)
            if k % 7 == 3:
                self.monitoring(creds, account, region, filters=1, alarms=1, rules=0)

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            for future in [pool.submit(member, (k, a)) for k, a in enumerate(members)]:
                future.result()
        self.manifest["seconds"] = round(time.monotonic() - t0, 1)
        return self.manifest


# ------------------------------------------------------------------------------------ recording proxy

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


class RecordingProxy:
    """An HTTP/1.1 proxy in front of the endpoint that keeps every request it forwards."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.records: list[dict] = []
        self.connections = 0
        self.lock = threading.Lock()
        local = threading.local()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args):  # quiet
                pass

            def setup(self):
                super().setup()
                with owner.lock:
                    owner.connections += 1
                    self.connection_no = owner.connections

            def _body(self) -> bytes:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    out = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _forward(self):
                body = self._body()
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"]
                headers.append(("Host", f"{upstream_host}:{upstream_port}"))
                if body or self.command in ("POST", "PUT"):
                    headers.append(("Content-Length", str(len(body))))
                conn = getattr(local, "conn", None)
                for attempt in (1, 2):
                    if conn is None:
                        conn = http.client.HTTPConnection(upstream_host, upstream_port, timeout=120)
                        local.conn = conn
                    try:
                        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                        for k, v in headers:
                            conn.putheader(k, v)
                        conn.endheaders(body or None)
                        resp = conn.getresponse()
                        data = resp.read()
                        break
                    except (http.client.HTTPException, OSError):
                        conn.close()
                        conn = local.conn = None
                        if attempt == 2:
                            raise
                with owner.lock:
                    owner.records.append({"method": self.command, "path": self.path, "headers": headers, "body": body,
                                          "status": resp.status, "connection": self.connection_no})
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def replay(records: list[dict], host: str, port: int, threads: int, passes: int, fresh: bool = False) -> dict:
    """Sends the recorded requests `passes` times from `threads` keep-alive connections (with
    `fresh`, a new connection for every request, as a client without connection reuse does);
    returns calls/s and how many answers differed in status from the recording."""
    work = [r for _ in range(passes) for r in records]
    counter = iter(range(len(work)))
    lock = threading.Lock()
    done = collections.Counter()
    errors: list[str] = []

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=120)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            r = work[i]
            try:
                conn.putrequest(r["method"], r["path"], skip_host=True, skip_accept_encoding=True)
                for k, v in r["headers"]:
                    conn.putheader(k, v)
                conn.endheaders(r["body"] or None)
                resp = conn.getresponse()
                resp.read()
                if fresh:
                    conn.close()
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=120)
                with lock:
                    errors.append(f"{r['method']} {r['path']}: {exc}")
                continue
            with lock:
                done["same" if resp.status == r["status"] else "different"] += 1
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - t0
    completed = done["same"] + done["different"]
    if errors:
        raise BenchError(f"replay: {len(errors)} requests failed, e.g. {errors[:3]}")
    return {
        "requests": completed,
        "seconds": round(seconds, 3),
        "calls_per_second": round(completed / seconds, 1),
        "threads": threads,
        "passes": passes,
        "status_as_recorded": done["same"],
        "status_different": done["different"],
        "connections": "one per request" if fresh else "keep-alive",
    }


# ------------------------------------------------------------------------------------ the scanner


def scanner_env(endpoint_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


def scan_command(binary: str, regions: list[str], concurrency: int, report: str) -> list[str]:
    return [binary, "scan", "--org", "--regions", ",".join(regions), "--concurrency", str(concurrency),
            "--fail-on", "never", "--quiet", "--json", report]


GNU_TIME = "/usr/bin/time"


def vm_hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_scanner(binary: str, regions: list[str], concurrency: int, endpoint_url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        report = os.path.join(tmp, "report.json")
        cmd = scan_command(binary, regions, concurrency, report)
        out_path, err_path = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        time_path = os.path.join(tmp, "time")
        # Peak RSS: GNU time reports its child's ru_maxrss, and its child is forked from a small
        # process. Our own rusage of a child would not do: Linux carries the pre-exec high-water
        # mark across execve, and subprocess spawns with vfork, so a child's ru_maxrss would
        # include this Python process's RSS. Without GNU time, VmHWM is polled from /proc.
        use_time = os.access(GNU_TIME, os.X_OK)
        argv = [GNU_TIME, "-f", "%M %U %S", "-o", time_path] + cmd if use_time else cmd
        hwm_kb = 0
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            epoch0 = time.time()
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, env=scanner_env(endpoint_url), stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            if use_time:
                proc.wait()
            else:
                while proc.poll() is None:
                    hwm_kb = max(hwm_kb, vm_hwm_kb(proc.pid))
                    time.sleep(0.005)
            wall = time.perf_counter() - t0
            epoch1 = time.time()
        with open(err_path, encoding="utf-8", errors="replace") as f:
            stderr = f.read()
        if proc.returncode != 0:
            raise BenchError(f"the scanner exited {proc.returncode}: {' '.join(cmd)}\n{stderr[-3000:]}")
        if use_time:
            try:
                with open(time_path, encoding="utf-8") as f:
                    fields = f.read().split()
                hwm_kb, user_s, sys_s = int(fields[-3]), float(fields[-2]), float(fields[-1])
            except (OSError, ValueError, IndexError) as exc:
                raise BenchError(f"cannot read GNU time's output ({exc})") from exc
        else:
            user_s = sys_s = None
        try:
            with open(report, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as exc:
            raise BenchError(f"the scanner wrote no readable JSON report ({exc}); stderr:\n{stderr[-3000:]}") from exc
    scan = doc.get("scan", {})
    incomplete = collections.Counter()
    for gap in scan.get("incomplete", []):
        unreadable = gap.get("unreadable", gap)
        incomplete[f"{unreadable.get('api') or gap.get('api')} {unreadable.get('reason') or gap.get('reason')}"] += 1
    span = None
    try:
        started = datetime.fromisoformat(scan["started_at"].replace("Z", "+00:00"))
        finished = datetime.fromisoformat(scan["finished_at"].replace("Z", "+00:00"))
        span = round((finished - started).total_seconds(), 3)
    except (KeyError, ValueError, AttributeError):
        pass
    return {
        "wall_seconds": round(wall, 3),
        "started_epoch": epoch0,
        "ended_epoch": epoch1,
        "user_seconds": None if user_s is None else round(user_s, 3),
        "system_seconds": None if sys_s is None else round(sys_s, 3),
        "peak_rss_mb": round(hwm_kb / 1024, 1),
        "peak_rss_source": "GNU time %M" if use_time else "VmHWM polled every 5 ms",
        "accounts_scanned": len(scan.get("accounts", [])),
        "report_scan_span_seconds": span,
        "incomplete": dict(sorted(incomplete.items())),
        "stderr": stderr.strip()[-2000:],
    }


# ------------------------------------------------------------------------------------ analysis

REGIONAL = {
    ("cloudtrail", "DescribeTrails"), ("cloudtrail", "ListEventDataStores"), ("cloudtrail", "GetEventDataStore"),
    ("events", "ListRules"), ("events", "ListTargetsByRule"), ("logs", "DescribeMetricFilters"),
    ("monitoring", "DescribeAlarms"),
}
TRAIL_DETAILS = {("cloudtrail", "GetTrailStatus"), ("cloudtrail", "GetEventSelectors"), ("cloudtrail", "GetInsightSelectors")}
ORGANIZATION = {("organizations", "DescribeOrganization"), ("organizations", "ListAccounts"),
                ("organizations", "ListDelegatedAdministrators"), ("organizations", "ListAWSServiceAccessForOrganization")}
ACCOUNT_WIDE = {("account", "ListRegions"), ("s3", "ListBuckets"), ("s3control", "GetPublicAccessBlock"), ("iam", "ListEntitiesForPolicy")}


def op_name(call: dict) -> tuple[str, str]:
    return (call.get("api") or call.get("service") or "?", call.get("operation") or "?")


def phase_of(call: dict, first_identity_seq: int | None) -> str:
    api, op = op_name(call)
    if (api, op) == ("sts", "GetCallerIdentity"):
        return "1 identity" if call["seq"] == first_identity_seq else "3 targets"
    if (api, op) == ("sts", "AssumeRole"):
        return "3 targets"
    if (api, op) in ORGANIZATION:
        return "2 organization"
    if (api, op) in REGIONAL or (api, op) in ACCOUNT_WIDE:
        return "4 accounts and regions"
    if (api, op) in TRAIL_DETAILS:
        return "5 trail details"
    if api == "s3":
        return "6 buckets"
    if api == "kms":
        return "7 kms keys"
    return "8 other"


def parse_time(s: str) -> float:
    return datetime.fromisoformat(s).timestamp()


def analyse(calls: list[dict], latency_s: float, concurrency: int, throughput: float, manifest: dict) -> dict:
    if not calls:
        raise BenchError("the endpoint's call log is empty after the scan")
    per_op = collections.Counter(f"{a}:{o}" for a, o in map(op_name, calls))
    statuses = collections.Counter()
    for c in calls:
        statuses[(f"{op_name(c)[0]}:{op_name(c)[1]}", c.get("status"))] += 1
    faults = collections.Counter(c["fault"] for c in calls if c.get("fault"))
    retryable = [c for c in calls if c.get("status") in (429, 500, 502, 503, 504) or c.get("fault")]

    # Per account-region (regional listings) and per account (everything account-wide).
    per_account_region = collections.defaultdict(collections.Counter)
    per_account = collections.defaultdict(collections.Counter)
    for c in calls:
        api, op = op_name(c)
        if (api, op) in REGIONAL:
            per_account_region[(c.get("account"), c.get("region"))][f"{api}:{op}"] += 1
        else:
            per_account[c.get("account")][f"{api}:{op}"] += 1
    ar_totals = sorted(sum(v.values()) for v in per_account_region.values())
    acct_totals = {a: sum(v.values()) for a, v in per_account.items()}

    # What the built-in rules need in each account-region (the seed is small: every listing fits
    # in one page). DescribeTrails everywhere (coverage rules); ListEventDataStores everywhere
    # (CloudTrail Lake rules: stores are regional). EventBridge rules, metric filters and alarms
    # are read by one rule only, CT-TAMPER-ALERTS, which applies only in a Region that is the
    # home of a trail the account owns (applies_if: region.home_of_owned_trail;
    # crates/core/src/evaluate/views/region.rs computes it from the account's own trails):
    # elsewhere no rule uses them.
    rules_seeded = collections.Counter((r["account"], r["region"]) for r in manifest["eventbridge_rules"])
    homes = {(t["account"], t["region"]) for t in manifest["trails"]}
    over_need = []
    excess = collections.Counter()
    for (account, region), counts in sorted(per_account_region.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        need = {"cloudtrail:DescribeTrails": 1, "cloudtrail:ListEventDataStores": 1}
        if (account, region) in homes:
            need.update({"events:ListRules": 1, "logs:DescribeMetricFilters": 1, "monitoring:DescribeAlarms": 1})
            if rules_seeded[(account, region)]:
                need["events:ListTargetsByRule"] = rules_seeded[(account, region)]
        extra = {op: n - need.get(op, 0) for op, n in counts.items() if n > need.get(op, 0)}
        if extra:
            over_need.append({"account": account, "region": region, "extra": extra, "home_of_owned_trail": (account, region) in homes})
            for op, n in extra.items():
                excess[op + " (not a trail home Region)" if (account, region) not in homes else op] += n
    # Outside the regional listings: the caller's identity is needed once; a GetCallerIdentity
    # per assumed role only proves the role (AssumeRole already did); the account-level Block
    # Public Access only matters for accounts owning a bucket that a trail delivers to
    # (bucket.public_access_block combines the two).
    probes = per_op.get("sts:GetCallerIdentity", 0) - 1
    if probes > 0:
        excess["sts:GetCallerIdentity (role probe)"] = probes
    bucket_owners = {b["account"] for b in manifest["buckets"] if b["used_by_trail"]}
    bpa_extra = sum(1 for c in calls if op_name(c) == ("s3control", "GetPublicAccessBlock") and c.get("account") not in bucket_owners)
    if bpa_extra:
        excess["s3control:GetPublicAccessBlock (account owns no trail bucket)"] = bpa_extra
    missing_ar = [f"{a}/{r}" for a in manifest["accounts"] for r in manifest["regions"] if (a, r) not in per_account_region]

    # Lower bound.
    def pages(api_op: str, key) -> int:
        by = collections.Counter(key(c) for c in calls if "%s:%s" % op_name(c) == api_op)
        return max(by.values()) if by else 0

    ar_key = lambda c: (c.get("account"), c.get("region"))  # noqa: E731
    acct_key = lambda c: c.get("account")  # noqa: E731
    chain = ["sts:GetCallerIdentity"]
    chain += ["organizations:ListAccounts"] * max(1, pages("organizations:ListAccounts", acct_key))
    if per_op.get("sts:AssumeRole"):
        chain.append("sts:AssumeRole")
    chain += ["account:ListRegions"] * max(1, pages("account:ListRegions", acct_key))
    trail_branch = ["cloudtrail:DescribeTrails"]
    after_trails = []
    if any(op.startswith("s3:") and op != "s3:ListBuckets" for op in per_op):
        b = ["s3:GetBucketLocation"] + (["s3:HeadBucket"] if per_op.get("s3:HeadBucket") else []) + ["s3:GetBucket* (in parallel)"]
        after_trails.append(b)
    if per_op.get("cloudtrail:GetTrailStatus"):
        after_trails.append(["cloudtrail:GetTrailStatus/GetEventSelectors/GetInsightSelectors (in parallel)"])
    if per_op.get("kms:DescribeKey"):
        after_trails.append(["kms:DescribeKey"])
    trail_branch += max(after_trails, key=len, default=[])
    branches = [
        trail_branch,
        ["events:ListRules"] * max(1, pages("events:ListRules", ar_key))
        # ListTargetsByRule: one call per rule, all rules in parallel (the seed's fit one page).
        + (["events:ListTargetsByRule"] if per_op.get("events:ListTargetsByRule") else []),
        ["cloudtrail:ListEventDataStores"] * max(1, pages("cloudtrail:ListEventDataStores", ar_key))
        + (["cloudtrail:GetEventDataStore", "cloudtrail:GetInsightSelectors"] if per_op.get("cloudtrail:GetEventDataStore") else []),
        ["logs:DescribeMetricFilters"] * max(1, pages("logs:DescribeMetricFilters", ar_key)),
        ["monitoring:DescribeAlarms"] * max(1, pages("monitoring:DescribeAlarms", ar_key)),
    ]
    chain += max(branches, key=len)
    total = len(calls)
    terms = {
        "chain": {"calls": len(chain), "seconds": round(len(chain) * latency_s, 3), "steps": chain},
        "calls_x_latency_over_concurrency": {"seconds": round(total * latency_s / concurrency, 3)},
        "calls_over_throughput": {"seconds": round(total / throughput, 3), "throughput": throughput},
    }
    bound = max(t["seconds"] for t in terms.values())
    dominant = max(terms, key=lambda k: terms[k]["seconds"])

    # Timeline of the collector's phases at the endpoint, and what each phase allows at best.
    identity = [c["seq"] for c in calls if op_name(c) == ("sts", "GetCallerIdentity")]
    first_identity = min(identity) if identity else None
    t0 = min(parse_time(c["time"]) for c in calls)
    phases = collections.OrderedDict()
    for c in sorted(calls, key=lambda c: c["seq"]):
        p = phase_of(c, first_identity)
        ph = phases.setdefault(p, {"calls": 0, "first": None, "last": None, "accounts": collections.Counter(), "ops": collections.Counter()})
        t = parse_time(c["time"]) - t0
        ph["calls"] += 1
        ph["first"] = t if ph["first"] is None else min(ph["first"], t)
        ph["last"] = t if ph["last"] is None else max(ph["last"], t)
        # AssumeRole is logged under the caller but limited under the role's account.
        ph["accounts"][c.get("account") if op_name(c) != ("sts", "AssumeRole") else f"role-{c['seq']}"] += 1
        ph["ops"]["%s:%s" % op_name(c)] += 1
    per_acct_cap = min(PER_ACCOUNT_CAP, concurrency)
    phase_chain = {
        "1 identity": 1,
        "2 organization": 1 + max(1, pages("organizations:ListAccounts", acct_key)),
        "3 targets": 2,  # AssumeRole inside the probe GetCallerIdentity
        "4 accounts and regions": max(1, pages("account:ListRegions", acct_key)) + max(len(b) for b in branches[1:] + [["cloudtrail:DescribeTrails"]]),
        "5 trail details": 1,
        "6 buckets": 2 + (1 if per_op.get("s3:HeadBucket") else 0),
        "7 kms keys": 1,
        "8 other": 1,
    }
    phase_rows = []
    estimate = 0.0
    for name, ph in sorted(phases.items()):
        chain_n = phase_chain.get(name, 1)
        busiest = max(ph["accounts"].values())
        rounds = max(
            chain_n,
            math.ceil(ph["calls"] / concurrency) + chain_n - 1,
            math.ceil(busiest / per_acct_cap) + chain_n - 1,
        )
        best = max(rounds * latency_s, ph["calls"] / throughput)
        estimate += best
        phase_rows.append({
            "phase": name,
            "calls": ph["calls"],
            "busiest_account_calls": busiest,
            "first_arrival_s": round(ph["first"], 3),
            "last_arrival_s": round(ph["last"], 3),
            "span_s": round(ph["last"] - ph["first"] + latency_s, 3),
            "calls_per_second": round(ph["calls"] / (ph["last"] - ph["first"] + latency_s), 1),
            "dependent_steps": chain_n,
            "best_s": round(best, 3),
        })

    # Duplicate reads in the endpoint log: same account, region, operation and path. For JSON
    # and query protocols the resource is in the body, which the log does not keep: those are
    # checked on the recorded requests (see duplicates_in_records).
    return {
        "calls": total,
        "by_operation": dict(sorted(per_op.items(), key=lambda kv: (-kv[1], kv[0]))),
        "statuses": {f"{op} {st}": n for (op, st), n in sorted(statuses.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))},
        "faults": dict(faults),
        "retryable_answers": len(retryable),
        "account_regions": len(per_account_region),
        "per_account_region": {
            "min": ar_totals[0] if ar_totals else 0,
            "avg": round(statistics.mean(ar_totals), 2) if ar_totals else 0,
            "max": ar_totals[-1] if ar_totals else 0,
            "over_need": over_need,
            "trail_home_account_regions": len(homes),
            "missing": missing_ar,
            "detail": {f"{a}/{r}": dict(v) for (a, r), v in sorted(per_account_region.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))},
        },
        "per_account_global": {
            "min": min(acct_totals.values()),
            "avg": round(statistics.mean(acct_totals.values()), 2),
            "max": max(acct_totals.values()),
            "detail": {str(a): dict(v) for a, v in sorted(per_account.items(), key=lambda kv: str(kv[0]))},
        },
        "bound": {"terms": terms, "seconds": round(bound, 3), "dominant": dominant},
        "not_needed_by_builtin_rules": dict(excess),
        "needed_calls_estimate": total - sum(excess.values()),
        "phases": phase_rows,
        "phase_estimate_seconds": round(estimate, 3),
    }


def duplicates_in_records(records: list[dict], key_accounts: dict) -> list[dict]:
    """Requests sent more than once with the same account (from the access key), region,
    method, path (with query) and body, for the same operation: reads the rules never need
    twice. Retries of a failed attempt would show here too."""
    cred = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
    seen = collections.Counter()
    for r in records:
        headers = {k.lower(): v for k, v in r["headers"]}
        m = cred.search(headers.get("authorization", ""))
        key_id, region, service = (m.group(1), m.group(2), m.group(3)) if m else (None, None, None)
        target = headers.get("x-amz-target") or ""
        # The body names the resource for JSON and query protocols (AssumeRole: the role).
        key = (key_accounts.get(key_id, key_id), region, service, r["method"], r["path"], target, r["body"])
        seen[key] += 1
    out = []
    for key, n in seen.items():
        if n > 1:
            account, region, service, method, path, target, body = key
            out.append({"account": account, "region": region, "service": service, "method": method, "path": path,
                        "target": target, "body": body[:200].decode("utf-8", "replace"), "times": n})
    return sorted(out, key=lambda d: -d["times"])


# ------------------------------------------------------------------------------------ report


def fmt_s(x: float) -> str:
    return f"{x:.2f} s"


def print_report(res: dict) -> None:
    p = print
    m = res["seed"]
    p("trailwarden live collection benchmark")
    p(f"  organization: {len(m['accounts'])} accounts x {len(res['regions'])} regions ({','.join(res['regions'])}); "
      f"{len(m['trails'])} trails ({sum(t['organization'] for t in m['trails'])} organization trail), "
      f"{len(m['buckets'])} buckets ({sum(b['used_by_trail'] for b in m['buckets'])} receive trail logs), "
      f"{len(m['kms_keys'])} KMS key, {len(m['eventbridge_rules'])} EventBridge rules, "
      f"{len(m['metric_filters'])} metric filters, {len(m['alarms'])} alarms (seeded in {m['seconds']} s)")
    p(f"  machine: {res['machine']['cores']} cores, load average {res['machine']['loadavg_before']} before the runs")
    p(f"  latency: {res['latency_ms']} ms per AWS call; scanner --concurrency {res['concurrency']} (at most {min(PER_ACCOUNT_CAP, res['concurrency'])} per account)")
    p(f"  benchmark: {res['bench_command']}")
    p(f"  scan command: {res['command']}")
    p("")
    t = res["throughput"]
    p("endpoint throughput, no latency (measured just before each run)")
    p(f"  replay of the scan's {res['recorded_requests']} recorded requests x {t['passes']} from {t['threads']} keep-alive connections: "
      + ", ".join(f"{r['throughput']['calls_per_second']:.0f}" for r in res["runs"]) + " calls/s "
      f"(run 1: {t['requests']} calls in {t['seconds']:.2f} s; {t['status_as_recorded']} answers with the recorded status, {t['status_different']} different)")
    f = res["throughput_fresh_connections"]
    p(f"  the same with a new connection per request (informational): {f['calls_per_second']:.0f} calls/s")
    z = res["scan_no_latency"]
    p(f"  scan with no latency (informational; direct): {fmt_s(z['wall_seconds'])} wall, {z['calls']} calls = {z['calls'] / z['wall_seconds']:.0f} calls/s "
      f"(includes the scanner's own waits)")
    i = res["ideal_client_with_latency"]
    p(f"ideal client with the latency (informational): the recorded requests replayed with {res['latency_ms']} ms and exactly "
      f"{i['threads']} in flight, no dependencies: {i['calls_per_second']:.0f} calls/s = {fmt_s(res['recorded_requests'] / i['calls_per_second'])} for the scan's calls")
    p("")
    for i, run in enumerate(res["runs"], 1):
        a = run["analysis"]
        b = a["bound"]
        terms = b["terms"]
        cpu = "CPU not measured" if run["user_seconds"] is None else f"user {run['user_seconds']:.2f} s, sys {run['system_seconds']:.2f} s"
        p(f"run {i}: wall {fmt_s(run['wall_seconds'])} ({cpu}), "
          f"peak RSS {run['peak_rss_mb']:.1f} MB, {a['calls']} calls, {run['accounts_scanned']} accounts scanned")
        p(f"  lower bound = max of")
        p(f"    chain          {terms['chain']['calls']:>3} dependent calls x {res['latency_ms']} ms          = {fmt_s(terms['chain']['seconds'])}")
        p(f"    concurrency    {a['calls']} calls x {res['latency_ms']} ms / {res['concurrency']}            = {fmt_s(terms['calls_x_latency_over_concurrency']['seconds'])}")
        p(f"    throughput     {a['calls']} calls / {terms['calls_over_throughput']['throughput']:.0f} calls/s           = {fmt_s(terms['calls_over_throughput']['seconds'])}")
        verdict = "within" if run["ratio"] <= 1.5 else "NOT within"
        p(f"  bound {fmt_s(b['seconds'])} ({b['dominant']}); wall / bound = {run['ratio']:.2f}: {verdict} 1.5x")
        w = run["wall_parts"]
        p(f"  wall = {w['before_first_call_s']:.2f} s to the first call + {w['first_to_last_answer_s']:.2f} s of calls "
          f"+ {w['after_last_answer_s']:.2f} s after the last answer (evaluation, report)")
        p(f"  best the collector's phases allow (estimate, not the bound): {fmt_s(a['phase_estimate_seconds'])}")
    if len(res["runs"]) > 1:
        walls = [r["wall_seconds"] for r in res["runs"]]
        ratios = [r["ratio"] for r in res["runs"]]
        p(f"runs: wall median {statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}); "
          f"wall / bound median {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")
    p("")
    a = res["runs"][-1]["analysis"]
    p("chain: " + " -> ".join(a["bound"]["terms"]["chain"]["steps"]))
    p("")
    p(f"calls by operation (last run; {a['calls']} in all)")
    for op, n in a["by_operation"].items():
        p(f"  {n:>6}  {op}")
    ar = a["per_account_region"]
    p(f"calls per account-region (regional listings, {a['account_regions']} account-regions): min {ar['min']}, avg {ar['avg']}, max {ar['max']}")
    if ar["missing"]:
        p(f"  account-regions never listed: {len(ar['missing'])}, e.g. {ar['missing'][:5]}")
    if ar["over_need"]:
        p(f"  MORE THAN THE BUILT-IN RULES NEED in {len(ar['over_need'])} of {a['account_regions']} account-regions "
          f"(monitoring listings are used only where the account owns a trail homed: {ar['trail_home_account_regions']} account-regions)")
    else:
        p("  no account-region had more calls than the built-in rules need")
    nn = a["not_needed_by_builtin_rules"]
    if nn:
        p(f"calls the built-in rules do not use: {sum(nn.values())} of {a['calls']} (needed: ~{a['needed_calls_estimate']})")
        for op, n in sorted(nn.items(), key=lambda kv: -kv[1]):
            p(f"  {n:>6}  {op}")
    g = a["per_account_global"]
    p(f"calls per account outside the regional listings (identity, organization, account-wide, trail details, buckets, keys): "
      f"min {g['min']}, avg {g['avg']}, max {g['max']}")
    for account in sorted(g["detail"], key=lambda k: -sum(g["detail"][k].values()))[:3]:
        p(f"  {account}: {sum(g['detail'][account].values())}: " + ", ".join(f"{op} {n}" for op, n in sorted(g['detail'][account].items())))
    p(f"trails: {res['runs'][-1]['analysis']['by_operation'].get('cloudtrail:GetTrailStatus', 0)} GetTrailStatus for {len(m['trails'])} seeded trails; "
      f"buckets: {a['by_operation'].get('s3:GetBucketLocation', 0)} GetBucketLocation for {sum(b['used_by_trail'] for b in m['buckets'])} trail buckets")
    p(f"TCP connections the scanner opened (recorded scan): {res['recorded_connections']} for {res['recorded_requests']} requests")
    dups = res["duplicates"]
    if dups:
        p(f"DUPLICATE READS (same account, region, operation, path and body) in the recorded scan: {len(dups)}")
        for d in dups[:10]:
            p(f"  x{d['times']} {d['account']} {d['region']} {d['service']} {d['target'] or ''} {d['method']} {d['path']} {d['body'][:80]}")
    else:
        p("duplicate reads (same account, region, operation, path and body) in the recorded scan: none")
    p(f"answers that the SDK retries (throttling, 500/502/503/504) or injected faults: {a['retryable_answers']}; faults {a['faults'] or 'none'}")
    non_2xx = {k: v for k, v in a["statuses"].items() if not k.rsplit(" ", 1)[1].startswith("2")}
    if non_2xx:
        p("non-2xx answers (errors the scanner records as facts): " + ", ".join(f"{k} x{v}" for k, v in non_2xx.items()))
    inc = res["runs"][-1]["incomplete"]
    if inc:
        p("report scan.incomplete: " + ", ".join(f"{k} x{v}" for k, v in inc.items()))
    p("")
    p("collector phases at the endpoint (last run; seconds from the first call's arrival)")
    p(f"  {'phase':<24}{'calls':>7}{'busiest acct':>14}{'first':>8}{'last':>8}{'span':>8}{'calls/s':>9}{'steps':>7}{'best':>8}")
    for row in a["phases"]:
        p(f"  {row['phase']:<24}{row['calls']:>7}{row['busiest_account_calls']:>14}{row['first_arrival_s']:>8.2f}{row['last_arrival_s']:>8.2f}"
          f"{row['span_s']:>8.2f}{row['calls_per_second']:>9.0f}{row['dependent_steps']:>7}{row['best_s']:>8.2f}")
    p("  (span: first arrival to last arrival + one latency; best: max(dependent steps, calls / concurrency, busiest account's calls / "
      f"{min(PER_ACCOUNT_CAP, res['concurrency'])}) x latency, or calls / throughput if larger)")


# ------------------------------------------------------------------------------------ main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=50, help="accounts in the organization, management included (50)")
    parser.add_argument("--regions", default=DEFAULT_REGIONS, help=f"regions to scan ({DEFAULT_REGIONS})")
    parser.add_argument("--latency-ms", type=int, default=50, help="latency injected into every AWS call (50)")
    parser.add_argument("--concurrency", type=int, default=SCANNER_DEFAULT_CONCURRENCY, help="the scanner's --concurrency (32, its default)")
    parser.add_argument("--runs", type=int, default=1, help="timed scans with latency (1)")
    parser.add_argument("--binary", default=os.path.join(REPO, "target", "release", "trailwarden"))
    parser.add_argument("--python", default=sys.executable, help="interpreter for tests/moto/launcher.py (this one)")
    parser.add_argument("--replay-passes", type=int, default=3, help="passes over the recorded requests when measuring throughput (3)")
    parser.add_argument("--replay-threads", type=int, default=None, help="connections for the throughput replay (the scanner's concurrency)")
    parser.add_argument("--json-out", help="write every figure as JSON to this file")
    args = parser.parse_args(argv)
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    if args.accounts < 1 or not regions or args.latency_ms < 0 or args.concurrency < 1 or args.runs < 1 or args.replay_passes < 1:
        parser.error("--accounts, --concurrency, --runs and --replay-passes must be >= 1, --latency-ms >= 0, --regions non-empty")
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        raise BenchError(f"no scanner binary at {binary}: build it with `cargo build --release` or pass --binary")

    endpoint = Endpoint(args.python)
    try:
        log(f"endpoint {endpoint.url}; seeding {args.accounts} accounts")
        seeder = Seeder(endpoint, args.accounts, regions)
        try:
            manifest = seeder.seed()
        except BenchError:
            raise
        except Exception as exc:  # boto3/botocore errors of every kind
            raise BenchError(f"seeding failed: {type(exc).__name__}: {exc}\nendpoint stderr:\n{endpoint.stderr_tail()}") from exc
        manifest["regions"] = regions
        log(f"seeded in {manifest['seconds']} s: {len(manifest['trails'])} trails, {len(manifest['buckets'])} buckets")

        # 1. Record the scan's requests (no latency) through the proxy.
        endpoint.control("POST", "/_trailwarden/faults/reset")
        endpoint.control("POST", "/_trailwarden/calls/reset")
        proxy = RecordingProxy(endpoint.host, endpoint.port)
        try:
            recorded_run = run_scanner(binary, regions, args.concurrency, proxy.url)
        finally:
            proxy.close()
        records = proxy.records
        recorded_log = endpoint.control("GET", "/_trailwarden/calls")
        key_accounts = {c["access_key"]: c["account"] for c in recorded_log if c.get("access_key")}
        if recorded_run["accounts_scanned"] != args.accounts:
            raise BenchError(f"the recorded scan read {recorded_run['accounts_scanned']} accounts of {args.accounts}")
        duplicates = duplicates_in_records(records, key_accounts)
        log(f"recorded {len(records)} requests ({len(duplicates)} duplicated)")

        # 2. Informational: the replay with a connection per request (the endpoint's own
        #    throughput, the replay with keep-alive connections, is measured before each run).
        threads = args.replay_threads or args.concurrency
        fresh = replay(records, endpoint.host, endpoint.port, threads, 1, fresh=True)
        log(f"replay, a connection per request: {fresh['calls_per_second']} calls/s")

        # 3. The scan with no latency, straight to the endpoint (informational).
        endpoint.control("POST", "/_trailwarden/calls/reset")
        no_latency = run_scanner(binary, regions, args.concurrency, endpoint.url)
        no_latency["calls"] = len(endpoint.control("GET", "/_trailwarden/calls"))
        log(f"scan with no latency: {no_latency['wall_seconds']} s, {no_latency['calls']} calls")

        # 4. An ideal client with the latency: the recorded requests replayed once with exactly
        #    --concurrency in flight, ignoring every dependency and the per-account cap.
        endpoint.control("POST", "/_trailwarden/faults", {"latency_ms": args.latency_ms, "throttle_every": 0, "fail_service": None, "fail_status": 500})
        ideal = replay(records, endpoint.host, endpoint.port, args.concurrency, 1)
        log(f"replay with {args.latency_ms} ms latency, {args.concurrency} in flight: {ideal['calls_per_second']} calls/s")

        # 5. Timed runs with latency.
        loadavg = " ".join(open("/proc/loadavg").read().split()[:3]) if os.path.exists("/proc/loadavg") else "?"
        runs = []
        for i in range(args.runs):
            # The endpoint's throughput with no latency, just before the run (the machine's
            # load drifts; the bound of each run uses its own measurement).
            endpoint.control("POST", "/_trailwarden/faults/reset")
            throughput = replay(records, endpoint.host, endpoint.port, threads, args.replay_passes)
            log(f"replay: {throughput['calls_per_second']} calls/s")
            endpoint.control("POST", "/_trailwarden/faults", {"latency_ms": args.latency_ms, "throttle_every": 0, "fail_service": None, "fail_status": 500})
            endpoint.control("POST", "/_trailwarden/calls/reset")
            run = run_scanner(binary, regions, args.concurrency, endpoint.url)
            calls = endpoint.control("GET", "/_trailwarden/calls")
            counters = endpoint.control("GET", "/_trailwarden/faults")
            if counters.get("throttled") or counters.get("failed"):
                raise BenchError(f"the endpoint injected faults that were not asked for: {counters}")
            if run["accounts_scanned"] != args.accounts:
                raise BenchError(f"run {i + 1} scanned {run['accounts_scanned']} accounts of {args.accounts}")
            run["analysis"] = analyse(calls, args.latency_ms / 1000.0, args.concurrency, throughput["calls_per_second"], manifest)
            run["throughput"] = throughput
            first = min(parse_time(c["time"]) for c in calls)
            last = max(parse_time(c["time"]) for c in calls)
            run["wall_parts"] = {
                "before_first_call_s": round(first - run["started_epoch"], 3),
                "first_to_last_answer_s": round(last + args.latency_ms / 1000.0 - first, 3),
                "after_last_answer_s": round(run["ended_epoch"] - last - args.latency_ms / 1000.0, 3),
            }
            run["ratio"] = round(run["wall_seconds"] / run["analysis"]["bound"]["seconds"], 3) if run["analysis"]["bound"]["seconds"] else None
            runs.append(run)
            log(f"run {i + 1}: {run['wall_seconds']} s wall, {run['analysis']['calls']} calls, bound {run['analysis']['bound']['seconds']} s, ratio {run['ratio']}")
        endpoint.control("POST", "/_trailwarden/faults/reset")

        shown_binary = os.path.relpath(binary, REPO) if binary.startswith(REPO + os.sep) else binary
        env_shown = f"AWS_ENDPOINT_URL={endpoint.url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1"
        result = {
            "accounts": args.accounts,
            "regions": regions,
            "latency_ms": args.latency_ms,
            "concurrency": args.concurrency,
            "per_account_cap": min(PER_ACCOUNT_CAP, args.concurrency),
            "binary": binary,
            "command": env_shown + " " + " ".join(scan_command(shown_binary, regions, args.concurrency, "REPORT.json")),
            "bench_command": " ".join([".venv/bin/python", "scripts/bench-live.py"] + (argv if argv is not None else sys.argv[1:])),
            "machine": {"cores": os.cpu_count(), "loadavg_before": loadavg},
            "seed": manifest,
            "recorded_requests": len(records),
            "recorded_connections": proxy.connections,
            "throughput_fresh_connections": fresh,
            "ideal_client_with_latency": ideal,
            "recorded_scan": {k: v for k, v in recorded_run.items() if k != "stderr"},
            "duplicates": duplicates,
            "throughput": runs[0]["throughput"],
            "scan_no_latency": {k: v for k, v in no_latency.items() if k != "stderr"},
            "runs": runs,
        }
        print_report(result)
        if args.json_out:
            with open(args.json_out, "w", encoding="utf-8") as f:
                json.dump(result, f, indent=2, default=str)
                f.write("\n")
            log(f"wrote {args.json_out}")
        return 0
    finally:
        endpoint.close()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench-live: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench-live: interrupted", file=sys.stderr)
        sys.exit(130)
