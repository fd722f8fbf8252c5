//! What each `local` of the configuration refers to.
//!
//! The JSON plan leaves locals out: its `configuration` holds resources, variables, outputs
//! and module calls, so a reference list that says `local.key_arn` ends there. With
//! `--terraform-dir`, the `locals` blocks of each module's files are read here and each
//! local's expression is reduced to the references it makes, written as the plan writes
//! references (`aws_kms_key.this[0].arn`, `var.kms_key_arn`, `local.prefix`); references.rs
//! then follows `local.NAME` like any other reference. A local's value is not computed here:
//! when it is known at plan time, the plan already holds the value of every argument set
//! from it.
//!
//! The reader takes just enough HCL for that: block structure at the top level, the
//! `NAME = expression` lines of `locals` blocks, and in an expression the traversals outside
//! strings and inside `${...}`/`%{...}` templates (strings and heredocs), skipping comments.
//! It never fails: what it cannot read yields no reference, so the local stays unfollowed
//! and what depends on it unknown. In `.tf.json` files a local's references are those of
//! the `${...}` templates in its strings.

use super::locate::ConfigFile;
use serde_json::Value;
use std::collections::HashMap;

/// Each module's locals (by module path of calls and name) and the references of each.
#[derive(Debug, Default)]
pub struct Locals {
    references: HashMap<(Vec<String>, String), Vec<String>>,
}

impl Locals {
    /// The locals of configuration files already read. A local declared twice (Terraform
    /// refuses that) keeps its first declaration.
    pub fn from_files(files: &[ConfigFile]) -> Locals {
        let mut locals = Locals::default();
        for file in files {
            let found = match file.is_json() {
                true => in_json(&file.text),
                false => in_hcl(&file.text),
            };
            for (name, references) in found {
                locals.references.entry((file.module_path.clone(), name)).or_insert(references);
            }
        }
        locals
    }

    /// The references of `local.NAME` in the module at `module_path`.
    pub fn references(&self, module_path: &[String], name: &str) -> Option<&[String]> {
        self.references.get(&(module_path.to_vec(), name.to_owned())).map(Vec::as_slice)
    }
}

/// The locals of a `.tf` file, each with the references of its expression.
pub fn in_hcl(text: &str) -> Vec<(String, Vec<String>)> {
    let mut reader = Reader { chars: text.chars().collect(), at: 0, templates: 0, pending_heredoc: None };
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut ignored = Vec::new();
    while let Some(c) = reader.peek() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            c if is_ident_start(c) => {
                let word = reader.identifier();
                if depth == 0 && word == "locals" {
                    reader.skip_spaces();
                    if reader.peek() == Some('{') {
                        reader.at += 1;
                        reader.locals_body(&mut found);
                    }
                }
                continue;
            }
            _ => {
                if reader.trivia_or_literal(&mut ignored) {
                    continue;
                }
            }
        }
        reader.at += 1;
    }
    found
}

/// The locals of a `.tf.json` file: `{"locals": {"NAME": value}}`, the file and `locals` each
/// an object or an array of objects. Text that is not JSON has none here (locate.rs reports
/// it).
pub fn in_json(text: &str) -> Vec<(String, Vec<String>)> {
    let Ok(root) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let objects = |v: &Value| -> Vec<serde_json::Map<String, Value>> {
        match v {
            Value::Object(map) => vec![map.clone()],
            Value::Array(items) => items.iter().filter_map(|i| i.as_object().cloned()).collect(),
            _ => Vec::new(),
        }
    };
    let mut found = Vec::new();
    for body in objects(&root) {
        for block in body.get("locals").map(objects).unwrap_or_default() {
            for (name, value) in block.into_iter().filter(|(name, _)| name != "//") {
                let mut references = Vec::new();
                json_references(&value, &mut references);
                found.push((name, references));
            }
        }
    }
    found
}

/// The references in the templates of every string in a JSON value.
fn json_references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            let mut reader = Reader { chars: s.chars().collect(), at: 0, templates: 0, pending_heredoc: None };
            reader.template_text(out, None);
        }
        Value::Array(items) => items.iter().for_each(|i| json_references(i, out)),
        Value::Object(map) => map.values().for_each(|v| json_references(v, out)),
        _ => {}
    }
}

