//! Markdown for `$GITHUB_STEP_SUMMARY` and pull-request comments: the summary table, failing
//! findings grouped by severity, and collapsed details for inconclusive outcomes and passes.
//! Rendered from templates/summary.md; every value is escaped for Markdown by the template
//! environment (pipes cannot break a table, `<` cannot start HTML).

use super::{templates, view, Context, Report, ReportError};
use minijinja::value::{Serde, Value};

pub fn render(report: &Report, ctx: &Context) -> Result<String, ReportError> {
    let view = view::build(report, ctx);
    templates::render(templates::MARKDOWN, Value::from(Serde(&view)))
}

/// Escapes a value the way the template does (for callers that build Markdown around it).
pub use super::templates::escape_markdown as escape;
