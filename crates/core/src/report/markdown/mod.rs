//! Markdown for `$GITHUB_STEP_SUMMARY` and pull-request comments: the summary table, failures
//! by organizational unit, failing findings grouped by severity, and collapsed details for
//! inconclusive outcomes and passes. Rendered from templates/summary.md with its own
//! presentation model ([`model`]); every value is escaped for Markdown by the template
//! environment (pipes cannot break a table, `<` cannot start HTML).
//!
//! GitHub refuses a pull-request comment over 65,536 characters (and a step summary over
//! 1 MiB), so the summary is kept within a budget below that limit. When the whole report does
//! not fit, detail is left out in this order until it does: the list of passes, suppressed
//! findings, inconclusive details, the remediation of the least severe failures; then, once
//! not every failure can be listed, a table of the failures by rule (with the accounts that
//! have the most) takes the list's place and only the most severe failures that still fit are
//! listed. Should the failures of the most severe severity not all fit beside the tables but
//! fit without them, they stay, and the rows of the rule table go, then those of the unit
//! table (the least severe first); with a budget too small for the tables, they go, and the
//! most severe failures that fit are listed. The summary table always stays, and the summary then ends with a note saying what
//! was left out; the JSON and HTML reports have everything.
//!
//! Each rendering lists at most a few thousand findings (the budget over the shortest entry),
//! and the budget is met in a few renderings (a binary search), so the cost does not grow with
//! the organization beyond the one pass that builds the model.

mod model;

use super::{templates, Context, Format, Rendered, Report, ReportError};
use minijinja::context;
use minijinja::value::{Serde, Value};
use model::Model;
use serde::Serialize;

/// GitHub's limit for a pull-request (or issue) comment body, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// The default budget: GitHub's comment limit less a margin (GitHub's own count may differ
/// slightly from ours, e.g. for characters outside the Basic Multilingual Plane).
pub const DEFAULT_BUDGET: usize = GITHUB_COMMENT_LIMIT - 2_048;

/// The shortest a listed finding can be in the template (table row or remediation entry),
/// which bounds how many can fit a budget.
const MIN_ENTRY_CHARS: usize = 16;

/// Renders the summary within [`DEFAULT_BUDGET`] characters, to fit a pull-request comment.
pub fn render(report: &Report, ctx: &Context) -> Result<String, ReportError> {
    let limit = format!("GitHub's {}-character limit for comments", thousands(GITHUB_COMMENT_LIMIT));
    render_in(report, ctx, DEFAULT_BUDGET, &limit)
}

/// Renders the summary in at most `budget` characters (as counted by `chars()`), leaving out
/// detail as described in the module documentation. Only if even the summary table with no
/// finding listed is longer than `budget` is the result longer.
pub fn render_within(report: &Report, ctx: &Context, budget: usize) -> Result<String, ReportError> {
    render_in(report, ctx, budget, &format!("a limit of {} characters", thousands(budget)))
}

