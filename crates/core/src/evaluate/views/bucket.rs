//! The `bucket` scope: each bucket that receives the logs of a scanned owner's trail, with its
//! protection (versioning, lifecycle, encryption, Object Lock, Block Public Access) and what
//! its policy allows (policy.rs).

use super::context::BuildContext;
use super::policy::{self, PolicyAnalysis};
use super::readable::{IntoReadable, Readable};
use super::subject::Subject;
use super::unreadable::{not_collected, UnreadableField};
use crate::inventory::{
    Bucket, BucketLogging, EncryptionRule, Fact, LifecycleRule, ObjectLock, PublicAccessBlock, Trail, TrailSetting, Unreadable, UnreadableReason,
};
use crate::resource::{ResourceKind, ResourceRef};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeSet;

/// The binding of a `bucket`-scope rule: a bucket that receives trail logs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BucketView {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub account_id: Readable<String>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub region: Readable<String>,
    /// Trails that deliver to this bucket.
    pub trail_arns: Vec<String>,
    /// Some trail delivering here uses SSE-KMS. This and the next are absent when
    /// infrastructure as code leaves a trail's key or prefix to deployment.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub trails_use_kms: Readable<bool>,
    /// Where the trails write: `<S3KeyPrefix>/AWSLogs/` or `AWSLogs/`, one per distinct prefix.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub log_prefixes: Readable<Vec<String>>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub versioning: Readable<VersioningView>,
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub lifecycle: Readable<LifecycleView>,
    /// Default encryption rules; empty when none is configured.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub encryption_rules: Readable<Vec<EncryptionRule>>,
    /// null when Object Lock is not configured.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub object_lock: Readable<Option<ObjectLock>>,
    /// Block Public Access in force: the bucket's setting, or the account's when the bucket has
    /// none; all four false when neither is configured.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub public_access_block: Readable<PublicAccessBlock>,
    /// The bucket policy document (parsed JSON); null when there is none.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub policy: Readable<Option<serde_json::Value>>,
    /// What the bucket policy allows; null when there is no policy.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub policy_analysis: Readable<Option<PolicyAnalysis>>,
    /// GetBucketPolicyStatus.IsPublic (false when there is no policy).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub policy_is_public: Readable<bool>,
    /// ACL grants to the AllUsers or AuthenticatedUsers groups.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub public_acl_grants: Readable<Vec<String>>,
    /// ObjectOwnership; null when not configured.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub object_ownership: Readable<Option<String>>,
    /// Server access logging; null when off.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub logging: Readable<Option<BucketLogging>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VersioningView {
    /// `Enabled`, `Suspended`, or null when versioning was never enabled.
    pub status: Option<String>,
    pub enabled: bool,
    /// GetBucketVersioning.MFADelete == "Enabled".
    pub mfa_delete_enabled: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LifecycleView {
    /// The bucket has a lifecycle configuration (with any rules, enabled or not).
    pub configured: bool,
    pub rules: Vec<LifecycleRule>,
}

