//! The HTML report (one of the formats of docs/architecture.md §8): one self-contained file
//! (inline CSS, SVG and script, no external requests) for auditors and for people without the
//! CLI, usable at 10,000 accounts (a quarter of a million findings).
//!
//! Two parts, so that the page's size and rendering time grow with the organization only
//! where they must:
//! - what a reader looks at first is HTML rendered here from templates/report.html with HTML
//!   autoescaping: the summary and its SVG charts, the tables by rule and by organizational
//!   unit, the rules × accounts matrix (by unit when the accounts are too many for columns) and
//!   the framework controls. Its size depends on rules, units and controls only ([`model`]).
//! - the findings, the accounts and the unreadable facts are one compact JSON document
//!   embedded in the page ([`data`]), which templates/report.js renders a page at a time, with
//!   search and filters over all of them; it writes every value as text (`textContent`),
//!   never as markup, so that names from a snapshot cannot inject anything.
//!
//! Everything is counted in one pass over the findings ([`tally`]) plus one for the matrix;
//! nothing is computed per cell or per row by scanning the findings.

mod charts;
mod data;
mod matrix;
mod model;
mod placeholders;
mod shared;
mod tally;

use super::{templates, Context, Format, Rendered, Report, ReportError};
use minijinja::value::{Serde, Value};

/// The page's style and script, embedded as they are (they hold no values from a report).
const STYLE: &str = include_str!("../../../templates/report.css");
const SCRIPT: &str = include_str!("../../../templates/report.js");

pub fn render(report: &Report, ctx: &Context) -> Result<String, ReportError> {
    let tally = tally::count(report, ctx);
    let data = data::build(report, ctx, &tally)?;
    let page = model::build(report, ctx, &tally);
    let context = minijinja::context! {
        page => Value::from(Serde(&page)),
        style => Value::from_safe_string(STYLE.to_owned()),
        script => Value::from_safe_string(SCRIPT.to_owned()),
        // Script-safe JSON (data.rs); autoescaping it would break the JSON.
        data => Value::from_safe_string(data),
    };
    templates::render(templates::HTML, context)
}

/// The `--html` format.
#[derive(Debug)]
pub struct Html;

impl Format for Html {
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError> {
        render(report, ctx).map(Rendered::Text)
    }
}

#[cfg(test)]
mod tests {
    use super::tally::tests::{context, report};

    #[test]
    fn a_scan_without_findings_renders() {
        let html = super::render(&report(&["111122223333"], Vec::new()), &context()).unwrap();
        assert!(html.contains("1 account(s) · 1 region(s) · 0 rule(s) · 0 finding(s)"), "the header");
        assert!(html.contains("<div class=\"n\">—</div><div class=\"l\">pass rate</div>"), "no pass rate without evaluated findings");
        assert!(html.contains("No finding maps to a framework control."));
        assert!(html.contains("\"findings\":{\"rule\":[]"), "an empty findings list in the data");
    }
}
