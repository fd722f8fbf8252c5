//! S3 log buckets (each read once, with the owner's credentials when the owner is scanned, and
//! always with ExpectedBucketOwner when the owner is known), account-level Block Public Access,
//! and the KMS keys that trails name.

use super::clients::Session;
use super::errors::unreadable;
use super::{unreadable_fact, Collector};
use std::collections::{BTreeMap, HashMap};
use trailwarden_core::inventory::{
    Account, AclGrant, Bucket, BucketLogging, BucketVersioning, DefaultRetention, EncryptionRule, Fact, FactId, KmsKey, KmsKeyMetadata,
    LifecycleRule, LifecycleTransition, ObjectLock, PublicAccessBlock, Unreadable, UnreadableReason,
};

/// s3:ListBuckets: the buckets an account owns.
pub async fn owned_bucket_names(c: &Collector, s: &Session) -> Fact<Vec<String>> {
    let client = s.s3(&c.global_region);
    let mut names = Vec::new();
    let mut token = None;
    loop {
        match c.limiter.run(&s.account_id, client.list_buckets().set_continuation_token(token).send()).await {
            Ok(page) => {
                names.extend(page.buckets().iter().filter_map(|b| b.name().map(str::to_owned)));
                token = page.continuation_token;
                if token.is_none() {
                    break;
                }
            }
            Err(err) => return unreadable_fact(FactId::AccountOwnedBucketNames.api(), &err),
        }
    }
    names.sort();
    Fact::Value(names)
}

/// s3control:GetPublicAccessBlock for the account.
pub async fn account_public_access_block(c: &Collector, s: &Session) -> Fact<Option<PublicAccessBlock>> {
    c.read(
        &s.account_id,
        FactId::AccountPublicAccessBlock,
        s.s3control(&c.global_region).get_public_access_block().account_id(&s.account_id).send(),
        |out| {
            out.public_access_block_configuration().map(|p| PublicAccessBlock {
                block_public_acls: p.block_public_acls().unwrap_or(false),
                ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                block_public_policy: p.block_public_policy().unwrap_or(false),
                restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
            })
        },
        Some(("NoSuchPublicAccessBlockConfiguration", None)),
    )
    .await
}

/// Every bucket a trail delivers to, once.
pub async fn read_buckets(c: &Collector, sessions: &[Session], accounts: &[Account]) -> Vec<Bucket> {
    let by_id: HashMap<&str, &Session> = sessions.iter().map(|s| (s.account_id.as_str(), s)).collect();
    // Who owns which bucket, from the scanned accounts' ListBuckets.
    let mut owners: HashMap<&str, &str> = HashMap::new();
    for account in accounts {
        for name in account.owned_bucket_names.value().into_iter().flatten() {
            owners.insert(name.as_str(), account.id.as_str());
        }
    }
    // Bucket → the account to read it as: its owner if scanned, else the account of a trail
    // that delivers to it (the trail's owner first).
    let mut readers: BTreeMap<&str, &str> = BTreeMap::new();
    for account in accounts {
        for trail in &account.trails {
            let name = trail.s3_bucket_name.as_str();
            let reader = owners.get(name).copied().unwrap_or_else(|| {
                let owner = trail.owner_account_id();
                if by_id.contains_key(owner) {
                    owner
                } else {
                    account.id.as_str()
                }
            });
            let current = readers.entry(name).or_insert(reader);
            if owners.get(name) == Some(&reader) {
                *current = reader;
            }
        }
    }
    let reads = readers.iter().map(|(name, reader)| {
        let session = by_id[reader];
        let owner = owners.get(name).copied();
        bucket(c, session, name, owner)
    });
    c.limiter.all(reads).await
}

