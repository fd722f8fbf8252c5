//! Where each resource of a plan is declared: the `resource "TYPE" "NAME" {` line in the `.tf`
//! files of the configuration directory (`--terraform-dir`), and of its modules, or the line
//! of the `"NAME"` key in their `.tf.json` files (tf_json.rs).
//!
//! A module's directory comes from `.terraform/modules/modules.json` (written by `terraform
//! init`: `Key` `a.b` for `module.a.module.b`, `Dir` relative to the configuration directory),
//! else, for a local module (`source = "./..."`), from the plan's module calls. Every instance
//! of a resource with count or for_each (`aws_s3_bucket.b[0]`, `module.a["x"]...`) maps to its
//! one declaration. Override files (`override.tf`, `*_override.tf.json`...) are read last, so
//! a resource they only change is placed where it is declared.
//!
//! The scanner reads just enough HCL to find block headers at the top level of a file:
//! comments (`#`, `//`, `/* */`), quoted strings with `${...}` interpolations, and heredocs
//! are skipped, so a `resource "..."` inside them is not a declaration; it never fails on a
//! `.tf` file, finding what it can. A `.tf.json` file is JSON, checked as such: one that is
//! not (or whose `resource` is not built of objects) is an error naming the file and line,
//! like a file that cannot be read, because Terraform refuses it too and the plan cannot have
//! been made from this directory as it stands. Without a directory, or for a resource whose
//! declaration is not found (a module from a registry without modules.json), the location
//! names the plan file with line 0 (unknown).

use super::address::Address;
use super::plan::{ConfigModule, Plan};
use super::tf_json;
use crate::diagnostic::Diagnostic;
use crate::resource::Location;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The declarations found, by module path and `TYPE.NAME`.
#[derive(Debug, Default)]
pub struct Locator {
    plan_file: String,
    declarations: HashMap<(Vec<String>, String), (String, u32)>,
}

#[derive(Deserialize)]
struct ModulesJson {
    #[serde(rename = "Modules", default)]
    modules: Vec<ModuleEntry>,
}

#[derive(Deserialize)]
struct ModuleEntry {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Dir")]
    dir: String,
}

impl Locator {
    /// Locations that name the plan file only (no configuration directory given).
    pub fn plan_only(plan_path: &Path) -> Self {
        Locator { plan_file: display(plan_path), declarations: HashMap::new() }
    }

    /// The declarations of configuration files already read (`configuration_files`).
    pub fn from_files(plan_path: &Path, files: &[ConfigFile]) -> Result<Self, Diagnostic> {
        let mut locator = Locator::plan_only(plan_path);
        for file in files {
            let found = match is_json(&file.path) {
                true => tf_json::declarations(&file.path, &file.text)?
                    .into_iter()
                    .map(|d| Declaration { resource_type: d.resource_type, name: d.name, line: d.line })
                    .collect(),
                false => declarations(&file.text),
            };
            for declaration in found {
                let key = (file.module_path.clone(), format!("{}.{}", declaration.resource_type, declaration.name));
                locator.declarations.entry(key).or_insert((display(&file.path), declaration.line));
            }
        }
        Ok(locator)
    }

    /// Where the instance at `address` is declared.
    pub fn locate(&self, address: &str, parts: &Address) -> Location {
        match self.declarations.get(&(parts.module_path.clone(), parts.in_module())) {
            Some((file, line)) => Location { file: file.clone(), line: *line, address: address.to_owned() },
            None => Location { file: self.plan_file.clone(), line: 0, address: address.to_owned() },
        }
    }
}

/// One configuration file of a module, read.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// The module's path of calls (`["a", "b"]` for `module.a.module.b`; empty for the root).
    pub module_path: Vec<String>,
    pub path: PathBuf,
    pub text: String,
}

impl ConfigFile {
    /// A `.tf.json` file (JSON syntax) rather than a `.tf` file (native syntax).
    pub fn is_json(&self) -> bool {
        is_json(&self.path)
    }
}

