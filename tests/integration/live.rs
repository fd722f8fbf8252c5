//! Live scans against a real AWS-compatible endpoint: moto in server mode, started by the test
//! (tests/moto/launcher.py), seeded through the AWS SDK, then scanned by the binary.
//!
//! The endpoint needs the virtual environment made by `scripts/setup-moto.sh` (CI runs it).
//! Without it these tests fail, saying how to create it: they never skip.

use assert_cmd::Command;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdin, Stdio};

/// A running endpoint; stopped when dropped (its stdin closes).
struct Endpoint {
    url: String,
    child: Child,
    _stdin: ChildStdin,
}

impl Endpoint {
    fn start() -> Endpoint {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let python = root.join(".venv/bin/python");
        assert!(python.exists(), "{} is missing: run scripts/setup-moto.sh to create the test endpoint's environment", python.display());
        let mut child = std::process::Command::new(python)
            .arg(root.join("tests/moto/launcher.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the launcher starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout")).read_line(&mut line).expect("the launcher prints READY");
        let url = line.trim().strip_prefix("READY ").unwrap_or_else(|| panic!("unexpected launcher output: {line:?}")).to_owned();
        Endpoint { url, child, _stdin: stdin }
    }

    /// A plain HTTP request to the endpoint's control API.
    fn control(&self, method: &str, path: &str) -> String {
        self.control_with(method, path, "")
    }

    /// A control API request with a JSON body; the endpoint's answer must be a success.
    fn control_json(&self, path: &str, body: serde_json::Value) -> String {
        self.control_with("POST", path, &body.to_string())
    }

    fn control_with(&self, method: &str, path: &str, body: &str) -> String {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("the endpoint answers");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 2") || response.starts_with("HTTP/1.0 2"), "{method} {path}: {response}");
        response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default()
    }

    /// The API calls the endpoint has answered since the last reset of its call log.
    fn calls(&self) -> Vec<serde_json::Value> {
        let calls: serde_json::Value = serde_json::from_str(&self.control("GET", "/_trailwarden/calls")).expect("the call log is JSON");
        calls.as_array().expect("the call log is a list").clone()
    }

    /// SDK configuration for the endpoint's default account (123456789012).
    async fn sdk(&self, region: &str) -> aws_config::SdkConfig {
        self.sdk_with(region, aws_credential_types::Credentials::new("test", "test", None, None, "test")).await
    }

    /// SDK configuration for `account`, through its OrganizationAccountAccessRole.
    async fn sdk_as(&self, account: &str, region: &str) -> aws_config::SdkConfig {
        let sts = aws_sdk_sts::Client::new(&self.sdk(region).await);
        let assumed = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"))
            .role_session_name("seed")
            .send()
            .await
            .unwrap();
        let c = assumed.credentials.expect("AssumeRole returns credentials");
        let credentials = aws_credential_types::Credentials::new(c.access_key_id, c.secret_access_key, Some(c.session_token), None, "seed");
        self.sdk_with(region, credentials).await
    }

    async fn sdk_with(&self, region: &str, credentials: aws_credential_types::Credentials) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(aws_config::Region::new(region.to_owned()))
            .credentials_provider(credentials)
            .load()
            .await
    }
}

fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(true).build())
}

/// Runs the binary off the async runtime (it is a blocking child process); with `endpoint`,
/// as the endpoint's default account.
async fn run(endpoint: Option<&Endpoint>, args: &[&str]) -> std::process::Output {
    run_in(endpoint, "us-east-1", args).await
}

/// [`run`] with `region` as the configured Region (AWS_REGION).
async fn run_in(endpoint: Option<&Endpoint>, region: &str, args: &[&str]) -> std::process::Output {
    let region = region.to_owned();
    let url = endpoint.map(|e| e.url.clone());
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::cargo_bin("trailwarden").unwrap();
        command.args(&args);
        if let Some(url) = url {
            command
                .env("AWS_ENDPOINT_URL", url)
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_REGION", region)
                .env_remove("AWS_PROFILE");
        }
        command.output().unwrap()
    })
    .await
    .unwrap()
}

/// The exit code and the JSON report of a `scan` run.
async fn run_scan(endpoint: Option<&Endpoint>, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let output = run(endpoint, &[&["scan", "--quiet", "--json", "-"], args].concat()).await;
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}); stderr: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code(), report)
}

/// A live scan of the endpoint.
async fn scan_async(endpoint: &Endpoint, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    run_scan(Some(endpoint), args).await
}

/// A scan of a saved snapshot (no AWS calls).
async fn scan_snapshot(snapshot: &Path) -> (Option<i32>, serde_json::Value) {
    run_scan(None, &["--fail-on", "never", "--snapshot", snapshot.to_str().unwrap()]).await
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn outcome<'a>(report: &'a serde_json::Value, rule: &str, arn_part: &str) -> Vec<&'a str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule && f["resource"]["arn"].as_str().unwrap().contains(arn_part))
        .map(|f| f["outcome"].as_str().unwrap())
        .collect()
}

/// One account: a multi-Region trail (logging, validated) and a stopped single-Region trail.
async fn seed_one_account(endpoint: &Endpoint) {
    let east = endpoint.sdk("us-east-1").await;
    create_versioned_bucket(&s3_client(&east), "live-logs").await;
    let trails = aws_sdk_cloudtrail::Client::new(&east);
    let main = trails
        .create_trail()
        .name("main")
        .s3_bucket_name("live-logs")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .unwrap();
    trails.start_logging().name("main").send().await.unwrap();
    let owner = aws_sdk_cloudtrail::types::Tag::builder().key("owner").value("security-engineering").build().unwrap();
    trails.add_tags().resource_id(main.trail_arn().unwrap()).tags_list(owner).send().await.unwrap();
    let west = aws_sdk_cloudtrail::Client::new(&endpoint.sdk("eu-west-1").await);
    west.create_trail().name("local").s3_bucket_name("live-logs").send().await.unwrap();
}

async fn create_versioned_bucket(s3: &aws_sdk_s3::Client, name: &str) {
    s3.create_bucket().bucket(name).send().await.unwrap();
    s3.put_bucket_versioning()
        .bucket(name)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder().status(aws_sdk_s3::types::BucketVersioningStatus::Enabled).build(),
        )
        .send()
        .await
        .unwrap();
}

/// Read-only, proven at the endpoint: every call since the last reset of the call log is a
/// read, and every one is allowed by the policy `trailwarden iam-policy` prints.
fn assert_read_only_and_allowed(calls: &[serde_json::Value]) {
    let set = trailwarden_core::rules::load_builtin().unwrap();
    assert_read_only_and_allowed_by(calls, &trailwarden_core::iam::policy(&set, &trailwarden_core::config::Config::default()));
}