async fn bucket(c: &Collector, s: &Session, name: &str, owner: Option<&str>) -> Bucket {
    let expected = owner.map(str::to_owned);
    let region = match bucket_region(c, s, name, expected.as_deref()).await {
        Ok(region) => region,
        Err(u) => return Bucket::unreadable(name, u),
    };
    let client = s.s3(&region);
    let owner_account_id = match owner {
        Some(owner) => Fact::Value(owner.to_owned()),
        None => match c.limiter.run(&s.account_id, client.head_bucket().bucket(name).send()).await {
            Ok(_) => Fact::Unreadable(
                FactId::AccountOwnedBucketNames.unreadable(UnreadableReason::AccessDenied, "the bucket is owned by an account outside the scan"),
            ),
            Err(err) => unreadable_fact(FactId::BucketOwner.api(), &err),
        },
    };
    // Each bucket read carries ExpectedBucketOwner when the owner is known; a setting that was
    // never configured answers with its own error code, which is the fact "none".
    let account = s.account_id.as_str();
    let owner = || expected.clone();
    let (versioning, encryption, lifecycle, object_lock, public_access_block, policy, policy_is_public, acl_grants, object_ownership, logging) = tokio::join!(
        c.read(
            account,
            FactId::BucketVersioning,
            client.get_bucket_versioning().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| BucketVersioning {
                status: out.status().map(|s| s.as_str().to_owned()),
                mfa_delete: out.mfa_delete().map(|m| m.as_str().to_owned())
            },
            None,
        ),
        c.read(
            account,
            FactId::BucketEncryption,
            client.get_bucket_encryption().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| {
                out.server_side_encryption_configuration().map(|conf| {
                    conf.rules()
                        .iter()
                        .filter_map(|r| {
                            let default = r.apply_server_side_encryption_by_default()?;
                            Some(EncryptionRule {
                                sse_algorithm: default.sse_algorithm().as_str().to_owned(),
                                kms_master_key_id: default.kms_master_key_id().map(str::to_owned),
                                bucket_key_enabled: r.bucket_key_enabled().unwrap_or(false),
                            })
                        })
                        .collect()
                })
            },
            Some(("ServerSideEncryptionConfigurationNotFoundError", None)),
        ),
        c.read(
            account,
            FactId::BucketLifecycle,
            client.get_bucket_lifecycle_configuration().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| Some(out.rules().iter().map(lifecycle_rule).collect()),
            Some(("NoSuchLifecycleConfiguration", None)),
        ),
        c.read(
            account,
            FactId::BucketObjectLock,
            client.get_object_lock_configuration().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| {
                out.object_lock_configuration().map(|conf| ObjectLock {
                    enabled: conf.object_lock_enabled().map(|e| e.as_str()) == Some("Enabled"),
                    default_retention: conf.rule().and_then(|r| r.default_retention()).map(|d| DefaultRetention {
                        mode: d.mode().map(|m| m.as_str().to_owned()).unwrap_or_default(),
                        days: d.days().map(i64::from),
                        years: d.years().map(i64::from),
                    }),
                })
            },
            Some(("ObjectLockConfigurationNotFoundError", None)),
        ),
        c.read(
            account,
            FactId::BucketPublicAccessBlock,
            client.get_public_access_block().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| {
                out.public_access_block_configuration().map(|p| PublicAccessBlock {
                    block_public_acls: p.block_public_acls().unwrap_or(false),
                    ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                    block_public_policy: p.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
                })
            },
            Some(("NoSuchPublicAccessBlockConfiguration", None)),
        ),
        c.read(
            account,
            FactId::BucketPolicy,
            client.get_bucket_policy().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| out.policy().map(str::to_owned),
            Some(("NoSuchBucketPolicy", None)),
        ),
        c.read(
            account,
            FactId::BucketPolicyIsPublic,
            client.get_bucket_policy_status().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| out.policy_status().and_then(|p| p.is_public()),
            Some(("NoSuchBucketPolicy", None)),
        ),
        c.read(
            account,
            FactId::BucketAclGrants,
            client.get_bucket_acl().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| {
                out.grants()
                    .iter()
                    .map(|g| AclGrant {
                        grantee_type: g.grantee().map(|e| e.r#type().as_str().to_owned()).unwrap_or_default(),
                        grantee_uri: g.grantee().and_then(|e| e.uri()).map(str::to_owned),
                        grantee_id: g.grantee().and_then(|e| e.id()).map(str::to_owned),
                        permission: g.permission().map(|p| p.as_str().to_owned()).unwrap_or_default(),
                    })
                    .collect()
            },
            None,
        ),
        c.read(
            account,
            FactId::BucketObjectOwnership,
            client.get_bucket_ownership_controls().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| out.ownership_controls().and_then(|o| o.rules().first()).map(|r| r.object_ownership().as_str().to_owned()),
            Some(("OwnershipControlsNotFoundError", None)),
        ),
        c.read(
            account,
            FactId::BucketLogging,
            client.get_bucket_logging().bucket(name).set_expected_bucket_owner(owner()).send(),
            |out| out
                .logging_enabled()
                .map(|l| BucketLogging { target_bucket: l.target_bucket().to_owned(), target_prefix: l.target_prefix().to_owned() }),
            None,
        ),
    );
    Bucket {
        name: name.to_owned(),
        owner_account_id,
        region: Fact::Value(region),
        versioning,
        encryption,
        lifecycle,
        object_lock,
        public_access_block,
        policy,
        policy_is_public,
        acl_grants,
        object_ownership,
        logging,
    }
}

/// The bucket's Region. HeadBucket names it in `x-amz-bucket-region` whether or not the
/// caller may access the bucket, also on 301, 400 and 403 replies
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html), which AWS recommends
/// over GetBucketLocation; GetBucketLocation is refused to another account from any Region but
/// the bucket's own, even when the bucket policy grants that account access
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html). So
/// HeadBucket first, GetBucketLocation (null or "" is us-east-1, "EU" eu-west-1) when no
/// reply named the Region.
async fn bucket_region(c: &Collector, s: &Session, name: &str, expected_owner: Option<&str>) -> Result<String, Unreadable> {
    let client = s.s3(&c.global_region);
    let expected = expected_owner.map(str::to_owned);
    let head = c.limiter.run(&s.account_id, client.head_bucket().bucket(name).set_expected_bucket_owner(expected.clone()).send()).await;
    let named = match &head {
        Ok(out) => out.bucket_region().map(str::to_owned),
        Err(aws_smithy_runtime_api::client::result::SdkError::ServiceError(e)) => e.raw().headers().get("x-amz-bucket-region").map(str::to_owned),
        Err(_) => None,
    };
    if let Some(region) = named.filter(|r| !r.is_empty()) {
        return Ok(region);
    }
    let located = c.limiter.run(&s.account_id, client.get_bucket_location().bucket(name).set_expected_bucket_owner(expected).send()).await;
    match located {
        Ok(out) => Ok(match out.location_constraint().map(|l| l.as_str()) {
            None | Some("") => "us-east-1".to_owned(),
            Some("EU") => "eu-west-1".to_owned(),
            Some(other) => other.to_owned(),
        }),
        Err(err) => Err(unreadable(FactId::BucketRegion.api(), &err)),
    }
}