/// The `.tf` and `.tf.json` files of the configuration directory `dir` and of its modules'
/// directories, read once for every use (locations here, locals in locals.rs).
pub fn configuration_files(dir: &Path, plan: &Plan) -> Result<Vec<ConfigFile>, Diagnostic> {
    if !dir.is_dir() {
        return Err(Diagnostic::file(dir, "the Terraform directory does not exist or is not a directory"));
    }
    let mut files = Vec::new();
    for (module_path, module_dir) in module_dirs(dir, plan)? {
        for path in tf_files(&module_dir)? {
            let text = std::fs::read_to_string(&path).map_err(|e| Diagnostic::file(&path, format!("cannot read the Terraform file: {e}")))?;
            files.push(ConfigFile { module_path: module_path.clone(), path, text });
        }
    }
    Ok(files)
}

/// Each module's path of calls and its directory: from modules.json when `terraform init` wrote
/// one, else the root and the local module calls of the plan's configuration.
fn module_dirs(dir: &Path, plan: &Plan) -> Result<Vec<(Vec<String>, PathBuf)>, Diagnostic> {
    let manifest = dir.join(".terraform").join("modules").join("modules.json");
    if manifest.is_file() {
        let text = std::fs::read_to_string(&manifest).map_err(|e| Diagnostic::file(&manifest, format!("cannot read the module manifest: {e}")))?;
        let parsed: ModulesJson =
            serde_json::from_str(&text).map_err(|e| Diagnostic::from_json(&manifest, &e).in_context("invalid module manifest"))?;
        let mut dirs: Vec<(Vec<String>, PathBuf)> = parsed
            .modules
            .into_iter()
            .map(|m| {
                let path = if m.key.is_empty() { Vec::new() } else { m.key.split('.').map(str::to_owned).collect() };
                (path, dir.join(m.dir))
            })
            .collect();
        if !dirs.iter().any(|(path, _)| path.is_empty()) {
            dirs.push((Vec::new(), dir.to_owned()));
        }
        return Ok(dirs);
    }
    let mut dirs = vec![(Vec::new(), dir.to_owned())];
    if let Some(configuration) = &plan.configuration {
        local_calls(&configuration.root_module, &[], dir, &mut dirs);
    }
    Ok(dirs)
}

fn local_calls(module: &ConfigModule, path: &[String], dir: &Path, out: &mut Vec<(Vec<String>, PathBuf)>) {
    for (name, call) in &module.module_calls {
        if !(call.source.starts_with("./") || call.source.starts_with("../")) {
            continue; // a registry or remote module: only modules.json says where it is
        }
        let child_dir = dir.join(&call.source);
        let mut child_path = path.to_vec();
        child_path.push(name.clone());
        local_calls(&call.module, &child_path, &child_dir, out);
        out.push((child_path, child_dir));
    }
}

/// The `.tf` and `.tf.json` files of one module directory, in name order, override files
/// (`override.tf`, `*_override.tf.json`...) last: they change resources declared elsewhere, so
/// the declaration is the other file's. A missing directory has none.
fn tf_files(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file() && stem(p).is_some()).collect();
    files.sort_by_key(|p| (stem(p).is_some_and(|s| s == "override" || s.ends_with("_override")), p.clone()));
    Ok(files)
}

/// A configuration file's name without `.tf` or `.tf.json`; None for any other file.
fn stem(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    name.strip_suffix(".tf").or_else(|| name.strip_suffix(".tf.json"))
}

fn is_json(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".tf.json"))
}

/// A path as reports show it: `/` separators, `.` and `..` folded where they can be.
fn display(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if parts.last().is_some_and(|p| p != "..") => {
                parts.pop();
            }
            Component::RootDir => parts.push(String::new()),
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    if parts == [""] {
        return "/".to_owned();
    }
    parts.join("/")
}

