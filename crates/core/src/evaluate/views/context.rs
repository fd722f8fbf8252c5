//! The build context: what every scope's builder looks up while deriving the views of one
//! inventory (trails, buckets, keys and accounts by id), made once so that a large
//! organization is not searched list by list, and the choice of the copy of each trail that
//! judges it (`best_copy`).

use super::selectors;
use crate::inventory::{Account, Bucket, Fact, Inventory, KmsKey, Trail};
use std::collections::{BTreeMap, HashMap, HashSet};

pub(super) const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";

/// Context shared while building the views of one inventory.
pub(super) struct BuildContext<'a> {
    pub(super) inventory: &'a Inventory,
    /// Each trail by ARN, from its owner's copy, for owners that were scanned.
    pub(super) owned_trails: BTreeMap<&'a str, (&'a Account, &'a Trail)>,
    pub(super) management_account_id: Option<&'a str>,
    pub(super) buckets: HashMap<&'a str, &'a Bucket>,
    pub(super) keys: HashMap<&'a str, &'a KmsKey>,
    /// The scanned accounts by id, and the organization's member ids (when readable): looked
    /// up once per trail, bucket and member, so a large organization must not scan lists.
    pub(super) accounts_by_id: HashMap<&'a str, &'a Account>,
    pub(super) members: Option<HashSet<&'a str>>,
    /// The partition-wide S3 and Lambda data resources (`arn:aws:s3`, ...), made once.
    pub(super) s3_all: Vec<String>,
    pub(super) lambda_all: Vec<String>,
}

impl<'a> BuildContext<'a> {
    /// The lookups of one inventory, and the copy of each trail that judges it.
    pub(super) fn new(inventory: &'a Inventory) -> BuildContext<'a> {
        let management_account_id = match &inventory.organization {
            Fact::Value(Some(org)) => Some(org.management_account_id.as_str()),
            _ => None,
        };
        // Trails, de-duplicated by ARN: each is evaluated once, from its owner's copy, and only
        // when the owner was scanned (an organization trail seen from a member is coverage only).
        let mut owned_trails: BTreeMap<&str, (&Account, &Trail)> = BTreeMap::new();
        for account in &inventory.accounts {
            for trail in account.trails.iter().filter(|t| t.owner_account_id() == account.id) {
                owned_trails.entry(trail.arn.as_str()).or_insert((account, trail));
            }
        }
        // A CloudTrail delegated administrator manages the organization's trails: when the
        // management account was not scanned, its copy is the one to judge them by (§0.1.5).
        let delegated = cloudtrail_delegated_administrators(inventory);
        for account in inventory.accounts.iter().filter(|a| delegated.contains(&a.id.as_str())) {
            for trail in account.trails.iter().filter(|t| t.is_organization_trail) {
                owned_trails.entry(trail.arn.as_str()).or_insert((account, trail));
            }
        }
        BuildContext {
            owned_trails,
            inventory,
            management_account_id,
            buckets: inventory.buckets.iter().map(|b| (b.name.as_str(), b)).collect(),
            keys: inventory.kms_keys.iter().map(|k| (k.key_id.as_str(), k)).collect(),
            // Reversed so that, as with a search from the front, the first of two same ids wins.
            accounts_by_id: inventory.accounts.iter().rev().map(|a| (a.id.as_str(), a)).collect(),
            members: match &inventory.organization {
                Fact::Value(Some(org)) => match &org.accounts {
                    Fact::Value(members) => Some(members.iter().map(|m| m.id.as_str()).collect()),
                    Fact::Unreadable(_) => None,
                },
                _ => None,
            },
            s3_all: selectors::s3_all_prefixes(&inventory.partition),
            lambda_all: selectors::lambda_all_prefixes(&inventory.partition),
        }
    }

    /// The owner's copy of a trail when the owner was scanned, else the copy seen.
    pub(super) fn best_copy(&self, seen: &'a Trail) -> &'a Trail {
        self.owned_trails.get(seen.arn.as_str()).map_or(seen, |(_, owners_copy)| owners_copy)
    }
}

/// Account ids registered as CloudTrail delegated administrators.
fn cloudtrail_delegated_administrators(inventory: &Inventory) -> Vec<&str> {
    match &inventory.organization {
        Fact::Value(Some(org)) => org
            .delegated_administrators
            .get(CLOUDTRAIL_PRINCIPAL)
            .and_then(Fact::value)
            .map(|admins| admins.iter().map(|a| a.account_id.as_str()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}
