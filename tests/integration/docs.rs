//! The committed rule documentation (docs/rules/) must match the rule files; the shipped
//! workflows, action, recipes and Dockerfile must pass their linters and agree with each other.

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

/// Runs a linter of .venv/ on a file; fails the test with the linter's output unless it is clean.
fn assert_lint_clean(tool: &str, args: &[&str], path: &Path) {
    let output = std::process::Command::new(lint_tool(tool)).args(args).arg(path).output().unwrap_or_else(|e| panic!("{tool} runs: {e}"));
    assert!(
        output.status.success(),
        "{tool} on {}: {}{}",
        path.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A GitHub workflow (`vendor.github-workflows`) or action (`vendor.github-actions`) is valid
/// against GitHub's schema as bundled by check-jsonschema and clean under zizmor, and every
/// action it uses is pinned to a commit.
fn assert_valid_clean_and_pinned(path: &Path, schema: &str) {
    assert_lint_clean("check-jsonschema", &["--builtin-schema", schema], path);
    assert_lint_clean("zizmor", &["--offline", "--no-progress"], path);
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines().filter(|l| l.trim_start().starts_with("uses:") || l.trim_start().starts_with("- uses:")) {
        let reference = line.split('@').nth(1).unwrap_or("").split_whitespace().next().unwrap_or("");
        assert!(reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()), "{}: not pinned by commit: {line}", path.display());
    }
}

/// Every step (of any job, or of a composite action) in a parsed workflow or action.
fn steps(document: &serde_yaml::Value) -> Vec<&serde_yaml::Value> {
    let mut found = Vec::new();
    let mut stack = vec![document];
    while let Some(value) = stack.pop() {
        match value {
            serde_yaml::Value::Mapping(map) => {
                for (key, child) in map {
                    if key.as_str() == Some("steps") {
                        found.extend(child.as_sequence().into_iter().flatten());
                    } else {
                        stack.push(child);
                    }
                }
            }
            serde_yaml::Value::Sequence(items) => stack.extend(items),
            _ => {}
        }
    }
    found
}

fn yaml_file(relative: &str) -> (String, serde_yaml::Value) {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
    (text, value)
}

/// The sharded-audit workflow is a valid GitHub workflow (GitHub's schema, as bundled by
/// check-jsonschema), clean under zizmor, with actions pinned by commit, and it collects
/// exactly the parts its matrix lists.
#[test]
fn the_sharded_workflow_recipe_is_valid_clean_and_consistent() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sharded/github-actions.yml");
    assert_valid_clean_and_pinned(&path, "vendor.github-workflows");

    let text = std::fs::read_to_string(&path).unwrap();
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let parts: u32 = workflow["env"]["PARTS"].as_str().unwrap().parse().unwrap();
    let matrix: Vec<u64> =
        workflow["jobs"]["collect"]["strategy"]["matrix"]["part"].as_sequence().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(matrix, (1..=u64::from(parts)).collect::<Vec<_>>(), "the matrix lists every part once");
    assert!(text.contains("collect --org --shard \"$PART/$PARTS\""), "each job collects its part");
    assert!(text.contains("merge --output organization.json parts/part-*.json"), "the parts are merged");
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

/// The project's own workflows (.github/workflows/) and its GitHub Action (action.yml) are
/// valid against GitHub's schemas, clean under zizmor and pinned by commit; no `run:` script
/// expands `${{ }}` (inputs reach scripts through `env:`); CI runs .ci/run.
#[test]
fn the_projects_workflows_and_action_are_valid_clean_and_pinned() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(root.join(".github/workflows"))
        .expect(".github/workflows exists")
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".yml") || name.ends_with(".yaml"))
        .map(|name| format!(".github/workflows/{name}"))
        .collect();
    files.sort();
    assert!(files.contains(&".github/workflows/ci.yml".to_string()) && files.contains(&".github/workflows/release.yml".to_string()), "{files:?}");
    for file in &files {
        assert_valid_clean_and_pinned(&root.join(file), "vendor.github-workflows");
    }
    assert_valid_clean_and_pinned(&root.join("action.yml"), "vendor.github-actions");

    files.push("action.yml".to_string());
    for file in &files {
        let (_, document) = yaml_file(file);
        for step in steps(&document) {
            if let Some(script) = step["run"].as_str() {
                assert!(!script.contains("${{"), "{file}: a run: script expands an expression; pass it through env: instead:\n{script}");
            }
        }
    }
    let (_, ci) = yaml_file(".github/workflows/ci.yml");
    assert!(steps(&ci).iter().any(|step| step["run"].as_str() == Some("bash .ci/run")), "ci.yml runs .ci/run");
}

