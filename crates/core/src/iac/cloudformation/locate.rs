//! The line of each resource's logical ID in a template's text, where findings point. The
//! parsers keep no positions, so the text is read again: in YAML, the keys of the top-level
//! `Resources` block at its first indentation; in JSON, the keys of the top-level
//! `"Resources"` object (a property that shares a logical ID's name is deeper, and skipped).

use std::collections::BTreeMap;

/// Logical ID → 1-based line.
pub(super) fn resource_lines(text: &str) -> BTreeMap<String, u32> {
    if text.trim_start().starts_with('{') {
        json_lines(text)
    } else {
        yaml_lines(text)
    }
}

fn yaml_lines(text: &str) -> BTreeMap<String, u32> {
    let mut lines = BTreeMap::new();
    let mut in_resources = false;
    let mut indent: Option<usize> = None;
    for (number, line) in text.lines().enumerate() {
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let depth = line.len() - content.len();
        if depth == 0 {
            in_resources = content.starts_with("Resources:");
            continue;
        }
        if !in_resources {
            continue;
        }
        let indent = *indent.get_or_insert(depth);
        if depth != indent {
            continue;
        }
        if let Some((key, _)) = content.split_once(':') {
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            lines.entry(key.to_owned()).or_insert(number as u32 + 1);
        }
    }
    lines
}

fn json_lines(text: &str) -> BTreeMap<String, u32> {
    let mut lines = BTreeMap::new();
    let mut depth = 0usize;
    let mut line = 1u32;
    let mut resources_depth: Option<usize> = None;
    // The last string read, its line, and whether it is followed by `:` (a key).
    let mut last_string: Option<(String, u32)> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => {
                let start = line;
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                s.push(escaped);
                            }
                        }
                        '"' => break,
                        '\n' => {
                            line += 1;
                            s.push(c);
                        }
                        _ => s.push(c),
                    }
                }
                last_string = Some((s, start));
            }
            ':' => {
                if let Some((key, at)) = last_string.take() {
                    if depth == 1 && key == "Resources" {
                        resources_depth = Some(2);
                    } else if resources_depth == Some(depth) {
                        lines.entry(key).or_insert(at);
                    }
                }
            }
            '{' | '[' => {
                depth += 1;
                last_string = None;
            }
            '}' | ']' => {
                if resources_depth == Some(depth) {
                    resources_depth = None;
                }
                depth = depth.saturating_sub(1);
                last_string = None;
            }
            ',' => last_string = None,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_logical_ids_at_the_first_indentation_of_resources() {
        let text = "Parameters:\n  Trail:\n    Type: String\nResources:\n  # the logs\n  Logs:\n    Type: AWS::S3::Bucket\n  Trail:\n    Properties:\n      Logs: x\nOutputs:\n  Other: 1\n";
        let lines = resource_lines(text);
        assert_eq!(lines.get("Logs"), Some(&6));
        assert_eq!(lines.get("Trail"), Some(&8));
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn json_logical_ids_are_keys_of_the_top_level_resources_object() {
        let text = "{\n \"Resources\": {\n  \"Policy\": {\"Type\": \"AWS::S3::BucketPolicy\",\n   \"Properties\": {\"Bucket\": {\"Ref\": \"Bucket\"}}},\n  \"Bucket\": {\n   \"Type\": \"AWS::S3::Bucket\"}\n },\n \"Outputs\": {\"X\": {}}\n}";
        let lines = resource_lines(text);
        assert_eq!(lines.get("Policy"), Some(&3));
        assert_eq!(lines.get("Bucket"), Some(&5));
        assert_eq!(lines.len(), 2);
    }
}
