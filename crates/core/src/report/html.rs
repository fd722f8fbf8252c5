//! The HTML report: one self-contained file (inline CSS and script, no external requests) for
//! auditors and for people without the CLI. Rendered from templates/report.html with HTML
//! autoescaping, so names from a snapshot cannot inject markup.

use super::{templates, view, Context, Format, Rendered, Report, ReportError};
use minijinja::value::{Serde, Value};

pub fn render(report: &Report, ctx: &Context) -> Result<String, ReportError> {
    let view = view::build(report, ctx);
    templates::render(templates::HTML, Value::from(Serde(&view)))
}

/// The `--html` format.
#[derive(Debug)]
pub struct Html;

impl Format for Html {
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError> {
        render(report, ctx).map(Rendered::Text)
    }
}
