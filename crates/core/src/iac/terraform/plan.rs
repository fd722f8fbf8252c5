//! The JSON of `terraform show -json PLANFILE` (Terraform's "JSON Output Format", format
//! version 1.x), read with serde: only the parts the Terraform source needs.
//!
//! - `planned_values.root_module` (and its `child_modules`, recursively): every resource
//!   instance as it will be once applied, with the values known at plan time.
//! - `resource_changes`: what the plan does to each instance (`actions`), and `after_unknown`,
//!   the mirror of the values that marks those known only once applied.
//! - `configuration`: the configuration as written: each resource's `expressions`
//!   (`constant_value`, `references`), module calls, and the providers' settings (the aws
//!   provider's Region).
//! - `variables`: the values the plan was made with (a provider's `region = var.region`).
//!
//! The format's compatibility promise: a minor version only adds properties (unknown ones are
//! ignored here), a new major version breaks readers (refused here, naming the file and field).
//! Values stay `serde_json::Value`: their shape is the provider's schema, interpreted by map.rs.

use crate::diagnostic::Diagnostic;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The format major version this build reads.
pub const FORMAT_MAJOR: &str = "1";

/// How to make the file this reader expects.
const HOW_TO_MAKE: &str = "write it with `terraform plan -out=tfplan && terraform show -json tfplan > plan.json` (Terraform 1.0 or later)";

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Plan {
    /// Input variables as the plan was made: `{"region": {"value": "eu-west-1"}}`.
    #[serde(default)]
    pub variables: BTreeMap<String, PlanVariable>,
    #[serde(default)]
    pub planned_values: Option<Values>,
    #[serde(default)]
    pub resource_changes: Vec<ResourceChange>,
    #[serde(default)]
    pub configuration: Option<Configuration>,
}

