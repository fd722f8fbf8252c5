//! Alerting artefacts: EventBridge rules on the default bus, CloudWatch Logs metric filters,
//! CloudWatch metric alarms.

use super::clients::Session;
use super::{unreadable_fact, Collector};
use trailwarden_core::inventory::{EventBridgeRule, Fact, FactId, MetricAlarm, MetricFilter, MetricTransformation};

/// events:ListRules on the default bus (the pattern and state come with it), then
/// events:ListTargetsByRule for each rule.
pub async fn eventbridge_rules(c: &Collector, s: &Session, region: &str) -> Fact<Vec<EventBridgeRule>> {
    if let Some(skipped) = c.skip(FactId::RegionEventBridgeRules) {
        return skipped;
    }
    let client = s.events(region);
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        match c.limiter.run(&s.account_id, client.list_rules().event_bus_name("default").set_next_token(token).send()).await {
            Ok(page) => {
                listed.extend(page.rules().iter().cloned());
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
            Err(err) => return unreadable_fact(FactId::RegionEventBridgeRules.api(), &err),
        }
    }
    let reads = listed.iter().map(|rule| {
        let client = client.clone();
        async move {
            let name = rule.name().unwrap_or_default().to_owned();
            let targets = targets(c, s, &client, &name).await;
            EventBridgeRule {
                name,
                arn: rule.arn().unwrap_or_default().to_owned(),
                event_bus_name: rule.event_bus_name().unwrap_or("default").to_owned(),
                state: rule.state().map(|st| st.as_str().to_owned()).unwrap_or_default(),
                event_pattern: rule.event_pattern().map(str::to_owned),
                targets,
            }
        }
    });
    let mut rules = futures::future::join_all(reads).await;
    rules.sort_by(|a, b| a.arn.cmp(&b.arn));
    Fact::Value(rules)
}

async fn targets(c: &Collector, s: &Session, client: &aws_sdk_eventbridge::Client, rule: &str) -> Fact<Vec<String>> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        match c.limiter.run(&s.account_id, client.list_targets_by_rule().rule(rule).set_next_token(token).send()).await {
            Ok(page) => {
                out.extend(page.targets().iter().map(|t| t.arn().to_owned()));
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
            Err(err) => return unreadable_fact("events:ListTargetsByRule", &err),
        }
    }
    out.sort();
    Fact::Value(out)
}

/// logs:DescribeMetricFilters (all log groups of the region).
pub async fn metric_filters(c: &Collector, s: &Session, region: &str) -> Fact<Vec<MetricFilter>> {
    if let Some(skipped) = c.skip(FactId::RegionMetricFilters) {
        return skipped;
    }
    let client = s.logs(region);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        match c.limiter.run(&s.account_id, client.describe_metric_filters().set_next_token(token).send()).await {
            Ok(page) => {
                out.extend(page.metric_filters().iter().map(|f| {
                    MetricFilter {
                        log_group_name: f.log_group_name().unwrap_or_default().to_owned(),
                        filter_name: f.filter_name().unwrap_or_default().to_owned(),
                        filter_pattern: f.filter_pattern().unwrap_or_default().to_owned(),
                        metric_transformations: f
                            .metric_transformations()
                            .iter()
                            .map(|m| MetricTransformation {
                                metric_name: m.metric_name().to_owned(),
                                metric_namespace: m.metric_namespace().to_owned(),
                            })
                            .collect(),
                    }
                }));
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
            Err(err) => return unreadable_fact(FactId::RegionMetricFilters.api(), &err),
        }
    }
    out.sort_by(|a, b| (&a.log_group_name, &a.filter_name).cmp(&(&b.log_group_name, &b.filter_name)));
    Fact::Value(out)
}

/// cloudwatch:DescribeAlarms (metric alarms).
pub async fn alarms(c: &Collector, s: &Session, region: &str) -> Fact<Vec<MetricAlarm>> {
    if let Some(skipped) = c.skip(FactId::RegionAlarms) {
        return skipped;
    }
    let client = s.cloudwatch(region);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        match c.limiter.run(&s.account_id, client.describe_alarms().set_next_token(token).send()).await {
            Ok(page) => {
                out.extend(page.metric_alarms().iter().map(|a| MetricAlarm {
                    alarm_name: a.alarm_name().unwrap_or_default().to_owned(),
                    metric_name: a.metric_name().map(str::to_owned),
                    namespace: a.namespace().map(str::to_owned),
                    actions_enabled: a.actions_enabled().unwrap_or(false),
                    alarm_actions: a.alarm_actions().to_vec(),
                }));
                token = page.next_token().map(str::to_owned);
                if token.is_none() {
                    break;
                }
            }
            Err(err) => return unreadable_fact(FactId::RegionAlarms.api(), &err),
        }
    }
    out.sort_by(|a, b| a.alarm_name.cmp(&b.alarm_name));
    Fact::Value(out)
}
