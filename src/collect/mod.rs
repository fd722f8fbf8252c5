//! Live collection: the only module that talks to AWS (and the only one importing
//! `aws-sdk-*`). It reads accounts, regions and organizations through the AWS SDK and returns
//! a plain [`Inventory`]; no SDK type leaves it. It never calls a mutating API.
//!
//! A run has four phases: targets (caller, organization, accounts and their credentials),
//! per account-region listings (trails, event data stores, alerting), trail details (once per
//! trail, in its home region, by ARN), then buckets and KMS keys (once each, with the owner's
//! credentials when the owner is scanned).

mod account;
mod clients;
mod cloudtrail;
mod errors;
mod limiter;
mod monitoring;
mod organizations;
mod progress;
mod s3;

pub use clients::CallLog;

use clients::Session;
use limiter::Limiter;
use std::collections::BTreeSet;
use trailwarden_core::inventory::{units, Account, CollectionError, Fact, FactId, Inventory, Shard, Unreadable, SCHEMA_VERSION};

/// What to collect, from the command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// Scan every ACTIVE account of the organization.
    pub org: bool,
    /// The role assumed in each account of an organization scan.
    pub role_name: String,
    pub external_id: Option<String>,
    /// Only these accounts (organization scans).
    pub accounts: Vec<String>,
    pub exclude_accounts: Vec<String>,
    /// Only / not the accounts in these organizational units or below (paths or ids).
    pub ous: Vec<String>,
    pub exclude_ous: Vec<String>,
    /// Only this part of the chosen accounts (`collect --shard K/N`).
    pub shard: Option<Shard>,
    /// Only these regions (intersected with each account's enabled regions).
    pub regions: Option<Vec<String>>,
    pub profile: Option<String>,
    /// The region for global calls (STS, Organizations, IAM); the chain's region by default.
    pub region: Option<String>,
    /// Calls in flight at once, overall.
    pub concurrency: usize,
    /// Show a progress bar (only on a terminal).
    pub progress: bool,
    /// The inventory facts to read (`inventory::reads`), from the rules the scan runs; `None`
    /// reads every fact (`collect`, whose snapshot may be evaluated with any rules later).
    pub facts: Option<std::collections::BTreeSet<FactId>>,
    /// Read EventBridge rules, metric filters and alarms only in regions where the account
    /// homes a trail of its own (`iam::alerting_only_in_trail_home_regions`).
    pub alerting_home_regions_only: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            org: false,
            role_name: "OrganizationAccountAccessRole".to_owned(),
            external_id: None,
            accounts: Vec::new(),
            exclude_accounts: Vec::new(),
            ous: Vec::new(),
            exclude_ous: Vec::new(),
            shard: None,
            regions: None,
            profile: None,
            region: None,
            concurrency: 32,
            progress: false,
            facts: None,
            alerting_home_regions_only: false,
        }
    }
}

/// Errors that stop a collection before anything could be read.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("cannot identify the caller (sts:GetCallerIdentity): {0}; check the AWS credentials (environment, --profile, SSO, web identity)")]
    Identity(String),
    #[error(
        "cannot identify the caller (sts:GetCallerIdentity): no credentials found: {0}; check the AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile, or sign in with `aws sso login`"
    )]
    NoCredentials(String),
    #[error("--org needs the organization's account list: {0}")]
    Organization(String),
    #[error("{0}")]
    Usage(String),
}

/// Shared state of one collection run.
pub(crate) struct Collector {
    pub caller: Session,
    /// The region used for global services.
    pub home_region: String,
    /// The partition's default Region (us-east-1, cn-north-1, us-gov-west-1): where the calls
    /// that are global to an account go, STS for AssumeRole and the role check, ListBuckets, S3
    /// Control's account Block Public Access, account:ListRegions. Not the scan's Region, which
    /// may be an opt-in Region that a member account has not enabled (STS and S3 answer there
    /// only for accounts that enabled it).
    pub global_region: String,
    pub partition: String,
    pub limiter: Limiter,
    pub progress: progress::Progress,
    /// See [`Options::facts`].
    pub facts: Option<std::collections::BTreeSet<FactId>>,
    /// See [`Options::alerting_home_regions_only`].
    pub alerting_home_regions_only: bool,
}