pub(super) fn bucket_subject(cx: &BuildContext, name: &str, trails: &[&Trail], scanned: &BTreeSet<&str>) -> Subject<BucketView> {
    let arn = format!("arn:{}:s3:::{name}", cx.inventory.partition);
    let trail_arns: Vec<String> = trails.iter().map(|t| t.arn.clone()).collect();
    let trails_use_kms = trails_use_kms(trails);
    let log_prefixes = log_prefixes(trails);
    let first_trail = trails[0];
    let mut unreadable = Vec::new();
    for (fact, u) in [("bucket.trails_use_kms", trails_use_kms.0.as_ref().err()), ("bucket.log_prefixes", log_prefixes.0.as_ref().err())] {
        if let Some(u) = u {
            unreadable.push(UnreadableField::new(fact, u.clone()));
        }
    }
    let view = match cx.buckets.get(name) {
        None => {
            let missing = not_collected("s3:HeadBucket", &format!("bucket {name}"));
            unreadable.push(UnreadableField::new("bucket", missing.clone()));
            BucketView {
                name: name.to_owned(),
                arn: arn.clone(),
                account_id: Readable::unreadable(missing.clone()),
                region: Readable::unreadable(missing.clone()),
                trail_arns,
                trails_use_kms,
                log_prefixes,
                versioning: Readable::unreadable(missing.clone()),
                lifecycle: Readable::unreadable(missing.clone()),
                encryption_rules: Readable::unreadable(missing.clone()),
                object_lock: Readable::unreadable(missing.clone()),
                public_access_block: Readable::unreadable(missing.clone()),
                policy: Readable::unreadable(missing.clone()),
                policy_analysis: Readable::unreadable(missing.clone()),
                policy_is_public: Readable::unreadable(missing.clone()),
                public_acl_grants: Readable::unreadable(missing.clone()),
                object_ownership: Readable::unreadable(missing.clone()),
                logging: Readable::unreadable(missing.clone()),
            }
        }
        Some(bucket) => {
            for (fact, u) in [
                ("bucket.account_id", bucket.owner_account_id.unreadable()),
                ("bucket.region", bucket.region.unreadable()),
                ("bucket.versioning", bucket.versioning.unreadable()),
                ("bucket.lifecycle", bucket.lifecycle.unreadable()),
                ("bucket.encryption_rules", bucket.encryption.unreadable()),
                ("bucket.object_lock", bucket.object_lock.unreadable()),
                ("bucket.public_access_block", bucket.public_access_block.unreadable()),
                ("bucket.policy", bucket.policy.unreadable()),
                ("bucket.policy_is_public", bucket.policy_is_public.unreadable()),
                ("bucket.public_acl_grants", bucket.acl_grants.unreadable()),
                ("bucket.object_ownership", bucket.object_ownership.unreadable()),
                ("bucket.logging", bucket.logging.unreadable()),
            ] {
                if let Some(u) = u {
                    unreadable.push(UnreadableField::new(fact, u.clone()));
                }
            }
            BucketView {
                name: name.to_owned(),
                arn: arn.clone(),
                account_id: (&bucket.owner_account_id).into(),
                region: (&bucket.region).into(),
                trail_arns,
                trails_use_kms,
                log_prefixes,
                versioning: (&bucket.versioning).into_readable().map(|v| VersioningView {
                    enabled: v.status.as_deref() == Some("Enabled"),
                    mfa_delete_enabled: v.mfa_delete.as_deref() == Some("Enabled"),
                    status: v.status,
                }),
                lifecycle: (&bucket.lifecycle)
                    .into_readable()
                    .map(|rules| LifecycleView { configured: rules.is_some(), rules: rules.unwrap_or_default() }),
                encryption_rules: (&bucket.encryption).into_readable().map(Option::unwrap_or_default),
                object_lock: (&bucket.object_lock).into(),
                public_access_block: effective_public_access_block(cx, bucket, &mut unreadable),
                policy: policy_document(bucket, &mut unreadable),
                policy_analysis: policy_analysis(bucket, &mut unreadable),
                policy_is_public: (&bucket.policy_is_public).into_readable().map(|p| p.unwrap_or(false)),
                public_acl_grants: (&bucket.acl_grants).into_readable().map(|grants| {
                    grants
                        .iter()
                        .filter_map(|g| g.grantee_uri.as_deref())
                        .filter(|uri| uri.ends_with("/AllUsers") || uri.ends_with("/AuthenticatedUsers"))
                        .map(str::to_owned)
                        .collect()
                }),
                object_ownership: (&bucket.object_ownership).into(),
                logging: (&bucket.logging).into(),
            }
        }
    };
    // Report the bucket under its owner when known and scanned, else under the trail's account.
    let account =
        view.account_id.get().filter(|owner| scanned.contains(owner.as_str())).cloned().unwrap_or_else(|| first_trail.owner_account_id().to_owned());
    let region = view.region.get().cloned().unwrap_or_else(|| first_trail.home_region.clone());
    Subject { resource: ResourceRef::new(arn, ResourceKind::Bucket, account, region), view, unreadable }
}

/// Whether some trail delivering here uses SSE-KMS: yes if one is known to, unknown if one
/// leaves its key to deployment, else no.
fn trails_use_kms(trails: &[&Trail]) -> Readable<bool> {
    let uses = trails.iter().map(|t| t.checked(TrailSetting::KmsKeyId, t.kms_key_id.is_some()));
    let mut unknown = None;
    for answer in uses {
        match answer {
            Ok(true) => return Readable::value(true),
            Ok(false) => {}
            Err(u) => unknown = unknown.or(Some(u)),
        }
    }
    unknown.map_or(Readable::value(false), |u| Readable::unreadable(u.clone()))
}