impl Plan {
    /// The module as configured at a path of calls (`["a", "b"]`), one per call whatever its
    /// count or for_each.
    pub fn config_module(&self, path: &[String]) -> Option<&ConfigModule> {
        let mut module = &self.configuration.as_ref()?.root_module;
        for call in path {
            module = &module.module_calls.get(call)?.module;
        }
        Some(module)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanVariable {
    #[serde(default)]
    pub value: Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Values {
    #[serde(default)]
    pub root_module: Module,
}

/// A module instance of the planned values; the root module has no address.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Module {
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub resources: Vec<Resource>,
    #[serde(default)]
    pub child_modules: Vec<Module>,
}

impl Module {
    /// Every resource instance of this module and its children, depth first.
    pub fn all_resources(&self) -> Vec<&Resource> {
        let mut out: Vec<&Resource> = self.resources.iter().collect();
        for child in &self.child_modules {
            out.extend(child.all_resources());
        }
        out
    }
}

/// One resource instance of the planned values.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Resource {
    /// `module.a["x"].aws_s3_bucket.logs[0]`.
    pub address: String,
    /// `managed` or `data`.
    #[serde(default)]
    pub mode: String,
    /// The `count` index (a number) or `for_each` key (a string); absent for a single instance.
    #[serde(default)]
    pub index: Option<Value>,
    /// The values known at plan time; an unknown one is absent or null here and marked in
    /// the change's `after_unknown`.
    #[serde(default)]
    pub values: Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    pub change: Change,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Change {
    /// `["no-op"]`, `["create"]`, `["read"]`, `["update"]`, `["delete", "create"]`,
    /// `["create", "delete"]`, `["delete"]`, `["forget"]`.
    pub actions: Vec<String>,
    /// The shape of `after`, with `true` where the value is known only once applied (a whole
    /// nested block may be `true`).
    #[serde(default)]
    pub after_unknown: Value,
}

impl Change {
    /// Whether the instance is going away: destroyed (`delete`) or dropped from the state
    /// (`forget`) and not created again. Such an instance is not judged.
    pub fn removes(&self) -> bool {
        !self.actions.is_empty() && self.actions.iter().all(|a| a == "delete" || a == "forget")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Configuration {
    /// Keyed `aws`, `aws.west` (an alias), or `module.x:aws` (a provider declared in a module).
    #[serde(default)]
    pub provider_config: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    pub root_module: ConfigModule,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProviderConfig {
    #[serde(default)]
    pub expressions: BTreeMap<String, Value>,
}

/// A module as written: one per module call, whatever its count or for_each.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigModule {
    #[serde(default)]
    pub resources: Vec<ConfigResource>,
    #[serde(default)]
    pub module_calls: BTreeMap<String, ModuleCall>,
    /// Each output's `expression` (`{"references": [...]}`): how a module hands a resource to
    /// its caller.
    #[serde(default)]
    pub outputs: BTreeMap<String, ConfigOutput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigOutput {
    #[serde(default)]
    pub expression: Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ModuleCall {
    #[serde(default)]
    pub source: String,
    /// The arguments the call passes, as expressions (the module's `var.NAME`).
    #[serde(default)]
    pub expressions: BTreeMap<String, Value>,
    #[serde(default)]
    pub module: ConfigModule,
}

/// A resource block as written; its address is relative to its module (`aws_s3_bucket.logs`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigResource {
    pub address: String,
    #[serde(default)]
    pub provider_config_key: Option<String>,
    /// An object: each argument as `{"constant_value": ...}` or `{"references": [...]}`; a
    /// nested block as a list of such objects. An argument the configuration leaves out is not
    /// in it.
    #[serde(default)]
    pub expressions: Value,
}

/// Reads and parses a plan file.
pub fn read(path: &Path) -> Result<Plan, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| Diagnostic::file(path, format!("cannot read the Terraform plan: {e}")))?;
    parse(&text, path)
}

/// Parses the JSON text of a plan; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Plan, Diagnostic> {
    check_header(text, path)?;
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, Plan>(&mut de).map_err(|err| {
        let field = err.path().to_string();
        let diagnostic = Diagnostic::from_json(path, err.inner());
        if err.inner().is_data() {
            diagnostic.in_context(format_args!("invalid Terraform plan at `{field}`"))
        } else {
            diagnostic.in_context("invalid Terraform plan")
        }
    })
}

/// Checks `format_version` before anything else, so that a file of another format or version
/// gets a message about that rather than about whichever field differs.
fn check_header(text: &str, path: &Path) -> Result<(), Diagnostic> {
    /// Only whether the two big members are there: skipped, not built.
    #[derive(Deserialize)]
    struct Header {
        format_version: Option<Value>,
        planned_values: Option<serde::de::IgnoredAny>,
        values: Option<serde::de::IgnoredAny>,
    }
    let Ok(header) = serde_json::from_str::<Header>(text) else {
        // Not one JSON object: `terraform plan -json` writes a stream of log lines instead.
        if text.lines().filter(|l| !l.trim().is_empty()).take(2).count() > 1 && text.trim_start().starts_with("{\"@level\"") {
            return Err(Diagnostic::file(path, "this is the log stream of `terraform plan -json`, not a plan").with_help(HOW_TO_MAKE));
        }
        return Ok(()); // the full parse says where the JSON goes wrong
    };
    let version = match header.format_version {
        Some(Value::String(v)) => v,
        Some(other) => {
            return Err(Diagnostic::file(path, format!("`format_version` must be a string such as \"1.2\", found {other}")).with_help(HOW_TO_MAKE));
        }
        None => return Err(Diagnostic::file(path, "`format_version` is missing: this is not the JSON of a Terraform plan").with_help(HOW_TO_MAKE)),
    };
    let major = version.split('.').next().unwrap_or_default();
    if major != FORMAT_MAJOR {
        return Err(Diagnostic::file(
            path,
            format!("Terraform plan `format_version` \"{version}\" is not supported (this build reads major version {FORMAT_MAJOR}, \"1.x\")"),
        )
        .with_help(HOW_TO_MAKE));
    }
    if header.planned_values.is_none() && header.values.is_some() {
        return Err(
            Diagnostic::file(path, "this is the JSON of a Terraform state (`values`), not of a plan (`planned_values`)").with_help(HOW_TO_MAKE)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> Diagnostic {
        parse(text, Path::new("plan.json")).expect_err("the plan is refused")
    }

    #[test]
    fn planned_values_changes_and_configuration_are_read_with_nested_modules() {
        let text = r#"{
          "format_version": "1.2", "terraform_version": "1.9.5",
          "variables": {"region": {"value": "eu-west-1"}},
          "planned_values": {"root_module": {
            "resources": [{"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs",
                           "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                           "values": {"bucket": "logs"}, "sensitive_values": {}}],
            "child_modules": [{"address": "module.a", "resources": [],
              "child_modules": [{"address": "module.a.module.b", "resources": [
                {"address": "module.a.module.b.aws_kms_key.k[0]", "mode": "managed", "type": "aws_kms_key", "name": "k", "index": 0, "values": {}}]}]}]}},
          "resource_changes": [{"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs",
            "change": {"actions": ["create"], "before": null, "after": {"bucket": "logs"}, "after_unknown": {"id": true}}}],
          "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
              "expressions": {"region": {"references": ["var.region"]}}}},
            "root_module": {"resources": [{"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs",
              "provider_config_key": "aws", "expressions": {"bucket": {"constant_value": "logs"}}, "schema_version": 0}],
              "module_calls": {"a": {"source": "./modules/a", "module": {"module_calls": {"b": {"source": "../b", "module": {}}}}}}}},
          "timestamp": "2025-01-01T00:00:00Z", "applyable": true, "complete": true, "errored": false
        }"#;
        let plan = parse(text, Path::new("plan.json")).expect("a valid plan");
        let values = plan.planned_values.expect("planned values");
        let addresses: Vec<&str> = values.root_module.all_resources().iter().map(|r| r.address.as_str()).collect();
        assert_eq!(addresses, ["aws_s3_bucket.logs", "module.a.module.b.aws_kms_key.k[0]"]);
        assert_eq!(plan.resource_changes[0].change.after_unknown["id"], Value::Bool(true));
        let configuration = plan.configuration.expect("configuration");
        assert_eq!(configuration.provider_config["aws"].expressions["region"]["references"][0], "var.region");
        assert_eq!(configuration.root_module.module_calls["a"].module.module_calls["b"].source, "../b");
        assert_eq!(plan.variables["region"].value, "eu-west-1");
    }

    #[test]
    fn only_a_change_that_removes_the_instance_is_a_removal() {
        let change = |actions: &[&str]| Change { actions: actions.iter().map(|a| a.to_string()).collect(), ..Change::default() };
        assert!(change(&["delete"]).removes());
        assert!(change(&["forget"]).removes());
        assert!(!change(&["delete", "create"]).removes(), "a replacement exists after apply");
        assert!(!change(&["create", "delete"]).removes());
        assert!(!change(&["no-op"]).removes());
        assert!(!change(&[]).removes());
    }

    #[test]
    fn another_major_version_is_refused_naming_the_file_and_field() {
        let d = error(r#"{"format_version": "2.0", "planned_values": {}}"#);
        assert!(d.to_string().starts_with("plan.json: Terraform plan `format_version` \"2.0\" is not supported"), "{d}");
        let d = error(r#"{"format_version": "0.1", "planned_values": {}}"#);
        assert!(d.message.contains("\"0.1\""), "{d}");
        assert!(d.help.is_some());
    }

    #[test]
    fn a_later_minor_version_and_unknown_properties_are_accepted() {
        let plan = parse(r#"{"format_version": "1.9", "planned_values": {"root_module": {}}, "some_future_property": [1]}"#, Path::new("p.json"));
        assert!(plan.is_ok());
    }

    #[test]
    fn a_missing_version_a_state_and_a_log_stream_are_each_named() {
        assert!(error(r#"{"planned_values": {}}"#).message.contains("`format_version` is missing"));
        assert!(error(r#"{"format_version": "1.0", "values": {"root_module": {}}}"#).message.contains("Terraform state"));
        let stream = "{\"@level\":\"info\",\"@message\":\"Terraform 1.9.5\"}\n{\"@level\":\"info\",\"@message\":\"plan\"}\n";
        assert!(error(stream).message.contains("log stream"));
    }

    #[test]
    fn a_wrong_field_is_named_with_its_line() {
        let d = error("{\"format_version\": \"1.2\",\n \"resource_changes\": [{\"address\": \"a.b\", \"change\": {\"actions\": \"create\"}}]}");
        assert_eq!(d.line, Some(2));
        assert!(d.message.contains("`resource_changes[0].change.actions`"), "{d}");
    }
}
