//! The directory form (`--sarif DIR/`): every failing and inconclusive result, in runs of
//! their own category and files within GitHub's limits ([`super::split`]).
//!
//! Each run is rendered on its own (on every core) and kept gzipped: its gzipped size is what
//! the files are packed by, and a large organization's SARIF (a hundred megabytes and more)
//! then takes a tenth of that in memory until it is written. The runs are compressed at
//! gzip's fastest level, which compresses less than the default level GitHub's upload action
//! uses, so a file's size as packed is an overestimate of what GitHub measures.
//!
//! The files are compact JSON (the single-file form is indented for reading): they are for
//! upload, and a third smaller.

use super::split::{self, Limits, RunGroup};
use super::{escape_markup, run, run_properties, Context, Report, ReportError, RunIdentity, MAX_RESULTS_PER_RUN, SCHEMA_URI};
use flate2::write::GzEncoder;
use rayon::prelude::*;
use serde_json::json;
use std::io::Write;

/// One file of the directory form, rendered and ready to write.
#[derive(Debug)]
pub struct SarifFile {
    /// The file name: `trailwarden-01-Root--Root.Workloads.NonProd.BU-03.sarif`.
    pub name: String,
    /// Its runs' `automationDetails.id`s, in order.
    pub categories: Vec<String>,
    /// Results in all its runs.
    pub results: usize,
    /// Each run's JSON, gzipped.
    runs: Vec<Vec<u8>>,
}

impl SarifFile {
    /// Writes the file: the SARIF log around its runs.
    pub fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        write!(out, "{{\"$schema\":{},\"version\":\"2.1.0\",\"runs\":[", json!(SCHEMA_URI))?;
        for (i, run) in self.runs.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            std::io::copy(&mut flate2::read::GzDecoder::new(run.as_slice()), out)?;
        }
        out.write_all(b"]}\n")
    }

    /// The file's text (for tests; writing streams it).
    pub fn text(&self) -> String {
        let mut text = Vec::new();
        self.write_to(&mut text).expect("writing to memory does not fail");
        String::from_utf8(text).expect("SARIF is JSON, hence UTF-8")
    }

    /// The gzipped size the file was packed by: an overestimate of the file's own.
    pub fn gzipped_estimate(&self) -> usize {
        split::FILE_OVERHEAD_BYTES + self.runs.iter().map(Vec::len).sum::<usize>()
    }
}

/// Renders every failing and inconclusive result of `report` into files within `limits`.
/// Should one run be too large for a file even alone (results with very long messages), the
/// runs are made smaller until each fits.
pub fn render_directory(report: &Report, ctx: &Context, limits: &Limits) -> Result<Vec<SarifFile>, ReportError> {
    let mut results_per_run = limits.results_per_run.clamp(1, MAX_RESULTS_PER_RUN);
    loop {
        let groups = split::groups(&report.findings, &ctx.scope, results_per_run);
        let runs: Vec<Vec<u8>> = groups.par_iter().map(|group| render_run(report, ctx, group)).collect::<Result<_, _>>()?;
        let sizes: Vec<usize> = runs.iter().map(Vec::len).collect();
        match split::pack(&sizes, limits) {
            Ok(files) => return Ok(assemble(&groups, runs, &files)),
            Err(run) if groups[run].results.len() > 1 => results_per_run = groups[run].results.len() / 2,
            Err(run) => {
                return Err(ReportError::SarifLimit(format!(
                    "the SARIF run {} is {} bytes gzipped with a single result, more than a file may be ({} bytes gzipped)",
                    groups[run].id, sizes[run], limits.gzipped_bytes_per_file
                )))
            }
        }
    }
}

/// One run as gzipped JSON.
fn render_run(report: &Report, ctx: &Context, group: &RunGroup) -> Result<Vec<u8>, ReportError> {
    let mut properties = run_properties(report);
    properties.insert("accounts".to_owned(), json!(group.accounts));
    if let split::Coverage::Unit(unit) = group.coverage {
        properties.insert("organizationalUnit".to_owned(), json!(unit));
    }
    if let Some((k, n)) = group.shard {
        properties.insert("shard".to_owned(), json!({"index": k, "count": n}));
    }
    let identity = RunIdentity { id: group.id.clone(), description: Some(group.description.clone()), properties };
    let text = escape_markup(serde_json::to_string(&run(report, ctx, &group.results, identity))?);
    let mut encoder = GzEncoder::new(Vec::with_capacity(text.len() / 8), flate2::Compression::fast());
    encoder
        .write_all(text.as_bytes())
        .and_then(|()| encoder.finish())
        .map_err(|e| ReportError::SarifLimit(format!("cannot compress a SARIF run: {e}")))
}

fn assemble(groups: &[RunGroup], runs: Vec<Vec<u8>>, files: &[std::ops::Range<usize>]) -> Vec<SarifFile> {
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    let names = split::file_names(&labels, files);
    let mut runs = runs.into_iter();
    files
        .iter()
        .zip(names)
        .map(|(range, name)| SarifFile {
            name,
            categories: groups[range.clone()].iter().map(|g| g.id.clone()).collect(),
            results: groups[range.clone()].iter().map(|g| g.results.len()).sum(),
            runs: runs.by_ref().take(range.len()).collect(),
        })
        .collect()
}

/// Reads a gzipped run back (tests check what was packed against what is written).
#[cfg(test)]
fn gunzip(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("a gzipped run");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_a_sarif_log_of_its_runs() {
        let runs: Vec<Vec<u8>> = ["{\"a\":1}", "{\"b\":2}"]
            .iter()
            .map(|run| {
                let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::fast());
                encoder.write_all(run.as_bytes()).unwrap();
                encoder.finish().unwrap()
            })
            .collect();
        assert_eq!(gunzip(&runs[1]), "{\"b\":2}");
        let file = SarifFile { name: "x".into(), categories: vec![], results: 0, runs };
        let log: serde_json::Value = serde_json::from_str(&file.text()).unwrap();
        assert_eq!(log, json!({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [{"a": 1}, {"b": 2}]}));
    }
}
