//! Suggestions written into a message ("unknown framework `x`; did you mean `y`?"), for the
//! usage errors of the command line (`--framework`, `rules show`). Errors in files are
//! [`crate::diagnostic::Diagnostic`]s, which put a suggestion on their help line instead.

pub use crate::diagnostic::suggest;

/// "; did you mean `x`?" or "".
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest(word, candidates).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
}
