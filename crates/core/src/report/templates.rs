//! The report templates (templates/), embedded in the binary, and the environment that
//! renders them: HTML autoescaped as HTML, Markdown escaped by a custom formatter, so that no
//! value from a snapshot (trail names, tags, messages) can inject markup in either format.

use super::ReportError;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, Output, State, UndefinedBehavior};

pub const HTML: &str = "report.html";
pub const MARKDOWN: &str = "summary.md";

const MARKDOWN_ESCAPE: &str = "markdown";

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelled field in a template is a bug to catch in tests, not an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else if name.ends_with(".md") {
            AutoEscape::Custom(std::borrow::Cow::Borrowed(MARKDOWN_ESCAPE))
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(format_value);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build().expect("the default delimiters are valid"),
    );
    env.add_filter("codeblock", codeblock);
    env.add_template(HTML, include_str!("../../templates/report.html")).expect("the HTML template parses");
    env.add_template(MARKDOWN, include_str!("../../templates/summary.md")).expect("the Markdown template parses");
    env
}

/// The environment, built (and the templates parsed) once: the Markdown summary may be
/// rendered a few times to fit its size budget.
static ENVIRONMENT: std::sync::LazyLock<Environment<'static>> = std::sync::LazyLock::new(environment);

/// Renders one of the embedded templates.
pub fn render(name: &str, context: Value) -> Result<String, ReportError> {
    let env = &*ENVIRONMENT;
    let fail = |source| ReportError::Template { name: name.to_owned(), source };
    env.get_template(name).map_err(fail)?.render(context).map_err(fail)
}

/// Markdown values are escaped here; everything else goes to minijinja's own escaping.
fn format_value(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    if *state.auto_escape() == AutoEscape::Custom(std::borrow::Cow::Borrowed(MARKDOWN_ESCAPE)) && !value.is_safe() {
        if value.is_none() || value.is_undefined() {
            return Ok(());
        }
        return out.write_str(&escape_markdown(&value.to_string())).map_err(Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

/// Escapes text for GitHub-flavoured Markdown, inline or in a table cell: characters that
/// start emphasis, links, code, tables or HTML are backslash-escaped or turned into entities,
/// and line breaks become spaces so that a value never ends a table row or starts a block.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // Harmless in text, but keeps values inert if a template ever puts one in an attribute.
            '"' => out.push_str("&quot;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A fenced code block that the content cannot close: the fence is longer than any run of
/// backticks inside it. Code blocks are not interpreted, so nothing else needs escaping.
fn codeblock(value: String) -> Value {
    let longest_run = value.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    let body: String = value.trim_end().chars().filter(|c| *c == '\n' || !c.is_control()).collect();
    Value::from_safe_string(format!("{fence}text\n{body}\n{fence}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_keeps_table_cells_whole() {
        assert_eq!(escape_markdown("a|b\nc"), "a\\|b c");
        assert_eq!(escape_markdown("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(escape_markdown("[x](javascript:y)"), "\\[x\\](javascript:y)");
    }

    #[test]
    fn code_blocks_cannot_be_closed_from_inside() {
        let block = codeblock("a ```` b".to_owned()).to_string();
        assert!(block.starts_with("`````text\n"), "{block}");
        assert!(block.ends_with("\n`````"), "{block}");
    }
}