impl Collector {
    /// `Some(not collected)` when no rule of this scan needs `fact`, so the read is skipped;
    /// `None` to read it.
    pub fn skip<T>(&self, fact: FactId) -> Option<Fact<T>> {
        let facts = self.facts.as_ref()?;
        if facts.contains(&fact) {
            return None;
        }
        Some(fact.not_collected("no rule of this scan reads it"))
    }

    /// One single-call read of `fact` as `account`: skipped when no rule needs it (see
    /// [`skip`](Self::skip)); else the answer through `value`. An error coded `absent.0` means
    /// the setting is not configured and is the fact `absent.1`; any other error makes the
    /// fact unreadable, as a failed call of its API.
    pub async fn read<O, E, T>(
        &self,
        account: &str,
        fact: FactId,
        call: impl std::future::Future<Output = Result<O, SdkError<E>>>,
        value: impl FnOnce(O) -> T,
        absent: Option<(&str, T)>,
    ) -> Fact<T>
    where
        E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if let Some(skipped) = self.skip(fact) {
            return skipped;
        }
        match self.limiter.run(account, call).await {
            Ok(out) => Fact::Value(value(out)),
            Err(err) => match absent {
                Some((code, configured_as)) if errors::code(&err) == Some(code) => Fact::Value(configured_as),
                _ => unreadable_fact(fact.api(), &err),
            },
        }
    }
}

/// The SDK's error type of a call, with the raw HTTP response.
type SdkError<E> = aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>;

/// Calls in flight for one account at once.
const PER_ACCOUNT: usize = 8;

/// Collects an inventory. Blocking: runs its own async runtime.
pub fn collect(options: &Options) -> Result<(Inventory, CallLog), CollectError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CollectError::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(collect_async(options))
}

pub async fn collect_async(options: &Options) -> Result<(Inventory, CallLog), CollectError> {
    let selects = !options.accounts.is_empty() || !options.exclude_accounts.is_empty() || !options.ous.is_empty() || !options.exclude_ous.is_empty();
    if !options.org && (selects || options.shard.is_some()) {
        return Err(CollectError::Usage(
            "--accounts, --exclude-accounts, --ous, --exclude-ous and --shard select accounts of an organization scan: add --org".to_owned(),
        ));
    }
    let base = clients::base_config(options.profile.as_deref(), options.region.as_deref()).await;
    let home_region = base.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".to_owned());
    let calls = CallLog::default();
    let probe = Session::new("caller", base.clone(), calls.clone());
    let identity = probe.sts(&home_region).get_caller_identity().send().await.map_err(|e| {
        if let Some(missing) = errors::no_credentials(&e) {
            CollectError::NoCredentials(errors::chain(missing))
        } else {
            CollectError::Identity(errors::chain(&e))
        }
    })?;
    let caller_id = identity.account().unwrap_or_default().to_owned();
    let partition = identity.arn().and_then(|arn| arn.split(':').nth(1)).unwrap_or("aws").to_owned();
    let collector = Collector {
        caller: Session::new(&caller_id, base, calls.clone()),
        global_region: partition_default_region(&partition).unwrap_or(&home_region).to_owned(),
        home_region,
        partition,
        limiter: Limiter::new(options.concurrency, PER_ACCOUNT.min(options.concurrency.max(1))),
        progress: progress::Progress::new(options.progress),
        facts: options.facts.clone(),
        alerting_home_regions_only: options.alerting_home_regions_only,
    };

    collector.progress.phase("organization");
    let organization = organizations::organization(&collector).await;
    let Targets { sessions, owners, errors: mut collection_errors } = targets(&collector, &organization, options).await?;

    collector.progress.phase("accounts and regions");
    let mut accounts: Vec<Account> =
        collector.limiter.all(sessions.iter().map(|s| account::collect(&collector, s, options.regions.as_deref()))).await;
    accounts.sort_by(|a, b| a.id.cmp(&b.id));

    // Trail details, log buckets and KMS keys all follow from what DescribeTrails listed, so
    // they are read together rather than one phase after another. They are read as their
    // owner when the owner is chosen, in this part or another (`Targets::owners`).
    collector.progress.phase("trail details, log buckets and keys");
    let readers: Vec<Session> = sessions.iter().chain(&owners).cloned().collect();
    let (details, buckets, kms_keys) = tokio::join!(
        cloudtrail::read_trail_details(&collector, &readers, &organization, &accounts),
        s3::read_buckets(&collector, &readers, &accounts),
        s3::read_kms_keys(&collector, &readers, &accounts),
    );
    details.apply(&mut accounts);
    collector.progress.finish();

    collection_errors.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    let inventory = Inventory {
        schema_version: SCHEMA_VERSION,
        collected_at: chrono::Utc::now(),
        partition: collector.partition.clone(),
        caller_account_id: caller_id,
        organization,
        accounts,
        buckets,
        kms_keys,
        collection_errors,
        shard: options.shard,
        locations: Default::default(),
    };
    Ok((inventory, calls))
}

