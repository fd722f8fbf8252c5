//! JUnit XML for CI systems that show test results (GitLab, Jenkins, Azure Pipelines, ...).
//!
//! One test suite per rule and one test case per rule and resource (classname = rule id,
//! name = ARN; `file` and `line` where infrastructure as code declares the resource): a failure is `<failure>`, an inconclusive outcome `<error>` (the check itself
//! could not run), not-applicable and suppressed outcomes `<skipped>`. The XML is small and
//! flat, so it is written directly; every value goes through [`escape`].

use super::{Context, Format, Rendered, Report, ReportError};
use crate::findings::{Finding, Outcome};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The JUnit XML as text (for tests; `--junit` streams it with [`write`]).
pub fn render(report: &Report, ctx: &Context) -> Result<String, ReportError> {
    let mut out = Vec::new();
    write(report, ctx, &mut out).expect("writing to memory does not fail");
    Ok(String::from_utf8(out).expect("the XML is built from strings"))
}

/// Writes the JUnit XML to `out` as it goes: a large organization's is hundreds of megabytes
/// (every finding, passes included, with its details), never held in memory as text.
pub fn write(report: &Report, ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_rule.entry(f.rule_id.as_str()).or_default().push(f);
    }
    let timestamp = report.scan.started_at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let seconds = (report.scan.finished_at - report.scan.started_at).num_milliseconds().max(0) as f64 / 1000.0;
    let totals = Counts::of(report.findings.iter());

    // Writes of a few bytes each: gathered here rather than passed one by one through `dyn Write`.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    writeln!(
        out,
        "<testsuites name=\"trailwarden\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{seconds:.3}\" timestamp=\"{timestamp}\">",
        totals.tests, totals.failures, totals.errors, totals.skipped
    )?;
    let mut detail = String::new();
    for (rule_id, findings) in by_rule {
        write_suite(&mut out, rule_id, &findings, ctx, &timestamp, &mut detail)?;
    }
    out.write_all(b"</testsuites>\n")?;
    out.flush()
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of<'a>(findings: impl Iterator<Item = &'a Finding>) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            c.tests += 1;
            match f.outcome {
                Outcome::Fail => c.failures += 1,
                Outcome::Inconclusive => c.errors += 1,
                Outcome::NotApplicable | Outcome::Suppressed => c.skipped += 1,
                Outcome::Pass => {}
            }
        }
        c
    }
}

fn write_suite(out: &mut impl Write, rule_id: &str, findings: &[&Finding], ctx: &Context, timestamp: &str, detail: &mut String) -> io::Result<()> {
    let c = Counts::of(findings.iter().copied());
    let title = ctx.rule(rule_id).map(|r| &*r.title).or_else(|| findings.first().map(|f| &*f.title)).unwrap_or_default();
    writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{timestamp}\">",
        escape(&format!("{rule_id}: {title}")),
        c.tests,
        c.failures,
        c.errors,
        c.skipped
    )?;
    for f in findings {
        write_case(out, f, ctx, detail)?;
    }
    out.write_all(b"  </testsuite>\n")
}

/// One test case; `detail` is a buffer reused from case to case.
fn write_case(out: &mut impl Write, f: &Finding, ctx: &Context, detail: &mut String) -> io::Result<()> {
    // A resource declared in infrastructure as code also carries its file and line, the
    // attributes GitLab and Jenkins's JUnit readers link to.
    match &f.resource.location {
        Some(at) => writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"0\">",
            escape(&f.rule_id),
            escape(&f.resource.arn),
            escape(&at.file),
            at.line
        )?,
        None => writeln!(out, "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">", escape(&f.rule_id), escape(&f.resource.arn))?,
    }
    match f.outcome {
        Outcome::Pass => {
            details(f, ctx, detail);
            writeln!(out, "      <system-out>{}</system-out>", escape_text(detail))?;
        }
        Outcome::Fail => {
            details(f, ctx, detail);
            writeln!(out, "      <failure type=\"{}\" message=\"{}\">{}</failure>", f.severity, escape(&f.message), escape_text(detail))?;
        }
        Outcome::Inconclusive => {
            details(f, ctx, detail);
            writeln!(out, "      <error type=\"inconclusive\" message=\"{}\">{}</error>", escape(&f.message), escape_text(detail))?;
        }
        Outcome::NotApplicable | Outcome::Suppressed => {
            let reason = match &f.suppression {
                Some(reason) if f.outcome == Outcome::Suppressed => format!("suppressed: {reason}"),
                _ => format!("{}: {}", f.outcome, f.message),
            };
            writeln!(out, "      <skipped message=\"{}\"/>", escape(&reason))?;
        }
    }
    out.write_all(b"    </testcase>\n")
}

/// The body of a failure or error: what, where, how to fix; into `text`, replacing it.
fn details(f: &Finding, ctx: &Context, text: &mut String) {
    text.clear();
    let _ = write!(
        text,
        "{}\nRule: {} ({})\nSeverity: {}\nResource: {} ({})\nAccount: {}\nRegion: {}",
        f.message,
        f.rule_id,
        f.title,
        f.severity,
        f.resource.arn,
        f.resource.kind.as_str(),
        f.resource.account,
        f.resource.region
    );
    if let Some(at) = &f.resource.location {
        let _ = write!(text, "\nDeclared at: {}:{} ({})", at.file, at.line, at.address);
    }
    if let Some(status) = ctx.baseline_status(f) {
        let _ = write!(text, "\nBaseline: {}", status.as_str());
    }
    if !f.remediation.trim().is_empty() {
        let _ = write!(text, "\n\nRemediation:\n{}", f.remediation.trim_end());
    }
}

/// Escapes element content: as [`escape`], but line breaks and tabs stay as they are, so the
/// details read well in a CI system's test view (carriage returns are dropped).
fn escape_text(text: &str) -> String {
    escape_with(text, false)
}

/// Escapes text for XML 1.0 content and attribute values. Characters XML 1.0 cannot carry
/// at all (most C0 controls, U+FFFE, U+FFFF) are dropped: a parser would reject the file.
/// Line breaks and tabs become character references so attribute values keep them.
pub fn escape(text: &str) -> String {
    escape_with(text, true)
}

/// [`escape`], with line breaks and tabs as character references (`attribute`) or as they are.
fn escape_with(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' if !attribute => out.push(c),
            '\r' if !attribute => {}
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_drops_characters_xml_cannot_carry() {
        assert_eq!(escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
        assert_eq!(escape("a\u{1}b\u{ffff}c\n"), "abc&#10;");
    }
}

/// The `--junit` format.
#[derive(Debug)]
pub struct Junit;

impl Format for Junit {
    fn render<'a>(&self, report: &'a Report, ctx: &'a Context) -> Result<Rendered<'a>, ReportError> {
        Ok(Rendered::Streamed(Box::new(move |out| write(report, ctx, out))))
    }
}