/// The pull-request workflow of docs/github-actions.md (infrastructure as code) is a valid
/// GitHub workflow, clean under zizmor and pinned by commit, with no permission beyond what
/// its jobs use, and it runs the commands docs/iac.md documents.
#[test]
fn the_documented_pull_request_workflow_is_valid_clean_and_pinned() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/github-actions.md")).unwrap();
    let section = doc.split("\n## Infrastructure as code in pull requests\n").nth(1).expect("the section is in docs/github-actions.md");
    let section = section.split("\n## ").next().unwrap();
    let workflow = section.split("```yaml\n").nth(1).and_then(|rest| rest.split("\n```").next()).expect("the section has a YAML workflow");
    let dir = tempfile::tempdir().unwrap();
    // zizmor and check-jsonschema know a workflow by its place in .github/workflows/.
    let path = dir.path().join(".github/workflows/trailwarden-iac.yml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, format!("{workflow}\n")).unwrap();
    assert_valid_clean_and_pinned(&path, "vendor.github-workflows");

    let parsed: serde_yaml::Value = serde_yaml::from_str(workflow).unwrap();
    assert_eq!(parsed["permissions"], serde_yaml::Value::Mapping(Default::default()), "no workflow-level permission");
    assert!(parsed["on"]["pull_request"].is_mapping(), "it runs on pull requests");
    for job in ["cloudformation", "terraform"] {
        let permissions = parsed["jobs"][job]["permissions"].as_mapping().unwrap_or_else(|| panic!("job {job} sets its permissions"));
        assert_eq!(permissions.get("contents").and_then(|v| v.as_str()), Some("read"), "{job}");
        assert_eq!(permissions.get("security-events").and_then(|v| v.as_str()), Some("write"), "{job}");
        let uploads = steps(&parsed["jobs"][job])
            .iter()
            .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")))
            .count();
        assert_eq!(uploads, 1, "{job} uploads its SARIF");
    }
    assert!(parsed["jobs"]["cloudformation"]["permissions"].get("id-token").is_none(), "a template scan needs no AWS credentials");
    for command in [
        "trailwarden scan --cloudformation ",
        "terraform plan -input=false -out plan.out",
        "terraform show -json plan.out > plan.json",
        "trailwarden scan --terraform-plan plan.json --terraform-dir . --sarif trailwarden.sarif --fail-on high",
    ] {
        assert!(workflow.contains(command), "the workflow runs `{command}`");
    }
    // The same pins as the project's own workflows and action.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pinned = [".github/workflows/ci.yml", "action.yml", "docs/action.md"].map(|f| std::fs::read_to_string(root.join(f)).unwrap()).concat();
    for line in workflow.lines().filter(|l| l.contains("uses: ") && !l.contains("hashicorp/setup-terraform")) {
        let reference = line.trim_start().trim_start_matches("- ").trim_start_matches("uses: ").split_whitespace().next().unwrap();
        assert!(pinned.contains(reference), "{reference} is pinned as elsewhere in the project");
    }
}

