//! Joining the parts of an organization collected apart (`collect --org --shard K/N`, one per
//! machine) into the snapshot one `collect --org` would have written (`trailwarden merge`).
//!
//! Every part reads the organization itself (it needs the account list to know its accounts),
//! so the organization's facts are taken from part 1; accounts, collection errors and
//! unreadable facts are kept from every part. A log bucket or KMS key can be read by several
//! parts (each reads what its accounts' trails name, with the owner's role); the merged
//! snapshot keeps one copy, the one with the fewest unreadable facts, the earliest part's on a
//! tie. Parts that do not add up to one organization are refused, never merged into a snapshot
//! that would judge accounts twice or miss some in silence.

use super::model::{Bucket, Inventory, KmsKey};
use super::shard::Shard;
use crate::diagnostic::Diagnostic;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Why the parts cannot be merged: about one of the files (`path: message`), or about the set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    File(#[from] Diagnostic),
    #[error("{0}")]
    Parts(String),
}

fn about(path: &Path, message: impl Into<String>) -> MergeError {
    MergeError::File(Diagnostic::file(path, message))
}

/// Merges shard snapshots (each with the path it was read from, for messages).
pub fn merge(parts: Vec<(PathBuf, Inventory)>) -> Result<Inventory, MergeError> {
    let Some((first_path, _)) = parts.first() else {
        return Err(MergeError::Parts("merge needs at least one snapshot".to_owned()));
    };
    let first_path = first_path.clone();
    let mut shards: Vec<(Shard, PathBuf, Inventory)> = Vec::with_capacity(parts.len());
    for (path, inventory) in parts {
        let Some(shard) = inventory.shard else {
            return Err(about(&path, "not a shard snapshot: merge joins the parts written by `collect --org --shard K/N`"));
        };
        shards.push((shard, path, inventory));
    }
    shards.sort_by_key(|(shard, _, _)| shard.index);
    check_parts(&shards, &first_path)?;
    check_one_organization(&shards)?;
    check_disjoint(&shards)?;

    let mut parts = shards.into_iter().map(|(_, _, inventory)| inventory);
    let mut merged = parts.next().expect("parts are checked to be non-empty");
    merged.shard = None;
    let mut buckets: BTreeMap<String, Bucket> = merged.buckets.drain(..).map(|b| (b.name.clone(), b)).collect();
    let mut keys: BTreeMap<String, KmsKey> = merged.kms_keys.drain(..).map(|k| (k.key_id.clone(), k)).collect();
    for part in parts {
        merged.collected_at = merged.collected_at.max(part.collected_at);
        merged.accounts.extend(part.accounts);
        merged.collection_errors.extend(part.collection_errors);
        for bucket in part.buckets {
            keep_most_readable(&mut buckets, bucket.name.clone(), bucket);
        }
        for key in part.kms_keys {
            keep_most_readable(&mut keys, key.key_id.clone(), key);
        }
    }
    merged.accounts.sort_by(|a, b| a.id.cmp(&b.id));
    merged.collection_errors.sort_by(|a, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
    merged.buckets = buckets.into_values().collect();
    merged.kms_keys = keys.into_values().collect();
    Ok(merged)
}

/// Exactly one snapshot of each part 1..=N, all of the same N.
fn check_parts(shards: &[(Shard, PathBuf, Inventory)], first_path: &Path) -> Result<(), MergeError> {
    let count = shards[0].0.count;
    if let Some((shard, path, _)) = shards.iter().find(|(s, _, _)| s.count != count) {
        return Err(about(path, format!("shard {shard} is a part of {} parts, but {} is of {count}", shard.count, first_path.display())));
    }
    for pair in shards.windows(2) {
        if pair[0].0.index == pair[1].0.index {
            return Err(about(&pair[1].1, format!("shard {} is given twice (also {}): each part once", pair[1].0, pair[0].1.display())));
        }
    }
    let missing: Vec<String> = (1..=count).filter(|i| !shards.iter().any(|(s, _, _)| s.index == *i)).map(|i| format!("{i}/{count}")).collect();
    if !missing.is_empty() {
        return Err(MergeError::Parts(format!(
            "shard(s) {} missing: the merged snapshot would leave their accounts out; collect them with `collect --org --shard K/{count}`",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// Every part is of the same organization, in the same partition.
fn check_one_organization(shards: &[(Shard, PathBuf, Inventory)]) -> Result<(), MergeError> {
    let organization_id = |inventory: &Inventory| inventory.organization.value().and_then(Option::as_ref).map(|o| o.id.clone());
    let (_, first_path, first) = &shards[0];
    let Some(expected) = organization_id(first) else {
        return Err(about(first_path, "the snapshot names no organization (it could not be read), so its parts cannot be matched"));
    };
    for (_, path, inventory) in &shards[1..] {
        match organization_id(inventory) {
            Some(id) if id == expected && inventory.partition == first.partition => {}
            Some(id) => {
                return Err(about(
                    path,
                    format!(
                        "a part of organization {id} ({}), not of {expected} ({}) like {}",
                        inventory.partition,
                        first.partition,
                        first_path.display()
                    ),
                ))
            }
            None => return Err(about(path, "the snapshot names no organization (it could not be read), so its parts cannot be matched")),
        }
    }
    Ok(())
}

/// No account is in two parts (it would be judged twice).
fn check_disjoint(shards: &[(Shard, PathBuf, Inventory)]) -> Result<(), MergeError> {
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for (_, path, inventory) in shards {
        let ids = inventory.accounts.iter().map(|a| a.id.as_str()).chain(inventory.collection_errors.iter().map(|e| e.account_id.as_str()));
        // An account may have several collection errors (one per region) within its part.
        let mut own: Vec<&str> = ids.collect();
        own.sort_unstable();
        own.dedup();
        for id in own {
            if let Some(other) = seen.insert(id, path) {
                return Err(about(path, format!("account {id} is also in {}: the parts overlap", other.display())));
            }
        }
    }
    Ok(())
}

/// Keeps, of two copies of one resource, the one with fewer unreadable facts (the first on a
/// tie).
fn keep_most_readable<T: serde::Serialize>(kept: &mut BTreeMap<String, T>, key: String, candidate: T) {
    match kept.get(&key) {
        Some(current) if unreadable_count(current) <= unreadable_count(&candidate) => {}
        _ => {
            kept.insert(key, candidate);
        }
    }
}

/// How many facts of a resource were unreadable (its `{"unreadable": ...}` values).
fn unreadable_count<T: serde::Serialize>(resource: &T) -> usize {
    fn count(value: &serde_json::Value) -> usize {
        match value {
            serde_json::Value::Object(map) => usize::from(map.contains_key("unreadable")) + map.values().map(count).sum::<usize>(),
            serde_json::Value::Array(items) => items.iter().map(count).sum(),
            _ => 0,
        }
    }
    count(&serde_json::to_value(resource).expect("inventory types serialize"))
}
