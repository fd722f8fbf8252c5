//! The committed rule documentation (docs/rules/) must match the rule files.

use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn committed_rule_docs_are_fresh() {
    let set = trailwarden_core::rules::load_builtin().expect("the built-in rules load");
    let pages = trailwarden_core::rules::docs::render(&set);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    if std::env::var_os("TRAILWARDEN_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, content) in &pages {
            std::fs::write(dir.join(name), content).unwrap();
        }
    }
    let regenerate = "regenerate with `cargo run -q -- rules docs docs/rules`";
    for (name, content) in &pages {
        let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|_| panic!("docs/rules/{name} is missing; {regenerate}"));
        assert!(committed == *content, "docs/rules/{name} is stale; {regenerate}");
    }
    let expected: BTreeSet<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(expected.contains(name.as_str()), "docs/rules/{name} documents no rule; remove it ({regenerate})");
    }
}

#[test]
fn committed_iam_policy_is_fresh_and_read_only() {
    let set = trailwarden_core::rules::load_builtin().expect("the built-in rules load");
    let policy = trailwarden_core::iam::policy(&set, &trailwarden_core::config::Config::default());
    let mut generated = serde_json::to_string_pretty(&policy).unwrap();
    generated.push('\n');
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy.json");
    if std::env::var_os("TRAILWARDEN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).expect("docs/iam-policy.json exists");
    assert!(committed == generated, "docs/iam-policy.json is stale: regenerate it with `cargo run -q -- iam-policy > docs/iam-policy.json`");
    for statement in policy["Statement"].as_array().unwrap() {
        for action in statement["Action"].as_array().unwrap() {
            let action = action.as_str().unwrap();
            assert!(trailwarden_core::inventory::reads::is_read_action(action), "{action} is not a read action");
        }
    }
}