/// The same for `collect`, against `trailwarden iam-policy --collect`.
fn assert_read_only_and_allowed_by(calls: &[serde_json::Value], policy: &serde_json::Value) {
    let reads = ["Get", "List", "Describe", "Head", "Lookup"];
    for call in calls {
        let op = call["operation"].as_str().unwrap_or("?");
        assert!(reads.iter().any(|r| op.starts_with(r)) || op == "AssumeRole", "the scan called {op}, which is not a read");
    }
    let allowed: std::collections::BTreeSet<&str> =
        policy["Statement"].as_array().unwrap().iter().flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap())).collect();
    for call in calls {
        let (service, op) = (call["api"].as_str().unwrap_or("?"), call["operation"].as_str().unwrap_or("?"));
        if op == "AssumeRole" {
            continue; // granted by the role's trust policy, not by the scanning policy
        }
        // The endpoint logs signing names; IAM names CloudWatch's actions `cloudwatch:`.
        let service = if service == "monitoring" { "cloudwatch" } else { service };
        let declared = trailwarden_core::inventory::FactId::ALL
            .iter()
            .filter(|r| r.api() == format!("{service}:{op}") || r.actions().contains(&format!("{service}:{op}").as_str()))
            .any(|r| r.actions().iter().any(|a| allowed.contains(a)));
        assert!(declared, "the scan called {service}:{op}, which the IAM policy does not allow");
    }
}

/// The findings as comparable lines: rule, resource, outcome and message.
fn finding_lines(report: &serde_json::Value) -> Vec<String> {
    let mut lines: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {} {} {}", f["rule_id"], f["resource"]["arn"], f["outcome"], f["message"]))
        .collect();
    lines.sort();
    lines
}

/// The entries of `scan.incomplete` about resources whose ARN contains `resource`.
fn gaps_about<'a>(report: &'a serde_json::Value, resource: &str) -> Vec<&'a serde_json::Value> {
    report["scan"]["incomplete"].as_array().unwrap().iter().filter(|g| g["resource"].as_str().unwrap_or("").contains(resource)).collect()
}

/// `scan.incomplete` as (api, reason) pairs.
fn gaps(report: &serde_json::Value) -> Vec<(String, String)> {
    report["scan"]["incomplete"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["api"].as_str().unwrap().to_owned(), g["reason"].as_str().unwrap().to_owned()))
        .collect()
}

