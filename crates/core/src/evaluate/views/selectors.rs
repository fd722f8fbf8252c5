//! What a trail's event selectors record (docs/architecture.md §4 and the data-event rules).
//!
//! Basic and advanced selectors are two spellings of the same question, "which events does
//! this trail deliver"; these functions answer it once so that rules can ask plain
//! questions such as `trail.management_events.all`.

use crate::inventory::{AdvancedEventSelector, AdvancedFieldSelector, EventSelector, EventSelectors};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeSet;

/// Which management events a trail delivers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ManagementCoverage {
    /// Some selector records management events at all (any direction, exclusions allowed).
    pub any: bool,
    /// Some selector records read management events (exclusions allowed).
    pub read_any: bool,
    /// Some selector records write management events (exclusions allowed).
    pub write_any: bool,
    /// Some selector records read management events with no excluded event source.
    pub read: bool,
    /// Some selector records write management events with no excluded event source.
    pub write: bool,
    /// One single selector records read and write management events with no exclusions:
    /// the definition of docs/architecture.md §4 and of Security Hub CloudTrail.1.
    pub all: bool,
    /// Event sources excluded by any management selector (basic
    /// ExcludeManagementEventSources, or advanced eventSource NotEquals / NotStartsWith).
    pub excluded_sources: Vec<String>,
}

/// Which data events of one resource type a trail delivers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct DataEventCoverage {
    /// Read data events for every resource of the type (partition-wide, no narrowing).
    pub all_read: bool,
    /// Write data events for every resource of the type (partition-wide, no narrowing).
    pub all_write: bool,
    /// Some data events of the type are recorded, possibly for named resources only.
    pub any: bool,
    /// ARNs or ARN prefixes that narrow a selector to some resources.
    pub scoped_resources: Vec<String>,
    /// Some of these data events are selected with basic (not advanced) selectors.
    pub via_basic_selectors: bool,
}

#[derive(Clone, Copy)]
struct Direction {
    read: bool,
    write: bool,
}

impl Direction {
    const BOTH: Direction = Direction { read: true, write: true };

    fn of_basic(read_write_type: &str) -> Direction {
        match read_write_type {
            "ReadOnly" => Direction { read: true, write: false },
            "WriteOnly" => Direction { read: false, write: true },
            _ => Direction::BOTH, // "All"
        }
    }

    /// An advanced `readOnly` field: absent means both; `Equals ["true"]` read only;
    /// `Equals ["false"]` write only; NotEquals inverts.
    fn of_advanced(field: Option<&AdvancedFieldSelector>) -> Direction {
        let Some(f) = field else { return Direction::BOTH };
        let mut read = f.equals.is_empty() || f.equals.iter().any(|v| v == "true");
        let mut write = f.equals.is_empty() || f.equals.iter().any(|v| v == "false");
        if f.not_equals.iter().any(|v| v == "true") {
            read = false;
        }
        if f.not_equals.iter().any(|v| v == "false") {
            write = false;
        }
        Direction { read, write }
    }
}

/// Management-event coverage. `has_custom_event_selectors == false` means AWS's default,
/// all read and write management events, whatever the selector list says (some endpoints
/// return an empty list instead of the default selector).
pub fn management_coverage(has_custom_event_selectors: bool, selectors: Option<&EventSelectors>) -> Option<ManagementCoverage> {
    let default_selector =
        || ManagementCoverage { any: true, read_any: true, write_any: true, read: true, write: true, all: true, excluded_sources: vec![] };
    if !has_custom_event_selectors {
        return Some(default_selector());
    }
    let selectors = selectors?;
    let mut coverage = ManagementCoverage::default();
    let mut excluded = BTreeSet::new();
    let mut add = |direction: Direction, exclusions: &[String]| {
        coverage.any = true;
        coverage.read_any |= direction.read;
        coverage.write_any |= direction.write;
        excluded.extend(exclusions.iter().cloned());
        let clean = exclusions.is_empty();
        coverage.read |= direction.read && clean;
        coverage.write |= direction.write && clean;
        coverage.all |= direction.read && direction.write && clean;
    };
    for s in selectors.basic.iter().filter(|s| s.include_management_events) {
        add(Direction::of_basic(&s.read_write_type), &s.exclude_management_event_sources);
    }
    for s in &selectors.advanced {
        if let Some((direction, exclusions)) = advanced_management(s) {
            add(direction, &exclusions);
        }
    }
    coverage.excluded_sources = excluded.into_iter().collect();
    Some(coverage)
}

fn field<'a>(s: &'a AdvancedEventSelector, name: &str) -> Option<&'a AdvancedFieldSelector> {
    s.field_selectors.iter().find(|f| f.field == name)
}

