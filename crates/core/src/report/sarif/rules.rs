//! SARIF rule descriptors (`tool.driver.rules`): what GitHub shows on an alert about the rule
//! that raised it (title, description, help with the remediation template, framework
//! controls, references) and the severity it sorts and filters by.

use super::{level, security_severity, Context, MAX_TAGS_PER_RULE};
use crate::rules::{frameworks, Rule};
use serde_json::json;
use serde_sarif::sarif::{MultiformatMessageString, PropertyBag, ReportingConfiguration, ReportingDescriptor};
use std::collections::BTreeMap;

/// The descriptors of the rules that ran, in the context's order (results refer to them by
/// index).
pub fn descriptors(ctx: &Context) -> Vec<ReportingDescriptor> {
    ctx.rules.iter().map(|r| rule_descriptor(r, ctx)).collect()
}

fn rule_descriptor(rule: &Rule, ctx: &Context) -> ReportingDescriptor {
    let description = first_paragraph(&rule.description);
    let mut properties = BTreeMap::new();
    properties.insert("security-severity".to_owned(), json!(security_severity(rule.severity)));
    properties.insert("precision".to_owned(), json!("very-high"));
    properties.insert("severity".to_owned(), json!(rule.severity.as_str()));
    properties.insert("scope".to_owned(), json!(rule.scope.variable()));
    let mut descriptor = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(pascal_case(&rule.id))
        .short_description(text_message(&rule.title))
        .full_description(text_message(if description.is_empty() { &rule.title } else { &description }))
        .help(MultiformatMessageString::builder().text(help_text(rule, ctx)).markdown(help_markdown(rule, ctx)).build())
        .default_configuration(ReportingConfiguration::builder().level(json!(level(rule.severity).to_string())).build())
        .properties(PropertyBag::builder().tags(rule_tags(rule)).additional_properties(properties).build())
        .build();
    descriptor.help_uri = rule.references.iter().find(|r| r.starts_with("https://") || r.starts_with("http://")).cloned();
    descriptor
}

fn text_message(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text.to_owned()).build()
}

/// `security` first (GitHub's security view keys on it), then framework ids; at most 20.
fn rule_tags(rule: &Rule) -> Vec<String> {
    std::iter::once("security".to_owned()).chain(rule.frameworks.keys().cloned()).take(MAX_TAGS_PER_RULE).collect()
}

/// The description up to its first blank line, on one line (GitHub shows it in alert lists).
fn first_paragraph(text: &str) -> String {
    text.trim().split("\n\n").next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `CT-LOG-FILE-VALIDATION` → `CtLogFileValidation`: SARIF names are identifiers, not ids.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn help_text(rule: &Rule, ctx: &Context) -> String {
    let mut text = format!("{}\n\n{}", rule.title, rule.description.trim());
    if let Some(remediation) = ctx.remediation_source(rule) {
        text.push_str(&format!("\n\nRemediation:\n{}", remediation.trim_end()));
    }
    if !rule.references.is_empty() {
        text.push_str(&format!("\n\nReferences:\n{}", rule.references.join("\n")));
    }
    text
}

/// Rule help as GitHub shows it on an alert: description (already Markdown), the remediation
/// template in a code block, framework controls and references.
fn help_markdown(rule: &Rule, ctx: &Context) -> String {
    let mut md = format!("**{}**\n\n{}\n", rule.title, rule.description.trim());
    if let Some(remediation) = ctx.remediation_source(rule) {
        let fence = "`".repeat(remediation.split(|c| c != '`').map(str::len).max().unwrap_or(0).max(2) + 1);
        md.push_str(&format!(
            "\n### Remediation\n\nValues in `{{{{ }}}}` are filled in for each resource in the alert's message and in the HTML and JSON reports.\n\n{fence}text\n{}\n{fence}\n",
            remediation.trim_end()
        ));
    }
    if !rule.frameworks.is_empty() {
        md.push_str("\n### Frameworks\n\n");
        for (id, controls) in rule.frameworks.iter() {
            md.push_str(&format!("- {}: {}\n", frameworks::display_name(id).unwrap_or(id), controls.join(", ")));
        }
    }
    if !rule.references.is_empty() {
        md.push_str("\n### References\n\n");
        for reference in &rule.references {
            md.push_str(&format!("- <{reference}>\n"));
        }
    }
    md.push_str(&format!("\nRule file: `{}`\n", rule.path.display()));
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_names() {
        assert_eq!(pascal_case("CT-LOG-FILE-VALIDATION"), "CtLogFileValidation");
    }
}
