//! The terminal summary: failures grouped by severity, then inconclusive outcomes, then the
//! counts. Written to stderr; colour only when stderr is a terminal (anstream strips the
//! escapes otherwise, and honours NO_COLOR and CLICOLOR_FORCE).

use super::{Context, Format, Rendered, Report, ReportError};
use crate::findings::{Finding, Outcome, Severity};
use crate::history::{Baseline, BaselineStatus};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

/// The terminal summary as a format: not written to a file (it has no flag), but rendered
/// from the same report and context as the others.
#[derive(Debug)]
pub struct Console;

impl Format for Console {
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError> {
        Ok(Rendered::Text(render(report, ctx)))
    }
}

/// Renders the summary with ANSI styles (the caller strips them when not on a terminal); with
/// a baseline in the context, each listed finding is marked new or existing.
pub fn render(report: &Report, ctx: &Context) -> String {
    let rules_run = ctx.rules.len();
    let baseline = ctx.baseline;
    let mut out = String::new();
    let scan = &report.scan;
    let _ = writeln!(
        out,
        "{BOLD}trailwarden {}{BOLD:#}: {} account(s), {} region(s), {} rule(s), {} finding(s)",
        report.tool.version,
        scan.accounts.len(),
        scan.regions.len(),
        rules_run,
        report.findings.len()
    );

    for severity in Severity::ALL {
        let failing: Vec<&Finding> = report.findings.iter().filter(|f| f.outcome == Outcome::Fail && f.severity == severity).collect();
        if failing.is_empty() {
            continue;
        }
        let style = severity_style(severity);
        let _ = writeln!(out, "\n{style}{} ({}){style:#}", severity.as_str().to_uppercase(), failing.len());
        for f in failing {
            write_finding(&mut out, f, style, "FAIL", baseline);
        }
    }

    let inconclusive: Vec<&Finding> = report.findings.iter().filter(|f| f.outcome == Outcome::Inconclusive).collect();
    if !inconclusive.is_empty() {
        let style = Style::new().fg_color(Some(AnsiColor::Magenta.into())).bold();
        let _ = writeln!(out, "\n{style}INCONCLUSIVE ({}){style:#}", inconclusive.len());
        for f in inconclusive {
            write_finding(&mut out, f, style, "?", baseline);
        }
    }

    if let Some(frameworks) = &report.summary.frameworks {
        write_frameworks(&mut out, frameworks);
    }

    let s = &report.summary;
    if let Some(baseline) = baseline {
        let new = report.findings.iter().filter(|f| f.outcome == Outcome::Fail && baseline.status(f) == BaselineStatus::New).count();
        let _ = writeln!(out, "\n{BOLD}Baseline:{BOLD:#} {new} new failure(s) since the baseline report");
    }
    let fail_total = s.fail.total();
    let by_severity: Vec<String> =
        Severity::ALL.iter().filter(|sev| s.fail.get(**sev) > 0).map(|sev| format!("{} {}", s.fail.get(*sev), sev)).collect();
    let breakdown = if by_severity.is_empty() { String::new() } else { format!(" ({})", by_severity.join(", ")) };
    let _ = writeln!(
        out,
        "\n{BOLD}Summary:{BOLD:#} {fail_total} failed{breakdown}, {} passed, {} inconclusive, {} not applicable, {} suppressed",
        s.pass, s.inconclusive, s.not_applicable, s.suppressed
    );
    if !scan.incomplete.is_empty() {
        let _ = writeln!(
            out,
            "{DIM}Incomplete: {} fact(s) could not be read; the JSON report lists them under scan.incomplete.{DIM:#}",
            scan.incomplete.len()
        );
    }
    out
}

fn write_finding(out: &mut String, f: &Finding, style: Style, tag: &str, baseline: Option<&Baseline>) {
    // New problems stand out; known ones are dimmed, so a long-standing backlog does not
    // hide what changed.
    let marker = match baseline.map(|b| b.status(f)) {
        Some(BaselineStatus::New) => format!("{BOLD}[new]{BOLD:#} "),
        Some(BaselineStatus::Existing) => format!("{DIM}[existing]{DIM:#} "),
        None => String::new(),
    };
    let _ = writeln!(out, "  {style}{tag}{style:#} {marker}{BOLD}{}{BOLD:#} {DIM}{}{DIM:#}", f.rule_id, f.resource.arn);
    let _ = writeln!(out, "       {}", f.message);
}

/// Writes the summary to stderr, with colour only on a terminal.
pub fn print(report: &Report, ctx: &Context) {
    use std::io::Write as _;
    let mut err = anstream::stderr();
    let _ = err.write_all(render(report, ctx).as_bytes());
}

/// The summary without any escape codes (for tests and non-terminal use).
pub fn render_plain(report: &Report, ctx: &Context) -> String {
    let styled = render(report, ctx);
    let mut plain = Vec::new();
    let mut stream = anstream::StripStream::new(&mut plain);
    use std::io::Write as _;
    let _ = stream.write_all(styled.as_bytes());
    String::from_utf8(plain).unwrap_or(styled)
}

/// `--framework`: one line per control with its status and the rules behind it.
fn write_frameworks(out: &mut String, frameworks: &crate::results::FrameworkStatus) {
    for (framework, controls) in frameworks {
        let name = crate::rules::frameworks::display_name(framework).unwrap_or(framework);
        let _ = writeln!(out, "\n{BOLD}{name}{BOLD:#}");
        for c in controls {
            let style = match c.status {
                Outcome::Fail => severity_style(Severity::High),
                Outcome::Inconclusive => Style::new().fg_color(Some(AnsiColor::Magenta.into())).bold(),
                Outcome::Pass => Style::new().fg_color(Some(AnsiColor::Green.into())),
                _ => DIM,
            };
            let _ = writeln!(
                out,
                "  {style}{:<14}{style:#} {:<12} {} ({} failed, {} passed, {} inconclusive)",
                c.status.as_str(),
                c.control,
                c.rules.join(", "),
                c.fail,
                c.pass,
                c.inconclusive
            );
        }
    }
}