/// [`render_within`], naming the limit as `limit` in the closing note.
fn render_in(report: &Report, ctx: &Context, budget: usize, limit: &str) -> Result<String, ReportError> {
    let model = Model::build(report, ctx, budget / MIN_ENTRY_CHARS);
    // A rendering that lists more findings than were converted cannot fit: not rendered.
    let render = |detail: &Detail| -> Result<Option<String>, ReportError> {
        if !detail.listable(&model) {
            return Ok(None);
        }
        let md = detail.context(&model, limit);
        let text = templates::render(templates::MARKDOWN, context! { md => md, ..model.header.clone() })?;
        Ok((text.chars().count() <= budget).then_some(text))
    };

    let mut detail = Detail::all(&model);
    if let Some(text) = render(&detail)? {
        return Ok(text);
    }
    let drops: [fn(&mut Detail); 3] = [|d| d.passed = false, |d| d.suppressed = false, |d| d.inconclusive = false];
    for drop in drops {
        let before = detail;
        drop(&mut detail);
        if detail.omitted(&model) == before.omitted(&model) {
            continue;
        }
        if let Some(text) = render(&detail)? {
            return Ok(text);
        }
    }
    if let Some((_, text)) = largest_fitting(model.failing.entries.len(), |n| render(&Detail { remediation: n, ..detail }))? {
        return Ok(text);
    }
    // Not every failure fits: the rule table stands for them, and the most severe that still
    // fit are listed.
    detail.remediation = 0;
    detail.rules = Some(model.rules.len());
    let top = model.failing.most_severe.min(model.failing.entries.len());
    let beside_table = match largest_fitting(model.failing.entries.len(), |n| render(&Detail { failing: n, ..detail }))? {
        Some((n, text)) if n >= top => return Ok(text),
        other => other,
    };
    // The failures of the most severe severity do not all fit beside the whole table. If they
    // fit without the tables, they stay, and then the unit table's rows and the rule table's,
    // each the least severe first.
    let tables = |units: usize, rules: usize| Detail { failing: top, units, rules: Some(rules), ..detail };
    if render(&tables(0, 0))?.is_some() {
        let all_units = model.units.len();
        let fitting = if render(&tables(all_units, 0))?.is_some() {
            largest_fitting(model.rules.len(), |n| render(&tables(all_units, n)))?
        } else {
            largest_fitting(all_units, |n| render(&tables(n, 0)))?
        };
        if let Some((_, text)) = fitting {
            return Ok(text);
        }
    }
    // If they do not fit at all (a large organization's critical failures), the whole tables
    // and as many of them as fit.
    if let Some((_, text)) = beside_table {
        return Ok(text);
    }
    // A budget too small for the tables: the most severe failures that fit.
    detail = Detail { units: 0, rules: Some(0), ..detail };
    if let Some((_, text)) = largest_fitting(top, |n| render(&Detail { failing: n, ..detail }))? {
        return Ok(text);
    }
    detail.failing = 0;
    let md = detail.context(&model, limit);
    templates::render(templates::MARKDOWN, context! { md => md, ..model.header.clone() })
}

/// The largest `n` in `0..=most` for which `attempt` gives a text, and that text, assuming
/// that what fits for `n` fits for every smaller `n` (a binary search: a few renders even for
/// thousands of findings).
fn largest_fitting(
    most: usize,
    mut attempt: impl FnMut(usize) -> Result<Option<String>, ReportError>,
) -> Result<Option<(usize, String)>, ReportError> {
    let (mut low, mut high) = (0, most);
    let mut best = None;
    while low <= high {
        let mid = low + (high - low) / 2;
        match attempt(mid)? {
            Some(text) => {
                best = Some((mid, text));
                low = mid + 1;
            }
            None if mid == 0 => break,
            None => high = mid - 1,
        }
    }
    Ok(best)
}

/// `65536` → `65,536`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How much a rendering shows.
#[derive(Debug, Clone, Copy)]
struct Detail {
    /// The first (worst) units of the unit table listed.
    units: usize,
    /// The rule table and how many of its rows are listed; `None` while every failure is
    /// listed one by one.
    rules: Option<usize>,
    /// The first (most severe) failures listed.
    failing: usize,
    /// The first failures whose remediation is shown (at most `failing`).
    remediation: usize,
    inconclusive: bool,
    suppressed: bool,
    passed: bool,
}

/// What a rendering leaves out.
#[derive(Debug, PartialEq, Eq, Serialize)]
struct Omitted {
    failing: usize,
    inconclusive: usize,
    suppressed: usize,
    passed: usize,
    /// Failing findings that are listed without their remediation.
    remediation: usize,
}

impl Omitted {
    fn findings(&self) -> usize {
        self.failing + self.inconclusive + self.suppressed + self.passed
    }

    /// One sentence: how many findings are left out, of which outcomes, and how many listed
    /// failures lack their remediation.
    fn sentence(&self, limit: &str) -> String {
        let mut left_out = Vec::new();
        if self.findings() > 0 {
            let parts: Vec<String> = [
                (self.failing, "least severe failing"),
                (self.inconclusive, "inconclusive"),
                (self.suppressed, "suppressed"),
                (self.passed, "passed"),
            ]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
            left_out.push(format!("{} finding(s) ({})", self.findings(), parts.join(", ")));
        }
        if self.remediation > 0 {
            left_out.push(format!("the remediation of {} listed failing finding(s)", self.remediation));
        }
        format!("Left out to fit {limit}: {}.", left_out.join(" and "))
    }
}

