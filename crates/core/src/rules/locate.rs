//! Finds where a value stands in a YAML file, so that errors found after parsing (a CEL syntax
//! error, a misspelled field in a condition) can still name the file's line and column.
//!
//! The YAML parser does not keep positions of values, so this reads the block-style YAML that
//! rule and config files are written in: `key:` lines at increasing indentation and `- `
//! sequence items. [`locate`] finds a path exactly or not at all (positions inside a value are
//! counted from it); [`locate_nearest`] falls back to the closest parent it finds (a flow-style
//! `[a, b]` list, for example, is found as a whole), for an error about the value.

pub use crate::diagnostic::Position;

/// One step of a path: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The position of the value at `path` (the first character of its text). For a block scalar
/// (`key: |`) it is the first line of the block, so that line N of the value is line
/// `line + N - 1` of the file.
pub fn locate(text: &str, path: &[Step]) -> Option<Position> {
    let lines: Vec<&str> = text.lines().collect();
    let mut start = 0; // first line of the current node's children
    let mut end = lines.len();
    let mut min_indent = 0;
    let mut found = None;
    for step in path {
        let (line_idx, col, indent) = match step {
            Step::Key(key) => find_key(&lines[start..end], key, min_indent).map(|(i, c, ind)| (start + i, c, ind))?,
            Step::Index(n) => find_item(&lines[start..end], *n, min_indent).map(|(i, c, ind)| (start + i, c, ind))?,
        };
        found = Some((line_idx, col));
        // The node's extent: following lines indented deeper than the key.
        let mut stop = line_idx + 1;
        while stop < end && (blank(lines[stop]) || indentation(lines[stop]) > indent) {
            stop += 1;
        }
        start = line_idx;
        end = stop;
        min_indent = indent + 1;
        if matches!(step, Step::Key(_)) {
            start = line_idx + 1;
        }
    }
    let (line_idx, col) = found?;
    let line = lines[line_idx];
    let rest = &line[col..];
    let value = rest.trim_start();
    let value_col = col + (rest.len() - value.len());
    if value.starts_with('|') || value.starts_with('>') || value.is_empty() {
        // Block scalar or nested node: the value begins on the next non-blank line.
        let next = (line_idx + 1..lines.len()).find(|&i| !blank(lines[i]))?;
        return Some(Position { line: next + 1, column: indentation(lines[next]) + 1 });
    }
    let quoted = value.starts_with('"') || value.starts_with('\'');
    Some(Position { line: line_idx + 1, column: value_col + 1 + usize::from(quoted) })
}

/// The position of the value at `path`, or else of its closest parent that can be found.
pub fn locate_nearest(text: &str, path: &[Step]) -> Option<Position> {
    (1..=path.len()).rev().find_map(|n| locate(text, &path[..n]))
}

fn blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Finds `key:` at the shallowest indentation ≥ `min_indent`; returns (line, column after the
/// colon, indentation of the key).
fn find_key(lines: &[&str], key: &str, min_indent: usize) -> Option<(usize, usize, usize)> {
    let mut level = None;
    for (i, line) in lines.iter().enumerate() {
        if blank(line) {
            continue;
        }
        let mut indent = indentation(line);
        let mut body = &line[indent..];
        // A key on the same line as a sequence dash: "- key: value".
        if let Some(after) = body.strip_prefix("- ") {
            indent += 2;
            body = after;
        }
        if indent < min_indent {
            continue;
        }
        let level = *level.get_or_insert(indent);
        if indent != level {
            continue;
        }
        let bare = body.trim_start_matches(['"', '\'']);
        if let Some(after) = bare.strip_prefix(key) {
            let after = after.trim_start_matches(['"', '\'']);
            if let Some(rest) = after.strip_prefix(':') {
                let col = line.len() - rest.len();
                return Some((i, col, indent));
            }
        }
    }
    None
}

/// Finds the `n`th `- ` item at the shallowest indentation ≥ `min_indent - 1` (sequences may
/// sit at their parent key's indentation).
fn find_item(lines: &[&str], n: usize, min_indent: usize) -> Option<(usize, usize, usize)> {
    let mut level = None;
    let mut count = 0;
    for (i, line) in lines.iter().enumerate() {
        if blank(line) {
            continue;
        }
        let indent = indentation(line);
        if indent + 1 < min_indent || !line[indent..].starts_with('-') {
            continue;
        }
        let level = *level.get_or_insert(indent);
        if indent != level {
            continue;
        }
        if count == n {
            return Some((i, indent + 1, indent));
        }
        count += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "id: X\npass_if: a.b == 1\nmessage:\n  pass: ok\n  fail: \"bad {{ x }}\"\nrule_block: |\n  line one\n  line two\ntests:\n  - name: first\n    facts:\n      a: 1\n  - name: second\n    expect: fail\n";

    #[test]
    fn finds_inline_values() {
        assert_eq!(locate(DOC, &[Step::Key("pass_if")]), Some(Position { line: 2, column: 10 }));
        assert_eq!(locate(DOC, &[Step::Key("message"), Step::Key("fail")]), Some(Position { line: 5, column: 10 }));
    }

    #[test]
    fn finds_block_scalars_on_their_first_line() {
        assert_eq!(locate(DOC, &[Step::Key("rule_block")]), Some(Position { line: 7, column: 3 }));
    }

    #[test]
    fn finds_sequence_items() {
        assert_eq!(locate(DOC, &[Step::Key("tests"), Step::Index(1), Step::Key("expect")]), Some(Position { line: 14, column: 13 }));
        assert_eq!(locate(DOC, &[Step::Key("tests"), Step::Index(0), Step::Key("facts")]), Some(Position { line: 12, column: 7 }));
    }

    #[test]
    fn missing_paths_are_none() {
        assert_eq!(locate(DOC, &[Step::Key("nope")]), None);
        assert_eq!(locate(DOC, &[Step::Key("tests"), Step::Index(5)]), None);
    }

    #[test]
    fn nearest_falls_back_to_the_closest_parent() {
        let flow = "disabled_rules: [A, B]\n";
        assert_eq!(locate(flow, &[Step::Key("disabled_rules"), Step::Index(1)]), None);
        assert_eq!(locate_nearest(flow, &[Step::Key("disabled_rules"), Step::Index(1)]), Some(Position { line: 1, column: 17 }));
        assert_eq!(locate_nearest(DOC, &[Step::Key("message"), Step::Key("fail")]), Some(Position { line: 5, column: 10 }));
        assert_eq!(locate_nearest(DOC, &[Step::Key("nope")]), None);
    }
}
