//! Suppressions: accepted failures, with a reason and an optional expiry.

use crate::config::Suppression;
use crate::findings::{Finding, Outcome, ResourceRef};
use crate::inventory::units;
use chrono::NaiveDate;
use globset::GlobMatcher;

/// A suppression's globs, compiled.
struct Matcher {
    resource: Option<GlobMatcher>,
    unit: Option<GlobMatcher>,
}

impl Matcher {
    fn new(s: &Suppression) -> Matcher {
        const CHECKED: &str = "globs are checked when the config loads";
        Matcher {
            resource: s.resource.as_deref().map(|g| globset::Glob::new(g).expect(CHECKED).compile_matcher()),
            unit: s.organizational_unit.as_deref().map(|g| units::unit_glob(g).expect(CHECKED)),
        }
    }

    fn matches(&self, resource: &ResourceRef) -> bool {
        self.resource.as_ref().is_none_or(|glob| glob.is_match(&resource.arn))
            && self.unit.as_ref().is_none_or(|glob| resource.organizational_unit.as_deref().is_some_and(|path| units::path_matches(glob, path)))
    }
}

/// What a suppression is about, for warnings: `` `arn-glob` ``, `` unit `Root/Sandbox` `` or both.
fn on(s: &Suppression) -> String {
    match (&s.resource, &s.organizational_unit) {
        (Some(resource), None) => format!("`{resource}`"),
        (None, Some(unit)) => format!("unit `{unit}`"),
        (Some(resource), Some(unit)) => format!("`{resource}` in unit `{unit}`"),
        (None, None) => "every resource".to_owned(),
    }
}

/// Applies suppressions to failing and inconclusive findings. Returns warnings: expired
/// suppressions (which no longer suppress) and suppressions that matched nothing.
pub fn apply(findings: &mut [Finding], suppressions: &[Suppression], today: NaiveDate) -> Vec<String> {
    let matchers: Vec<Matcher> = suppressions.iter().map(Matcher::new).collect();
    let mut used = vec![false; suppressions.len()];
    let mut expired_hits = vec![false; suppressions.len()];
    for finding in findings.iter_mut().filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Inconclusive)) {
        let matching =
            suppressions.iter().enumerate().filter(|(i, s)| (s.rule == "*" || s.rule == finding.rule_id) && matchers[*i].matches(&finding.resource));
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
                "suppression of {} on {} expired on {}; its findings are reported again",
                s.rule,
                on(s),
                s.expires.expect("expired implies an expiry")
            ));
        } else if !used[i] {
            warnings.push(format!("suppression of {} on {} matched no failing finding; remove it if it is obsolete", s.rule, on(s)));
        }
    }
    warnings
}
