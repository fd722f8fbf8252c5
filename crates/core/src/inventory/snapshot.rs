//! Reading and writing inventory snapshots. A snapshot that cannot be read is a
//! [`Diagnostic`]: the file, the line and column where the JSON goes wrong, and the field.

use super::model::Inventory;
use crate::diagnostic::Diagnostic;
use std::path::{Path, PathBuf};

/// The snapshot format version this build reads and writes. Bump it on any change that an
/// older reader would misread, and say what changed in the README.
/// 2: trail tags became a fact (`{"value": {...}}`), read by cloudtrail:ListTags.
/// 3: the organization's unit tree (`organization.organizational_units`).
pub const SCHEMA_VERSION: u32 = 3;

/// A snapshot that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Unreadable, not a snapshot, or of another version: where and why.
    #[error(transparent)]
    Read(#[from] Diagnostic),
    #[error("{path}: cannot write the snapshot: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// What to do about a snapshot of another version.
const RECOLLECT: &str = "re-collect it with this version of trailwarden (`trailwarden collect`)";

/// Parses a snapshot from JSON text; `path` is only used in error messages.
pub fn parse(text: &str, path: &Path) -> Result<Inventory, SnapshotError> {
    // Tracking the path of every field slows parsing by a fifth (a large organization's
    // snapshot is a hundred megabytes): only a snapshot that fails is parsed again to say where.
    let inventory: Inventory = match serde_json::from_str(text) {
        Ok(inventory) => inventory,
        Err(first) => {
            // A snapshot of another version fails on whichever field changed; say so instead.
            check_version(text, path)?;
            let mut de = serde_json::Deserializer::from_str(text);
            return Err(match serde_path_to_error::deserialize::<_, Inventory>(&mut de) {
                Err(err) => invalid(Some(&err.path().to_string()), err.inner(), path),
                // Not expected (the same parser, the same text), but then the position alone.
                Ok(_) => invalid(None, &first, path),
            }
            .into());
        }
    };
    if inventory.schema_version != SCHEMA_VERSION {
        return Err(unsupported_version(path, inventory.schema_version.into()).into());
    }
    Ok(inventory)
}

/// Where the snapshot does not parse, and at which field when a value is wrong (for text that
/// is not JSON, the field the parser was in is no help).
fn invalid(field: Option<&str>, error: &serde_json::Error, path: &Path) -> Diagnostic {
    let diagnostic = Diagnostic::from_json(path, error);
    match field {
        Some(field) if error.is_data() => diagnostic.in_context(format_args!("invalid snapshot at `{field}`")),
        _ => diagnostic.in_context("invalid snapshot"),
    }
}

fn unsupported_version(path: &Path, found: u64) -> Diagnostic {
    Diagnostic::file(path, format!("snapshot schema_version {found} is not supported (this build reads version {SCHEMA_VERSION})"))
        .with_help(RECOLLECT)
}

/// Reads a snapshot file.
pub fn read(path: &Path) -> Result<Inventory, SnapshotError> {
    let text = std::fs::read_to_string(path).map_err(|e| Diagnostic::file(path, format!("cannot read the snapshot: {e}")))?;
    parse(&text, path)
}

/// Writes a snapshot file (pretty JSON, stable field order).
pub fn write(inventory: &Inventory, path: &Path) -> Result<(), SnapshotError> {
    let mut text = serde_json::to_string_pretty(inventory).expect("the inventory always serializes");
    text.push('\n');
    std::fs::write(path, text).map_err(|source| SnapshotError::Write { path: path.to_owned(), source })
}

/// Checks `schema_version` alone, so that a snapshot from another version gets a message about
/// the version rather than about whichever field changed.
fn check_version(text: &str, path: &Path) -> Result<(), Diagnostic> {
    #[derive(serde::Deserialize)]
    struct Header {
        schema_version: Option<u64>,
    }
    let Ok(header) = serde_json::from_str::<Header>(text) else {
        return Ok(()); // not even JSON: the full parse reports where
    };
    match header.schema_version {
        Some(v) if v == u64::from(SCHEMA_VERSION) => Ok(()),
        Some(found) => Err(unsupported_version(path, found)),
        None => Ok(()), // the full parse reports the missing field
    }
}

/// The JSON Schema of the snapshot format, as committed under schemas/.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Inventory);
    let mut text = serde_json::to_string_pretty(&schema).expect("schemas serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> Diagnostic {
        match parse(text, Path::new("s.json")) {
            Err(SnapshotError::Read(d)) => d,
            other => panic!("expected a read error, got {other:?}"),
        }
    }

    #[test]
    fn a_snapshot_that_is_not_json_is_placed_by_serde_json() {
        let d = error("{\n  \"schema_version\": 3,\n  oops\n}");
        assert_eq!(d.to_string(), "s.json:3:3: invalid snapshot: key must be a string");
    }

    #[test]
    fn another_version_concerns_the_whole_file_and_says_what_to_do() {
        let d = error("{\"schema_version\": 1, \"anything\": true}");
        assert_eq!((d.line, d.column), (None, None));
        assert_eq!(d.help.as_deref(), Some(RECOLLECT));
    }
}