/// Whom a run reads.
struct Targets {
    /// The accounts collected, each with a session whose role was checked.
    sessions: Vec<Session>,
    /// Chosen accounts of the organization outside this part (`--shard`): not collected, but
    /// a trail, bucket or key they own is read with their role, as one whole scan would read
    /// it, so that the merged parts judge like the whole. Their roles are assumed only when
    /// such a read happens.
    owners: Vec<Session>,
    /// Accounts whose role could not be assumed.
    errors: Vec<CollectionError>,
}

/// The accounts to scan and a session for each; accounts whose role could not be assumed are
/// recorded as collection errors and skipped, never silently dropped.
async fn targets(
    c: &Collector,
    organization: &Fact<Option<trailwarden_core::inventory::Organization>>,
    options: &Options,
) -> Result<Targets, CollectError> {
    if !options.org {
        return Ok(Targets { sessions: vec![c.caller.clone()], owners: Vec::new(), errors: Vec::new() });
    }
    let org = match organization {
        Fact::Value(Some(org)) => org,
        Fact::Value(None) => return Err(CollectError::Organization("the caller's account is not in an organization".to_owned())),
        Fact::Unreadable(u) => return Err(CollectError::Organization(u.to_string())),
    };
    let chosen = chosen_accounts(org, options)?;
    let (mine, others): (Vec<&str>, Vec<&str>) = chosen.iter().partition(|id| options.shard.is_none_or(|shard| shard.contains(id)));
    let role_arn = |id: &str| format!("arn:{}:iam::{id}:role/{}", c.partition, options.role_name);
    let owners = c
        .limiter
        .all(
            others
                .iter()
                .filter(|id| **id != c.caller.account_id)
                .map(|id| async move { c.caller.assume(id, &role_arn(id), options.external_id.as_deref(), &c.global_region).await }),
        )
        .await;
    let attempts = mine.iter().map(|id| async move {
        if *id == c.caller.account_id {
            return Ok(c.caller.clone());
        }
        let role_arn = role_arn(id);
        let session = c.caller.assume(id, &role_arn, options.external_id.as_deref(), &c.global_region).await;
        // The provider assumes the role lazily: prove it now, so that a refused role is one
        // clear collection error instead of every fact of the account failing.
        match c.limiter.run(id, session.sts(&c.global_region).get_caller_identity().send()).await {
            Ok(_) => Ok(session),
            Err(err) => Err(CollectionError { account_id: (*id).to_owned(), region: None, unreadable: role_check_failure(&role_arn, &err) }),
        }
    });
    let mut sessions = Vec::new();
    let mut errors = Vec::new();
    for result in c.limiter.all(attempts).await {
        match result {
            Ok(s) => sessions.push(s),
            Err(e) => errors.push(e),
        }
    }
    let mut owners = owners;
    if others.contains(&c.caller.account_id.as_str()) {
        owners.push(c.caller.clone());
    }
    Ok(Targets { sessions, owners, errors })
}

