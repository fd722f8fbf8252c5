//! Rendering results: one interface, [`Format`], that every format implements (one module
//! each), and one registry, [`OUTPUTS`], of the formats `scan` can write with their flags.
//! Adding a format is its module and its line in the registry.

pub mod breakdown;
pub mod console;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod ocsf;
pub mod sarif;
mod templates;

pub use crate::results::Report;

use crate::findings::Finding;
use crate::history::{Baseline, BaselineStatus};
use crate::rules::{Rule, RuleSet};
use std::io::Write;
use std::path::Path;

/// A report format.
///
/// Rendering and writing are two steps so that the command line can keep two promises at
/// once: every requested format is rendered (and whatever can fail, a template or GitHub's
/// SARIF limits, has failed) before any file is written, and the JSON report, hundreds of
/// megabytes for a large organization, is streamed into its file rather than held as text.
pub trait Format: Sync + std::fmt::Debug {
    /// Renders `report`; what is returned only has to be written.
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError>;

    /// The format's directory form, for a format that can spread a report over several files
    /// when its flag names a directory (`--sarif DIR/`: GitHub limits what one upload may
    /// hold). `None`, the default: the format writes one file, and the command line refuses a
    /// directory for it.
    fn directory(&self) -> Option<&dyn DirectoryFormat> {
        None
    }
}

/// A format that can write a report as several files into a directory.
pub trait DirectoryFormat {
    /// Renders the files, named relative to the directory; as with [`Format::render`], what
    /// is returned only has to be written.
    fn render_files<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Vec<OutputFile<'a>>, ReportError>;

    /// Whether a file name is one this format gives its files: the command line removes those
    /// an earlier run left in the directory and this one did not write, so that the directory
    /// holds one scan's files (an upload of the whole directory would otherwise mix scans).
    fn owns(&self, file_name: &str) -> bool;
}

/// One file of a directory output.
pub struct OutputFile<'a> {
    /// The file name within the directory.
    pub name: String,
    pub content: Rendered<'a>,
}

/// A rendered report, ready to be written.
pub enum Rendered<'a> {
    /// Rendered in memory.
    Text(String),
    /// Written as it is produced; writing can then fail only with an I/O error.
    Streamed(StreamedOutput<'a>),
}

/// Writes a streamed output into its file.
pub type StreamedOutput<'a> = Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + 'a>;

impl Rendered<'_> {
    pub fn is_streamed(&self) -> bool {
        matches!(self, Rendered::Streamed(_))
    }

    pub fn write_to(self, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Rendered::Text(text) => out.write_all(text.as_bytes()),
            Rendered::Streamed(write) => write(out),
        }
    }
}

/// A format `scan` can write to a file, and the flag that asks for it.
#[derive(Debug)]
pub struct Output {
    /// `json` for `--json FILE`; the flag names are a contract with users' CI scripts.
    pub flag: &'static str,
    /// The flag's help in `scan --help`.
    pub help: &'static str,
    pub format: &'static dyn Format,
}

/// Every format `scan` can write, in the order `scan --help` lists their flags.
pub static OUTPUTS: &[Output] = &[
    Output { flag: "json", help: "Write the complete JSON report (passes included); `-` for stdout", format: &json::Json },
    Output {
        flag: "sarif",
        help: "Write SARIF 2.1.0 for GitHub code scanning (failing and inconclusive findings); `-` for stdout; a directory \
               (`DIR/`) for as many files as GitHub's upload limits require, a category per organizational unit",
        format: &sarif::SarifFormat,
    },
    Output { flag: "html", help: "Write a self-contained HTML report; `-` for stdout", format: &html::Html },
    Output {
        flag: "markdown",
        help: "Write a Markdown summary (for $GITHUB_STEP_SUMMARY or a pull-request comment); `-` for stdout",
        format: &markdown::Markdown,
    },
    Output { flag: "junit", help: "Write JUnit XML (one test case per rule and resource); `-` for stdout", format: &junit::Junit },
    Output {
        flag: "ocsf",
        help: "Write OCSF 1.8.0 Detection Findings, one a line (failing, inconclusive and suppressed findings); `-` for stdout",
        format: &ocsf::Ocsf::FINDINGS,
    },
    Output {
        flag: "ocsf-all",
        help: "Write OCSF 1.8.0 Detection Findings, one a line, passes included (as Resolved); `-` for stdout",
        format: &ocsf::Ocsf::ALL,
    },
];

/// What a renderer needs besides the report: the rules that ran (the report only carries the
/// findings, and a rule that found nothing must still be described), the scan's scope and
/// the baseline the findings are compared with.
pub struct Context<'a> {
    /// The rules that ran, sorted by id.
    pub rules: Vec<&'a Rule>,
    /// The rule set, for the rules' template sources (remediation text in SARIF rule help).
    pub set: Option<&'a RuleSet>,
    /// What was scanned: the organization id, else the caller's account id.
    pub scope: String,
    /// The report given to `--baseline`, when there was one.
    pub baseline: Option<&'a Baseline>,
}

impl<'a> Context<'a> {
    /// The context for the rules of `set` that `enabled` accepts.
    pub fn new(set: &'a RuleSet, enabled: impl Fn(&str) -> bool, scope: impl Into<String>) -> Context<'a> {
        Context { rules: set.rules.iter().filter(|r| enabled(&r.id)).collect(), set: Some(set), scope: scope.into(), baseline: None }
    }

    pub fn with_baseline(mut self, baseline: Option<&'a Baseline>) -> Context<'a> {
        self.baseline = baseline;
        self
    }

    pub fn rule(&self, id: &str) -> Option<&'a Rule> {
        self.rules.iter().copied().find(|r| r.id == id)
    }

    /// New or existing relative to the baseline; `None` without a baseline.
    pub fn baseline_status(&self, finding: &Finding) -> Option<BaselineStatus> {
        self.baseline.map(|b| b.status(finding))
    }

    /// The unrendered remediation template of a rule (for rule-level help, where no resource
    /// is bound); `None` for an empty one or without the rule set.
    pub fn remediation_source(&self, rule: &Rule) -> Option<String> {
        let set = self.set?;
        let template = set.templates.get_template(&rule.template_name("remediation")).ok()?;
        Some(template.source().to_owned()).filter(|s| !s.trim().is_empty())
    }
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A report template failed; a bug in trailwarden, not in the user's input.
    #[error("report template `{name}` failed: {source:#}")]
    Template { name: String, source: minijinja::Error },
    /// The SARIF file would break a GitHub code scanning limit; the message says what to do.
    #[error("{0}")]
    SarifLimit(String),
    #[error("cannot serialize the report: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// Writes an output by streaming it through `write` (buffered) to `path`, or to stdout for `-`.
pub fn write_output_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        write(&mut out)?;
        return out.flush();
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    write(&mut out)?;
    out.flush()
}
