//! Per-finding text (messages, remediations) stored as templates over the finding's own
//! resource, so that the page can intern it.
//!
//! A rule renders its message and remediation once per resource, with the resource's ARN, name,
//! account, Region and organizational unit written into them: at 10,000 accounts that is
//! ~190,000 distinct messages (28 MB) and ~40,000 distinct remediations (25 MB), although the
//! rules have only a few hundred distinct sentences. Written back as templates, with each
//! occurrence of those five values replaced by a placeholder, they intern to a few hundred
//! strings, and the page puts the values back when it shows a finding (templates/report.js,
//! `expand`).
//!
//! The encoding is reversible for any text: a placeholder is [`MARK`] followed by a letter
//! naming the field, and a [`MARK`] in the text itself is written twice.

use crate::resource::ResourceRef;

/// Starts a placeholder. A control character that no rule writes on purpose; when one occurs,
/// it is escaped (doubled), so decoding stays exact.
pub const MARK: char = '\u{1}';

/// The placeholder letters, as templates/report.js reads them.
const ARN: char = 'a';
const NAME: char = 'n';
const ACCOUNT: char = 'c';
const REGION: char = 'r';
const UNIT: char = 'u';

/// Values shorter than this are left in the text: replacing a two-letter name everywhere it
/// occurs would only fragment the templates.
const MIN_VALUE_LEN: usize = 4;

/// The values of a resource that its findings' texts are likely to repeat.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    pub arn: &'a str,
    /// The last segment of the ARN (after the last `/` or `:`): the trail's or bucket's name.
    pub name: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    pub unit: Option<&'a str>,
}

impl<'a> Fields<'a> {
    pub fn of(resource: &'a ResourceRef) -> Fields<'a> {
        Fields {
            arn: &resource.arn,
            name: name_of(&resource.arn),
            account: &resource.account,
            region: &resource.region,
            unit: resource.organizational_unit.as_deref(),
        }
    }

    /// Longest first: an ARN contains the name, account and Region, and wins where they overlap.
    fn candidates(&self) -> [(char, &'a str); 5] {
        [(ARN, self.arn), (UNIT, self.unit.unwrap_or("")), (NAME, self.name), (ACCOUNT, self.account), (REGION, self.region)]
    }
}

/// The name part of an ARN; templates/report.js computes it the same way (`nameOf`).
pub fn name_of(arn: &str) -> &str {
    arn.rfind(['/', ':']).map_or(arn, |at| &arn[at + 1..])
}

/// Writes `text` into `out` (cleared first) as a template over `fields`: left to right, the
/// longest field value that starts at each position becomes its placeholder.
///
/// One pass over the text's bytes, comparing only where a byte starts some value: this runs
/// for every message and remediation of a report (half a million at 10,000 accounts), where a
/// substring search per field cost several times more.
pub fn encode(text: &str, fields: &Fields, out: &mut String) {
    out.clear();
    let mut candidates: [(char, &[u8]); 5] = [('\0', &[]); 5];
    let mut n = 0;
    for (letter, value) in fields.candidates() {
        if value.len() >= MIN_VALUE_LEN {
            candidates[n] = (letter, value.as_bytes());
            n += 1;
        }
    }
    let values = &mut candidates[..n];
    values.sort_unstable_by_key(|v| std::cmp::Reverse(v.1.len()));
    // The bytes that can start something to replace: a value's first byte, or MARK.
    let mut starts = [0u64; 4];
    for byte in values.iter().map(|(_, v)| v[0]).chain([MARK as u8]) {
        starts[usize::from(byte >> 6)] |= 1 << (byte & 63);
    }
    let may_start = |byte: u8| starts[usize::from(byte >> 6)] & (1 << (byte & 63)) != 0;
    let bytes = text.as_bytes();
    let mut cursor = 0;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        if !may_start(byte) {
            at += 1;
            continue;
        }
        if byte == MARK as u8 {
            out.push_str(&text[cursor..=at]);
            out.push(MARK);
            at += 1;
            cursor = at;
            continue;
        }
        if let Some((letter, value)) = values.iter().find(|(_, v)| v[0] == byte && bytes[at..].starts_with(v)) {
            // A value is valid UTF-8 and starts with a leading byte, so `at` and the end of the
            // match are character boundaries of the text.
            out.push_str(&text[cursor..at]);
            out.push(MARK);
            out.push(*letter);
            at += value.len();
            cursor = at;
            continue;
        }
        at += 1;
    }
    out.push_str(&text[cursor..]);
}

/// The text a template stands for: what the page shows. The page's own decoder is
/// templates/report.js (`expand`); this one states the contract for the tests.
#[cfg(test)]
pub fn decode(template: &str, fields: &Fields) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c != MARK {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(ARN) => out.push_str(fields.arn),
            Some(NAME) => out.push_str(fields.name),
            Some(ACCOUNT) => out.push_str(fields.account),
            Some(REGION) => out.push_str(fields.region),
            Some(UNIT) => out.push_str(fields.unit.unwrap_or("")),
            Some(other) => out.push(other),
            None => out.push(MARK),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::ResourceKind;

    fn trail(name: &str, unit: Option<&str>) -> ResourceRef {
        let mut r =
            ResourceRef::new(format!("arn:aws:cloudtrail:eu-west-1:111122223333:trail/{name}"), ResourceKind::Trail, "111122223333", "eu-west-1");
        r.organizational_unit = unit.map(str::to_owned);
        r
    }

    fn template(text: &str, resource: &ResourceRef) -> String {
        let mut out = String::new();
        encode(text, &Fields::of(resource), &mut out);
        out
    }

    #[test]
    fn messages_about_different_resources_share_one_template() {
        let a = trail("audit", Some("Root/Prod"));
        let b = trail("payments-trail", Some("Root/Dev"));
        let message = |r: &ResourceRef| {
            format!(
                "Trail {} in {} of account {} (unit {}) is not logging; see {}.",
                name_of(&r.arn),
                r.region,
                r.account,
                r.organizational_unit.as_deref().unwrap(),
                r.arn
            )
        };
        let (ta, tb) = (template(&message(&a), &a), template(&message(&b), &b));
        assert_eq!(ta, tb);
        assert_eq!(ta, "Trail \u{1}n in \u{1}r of account \u{1}c (unit \u{1}u) is not logging; see \u{1}a.");
        assert_eq!(decode(&ta, &Fields::of(&a)), message(&a));
        assert_eq!(decode(&tb, &Fields::of(&b)), message(&b));
    }

    #[test]
    fn every_text_round_trips() {
        let r = trail("logs", None);
        let texts = [
            "",
            "plain text",
            "\u{1}a literal mark\u{1}\u{1} and a trailing one\u{1}",
            "arn:aws:cloudtrail:eu-west-1:111122223333:trail/logs/logs: nested, overlapping logs",
            "ünïcödé 111122223333eu-west-1logs",
            "<script>alert(1)</script> arn:aws:cloudtrail:eu-west-1:111122223333:trail/logs",
        ];
        for text in texts {
            let t = template(text, &r);
            assert_eq!(decode(&t, &Fields::of(&r)), text, "{t:?}");
        }
    }

    #[test]
    fn short_values_stay_in_the_text() {
        let r = trail("a", None);
        assert_eq!(template("a trail named a", &r), "a trail named a");
        assert_eq!(name_of("arn:aws:s3:::bucket"), "bucket");
        assert_eq!(name_of("no-separator"), "no-separator");
    }
}