/// One `resource "TYPE" "NAME" {` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub resource_type: String,
    pub name: String,
    /// 1-based line of the `resource` keyword.
    pub line: u32,
}

/// A token of a block header at the top level of a file.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String, u32),
    Label(String),
}

/// The resource blocks declared at the top level of one `.tf` file (tf_json.rs reads
/// `.tf.json` files).
pub fn declarations(text: &str) -> Vec<Declaration> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut line: u32 = 1;
    let mut depth: usize = 0;
    let mut header: Vec<Token> = Vec::new();
    let mut pending_heredoc: Option<(String, bool)> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
                header.clear();
                if let Some((marker, _)) = pending_heredoc.take() {
                    i = skip_heredoc(&chars, i, &marker, &mut line);
                }
                continue;
            }
            '#' => {
                i = skip_to_line_end(&chars, i);
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                i = skip_to_line_end(&chars, i);
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
                continue;
            }
            '"' => {
                let (end, content) = skip_string(&chars, i + 1, &mut line, 0);
                if depth == 0 {
                    header.push(Token::Label(content));
                }
                i = end;
                continue;
            }
            '<' if chars.get(i + 1) == Some(&'<') => {
                let mut j = i + 2;
                let strip = chars.get(j) == Some(&'-');
                if strip {
                    j += 1;
                }
                let start = j;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                if j > start {
                    pending_heredoc = Some((chars[start..j].iter().collect(), strip));
                    i = j;
                    continue;
                }
            }
            '{' => {
                if depth == 0 {
                    if let [Token::Word(keyword, at), Token::Label(t), Token::Label(n)] = header.as_slice() {
                        if keyword == "resource" {
                            found.push(Declaration { resource_type: t.clone(), name: n.clone(), line: *at });
                        }
                    }
                }
                depth += 1;
                header.clear();
            }
            '}' => {
                depth = depth.saturating_sub(1);
                header.clear();
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '-') {
                    i += 1;
                }
                if depth == 0 {
                    let word: String = chars[start..i].iter().collect();
                    // A label may be a bare identifier (`resource aws_s3_bucket logs {`).
                    match header.is_empty() {
                        true => header.push(Token::Word(word, line)),
                        false => header.push(Token::Label(word)),
                    }
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// How deep `"${"${...` templates are followed.
const MAX_TEMPLATES: usize = 32;

fn skip_to_line_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i] != '\n' {
        i += 1;
    }
    i
}

/// Skips a quoted string from just after its opening quote, through `${...}` and `%{...}`
/// templates (which may hold strings of their own); returns the index after the closing quote
/// and the text between the quotes.
fn skip_string(chars: &[char], mut i: usize, line: &mut u32, templates: usize) -> (usize, String) {
    let start = i;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return (i + 1, chars[start..i].iter().collect()),
            '$' | '%' if chars.get(i + 1) == Some(&'{') => {
                if i > start && chars[i - 1] == chars[i] {
                    i += 2; // `$${` and `%%{` are escapes, not templates
                    continue;
                }
                i = skip_template(chars, i + 2, line, templates + 1);
            }
            '\n' => {
                // A quoted string cannot span lines in HCL: stop here and let the caller go on.
                return (i, chars[start..i].iter().collect());
            }
            _ => i += 1,
        }
    }
    (i, chars[start..].iter().collect())
}