/// The distinct places the trails write, `<S3KeyPrefix>/AWSLogs/` or `AWSLogs/`; unknown when
/// a trail leaves its prefix to deployment.
fn log_prefixes(trails: &[&Trail]) -> Readable<Vec<String>> {
    let prefixes: Result<BTreeSet<String>, &Unreadable> = trails
        .iter()
        .map(|t| {
            let prefix = t.checked(TrailSetting::S3KeyPrefix, t.s3_key_prefix.as_deref())?;
            Ok(match prefix.map(|p| p.trim_matches('/')).filter(|p| !p.is_empty()) {
                Some(prefix) => format!("{prefix}/AWSLogs/"),
                None => "AWSLogs/".to_owned(),
            })
        })
        .collect();
    Readable(prefixes.map(|p| p.into_iter().collect()).map_err(Clone::clone))
}

/// The bucket's own Block Public Access, else the owner account's, else none at all.
fn effective_public_access_block(cx: &BuildContext, bucket: &Bucket, unreadable: &mut Vec<UnreadableField>) -> Readable<PublicAccessBlock> {
    // S3 enforces each flag if either the bucket or its owner account sets it.
    let own = match &bucket.public_access_block {
        Fact::Unreadable(u) => return Readable::unreadable(u.clone()),
        Fact::Value(own) => own.unwrap_or_default(),
    };
    if own.all_enabled() {
        return Readable::value(own);
    }
    let owner = bucket.owner_account_id.value();
    let account = owner.and_then(|o| cx.accounts_by_id.get(o.as_str()).copied());
    match account.map(|a| &a.public_access_block) {
        Some(Fact::Value(setting)) => {
            let acct = setting.unwrap_or_default();
            Readable::value(PublicAccessBlock {
                block_public_acls: own.block_public_acls || acct.block_public_acls,
                ignore_public_acls: own.ignore_public_acls || acct.ignore_public_acls,
                block_public_policy: own.block_public_policy || acct.block_public_policy,
                restrict_public_buckets: own.restrict_public_buckets || acct.restrict_public_buckets,
            })
        }
        Some(Fact::Unreadable(u)) => {
            unreadable.push(UnreadableField::new("bucket.public_access_block", u.clone()));
            Readable::unreadable(u.clone())
        }
        None => {
            let u = not_collected("s3control:GetPublicAccessBlock", "the bucket owner's account setting");
            unreadable.push(UnreadableField::new("bucket.public_access_block", u.clone()));
            Readable::unreadable(u)
        }
    }
}

fn policy_analysis(bucket: &Bucket, unreadable: &mut Vec<UnreadableField>) -> Readable<Option<PolicyAnalysis>> {
    let analysis = policy_document(bucket, &mut Vec::new()).map(|doc| doc.as_ref().map(policy::analyse));
    match &analysis.0 {
        Err(u) => unreadable.push(UnreadableField::new("bucket.policy_analysis", u.clone())),
        Ok(Some(a)) => {
            if let Err(u) = &a.sensitive_grants.0 {
                unreadable.push(UnreadableField::new("bucket.policy_analysis.sensitive_grants", u.clone()));
            }
        }
        Ok(None) => {}
    }
    analysis
}

fn policy_document(bucket: &Bucket, unreadable: &mut Vec<UnreadableField>) -> Readable<Option<serde_json::Value>> {
    match &bucket.policy {
        Fact::Unreadable(u) => Readable::unreadable(u.clone()),
        Fact::Value(None) => Readable::value(None),
        Fact::Value(Some(text)) => match serde_json::from_str(text) {
            Ok(doc) => Readable::value(Some(doc)),
            Err(err) => {
                let u = Unreadable {
                    reason: UnreadableReason::Error,
                    api: Some("s3:GetBucketPolicy".to_owned()),
                    detail: Some(format!("the policy is not valid JSON: {err}")),
                };
                unreadable.push(UnreadableField::new("bucket.policy", u.clone()));
                Readable::unreadable(u)
            }
        },
    }
}
