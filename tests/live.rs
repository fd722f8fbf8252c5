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
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("the endpoint answers");
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default()
    }

    async fn sdk(&self, region: &str) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(aws_config::Region::new(region.to_owned()))
            .credentials_provider(aws_credential_types::Credentials::new("test", "test", None, None, "test"))
            .load()
            .await
    }

}

/// Runs a live scan of the endpoint at `url` with the binary; returns the exit code and report.
fn scan(url: &str, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    {
        let output = Command::cargo_bin("trailwarden")
            .unwrap()
            .args(["scan", "--quiet", "--json", "-"])
            .args(args)
            .env("AWS_ENDPOINT_URL", url)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap();
        let report = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("no JSON report ({e}); stderr: {}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code(), report)
    }
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
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&east).force_path_style(true).build());
    s3.create_bucket().bucket("live-logs").send().await.unwrap();
    s3.put_bucket_versioning()
        .bucket("live-logs")
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder().status(aws_sdk_s3::types::BucketVersioningStatus::Enabled).build(),
        )
        .send()
        .await
        .unwrap();
    let trails = aws_sdk_cloudtrail::Client::new(&east);
    trails.create_trail().name("main").s3_bucket_name("live-logs").is_multi_region_trail(true).enable_log_file_validation(true).send().await.unwrap();
    trails.start_logging().name("main").send().await.unwrap();
    let west = aws_sdk_cloudtrail::Client::new(&endpoint.sdk("eu-west-1").await);
    west.create_trail().name("local").s3_bucket_name("live-logs").send().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn one_account_scan_finds_what_was_seeded_and_only_reads() {
    let endpoint = Endpoint::start();
    seed_one_account(&endpoint).await;
    endpoint.control("POST", "/_trailwarden/calls/reset");

    let url = endpoint.url.clone();
    let (code, report) = tokio::task::spawn_blocking(move || scan(&url, &["--regions", "us-east-1,eu-west-1", "--fail-on", "never"])).await.unwrap();
    assert_eq!(code, Some(0));
    assert_eq!(report["scan"]["source"], "live");
    assert_eq!(report["scan"]["accounts"], serde_json::json!(["123456789012"]));

    // The multi-Region trail is listed in both regions but judged once.
    assert_eq!(outcome(&report, "CT-IS-LOGGING", "trail/main"), ["pass"]);
    assert_eq!(outcome(&report, "CT-IS-LOGGING", "trail/local"), ["fail"]);
    assert_eq!(outcome(&report, "CT-LOG-FILE-VALIDATION", "trail/main"), ["pass"]);
    assert_eq!(outcome(&report, "CT-LOG-FILE-VALIDATION", "trail/local"), ["fail"]);
    assert_eq!(outcome(&report, "CT-MULTI-REGION", "123456789012"), ["pass"]);
    assert_eq!(outcome(&report, "CT-BUCKET-VERSIONING", "live-logs"), ["pass"]);
    assert_eq!(outcome(&report, "CT-REGION-COVERAGE", "eu-west-1"), ["pass"]);

    // Read-only, proven at the endpoint: every call the scan made is a read.
    let calls: serde_json::Value = serde_json::from_str(&endpoint.control("GET", "/_trailwarden/calls")).expect("the call log is JSON");
    let operations: std::collections::BTreeSet<String> =
        calls.as_array().unwrap().iter().map(|c| c["operation"].as_str().unwrap_or("?").to_owned()).collect();
    assert!(operations.contains("DescribeTrails") && operations.contains("GetTrailStatus"), "{operations:?}");
    let reads = ["Get", "List", "Describe", "Head", "Lookup"];
    for op in &operations {
        assert!(reads.iter().any(|r| op.starts_with(r)) || op == "AssumeRole", "the scan called {op}, which is not a read");
    }

    // Every call the collector made is allowed by the policy `trailwarden iam-policy` prints.
    let set = trailwarden::rules::load_builtin().unwrap();
    let policy = trailwarden::iam::policy(&set, &trailwarden::config::Config::default());
    let allowed: std::collections::BTreeSet<&str> =
        policy["Statement"].as_array().unwrap().iter().flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap())).collect();
    for call in calls.as_array().unwrap() {
        let (service, op) = (call["api"].as_str().unwrap_or("?"), call["operation"].as_str().unwrap_or("?"));
        // The endpoint logs signing names; IAM names CloudWatch's actions `cloudwatch:`.
        let service = if service == "monitoring" { "cloudwatch" } else { service };
        let declared = trailwarden::inventory::reads::READS
            .iter()
            .filter(|r| r.api == format!("{service}:{op}") || r.actions.contains(&format!("{service}:{op}").as_str()))
            .any(|r| r.actions.iter().any(|a| allowed.contains(a)));
        assert!(declared, "the scan called {service}:{op}, which the IAM policy does not allow");
    }
}
