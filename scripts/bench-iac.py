#!/usr/bin/env python3
"""Infrastructure-as-code benchmark: `trailwarden scan` on a large Terraform plan (with its
configuration directory) and a large CloudFormation template, to show that reading, joining,
locating and judging grow with the source's size and no faster.

    scripts/bench-iac.py                         # 1,000 and 10,000 buckets, 3 runs each
    scripts/bench-iac.py --sizes 2000 --runs 1
    scripts/bench-iac.py --trailwarden path/to/trailwarden   # measure another build

Each size N writes, in a temporary directory:
- a Terraform configuration (`main.tf`, N `aws_s3_bucket` blocks, each with its split
  versioning, encryption, public access block and policy resources joined by reference, and a
  multi-Region trail for every ten buckets) and the plan `terraform show -json` gives for it
  (format 1.2: planned values, resource changes with the bucket ids unknown until apply, and
  the configuration's references, which are what joins a split resource to its bucket);
- the same as one module called with `for_each` over the N bucket names (N module instances;
  each trail names its bucket through `module.logs["NAME"].bucket_id`, located through
  `.terraform/modules/modules.json` as `terraform init` writes it);
- a CloudFormation template with the same buckets, policies and trails (`Ref` joins).
CloudFormation refuses a template of more than 500 resources; the large template is there to
show the scanner's cost, not a deployable stack.

Then runs `scan --terraform-plan PLAN --terraform-dir DIR` (for both plans) and
`scan --cloudformation FILE`,
each with `--json` to a file, under GNU time, and prints wall seconds, user+sys CPU seconds and
peak RSS of each run and the median of each, and checks that every trail and every trail's log bucket was
judged and located (a run that judged fewer is an error, not a number). The other nine buckets
in ten are read and joined to their split resources but, being no trail's log bucket, not
judged, as in a scan of deployed accounts.

Measure on an idle machine: with another build running, wall times mean little.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
REGION = "us-east-1"
PROVIDER = "registry.terraform.io/hashicorp/aws"
SPLIT = ("versioning", "sse", "pab", "policy")


def bucket_name(i):
    return f"bench-logs-{i:05d}"


def policy_json(i):
    name = bucket_name(i)
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AWSCloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{name}/AWSLogs/{ACCOUNT}/*",
                    "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                },
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )


# ---- Terraform ----


def terraform_resources(n):
    """(type, name, planned values, unknown attributes, configuration expressions) of each
    resource, in configuration order."""
    out = []
    for i in range(n):
        b = f"b{i}"
        ref = {"references": [f"aws_s3_bucket.{b}.id", f"aws_s3_bucket.{b}"]}
        out.append(
            (
                "aws_s3_bucket",
                b,
                {"bucket": bucket_name(i), "force_destroy": False, "object_lock_enabled": False, "tags": None},
                {"arn": True, "id": True, "tags_all": True},
                {"bucket": {"constant_value": bucket_name(i)}},
            )
        )
        out.append(
            (
                "aws_s3_bucket_versioning",
                b,
                {"expected_bucket_owner": None, "mfa": None, "versioning_configuration": [{"status": "Enabled"}]},
                {"bucket": True, "id": True, "versioning_configuration": [{"mfa_delete": True}]},
                {"bucket": ref, "versioning_configuration": [{"status": {"constant_value": "Enabled"}}]},
            )
        )
        out.append(
            (
                "aws_s3_bucket_server_side_encryption_configuration",
                b,
                {
                    "expected_bucket_owner": None,
                    "rule": [
                        {
                            "apply_server_side_encryption_by_default": [{"kms_master_key_id": None, "sse_algorithm": "AES256"}],
                            "bucket_key_enabled": None,
                        }
                    ],
                },
                {"bucket": True, "id": True, "rule": [{"apply_server_side_encryption_by_default": [{}]}]},
                {"bucket": ref, "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": {"constant_value": "AES256"}}]}]},
            )
        )
        out.append(
            (
                "aws_s3_bucket_public_access_block",
                b,
                {"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True, "restrict_public_buckets": True},
                {"bucket": True, "id": True},
                {
                    "bucket": ref,
                    **{k: {"constant_value": True} for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")},
                },
            )
        )
        out.append(
            (
                "aws_s3_bucket_policy",
                b,
                {"policy": policy_json(i)},
                {"bucket": True, "id": True},
                {"bucket": ref, "policy": {"constant_value": policy_json(i)}},
            )
        )
        if i % 10 == 0:
            out.append(
                (
                    "aws_cloudtrail",
                    f"t{i}",
                    {
                        "name": f"bench-trail-{i:05d}",
                        "s3_bucket_name": bucket_name(i),
                        "is_multi_region_trail": True,
                        "include_global_service_events": True,
                        "enable_log_file_validation": True,
                        "enable_logging": True,
                        "is_organization_trail": False,
                        "kms_key_id": None,
                        "s3_key_prefix": None,
                        "sns_topic_name": None,
                        "cloud_watch_logs_group_arn": None,
                        "cloud_watch_logs_role_arn": None,
                        "event_selector": [],
                        "advanced_event_selector": [],
                        "insight_selector": [],
                        "tags": None,
                    },
                    {"arn": True, "id": True, "home_region": True, "tags_all": True},
                    {
                        "name": {"constant_value": f"bench-trail-{i:05d}"},
                        "s3_bucket_name": {"references": [f"aws_s3_bucket.{b}.id", f"aws_s3_bucket.{b}"]},
                        "is_multi_region_trail": {"constant_value": True},
                        "enable_log_file_validation": {"constant_value": True},
                    },
                )
            )
    return out


def planned(module, rtype, name, values):
    """A resource instance of the planned values (`module` is "" at the root)."""
    prefix = f"{module}." if module else ""
    return {"address": f"{prefix}{rtype}.{name}", "mode": "managed", "type": rtype, "name": name, "provider_name": PROVIDER,
            "schema_version": 0, "values": values, "sensitive_values": {}}


def created(module, rtype, name, values, unknown):
    """The change that creates it, with what is known only once applied."""
    change = {key: planned(module, rtype, name, values)[key] for key in ("address", "mode", "type", "name", "provider_name")}
    if module:
        change["module_address"] = module
    change["change"] = {"actions": ["create"], "before": None, "after": values, "after_unknown": unknown, "before_sensitive": False, "after_sensitive": {}}
    return change


def plan_document(planned_root, changes, configured_root, variables=None):
    """What `terraform show -json` writes for a plan that creates everything."""
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": variables or {},
        "planned_values": {"root_module": planned_root},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER, "expressions": {"region": {"constant_value": REGION}}}},
            "root_module": configured_root,
        },
        "timestamp": "2026-12-03T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def hcl_value(v):
    return json.dumps(v)


def write_terraform(n, out):
    resources = terraform_resources(n)
    lines = ['provider "aws" {', f'  region = "{REGION}"', "}", ""]
    for rtype, name, values, _, _ in resources:
        lines.append(f'resource "{rtype}" "{name}" {{')
        if rtype == "aws_s3_bucket":
            lines.append(f"  bucket = {hcl_value(values['bucket'])}")
        elif rtype == "aws_cloudtrail":
            lines.append(f"  name                       = {hcl_value(values['name'])}")
            lines.append(f"  s3_bucket_name             = aws_s3_bucket.{'b' + name[1:]}.id")
            lines.append("  is_multi_region_trail      = true")
            lines.append("  enable_log_file_validation = true")
        else:
            lines.append(f"  bucket = aws_s3_bucket.{name}.id")
            if rtype == "aws_s3_bucket_policy":
                lines.append(f"  policy = {hcl_value(values['policy'])}")
            elif rtype == "aws_s3_bucket_versioning":
                lines += ["  versioning_configuration {", '    status = "Enabled"', "  }"]
            elif rtype == "aws_s3_bucket_server_side_encryption_configuration":
                lines += ["  rule {", "    apply_server_side_encryption_by_default {", '      sse_algorithm = "AES256"', "    }", "  }"]
            else:
                lines += [f"  {k} = true" for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")]
        lines += ["}", ""]
    (out / "main.tf").write_text("\n".join(lines))

    plan = plan_document(
        {"resources": [planned("", t, nm, v) for t, nm, v, _, _ in resources]},
        [created("", t, nm, v, u) for t, nm, v, u, _ in resources],
        {"resources": [{"address": f"{t}.{nm}", "mode": "managed", "type": t, "name": nm, "provider_config_key": "aws", "expressions": e, "schema_version": 0}
                       for t, nm, _, _, e in resources]},
    )
    plan_path = out / "plan.json"
    plan_path.write_text(json.dumps(plan))
    trails = sum(1 for t, *_ in resources if t == "aws_cloudtrail")
    return plan_path, trails


def write_terraform_modules(n, out):
    """The same resources as write_terraform, as N instances of a local module."""
    module_dir = out / "modules" / "log-bucket"
    module_dir.mkdir(parents=True)
    (out / ".terraform" / "modules").mkdir(parents=True)
    (out / ".terraform" / "modules" / "modules.json").write_text(
        json.dumps({"Modules": [{"Key": "", "Source": "", "Dir": "."}, {"Key": "logs", "Source": "./modules/log-bucket", "Dir": "modules/log-bucket"}]})
    )
    # One instance's resources as write_terraform gives them, renamed `this` inside the module.
    one = [r for r in terraform_resources(1) if r[0] != "aws_cloudtrail"]
    module_tf = ['variable "name" {', "  type = string", "}", ""]
    for rtype, _, _, _, _ in one:
        module_tf.append(f'resource "{rtype}" "this" {{')
        module_tf.append("  bucket = var.name" if rtype == "aws_s3_bucket" else "  bucket = aws_s3_bucket.this.id")
        module_tf += ["}", ""]
    module_tf += ['output "bucket_id" {', "  value = aws_s3_bucket.this.id", "}", ""]
    (module_dir / "main.tf").write_text("\n".join(module_tf))
    names = [bucket_name(i) for i in range(n)]
    root_tf = ['module "logs" {', '  source   = "./modules/log-bucket"', "  for_each = toset(var.names)", "  name     = each.key", "}", ""]
    trails = [i for i in range(n) if i % 10 == 0]
    for i in trails:
        root_tf += [
            f'resource "aws_cloudtrail" "t{i}" {{',
            f'  name                       = "bench-trail-{i:05d}"',
            f'  s3_bucket_name             = module.logs["{bucket_name(i)}"].bucket_id',
            "  is_multi_region_trail      = true",
            "  enable_log_file_validation = true",
            "}",
            "",
        ]
    (out / "main.tf").write_text("\n".join(root_tf))

    child_modules, changes = [], []
    for name in names:
        module = f'module.logs["{name}"]'
        resources = []
        for rtype, _, values, unknown, _ in one:
            values = json.loads(json.dumps(values).replace(bucket_name(0), name))
            resources.append(planned(module, rtype, "this", values))
            changes.append(created(module, rtype, "this", values, unknown))
        child_modules.append({"address": module, "resources": resources})
    root_resources = []
    for t, nm, values, unknown, _ in terraform_resources(n):
        if t == "aws_cloudtrail":
            # The bucket's id, and so the trail's bucket name, is known only once applied.
            values = {k: v for k, v in values.items() if k != "s3_bucket_name"}
            root_resources.append(planned("", t, nm, values))
            changes.append(created("", t, nm, values, {**unknown, "s3_bucket_name": True}))
    module_blocks = []
    for rtype, _, _, _, expressions in one:
        expressions = dict(expressions)
        expressions["bucket"] = {"references": ["var.name"]} if rtype == "aws_s3_bucket" else {"references": ["aws_s3_bucket.this.id", "aws_s3_bucket.this"]}
        module_blocks.append({"address": f"{rtype}.this", "mode": "managed", "type": rtype, "name": "this", "provider_config_key": "logs:aws",
                              "expressions": expressions, "schema_version": 0})
    trail_blocks = []
    for i in trails:
        b = bucket_name(i)
        trail_blocks.append({"address": f"aws_cloudtrail.t{i}", "mode": "managed", "type": "aws_cloudtrail", "name": f"t{i}", "provider_config_key": "aws",
                             "expressions": {"name": {"constant_value": f"bench-trail-{i:05d}"},
                                             "s3_bucket_name": {"references": [f'module.logs["{b}"].bucket_id', f'module.logs["{b}"]', "module.logs"]},
                                             "is_multi_region_trail": {"constant_value": True},
                                             "enable_log_file_validation": {"constant_value": True}},
                             "schema_version": 0})
    plan = plan_document(
        {"resources": root_resources, "child_modules": child_modules},
        changes,
        {
            "resources": trail_blocks,
            "module_calls": {"logs": {"source": "./modules/log-bucket", "expressions": {"name": {"references": ["each.key"]}},
                                      "for_each_expression": {"references": ["var.names"]},
                                      "module": {"resources": module_blocks,
                                                 "outputs": {"bucket_id": {"expression": {"references": ["aws_s3_bucket.this.id", "aws_s3_bucket.this"]}}},
                                                 "variables": {"name": {}}}}},
            "variables": {"names": {}},
        },
        variables={"names": {"value": names}},
    )
    plan_path = out / "plan.json"
    plan_path.write_text(json.dumps(plan))
    return plan_path, len(trails)


# ---- CloudFormation ----


def write_cloudformation(n, out):
    resources = {}
    for i in range(n):
        b = f"Bucket{i}"
        resources[b] = {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": bucket_name(i),
                "VersioningConfiguration": {"Status": "Enabled"},
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
            },
        }
        resources[f"{b}Policy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": b}, "PolicyDocument": json.loads(policy_json(i))},
        }
        if i % 10 == 0:
            resources[f"Trail{i}"] = {
                "Type": "AWS::CloudTrail::Trail",
                "DependsOn": [f"{b}Policy"],
                "Properties": {
                    "TrailName": f"bench-trail-{i:05d}",
                    "S3BucketName": {"Ref": b},
                    "IsLogging": True,
                    "IsMultiRegionTrail": True,
                    "IncludeGlobalServiceEvents": True,
                    "EnableLogFileValidation": True,
                },
            }
    path = out / "template.json"
    # Indented, so that each logical ID has a line of its own to be located on.
    path.write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, indent=1))
    return path, (n + 9) // 10


# ---- running ----


def measure(command, report):
    """Wall, CPU and peak RSS of one run under GNU time, and its JSON report."""
    timing = report.with_suffix(".time")
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(timing), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} exited {proc.returncode}:\n{proc.stderr}")
    wall, user, system, rss_kb = timing.read_text().split()[-4:]
    return float(wall), float(user) + float(system), int(rss_kb) / 1024, json.loads(report.read_text())


def check(report, kinds, label):
    """Every bucket and trail judged and located: a benchmark of a scan that dropped them
    would measure nothing."""
    by_kind = {}
    for f in report["findings"]:
        kind = f["resource"]["kind"]
        by_kind.setdefault(kind, set()).add(f["resource"]["arn"])
        if kind in kinds and not (f["resource"].get("location") or {}).get("line"):
            sys.exit(f"{label}: a finding of {f['resource']['arn']} has no line: {f['resource']}")
    for kind, expected in kinds.items():
        got = len(by_kind.get(kind, ()))
        if got != expected:
            sys.exit(f"{label}: {got} {kind} resources judged, {expected} declared")
    return len(report["findings"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="buckets per source")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--trailwarden", help="a built binary (default: build the release binary without the AWS SDK)")
    args = parser.parse_args()

    if not Path("/usr/bin/time").exists():
        sys.exit("GNU time is missing: install the `time` package (apt-get install time)")
    binary = args.trailwarden
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--locked", "-p", "trailwarden", "--no-default-features"], cwd=ROOT, check=True)
        binary = str(ROOT / "target/release/trailwarden")

    tmp = Path(tempfile.mkdtemp(prefix="bench-iac-"))
    try:
        print("| source | buckets | trails | findings | input | wall s | CPU s | peak RSS MB |")
        print("|---|---|---|---|---|---|---|---|", flush=True)
        for n in args.sizes:
            out = tmp / str(n)
            (out / "tf").mkdir(parents=True)
            (out / "tf-modules").mkdir(parents=True)
            plan, trails = write_terraform(n, out / "tf")
            module_plan, module_trails = write_terraform_modules(n, out / "tf-modules")
            template, cfn_trails = write_cloudformation(n, out)
            sources = [
                ("terraform", ["--terraform-plan", str(plan), "--terraform-dir", str(out / "tf")], plan, trails),
                ("terraform-modules", ["--terraform-plan", str(module_plan), "--terraform-dir", str(out / "tf-modules")], module_plan, module_trails),
                ("cloudformation", ["--cloudformation", str(template)], template, cfn_trails),
            ]
            for label, flags, source, trail_count in sources:
                report = out / f"{label}.report.json"
                command = [binary, "scan", "--quiet", "--fail-on", "never", *flags, "--json", str(report)]
                runs = [measure(command, report) for _ in range(args.runs)]
                # A bucket is judged as a trail's log bucket: one bucket in ten here.
                findings = check(runs[-1][3], {"bucket": trail_count, "trail": trail_count}, f"{label} at {n}")
                for wall, cpu, rss, _ in runs:
                    print(f"  {label} at {n}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rss:.0f} MB", file=sys.stderr, flush=True)
                size = os.path.getsize(source) / 1e6
                median = [statistics.median(r[k] for r in runs) for k in range(3)]
                print(f"| {label} | {n:,} | {trail_count:,} | {findings:,} | {size:.1f} MB | {median[0]:.2f} | {median[1]:.2f} | {median[2]:.0f} |", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