/// Every whole workflow written in docs/github-actions.md and docs/scheduled-audit.md (a YAML
/// block with `name:` and `jobs:`) is a valid GitHub workflow, clean under zizmor and pinned by
/// commit, and every `uses:` line of any YAML block in docs/ (fragments included) is pinned:
/// users copy these. docs/action.md's workflow names the action by the placeholder
/// `OWNER/trailwarden@COMMIT`, so only its pins are checked.
#[test]
fn every_documented_workflow_is_valid_clean_and_pinned() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let workflows_dir = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows_dir).unwrap();
    let mut linted = Vec::new();
    let mut docs: Vec<_> =
        std::fs::read_dir(root.join("docs")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "md")).collect();
    docs.sort();
    for doc in docs {
        let name = doc.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&doc).unwrap();
        for (index, block) in text.split("```yaml\n").skip(1).filter_map(|rest| rest.split("\n```").next()).enumerate() {
            for line in block.lines().filter(|l| l.trim_start().trim_start_matches("- ").starts_with("uses:")) {
                let reference = line.split('@').nth(1).unwrap_or("").split_whitespace().next().unwrap_or("");
                let pinned = reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit());
                assert!(pinned || line.contains("OWNER/trailwarden@COMMIT"), "docs/{name}.md: not pinned by commit: {line}");
            }
            if block.starts_with("name:") && block.contains("\njobs:") && name != "action" {
                let path = workflows_dir.join(format!("{name}-{index}.yml"));
                std::fs::write(&path, format!("{block}\n")).unwrap();
                assert_valid_clean_and_pinned(&path, "vendor.github-workflows");
                linted.push(format!("{name}-{index}"));
            }
        }
    }
    // The scan-and-upload workflow, the pull-request workflow and the scheduled audit.
    assert_eq!(linted, ["github-actions-0", "github-actions-2", "scheduled-audit-0"], "the documented workflows found");
}

