//! The summary's charts, as geometry: horizontal bars that the template draws as inline SVG
//! (templates/report.html, macro `bar_chart`), so that every label goes through the template's
//! HTML escaping and the page loads nothing from outside.

use super::tally::{percent, thousands, Counts};
use serde::Serialize;

/// Rows a chart shows at most; the table under it lists the rest.
pub const MAX_ROWS: usize = 30;
/// Characters of a label before it is shortened (the full label is in the row's tooltip).
const LABEL_CHARS: usize = 34;

/// The drawing's coordinate system: a label column, the bars, a value column.
pub const WIDTH: u32 = 680;
pub const LABEL_WIDTH: u32 = 250;
pub const BAR_WIDTH: u32 = 340;
pub const ROW_HEIGHT: u32 = 22;

#[derive(Debug, Serialize)]
pub struct BarChart {
    pub title: String,
    /// For screen readers: what the bars measure.
    pub description: String,
    pub rows: Vec<Bar>,
    /// Said under the chart when rows were left out.
    pub note: Option<String>,
    pub height: u32,
    pub width: u32,
    pub label_width: u32,
    pub bar_width: u32,
    pub value_x: u32,
}

#[derive(Debug, Serialize)]
pub struct Bar {
    pub label: String,
    /// The full label and the numbers behind the bar.
    pub tooltip: String,
    pub y: u32,
    pub segments: Vec<Segment>,
    /// Written after the bar.
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct Segment {
    /// A CSS class: `o-fail`, `o-pass`, `s-high`, ...
    pub class: String,
    pub x: f64,
    pub width: f64,
}

fn short(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    // Keep the end: unit paths and rule ids differ in their last part.
    let tail: String = label.chars().rev().take(LABEL_CHARS - 1).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

fn chart(title: &str, description: &str, rows: Vec<Bar>, left_out: usize, what: &str) -> BarChart {
    let note = (left_out > 0).then(|| format!("{} more {what} are in the table below.", thousands(left_out)));
    BarChart {
        title: title.to_owned(),
        description: description.to_owned(),
        height: ROW_HEIGHT * rows.len().max(1) as u32 + 4,
        rows,
        note,
        width: WIDTH,
        label_width: LABEL_WIDTH,
        bar_width: BAR_WIDTH,
        value_x: LABEL_WIDTH + BAR_WIDTH + 8,
    }
}

/// One bar per severity, its length the number of failures (the longest bar is the most).
pub fn failures_by_severity(total: &Counts) -> BarChart {
    let max = total.failed.iter().copied().max().unwrap_or(0).max(1);
    let rows = crate::findings::Severity::ALL
        .iter()
        .enumerate()
        .map(|(i, severity)| {
            let n = total.failed[i];
            Bar {
                label: severity.as_str().to_owned(),
                tooltip: format!("{}: {} failing finding(s)", severity.as_str(), thousands(n as usize)),
                y: ROW_HEIGHT * i as u32,
                segments: vec![Segment {
                    class: format!("s-{}", severity.as_str()),
                    x: f64::from(LABEL_WIDTH),
                    width: f64::from(BAR_WIDTH) * f64::from(n) / f64::from(max),
                }],
                value: thousands(n as usize),
            }
        })
        .collect();
    chart("Failures by severity", "Number of failing findings of each severity.", rows, 0, "")
}

/// A group's outcomes as one bar of full length: passed, failed, inconclusive; the value is
/// the pass rate.
pub struct RateRow {
    pub label: String,
    pub passed: u32,
    pub failed: u32,
    pub inconclusive: u32,
}

impl RateRow {
    pub fn new(label: impl Into<String>, counts: &Counts) -> RateRow {
        RateRow { label: label.into(), passed: counts.passed, failed: counts.failed_total(), inconclusive: counts.inconclusive }
    }

    fn evaluated(&self) -> u32 {
        self.passed + self.failed + self.inconclusive
    }

    fn pass_rate(&self) -> Option<f64> {
        let evaluated = self.evaluated();
        (evaluated > 0).then(|| f64::from(self.passed) / f64::from(evaluated))
    }
}

/// Pass-rate bars, lowest pass rate first, at most [`MAX_ROWS`]; groups with nothing evaluated
/// are left out (their rows in the tables say so).
pub fn pass_rates(title: &str, what: &str, mut rows: Vec<RateRow>) -> BarChart {
    rows.retain(|r| r.evaluated() > 0);
    rows.sort_by(|a, b| {
        let rate = |r: &RateRow| r.pass_rate().unwrap_or(1.0);
        rate(a).total_cmp(&rate(b)).then_with(|| b.evaluated().cmp(&a.evaluated())).then_with(|| a.label.cmp(&b.label))
    });
    let left_out = rows.len().saturating_sub(MAX_ROWS);
    rows.truncate(MAX_ROWS);
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let evaluated = f64::from(row.evaluated());
            let mut x = f64::from(LABEL_WIDTH);
            let mut segments = Vec::new();
            for (class, n) in [("o-pass", row.passed), ("o-fail", row.failed), ("o-inconclusive", row.inconclusive)] {
                if n > 0 {
                    let width = f64::from(BAR_WIDTH) * f64::from(n) / evaluated;
                    segments.push(Segment { class: class.to_owned(), x, width });
                    x += width;
                }
            }
            let rate = percent(row.pass_rate());
            Bar {
                tooltip: format!(
                    "{}: {rate} pass ({} passed, {} failed, {} inconclusive)",
                    row.label,
                    thousands(row.passed as usize),
                    thousands(row.failed as usize),
                    thousands(row.inconclusive as usize)
                ),
                label: short(&row.label),
                y: ROW_HEIGHT * i as u32,
                segments,
                value: rate,
            }
        })
        .collect();
    let description = format!("Pass rate per {what}, lowest first: passed, failed and inconclusive findings as parts of one bar.");
    chart(title, &description, bars, left_out, &format!("{what}s"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, passed: u32, failed: u32, inconclusive: u32) -> RateRow {
        RateRow { label: label.to_owned(), passed, failed, inconclusive }
    }

    #[test]
    fn pass_rates_list_the_worst_first_and_split_each_bar() {
        let not_applicable = Counts { not_applicable: 4, ..Counts::default() };
        let rows = vec![row("good", 9, 1, 0), row("bad", 1, 2, 1), RateRow::new("nothing evaluated", &not_applicable)];
        let chart = pass_rates("Pass rate per rule", "rule", rows);
        assert_eq!(chart.rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(), ["bad", "good"]);
        assert_eq!(chart.rows[0].value, "25%");
        let widths: Vec<f64> = chart.rows[0].segments.iter().map(|s| s.width).collect();
        assert_eq!(widths, [85.0, 170.0, 85.0]);
        assert_eq!(chart.rows[0].segments[1].x, f64::from(LABEL_WIDTH) + 85.0);
        assert!(chart.note.is_none());
    }

    #[test]
    fn long_charts_are_cut_and_say_so() {
        let rows = (0..45).map(|i| row(&format!("unit {i:02}"), i, 1, 0)).collect();
        let chart = pass_rates("Pass rate per unit", "unit", rows);
        assert_eq!(chart.rows.len(), MAX_ROWS);
        assert_eq!(chart.rows[0].label, "unit 00");
        assert_eq!(chart.note.as_deref(), Some("15 more units are in the table below."));
        assert_eq!(short("Root/Workloads/NonProd/Business-Unit-0042/Team-7"), "…NonProd/Business-Unit-0042/Team-7");
        assert_eq!(short("Root/Workloads/Prod"), "Root/Workloads/Prod");
    }

    #[test]
    fn severity_bars_are_scaled_to_the_largest() {
        let total = Counts { failed: [1, 4, 0, 2, 0], ..Counts::default() };
        let chart = failures_by_severity(&total);
        let widths: Vec<f64> = chart.rows.iter().map(|r| r.segments[0].width).collect();
        assert_eq!(widths, [85.0, 340.0, 0.0, 170.0, 0.0]);
        assert_eq!(chart.rows[1].value, "4");
    }
}
