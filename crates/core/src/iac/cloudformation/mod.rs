//! The CloudFormation source: `scan --cloudformation FILE...`. Each template (YAML with or
//! without short-form tags, or JSON) is parsed (parse.rs), its intrinsic functions resolved
//! against its parameters' defaults, pseudo parameters, mappings and conditions
//! (intrinsics.rs), its trails, buckets, keys and event data stores mapped into the inventory
//! (resources.rs), each at the line of its logical ID (locate.rs).

mod intrinsics;
mod locate;
mod parse;
mod resources;

use super::{SourceInventory, SourceScope};
use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use std::path::PathBuf;

/// Reads the templates into one inventory, their resources in one placeholder account and
/// Region (a template names neither; they are chosen when a stack is created).
pub fn load(paths: &[PathBuf]) -> Result<Inventory, Diagnostic> {
    let mut source = SourceInventory::new(SourceScope::default());
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| Diagnostic::file(path, format!("cannot read the template: {e}")))?;
        let tree = parse::template(path, &text)?;
        let lines = locate::resource_lines(&text);
        resources::map(&mut source, path, &tree, &lines)?;
    }
    Ok(source.finish())
}
