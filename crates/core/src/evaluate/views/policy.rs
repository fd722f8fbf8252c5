//! What a log bucket's policy allows, reduced to the questions of
//! CT-BUCKET-POLICY-LEAST-PRIVILEGE: does it deny plain HTTP, does every CloudTrail write carry
//! a source condition, and who may delete logs or loosen the bucket's protection.
//!
//! This is not a full IAM evaluator. Where a statement is beyond what it can judge
//! (`NotPrincipal`, `NotAction` in an Allow, a wildcard principal narrowed by conditions), the
//! grant list is reported unreadable so that the rule is inconclusive rather than wrong.

use super::readable::Readable;
use crate::inventory::{Unreadable, UnreadableReason};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// Actions that delete logs or weaken the bucket's protection.
const SENSITIVE_ACTIONS: [&str; 10] = [
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketVersioning",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketObjectLockConfiguration",
];

const SOURCE_CONDITION_KEYS: [&str; 3] = ["aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid"];

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PolicyAnalysis {
    /// A Deny for every principal when `aws:SecureTransport` is false.
    pub denies_insecure_transport: bool,
    /// Allow statements (Sid or index) letting cloudtrail.amazonaws.com put objects with no
    /// `aws:SourceArn`, `aws:SourceAccount` or `aws:SourceOrgID` condition.
    pub unconditioned_cloudtrail_writes: Vec<String>,
    /// Who may delete logs or loosen protection (principals other than AWS services).
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub sensitive_grants: Readable<Vec<SensitiveGrant>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SensitiveGrant {
    pub statement: String,
    /// The principal as written (`*`, an account id or an ARN).
    pub principal: String,
    /// The principal's account, when it names one; null for `*`.
    pub account_id: Option<String>,
    pub actions: Vec<String>,
}

/// Analyses a policy document.
pub fn analyse(policy: &Value) -> PolicyAnalysis {
    let statements: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let mut analysis = PolicyAnalysis {
        denies_insecure_transport: false,
        unconditioned_cloudtrail_writes: Vec::new(),
        sensitive_grants: Readable::value(Vec::new()),
    };
    let mut grants = Vec::new();
    let mut doubts = Vec::new();
    for (index, statement) in statements.iter().enumerate() {
        let name = statement.get("Sid").and_then(Value::as_str).map_or_else(|| format!("#{index}"), str::to_owned);
        let effect = statement.get("Effect").and_then(Value::as_str).unwrap_or_default();
        let actions = strings(statement.get("Action"));
        let conditions = statement.get("Condition");
        match effect {
            "Deny" if denies_plain_http(statement, conditions, &actions) => analysis.denies_insecure_transport = true,
            "Allow" => {
                if statement.get("NotPrincipal").is_some() || statement.get("NotAction").is_some() {
                    doubts.push(format!("statement {name} uses NotPrincipal or NotAction"));
                    continue;
                }
                let principal = statement.get("Principal");
                let services = principal_values(principal, "Service");
                if services.iter().any(|s| s == "cloudtrail.amazonaws.com")
                    && actions.iter().any(|a| action_matches(a, "s3:PutObject"))
                    && !has_source_condition(conditions)
                {
                    analysis.unconditioned_cloudtrail_writes.push(name.clone());
                }
                let sensitive: Vec<String> =
                    SENSITIVE_ACTIONS.iter().filter(|target| actions.iter().any(|a| action_matches(a, target))).map(|s| (*s).to_owned()).collect();
                if sensitive.is_empty() {
                    continue;
                }
                for who in aws_principals(principal) {
                    if who == "*" && conditions.is_some() {
                        doubts.push(format!("statement {name} grants {} to * under conditions", sensitive.join(", ")));
                        continue;
                    }
                    grants.push(SensitiveGrant {
                        statement: name.clone(),
                        account_id: principal_account(&who),
                        principal: who,
                        actions: sensitive.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    analysis.sensitive_grants = if doubts.is_empty() {
        Readable::value(grants)
    } else {
        Readable::unreadable(Unreadable {
            reason: UnreadableReason::Unsupported,
            api: Some("s3:GetBucketPolicy".to_owned()),
            detail: Some(format!("the policy is beyond trailwarden's policy analysis: {}", doubts.join("; "))),
        })
    };
    analysis
}

fn denies_plain_http(statement: &Value, conditions: Option<&Value>, actions: &[String]) -> bool {
    let everyone = aws_principals(statement.get("Principal")).iter().any(|p| p == "*");
    let all_s3 = actions.iter().any(|a| a == "*" || a.eq_ignore_ascii_case("s3:*"));
    let insecure = conditions.and_then(Value::as_object).is_some_and(|ops| {
        ops.iter().filter(|(op, _)| op.starts_with("Bool")).any(|(_, keys)| {
            keys.as_object().is_some_and(|keys| {
                keys.iter().any(|(k, v)| k.eq_ignore_ascii_case("aws:SecureTransport") && strings(Some(v)).iter().any(|s| s == "false"))
            })
        })
    });
    everyone && all_s3 && insecure
}

fn has_source_condition(conditions: Option<&Value>) -> bool {
    conditions.and_then(Value::as_object).is_some_and(|ops| {
        ops.values().filter_map(Value::as_object).any(|keys| keys.keys().any(|k| SOURCE_CONDITION_KEYS.contains(&k.to_ascii_lowercase().as_str())))
    })
}

/// A string or a list of strings (booleans are written as strings).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Bool(b)) => vec![b.to_string()],
        Some(Value::Array(items)) => items.iter().flat_map(|v| strings(Some(v))).collect(),
        _ => Vec::new(),
    }
}

fn principal_values(principal: Option<&Value>, kind: &str) -> Vec<String> {
    match principal {
        Some(Value::Object(map)) => strings(map.get(kind)),
        _ => Vec::new(),
    }
}

/// AWS principals: `"*"`, `{"AWS": ...}`.
fn aws_principals(principal: Option<&Value>) -> Vec<String> {
    match principal {
        Some(Value::String(s)) if s == "*" => vec!["*".to_owned()],
        Some(Value::Object(_)) => principal_values(principal, "AWS"),
        _ => Vec::new(),
    }
}

fn principal_account(principal: &str) -> Option<String> {
    if principal.len() == 12 && principal.chars().all(|c| c.is_ascii_digit()) {
        return Some(principal.to_owned());
    }
    crate::inventory::arn_account(principal).map(str::to_owned)
}

/// IAM action matching: case-insensitive, `*` and `?` wildcards.
fn action_matches(pattern: &str, action: &str) -> bool {
    fn matches(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => matches(&p[1..], a) || (!a.is_empty() && matches(p, &a[1..])),
            (Some(b'?'), Some(_)) => matches(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => matches(&p[1..], &a[1..]),
            _ => false,
        }
    }
    matches(pattern.as_bytes(), action.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grants(a: &PolicyAnalysis) -> &Vec<SensitiveGrant> {
        a.sensitive_grants.get().expect("grants readable")
    }

    #[test]
    fn a_good_cloudtrail_bucket_policy() {
        let policy = json!({"Statement": [
            {"Sid": "AclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::b"},
            {"Sid": "Write", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::b/AWSLogs/*", "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:1:trail/t"}}},
            {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        ]});
        let a = analyse(&policy);
        assert!(a.denies_insecure_transport);
        assert!(a.unconditioned_cloudtrail_writes.is_empty());
        assert!(grants(&a).is_empty());
    }

    #[test]
    fn cloudtrail_write_without_source_condition() {
        let a = analyse(&json!({"Statement": {"Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["s3:Put*"]}}));
        assert_eq!(a.unconditioned_cloudtrail_writes, ["#0"]);
        assert!(!a.denies_insecure_transport);
    }

    #[test]
    fn delete_rights_to_another_account() {
        let a = analyse(
            &json!({"Statement": [{"Sid": "X", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "s3:Delete*"}]}),
        );
        let g = grants(&a);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].account_id.as_deref(), Some("999999999999"));
        assert_eq!(g[0].actions, ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucketPolicy"]);
    }

    #[test]
    fn not_principal_is_beyond_the_analysis() {
        let a = analyse(&json!({"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*"}]}));
        assert!(a.sensitive_grants.is_unreadable());
    }

    #[test]
    fn wildcard_actions() {
        assert!(action_matches("s3:*", "s3:DeleteObject"));
        assert!(action_matches("*", "s3:PutBucketPolicy"));
        assert!(action_matches("S3:deleteobject*", "s3:DeleteObjectVersion"));
        assert!(!action_matches("s3:Get*", "s3:DeleteObject"));
    }
}
