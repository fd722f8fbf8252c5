//! The terminal summary: failures grouped by severity, then inconclusive outcomes, then
//! failures by organizational unit (when findings carry units), then the counts. Written to stderr; colour
//! only when stderr is a terminal (anstream strips the escapes otherwise, and honours NO_COLOR
//! and CLICOLOR_FORCE).
//!
//! Up to [`LIST_LIMIT`] failing and inconclusive findings are listed one by one; a larger
//! organization's are counted by rule instead (with the accounts that have the most), so that
//! the summary stays a screenful whatever the organization's size.

use super::breakdown::{self, RuleRow, UnitRow};
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
const INCONCLUSIVE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta))).bold();

/// The most failing and inconclusive findings listed one by one.
pub const LIST_LIMIT: usize = 100;
/// The most units in the unit table, worst first.
const UNIT_ROWS: usize = 15;
/// Accounts named for each rule when findings are counted by rule.
const WORST_ACCOUNTS: usize = 3;

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

    let listed = report.findings.iter().filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Inconclusive)).count();
    if listed <= LIST_LIMIT {
        write_findings(&mut out, report, baseline);
    } else {
        write_rules(&mut out, report);
    }
    if let Some(units) = breakdown::by_unit(&report.findings) {
        write_units(&mut out, &units);
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

/// Every failing and inconclusive finding, the failures by severity.
fn write_findings(out: &mut String, report: &Report, baseline: Option<&Baseline>) {
    for severity in Severity::ALL {
        let failing: Vec<&Finding> = report.findings.iter().filter(|f| f.outcome == Outcome::Fail && f.severity == severity).collect();
        if failing.is_empty() {
            continue;
        }
        let style = severity_style(severity);
        let _ = writeln!(out, "\n{style}{} ({}){style:#}", severity.as_str().to_uppercase(), failing.len());
        for f in failing {
            write_finding(out, f, style, "FAIL", baseline);
        }
    }
    let inconclusive: Vec<&Finding> = report.findings.iter().filter(|f| f.outcome == Outcome::Inconclusive).collect();
    if !inconclusive.is_empty() {
        let _ = writeln!(out, "\n{INCONCLUSIVE}INCONCLUSIVE ({}){INCONCLUSIVE:#}", inconclusive.len());
        for f in inconclusive {
            write_finding(out, f, INCONCLUSIVE, "?", baseline);
        }
    }
}

/// The failing and inconclusive findings counted by rule, the failures by severity.
fn write_rules(out: &mut String, report: &Report) {
    let failing = breakdown::by_rule(&report.findings, Outcome::Fail, WORST_ACCOUNTS);
    for severity in Severity::ALL {
        let rows: Vec<&RuleRow> = failing.iter().filter(|r| r.severity == severity).collect();
        if rows.is_empty() {
            continue;
        }
        let style = severity_style(severity);
        let total: usize = rows.iter().map(|r| r.findings).sum();
        let _ = writeln!(out, "\n{style}{} ({total}){style:#}", severity.as_str().to_uppercase());
        for row in rows {
            write_rule(out, row, style, "FAIL");
        }
    }
    let inconclusive = breakdown::by_rule(&report.findings, Outcome::Inconclusive, WORST_ACCOUNTS);
    if !inconclusive.is_empty() {
        let total: usize = inconclusive.iter().map(|r| r.findings).sum();
        let _ = writeln!(out, "\n{INCONCLUSIVE}INCONCLUSIVE ({total}){INCONCLUSIVE:#}");
        for row in &inconclusive {
            write_rule(out, row, INCONCLUSIVE, "?");
        }
    }
    let _ = writeln!(
        out,
        "\n{DIM}More than {LIST_LIMIT} failing and inconclusive findings: counted by rule. The JSON and HTML reports (--json, --html) list each.{DIM:#}"
    );
}

fn write_rule(out: &mut String, row: &RuleRow, style: Style, tag: &str) {
    let worst: Vec<String> = row.worst_accounts.iter().map(|(account, n)| format!("{account} ({n})")).collect();
    let _ = writeln!(
        out,
        "  {style}{tag}{style:#} {BOLD}{}{BOLD:#} {} finding(s) in {} account(s); most in {}",
        row.rule_id,
        row.findings,
        row.accounts,
        worst.join(", ")
    );
}

/// Failing and inconclusive findings by organizational unit, worst first.
fn write_units(out: &mut String, units: &[UnitRow]) {
    if units.is_empty() {
        return;
    }
    let width = units.iter().take(UNIT_ROWS).map(|u| u.label().chars().count()).max().unwrap_or(0).clamp(20, 60);
    let _ = writeln!(out, "\n{BOLD}FAILURES BY ORGANIZATIONAL UNIT{BOLD:#} (worst first)");
    let _ = writeln!(
        out,
        "  {DIM}{:<width$} {:>8} {:>8} {:>6} {:>6} {:>6} {:>6} {:>12}{DIM:#}",
        "UNIT", "ACCOUNTS", "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "INCONCLUSIVE"
    );
    for u in units.iter().take(UNIT_ROWS) {
        let label: String = u.label().chars().take(width).collect();
        let [critical, high, medium, low, info] = u.fail;
        let _ = writeln!(out, "  {label:<width$} {:>8} {critical:>8} {high:>6} {medium:>6} {low:>6} {info:>6} {:>12}", u.accounts, u.inconclusive);
    }
    if units.len() > UNIT_ROWS {
        let _ = writeln!(out, "  {DIM}... {} more unit(s) with failing or inconclusive findings{DIM:#}", units.len() - UNIT_ROWS);
    }
}

fn write_finding(out: &mut String, f: &Finding, style: Style, tag: &str, baseline: Option<&Baseline>) {
    // New problems stand out; known ones are dimmed, so a long-standing backlog does not
    // hide what changed.
    let marker = match baseline.map(|b| b.status(f)) {
        Some(BaselineStatus::New) => format!("{BOLD}[new]{BOLD:#} "),
        Some(BaselineStatus::Existing) => format!("{DIM}[existing]{DIM:#} "),
        None => String::new(),
    };
    // A resource declared in infrastructure as code is shown where it is declared.
    let place = match &f.resource.location {
        Some(at) => format!("{}:{} ({})", at.file, at.line, at.address),
        None => f.resource.arn.clone(),
    };
    let _ = writeln!(out, "  {style}{tag}{style:#} {marker}{BOLD}{}{BOLD:#} {DIM}{place}{DIM:#}", f.rule_id);
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
                Outcome::Inconclusive => INCONCLUSIVE,
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
