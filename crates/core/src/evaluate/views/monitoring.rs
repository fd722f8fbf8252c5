//! Alerting artefacts as rules see them: EventBridge rules that react to CloudTrail API calls,
//! and CloudWatch Logs metric filters with alarms (CIS 4.5 style).
//!
//! Event patterns are parsed, not string-matched: a pattern with no `eventName` filter
//! matches every event name, `prefix` operators match by prefix, and a list matches its
//! members.

use super::readable::Readable;
use crate::inventory::Fact;
use crate::inventory::{EventBridgeRule, MetricAlarm, MetricFilter};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// An EventBridge rule that receives CloudTrail API calls for cloudtrail.amazonaws.com.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CloudTrailEventRule {
    pub name: String,
    pub arn: String,
    pub event_bus_name: String,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    pub state: String,
    /// The pattern has no eventName filter: every CloudTrail API call matches.
    pub any_event_name: bool,
    /// Event names listed in the pattern.
    pub event_names: Vec<String>,
    /// Event-name prefixes (`{"prefix": "..."}`) in the pattern.
    pub event_name_prefixes: Vec<String>,
    /// Number of targets; absent when ListTargetsByRule could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_count: Option<usize>,
}

/// A metric filter on a log group, with the alarms on its metric.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AlarmedMetricFilter {
    pub log_group_name: String,
    pub filter_name: String,
    pub filter_pattern: String,
    /// Event names the pattern mentions (`$.eventName = X`).
    pub event_names: Vec<String>,
    /// Alarms on the filter's metric that have actions enabled and at least one action; absent
    /// when the alarms could not be read, so that only a filter that could otherwise alert is
    /// unknown (a filter on another log group, or one missing an event name, still decides).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub alarms_with_actions: Readable<Vec<String>>,
}

/// The EventBridge rules among `rules` that match CloudTrail API calls to CloudTrail itself.
pub fn cloudtrail_event_rules(rules: &[EventBridgeRule]) -> Vec<CloudTrailEventRule> {
    rules.iter().filter_map(cloudtrail_event_rule).collect()
}

fn cloudtrail_event_rule(rule: &EventBridgeRule) -> Option<CloudTrailEventRule> {
    let pattern: Value = serde_json::from_str(rule.event_pattern.as_deref()?).ok()?;
    if !field_allows(pattern.get("source"), "aws.cloudtrail") || !field_allows(pattern.get("detail-type"), "AWS API Call via CloudTrail") {
        return None;
    }
    let detail = pattern.get("detail");
    if !field_allows(detail.and_then(|d| d.get("eventSource")), "cloudtrail.amazonaws.com") {
        return None;
    }
    let names = detail.and_then(|d| d.get("eventName"));
    let (mut event_names, mut event_name_prefixes) = (Vec::new(), Vec::new());
    if let Some(Value::Array(items)) = names {
        for item in items {
            match item {
                Value::String(s) => event_names.push(s.clone()),
                Value::Object(op) => {
                    if let Some(Value::String(p)) = op.get("prefix") {
                        event_name_prefixes.push(p.clone());
                    }
                }
                _ => {}
            }
        }
    }
    Some(CloudTrailEventRule {
        name: rule.name.clone(),
        arn: rule.arn.clone(),
        event_bus_name: rule.event_bus_name.clone(),
        state: rule.state.clone(),
        any_event_name: names.is_none(),
        event_names,
        event_name_prefixes,
        target_count: rule.targets.value().map(Vec::len),
    })
}

/// Whether a pattern field lets `value` through: absent means any value; a list must contain
/// it exactly or through a `prefix` operator.
fn field_allows(field: Option<&Value>, value: &str) -> bool {
    match field {
        None => true,
        Some(Value::Array(items)) => items.iter().any(|item| match item {
            Value::String(s) => s == value,
            Value::Object(op) => op.get("prefix").and_then(Value::as_str).is_some_and(|p| value.starts_with(p)),
            _ => false,
        }),
        Some(_) => false,
    }
}

