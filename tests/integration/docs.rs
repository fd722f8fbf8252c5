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

/// A tool of the project's .venv/ (scripts/setup-lint.sh installs them); missing, the test
/// fails saying how to install it.
fn lint_tool(name: &str) -> std::path::PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin").join(name);
    assert!(path.exists(), "{} is missing: run scripts/setup-lint.sh (it installs tests/tools/requirements.txt into .venv/)", path.display());
    path
}

/// The sharded-audit workflow is a valid GitHub workflow (GitHub's schema, as bundled by
/// check-jsonschema), clean under zizmor, with actions pinned by commit, and it collects
/// exactly the parts its matrix lists.
#[test]
fn the_sharded_workflow_recipe_is_valid_clean_and_consistent() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sharded/github-actions.yml");
    let schema = std::process::Command::new(lint_tool("check-jsonschema"))
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(&path)
        .output()
        .expect("check-jsonschema runs");
    assert!(schema.status.success(), "check-jsonschema: {}{}", String::from_utf8_lossy(&schema.stdout), String::from_utf8_lossy(&schema.stderr));
    let zizmor = std::process::Command::new(lint_tool("zizmor")).args(["--offline", "--no-progress"]).arg(&path).output().expect("zizmor runs");
    assert!(zizmor.status.success(), "zizmor: {}{}", String::from_utf8_lossy(&zizmor.stdout), String::from_utf8_lossy(&zizmor.stderr));

    let text = std::fs::read_to_string(&path).unwrap();
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let parts: u32 = workflow["env"]["PARTS"].as_str().unwrap().parse().unwrap();
    let matrix: Vec<u64> =
        workflow["jobs"]["collect"]["strategy"]["matrix"]["part"].as_sequence().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(matrix, (1..=u64::from(parts)).collect::<Vec<_>>(), "the matrix lists every part once");
    assert!(text.contains("collect --org --shard \"$PART/$PARTS\""), "each job collects its part");
    assert!(text.contains("merge --output organization.json parts/part-*.json"), "the parts are merged");
    for line in text.lines().filter(|l| l.trim_start().starts_with("uses:") || l.trim_start().starts_with("- uses:")) {
        let reference = line.split('@').nth(1).unwrap_or("").split_whitespace().next().unwrap_or("");
        assert!(reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()), "not pinned by commit: {line}");
    }
}

/// The Kubernetes recipe: an Indexed Job of N completions whose pods collect part
/// JOB_COMPLETION_INDEX + 1 of N, and a scan Job that merges the parts.
#[test]
fn the_kubernetes_recipe_collects_every_part_once() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sharded/kubernetes.yaml")).unwrap();
    let documents: Vec<serde_yaml::Value> =
        serde_yaml::Deserializer::from_str(&text).map(|d| serde::Deserialize::deserialize(d).expect("each document parses")).collect();
    let job = |name: &str| documents.iter().find(|d| d["kind"] == "Job" && d["metadata"]["name"] == name).unwrap_or_else(|| panic!("no Job {name}"));
    let collect = job("trailwarden-collect");
    assert_eq!(collect["spec"]["completionMode"], "Indexed");
    let completions = collect["spec"]["completions"].as_u64().unwrap();
    assert_eq!(collect["spec"]["parallelism"].as_u64(), Some(completions));
    let container = &collect["spec"]["template"]["spec"]["containers"][0];
    let parts = container["env"].as_sequence().unwrap().iter().find(|e| e["name"] == "PARTS").unwrap()["value"].as_str().unwrap();
    assert_eq!(parts.parse::<u64>().unwrap(), completions, "PARTS matches the completions");
    let args = container["args"][0].as_str().unwrap();
    assert!(args.contains("part=$((JOB_COMPLETION_INDEX + 1))") && args.contains("collect --org --shard \"$part/$PARTS\""), "{args}");
    let scan = job("trailwarden-scan");
    let args = scan["spec"]["template"]["spec"]["containers"][0]["args"][0].as_str().unwrap();
    assert!(args.contains("trailwarden merge --output /parts/organization.json /parts/part-*.json"), "{args}");
    assert!(args.contains("scan --snapshot /parts/organization.json"), "{args}");
}