/// A scan of a healthy account misses nothing (the endpoint answers CloudTrail Lake too: the
/// accounts here have no event data store).
fn assert_complete(report: &serde_json::Value) {
    assert_eq!(gaps(report), Vec::<(String, String)>::new(), "{}", report["scan"]["incomplete"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_account_scan_finds_what_was_seeded_and_only_reads() {
    let endpoint = Endpoint::start();
    seed_one_account(&endpoint).await;
    endpoint.control("POST", "/_trailwarden/calls/reset");

    let (code, report) = scan_async(&endpoint, &["--regions", "us-east-1,eu-west-1", "--fail-on", "never"]).await;
    assert_eq!(code, Some(0));
    assert_eq!(report["scan"]["source"], "live");
    assert_eq!(report["scan"]["accounts"], serde_json::json!(["123456789012"]));
    assert_eq!(report["scan"]["regions"], serde_json::json!(["eu-west-1", "us-east-1"]));
    assert_complete(&report);

    // The multi-Region trail is listed in both regions but judged once.
    assert_eq!(outcome(&report, "CT-IS-LOGGING", "trail/main"), ["pass"]);
    assert_eq!(outcome(&report, "CT-IS-LOGGING", "trail/local"), ["fail"]);
    assert_eq!(outcome(&report, "CT-LOG-FILE-VALIDATION", "trail/main"), ["pass"]);
    assert_eq!(outcome(&report, "CT-LOG-FILE-VALIDATION", "trail/local"), ["fail"]);
    assert_eq!(outcome(&report, "CT-MULTI-REGION", "123456789012"), ["pass"]);
    assert_eq!(outcome(&report, "CT-BUCKET-VERSIONING", "live-logs"), ["pass"]);
    assert_eq!(outcome(&report, "CT-REGION-COVERAGE", "eu-west-1"), ["pass"]);

    let calls = endpoint.calls();
    let operations: std::collections::BTreeSet<&str> = calls.iter().map(|c| c["operation"].as_str().unwrap_or("?")).collect();
    assert!(operations.contains("DescribeTrails") && operations.contains("GetTrailStatus"), "{operations:?}");
    // Trail details are read once per trail, in its home region, however many regions list it.
    let status_reads = calls.iter().filter(|c| c["operation"] == "GetTrailStatus").count();
    assert_eq!(status_reads, 2, "one GetTrailStatus per trail");
    assert_read_only_and_allowed(&calls);
}

/// Without --regions the scan covers the account's enabled regions (account:ListRegions).
#[tokio::test(flavor = "multi_thread")]
async fn a_scan_without_regions_covers_every_enabled_region() {
    let endpoint = Endpoint::start();
    seed_one_account(&endpoint).await;
    endpoint.control("POST", "/_trailwarden/calls/reset");
    let (code, report) = scan_async(&endpoint, &["--fail-on", "never"]).await;
    assert_eq!(code, Some(0));
    let regions = report["scan"]["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 17, "the regions enabled by default: {regions:?}");
    // The single-Region trail in eu-west-1 does not cover the other 16 regions, but the
    // multi-Region trail does: every region is covered.
    let coverage: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "CT-REGION-COVERAGE")
        .map(|f| f["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(coverage, vec!["pass"; 17]);
    assert_read_only_and_allowed(&endpoint.calls());
}

/// An organization as AWS recommends it: the organization trail in the management account,
/// its bucket in a log-archive member account, CloudTrail administration delegated to an
/// audit account, and a workload account with no trail of its own.
struct Organization {
    management: String,
    log_archive: String,
    audit: String,
    workload: String,
}

async fn seed_organization(endpoint: &Endpoint) -> Organization {
    use aws_sdk_organizations::types::OrganizationFeatureSet;
    let management = endpoint.sdk("us-east-1").await;
    let orgs = aws_sdk_organizations::Client::new(&management);
    orgs.create_organization().feature_set(OrganizationFeatureSet::All).send().await.unwrap();
    let mut members = Vec::new();
    for name in ["log-archive", "audit", "workload"] {
        let created = orgs.create_account().account_name(name).email(format!("{name}@example.com")).send().await.unwrap();
        members.push(created.create_account_status.and_then(|s| s.account_id).expect("moto creates the account at once"));
    }
    let org = Organization {
        management: "123456789012".to_owned(),
        log_archive: members[0].clone(),
        audit: members[1].clone(),
        workload: members[2].clone(),
    };
    // Units as a landing zone lays them out: the log archive and audit accounts under
    // Security, the workload under Workloads/Prod, the management account at the root.
    let root = orgs.list_roots().send().await.unwrap().roots.unwrap().remove(0).id.unwrap();
    let unit = |parent: String, name: &'static str| {
        let orgs = orgs.clone();
        async move { orgs.create_organizational_unit().parent_id(parent).name(name).send().await.unwrap().organizational_unit.unwrap().id.unwrap() }
    };
    let security = unit(root.clone(), "Security").await;
    let workloads = unit(root.clone(), "Workloads").await;
    let prod = unit(workloads, "Prod").await;
    for (account, unit) in [(&org.log_archive, &security), (&org.audit, &security), (&org.workload, &prod)] {
        orgs.move_account().account_id(account).source_parent_id(&root).destination_parent_id(unit).send().await.unwrap();
    }
    orgs.enable_aws_service_access().service_principal("cloudtrail.amazonaws.com").send().await.unwrap();
    endpoint.control_json(
        "/_trailwarden/organizations/delegated-administrators",
        serde_json::json!({"account_id": org.audit, "service_principal": "cloudtrail.amazonaws.com"}),
    );

    // The central bucket, owned by the log-archive account, open to CloudTrail only.
    let archive = s3_client(&endpoint.sdk_as(&org.log_archive, "us-east-1").await);
    create_versioned_bucket(&archive, "org-trail-logs").await;
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::org-trail-logs"},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::org-trail-logs/AWSLogs/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}
        ]
    });
    archive.put_bucket_policy().bucket("org-trail-logs").policy(policy.to_string()).send().await.unwrap();

    let trails = aws_sdk_cloudtrail::Client::new(&management);
    trails
        .create_trail()
        .name("org-trail")
        .s3_bucket_name("org-trail-logs")
        .is_multi_region_trail(true)
        .is_organization_trail(true)
        .enable_log_file_validation(true)
        .send()
        .await
        .unwrap();
    trails.start_logging().name("org-trail").send().await.unwrap();
    org
}

#[tokio::test(flavor = "multi_thread")]
async fn organization_scan_judges_the_organization_trail_and_reads_the_bucket_as_its_owner() {
    let endpoint = Endpoint::start();
    let org = seed_organization(&endpoint).await;
    endpoint.control("POST", "/_trailwarden/calls/reset");

    let (code, report) = scan_async(&endpoint, &["--org", "--regions", "us-east-1,eu-west-1", "--fail-on", "never"]).await;
    assert_eq!(code, Some(0));
    let mut expected = vec![org.management.clone(), org.log_archive.clone(), org.audit.clone(), org.workload.clone()];
    expected.sort();
    assert_eq!(report["scan"]["accounts"], serde_json::json!(expected));
    assert_complete(&report);

    assert_eq!(outcome(&report, "CT-ORG-TRAIL", "organization"), ["pass"]);
    assert_eq!(outcome(&report, "CT-ORG-DELEGATED-ADMIN", "organization"), ["pass"]);
    // Every account is recorded by the organization trail, which it inherits.
    for account in [&org.management, &org.log_archive, &org.audit, &org.workload] {
        let multi_region: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "CT-MULTI-REGION" && f["resource"]["account"] == account.as_str())
            .collect();
        assert_eq!(multi_region.len(), 1, "one CT-MULTI-REGION finding for {account}");
        assert_eq!(multi_region[0]["outcome"], "pass", "{}", multi_region[0]);
        assert!(multi_region[0]["message"].as_str().unwrap().contains("org-trail"), "{}", multi_region[0]["message"]);
    }
    // The trail is one trail, judged once, and its bucket is in another account.
    assert_eq!(outcome(&report, "CT-IS-LOGGING", "trail/org-trail"), ["pass"]);
    assert_eq!(outcome(&report, "CT-BUCKET-SEPARATE-ACCOUNT", "trail/org-trail"), ["pass"]);
    // The bucket was readable, so no bucket rule is left inconclusive.
    assert_eq!(outcome(&report, "CT-BUCKET-VERSIONING", "org-trail-logs"), ["pass"]);
    for f in report["findings"].as_array().unwrap().iter().filter(|f| f["resource"]["kind"] == "bucket") {
        assert_ne!(f["outcome"], "inconclusive", "{f}");
    }

    // Bucket facts are read once, with the bucket owner's credentials.
    let calls = endpoint.calls();
    let bucket_reads: Vec<&serde_json::Value> =
        calls.iter().filter(|c| c["path"].as_str().unwrap_or("").starts_with("/org-trail-logs") && c["service"] == "s3").collect();
    assert!(!bucket_reads.is_empty());
    for call in &bucket_reads {
        assert_eq!(call["account"], org.log_archive.as_str(), "{call}");
    }
    let versioning_reads = bucket_reads.iter().filter(|c| c["operation"] == "GetBucketVersioning").count();
    assert_eq!(versioning_reads, 1);
    // Each member is read with the role assumed in it.
    for member in [&org.log_archive, &org.audit, &org.workload] {
        assert!(calls.iter().any(|c| c["account"] == member.as_str() && c["operation"] == "DescribeTrails"), "{member} was not read");
    }
    // The role is assumed once per member, however many regions and clients read it.
    let assumed: Vec<&str> = calls.iter().filter(|c| c["operation"] == "AssumeRole").map(|c| c["account"].as_str().unwrap_or("?")).collect();
    eprintln!("AssumeRole calls: {assumed:?}");
    assert_eq!(assumed.len(), 3, "AssumeRole calls: {assumed:?}");
    // Alerting on trail changes is read only where an account homes a trail of its own: the
    // organization trail's home region of the management account.
    for op in ["ListRules", "DescribeMetricFilters", "DescribeAlarms"] {
        let places: Vec<(&str, &str)> = calls
            .iter()
            .filter(|c| c["operation"] == op)
            .map(|c| (c["account"].as_str().unwrap_or("?"), c["region"].as_str().unwrap_or("?")))
            .collect();
        assert_eq!(places, [(org.management.as_str(), "us-east-1")], "{op}");
    }
    assert_eq!(outcome(&report, "CT-TAMPER-ALERTS", &format!("us-east-1:{}:", org.management)), ["fail"]);
    assert_eq!(outcome(&report, "CT-TAMPER-ALERTS", &format!("eu-west-1:{}:", org.workload)), ["not_applicable"]);
    assert_read_only_and_allowed(&calls);
}

