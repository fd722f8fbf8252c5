//! Why a rule's template failed, typed by minijinja's error kind, so that rule loading and
//! `rules test` can tell a failure from a message without looking for words in its text.

use std::fmt;

/// What kind of failure, from minijinja's [`minijinja::ErrorKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateErrorKind {
    /// The template does not parse.
    Syntax,
    /// It names a variable or field the judgement does not have (templates are strict).
    Undefined,
    /// It calls a filter, test, function or method that does not exist.
    UnknownCallable,
    /// A filter or function got too many arguments, or misses one.
    Arguments,
    /// An operation its values do not support (adding a string to a number, ...).
    InvalidOperation,
    /// Anything else minijinja reports.
    Other,
}

impl From<minijinja::ErrorKind> for TemplateErrorKind {
    fn from(kind: minijinja::ErrorKind) -> Self {
        use minijinja::ErrorKind as K;
        match kind {
            K::SyntaxError | K::BadEscape | K::InvalidDelimiter => TemplateErrorKind::Syntax,
            K::UndefinedError => TemplateErrorKind::Undefined,
            K::UnknownFilter | K::UnknownTest | K::UnknownFunction | K::UnknownMethod => TemplateErrorKind::UnknownCallable,
            K::TooManyArguments | K::MissingArgument => TemplateErrorKind::Arguments,
            K::InvalidOperation | K::NonPrimitive | K::NonKey | K::CannotUnpack => TemplateErrorKind::InvalidOperation,
            _ => TemplateErrorKind::Other,
        }
    }
}

/// A rule's template that failed to compile or render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The template part (`message.fail`, `remediation`, ...: `rules::TEMPLATE_PARTS`).
    pub part: &'static str,
    pub kind: TemplateErrorKind,
    /// minijinja's description of the error, with the template's name and line.
    pub detail: String,
}

impl TemplateError {
    pub fn new(part: &'static str, error: &minijinja::Error) -> Self {
        TemplateError { part, kind: error.kind().into(), detail: error.to_string() }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the rule's {} template failed: {}", self.part, self.detail)
    }
}

impl std::error::Error for TemplateError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_minijinja() {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let syntax = env.add_template("a", "{{ x ").unwrap_err();
        assert_eq!(TemplateError::new("message.fail", &syntax).kind, TemplateErrorKind::Syntax);
        let undefined = env.render_str("{{ trail.name }}", minijinja::context! {}).unwrap_err();
        let failure = TemplateError::new("remediation", &undefined);
        assert_eq!(failure.kind, TemplateErrorKind::Undefined);
        assert!(failure.to_string().starts_with("the rule's remediation template failed: undefined value"), "{failure}");
        let filter = env.render_str("{{ 1 | nope }}", minijinja::context! {}).unwrap_err();
        assert_eq!(TemplateError::new("message.pass", &filter).kind, TemplateErrorKind::UnknownCallable);
    }
}