/// The action installs what release.yml publishes: one archive per target, named
/// trailwarden-VERSION-TARGET.tar.gz with the binary in a directory of the same name, checked
/// against SHA256SUMS; and the gate comes after the summary and the SARIF upload.
#[test]
fn the_action_installs_the_archives_the_release_publishes() {
    let (release_text, release) = yaml_file(".github/workflows/release.yml");
    let (action_text, action) = yaml_file("action.yml");

    let released: std::collections::BTreeSet<&str> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("release.yml builds a matrix of targets")
        .iter()
        .map(|entry| entry["target"].as_str().unwrap())
        .collect();
    // The install script maps the runner to a target with `OS/ARCH) target=TARGET ;;`.
    let installed: std::collections::BTreeSet<&str> =
        action_text.lines().filter_map(|line| line.split_once(") target=").map(|(_, rest)| rest.trim_end_matches(";;").trim())).collect();
    assert_eq!(installed, released, "the action's targets are the release's");

    for expected in
        [r#"name="trailwarden-$VERSION-$TARGET""#, r#"tar -C dist -czf "dist/$name.tar.gz" "$name""#, "sha256sum -- *.tar.gz > SHA256SUMS"]
    {
        assert!(release_text.contains(expected), "release.yml: {expected}");
    }
    for expected in [
        r#"archive="trailwarden-$version-$target.tar.gz""#,
        r#"bin="$dir/trailwarden-$version-$target/trailwarden""#,
        r#""$download/SHA256SUMS""#,
        r#"[ "$actual" = "$expected" ]"#,
    ] {
        assert!(action_text.contains(expected), "action.yml: {expected}");
    }

    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let position = |needle: &str| {
        steps
            .iter()
            .position(|step| step["uses"].as_str().is_some_and(|u| u.contains(needle)) || step["run"].as_str().is_some_and(|r| r.contains(needle)))
            .unwrap_or_else(|| panic!("action.yml has no step with {needle}"))
    };
    let (summary, upload, gate) = (position("$GITHUB_STEP_SUMMARY"), position("github/codeql-action/upload-sarif@"), position(r#"exit "$STATUS""#));
    assert!(summary < gate && upload < gate && gate == steps.len() - 1, "the gate is the last step, after the summary and the upload");
    for index in [summary, upload, gate] {
        assert!(steps[index]["if"].as_str().is_some_and(|c| c.starts_with("always()")), "step {index} runs whatever came before");
    }
}

fn rust_version_number(version: &str) -> Vec<u32> {
    version.split('.').map(|part| part.parse().unwrap_or_else(|_| panic!("not a Rust version: {version}"))).collect()
}

/// One Rust toolchain for the image, CI and releases, new enough for both crates' rust-version.
#[test]
fn one_rust_toolchain_builds_the_image_ci_and_releases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    let image = dockerfile.lines().find_map(|line| line.strip_prefix("ARG RUST_VERSION=")).expect("the Dockerfile declares ARG RUST_VERSION=").trim();
    assert!(dockerfile.contains("FROM rust:${RUST_VERSION}-slim-bookworm AS build"), "the build stage uses RUST_VERSION");
    for workflow in [".github/workflows/ci.yml", ".github/workflows/release.yml"] {
        let (_, document) = yaml_file(workflow);
        assert_eq!(document["env"]["RUSTUP_TOOLCHAIN"].as_str(), Some(image), "{workflow} builds with the Dockerfile's Rust");
    }
    for manifest in ["Cargo.toml", "crates/core/Cargo.toml"] {
        let text = std::fs::read_to_string(root.join(manifest)).unwrap();
        let minimum = text.lines().find_map(|line| line.strip_prefix("rust-version = ")).unwrap_or_else(|| panic!("{manifest} has a rust-version"));
        assert!(
            rust_version_number(minimum.trim_matches('"')) <= rust_version_number(image),
            "{manifest}: rust-version {minimum} is newer than {image}"
        );
    }
}

/// The Dockerfile is clean under hadolint; its image runs the Kubernetes recipe (a shell for
/// `/bin/sh -c`, the recipe's user id); the build context holds what the Dockerfile copies.
#[test]
fn the_dockerfile_is_clean_and_runs_the_kubernetes_recipe() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_lint_clean("hadolint", &[], &root.join("Dockerfile"));
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    let instructions: Vec<&str> = dockerfile.lines().filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty()).collect();

    let final_base = instructions.iter().rev().find_map(|l| l.strip_prefix("FROM ")).expect("a FROM").trim();
    assert!(
        final_base.starts_with("debian:"),
        "the recipes run `/bin/sh -c` in the image: the final stage needs a shell ({final_base}; a distroless image has none)"
    );
    assert!(instructions.contains(&r#"ENTRYPOINT ["trailwarden"]"#), "the entrypoint is trailwarden");
    let user = instructions.iter().rev().find_map(|l| l.strip_prefix("USER ")).expect("a USER").trim();
    let uid: u64 = user.split(':').next().unwrap().parse().expect("USER is numeric, for runAsNonRoot");
    assert_ne!(uid, 0, "the image runs as a user other than root");

    let text = std::fs::read_to_string(root.join("examples/sharded/kubernetes.yaml")).unwrap();
    let documents: Vec<serde_yaml::Value> =
        serde_yaml::Deserializer::from_str(&text).map(|d| serde::Deserialize::deserialize(d).expect("each document parses")).collect();
    for job in documents.iter().filter(|d| d["kind"] == "Job") {
        let spec = &job["spec"]["template"]["spec"];
        assert_eq!(spec["securityContext"]["runAsUser"].as_u64(), Some(uid), "{:?} runs as the image's user", job["metadata"]["name"]);
        assert_eq!(spec["containers"][0]["command"][0].as_str(), Some("/bin/sh"), "{:?}", job["metadata"]["name"]);
    }

    // .dockerignore leaves out everything (target/, .venv/, .ci/node/, .git/...) but what the
    // Dockerfile copies from the context.
    let ignore = std::fs::read_to_string(root.join(".dockerignore")).unwrap();
    let rules: Vec<&str> = ignore.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert_eq!(rules.first(), Some(&"*"), ".dockerignore starts by leaving everything out");
    let kept: Vec<&str> = rules.iter().filter_map(|r| r.strip_prefix('!')).map(|r| r.trim_matches('/')).collect();
    let mut copied = 0;
    for line in instructions.iter().filter(|l| l.starts_with("COPY ") && !l.contains("--from=")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        for source in &words[1..words.len() - 1] {
            let source = source.trim_start_matches("./").trim_end_matches('/');
            assert!(
                kept.iter().any(|k| source == *k || source.starts_with(&format!("{k}/"))),
                ".dockerignore leaves out {source}, which the Dockerfile copies"
            );
            copied += 1;
        }
    }
    assert!(copied > 0, "the Dockerfile copies the sources");
}