/// A trail that delivers to a bucket of an account outside the scan: the scanner may not read
/// the bucket, so the bucket's rules are inconclusive, the gap is reported, and
/// --fail-on-incomplete turns it into exit code 3.
/// The SDK's shared credentials cache holds 64 credential sources; an organization with more
/// members than that must still assume each member's role once, not again whenever another
/// member's credentials pushed its own out.
#[tokio::test(flavor = "multi_thread")]
async fn an_organization_of_more_members_than_the_sdks_credential_cache_assumes_each_role_once() {
    const MEMBERS: usize = 80;
    let endpoint = Endpoint::start();
    let orgs = aws_sdk_organizations::Client::new(&endpoint.sdk("us-east-1").await);
    orgs.create_organization().feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All).send().await.unwrap();
    for i in 0..MEMBERS {
        let name = format!("member-{i}");
        orgs.create_account().account_name(&name).email(format!("{name}@example.com")).send().await.unwrap();
    }
    endpoint.control("POST", "/_trailwarden/calls/reset");

    let (code, report) = scan_async(&endpoint, &["--org", "--regions", "us-east-1", "--fail-on", "never"]).await;
    assert_eq!(code, Some(0));
    assert_eq!(report["scan"]["accounts"].as_array().map(Vec::len), Some(MEMBERS + 1), "{}", report["scan"]);
    let calls = endpoint.calls();
    let assumed = calls.iter().filter(|c| c["operation"] == "AssumeRole").count();
    assert_eq!(assumed, MEMBERS, "one AssumeRole per member");
    // Each AssumeRole hands out new keys: a member read with the keys of one role session only.
    let mut keys: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> = Default::default();
    for call in calls.iter().filter(|c| c["account"] != "123456789012") {
        keys.entry(call["account"].as_str().unwrap_or("?")).or_default().insert(call["access_key"].as_str().unwrap_or("?"));
    }
    assert_eq!(keys.len(), MEMBERS, "every member was read");
    for (account, sessions) in &keys {
        assert_eq!(sessions.len(), 1, "member {account} was read with {} role sessions", sessions.len());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_the_scanner_may_not_read_is_inconclusive_and_the_scan_incomplete() {
    let endpoint = Endpoint::start();
    let outsider = s3_client(&endpoint.sdk_as("210987654321", "us-east-1").await);
    create_versioned_bucket(&outsider, "partner-logs").await;
    let trails = aws_sdk_cloudtrail::Client::new(&endpoint.sdk("us-east-1").await);
    trails.create_trail().name("to-partner").s3_bucket_name("partner-logs").is_multi_region_trail(true).send().await.unwrap();
    trails.start_logging().name("to-partner").send().await.unwrap();
    endpoint.control("POST", "/_trailwarden/calls/reset");

    let args = ["--regions", "us-east-1", "--fail-on", "never"];
    let (code, report) = scan_async(&endpoint, &args).await;
    assert_eq!(code, Some(0), "an incomplete scan alone does not fail without --fail-on-incomplete");
    let bucket_findings: Vec<&serde_json::Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["resource"]["kind"] == "bucket").collect();
    assert!(bucket_findings.len() >= 8, "every bucket rule judges the bucket: {bucket_findings:?}");
    for f in &bucket_findings {
        assert_eq!(f["outcome"], "inconclusive", "{f}");
    }
    let bucket_gaps = gaps_about(&report, "partner-logs");
    assert!(!bucket_gaps.is_empty(), "{}", report["scan"]["incomplete"]);
    for g in &bucket_gaps {
        assert_eq!(g["reason"], "access_denied", "{g}");
        assert!(g["api"].as_str().unwrap().starts_with("s3:"), "{g}");
    }
    // The trail itself was readable and is judged.
    assert_eq!(outcome(&report, "CT-IS-LOGGING", "trail/to-partner"), ["pass"]);

    let (code, _) = scan_async(&endpoint, &["--regions", "us-east-1", "--fail-on", "never", "--fail-on-incomplete"]).await;
    assert_eq!(code, Some(3));
    assert_read_only_and_allowed(&endpoint.calls());
}

/// Throttling is retried: with every 4th call throttled the scan finds exactly what it finds
/// without throttling, and reports nothing missing.
#[tokio::test(flavor = "multi_thread")]
async fn every_fourth_call_throttled_gives_the_same_findings() {
    let endpoint = Endpoint::start();
    seed_one_account(&endpoint).await;
    let args = ["--regions", "us-east-1,eu-west-1", "--fail-on", "never"];
    let (_, clean) = scan_async(&endpoint, &args).await;

    endpoint.control("POST", "/_trailwarden/calls/reset");
    endpoint.control_json("/_trailwarden/faults", serde_json::json!({"throttle_every": 4}));
    let (code, throttled) = scan_async(&endpoint, &args).await;
    assert_eq!(code, Some(0));
    let calls = endpoint.calls();
    let faults = calls.iter().filter(|c| c["fault"] == "throttle").count();
    assert!(faults * 4 >= calls.len() - 3, "every 4th call was throttled: {faults} of {}", calls.len());
    assert_eq!(finding_lines(&throttled), finding_lines(&clean));
    assert_eq!(gaps(&throttled), gaps(&clean));
    assert_complete(&throttled);
    assert_read_only_and_allowed(&calls);
}

/// One service failing (S3 answering 500 to everything): its facts are inconclusive and
/// reported missing, everything else is judged as without the failure.
#[tokio::test(flavor = "multi_thread")]
async fn a_failing_service_leaves_only_its_facts_inconclusive() {
    let endpoint = Endpoint::start();
    seed_one_account(&endpoint).await;
    endpoint.control("POST", "/_trailwarden/calls/reset");
    let args = ["--regions", "us-east-1,eu-west-1", "--fail-on", "never"];
    let (_, clean) = scan_async(&endpoint, &args).await;

    endpoint.control_json("/_trailwarden/faults", serde_json::json!({"fail_service": "s3", "fail_status": 500}));
    let (code, failing) = scan_async(&endpoint, &args).await;
    assert_eq!(code, Some(0));
    let missing = gaps(&failing);
    let bucket_gaps = gaps_about(&failing, "live-logs");
    assert!(!bucket_gaps.is_empty(), "the bucket's facts are missing: {missing:?}");
    for (api, reason) in &missing {
        assert!(api.starts_with("s3:") || api.starts_with("s3control:"), "only S3 facts are missing: {api}");
        assert_eq!(reason, "error");
    }
    assert_eq!(outcome(&failing, "CT-BUCKET-VERSIONING", "live-logs"), ["inconclusive"]);
    // Trail findings that read no S3 fact are unchanged.
    for rule in ["CT-IS-LOGGING", "CT-LOG-FILE-VALIDATION", "CT-MULTI-REGION", "CT-REGION-COVERAGE"] {
        let lines = |r: &serde_json::Value| finding_lines(r).into_iter().filter(|l| l.starts_with(&format!("\"{rule}\""))).collect::<Vec<_>>();
        assert_eq!(lines(&failing), lines(&clean), "{rule}");
    }
    assert_read_only_and_allowed(&endpoint.calls());
}

/// A scan reads only what its rules need: with one trail rule enabled, no bucket, monitoring,
/// IAM or Organizations calls are made, the rule's findings are those of a full scan, and the
/// facts left unread are not reported as missing.
#[tokio::test(flavor = "multi_thread")]
async fn a_scan_makes_only_the_calls_its_rules_need() {
    let endpoint = Endpoint::start();
    seed_one_account(&endpoint).await;
    endpoint.control("POST", "/_trailwarden/calls/reset");
    let args = ["--regions", "us-east-1,eu-west-1", "--fail-on", "never"];
    let (_, full) = scan_async(&endpoint, &args).await;
    let full_calls = endpoint.calls().len();

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("trailwarden.yaml");
    std::fs::write(&config, "enabled_rules: [CT-IS-LOGGING]\n").unwrap();
    let snapshot = dir.path().join("snapshot.json");
    endpoint.control("POST", "/_trailwarden/calls/reset");
    let (code, narrow) = scan_async(
        &endpoint,
        &[
            "--regions",
            "us-east-1,eu-west-1",
            "--fail-on",
            "never",
            "--config",
            config.to_str().unwrap(),
            "--save-snapshot",
            snapshot.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code, Some(0));
    let calls = endpoint.calls();
    let operations: std::collections::BTreeSet<&str> = calls.iter().map(|c| c["operation"].as_str().unwrap_or("?")).collect();
    let expected: std::collections::BTreeSet<&str> =
        ["GetCallerIdentity", "DescribeOrganization", "ListRegions", "DescribeTrails", "GetTrailStatus", "ListBuckets", "HeadBucket"].into();
    assert_eq!(operations, expected, "calls of a CT-IS-LOGGING-only scan");
    assert!(calls.len() * 2 < full_calls, "{} calls, against {full_calls} for the full pack", calls.len());

    let lines = |r: &serde_json::Value| finding_lines(r).into_iter().filter(|l| l.starts_with("\"CT-IS-LOGGING\"")).collect::<Vec<_>>();
    assert_eq!(finding_lines(&narrow), lines(&full));
    assert_eq!(gaps(&narrow), Vec::<(String, String)>::new(), "nothing the scan needed is missing");

    // The snapshot says which facts were left unread, so a later scan with more rules is
    // inconclusive on them instead of judging them absent.
    let (_, later) = scan_snapshot(&snapshot).await;
    assert_eq!(outcome(&later, "CT-BUCKET-VERSIONING", "live-logs"), ["inconclusive"]);
    assert_eq!(outcome(&later, "CT-IS-LOGGING", "trail/main"), ["pass"]);
    let message = later["findings"].as_array().unwrap().iter().find(|f| f["rule_id"] == "CT-BUCKET-VERSIONING").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("not_collected"), "{message}");
    assert_read_only_and_allowed(&endpoint.calls());
}

