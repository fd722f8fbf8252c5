//! Compliance frameworks: restricting a scan to one framework's rules, and the status of each
//! of its controls from the findings of the rules mapped to it.

use crate::config::Config;
use crate::findings::{Finding, Frameworks, Outcome};
use crate::results::ControlStatus;
use crate::rules::{error::did_you_mean, frameworks, RuleSet};
use std::collections::BTreeMap;

/// Limits `config` to the rules mapped to `framework`. An unknown framework is an error with a
/// suggestion; a framework that no enabled rule maps to is an error too (an empty scan would
/// silently pass).
pub fn restrict(config: &mut Config, set: &RuleSet, framework: &str) -> Result<(), String> {
    if frameworks::display_name(framework).is_none() {
        let known: Vec<&str> = frameworks::ids().collect();
        return Err(format!("unknown framework `{framework}`{} (known: {})", did_you_mean(framework, frameworks::ids()), known.join(", ")));
    }
    let mapped: Vec<String> =
        set.rules.iter().filter(|r| r.frameworks.contains_key(framework) && config.rule_enabled(&r.id)).map(|r| r.id.clone()).collect();
    if mapped.is_empty() {
        return Err(format!("no enabled rule maps to framework `{framework}`"));
    }
    config.enabled_rules = mapped;
    Ok(())
}

/// The status of every control of `framework` that some rule maps to.
pub fn status(findings: &[Finding], framework: &str) -> Vec<ControlStatus> {
    status_of_groups(findings.iter().map(|f| (f.frameworks.as_ref(), f.rule_id.as_str(), f.outcome, 1)), framework)
}

/// [`status`] from findings grouped by (framework map, rule, outcome) with the number of
/// findings in each group: a report that already has such groups need not go over every
/// finding again for each framework.
pub fn status_of_groups<'a>(groups: impl IntoIterator<Item = (&'a Frameworks, &'a str, Outcome, usize)>, framework: &str) -> Vec<ControlStatus> {
    let mut controls: BTreeMap<&str, ControlStatus> = BTreeMap::new();
    for (maps, rule_id, outcome, n) in groups {
        let Some(ids) = maps.get(framework) else { continue };
        for control in ids {
            let entry = controls.entry(control.as_str()).or_insert_with(|| ControlStatus {
                control: control.clone(),
                status: Outcome::NotApplicable,
                rules: Vec::new(),
                fail: 0,
                pass: 0,
                inconclusive: 0,
            });
            if !entry.rules.iter().any(|r| r == rule_id) {
                entry.rules.push(rule_id.to_owned());
            }
            match outcome {
                Outcome::Fail => entry.fail += n,
                Outcome::Pass => entry.pass += n,
                Outcome::Inconclusive => entry.inconclusive += n,
                Outcome::NotApplicable | Outcome::Suppressed => {}
            }
        }
    }
    let mut out: Vec<ControlStatus> = controls
        .into_values()
        .map(|mut c| {
            c.status = if c.fail > 0 {
                Outcome::Fail
            } else if c.inconclusive > 0 {
                Outcome::Inconclusive
            } else if c.pass > 0 {
                Outcome::Pass
            } else {
                Outcome::NotApplicable
            };
            c
        })
        .collect();
    out.sort_by_key(|c| natural_key(&c.control));
    out
}

/// Sorts "3.10" after "3.9" and "CloudTrail.10" after "CloudTrail.2".
pub fn natural_key(s: &str) -> Vec<(String, u64)> {
    s.split(['.', '-'])
        .map(|part| {
            let digits: String = part.chars().filter(char::is_ascii_digit).collect();
            (part.chars().filter(|c| !c.is_ascii_digit()).collect(), digits.parse().unwrap_or(0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{ResourceKind, ResourceRef, Severity};

    fn finding(rule: &str, outcome: Outcome, controls: &[&str]) -> Finding {
        Finding {
            rule_id: rule.to_owned(),
            title: "".into(),
            outcome,
            severity: Severity::High,
            resource: ResourceRef::new(format!("arn:{rule}"), ResourceKind::Account, "1", "global").into(),
            message: String::new(),
            remediation: String::new(),
            frameworks: BTreeMap::from([("cis-aws-foundations-v5.0.0".to_owned(), controls.iter().map(|c| (*c).to_owned()).collect())]).into(),
            suppression: None,
        }
    }

    #[test]
    fn a_control_fails_when_any_mapped_finding_fails() {
        let findings = [
            finding("A", Outcome::Pass, &["3.1"]),
            finding("B", Outcome::Fail, &["3.1"]),
            finding("C", Outcome::Inconclusive, &["3.10"]),
            finding("D", Outcome::Pass, &["3.9"]),
        ];
        let status = status(&findings, "cis-aws-foundations-v5.0.0");
        let summary: Vec<(&str, Outcome)> = status.iter().map(|c| (c.control.as_str(), c.status)).collect();
        assert_eq!(summary, [("3.1", Outcome::Fail), ("3.9", Outcome::Pass), ("3.10", Outcome::Inconclusive)]);
        assert_eq!(status[0].rules, ["A", "B"]);
    }

    #[test]
    fn unknown_framework_is_refused_with_a_suggestion() {
        let set = crate::rules::load_builtin().unwrap();
        let mut config = Config::default();
        let err = restrict(&mut config, &set, "cis-aws-foundations-v5.0").unwrap_err();
        assert!(err.contains("did you mean `cis-aws-foundations-v5.0.0`"), "{err}");
        restrict(&mut config, &set, "aws-security-hub").unwrap();
        assert!(config.enabled_rules.contains(&"CT-MULTI-REGION".to_owned()));
        assert!(!config.enabled_rules.contains(&"CT-ORG-DELEGATED-ADMIN".to_owned()));
    }
}
