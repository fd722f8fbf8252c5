//! Rendering results. Each format is one module with one entry point that takes a [`Report`].

pub mod console;
pub mod json;

pub use json::Report;

use std::io::Write;
use std::path::Path;

/// Writes a rendered report to a file, or to stdout for `-`.
pub fn write_output(path: &Path, content: &str) -> std::io::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(content.as_bytes())?;
        return out.flush();
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, content)
}