/// Skips a template expression from just after its `{`, to just after the matching `}`.
fn skip_template(chars: &[char], mut i: usize, line: &mut u32, templates: usize) -> usize {
    let mut depth = 1usize;
    while i < chars.len() {
        match chars[i] {
            // Past `MAX_TEMPLATES` nested templates (hostile input; no configuration comes
            // close) a quote is counted as text, so the stack cannot run out.
            '"' if templates < MAX_TEMPLATES => {
                i = skip_string(chars, i + 1, line, templates).0;
                continue;
            }
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            '\n' => *line += 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Skips a heredoc body from the start of its first line, through the line that holds only
/// the marker; returns the index of that line's end.
fn skip_heredoc(chars: &[char], mut i: usize, marker: &str, line: &mut u32) -> usize {
    loop {
        let end = skip_to_line_end(chars, i);
        let text: String = chars[i..end].iter().collect();
        if text.trim() == marker || end >= chars.len() {
            return end;
        }
        *line += 1;
        i = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The locator of the configuration directory `dir` and its modules' directories.
    fn locator(dir: &Path, plan: &Plan) -> Result<Locator, Diagnostic> {
        Locator::from_files(Path::new("plan.json"), &configuration_files(dir, plan)?)
    }

    fn found(text: &str) -> Vec<(String, u32)> {
        declarations(text).into_iter().map(|d| (format!("{}.{}", d.resource_type, d.name), d.line)).collect()
    }

    #[test]
    fn top_level_resource_headers_are_found_with_their_lines() {
        let text = "terraform {\n  required_version = \">= 1.0\"\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"x\"\n  tags = { a = \"}\" }\n}\n\nresource aws_kms_key key {\n}\ndata \"aws_caller_identity\" \"me\" {}\n";
        assert_eq!(found(text), [("aws_s3_bucket.logs".to_owned(), 5), ("aws_kms_key.key".to_owned(), 10)]);
    }

    #[test]
    fn comments_strings_and_heredocs_are_not_declarations() {
        let text = r#"# resource "aws_s3_bucket" "commented" {
// resource "aws_s3_bucket" "slashed" {
/* resource "aws_s3_bucket" "block" {
*/
locals {
  text = "resource \"aws_s3_bucket\" \"quoted\" {"
  tpl  = "${jsonencode({ a = "resource \"x\" \"y\" {" })}"
}
resource "aws_s3_bucket_policy" "p" {
  policy = <<-EOT
resource "aws_s3_bucket" "heredoc" {
    }
  EOT
}
resource "aws_cloudtrail" "t" {
}
"#;
        assert_eq!(found(text), [("aws_s3_bucket_policy.p".to_owned(), 9), ("aws_cloudtrail.t".to_owned(), 15)]);
    }

    #[test]
    fn deeply_nested_templates_do_not_exhaust_the_stack() {
        let text = format!("locals {{\n  deep = {}\n}}\nresource \"aws_s3_bucket\" \"after\" {{\n}}\n", "\"${".repeat(200_000));
        declarations(&text);
    }

    #[test]
    fn nested_blocks_are_not_top_level() {
        let text =
            "resource \"aws_cloudtrail\" \"t\" {\n  dynamic \"event_selector\" {\n    content {}\n  }\n}\nresource \"aws_s3_bucket\" \"b\" {}\n";
        assert_eq!(found(text), [("aws_cloudtrail.t".to_owned(), 1), ("aws_s3_bucket.b".to_owned(), 6)]);
    }

    #[test]
    fn modules_json_places_module_resources_and_every_instance_maps_to_one_declaration() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("main.tf"), "module \"logs\" {\n  source = \"./modules/logs\"\n}\n\nresource \"aws_cloudtrail\" \"t\" {\n}\n")
            .unwrap();
        std::fs::create_dir_all(root.join("modules/logs")).unwrap();
        std::fs::write(root.join("modules/logs/bucket.tf"), "\n\nresource \"aws_s3_bucket\" \"this\" {\n  count = 2\n}\n").unwrap();
        std::fs::create_dir_all(root.join(".terraform/modules")).unwrap();
        std::fs::write(
            root.join(".terraform/modules/modules.json"),
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"logs","Source":"./modules/logs","Dir":"modules/logs"}]}"#,
        )
        .unwrap();
        let locator = locator(root, &Plan::default()).unwrap();
        let address = r#"module.logs["a"].aws_s3_bucket.this[1]"#;
        let at = locator.locate(address, &Address::parse(address).unwrap());
        assert_eq!((at.file.ends_with("/modules/logs/bucket.tf"), at.line, at.address.as_str()), (true, 3, address));
        let at = locator.locate("aws_cloudtrail.t", &Address::parse("aws_cloudtrail.t").unwrap());
        assert_eq!((at.file.ends_with("/main.tf"), at.line), (true, 5));
        let at = locator.locate("aws_kms_key.k", &Address::parse("aws_kms_key.k").unwrap());
        assert_eq!((at.file.as_str(), at.line), ("plan.json", 0), "not declared in the directory: the plan, line unknown");
    }

    #[test]
    fn without_modules_json_local_module_calls_of_the_plan_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("mods/logs")).unwrap();
        std::fs::write(root.join("mods/logs/main.tf"), "resource \"aws_s3_bucket\" \"this\" {}\n").unwrap();
        let plan = super::super::plan::parse(
            r#"{"format_version": "1.2", "planned_values": {"root_module": {}}, "configuration": {"root_module": {"module_calls": {"logs": {"source": "./mods/logs", "module": {}}, "remote": {"source": "terraform-aws-modules/s3-bucket/aws", "module": {}}}}}}"#,
            Path::new("plan.json"),
        )
        .unwrap();
        let locator = locator(root, &plan).unwrap();
        let at = locator.locate("module.logs.aws_s3_bucket.this", &Address::parse("module.logs.aws_s3_bucket.this").unwrap());
        assert_eq!((at.file.ends_with("mods/logs/main.tf"), at.line), (true, 1));
    }

    #[test]
    fn tf_json_files_are_located_and_override_files_come_last() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // `a_override.tf` sorts before `main.tf.json` but only changes what main.tf.json declares.
        std::fs::write(root.join("a_override.tf"), "resource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = true\n}\n").unwrap();
        std::fs::write(
            root.join("main.tf.json"),
            "{\n  \"resource\": {\n    \"aws_s3_bucket\": {\n      \"logs\": {\"bucket\": \"logs\"}\n    },\n    \"aws_cloudtrail\": [{\"t\": {}}]\n  }\n}\n",
        )
        .unwrap();
        std::fs::write(root.join("notes.json"), "not configuration").unwrap();
        let locator = locator(root, &Plan::default()).unwrap();
        let at = locator.locate("aws_s3_bucket.logs", &Address::parse("aws_s3_bucket.logs").unwrap());
        assert_eq!((at.file.ends_with("/main.tf.json"), at.line), (true, 4), "{at:?}");
        let at = locator.locate("aws_cloudtrail.t", &Address::parse("aws_cloudtrail.t").unwrap());
        assert_eq!((at.file.ends_with("/main.tf.json"), at.line), (true, 6), "{at:?}");
    }

    #[test]
    fn a_broken_tf_json_file_is_an_error_naming_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), "resource \"aws_s3_bucket\" \"b\" {}\n").unwrap();
        std::fs::write(dir.path().join("gen.tf.json"), "{\n  \"resource\": {\n    \"aws_s3_bucket\": {\"a\": {},}\n  }\n}\n").unwrap();
        let error = locator(dir.path(), &Plan::default()).unwrap_err();
        assert!(error.path.ends_with("gen.tf.json") && error.line == Some(3), "{error}");
        assert!(error.message.contains("invalid Terraform JSON configuration"), "{error}");
    }

    #[test]
    fn a_broken_manifest_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".terraform/modules")).unwrap();
        std::fs::write(dir.path().join(".terraform/modules/modules.json"), "{\"Modules\": [").unwrap();
        let error = locator(dir.path(), &Plan::default()).unwrap_err();
        assert!(error.path.ends_with("modules.json") && error.message.contains("invalid module manifest"), "{error}");
    }

    #[test]
    fn paths_are_shown_with_slashes_and_without_dots() {
        assert_eq!(display(Path::new("./examples/iac/terraform/./modules/../main.tf")), "examples/iac/terraform/main.tf");
        assert_eq!(display(Path::new("../infra/main.tf")), "../infra/main.tf");
    }
}