/// The ACTIVE accounts of the organization that `--accounts`, `--exclude-accounts`, `--ous`
/// and `--exclude-ous` choose, in id order (every part of a sharded run chooses the same).
fn chosen_accounts<'a>(org: &'a trailwarden_core::inventory::Organization, options: &Options) -> Result<Vec<&'a str>, CollectError> {
    let members = match &org.accounts {
        Fact::Value(members) => members,
        Fact::Unreadable(u) => return Err(CollectError::Organization(format!("{u}; run from the management account or a delegated administrator"))),
    };
    let active: BTreeSet<&str> = members.iter().filter(|m| m.status == "ACTIVE").map(|m| m.id.as_str()).collect();
    for id in &options.accounts {
        if !active.contains(id.as_str()) {
            return Err(CollectError::Usage(format!("--accounts names {id}, which is not an ACTIVE account of the organization")));
        }
    }
    let in_units = |flag: &str, names: &[String]| -> Result<Option<BTreeSet<&'a str>>, CollectError> {
        if names.is_empty() {
            return Ok(None);
        }
        let units = match &org.organizational_units {
            Fact::Value(units) => units,
            Fact::Unreadable(u) => {
                return Err(CollectError::Organization(format!("{flag} needs the organization's units, which could not be read: {u}")))
            }
        };
        units::accounts_in(units, names).map(Some).map_err(|e| CollectError::Usage(format!("{flag}: {e}")))
    };
    let only_units = in_units("--ous", &options.ous)?;
    let not_units = in_units("--exclude-ous", &options.exclude_ous)?.unwrap_or_default();
    Ok(active
        .iter()
        .copied()
        .filter(|id| options.accounts.is_empty() || options.accounts.iter().any(|a| a == id))
        .filter(|id| !options.exclude_accounts.iter().any(|a| a == id))
        .filter(|id| only_units.as_ref().is_none_or(|units| units.contains(id)))
        .filter(|id| !not_units.contains(id))
        .collect())
}

/// Why the role check of a member account failed, as it happened: the AssumeRole call's own
/// answer when it was AssumeRole that failed (refused: access denied; throttled past the
/// retries, a 5xx, a timeout or the network: an error), else the check's call itself.
fn role_check_failure<E>(role_arn: &str, err: &SdkError<E>) -> Unreadable
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    let mut unreadable = match errors::find::<SdkError<AssumeRoleError>>(err) {
        Some(assume) => errors::unreadable("sts:AssumeRole", assume),
        None => {
            let mut u = errors::unreadable("sts:GetCallerIdentity", err);
            // An AssumeRole that failed without an answer (a timeout, the network) is still
            // the role's failure.
            if errors::find::<aws_credential_types::provider::error::CredentialsError>(err).is_some() {
                u.api = Some("sts:AssumeRole".to_owned());
            }
            u
        }
    };
    unreadable.detail = Some(format!("{role_arn}: {}", unreadable.detail.unwrap_or_default()));
    unreadable
}

/// The default Region of a partition, the one its global endpoints are in
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-sts-regionalized-endpoints.html,
/// https://docs.aws.amazon.com/general/latest/gr/s3.html): us-east-1 for aws, cn-north-1 for
/// aws-cn, us-gov-west-1 for aws-us-gov. `None` for a partition not known here.
fn partition_default_region(partition: &str) -> Option<&'static str> {
    match partition {
        "aws" => Some("us-east-1"),
        "aws-cn" => Some("cn-north-1"),
        "aws-us-gov" => Some("us-gov-west-1"),
        _ => None,
    }
}

/// SDK timestamps to chrono.
pub(crate) fn time(t: &aws_smithy_types::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// A call's failure as a fact.
pub(crate) fn unreadable_fact<T, E>(
    api: &str,
    err: &aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> Fact<T>
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    Fact::Unreadable(errors::unreadable(api, err))
}
