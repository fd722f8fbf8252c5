//! Shard snapshots merged back into one: the demo organization split into parts as
//! `collect --org --shard K/N` splits it, then merged, must judge exactly like the whole.

use std::path::{Path, PathBuf};
use trailwarden_core::config::Config;
use trailwarden_core::evaluate;
use trailwarden_core::inventory::merge::{merge, MergeError};
use trailwarden_core::inventory::{snapshot, Inventory, Shard};

fn demo() -> Inventory {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-org.json");
    snapshot::read(&path).expect("the demo snapshot reads")
}

/// Part `index` of `count`: the accounts (and collection errors) the part holds; every part
/// reads the organization and the buckets and keys its trails name (here: all of them).
fn part(whole: &Inventory, index: u32, count: u32) -> (PathBuf, Inventory) {
    let shard = Shard { index, count };
    let mut inventory = whole.clone();
    inventory.accounts.retain(|a| shard.contains(&a.id));
    inventory.collection_errors.retain(|e| shard.contains(&e.account_id));
    inventory.shard = Some(shard);
    (PathBuf::from(format!("part-{index}.json")), inventory)
}

fn findings(inventory: &Inventory) -> Vec<String> {
    let rules = trailwarden_core::rules::load_builtin().expect("the built-in rules load");
    let evaluation = evaluate::evaluate(&rules, inventory, &Config::default());
    evaluation.findings.iter().map(|f| format!("{} {} {:?} {}", f.rule_id, f.resource.arn, f.outcome, f.message)).collect()
}

#[test]
fn parts_merged_judge_exactly_like_the_whole_organization() {
    let whole = demo();
    for count in [2, 3, 6] {
        let parts: Vec<(PathBuf, Inventory)> = (1..=count).rev().map(|i| part(&whole, i, count)).collect();
        // Every account is in exactly one part.
        let held: usize = parts.iter().map(|(_, p)| p.accounts.len()).sum();
        assert_eq!(held, whole.accounts.len());
        let merged = merge(parts).expect("the parts merge");
        assert_eq!(merged.shard, None);
        assert_eq!(merged.accounts.iter().map(|a| &a.id).collect::<Vec<_>>(), whole.accounts.iter().map(|a| &a.id).collect::<Vec<_>>());
        assert_eq!(findings(&merged), findings(&whole), "{count} parts");
    }
}

#[test]
fn parts_that_do_not_make_one_organization_are_refused() {
    let whole = demo();
    let err = |parts: Vec<(PathBuf, Inventory)>| merge(parts).expect_err("the parts are refused").to_string();

    let missing = err(vec![part(&whole, 1, 3), part(&whole, 3, 3)]);
    assert!(missing.contains("shard(s) 2/3 missing"), "{missing}");

    let twice = err(vec![part(&whole, 1, 2), part(&whole, 1, 2), part(&whole, 2, 2)]);
    assert!(twice.contains("shard 1/2 is given twice"), "{twice}");

    let mixed = err(vec![part(&whole, 1, 2), part(&whole, 2, 3)]);
    assert!(mixed.contains("is a part of 3 parts"), "{mixed}");

    let (path, mut other) = part(&whole, 2, 2);
    if let trailwarden_core::inventory::Fact::Value(Some(org)) = &mut other.organization {
        org.id = "o-another".to_owned();
    }
    let foreign = err(vec![part(&whole, 1, 2), (path, other)]);
    assert!(foreign.starts_with("part-2.json: a part of organization o-another"), "{foreign}");

    let (path, mut overlapping) = part(&whole, 2, 2);
    overlapping.accounts.push(whole.accounts.iter().find(|a| Shard { index: 1, count: 2 }.contains(&a.id)).unwrap().clone());
    let overlap = err(vec![part(&whole, 1, 2), (path, overlapping)]);
    assert!(overlap.contains("the parts overlap"), "{overlap}");

    let mut not_a_part = whole.clone();
    not_a_part.shard = None;
    let plain = merge(vec![(PathBuf::from("whole.json"), not_a_part)]).unwrap_err();
    assert!(matches!(plain, MergeError::File(_)), "{plain}");
    assert!(plain.to_string().contains("not a shard snapshot"), "{plain}");
}
