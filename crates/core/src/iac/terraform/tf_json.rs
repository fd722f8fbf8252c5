//! The resources declared in one `.tf.json` file (Terraform's JSON configuration syntax), each
//! with the line of its `"NAME"` key.
//!
//! HCL's JSON syntax writes `resource "TYPE" "NAME" { ... }` as nested objects:
//! `{"resource": {"TYPE": {"NAME": {...}}}}`. The file's root body, and each label level
//! (`resource`'s value, each `TYPE`'s value), may also be an array of objects whose
//! properties are read in order, and a property name may repeat within one object; both
//! forms exist for generators that cannot keep order or duplicates. A `"//"` property is a
//! comment. serde_json keeps neither duplicates nor positions, so the structure is walked
//! here, after serde_json has checked that the text is JSON (its error names the line and
//! column).

use crate::diagnostic::{Diagnostic, Position};
use std::path::Path;

/// One resource declared in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub resource_type: String,
    pub name: String,
    /// 1-based line of the `"NAME"` key.
    pub line: u32,
}

/// The resources `text` (the content of `path`) declares. Text that is not JSON, or whose
/// `resource` property is not built of objects, is an error naming the file and line:
/// Terraform refuses such a file too, so the plan cannot have been made from it.
pub fn declarations(path: &Path, text: &str) -> Result<Vec<Declared>, Diagnostic> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(Diagnostic::from_json(path, &e).in_context("invalid Terraform JSON configuration"));
    }
    let mut parser = Parser { bytes: text.as_bytes(), text, at: 0, line: 1 };
    // serde_json accepted the text, so the walk cannot fail; if it ever does, say so.
    let root = parser.value().ok_or_else(|| Diagnostic::at(path, Some(parser.position()), "unreadable Terraform JSON configuration"))?;
    let mut found = Vec::new();
    let shape = |line: u32, what: &str| {
        Diagnostic::at(path, Some(Position { line: line as usize, column: 0 }), format!("invalid Terraform JSON configuration: {what}"))
    };
    let body = members(&root).ok_or_else(|| shape(1, "the file must hold a JSON object (or an array of objects)"))?;
    for block in body.into_iter().filter(|m| m.key == "resource") {
        let types = members(&block.value).ok_or_else(|| shape(block.line, "`resource` must be an object of resource types"))?;
        for resource_type in types.into_iter().filter(|m| m.key != "//") {
            let names = members(&resource_type.value)
                .ok_or_else(|| shape(resource_type.line, &format!("`{}` must be an object of resource names", resource_type.key)))?;
            for name in names.into_iter().filter(|m| m.key != "//") {
                found.push(Declared { resource_type: resource_type.key.clone(), name: name.key.clone(), line: name.line });
            }
        }
    }
    Ok(found)
}

/// A JSON value, as far as the walk needs it: objects keep every property (duplicates too,
/// in order) with the line of its key.
#[derive(Debug)]
enum Node {
    Object(Vec<Member>),
    Array(Vec<Node>),
    Scalar,
}

#[derive(Debug)]
struct Member {
    key: String,
    line: u32,
    value: Node,
}

/// The properties of a body or label level, in order: an object's, or those of each object
/// of an array. None for anything else.
fn members(node: &Node) -> Option<Vec<&Member>> {
    match node {
        Node::Object(members) => Some(members.iter().collect()),
        Node::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Node::Object(members) => out.extend(members.iter()),
                    _ => return None,
                }
            }
            Some(out)
        }
        Node::Scalar => None,
    }
}

/// A recursive-descent reader of JSON already known to be valid; every step still returns
/// None rather than panicking on what it does not expect.
struct Parser<'t> {
    bytes: &'t [u8],
    text: &'t str,
    at: usize,
    line: u32,
}

