//! The least-privilege, read-only IAM policy a scan needs (`trailwarden iam-policy`): the
//! reads every scan makes (caller, regions, trails) plus, for each enabled rule, the API calls
//! behind the binding fields its conditions read.

use crate::config::Config;
use crate::evaluate::sources;
use crate::inventory::FactId;
use crate::rules::reads::rule_reads;
use crate::rules::RuleSet;
use std::collections::{BTreeMap, BTreeSet};

/// The declared reads (inventory facts) the enabled rules need, with the rules needing each.
pub fn needed_reads(set: &RuleSet, config: &Config) -> BTreeMap<FactId, BTreeSet<String>> {
    let mut needed: BTreeMap<FactId, BTreeSet<String>> = BTreeMap::new();
    for fact in FactId::ALL.iter().filter(|f| f.every_scan()) {
        needed.entry(*fact).or_default().insert("(every scan)".to_owned());
    }
    for rule in set.rules.iter().filter(|r| config.rule_enabled(&r.id)) {
        for path in rule_reads(set, rule) {
            for fact in sources::facts_for(&path) {
                needed.entry(*fact).or_default().insert(rule.id.clone());
            }
        }
    }
    needed
}

/// The facts of alerting on trail changes, listed in every region.
const ALERTING_FACTS: [FactId; 3] = [FactId::RegionEventBridgeRules, FactId::RegionMetricFilters, FactId::RegionAlarms];

/// Whether the enabled rules need the alerting facts only in the regions where an account
/// homes a trail of its own: true when every enabled rule that reads them applies only there
/// (`applies_if: region.home_of_owned_trail`, alone or as the first term of `&&`), as the
/// built-in CT-TAMPER-ALERTS does. A rule that reads them anywhere else makes it false.
pub fn alerting_only_in_trail_home_regions(set: &RuleSet, config: &Config) -> bool {
    set.rules.iter().filter(|r| config.rule_enabled(&r.id)).all(|rule| {
        let reads_alerting = rule_reads(set, rule).iter().any(|path| sources::facts_for(path).iter().any(|f| ALERTING_FACTS.contains(f)));
        let home_only = rule.applies_if.as_ref().is_some_and(|c| {
            let source = c.source.trim();
            source == "region.home_of_owned_trail" || source.starts_with("region.home_of_owned_trail &&")
        });
        !reads_alerting || home_only
    })
}

/// The IAM policy document (JSON) for the enabled rules.
pub fn policy(set: &RuleSet, config: &Config) -> serde_json::Value {
    policy_for(needed_reads(set, config).into_keys())
}

/// The IAM policy document for `collect`, which reads every fact (a snapshot for whatever
/// rules later scan it), including some no built-in rule needs, such as trail tags.
pub fn collect_policy() -> serde_json::Value {
    policy_for(FactId::ALL.iter().copied())
}

fn policy_for(facts: impl Iterator<Item = FactId>) -> serde_json::Value {
    let mut by_service: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for fact in facts {
        for action in fact.actions() {
            let service = action.split(':').next().unwrap_or_default();
            by_service.entry(service).or_default().insert(action);
        }
    }
    let statements: Vec<serde_json::Value> = by_service
        .into_iter()
        .map(|(service, actions)| {
            serde_json::json!({
                "Sid": format!("TrailwardenRead{}", sid_word(service)),
                "Effect": "Allow",
                "Action": actions.into_iter().collect::<Vec<_>>(),
                "Resource": "*",
            })
        })
        .collect();
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}

fn sid_word(service: &str) -> String {
    service
        .split(['-', '.'])
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_only_read_actions() {
        let set = crate::rules::load_builtin().unwrap();
        let doc = policy(&set, &Config::default());
        let mut count = 0;
        for statement in doc["Statement"].as_array().unwrap() {
            assert_eq!(statement["Effect"], "Allow");
            for action in statement["Action"].as_array().unwrap() {
                let action = action.as_str().unwrap();
                assert!(crate::inventory::reads::is_read_action(action), "{action} is not a read");
                count += 1;
            }
        }
        assert!(count >= 10, "{doc}");
    }

    #[test]
    fn disabling_rules_drops_their_reads() {
        let set = crate::rules::load_builtin().unwrap();
        let everything = needed_reads(&set, &Config::default());
        assert!(everything.contains_key(&FactId::BucketVersioning));
        let only = Config { enabled_rules: vec!["CT-LOG-FILE-VALIDATION".to_owned()], ..Config::default() };
        let fewer = needed_reads(&set, &only);
        assert!(!fewer.contains_key(&FactId::BucketVersioning), "{fewer:?}");
        assert!(fewer.contains_key(&FactId::Trail));
    }

    #[test]
    fn alerting_is_read_in_home_regions_only_when_every_reader_applies_only_there() {
        let set = crate::rules::load_builtin().unwrap();
        assert!(alerting_only_in_trail_home_regions(&set, &Config::default()));

        // A rule of one's own that reads metric filters in every region needs them everywhere.
        let dir = std::env::temp_dir().join(format!("trailwarden-iam-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("X-FILTERS.yaml"),
            "id: X-FILTERS\ntitle: Filters\nseverity: low\nscope: region\ndescription: d\n\
             pass_if: size(region.metric_filters) > 0\nmessage:\n  pass: ok\n  fail: bad\nremediation: r\n\
             tests:\n  - name: none\n    facts: {metric_filters: []}\n    expect: fail\n",
        )
        .unwrap();
        let custom = crate::rules::load::load_rules(std::slice::from_ref(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        let custom = custom.unwrap_or_else(|e| panic!("{e}"));
        assert!(!alerting_only_in_trail_home_regions(&custom, &Config::default()));
        let without = Config { disabled_rules: vec!["X-FILTERS".to_owned()], ..Config::default() };
        assert!(alerting_only_in_trail_home_regions(&custom, &without));
    }
}
