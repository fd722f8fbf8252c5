//! The config file (`--config FILE`): which rules run, at what severity, with which
//! parameters, and which findings are suppressed. Parsed strictly and checked against the
//! loaded rules, so that a typo is an error rather than a setting silently ignored.

use crate::diagnostic::{suggestion, Diagnostic, Diagnostics};
use crate::findings::Severity;
use crate::inventory::units;
use crate::rules::locate::{locate_nearest, Step};
use crate::rules::RuleSet;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Rule ids that do not run.
    #[serde(default)]
    pub disabled_rules: Vec<String>,
    /// When non-empty, only these rule ids run.
    #[serde(default)]
    pub enabled_rules: Vec<String>,
    /// Rule id → severity to report instead of the rule's own.
    #[serde(default)]
    pub severity_overrides: BTreeMap<String, Severity>,
    /// Rule id → parameter name → value (same type as the parameter's default).
    #[serde(default)]
    pub parameters: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Parameters for the accounts of some organizational units: the first entry whose unit
    /// glob matches a finding's unit sets the parameters it names, over `parameters`.
    #[serde(default)]
    pub unit_parameters: Vec<UnitParameters>,
    #[serde(default)]
    pub suppressions: Vec<Suppression>,
    /// Where the config came from, for messages.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// A config file that cannot be read, does not parse, or names what the rules do not have:
/// every such setting of the file, so that one run shows them all. Its own type (the same
/// diagnostics as every file's), so that a caller can tell it from an error in a rule file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct ConfigError(pub Diagnostics);

/// Rule parameters for the resources of some organizational units (a sandbox may keep logs
/// for less time than production, say).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitParameters {
    /// A glob over unit paths (`Root/Sandbox`, `Root/Workloads/*/Dev`): the unit it matches
    /// and every unit below it. `*` stays within one unit name, `**` crosses them.
    pub organizational_unit: String,
    /// Rule id → parameter name → value, as `parameters`.
    pub parameters: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

/// Accepts a failing or inconclusive finding as known.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// The rule id, or `*` for every rule.
    pub rule: String,
    /// A glob over the resource ARN (`*` matches any run of characters); any resource when
    /// left out, provided `organizational_unit` is given.
    #[serde(default)]
    pub resource: Option<String>,
    /// A glob over the organizational unit path of the finding's account, as in
    /// `unit_parameters` (the unit and the units below it). A finding outside every unit
    /// does not match.
    #[serde(default)]
    pub organizational_unit: Option<String>,
    /// Why this is accepted; required, and shown with the suppressed finding.
    pub reason: String,
    /// Last day (YYYY-MM-DD, UTC) the suppression applies; afterwards it stops suppressing.
    #[serde(default)]
    pub expires: Option<chrono::NaiveDate>,
}

impl Config {
    /// Reads and checks a config file against the loaded rules.
    pub fn read(path: &Path, rules: &RuleSet) -> Result<Config, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError(Diagnostic::file(path, format!("cannot read the config file: {e}")).into()))?;
        Config::parse(&text, path, rules)
    }

    pub fn parse(text: &str, path: &Path, rules: &RuleSet) -> Result<Config, ConfigError> {
        let mut config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| ConfigError(Diagnostic::from_yaml(path, &e).in_context("invalid config").into()))?
        };
        config.path = Some(path.to_owned());
        let errors = config.check(text, path, rules);
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError(errors))
        }
    }

    /// Every setting that names a rule or parameter the rules do not have, or is invalid, in
    /// the order of the file.
    fn check(&self, text: &str, path: &Path, rules: &RuleSet) -> Diagnostics {
        let at = |steps: &[Step], message: String| Diagnostic::at(path, locate_nearest(text, steps), message);
        let unknown_rule =
            |steps: &[Step], id: &str| Diagnostic { help: suggestion(id, rules.ids()), ..at(steps, format!("unknown rule id `{id}`")) };
        let mut errors = Diagnostics::default();
        for (key, list) in [("disabled_rules", &self.disabled_rules), ("enabled_rules", &self.enabled_rules)] {
            for (i, id) in list.iter().enumerate() {
                if rules.get(id).is_none() {
                    errors.push(unknown_rule(&[Step::Key(key), Step::Index(i)], id));
                }
            }
        }
        for id in self.severity_overrides.keys() {
            if rules.get(id).is_none() {
                errors.push(unknown_rule(&[Step::Key("severity_overrides"), Step::Key(id)], id));
            }
        }
        check_parameters(&self.parameters, &[Step::Key("parameters")], rules, &at, &unknown_rule, &mut errors);
        for (i, unit) in self.unit_parameters.iter().enumerate() {
            let entry = [Step::Key("unit_parameters"), Step::Index(i)];
            if let Err(e) = units::unit_glob(&unit.organizational_unit) {
                errors.push(at(&[&entry[..], &[Step::Key("organizational_unit")]].concat(), format!("invalid unit glob: {e}")));
            }
            check_parameters(&unit.parameters, &[&entry[..], &[Step::Key("parameters")]].concat(), rules, &at, &unknown_rule, &mut errors);
        }
        for (i, s) in self.suppressions.iter().enumerate() {
            let field = |name| [Step::Key("suppressions"), Step::Index(i), Step::Key(name)];
            if s.rule != "*" && rules.get(&s.rule).is_none() {
                errors.push(unknown_rule(&field("rule"), &s.rule));
            }
            if s.reason.trim().is_empty() {
                errors.push(at(&field("reason"), "a suppression needs a reason".to_owned()));
            }
            if s.resource.is_none() && s.organizational_unit.is_none() {
                errors.push(at(
                    &[Step::Key("suppressions"), Step::Index(i)],
                    "a suppression needs a `resource` glob, an `organizational_unit` glob, or both".to_owned(),
                ));
            }
            if let Some(Err(e)) = s.resource.as_deref().map(globset::Glob::new) {
                errors.push(at(&field("resource"), format!("invalid resource glob: {e}")));
            }
            if let Some(Err(e)) = s.organizational_unit.as_deref().map(units::unit_glob) {
                errors.push(at(&field("organizational_unit"), format!("invalid unit glob: {e}")));
            }
        }
        // A setting that could not be placed goes last.
        errors.0.sort_by_key(|d| (d.line.is_none(), d.line, d.column));
        errors
    }

    /// Whether a rule runs under this config.
    pub fn rule_enabled(&self, id: &str) -> bool {
        !self.disabled_rules.iter().any(|d| d == id) && (self.enabled_rules.is_empty() || self.enabled_rules.iter().any(|e| e == id))
    }
}