/// Metric filters with the alarms on their metrics.
pub fn alarmed_metric_filters(filters: &[MetricFilter], alarms: &Fact<Vec<MetricAlarm>>) -> Vec<AlarmedMetricFilter> {
    filters
        .iter()
        .map(|f| {
            let alarms_with_actions = match alarms {
                Fact::Unreadable(u) => Readable::unreadable(u.clone()),
                Fact::Value(alarms) => Readable::value(
                    alarms
                        .iter()
                        .filter(|a| a.actions_enabled && !a.alarm_actions.is_empty())
                        .filter(|a| {
                            f.metric_transformations.iter().any(|m| {
                                a.metric_name.as_deref() == Some(m.metric_name.as_str())
                                    && a.namespace.as_deref() == Some(m.metric_namespace.as_str())
                            })
                        })
                        .map(|a| a.alarm_name.clone())
                        .collect(),
                ),
            };
            AlarmedMetricFilter {
                log_group_name: f.log_group_name.clone(),
                filter_name: f.filter_name.clone(),
                filter_pattern: f.filter_pattern.clone(),
                event_names: mentioned_event_names(&f.filter_pattern),
                alarms_with_actions,
            }
        })
        .collect()
}

/// Event names a metric filter pattern compares `$.eventName` with, e.g.
/// `{ ($.eventName = CreateTrail) || ($.eventName = "StopLogging") }`.
fn mentioned_event_names(pattern: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = pattern;
    while let Some(i) = rest.find("$.eventName") {
        rest = &rest[i + "$.eventName".len()..];
        let after = rest.trim_start();
        let Some(value) = after.strip_prefix('=').map(str::trim_start) else { continue };
        let value = value.trim_start_matches('"');
        let name: String = value.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '*').collect();
        if !name.is_empty() {
            names.push(name);
        }
    }
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: &str) -> EventBridgeRule {
        EventBridgeRule {
            name: "r".into(),
            arn: "arn:aws:events:us-east-1:1:rule/r".into(),
            event_bus_name: "default".into(),
            state: "ENABLED".into(),
            event_pattern: Some(pattern.into()),
            targets: Fact::Value(vec!["arn:aws:sns:us-east-1:1:t".into()]),
        }
    }

    #[test]
    fn parses_names_and_prefixes() {
        let r = cloudtrail_event_rule(&rule(
            r#"{"source":["aws.cloudtrail"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["cloudtrail.amazonaws.com"],"eventName":["StopLogging",{"prefix":"Delete"}]}}"#,
        ))
        .unwrap();
        assert_eq!(r.event_names, ["StopLogging"]);
        assert_eq!(r.event_name_prefixes, ["Delete"]);
        assert!(!r.any_event_name);
        assert_eq!(r.target_count, Some(1));
    }

    #[test]
    fn no_event_name_filter_matches_every_name() {
        let r = cloudtrail_event_rule(&rule(r#"{"source":["aws.cloudtrail"],"detail":{"eventSource":["cloudtrail.amazonaws.com"]}}"#)).unwrap();
        assert!(r.any_event_name);
    }

    #[test]
    fn other_sources_do_not_count() {
        assert!(cloudtrail_event_rule(&rule(r#"{"source":["aws.ec2"]}"#)).is_none());
        assert!(cloudtrail_event_rule(&rule(r#"{"source":["aws.cloudtrail"],"detail":{"eventSource":["s3.amazonaws.com"]}}"#)).is_none());
        assert!(cloudtrail_event_rule(&rule("not json")).is_none());
    }

    #[test]
    fn metric_filter_event_names() {
        let names = mentioned_event_names(r#"{ ($.eventName = CreateTrail) || ($.eventName = "UpdateTrail") || ($.eventName=DeleteTrail) }"#);
        assert_eq!(names, ["CreateTrail", "DeleteTrail", "UpdateTrail"]);
    }
}
