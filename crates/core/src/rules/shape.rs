//! The shape of what a rule can read: the JSON Schema of a binding reduced to objects, lists,
//! maps and scalars. Conditions and test facts are checked against it when a rule loads.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A struct with known fields.
    Object(BTreeMap<String, Shape>),
    /// A list whose elements have a shape.
    List(Box<Shape>),
    /// A map with free-form keys.
    Map(Box<Shape>),
    /// A string, number, boolean or null.
    Scalar(&'static str),
    /// Anything (free-form JSON such as a policy document): not checked further.
    Any,
}

impl Shape {
    /// Reduces a schemars root schema (with `$defs`) to a shape.
    pub fn from_schema(root: &Value) -> Shape {
        let defs = root.get("$defs").and_then(Value::as_object).cloned().unwrap_or_default();
        convert(root, &defs, 0)
    }

    pub fn of<T: schemars::JsonSchema>() -> Shape {
        let schema = schemars::schema_for!(T);
        Shape::from_schema(&serde_json::to_value(&schema).expect("schemas serialize"))
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Shape::Object(_) => "object",
            Shape::List(_) => "list",
            Shape::Map(_) => "map",
            Shape::Scalar(kind) => kind,
            Shape::Any => "any",
        }
    }
}

fn convert(schema: &Value, defs: &Map<String, Value>, depth: usize) -> Shape {
    if depth > 32 {
        return Shape::Any; // a recursive type; views have none, but never loop
    }
    let Some(obj) = schema.as_object() else { return Shape::Any };
    if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return defs.get(name).map_or(Shape::Any, |s| convert(s, defs, depth + 1));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = obj.get(key).and_then(Value::as_array) {
            // Option<T> is `T | null`: the shape of T. A real union is not checked further.
            let non_null: Vec<&Value> = options.iter().filter(|o| o.get("type").and_then(Value::as_str) != Some("null")).collect();
            return match non_null.as_slice() {
                [one] => convert(one, defs, depth + 1),
                _ => Shape::Any,
            };
        }
    }
    let kind = match obj.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    let mut fields = BTreeMap::new();
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, s) in props {
            fields.insert(name.clone(), convert(s, defs, depth + 1));
        }
    }
    if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
        for part in parts {
            if let Shape::Object(more) = convert(part, defs, depth + 1) {
                fields.extend(more);
            }
        }
    }
    match kind {
        Some("array") => Shape::List(Box::new(obj.get("items").map_or(Shape::Any, |i| convert(i, defs, depth + 1)))),
        Some("object") if fields.is_empty() => match obj.get("additionalProperties") {
            Some(v) if v.is_object() => Shape::Map(Box::new(convert(v, defs, depth + 1))),
            _ => Shape::Any,
        },
        Some("object") => Shape::Object(fields),
        None if !fields.is_empty() => Shape::Object(fields),
        Some("string") => Shape::Scalar("string"),
        Some("integer") => Shape::Scalar("integer"),
        Some("number") => Shape::Scalar("number"),
        Some("boolean") => Shape::Scalar("boolean"),
        Some("null") => Shape::Scalar("null"),
        _ => Shape::Any,
    }
}

/// A field of a JSON value (a rule test's facts) that its shape does not have, or whose kind
/// is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// The field's path from the root variable, e.g. `trail.is_loging`.
    pub field: String,
    pub message: String,
    /// "did you mean `x`?" for a misspelled field.
    pub help: Option<String>,
}

/// Checks a JSON value (a rule test's facts) against a shape; adds each field that the shape
/// does not have, or whose kind is wrong.
pub fn check_value(value: &Value, shape: &Shape, path: &str, errors: &mut Vec<ValueError>) {
    match (shape, value) {
        (_, Value::Null) | (Shape::Any, _) => {}
        (Shape::Object(fields), Value::Object(map)) => {
            for (key, v) in map {
                let child = format!("{path}.{key}");
                match fields.get(key) {
                    Some(s) => check_value(v, s, &child, errors),
                    None => {
                        let help = crate::diagnostic::suggestion(key, fields.keys());
                        errors.push(ValueError { field: child, message: format!("unknown field `{key}`"), help });
                    }
                }
            }
        }
        (Shape::Map(inner), Value::Object(map)) => {
            for (key, v) in map {
                check_value(v, inner, &format!("{path}.{key}"), errors);
            }
        }
        (Shape::List(inner), Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                check_value(v, inner, &format!("{path}[{i}]"), errors);
            }
        }
        (Shape::Scalar("string"), Value::String(_))
        | (Shape::Scalar("boolean"), Value::Bool(_))
        | (Shape::Scalar("integer" | "number"), Value::Number(_)) => {}
        (expected, got) => errors.push(ValueError {
            field: path.to_owned(),
            message: format!("expected {}, found {}", expected.describe(), json_kind(got)),
            help: None,
        }),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// A JSON value serialized with the number types its shape declares, so that rule test facts
/// bind exactly as collected facts do: `30` is an int where the binding has an integer and a
/// double where it has a number (JSON itself cannot tell them apart).
pub struct Shaped<'a> {
    pub value: &'a Value,
    pub shape: &'a Shape,
}

impl serde::Serialize for Shaped<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match (self.value, self.shape) {
            (Value::Number(n), Shape::Scalar("number")) => serializer.serialize_f64(n.as_f64().unwrap_or_default()),
            (Value::Number(n), _) => match n.as_i64() {
                Some(i) => serializer.serialize_i64(i),
                None => n.serialize(serializer),
            },
            (Value::Array(items), shape) => {
                let inner = match shape {
                    Shape::List(inner) => inner,
                    _ => &Shape::Any,
                };
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Shaped { value: item, shape: inner })?;
                }
                seq.end()
            }
            (Value::Object(map), shape) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (key, item) in map {
                    let child = match shape {
                        Shape::Object(fields) => fields.get(key).unwrap_or(&Shape::Any),
                        Shape::Map(inner) => inner,
                        _ => &Shape::Any,
                    };
                    out.serialize_entry(key, &Shaped { value: item, shape: child })?;
                }
                out.end()
            }
            (other, _) => other.serialize(serializer),
        }
    }
}