/// Rule id → parameter → value settings name rules and parameters that exist, with values of
/// their defaults' types; `steps` lead to the settings in the file. Adds one error for each
/// setting that does not.
fn check_parameters(
    settings: &BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    steps: &[Step],
    rules: &RuleSet,
    at: &dyn Fn(&[Step], String) -> Diagnostic,
    unknown_rule: &dyn Fn(&[Step], &str) -> Diagnostic,
    errors: &mut Diagnostics,
) {
    for (id, values) in settings {
        let Some(rule) = rules.get(id) else {
            errors.push(unknown_rule(&[steps, &[Step::Key(id)]].concat(), id));
            continue;
        };
        for (name, value) in values {
            let steps = [steps, &[Step::Key(id), Step::Key(name)]].concat();
            let Some(param) = rule.parameters.get(name) else {
                let help = suggestion(name, rule.parameters.keys());
                errors.push(Diagnostic { help, ..at(&steps, format!("rule {id} has no parameter `{name}`")) });
                continue;
            };
            if json_kind(value) != json_kind(&param.default) {
                errors.push(at(
                    &steps,
                    format!("parameter `{name}` of {id} must be a {} like its default ({})", json_kind(&param.default), param.default),
                ));
            }
        }
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "list",
        serde_json::Value::Object(_) => "mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<Diagnostic> {
        let rules = crate::rules::load_builtin().expect("the built-in pack loads");
        Config::parse(text, Path::new("c.yaml"), &rules).expect_err("the config is refused").0 .0
    }

    fn error(text: &str) -> Diagnostic {
        let mut errors = errors(text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.remove(0)
    }

    #[test]
    fn a_parse_error_is_placed_by_the_parser_without_its_position_in_the_text() {
        let d = error("disabled_rules: [CT-IS-LOGGING]\nseverity_overrides:\n  CT-IS-LOGGING: severe\n");
        assert_eq!((d.line, d.column), (Some(3), Some(18)));
        assert!(d.message.starts_with("invalid config: severity_overrides.CT-IS-LOGGING: unknown variant `severe`"), "{d}");
        assert!(!d.message.contains(" at line "), "{d}");
    }

    #[test]
    fn a_check_error_is_placed_at_its_value_with_a_suggestion() {
        let d = error("disabled_rules:\n  - CT-MULTI-REGON\n");
        assert_eq!(d.to_string(), "c.yaml:2:5: unknown rule id `CT-MULTI-REGON`\n  help: did you mean `CT-MULTI-REGION`?");
    }

    #[test]
    fn every_broken_setting_is_reported_at_once() {
        let text = "\
disabled_rules: [CT-MULTI-REGON, CT-IS-LOGGING]
severity_overrides:
  CT-NOPE: high
parameters:
  CT-IS-LOGGING:
    threshold: 3
unit_parameters:
  - organizational_unit: \"Root/[\"
    parameters: {}
suppressions:
  - rule: CT-IS-LOGGING
    reason: \"  \"
  - rule: \"*\"
    reason: accepted
    resource: \"arn:[\"
";
        let errors = errors(text);
        let found: Vec<(Option<usize>, &str)> = errors.iter().map(|d| (d.line, d.message.split(':').next().unwrap_or_default())).collect();
        assert_eq!(
            found,
            [
                (Some(1), "unknown rule id `CT-MULTI-REGON`"),
                (Some(3), "unknown rule id `CT-NOPE`"),
                (Some(6), "rule CT-IS-LOGGING has no parameter `threshold`"),
                (Some(8), "invalid unit glob"),
                (Some(11), "a suppression needs a `resource` glob, an `organizational_unit` glob, or both"),
                (Some(12), "a suppression needs a reason"),
                (Some(15), "invalid resource glob"),
            ],
            "{errors:?}"
        );
        let shown = ConfigError(Diagnostics(errors)).to_string();
        assert_eq!(shown.matches("\nerror: ").count(), 6, "{shown}");
    }
}
