//! The config file (`--config FILE`): which rules run, at what severity, with which
//! parameters, and which findings are suppressed. Parsed strictly and checked against the
//! loaded rules, so that a typo is an error rather than a setting silently ignored.

use crate::findings::Severity;
use crate::rules::error::did_you_mean;
use crate::rules::locate::{locate, Step};
use crate::rules::{RuleError, RuleSet};
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
    #[serde(default)]
    pub suppressions: Vec<Suppression>,
    /// Where the config came from, for messages.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// Accepts a failing or inconclusive finding as known.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// The rule id, or `*` for every rule.
    pub rule: String,
    /// A glob over the resource ARN (`*` matches any run of characters).
    pub resource: String,
    /// Why this is accepted; required, and shown with the suppressed finding.
    pub reason: String,
    /// Last day (YYYY-MM-DD, UTC) the suppression applies; afterwards it stops suppressing.
    #[serde(default)]
    pub expires: Option<chrono::NaiveDate>,
}

impl Config {
    /// Reads and checks a config file against the loaded rules.
    pub fn read(path: &Path, rules: &RuleSet) -> Result<Config, RuleError> {
        let text = std::fs::read_to_string(path).map_err(|e| RuleError::new(path, 0, 0, format!("cannot read the config file: {e}")))?;
        Config::parse(&text, path, rules)
    }

    pub fn parse(text: &str, path: &Path, rules: &RuleSet) -> Result<Config, RuleError> {
        let mut config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| {
                let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                let mut message = e.to_string();
                if let Some(i) = message.find(" at line ") {
                    message.truncate(i);
                }
                RuleError::new(path, line, column, format!("invalid config: {message}"))
            })?
        };
        config.path = Some(path.to_owned());
        config.check(text, path, rules)?;
        Ok(config)
    }

    fn check(&self, text: &str, path: &Path, rules: &RuleSet) -> Result<(), RuleError> {
        let at = |steps: &[Step], message: String| {
            let pos = locate(text, steps);
            RuleError::new(path, pos.map_or(1, |p| p.line), pos.map_or(1, |p| p.column), message)
        };
        let unknown_rule = |id: &str| format!("unknown rule id `{id}`{}", did_you_mean(id, rules.ids()));
        for (key, list) in [("disabled_rules", &self.disabled_rules), ("enabled_rules", &self.enabled_rules)] {
            for (i, id) in list.iter().enumerate() {
                if rules.get(id).is_none() {
                    return Err(at(&[Step::Key(key), Step::Index(i)], unknown_rule(id)));
                }
            }
        }
        for id in self.severity_overrides.keys() {
            if rules.get(id).is_none() {
                return Err(at(&[Step::Key("severity_overrides"), Step::Key(id)], unknown_rule(id)));
            }
        }
        for (id, values) in &self.parameters {
            let Some(rule) = rules.get(id) else {
                return Err(at(&[Step::Key("parameters"), Step::Key(id)], unknown_rule(id)));
            };
            for (name, value) in values {
                let steps = [Step::Key("parameters"), Step::Key(id), Step::Key(name)];
                let Some(param) = rule.parameters.get(name) else {
                    let hint = did_you_mean(name, rule.parameters.keys().map(String::as_str));
                    return Err(at(&steps, format!("rule {id} has no parameter `{name}`{hint}")));
                };
                if json_kind(value) != json_kind(&param.default) {
                    return Err(at(
                        &steps,
                        format!("parameter `{name}` of {id} must be a {} like its default ({})", json_kind(&param.default), param.default),
                    ));
                }
            }
        }
        for (i, s) in self.suppressions.iter().enumerate() {
            if s.rule != "*" && rules.get(&s.rule).is_none() {
                return Err(at(&[Step::Key("suppressions"), Step::Index(i), Step::Key("rule")], unknown_rule(&s.rule)));
            }
            if s.reason.trim().is_empty() {
                return Err(at(&[Step::Key("suppressions"), Step::Index(i), Step::Key("reason")], "a suppression needs a reason".to_owned()));
            }
            if let Err(e) = globset::Glob::new(&s.resource) {
                return Err(at(&[Step::Key("suppressions"), Step::Index(i), Step::Key("resource")], format!("invalid resource glob: {e}")));
            }
        }
        Ok(())
    }

    /// Whether a rule runs under this config.
    pub fn rule_enabled(&self, id: &str) -> bool {
        !self.disabled_rules.iter().any(|d| d == id) && (self.enabled_rules.is_empty() || self.enabled_rules.iter().any(|e| e == id))
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