fn equals_exactly(f: Option<&AdvancedFieldSelector>, value: &str) -> bool {
    f.is_some_and(|f| f.equals.iter().any(|v| v == value))
}

/// An advanced selector for management events: its direction and excluded sources.
/// A positive `eventSource` filter (Equals / StartsWith) records only some sources, so it
/// counts as recording management events but excludes everything else: it is reported as
/// an exclusion of `*` so that it never passes a "no exclusions" test.
fn advanced_management(s: &AdvancedEventSelector) -> Option<(Direction, Vec<String>)> {
    if !equals_exactly(field(s, "eventCategory"), "Management") {
        return None;
    }
    let direction = Direction::of_advanced(field(s, "readOnly"));
    let mut exclusions = Vec::new();
    if let Some(source) = field(s, "eventSource") {
        exclusions.extend(source.not_equals.iter().cloned());
        exclusions.extend(source.not_starts_with.iter().map(|p| format!("{p}*")));
        if !source.equals.is_empty() || !source.starts_with.is_empty() || !source.ends_with.is_empty() {
            exclusions.push("*".to_owned());
        }
    }
    Some((direction, exclusions))
}

/// Data-event coverage for one resource type (`AWS::S3::Object`, `AWS::Lambda::Function`).
/// `all_prefixes` are the values that mean "every resource of the type" in basic selectors,
/// e.g. `arn:aws:s3` and `arn:aws:s3:::` for S3 objects.
pub fn data_coverage(selectors: &EventSelectors, resource_type: &str, all_prefixes: &[String]) -> DataEventCoverage {
    let mut coverage = DataEventCoverage::default();
    let mut scoped = BTreeSet::new();
    for s in &selectors.basic {
        basic_data(s, resource_type, all_prefixes, &mut coverage, &mut scoped);
    }
    for s in &selectors.advanced {
        advanced_data(s, resource_type, &mut coverage, &mut scoped);
    }
    coverage.scoped_resources = scoped.into_iter().collect();
    coverage
}

fn basic_data(s: &EventSelector, resource_type: &str, all_prefixes: &[String], coverage: &mut DataEventCoverage, scoped: &mut BTreeSet<String>) {
    let direction = Direction::of_basic(&s.read_write_type);
    for resource in s.data_resources.iter().filter(|r| r.resource_type == resource_type) {
        if resource.values.is_empty() {
            continue;
        }
        coverage.any = true;
        coverage.via_basic_selectors = true;
        if resource.values.iter().any(|v| all_prefixes.contains(v)) {
            coverage.all_read |= direction.read;
            coverage.all_write |= direction.write;
        } else {
            scoped.extend(resource.values.iter().cloned());
        }
    }
}

/// Fields that, when present, narrow an advanced data selector to some events or resources.
const DATA_SELECTOR_NEUTRAL_FIELDS: [&str; 3] = ["eventCategory", "resources.type", "readOnly"];

fn advanced_data(s: &AdvancedEventSelector, resource_type: &str, coverage: &mut DataEventCoverage, scoped: &mut BTreeSet<String>) {
    if !equals_exactly(field(s, "eventCategory"), "Data") || !equals_exactly(field(s, "resources.type"), resource_type) {
        return;
    }
    coverage.any = true;
    let direction = Direction::of_advanced(field(s, "readOnly"));
    let narrowed = s.field_selectors.iter().any(|f| !DATA_SELECTOR_NEUTRAL_FIELDS.contains(&f.field.as_str()));
    if narrowed {
        if let Some(arn) = field(s, "resources.ARN") {
            scoped.extend(arn.equals.iter().chain(&arn.starts_with).cloned());
        }
        return;
    }
    coverage.all_read |= direction.read;
    coverage.all_write |= direction.write;
}

/// The basic-selector values that mean "all S3 objects" in a partition.
pub fn s3_all_prefixes(partition: &str) -> Vec<String> {
    vec![format!("arn:{partition}:s3"), format!("arn:{partition}:s3:::")]
}

/// The basic-selector values that mean "all Lambda functions" in a partition.
pub fn lambda_all_prefixes(partition: &str) -> Vec<String> {
    vec![format!("arn:{partition}:lambda")]
}

/// Whether any data events are selected: a basic selector with data resources, or an
/// advanced selector for the Data category.
pub fn logs_data_events(selectors: &EventSelectors) -> bool {
    selectors.basic.iter().any(|s| s.data_resources.iter().any(|r| !r.values.is_empty()))
        || selectors.advanced.iter().any(|s| equals_exactly(field(s, "eventCategory"), "Data"))
}