/// `collect` writes the snapshot a live scan would evaluate, reading every fact (its snapshot
/// may be judged with any rules later): scanning that snapshot gives the live scan's findings.
#[tokio::test(flavor = "multi_thread")]
async fn collect_writes_a_snapshot_that_scans_like_the_live_account() {
    let endpoint = Endpoint::start();
    seed_one_account(&endpoint).await;
    let args = ["--regions", "us-east-1,eu-west-1", "--fail-on", "never"];
    let (_, live) = scan_async(&endpoint, &args).await;

    endpoint.control("POST", "/_trailwarden/calls/reset");
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("inventory.json");
    let output = run(Some(&endpoint), &["collect", "--quiet", "--regions", "us-east-1,eu-west-1", "--output", snapshot.to_str().unwrap()]).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let calls = endpoint.calls();
    assert_read_only_and_allowed_by(&calls, &trailwarden_core::iam::collect_policy());
    assert!(calls.iter().any(|c| c["operation"] == "ListTags"), "collect reads trail tags");
    // Everything is read, in every region: alerting facts too, where no trail is homed.
    for op in ["ListRules", "DescribeMetricFilters", "DescribeAlarms"] {
        let regions: std::collections::BTreeSet<&str> =
            calls.iter().filter(|c| c["operation"] == op).map(|c| c["region"].as_str().unwrap_or("?")).collect();
        assert_eq!(regions, ["eu-west-1", "us-east-1"].into(), "{op}");
    }
    let inventory: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    assert_eq!(inventory["schema_version"], 3);
    assert!(!inventory.to_string().contains("not_collected"), "collect reads every fact");
    let main = inventory["accounts"][0]["trails"].as_array().unwrap().iter().find(|t| t["name"] == "main").unwrap();
    assert_eq!(main["tags"], serde_json::json!({"value": {"owner": "security-engineering"}}));

    let (code, from_snapshot) = scan_snapshot(&snapshot).await;
    assert_eq!(code, Some(0));
    assert_eq!(from_snapshot["scan"]["source"], "snapshot");
    assert_eq!(finding_lines(&from_snapshot), finding_lines(&live));
}

/// The AWS error codes that say the credentials were not accepted or the Region was the wrong
/// one are reported as such, not as access denied or a plain error: the reason reaches
/// `scan.incomplete` and the findings' messages, with the code and message AWS sent.
/// UnrecognizedClientException is what a JSON service answers a Region the account has not
/// enabled, or unknown credentials; AuthorizationHeaderMalformed is S3's answer to a request
/// signed for another Region than the bucket's.
#[tokio::test(flavor = "multi_thread")]
async fn credential_and_region_errors_are_reported_as_what_they_are() {
    let endpoint = Endpoint::start();
    seed_one_account(&endpoint).await;
    let args = ["--regions", "us-east-1", "--fail-on", "never"];

    let fault = serde_json::json!({"fail_service": "cloudtrail", "fail_status": 400, "fail_code": "UnrecognizedClientException"});
    endpoint.control_json("/_trailwarden/faults", fault);
    let (_, report) = scan_async(&endpoint, &args).await;
    let refused: Vec<&serde_json::Value> =
        report["scan"]["incomplete"].as_array().unwrap().iter().filter(|g| g["api"].as_str().unwrap().starts_with("cloudtrail:")).collect();
    assert!(!refused.is_empty(), "{}", report["scan"]["incomplete"]);
    for g in &refused {
        assert_eq!(g["reason"], "credentials_rejected", "{g}");
        assert!(g["detail"].as_str().unwrap().contains("UnrecognizedClientException"), "{g}");
    }
    let inconclusive = report["findings"].as_array().unwrap().iter().filter(|f| f["outcome"] == "inconclusive");
    assert!(inconclusive.clone().count() > 0);
    assert!(inconclusive.clone().any(|f| f["message"].as_str().unwrap().contains("credentials_rejected")), "{}", report["findings"]);

    let fault = serde_json::json!({"fail_service": "s3", "fail_status": 400, "fail_code": "AuthorizationHeaderMalformed"});
    endpoint.control_json("/_trailwarden/faults", fault);
    let (_, report) = scan_async(&endpoint, &args).await;
    let bucket_gaps = gaps_about(&report, "live-logs");
    assert!(!bucket_gaps.is_empty(), "{}", report["scan"]["incomplete"]);
    for g in report["scan"]["incomplete"].as_array().unwrap().iter().filter(|g| g["api"].as_str().unwrap().starts_with("s3")) {
        assert_eq!(g["reason"], "wrong_region", "{g}");
        assert!(g["detail"].as_str().unwrap().contains("AuthorizationHeaderMalformed"), "{g}");
    }
}

/// A member account whose role check failed through a service fault (STS answering 503 to
/// every AssumeRole, past the retries) is an error of the scan, not "AccessDenied
/// sts:AssumeRole": nothing refused the role.
#[tokio::test(flavor = "multi_thread")]
async fn a_member_whose_role_check_failed_for_a_fault_is_not_access_denied() {
    let endpoint = Endpoint::start();
    let org = seed_organization(&endpoint).await;
    let fault = serde_json::json!({"fail_service": "sts", "fail_operation": "AssumeRole", "fail_status": 503});
    endpoint.control_json("/_trailwarden/faults", fault);
    let (_, report) = scan_async(&endpoint, &["--org", "--regions", "us-east-1", "--fail-on", "never"]).await;
    for member in [&org.log_archive, &org.audit, &org.workload] {
        let gaps = gaps_about(&report, &format!("Account:{member}"));
        assert_eq!(gaps.len(), 1, "{}", report["scan"]["incomplete"]);
        assert_eq!(gaps[0]["api"], "sts:AssumeRole", "{}", gaps[0]);
        assert_eq!(gaps[0]["reason"], "error", "{}", gaps[0]);
        assert!(gaps[0]["detail"].as_str().unwrap().contains("ServiceUnavailable"), "{}", gaps[0]);
    }
    // The role that is refused is still access denied.
    let fault = serde_json::json!({"fail_service": "sts", "fail_operation": "AssumeRole", "fail_status": 403});
    endpoint.control_json("/_trailwarden/faults", fault);
    let (_, report) = scan_async(&endpoint, &["--org", "--regions", "us-east-1", "--fail-on", "never"]).await;
    let gaps = gaps_about(&report, &format!("Account:{}", org.workload));
    assert_eq!(gaps.len(), 1, "{}", report["scan"]["incomplete"]);
    assert_eq!((gaps[0]["api"].as_str(), gaps[0]["reason"].as_str()), (Some("sts:AssumeRole"), Some("access_denied")), "{}", gaps[0]);
}

