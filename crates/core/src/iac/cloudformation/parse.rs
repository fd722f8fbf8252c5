//! Reads a template, YAML or JSON, into one JSON tree, the short-form tags of YAML (`!Ref x`,
//! `!GetAtt a.b`, `!Sub ...`) written out in their long form (`{"Ref": "x"}`,
//! `{"Fn::GetAtt": ["a", "b"]}`), so that the rest of the loader reads one shape.

use crate::diagnostic::Diagnostic;
use serde_json::{Map, Value};
use serde_yaml::Value as Yaml;
use std::path::Path;

/// The short forms CloudFormation's YAML accepts, by tag without its `!`.
const SHORT_FORMS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Length",
    "ToJsonString",
];

/// Parses `text` (JSON when it starts with `{`, YAML otherwise) into a JSON tree.
pub(super) fn template(path: &Path, text: &str) -> Result<Value, Diagnostic> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| Diagnostic::from_json(path, &e));
    }
    let yaml: Yaml = serde_yaml::from_str(text).map_err(|e| Diagnostic::from_yaml(path, &e))?;
    to_json(yaml).map_err(|message| Diagnostic::file(path, message))
}

fn to_json(yaml: Yaml) -> Result<Value, String> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Mapping(mapping) => {
            let mut out = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Yaml::String(s) => s,
                    Yaml::Number(n) => n.to_string(),
                    Yaml::Bool(b) => b.to_string(),
                    other => return Err(format!("a mapping key must be a string, not {other:?}")),
                };
                out.insert(key, to_json(value)?);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let value = to_json(tagged.value)?;
            match name {
                "Ref" => single("Ref", value),
                "Condition" => single("Condition", value),
                // `!GetAtt Resource.Attribute`: the long form is a two-element list.
                "GetAtt" => match value {
                    Value::String(s) => match s.split_once('.') {
                        Some((resource, attribute)) => single("Fn::GetAtt", Value::from(vec![resource, attribute])),
                        None => return Err(format!("!GetAtt {s}: expected `Resource.Attribute`")),
                    },
                    other => single("Fn::GetAtt", other),
                },
                known if SHORT_FORMS.contains(&known) => single(&format!("Fn::{known}"), value),
                unknown => return Err(format!("unknown tag {tag}: not a CloudFormation intrinsic function (`!{unknown}`)")),
            }
        }
    })
}

fn single(key: &str, value: Value) -> Value {
    Value::Object(Map::from_iter([(key.to_owned(), value)]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_forms_become_long_forms() {
        let text = "A: !Ref X\nB: !GetAtt Key.Arn\nC: !Sub '${AWS::Region}-x'\nD: !If [Cond, 1, 2]\nE: !Condition C\n";
        let tree = template(Path::new("t.yaml"), text).unwrap();
        assert_eq!(tree["A"], json!({"Ref": "X"}));
        assert_eq!(tree["B"], json!({"Fn::GetAtt": ["Key", "Arn"]}));
        assert_eq!(tree["C"], json!({"Fn::Sub": "${AWS::Region}-x"}));
        assert_eq!(tree["D"], json!({"Fn::If": ["Cond", 1, 2]}));
        assert_eq!(tree["E"], json!({"Condition": "C"}));
    }

    #[test]
    fn an_unknown_tag_and_bad_yaml_are_errors_naming_the_file() {
        let unknown = template(Path::new("t.yaml"), "A: !Bogus x\n").unwrap_err();
        assert!(unknown.message.contains("!Bogus"), "{}", unknown.message);
        let bad = template(Path::new("t.yaml"), "A: [1,\n").unwrap_err();
        assert_eq!(bad.path, Path::new("t.yaml"));
        assert!(bad.line.is_some());
        let json = template(Path::new("t.json"), "{\"A\": }").unwrap_err();
        assert_eq!(json.line, Some(1));
    }
}
