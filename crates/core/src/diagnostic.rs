//! Diagnostics: what is wrong in a file the tool reads (a rule file, the config, a snapshot, a
//! report given to `diff` or `--baseline`), and where.
//!
//! Every reader reports through [`Diagnostic`], so that every broken file is reported the same
//! way: `path:line:column: message`, then `  help: ...` when there is something to suggest. A
//! position is 1-based and only printed when known (`path: message` for an error about the
//! whole file, such as one that cannot be read). Parser errors are converted here, in one
//! place, taking the position from the parser's own accessors.
//!
//! This module depends on nothing else in the crate.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column in a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based; None when the problem concerns the whole file or the parser did not say.
    pub line: Option<usize>,
    /// 1-based; None when unknown (never set without `line`).
    pub column: Option<usize>,
    pub message: String,
    /// What to do about it, e.g. "did you mean `is_logging`?"; printed on its own line.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem with the whole file (it cannot be read, it is of another version).
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic { path: path.into(), line: None, column: None, message: message.into(), help: None }
    }

    /// A problem at a place in the file, when the place is known.
    pub fn at(path: impl Into<PathBuf>, position: Option<Position>, message: impl Into<String>) -> Self {
        let mut diagnostic = Diagnostic::file(path, message);
        if let Some(p) = position.filter(|p| p.line > 0) {
            diagnostic.line = Some(p.line);
            diagnostic.column = Some(p.column).filter(|c| *c > 0);
        }
        diagnostic
    }

    /// Adds (or replaces) the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Puts `context` before the message: `context: message`.
    pub fn in_context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// A JSON parse error of `path`, at the position serde_json reports.
    pub fn from_json(path: impl Into<PathBuf>, error: &serde_json::Error) -> Self {
        // serde_json's text is the message plus " at line L column C" when it has a line.
        let (line, column) = (error.line(), error.column());
        let message = without_position(&error.to_string(), line, column);
        let diagnostic = Diagnostic::at(path, Some(Position { line, column }), message);
        diagnostic.with_suggestion()
    }

    /// A YAML parse error of `path`, at the position the YAML parser reports.
    pub fn from_yaml(path: impl Into<PathBuf>, error: &serde_yaml::Error) -> Self {
        let position = error.location().map(|l| Position { line: l.line(), column: l.column() });
        let message = match position {
            Some(p) => without_position(&error.to_string(), p.line, p.column),
            None => error.to_string(),
        };
        Diagnostic::at(path, position, message).with_suggestion()
    }

    /// For an unknown field or variant, "did you mean" the closest name serde expected.
    fn with_suggestion(self) -> Self {
        match unknown_name_suggestion(&self.message).map(did_you_mean_help) {
            Some(help) => self.with_help(help),
            None => self,
        }
    }

    /// `path`, `path:line` or `path:line:column`.
    pub fn location(&self) -> Location<'_> {
        Location { path: &self.path, line: self.line, column: self.column }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Where in a file: `path`, `path:line` or `path:line:column` (an unknown or zero part is left
/// out, never printed as 0).
#[derive(Debug, Clone, Copy)]
pub struct Location<'a> {
    pub path: &'a Path,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl<'a> Location<'a> {
    pub fn new(path: &'a Path, position: Option<Position>) -> Self {
        Location { path, line: position.map(|p| p.line), column: position.map(|p| p.column) }
    }
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line.filter(|l| *l > 0) {
            write!(f, ":{line}")?;
            if let Some(column) = self.column.filter(|c| *c > 0) {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// Several diagnostics, reported together so that one run shows every problem (rule loading
/// reports every broken rule of every file).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

impl fmt::Display for Diagnostics {
    /// One diagnostic after the other. The caller labels the first (`error: `, as the command
    /// line does); each further one is labelled here, so that every one reads as its own error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, "\nerror: ")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// The closest of `candidates` to `word`, if close enough to be a plausible typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(distance, c)| *distance <= 2.max(word.len().min(c.len()) / 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// The help line for a suggestion: "did you mean `x`?".
pub fn did_you_mean_help(suggestion: &str) -> String {
    format!("did you mean `{suggestion}`?")
}

/// The help line "did you mean `x`?" for the closest candidate, if one is close enough.
pub fn suggestion(word: &str, candidates: impl IntoIterator<Item = impl AsRef<str>>) -> Option<String> {
    let candidates: Vec<_> = candidates.into_iter().collect();
    suggest(word, candidates.iter().map(AsRef::as_ref)).map(did_you_mean_help)
}

/// A parser's error text without the position it appends (" at line L column C"), given the
/// position its accessors report. Only that exact text is removed: at the end (serde_json,
/// serde), else its first occurrence (a YAML syntax error goes on with the position of its
/// context, which stays).
fn without_position(text: &str, line: usize, column: usize) -> String {
    if line == 0 {
        return text.to_owned();
    }
    let suffix = format!(" at line {line} column {column}");
    match text.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => text.replacen(&suffix, "", 1),
    }
}

/// serde names an unknown field or variant only in its message: "unknown field `x`, expected
/// one of `a`, `b`" (or "expected `a` or `b`"). The closest expected name, if close enough.
fn unknown_name_suggestion(message: &str) -> Option<&str> {
    let start = ["unknown field `", "unknown variant `"].iter().find_map(|p| message.find(p).map(|i| i + p.len()))?;
    let rest = &message[start..];
    let (name, rest) = rest.split_once('`')?;
    let expected = rest.strip_prefix(", expected ")?;
    let candidates = expected.split('`').skip(1).step_by(2);
    suggest(name, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_path_line_column_and_message() {
        let d = Diagnostic::at("rules/X.yaml", Some(Position { line: 6, column: 41 }), "unknown field `is_loging`");
        assert_eq!(d.to_string(), "rules/X.yaml:6:41: unknown field `is_loging`");
    }

    #[test]
    fn renders_help_on_its_own_line() {
        let d = Diagnostic::at("rules/X.yaml", Some(Position { line: 6, column: 41 }), "unknown field `is_loging`")
            .with_help("did you mean `is_logging`?");
        assert_eq!(d.to_string(), "rules/X.yaml:6:41: unknown field `is_loging`\n  help: did you mean `is_logging`?");
    }

    #[test]
    fn renders_no_position_when_unknown() {
        let d = Diagnostic::file("snap.json", "cannot read the snapshot: gone").with_help("re-collect it");
        assert_eq!(d.to_string(), "snap.json: cannot read the snapshot: gone\n  help: re-collect it");
        // Zero is "unknown", never printed.
        assert_eq!(Diagnostic::at("c.yaml", Some(Position { line: 0, column: 0 }), "m").to_string(), "c.yaml: m");
        assert_eq!(Diagnostic::at("c.yaml", Some(Position { line: 4, column: 0 }), "m").to_string(), "c.yaml:4: m");
        let zeros = Diagnostic { line: Some(0), column: Some(0), ..Diagnostic::file("c.yaml", "m") };
        assert_eq!(zeros.to_string(), "c.yaml: m");
    }

    #[test]
    fn several_diagnostics_are_each_labelled() {
        let all = Diagnostics(vec![
            Diagnostic::at("a.yaml", Some(Position { line: 1, column: 2 }), "first").with_help("fix it"),
            Diagnostic::file("b.yaml", "second"),
        ]);
        assert_eq!(all.to_string(), "a.yaml:1:2: first\n  help: fix it\nerror: b.yaml: second");
    }

    #[test]
    fn json_errors_take_the_position_from_serde_json() {
        let err = serde_json::from_str::<serde_json::Value>("{\n  \"a\": 1,\n  oops\n}").unwrap_err();
        let d = Diagnostic::from_json("s.json", &err);
        assert_eq!((d.line, d.column), (Some(3), Some(3)));
        assert_eq!(d.message, "key must be a string");
        assert_eq!(d.to_string(), "s.json:3:3: key must be a string");
    }

    #[test]
    fn yaml_errors_take_the_position_from_the_parser_and_suggest_a_field() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct File {
            disabled_rules: Vec<String>,
        }
        let err = serde_yaml::from_str::<File>("\ndisabled_rule: []\n").unwrap_err();
        let d = Diagnostic::from_yaml("c.yaml", &err);
        assert_eq!(d.to_string(), "c.yaml:2:1: unknown field `disabled_rule`, expected `disabled_rules`\n  help: did you mean `disabled_rules`?");
    }

    #[test]
    fn only_the_reported_position_is_removed_from_a_message() {
        assert_eq!(without_position("bad value ` at line 2 column 5` at line 2 column 5", 2, 5), "bad value ` at line 2 column 5`");
        assert_eq!(
            without_position("did not find expected key at line 4 column 3, while parsing a block mapping at line 2 column 1", 4, 3),
            "did not find expected key, while parsing a block mapping at line 2 column 1"
        );
    }

    #[test]
    fn suggests_the_closest_expected_name() {
        assert_eq!(unknown_name_suggestion("unknown field `remedation`, expected one of `id`, `remediation`"), Some("remediation"));
        assert_eq!(unknown_name_suggestion("severity: unknown variant `hihg`, expected one of `low`, `high`"), Some("high"));
        assert_eq!(unknown_name_suggestion("unknown field `zzz`, there are no fields"), None);
        assert_eq!(unknown_name_suggestion("missing field `id`"), None);
    }
}