/// No credentials anywhere in the chain: the scan stops before any call, with a readable cause
/// and what to do, not the SDK's debug dump of nested error structures.
#[tokio::test(flavor = "multi_thread")]
async fn missing_credentials_are_explained_in_words() {
    let endpoint = Endpoint::start();
    let home = tempfile::tempdir().unwrap();
    let url = endpoint.url.clone();
    let home_path = home.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        let mut command = Command::cargo_bin("trailwarden").unwrap();
        command
            .args(["scan", "--quiet", "--regions", "us-east-1"])
            .env("AWS_ENDPOINT_URL", url)
            .env("AWS_REGION", "us-east-1")
            .env("HOME", &home_path)
            .env("AWS_CONFIG_FILE", home_path.join("no-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home_path.join("no-credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for var in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_ARN",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ] {
            command.env_remove(var);
        }
        command.output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("no credentials found"), "{stderr}");
    assert!(stderr.contains("set AWS_PROFILE"), "{stderr}");
    for debug in ["CredentialsNotLoaded {", "source:", "ConstructionFailure", "DispatchFailure"] {
        assert!(!stderr.contains(debug), "the SDK's debug output ({debug}) reached the user: {stderr}");
    }
    assert!(endpoint.calls().is_empty(), "nothing was sent without credentials");
}

/// A trail whose KMS key is kept in another scanned account (the log-archive account): the
/// key is read as its owner, who can describe it, not as the trail's owner, whom the default
/// key policy does not let in.
#[tokio::test(flavor = "multi_thread")]
async fn a_kms_key_of_another_scanned_account_is_read_as_its_owner() {
    let endpoint = Endpoint::start();
    let org = seed_organization(&endpoint).await;
    let kms = aws_sdk_kms::Client::new(&endpoint.sdk_as(&org.log_archive, "us-east-1").await);
    let key = kms.create_key().description("organization trail logs").send().await.unwrap();
    let key_arn = key.key_metadata().unwrap().arn().unwrap().to_owned();
    assert!(key_arn.contains(&org.log_archive), "{key_arn}");
    let trails = aws_sdk_cloudtrail::Client::new(&endpoint.sdk("us-east-1").await);
    trails.update_trail().name("org-trail").kms_key_id(&key_arn).send().await.unwrap();
    endpoint.control("POST", "/_trailwarden/calls/reset");

    let (_, report) = scan_async(&endpoint, &["--org", "--regions", "us-east-1", "--fail-on", "never"]).await;
    assert_eq!(gaps_about(&report, &key_arn), Vec::<&serde_json::Value>::new(), "{}", report["scan"]["incomplete"]);
    let reads: Vec<serde_json::Value> = endpoint.calls().into_iter().filter(|c| c["operation"] == "DescribeKey").collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["account"], org.log_archive.as_str(), "{}", reads[0]);
    assert_read_only_and_allowed(&endpoint.calls());
}