impl Detail {
    fn all(model: &Model) -> Detail {
        let failing = model.failing.total;
        Detail { units: model.units.len(), rules: None, failing, remediation: failing, inconclusive: true, suppressed: true, passed: true }
    }

    /// Whether every finding this rendering lists has been converted for listing (if not, it
    /// lists more than the budget can hold).
    fn listable(&self, model: &Model) -> bool {
        let fits = |shown: bool, listing: &model::Listing| !shown || listing.total <= listing.entries.len();
        self.failing.min(model.failing.total) <= model.failing.entries.len()
            && fits(self.inconclusive, &model.inconclusive)
            && fits(self.suppressed, &model.suppressed)
            && fits(self.passed, &model.passed)
    }

    fn omitted(&self, model: &Model) -> Omitted {
        let failing = self.failing.min(model.failing.total);
        let count = |shown: bool, listing: &model::Listing| if shown { 0 } else { listing.total };
        Omitted {
            failing: model.failing.total - failing,
            inconclusive: count(self.inconclusive, &model.inconclusive),
            suppressed: count(self.suppressed, &model.suppressed),
            passed: count(self.passed, &model.passed),
            remediation: failing - self.remediation.min(failing),
        }
    }

    /// The template's `md` variable: the tables and lists to show and, when anything is left
    /// out, the closing note.
    fn context(&self, model: &Model, limit: &str) -> Value {
        let failing = self.failing.min(model.failing.total);
        let shown = |show: bool, listing: &model::Listing| if show { listing.first(listing.total) } else { Vec::new() };
        let omitted = self.omitted(model);
        let note = (omitted.findings() + omitted.remediation > 0).then(|| omitted.sentence(limit));
        let units = self.units.min(model.units.len());
        let rules = self.rules.map(|n| n.min(model.rules.len()));
        context! {
            units => model.units[..units].to_vec(),
            units_more => model.units_total - units,
            rule_table => rules.is_some() && !model.rules.is_empty(),
            rules => model.rules[..rules.unwrap_or(0)].to_vec(),
            rules_more => rules.map_or(0, |n| model.rules.len() - n),
            failing => model.failing.first(failing),
            remediation => model.failing.first(self.remediation.min(failing)),
            inconclusive => shown(self.inconclusive, &model.inconclusive),
            suppressed => shown(self.suppressed, &model.suppressed),
            passed => shown(self.passed, &model.passed),
            omitted => Value::from(Serde(&omitted)),
            note => note,
        }
    }
}

/// Escapes a value the way the template does (for callers that build Markdown around it).
pub use super::templates::escape_markdown as escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(65_536), "65,536");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn binary_search_finds_the_largest_fitting_count() {
        for limit in 0..20 {
            let found = largest_fitting(12, |n| Ok((n <= limit).then(|| n.to_string()))).unwrap();
            assert_eq!(found, Some((limit.min(12), limit.min(12).to_string())));
        }
        let none = largest_fitting(12, |_| Ok(None)).unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn the_note_says_what_is_left_out() {
        let omitted = Omitted { failing: 2, inconclusive: 3, suppressed: 0, passed: 10, remediation: 4 };
        assert_eq!(
            omitted.sentence("a limit of 100 characters"),
            "Left out to fit a limit of 100 characters: 15 finding(s) (2 least severe failing, 3 inconclusive, 10 passed) \
             and the remediation of 4 listed failing finding(s)."
        );
        let only_remediation = Omitted { failing: 0, inconclusive: 0, suppressed: 0, passed: 0, remediation: 1 };
        assert_eq!(only_remediation.sentence("x"), "Left out to fit x: the remediation of 1 listed failing finding(s).");
    }
}

/// The `--markdown` format.
#[derive(Debug)]
pub struct Markdown;

impl Format for Markdown {
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError> {
        render(report, ctx).map(Rendered::Text)
    }
}