impl Parser<'_> {
    fn position(&self) -> Position {
        let line_start = self.bytes[..self.at.min(self.bytes.len())].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        Position { line: self.line as usize, column: self.at.saturating_sub(line_start) + 1 }
    }

    fn skip_whitespace(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.at += 1;
        }
    }

    fn value(&mut self) -> Option<Node> {
        self.skip_whitespace();
        match self.bytes.get(self.at)? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string().map(|_| Node::Scalar),
            _ => {
                // A number, true, false or null: up to the next delimiter.
                let start = self.at;
                while self.bytes.get(self.at).is_some_and(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')) {
                    self.at += 1;
                }
                (self.at > start).then_some(Node::Scalar)
            }
        }
    }

    fn object(&mut self) -> Option<Node> {
        self.at += 1; // `{`
        let mut members = Vec::new();
        loop {
            self.skip_whitespace();
            match self.bytes.get(self.at)? {
                b'}' => {
                    self.at += 1;
                    return Some(Node::Object(members));
                }
                b',' => self.at += 1,
                b'"' => {
                    let line = self.line;
                    let key = self.string()?;
                    self.skip_whitespace();
                    if self.bytes.get(self.at) != Some(&b':') {
                        return None;
                    }
                    self.at += 1;
                    let value = self.value()?;
                    members.push(Member { key, line, value });
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<Node> {
        self.at += 1; // `[`
        let mut items = Vec::new();
        loop {
            self.skip_whitespace();
            match self.bytes.get(self.at)? {
                b']' => {
                    self.at += 1;
                    return Some(Node::Array(items));
                }
                b',' => self.at += 1,
                _ => items.push(self.value()?),
            }
        }
    }

    /// A string from its opening quote; its decoded text (escapes resolved by serde_json).
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.at += 1;
        loop {
            match self.bytes.get(self.at)? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    return serde_json::from_str(self.text.get(start..self.at)?).ok();
                }
                _ => self.at += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, u32)> {
        declarations(Path::new("main.tf.json"), text).unwrap().into_iter().map(|d| (format!("{}.{}", d.resource_type, d.name), d.line)).collect()
    }

    #[test]
    fn the_line_of_each_name_key_is_found() {
        let text = r#"{
  "//": "generated",
  "terraform": {"required_version": ">= 1.0"},
  "resource": {
    "aws_s3_bucket": {
      "logs": {
        "bucket": "logs",
        "tags": {"resource": {"aws_x": {"not_a_declaration": {}}}}
      },
      "access": {"bucket": "access"}
    },
    "aws_cloudtrail": {"main": {"name": "main", "s3_bucket_name": "${aws_s3_bucket.logs.id}"}}
  },
  "data": {"aws_caller_identity": {"me": {}}}
}"#;
        assert_eq!(
            found(text),
            [("aws_s3_bucket.logs".to_owned(), 6), ("aws_s3_bucket.access".to_owned(), 10), ("aws_cloudtrail.main".to_owned(), 12)]
        );
    }

    #[test]
    fn arrays_at_the_root_and_at_each_label_level_and_repeated_keys_are_read() {
        let text = "[\n {\"resource\": [\n  {\"aws_kms_key\": {\"k\": {}}},\n  {\"aws_s3_bucket\": [\n   {\"a\": {}},\n   {\"b\": [{}, {}]}\n  ]}\n ]},\n {\"resource\": {\"aws_s3_bucket\": {\"c\": {}}, \"aws_s3_bucket\": {\"d\": {}}}}\n]\n";
        assert_eq!(
            found(text),
            [
                ("aws_kms_key.k".to_owned(), 3),
                ("aws_s3_bucket.a".to_owned(), 5),
                ("aws_s3_bucket.b".to_owned(), 6),
                ("aws_s3_bucket.c".to_owned(), 9),
                ("aws_s3_bucket.d".to_owned(), 9),
            ]
        );
    }

    #[test]
    fn escaped_keys_and_strings_with_braces_are_read_as_json() {
        let text = "{\"resource\": {\"aws_s3_bucket\": {\"x\": {\"policy\": \"{\\\"a\\\": \\\"}\\\"\"}, \"\\u0079\": {}}}}";
        assert_eq!(found(text), [("aws_s3_bucket.x".to_owned(), 1), ("aws_s3_bucket.y".to_owned(), 1)]);
    }

    #[test]
    fn a_broken_file_is_an_error_naming_its_line() {
        let error = declarations(Path::new("main.tf.json"), "{\n  \"resource\": {\n    \"aws_s3_bucket\": {\"a\": {}\n}\n").unwrap_err();
        assert_eq!((error.path.as_path(), error.line), (Path::new("main.tf.json"), Some(5)), "{error}");
        assert!(error.message.starts_with("invalid Terraform JSON configuration: EOF"), "{error}");
        let error = declarations(Path::new("main.tf.json"), "{\n  \"resource\": {\n    \"aws_s3_bucket\": \"logs\"\n  }\n}").unwrap_err();
        assert_eq!(error.line, Some(3), "{error}");
        assert!(error.message.contains("`aws_s3_bucket` must be an object of resource names"), "{error}");
        let error = declarations(Path::new("main.tf.json"), "\"resource\"").unwrap_err();
        assert!(error.message.contains("must hold a JSON object"), "{error}");
        let deep = format!("{{\"resource\": {}", "[".repeat(100_000));
        assert!(declarations(Path::new("deep.tf.json"), &deep).is_err(), "too deep for serde_json: an error, not a stack overflow");
        assert_eq!(declarations(Path::new("x.tf.json"), "{}").unwrap(), []);
    }
}