fn lifecycle_rule(r: &aws_sdk_s3::types::LifecycleRule) -> LifecycleRule {
    #[allow(deprecated)]
    let prefix = r.filter().and_then(|f| f.prefix().or_else(|| f.and().and_then(|a| a.prefix()))).or(r.prefix()).map(str::to_owned);
    LifecycleRule {
        id: r.id().map(str::to_owned),
        status: r.status().as_str().to_owned(),
        prefix,
        expiration_days: r.expiration().and_then(|e| e.days()).map(i64::from),
        noncurrent_version_expiration_days: r.noncurrent_version_expiration().and_then(|e| e.noncurrent_days()).map(i64::from),
        transitions: r
            .transitions()
            .iter()
            .map(|t| LifecycleTransition {
                days: t.days().map_or(0, i64::from),
                storage_class: t.storage_class().map(|c| c.as_str().to_owned()).unwrap_or_default(),
            })
            .collect(),
    }
}

/// kms:DescribeKey for every key a trail names, in the key's region (from its ARN) or the
/// trail's home region. Read as the key's owner (the account in its ARN) when that account is
/// scanned: a key kept in a log-archive or security account is readable by its owner, while
/// the default key policy lets no other account describe it
/// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html,
/// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html);
/// else as the trail's owner when scanned, else as the account that lists the trail.
pub async fn read_kms_keys(c: &Collector, sessions: &[Session], accounts: &[Account]) -> Vec<KmsKey> {
    let by_id: HashMap<&str, &Session> = sessions.iter().map(|s| (s.account_id.as_str(), s)).collect();
    let mut keys: BTreeMap<&str, (&Session, &str)> = BTreeMap::new();
    for account in accounts {
        for trail in &account.trails {
            let Some(key) = trail.kms_key_id.as_deref() else { continue };
            let key_owner = key.split(':').nth(4).filter(|a| !a.is_empty());
            let session = key_owner
                .and_then(|owner| by_id.get(owner))
                .or_else(|| by_id.get(trail.owner_account_id()))
                .copied()
                .unwrap_or(by_id[account.id.as_str()]);
            let region = key.split(':').nth(3).filter(|r| !r.is_empty()).unwrap_or(&trail.home_region);
            keys.entry(key).or_insert((session, region));
        }
    }
    let reads = keys.into_iter().map(|(key, (s, region))| async move {
        if let Some(skipped) = c.skip(FactId::KmsKeyMetadata) {
            return KmsKey { key_id: key.to_owned(), metadata: skipped };
        }
        let metadata = match c.limiter.run(&s.account_id, s.kms(region).describe_key().key_id(key).send()).await {
            Ok(out) => match out.key_metadata() {
                Some(m) => Fact::Value(KmsKeyMetadata {
                    arn: m.arn().unwrap_or(key).to_owned(),
                    key_state: m.key_state().map(|k| k.as_str().to_owned()).unwrap_or_default(),
                    key_manager: m.key_manager().map(|k| k.as_str().to_owned()).unwrap_or_default(),
                    multi_region: m.multi_region().unwrap_or(false),
                }),
                None => Fact::Unreadable(FactId::KmsKeyMetadata.unreadable(UnreadableReason::Error, "the answer has no key metadata")),
            },
            Err(err) => unreadable_fact(FactId::KmsKeyMetadata.api(), &err),
        };
        KmsKey { key_id: key.to_owned(), metadata }
    });
    c.limiter.all(reads).await
}
