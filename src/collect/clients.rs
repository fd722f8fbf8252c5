//! SDK configuration: credentials per account, one client per service and region, with the
//! scanner's retry, timeout and call-recording settings. Every client of the collector is made
//! here, so that no call escapes them.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_cloudtrail::config::retry::{RetryConfig, RetryPartition, TokenBucket};
use aws_sdk_cloudtrail::config::timeout::TimeoutConfig;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::region::Region;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Attempts per call: the SDK retries throttling (Throttling, ThrottlingException, SlowDown),
/// 5xx and transient network errors with exponential backoff and jitter. Retries are in the
/// SDK's adaptive mode: once an endpoint throttles, the client also slows its own request
/// rate (a token bucket whose rate follows the throttling it sees, per retry partition, so per
/// account), instead of only spacing out the retries of calls it keeps sending at full rate.
const MAX_ATTEMPTS: u32 = 5;
/// One attempt may take this long before it is abandoned and retried.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);
/// A whole call, retries included, may take this long before its fact is recorded as an error.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Every API operation the collector called, with counts: for `--verbose`, the benchmark and
/// the read-only test.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<BTreeMap<String, usize>>>);

impl CallLog {
    fn record(&self, service: &str, operation: &str) {
        let mut calls = self.0.lock().expect("the call log lock is never poisoned");
        *calls.entry(format!("{service}:{operation}")).or_default() += 1;
    }

    /// `service:Operation` → number of calls (attempts are not counted separately).
    pub fn snapshot(&self) -> BTreeMap<String, usize> {
        self.0.lock().expect("the call log lock is never poisoned").clone()
    }
}

#[derive(Debug)]
struct Recorder(CallLog);

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "trailwarden-call-recorder"
    }

    fn read_after_execution(
        &self,
        _: &FinalizerInterceptorContextRef<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            self.0.record(metadata.service(), metadata.name());
        }
        Ok(())
    }
}

/// One HTTP client, so one connection pool, for every SDK client of a run. Without it each
/// client the collector makes (one per call site) gets a pool of its own and nearly every call
/// opens a new connection (and, against AWS, a new TLS session). Built as the SDK builds its
/// default: rustls with aws-lc, proxies from the environment.
fn shared_http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::{proxy::ProxyConfig, tls, Builder, Connector};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector = Connector::builder().tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The base configuration from the standard chain (environment, profile, SSO, web identity,
/// instance metadata), with the scanner's retry and timeout settings.
pub async fn base_config(profile: Option<&str>, region: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(shared_http_client())
        .retry_config(RetryConfig::adaptive().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(TimeoutConfig::builder().operation_attempt_timeout(ATTEMPT_TIMEOUT).operation_timeout(CALL_TIMEOUT).build());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_owned()));
    }
    let config = loader.load().await;
    if config.region().is_none() {
        // Global services and the first calls need some region; CloudTrail reads are made in
        // each scanned region explicitly.
        return config.to_builder().region(Region::from_static("us-east-1")).build();
    }
    config
}

/// Credentials and settings to call AWS as one account.
#[derive(Debug, Clone)]
pub struct Session {
    pub account_id: String,
    config: SdkConfig,
    calls: CallLog,
    /// Retries share one unlimited token bucket per session: a scan is a short burst of reads
    /// that must all complete, so a throttled account keeps retrying (with backoff) rather than
    /// giving up when the SDK's default quota runs out.
    retry_partition: RetryPartition,
    path_style: bool,
}

macro_rules! service_client {
    ($name:ident, $krate:ident) => {
        pub fn $name(&self, region: &str) -> $krate::Client {
            let config = $krate::config::Builder::from(&self.config)
                .region(Region::new(region.to_owned()))
                .retry_partition(self.retry_partition.clone())
                .interceptor(Recorder(self.calls.clone()))
                .build();
            $krate::Client::from_conf(config)
        }
    };
}

impl Session {
    pub fn new(account_id: &str, config: SdkConfig, calls: CallLog) -> Session {
        // With an endpoint override (an AWS-compatible endpoint), buckets are addressed by path:
        // virtual-hosted names would need wildcard DNS on that endpoint.
        let path_style = config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        Session {
            account_id: account_id.to_owned(),
            config,
            calls,
            retry_partition: RetryPartition::custom(format!("trailwarden-{account_id}")).token_bucket(TokenBucket::unlimited()).build(),
            path_style,
        }
    }

    service_client!(account, aws_sdk_account);
    service_client!(cloudtrail, aws_sdk_cloudtrail);
    service_client!(cloudwatch, aws_sdk_cloudwatch);
    service_client!(logs, aws_sdk_cloudwatchlogs);
    service_client!(events, aws_sdk_eventbridge);
    service_client!(iam, aws_sdk_iam);
    service_client!(kms, aws_sdk_kms);
    service_client!(organizations, aws_sdk_organizations);

    /// S3 Control puts the account id into the host name (`<account>.s3-control...`). Against an
    /// endpoint override that name does not exist, so, as with path-style S3, the override is
    /// used exactly as given.
    pub fn s3control(&self, region: &str) -> aws_sdk_s3control::Client {
        let mut config = aws_sdk_s3control::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .retry_partition(self.retry_partition.clone())
            .interceptor(Recorder(self.calls.clone()));
        let override_url = std::env::var("AWS_ENDPOINT_URL_S3_CONTROL").ok().or_else(|| self.config.endpoint_url().map(str::to_owned));
        if let Some(url) = override_url {
            config = config.endpoint_resolver(FixedEndpoint(url));
        }
        aws_sdk_s3control::Client::from_conf(config.build())
    }
    service_client!(sts, aws_sdk_sts);

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .retry_partition(self.retry_partition.clone())
            .interceptor(Recorder(self.calls.clone()))
            .force_path_style(self.path_style)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// A session for another account through `role_arn` (sts:AssumeRole, called in `sts_region`).
    pub async fn assume(&self, account_id: &str, role_arn: &str, external_id: Option<&str>, sts_region: &str) -> Session {
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name("trailwarden")
            .configure(&self.config)
            .region(Region::new(sts_region.to_owned()));
        if let Some(id) = external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        // Each account keeps its credentials in a cache of its own. The SDK's cache, shared by
        // every client made from one configuration, holds 64 credential sources and evicts
        // one when a 65th arrives: in a larger organization members' roles were assumed again
        // and again (5,380 AssumeRole calls for 999 members in a 1,000-account benchmark).
        let config = self
            .config
            .to_builder()
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(provider))
            .identity_cache(aws_config::identity::IdentityCache::lazy().build())
            .build();
        Session::new(account_id, config, self.calls.clone())
    }
}

/// An endpoint resolver that always answers one URL.
#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(&'a self, _: &'a aws_sdk_s3control::config::endpoint::Params) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(aws_sdk_s3control::config::endpoint::Endpoint::builder()
            .url(self.0.clone())
            .build()))
    }
}
