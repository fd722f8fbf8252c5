//! Reading and writing inventory snapshots.

use super::model::Inventory;
use std::path::{Path, PathBuf};

/// The snapshot format version this build reads and writes. Bump it on any change that an
/// older reader would misread, and say what changed in the README.
/// 2: trail tags became a fact (`{"value": {...}}`), read by cloudtrail:ListTags.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{path}: cannot read the snapshot: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}:{column}: invalid snapshot at `{field}`: {message}")]
    Invalid { path: PathBuf, line: usize, column: usize, field: String, message: String },
    #[error("{path}: snapshot schema_version {found} is not supported (this build reads version {SCHEMA_VERSION}); re-collect it with this version of trailwarden")]
    Version { path: PathBuf, found: u64 },
    #[error("{path}: cannot write the snapshot: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

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
                Err(err) => invalid(err.path().to_string(), err.into_inner(), path),
                // Not expected (the same parser, the same text), but then the position alone.
                Ok(_) => invalid(".".to_owned(), first, path),
            });
        }
    };
    if inventory.schema_version != SCHEMA_VERSION {
        return Err(SnapshotError::Version { path: path.to_owned(), found: inventory.schema_version.into() });
    }
    Ok(inventory)
}

fn invalid(field: String, inner: serde_json::Error, path: &Path) -> SnapshotError {
    SnapshotError::Invalid { path: path.to_owned(), line: inner.line(), column: inner.column(), field, message: strip_position(&inner.to_string()) }
}

/// Reads a snapshot file.
pub fn read(path: &Path) -> Result<Inventory, SnapshotError> {
    let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Io { path: path.to_owned(), source })?;
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
fn check_version(text: &str, path: &Path) -> Result<(), SnapshotError> {
    #[derive(serde::Deserialize)]
    struct Header {
        schema_version: Option<u64>,
    }
    let Ok(header) = serde_json::from_str::<Header>(text) else {
        return Ok(()); // not even JSON: the full parse reports where
    };
    match header.schema_version {
        Some(v) if v == u64::from(SCHEMA_VERSION) => Ok(()),
        Some(found) => Err(SnapshotError::Version { path: path.to_owned(), found }),
        None => Ok(()), // the full parse reports the missing field
    }
}

/// serde_json appends " at line L column C"; the error already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The JSON Schema of the snapshot format, as committed under schemas/.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Inventory);
    let mut text = serde_json::to_string_pretty(&schema).expect("schemas serialize");
    text.push('\n');
    text
}
