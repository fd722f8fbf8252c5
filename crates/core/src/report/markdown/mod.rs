//! Markdown for `$GITHUB_STEP_SUMMARY` and pull-request comments: the summary table, failing
//! findings grouped by severity, and collapsed details for inconclusive outcomes and passes.
//! Rendered from templates/summary.md; every value is escaped for Markdown by the template
//! environment (pipes cannot break a table, `<` cannot start HTML).
//!
//! GitHub refuses a pull-request comment over 65,536 characters (and a step summary over
//! 1 MiB), so the summary is kept within a budget below that limit. When the whole report does
//! not fit, detail is left out in this order until it does: the list of passes, suppressed
//! findings, inconclusive details, the remediation of the least severe failures, and then the
//! least severe failures themselves. The summary table and the most severe failures always
//! stay, and the summary then ends with a note saying what was left out; the JSON and HTML
//! reports have everything.

use super::view::{self, FindingView};
use super::{templates, Context, Format, Rendered, Report, ReportError};
use minijinja::context;
use minijinja::value::{Serde, Value};
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
    let view = view::build(report, ctx);
    let base = Value::from(Serde(&view));
    let parts = Parts::of(&view.findings);
    let render = |detail: &Detail| -> Result<String, ReportError> {
        let md = detail.context(&parts, limit);
        templates::render(templates::MARKDOWN, context! { md => md, ..base.clone() })
    };
    let fits = |text: &str| text.chars().count() <= budget;

    let mut detail = Detail::all(&parts);
    let text = render(&detail)?;
    if fits(&text) {
        return Ok(text);
    }
    let drops: [fn(&mut Detail); 3] = [|d| d.passed = false, |d| d.suppressed = false, |d| d.inconclusive = false];
    for drop in drops {
        let before = detail;
        drop(&mut detail);
        if detail.omitted(&parts) == before.omitted(&parts) {
            continue;
        }
        let text = render(&detail)?;
        if fits(&text) {
            return Ok(text);
        }
    }
    let most = parts.failing.len().min(budget / MIN_ENTRY_CHARS);
    let with_remediation = largest_fitting(most, |n| {
        let text = render(&Detail { remediation: n, ..detail })?;
        Ok(fits(&text).then_some(text))
    })?;
    if let Some(text) = with_remediation {
        return Ok(text);
    }
    detail.remediation = 0;
    let with_failures = largest_fitting(most, |n| {
        let text = render(&Detail { failing: n, ..detail })?;
        Ok(fits(&text).then_some(text))
    })?;
    match with_failures {
        Some(text) => Ok(text),
        None => render(&Detail { failing: 0, ..detail }),
    }
}

/// The largest `n` in `0..=most` for which `attempt` gives a text, and that text, assuming
/// that what fits for `n` fits for every smaller `n` (a binary search: a few renders even for
/// thousands of findings).
fn largest_fitting(most: usize, mut attempt: impl FnMut(usize) -> Result<Option<String>, ReportError>) -> Result<Option<String>, ReportError> {
    let (mut low, mut high) = (0, most);
    let mut best = None;
    while low <= high {
        let mid = low + (high - low) / 2;
        match attempt(mid)? {
            Some(text) => {
                best = Some(text);
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
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The findings the summary can list, each converted to a template value once.
struct Parts {
    /// Most severe first (the view's order).
    failing: Vec<Value>,
    inconclusive: Vec<Value>,
    suppressed: Vec<Value>,
    passed: Vec<Value>,
}

impl Parts {
    fn of(findings: &[FindingView]) -> Parts {
        let of = |outcome: &str| findings.iter().filter(|f| f.outcome == outcome).map(|f| Value::from(Serde(f))).collect::<Vec<_>>();
        Parts { failing: of("fail"), inconclusive: of("inconclusive"), suppressed: of("suppressed"), passed: of("pass") }
    }
}

/// How much a rendering shows.
#[derive(Debug, Clone, Copy)]
struct Detail {
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
    fn all(parts: &Parts) -> Detail {
        Detail { failing: parts.failing.len(), remediation: parts.failing.len(), inconclusive: true, suppressed: true, passed: true }
    }

    fn omitted(&self, parts: &Parts) -> Omitted {
        let failing = self.failing.min(parts.failing.len());
        let count = |shown: bool, all: &Vec<Value>| if shown { 0 } else { all.len() };
        Omitted {
            failing: parts.failing.len() - failing,
            inconclusive: count(self.inconclusive, &parts.inconclusive),
            suppressed: count(self.suppressed, &parts.suppressed),
            passed: count(self.passed, &parts.passed),
            remediation: failing - self.remediation.min(failing),
        }
    }

    /// The template's `md` variable: the lists to show and, when anything is left out, the
    /// closing note.
    fn context(&self, parts: &Parts, limit: &str) -> Value {
        let failing = self.failing.min(parts.failing.len());
        let shown = |show: bool, all: &Vec<Value>| if show { all.clone() } else { Vec::new() };
        let omitted = self.omitted(parts);
        let note = (omitted.findings() + omitted.remediation > 0).then(|| omitted.sentence(limit));
        context! {
            failing => parts.failing[..failing].to_vec(),
            remediation => parts.failing[..self.remediation.min(failing)].to_vec(),
            inconclusive => shown(self.inconclusive, &parts.inconclusive),
            suppressed => shown(self.suppressed, &parts.suppressed),
            passed => shown(self.passed, &parts.passed),
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
            assert_eq!(found, Some(limit.min(12).to_string()));
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