/// Templates nested deeper than this are read as text (no real configuration comes close).
const MAX_NESTING: usize = 32;

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

struct Reader {
    chars: Vec<char>,
    at: usize,
    /// Templates open around the cursor (`"${"${...`): past `MAX_NESTING` the rest is text, so
    /// hostile input cannot exhaust the stack.
    templates: usize,
    /// A heredoc opened on the current line (`<<EOT`, `<<-EOT`): its body starts on the next.
    pending_heredoc: Option<String>,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).copied()
    }

    fn identifier(&mut self) -> String {
        let start = self.at;
        while self.peek().is_some_and(is_ident) {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t' || c == '\r') {
            self.at += 1;
        }
    }

    fn skip_to_line_end(&mut self) {
        while self.peek().is_some_and(|c| c != '\n') {
            self.at += 1;
        }
    }

    /// Consumes a comment, a quoted string or a heredoc opener at the cursor (the references
    /// of the string's templates go to `out`); false, consuming nothing, for anything else.
    fn trivia_or_literal(&mut self, out: &mut Vec<String>) -> bool {
        match (self.peek(), self.peek_at(1)) {
            (Some('#'), _) | (Some('/'), Some('/')) => self.skip_to_line_end(),
            (Some('/'), Some('*')) => {
                self.at += 2;
                while self.peek().is_some() && !(self.peek() == Some('*') && self.peek_at(1) == Some('/')) {
                    self.at += 1;
                }
                self.at = (self.at + 2).min(self.chars.len());
            }
            (Some('"'), _) => {
                self.at += 1;
                self.template_text(out, Some('"'));
            }
            (Some('<'), Some('<')) => {
                let mut j = self.at + 2;
                if self.chars.get(j) == Some(&'-') {
                    j += 1;
                }
                let start = j;
                while self.chars.get(j).is_some_and(|c| is_ident(*c)) {
                    j += 1;
                }
                if j == start {
                    return false;
                }
                self.pending_heredoc = Some(self.chars[start..j].iter().collect());
                self.at = j;
            }
            (Some('\n'), _) if self.pending_heredoc.is_some() => {
                self.at += 1;
                let marker = self.pending_heredoc.take().unwrap_or_default();
                self.heredoc_body(&marker, out);
            }
            _ => return false,
        }
        true
    }

    /// The body of a heredoc, from the start of its first line through its marker line
    /// (left at that line's end); its templates' references go to `out`.
    fn heredoc_body(&mut self, marker: &str, out: &mut Vec<String>) {
        while self.peek().is_some() {
            let start = self.at;
            self.skip_to_line_end();
            let line: String = self.chars[start..self.at].iter().collect();
            if line.trim() == marker {
                return;
            }
            let mut inner = Reader { chars: line.chars().collect(), at: 0, templates: self.templates, pending_heredoc: None };
            inner.template_text(out, None);
            if self.peek() == Some('\n') {
                self.at += 1;
            }
        }
    }

    /// Template text (a quoted string after its quote, a heredoc line, a JSON string) up to
    /// `end` (consumed) or the end of the line or text: the references of its `${...}` and
    /// `%{...}` templates go to `out`.
    fn template_text(&mut self, out: &mut Vec<String>, end: Option<char>) {
        while let Some(c) = self.peek() {
            match c {
                '\\' => self.at += 2,
                '\n' => return, // a quoted string cannot span lines: a broken one ends here
                c if Some(c) == end => {
                    self.at += 1;
                    return;
                }
                '$' | '%' if self.peek_at(1) == Some('{') => {
                    if self.at > 0 && self.chars[self.at - 1] == c {
                        self.at += 2; // `$${` and `%%{` are escapes, not templates
                        continue;
                    }
                    self.at += 2;
                    if self.templates < MAX_NESTING {
                        self.templates += 1;
                        self.expression(out, Stop::Brace);
                        self.templates -= 1;
                    }
                }
                _ => self.at += 1,
            }
        }
    }

    /// The `NAME = expression` lines of a `locals` block, after its `{`, through its `}`.
    fn locals_body(&mut self, found: &mut Vec<(String, Vec<String>)>) {
        let mut ignored = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                '}' => {
                    self.at += 1;
                    return;
                }
                c if is_ident_start(c) => {
                    let name = self.identifier();
                    self.skip_spaces();
                    if self.peek() == Some('=') && self.peek_at(1) != Some('=') {
                        self.at += 1;
                        let mut references = Vec::new();
                        self.expression(&mut references, Stop::Line);
                        found.push((name, references));
                    } else {
                        self.skip_to_line_end();
                    }
                }
                _ if self.trivia_or_literal(&mut ignored) => {}
                _ => self.at += 1,
            }
        }
    }

    /// An expression, up to its end (`stop`), its traversals going to `out`. Brackets nest;
    /// strings and heredocs are read as templates.
    fn expression(&mut self, out: &mut Vec<String>, stop: Stop) {
        let mut nesting = 0usize;
        while let Some(c) = self.peek() {
            match c {
                '\n' if self.pending_heredoc.is_some() => {
                    self.trivia_or_literal(out);
                }
                '\n' if nesting == 0 && stop == Stop::Line => return,
                '(' | '[' | '{' => {
                    nesting += 1;
                    self.at += 1;
                }
                ')' | ']' | '}' => {
                    if nesting == 0 {
                        // The block's or the template's closing brace: a line expression
                        // leaves it to the block; a template consumes its own.
                        if stop == Stop::Brace && c == '}' {
                            self.at += 1;
                        }
                        return;
                    }
                    nesting -= 1;
                    self.at += 1;
                }
                c if is_ident_start(c) => self.traversal(out),
                c if c.is_ascii_digit() => {
                    while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '.') {
                        self.at += 1;
                    }
                }
                _ if self.trivia_or_literal(out) => {}
                _ => self.at += 1,
            }
        }
    }

    /// A traversal at the cursor (`aws_kms_key.this[0].arn`): recorded when it has two or
    /// more steps and is not a function's name. An index that is not a literal (`[count.index]`,
    /// `[*]`) ends it; the bracket is then read as the expression it is.
    fn traversal(&mut self, out: &mut Vec<String>) {
        let mut text = self.identifier();
        let mut steps = 1;
        loop {
            match (self.peek(), self.peek_at(1)) {
                (Some('.'), Some(c)) if is_ident_start(c) => {
                    self.at += 1;
                    text.push('.');
                    text.push_str(&self.identifier());
                    steps += 1;
                }
                (Some('['), _) => match self.literal_index() {
                    Some(index) => text.push_str(&index),
                    None => break,
                },
                _ => break,
            }
        }
        let mut j = self.at;
        while self.chars.get(j).is_some_and(|c| *c == ' ' || *c == '\t') {
            j += 1;
        }
        // `name(` calls a function, `provider::aws::name(` a provider's.
        let called = self.chars.get(j) == Some(&'(') || (self.chars.get(j) == Some(&':') && self.chars.get(j + 1) == Some(&':'));
        if steps >= 2 && !called {
            out.push(text);
        }
    }

    /// `[0]` or `["key"]` at the cursor, consumed and returned; None (nothing consumed) for
    /// any other index.
    fn literal_index(&mut self) -> Option<String> {
        let mut j = self.at + 1;
        let start = j;
        match self.chars.get(j) {
            Some(c) if c.is_ascii_digit() => {
                while self.chars.get(j).is_some_and(char::is_ascii_digit) {
                    j += 1;
                }
            }
            Some('"') => {
                j += 1;
                while self.chars.get(j).is_some_and(|c| *c != '"' && *c != '\\' && *c != '$' && *c != '\n') {
                    j += 1;
                }
                if self.chars.get(j) != Some(&'"') {
                    return None;
                }
                j += 1;
            }
            _ => return None,
        }
        if self.chars.get(j) != Some(&']') {
            return None;
        }
        let index = format!("[{}]", self.chars[start..j].iter().collect::<String>());
        self.at = j + 1;
        Some(index)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The end of the line, outside brackets (a local's expression).
    Line,
    /// The `}` that closes a template.
    Brace,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(found: &[(String, Vec<String>)], name: &str) -> Vec<String> {
        found.iter().find(|(n, _)| n == name).map(|(_, r)| r.clone()).unwrap_or_else(|| panic!("no local {name}: {found:?}"))
    }

    #[test]
    fn a_locals_expression_is_reduced_to_its_references() {
        let text = r#"
variable "kms_key_arn" { default = null }

locals {
  # the key: ours, unless one is given
  key_arn     = var.kms_key_arn != null ? var.kms_key_arn : aws_kms_key.this[0].arn
  bucket      = aws_s3_bucket.logs["main"].id // by key
  prefix      = "org-${var.env}/${local.suffix}"
  suffix      = lower(data.aws_caller_identity.me.account_id)
  listed      = [
    module.logs.bucket_id,
    aws_s3_bucket.b[count.index].id,
  ]
  tags        = { Name = "x", Owner = var.owner }
  literal     = "aws_s3_bucket.not_a_reference"
  escaped     = "$${not.a_template}"
  policy      = <<-EOT
    {"Resource": "${aws_s3_bucket.logs["main"].arn}/*"}
  EOT
  after       = aws_sns_topic.t.arn
}

resource "aws_s3_bucket" "logs" {
  bucket = local.bucket_name
}
"#;
        let found = in_hcl(text);
        assert_eq!(refs(&found, "key_arn"), ["var.kms_key_arn", "var.kms_key_arn", "aws_kms_key.this[0].arn"]);
        assert_eq!(refs(&found, "bucket"), [r#"aws_s3_bucket.logs["main"].id"#]);
        assert_eq!(refs(&found, "prefix"), ["var.env", "local.suffix"]);
        assert_eq!(refs(&found, "suffix"), ["data.aws_caller_identity.me.account_id"], "a function's name is no reference");
        assert_eq!(refs(&found, "listed"), ["module.logs.bucket_id", "aws_s3_bucket.b", "count.index"]);
        assert_eq!(refs(&found, "tags"), ["var.owner"]);
        assert!(refs(&found, "literal").is_empty() && refs(&found, "escaped").is_empty(), "{found:?}");
        assert_eq!(refs(&found, "policy"), [r#"aws_s3_bucket.logs["main"].arn"#]);
        assert_eq!(refs(&found, "after"), ["aws_sns_topic.t.arn"], "the heredoc ends where its marker is");
        assert_eq!(found.len(), 10, "the resource's arguments are not locals: {found:?}");
    }

    #[test]
    fn only_top_level_locals_blocks_count_and_broken_text_yields_what_it_can() {
        let text = "resource \"x\" \"y\" {\n  locals {\n    inner = aws_s3_bucket.a.id\n  }\n}\n# locals { c = aws_s3_bucket.c.id }\nlocals {\n  ok = aws_kms_key.k.arn\n  broken = \"unterminated ${aws_s3_bucket.b.id\n";
        let found = in_hcl(text);
        assert_eq!(found.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["ok", "broken"]);
        assert_eq!(refs(&found, "ok"), ["aws_kms_key.k.arn"]);
    }

    #[test]
    fn deeply_nested_templates_do_not_exhaust_the_stack() {
        let text = format!("locals {{\n  deep = {}\n  after = aws_kms_key.k.arn\n}}\n", "\"${".repeat(200_000));
        let found = in_hcl(&text);
        assert!(found.iter().any(|(name, _)| name == "deep"), "{:?}", found.len());
    }

    #[test]
    fn json_locals_are_the_references_of_their_templates() {
        let text = r#"{"locals": [{"key": "${aws_kms_key.k.arn}", "//": "a comment"}, {"names": ["${var.a}-x", {"b": "${local.c}"}]}]}"#;
        let found = in_json(text);
        assert_eq!(refs(&found, "key"), ["aws_kms_key.k.arn"]);
        assert_eq!(refs(&found, "names"), ["var.a", "local.c"]);
        assert_eq!(found.len(), 2);
        assert!(in_json("not json").is_empty());
    }
}
