//! Suppressions: accepted failures, with a reason and an optional expiry.

use crate::config::Suppression;
use crate::findings::{Finding, Outcome};
use chrono::NaiveDate;

/// Applies suppressions to failing and inconclusive findings. Returns warnings: expired
/// suppressions (which no longer suppress) and suppressions that matched nothing.
pub fn apply(findings: &mut [Finding], suppressions: &[Suppression], today: NaiveDate) -> Vec<String> {
    let globs: Vec<globset::GlobMatcher> =
        suppressions.iter().map(|s| globset::Glob::new(&s.resource).expect("globs are checked when the config loads").compile_matcher()).collect();
    let mut used = vec![false; suppressions.len()];
    let mut expired_hits = vec![false; suppressions.len()];
    for finding in findings.iter_mut().filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Inconclusive)) {
        let matching = suppressions
            .iter()
            .enumerate()
            .filter(|(i, s)| (s.rule == "*" || s.rule == finding.rule_id) && globs[*i].is_match(&finding.resource.arn));
        for (i, s) in matching {
            used[i] = true;
            match s.expires {
                Some(day) if day < today => {
                    expired_hits[i] = true;
                    finding.message.push_str(&format!(" (A suppression of this finding expired on {day}: {})", s.reason));
                }
                _ => {
                    finding.outcome = Outcome::Suppressed;
                    finding.suppression = Some(match s.expires {
                        Some(day) => format!("{} (until {day})", s.reason),
                        None => s.reason.clone(),
                    });
                    break;
                }
            }
        }
    }
    let mut warnings = Vec::new();
    for (i, s) in suppressions.iter().enumerate() {
        if expired_hits[i] {
            warnings.push(format!(
                "suppression of {} on `{}` expired on {}; its findings are reported again",
                s.rule,
                s.resource,
                s.expires.expect("expired implies an expiry")
            ));
        } else if !used[i] {
            warnings.push(format!("suppression of {} on `{}` matched no failing finding; remove it if it is obsolete", s.rule, s.resource));
        }
    }
    warnings
}