/// account:ListRegions refused (an SCP denying `account:*`, or an audit role older than the
/// action): the scan covers the partition's Regions enabled by default instead of shrinking to
/// the configured Region, records the gap, and says so on the terminal.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_region_list_falls_back_to_the_default_regions_and_says_so() {
    let endpoint = Endpoint::start();
    seed_one_account(&endpoint).await;
    endpoint.control_json("/_trailwarden/faults", serde_json::json!({"fail_service": "account", "fail_status": 403}));
    let output = run(Some(&endpoint), &["scan", "--quiet", "--json", "-", "--fail-on", "never"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("no JSON report ({e}); stderr: {stderr}"));
    let regions = report["scan"]["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 17, "the Regions enabled by default in the aws partition: {regions:?}");
    assert!(gaps(&report).contains(&("account:ListRegions".to_owned(), "access_denied".to_owned())), "{}", report["scan"]["incomplete"]);
    assert!(stderr.contains("account:ListRegions") && stderr.contains("enabled by default"), "{stderr}");
}

/// The calls global to an account go to the partition's default Region, not to the configured
/// one, which may be an opt-in Region that a member has not enabled: STS for AssumeRole and the
/// role check, S3 ListBuckets, S3 Control's account Block Public Access, account:ListRegions.
/// With credentials of each partition (the endpoint answers in the partition of the Region a
/// request is signed for): us-east-1, cn-north-1, us-gov-west-1; never us-east-1 for aws-cn or
/// aws-us-gov.
#[tokio::test(flavor = "multi_thread")]
async fn account_wide_calls_go_to_the_partitions_default_region() {
    let endpoint = Endpoint::start();
    let org = seed_organization(&endpoint).await;
    endpoint.control("POST", "/_trailwarden/calls/reset");
    let output =
        run_in(Some(&endpoint), "ap-east-1", &["scan", "--quiet", "--json", "-", "--org", "--regions", "us-east-1", "--fail-on", "never"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let calls = endpoint.calls();
    let role_checks: Vec<&serde_json::Value> = calls
        .iter()
        .filter(|c| c["operation"] == "AssumeRole" || (c["operation"] == "GetCallerIdentity" && c["account"] == org.workload.as_str()))
        .collect();
    assert!(role_checks.len() >= 4, "{role_checks:?}");
    for call in role_checks {
        assert_eq!(call["region"], "us-east-1", "{call}");
    }

    for (configured, global, partition) in
        [("ap-east-1", "us-east-1", "aws"), ("cn-northwest-1", "cn-north-1", "aws-cn"), ("us-gov-east-1", "us-gov-west-1", "aws-us-gov")]
    {
        endpoint.control("POST", "/_trailwarden/calls/reset");
        let output = run_in(Some(&endpoint), configured, &["collect", "--quiet", "--output", "-"]).await;
        assert!(output.status.success(), "{configured}: {}", String::from_utf8_lossy(&output.stderr));
        let inventory: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(inventory["partition"], partition);
        let calls = endpoint.calls();
        for op in ["ListBuckets", "GetPublicAccessBlock", "ListRegions"] {
            let regions: std::collections::BTreeSet<&str> = calls
                .iter()
                .filter(|c| c["operation"] == op && (op != "GetPublicAccessBlock" || c["api"] == "s3control"))
                .map(|c| c["region"].as_str().unwrap_or("?"))
                .collect();
            assert_eq!(regions, [global].into(), "{configured}: {op}");
        }
    }
}

/// A log bucket of an account outside the scan, in another Region than the scan's, whose
/// policy lets the scanner read it. GetBucketLocation through the scan Region's endpoint is
/// refused (a bucket policy applies to it only in the bucket's Region); HeadBucket names the
/// Region in x-amz-bucket-region, and the bucket is then read through its own Region: its
/// facts are judged, not left unreadable.
#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_of_another_account_in_another_region_is_located_and_read() {
    let endpoint = Endpoint::start();
    let partner = s3_client(&endpoint.sdk_as("210987654321", "eu-west-1").await);
    partner
        .create_bucket()
        .bucket("partner-archive")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder().location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1).build(),
        )
        .send()
        .await
        .unwrap();
    partner
        .put_bucket_versioning()
        .bucket("partner-archive")
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder().status(aws_sdk_s3::types::BucketVersioningStatus::Enabled).build(),
        )
        .send()
        .await
        .unwrap();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AuditorReads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": ["s3:Get*", "s3:ListBucket"], "Resource": ["arn:aws:s3:::partner-archive", "arn:aws:s3:::partner-archive/*"]},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::partner-archive/AWSLogs/*"}
        ]
    });
    partner.put_bucket_policy().bucket("partner-archive").policy(policy.to_string()).send().await.unwrap();
    let trails = aws_sdk_cloudtrail::Client::new(&endpoint.sdk("us-east-1").await);
    trails.create_trail().name("to-partner").s3_bucket_name("partner-archive").is_multi_region_trail(true).send().await.unwrap();
    trails.start_logging().name("to-partner").send().await.unwrap();
    endpoint.control("POST", "/_trailwarden/calls/reset");

    // The scan covers the bucket's Region too: findings are reported for the scanned Regions.
    let (_, report) = scan_async(&endpoint, &["--regions", "us-east-1,eu-west-1", "--fail-on", "never"]).await;
    for g in gaps_about(&report, "partner-archive") {
        // Only who owns it is unknown: its owner is not scanned.
        assert_eq!(g["api"], "s3:ListBuckets", "{g}");
    }
    assert_eq!(outcome(&report, "CT-BUCKET-VERSIONING", "partner-archive"), ["pass"]);
    let calls = endpoint.calls();
    let versioning: Vec<&serde_json::Value> = calls.iter().filter(|c| c["operation"] == "GetBucketVersioning").collect();
    assert_eq!(versioning.len(), 1, "{versioning:?}");
    assert_eq!(versioning[0]["region"], "eu-west-1", "read through the bucket's Region: {}", versioning[0]);
    assert_read_only_and_allowed(&calls);
}

/// The organization trail seen from member accounts, its owner (the management account) not
/// scanned: the CloudTrail delegated administrator reads it. When the administrator's
/// GetEventSelectors fails, the members listing the trail read it as a fallback, and the
/// endpoint refuses them as AWS does (a member may read the trail's status by its ARN, not its
/// selectors): the fact is unreadable and its message says as which accounts it was read.
#[tokio::test(flavor = "multi_thread")]
async fn an_organization_trail_read_from_members_says_whose_view_it_is() {
    let endpoint = Endpoint::start();
    let org = seed_organization(&endpoint).await;
    let fault =
        serde_json::json!({"fail_service": "cloudtrail", "fail_operation": "GetEventSelectors", "fail_account": org.audit, "fail_status": 403});
    endpoint.control_json("/_trailwarden/faults", fault);
    endpoint.control("POST", "/_trailwarden/calls/reset");
    let args = ["--org", "--exclude-accounts", org.management.as_str(), "--regions", "us-east-1", "--fail-on", "never"];
    let (code, report) = scan_async(&endpoint, &args).await;
    assert_eq!(code, Some(0));
    // The status, read by the delegated administrator, is judged.
    assert_eq!(outcome(&report, "CT-IS-LOGGING", "trail/org-trail"), ["pass"]);
    let selector_gaps: Vec<&serde_json::Value> =
        gaps_about(&report, "trail/org-trail").into_iter().filter(|g| g["api"] == "cloudtrail:GetEventSelectors").collect();
    assert!(!selector_gaps.is_empty(), "{}", report["scan"]["incomplete"]);
    for g in &selector_gaps {
        let detail = g["detail"].as_str().unwrap();
        assert!(detail.contains(&format!("read as {} (a CloudTrail delegated administrator)", org.audit)), "{g}");
        if g["account"] != org.audit.as_str() {
            assert!(detail.contains(&format!("read as {} (the account listing the trail)", g["account"].as_str().unwrap())), "{g}");
        }
    }
    let calls = endpoint.calls();
    let selector_reads: std::collections::BTreeSet<&str> =
        calls.iter().filter(|c| c["operation"] == "GetEventSelectors").map(|c| c["account"].as_str().unwrap_or("?")).collect();
    assert_eq!(selector_reads, [org.log_archive.as_str(), org.audit.as_str(), org.workload.as_str()].into());
    assert_read_only_and_allowed(&calls);
}

/// The organization collected in two parts, on two "machines", then merged: the parts are
/// disjoint, cover the organization, and the merged snapshot judges exactly like one whole
/// organization scan. Every finding names its account's organizational unit, and --ous and
/// --exclude-ous choose accounts by unit.
#[tokio::test(flavor = "multi_thread")]
async fn shards_merged_judge_like_the_whole_organization_and_units_choose_accounts() {
    let endpoint = Endpoint::start();
    let org = seed_organization(&endpoint).await;
    let (code, whole) = scan_async(&endpoint, &["--org", "--regions", "us-east-1", "--fail-on", "never"]).await;
    assert_eq!(code, Some(0));

    // Units: every finding about an account's resource carries its unit path.
    let unit_of = |account: &str| -> std::collections::BTreeSet<String> {
        whole["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["resource"]["account"] == account && f["resource"]["kind"] != "organization")
            .map(|f| f["resource"]["organizational_unit"].as_str().unwrap_or("(none)").to_owned())
            .collect()
    };
    assert_eq!(unit_of(&org.management), ["Root".to_owned()].into());
    assert_eq!(unit_of(&org.log_archive), ["Root/Security".to_owned()].into());
    assert_eq!(unit_of(&org.workload), ["Root/Workloads/Prod".to_owned()].into());

    let dir = tempfile::tempdir().unwrap();
    let mut parts = Vec::new();
    let mut held = Vec::new();
    for k in 1..=2 {
        let part = dir.path().join(format!("part-{k}.json"));
        let shard = format!("{k}/2");
        let output =
            run(Some(&endpoint), &["collect", "--quiet", "--org", "--shard", &shard, "--regions", "us-east-1", "--output", part.to_str().unwrap()])
                .await;
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let inventory: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&part).unwrap()).unwrap();
        assert_eq!(inventory["shard"], serde_json::json!({"index": k, "count": 2}));
        held.extend(inventory["accounts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()));
        parts.push(part);
    }
    // Disjoint and covering: each account in exactly one part.
    held.sort();
    let mut expected = vec![org.management.clone(), org.log_archive.clone(), org.audit.clone(), org.workload.clone()];
    expected.sort();
    assert_eq!(held, expected);

    let merged = dir.path().join("merged.json");
    let mut args = vec!["merge", "--output", merged.to_str().unwrap()];
    args.extend(parts.iter().rev().map(|p| p.to_str().unwrap()));
    let output = run(None, &args).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (_, from_parts) = scan_snapshot(&merged).await;
    assert_eq!(finding_lines(&from_parts), finding_lines(&whole));
    assert_eq!(from_parts["scan"]["accounts"], whole["scan"]["accounts"]);

    // One part alone is refused by merge, naming the missing part.
    let output = run(None, &["merge", "--output", merged.to_str().unwrap(), parts[0].to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("shard(s) 2/2 missing"), "{}", String::from_utf8_lossy(&output.stderr));

    // Choosing by unit: a unit and everything below it; a typo is an error, not an empty scan.
    let (_, workloads) = scan_async(&endpoint, &["--org", "--ous", "Root/Workloads", "--regions", "us-east-1", "--fail-on", "never"]).await;
    assert_eq!(workloads["scan"]["accounts"], serde_json::json!([org.workload]));
    let (_, not_security) = scan_async(&endpoint, &["--org", "--exclude-ous", "Root/Security", "--regions", "us-east-1", "--fail-on", "never"]).await;
    let mut rest = vec![org.management.clone(), org.workload.clone()];
    rest.sort();
    assert_eq!(not_security["scan"]["accounts"], serde_json::json!(rest));
    let output = run(Some(&endpoint), &["scan", "--quiet", "--org", "--ous", "Root/Workload"]).await;
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("--ous: no organizational unit `Root/Workload`") && err.contains("did you mean `Root/Workloads`?"), "{err}");
}

/// CloudTrail Lake as AWS authorizes it: GetEventDataStore is evaluated against each event data
/// store's ARN, so a policy can deny it on one store of a Region. That store stays listed and
/// only its own findings are inconclusive, naming GetEventDataStore and why; the other store
/// of the Region is judged as seeded; the account's Insights rule, which reads the Region's
/// stores, is decided by the store that was read; and the scan's only gap is the denied store's.
#[tokio::test(flavor = "multi_thread")]
async fn one_unreadable_event_data_store_leaves_only_its_own_findings_inconclusive() {
    let endpoint = Endpoint::start();
    let east = endpoint.sdk("us-east-1").await;
    let key = aws_sdk_kms::Client::new(&east).create_key().send().await.unwrap().key_metadata.unwrap().arn.unwrap();
    let lake = aws_sdk_cloudtrail::Client::new(&east);
    let insight_events = aws_sdk_cloudtrail::types::AdvancedEventSelector::builder()
        .field_selectors(aws_sdk_cloudtrail::types::AdvancedFieldSelector::builder().field("eventCategory").equals("Insight").build().unwrap())
        .build()
        .unwrap();
    let destination =
        lake.create_event_data_store().name("insights-lake").advanced_event_selectors(insight_events).kms_key_id(&key).send().await.unwrap();
    // audit-lake: a customer managed key (CT-LAKE-CMK passes), 90 days (CT-LAKE-RETENTION fails),
    // and both Insights types (CT-INSIGHTS passes on it).
    let audit = lake.create_event_data_store().name("audit-lake").kms_key_id(&key).retention_period(90).send().await.unwrap();
    let audit_arn = audit.event_data_store_arn().unwrap().to_owned();
    let insight = |kind: aws_sdk_cloudtrail::types::InsightType| aws_sdk_cloudtrail::types::InsightSelector::builder().insight_type(kind).build();
    lake.put_insight_selectors()
        .event_data_store(&audit_arn)
        .insights_destination(destination.event_data_store_arn().unwrap())
        .insight_selectors(insight(aws_sdk_cloudtrail::types::InsightType::ApiCallRateInsight))
        .insight_selectors(insight(aws_sdk_cloudtrail::types::InsightType::ApiErrorRateInsight))
        .send()
        .await
        .unwrap();
    // denied-lake: no key, which would fail CT-LAKE-CMK, but the scanner may not read it.
    let denied = lake.create_event_data_store().name("denied-lake").send().await.unwrap();
    let denied_arn = denied.event_data_store_arn().unwrap().to_owned();
    endpoint.control_json(
        "/_trailwarden/faults",
        serde_json::json!({"fail_service": "cloudtrail", "fail_operation": "GetEventDataStore", "fail_resource": denied_arn,
            "fail_status": 400, "fail_code": "AccessDeniedException"}),
    );
    endpoint.control("POST", "/_trailwarden/calls/reset");

    let (code, report) = scan_async(&endpoint, &["--regions", "us-east-1", "--fail-on", "never"]).await;
    assert_eq!(code, Some(0));
    let finding = |rule: &str, arn: &str| -> serde_json::Value {
        let found: Vec<&serde_json::Value> =
            report["findings"].as_array().unwrap().iter().filter(|f| f["rule_id"] == rule && f["resource"]["arn"] == arn).collect();
        assert_eq!(found.len(), 1, "one {rule} finding for {arn}: {found:?}");
        found[0].clone()
    };
    // The store that was read is judged as seeded.
    assert_eq!(finding("CT-LAKE-CMK", &audit_arn)["outcome"], "pass");
    assert_eq!(finding("CT-LAKE-RETENTION", &audit_arn)["outcome"], "fail");
    assert_eq!(finding("CT-LAKE-CMK", destination.event_data_store_arn().unwrap())["outcome"], "pass");
    // The denied store is listed, and inconclusive on what needs its configuration.
    for rule in ["CT-LAKE-CMK", "CT-LAKE-RETENTION"] {
        let f = finding(rule, &denied_arn);
        assert_eq!(f["outcome"], "inconclusive", "{f}");
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("event data store denied-lake"), "{message}");
        assert!(message.contains("access_denied on cloudtrail:GetEventDataStore: 400 AccessDeniedException"), "{message}");
    }
    // The account's rule over the Region's stores is decided by the store that was read.
    let insights = finding("CT-INSIGHTS", "AWS::::Account:123456789012");
    assert_eq!(insights["outcome"], "pass", "{insights}");
    assert!(insights["message"].as_str().unwrap().contains("Event data store audit-lake"), "{insights}");
    // The only gap is the denied store's configuration.
    let incomplete = report["scan"]["incomplete"].as_array().unwrap();
    assert_eq!(incomplete.len(), 1, "{incomplete:?}");
    assert_eq!(
        (incomplete[0]["api"].as_str(), incomplete[0]["resource"].as_str(), incomplete[0]["reason"].as_str()),
        (Some("cloudtrail:GetEventDataStore"), Some(denied_arn.as_str()), Some("access_denied"))
    );

    // Each store was read by its ARN, and only the denied store's read was refused.
    let calls = endpoint.calls();
    let gets: Vec<&serde_json::Value> = calls.iter().filter(|c| c["operation"] == "GetEventDataStore").collect();
    assert_eq!(gets.len(), 3, "{gets:?}");
    assert_eq!(gets.iter().filter(|c| c["fault"] == "fail").count(), 1);
    assert_read_only_and_allowed(&calls);
}
