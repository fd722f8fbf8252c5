//! A resource instance's planned values read together with the change's `after_unknown`, so
//! that a value known only once applied is never read as absent, false or empty.

use serde_json::Value;

/// One argument or attribute of a planned resource.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Known<'a> {
    /// Known at plan time (never `null`).
    Value(&'a Value),
    /// Known only once applied.
    Unknown,
    /// Not set (`null` or left out), and not unknown.
    Absent,
}

impl<'a> Known<'a> {
    /// The value when known (`Ok(None)` when not set).
    pub fn value(self) -> Result<Option<&'a Value>, Unknown> {
        match self {
            Known::Value(v) => Ok(Some(v)),
            Known::Absent => Ok(None),
            Known::Unknown => Err(Unknown),
        }
    }
}

/// The values of a resource (or of one nested block), the matching part of `after_unknown`,
/// and of the configuration's expressions when the plan has them.
///
/// A provider plans every attribute it computes as unknown, whether the configuration sets it
/// or not (`mfa_delete`, `multi_region`, a v4 bucket's `versioning`). Only one that the
/// configuration sets (to something unknown) is unknown until apply; one it leaves out takes
/// AWS's default, as the caller gives it. Without the configuration, unknown stays unknown.
#[derive(Debug, Clone, Copy)]
pub struct Attrs<'a> {
    values: &'a Value,
    unknown: &'a Value,
    config: Option<&'a Value>,
}

const NULL: Value = Value::Null;

impl<'a> Attrs<'a> {
    pub fn new(values: &'a Value, unknown: &'a Value, config: Option<&'a Value>) -> Self {
        Attrs { values, unknown, config }
    }

    pub fn get(&self, key: &str) -> Known<'a> {
        if self.is_unknown(key) {
            return Known::Unknown;
        }
        match self.values.get(key) {
            None | Some(Value::Null) => Known::Absent,
            Some(value) => Known::Value(value),
        }
    }

    /// Whether the value at `key` is, as a whole, known only once applied.
    pub fn is_unknown(&self, key: &str) -> bool {
        self.unknown.get(key) == Some(&Value::Bool(true)) && self.configured(key)
    }

    /// Whether the configuration sets `key` (true when the configuration is not known).
    fn configured(&self, key: &str) -> bool {
        self.config.is_none_or(|c| c.get(key).is_some())
    }

    /// A string argument: `Ok(Some)` when known, `Ok(None)` when not set, `Err(())` when known
    /// only once applied.
    pub fn string(&self, key: &str) -> Result<Option<&'a str>, Unknown> {
        match self.get(key) {
            Known::Value(Value::String(s)) => Ok(Some(s)),
            Known::Value(other) => Ok(other.as_str()),
            Known::Absent => Ok(None),
            Known::Unknown => Err(Unknown),
        }
    }

    /// A boolean argument with the provider's default when not set.
    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, Unknown> {
        match self.get(key) {
            Known::Value(value) => Ok(value.as_bool().unwrap_or(default)),
            Known::Absent => Ok(default),
            Known::Unknown => Err(Unknown),
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, Unknown> {
        match self.get(key) {
            Known::Value(value) => Ok(value.as_i64()),
            Known::Absent => Ok(None),
            Known::Unknown => Err(Unknown),
        }
    }

    /// A list of strings; an unknown element makes the whole list unknown.
    pub fn strings(&self, key: &str) -> Result<Vec<String>, Unknown> {
        let element_unknown = self.unknown.get(key).and_then(Value::as_array).is_some_and(|u| u.iter().any(|e| e == &Value::Bool(true)));
        if self.is_unknown(key) || (element_unknown && self.configured(key)) {
            return Err(Unknown);
        }
        Ok(self
            .values
            .get(key)
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default())
    }

    /// The nested blocks of a block type (`event_selector { ... }` repeated), each with its
    /// own part of `after_unknown`.
    pub fn blocks(&self, key: &str) -> Result<Vec<Attrs<'a>>, Unknown> {
        if self.is_unknown(key) {
            return Err(Unknown);
        }
        let unknown = self.unknown.get(key);
        // A block the configuration does not write out (a `dynamic` one) has no known
        // configuration: its unknown values stay unknown.
        let config = self.config.and_then(|c| c.get(key));
        let blocks = match self.values.get(key) {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, v)| Attrs::new(v, unknown.and_then(|u| u.get(i)).unwrap_or(&NULL), config.and_then(|c| c.get(i))))
                .collect(),
            // A single nested object (nesting mode "single") reads as one block.
            Some(value @ Value::Object(_)) => vec![Attrs::new(value, unknown.unwrap_or(&NULL), config)],
            _ => Vec::new(),
        };
        Ok(blocks)
    }

    /// The first nested block of a type, if any.
    pub fn block(&self, key: &str) -> Result<Option<Attrs<'a>>, Unknown> {
        Ok(self.blocks(key)?.into_iter().next())
    }
}

/// A value known only once the plan is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unknown;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_values_are_never_read_as_absent_or_false() {
        let values = json!({"name": "t", "enable_logging": null, "tags": null, "event_selector": [{"read_write_type": "All", "data_resource": []}]});
        let unknown = json!({"enable_logging": true, "arn": true, "event_selector": [{"data_resource": true}]});
        let a = Attrs::new(&values, &unknown, None);
        assert_eq!(a.string("name"), Ok(Some("t")));
        assert_eq!(a.string("arn"), Err(Unknown));
        assert_eq!(a.bool_or("enable_logging", true), Err(Unknown));
        assert_eq!(a.bool_or("is_multi_region_trail", false), Ok(false));
        assert_eq!(a.get("tags"), Known::Absent);
        let selector = a.block("event_selector").unwrap().expect("one selector");
        assert_eq!(selector.string("read_write_type"), Ok(Some("All")));
        assert!(selector.blocks("data_resource").is_err());
    }

    #[test]
    fn a_computed_value_the_configuration_leaves_out_takes_the_default() {
        let values = json!({"versioning_configuration": [{"status": "Enabled"}], "tags": null});
        let unknown = json!({"multi_region": true, "tags": true, "versioning_configuration": [{"mfa_delete": true}]});
        let config = json!({"tags": {"references": ["local.tags"]}, "versioning_configuration": [{"status": {"constant_value": "Enabled"}}]});
        let a = Attrs::new(&values, &unknown, Some(&config));
        assert_eq!(a.bool_or("multi_region", false), Ok(false), "computed, not configured: AWS's default");
        assert_eq!(a.get("tags"), Known::Unknown, "configured from an unknown value");
        let v = a.block("versioning_configuration").unwrap().expect("a block");
        assert_eq!(v.string("mfa_delete"), Ok(None));
        let without_configuration = Attrs::new(&values, &unknown, None);
        assert_eq!(without_configuration.bool_or("multi_region", false), Err(Unknown));
    }

    #[test]
    fn a_list_with_one_unknown_element_is_unknown() {
        let values = json!({"alarm_actions": ["arn:a", null], "ok": ["x"]});
        let unknown = json!({"alarm_actions": [false, true], "ok": [false]});
        let a = Attrs::new(&values, &unknown, None);
        assert_eq!(a.strings("alarm_actions"), Err(Unknown));
        assert_eq!(a.strings("ok"), Ok(vec!["x".to_owned()]));
        assert_eq!(a.strings("missing"), Ok(vec![]));
    }
}
