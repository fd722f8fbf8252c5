//! Loading rule files: strict parsing, CEL compilation, field checks against the binding's
//! shape, and template compilation. Every error is a [`Diagnostic`] naming the file, and the
//! line and column where they can be found; loading reports all of them at once.

use super::check;
use super::format::{Quantifier as QuantifierSpec, RuleFile, Scope};
use super::locate::{locate, locate_nearest, Position, Step};
use super::shape::{check_value, Shape};
use super::{frameworks, Condition, PassRule, Quantifier, Rule, TemplateError, TemplateErrorKind};
use crate::diagnostic::{suggestion, Diagnostic, Diagnostics};
use crate::evaluate::views;
use include_dir::{include_dir, Dir};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

static BUILTIN_RULES: Dir = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// The loaded rules with their shared CEL and template environments.
pub struct RuleSet {
    /// Sorted by id.
    pub rules: Vec<Rule>,
    pub templates: minijinja::Environment<'static>,
    pub cel: Arc<cel::Env>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet").field("rules", &self.rules.len()).finish()
    }
}

impl RuleSet {
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }
}

/// The CEL environment rules are compiled and run with: the standard library plus the
/// strings and lists extensions.
pub fn cel_env() -> Arc<cel::Env> {
    static ENV: OnceLock<Arc<cel::Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = cel::Env::stdlib();
        env.add_extension(cel::extensions::strings).expect("the strings extension loads");
        env.add_extension(cel::extensions::lists).expect("the lists extension loads");
        Arc::new(env)
    })
    .clone()
}

/// The template environment: strict about undefined names, no HTML escaping (messages are
/// plain text; each report escapes for its own format).
fn template_env() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build().expect("the default delimiters are valid"),
    );
    env
}

/// The shape of each scope's binding.
pub fn scope_shape(scope: Scope) -> &'static Shape {
    static SHAPES: OnceLock<HashMap<Scope, Shape>> = OnceLock::new();
    let shapes = SHAPES.get_or_init(|| {
        HashMap::from([
            (Scope::Organization, Shape::of::<views::OrganizationView>()),
            (Scope::Account, Shape::of::<views::AccountView>()),
            (Scope::Region, Shape::of::<views::RegionView>()),
            (Scope::Trail, Shape::of::<views::TrailView>()),
            (Scope::Bucket, Shape::of::<views::BucketView>()),
            (Scope::EventDataStore, Shape::of::<views::EventDataStoreView>()),
        ])
    });
    &shapes[&scope]
}

/// The built-in rule pack.
pub fn load_builtin() -> Result<RuleSet, Diagnostics> {
    load_rules(&[])
}

/// The built-in pack plus every rule file in `dirs`.
pub fn load_rules(dirs: &[PathBuf]) -> Result<RuleSet, Diagnostics> {
    let mut sources: Vec<(PathBuf, String, bool)> = builtin_sources();
    for dir in dirs {
        sources.extend(dir_sources(dir)?.into_iter().map(|(p, t)| (p, t, false)));
    }
    compile_all(sources)
}

/// Only the rule files in `dir` (for `rules validate` and `rules test DIR`).
pub fn load_dir(dir: &Path) -> Result<RuleSet, Diagnostics> {
    compile_all(dir_sources(dir)?.into_iter().map(|(p, t)| (p, t, false)).collect())
}

fn builtin_sources() -> Vec<(PathBuf, String, bool)> {
    let mut files: Vec<_> = BUILTIN_RULES
        .files()
        .filter(|f| is_rule_file(f.path()))
        .map(|f| {
            let text = f.contents_utf8().expect("built-in rules are UTF-8").to_owned();
            (Path::new("rules").join(f.path()), text, true)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn is_rule_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn dir_sources(dir: &Path) -> Result<Vec<(PathBuf, String)>, Diagnostics> {
    let fail = |message: String| Diagnostics::from(Diagnostic::file(dir, message));
    let entries = std::fs::read_dir(dir).map_err(|e| fail(format!("cannot read the rules directory: {e}")))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file() && is_rule_file(p)).collect();
    paths.sort();
    if paths.is_empty() {
        return Err(fail("no rule files (*.yaml, *.yml) in this directory".to_owned()));
    }
    paths
        .into_iter()
        .map(|p| match std::fs::read_to_string(&p) {
            Ok(text) => Ok((p, text)),
            Err(e) => Err(Diagnostic::file(&p, format!("cannot read the rule file: {e}")).into()),
        })
        .collect()
}

fn compile_all(sources: Vec<(PathBuf, String, bool)>) -> Result<RuleSet, Diagnostics> {
    let cel = cel_env();
    let mut templates = template_env();
    let mut rules: Vec<Rule> = Vec::new();
    let mut errors = Diagnostics::default();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (path, text, builtin) in sources {
        match compile_rule(&path, text, builtin, &cel, &mut templates) {
            Ok(rule) => {
                if let Some(first) = seen.get(&rule.id) {
                    let position = locate(&rule.text, &[Step::Key("id")]);
                    errors.push(Diagnostic::at(&path, position, format!("rule id `{}` is already defined in {}", rule.id, first.display())));
                    continue;
                }
                seen.insert(rule.id.clone(), path.clone());
                rules.push(rule);
            }
            Err(mut e) => errors.0.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(RuleSet { rules, templates, cel })
}

/// Parses and checks one rule file.
pub fn compile_rule(
    path: &Path,
    text: String,
    builtin: bool,
    cel: &cel::Env,
    templates: &mut minijinja::Environment<'static>,
) -> Result<Rule, Vec<Diagnostic>> {
    let file: RuleFile = serde_yaml::from_str(&text).map_err(|e| vec![Diagnostic::from_yaml(path, &e)])?;
    let mut errors = Vec::new();
    let err_at = |errors: &mut Vec<Diagnostic>, steps: &[Step], message: String, help: Option<String>| {
        let mut diagnostic = Diagnostic::at(path, locate_nearest(&text, steps), message);
        diagnostic.help = help;
        errors.push(diagnostic);
    };

    if !valid_id(&file.id) {
        err_at(
            &mut errors,
            &[Step::Key("id")],
            format!("rule id `{}` must be upper-case letters, digits and dashes, starting with a letter", file.id),
            None,
        );
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if stem != file.id {
        err_at(
            &mut errors,
            &[Step::Key("id")],
            format!("rule id `{}` must match the file name (`{stem}`)", file.id),
            Some(format!("name the file `{}.yaml`", file.id)),
        );
    }
    for framework in file.frameworks.keys() {
        if frameworks::display_name(framework).is_none() {
            let known: Vec<&str> = frameworks::ids().collect();
            err_at(
                &mut errors,
                &[Step::Key("frameworks"), Step::Key(framework)],
                format!("unknown framework `{framework}` (known: {})", known.join(", ")),
                suggestion(framework, frameworks::ids()),
            );
        }
    }

    // The variables conditions may read: the scope's binding and the parameters.
    let mut vars: HashMap<String, Shape> = HashMap::new();
    vars.insert(file.scope.variable().to_owned(), super::load::scope_shape(file.scope).clone());
    vars.insert("params".to_owned(), params_shape(&file.parameters));

    let mut compile = |errors: &mut Vec<Diagnostic>, steps: &[Step], source: &str, vars: &HashMap<String, Shape>| -> Option<Condition> {
        // A position within the expression, placed in the file (unknown if the expression
        // cannot be found).
        let base = locate(&text, steps);
        let place = |line: usize, column: usize| -> Option<Position> {
            let b = base?;
            Some(Position { line: b.line + line.max(1) - 1, column: b.column + column.saturating_sub(1) })
        };
        match cel.compile(source) {
            Err(parse) => {
                for e in &parse.errors {
                    let position = place(e.pos.0.max(1) as usize, e.pos.1.max(0) as usize + 1);
                    errors.push(Diagnostic::at(path, position, format!("CEL syntax error: {}", e.msg)));
                }
                None
            }
            Ok(program) => {
                let path_errors = check::check(&program, vars);
                for e in &path_errors {
                    let mut diagnostic = Diagnostic::at(path, place(e.line, e.column), e.message.clone());
                    diagnostic.help = e.help.clone();
                    errors.push(diagnostic);
                }
                path_errors.is_empty().then(|| Condition { source: source.to_owned(), program })
            }
        }
    };

    let applies_if = file.applies_if.as_deref().and_then(|src| compile(&mut errors, &[Step::Key("applies_if")], src, &vars));
    let pass_rule = match &file.pass_if {
        super::format::PassCondition::Expression(src) => compile(&mut errors, &[Step::Key("pass_if")], src, &vars).map(PassRule::Expression),
        super::format::PassCondition::Quantified(q) => compile_quantified(q, &mut errors, &mut compile, &vars, &err_at),
    };

    let mut escalations = Vec::new();
    for (i, e) in file.escalate.iter().enumerate() {
        if e.severity <= file.severity {
            err_at(
                &mut errors,
                &[Step::Key("escalate"), Step::Index(i), Step::Key("severity")],
                format!("an escalation must raise the severity above the rule's `{}`", file.severity),
                None,
            );
        }
        if let Some(c) = compile(&mut errors, &[Step::Key("escalate"), Step::Index(i), Step::Key("when")], &e.when, &vars) {
            escalations.push((e.severity, c));
        }
    }

    // Templates: compiled now so that a syntax error is a load error. Each part is written at
    // the YAML path its name spells (`message.pass` → message: pass:).
    let template_sources: [Option<&String>; 6] = [
        Some(&file.message.pass),
        Some(&file.message.fail),
        file.message.not_applicable.as_ref(),
        file.message.inconclusive.as_ref(),
        Some(&file.remediation),
        file.resource.as_ref().map(|r| &r.arn),
    ];
    let template_parts = || super::TEMPLATE_PARTS.into_iter().zip(template_sources).filter_map(|(part, source)| Some((part, source?)));
    for (part, source) in template_parts() {
        if let Err(e) = templates.add_template_owned(format!("{}/{part}", file.id), source.clone()) {
            let steps: Vec<Step> = part.split('.').map(Step::Key).collect();
            // The template's first character, on the line of the error within the template.
            let position = locate(&text, &steps).map(|b| Position { line: b.line + e.line().unwrap_or(1).saturating_sub(1), column: b.column });
            let error = TemplateError::new(part, &e);
            let what = if error.kind == TemplateErrorKind::Syntax { "template syntax error" } else { "template error" };
            errors.push(Diagnostic::at(path, position, format!("{what} in {part}: {}", e.detail().unwrap_or("invalid template"))));
        }
    }

    check_tests(&file, path, &text, &mut errors);

    if !errors.is_empty() {
        return Err(errors);
    }
    let rule_path = path.to_owned();
    let template_rule = minijinja::context! { id => &file.id, title => &file.title };
    Ok(Rule {
        id: file.id,
        title: file.title.into(),
        severity: file.severity,
        scope: file.scope,
        description: file.description,
        parameters: file.parameters,
        applies_if,
        pass_rule: pass_rule.expect("no errors means the pass condition compiled"),
        escalations,
        frameworks: std::sync::Arc::new(file.frameworks),
        references: file.references,
        tests: file.tests,
        path: rule_path,
        builtin,
        template_rule,
        resource_kind: file.resource.as_ref().map(|r| r.kind),
        element_templates: template_parts().filter(|(_, source)| super::names_elements(source)).map(|(part, _)| part.to_owned()).collect(),
        remediation_source: file.remediation,
        text,
    })
}

type Compile<'a> = dyn FnMut(&mut Vec<Diagnostic>, &[Step], &str, &HashMap<String, Shape>) -> Option<Condition> + 'a;

/// Records an error (and its help) at a step path of the rule file.
type ErrorAt<'a> = dyn Fn(&mut Vec<Diagnostic>, &[Step], String, Option<String>) + 'a;

fn compile_quantified(
    q: &QuantifierSpec,
    errors: &mut Vec<Diagnostic>,
    compile: &mut Compile,
    vars: &HashMap<String, Shape>,
    err_at: &ErrorAt,
) -> Option<PassRule> {
    let (quantifier, list_src, key) = match (&q.any, &q.all) {
        (Some(src), None) => (Quantifier::Any, src, "any"),
        (None, Some(src)) => (Quantifier::All, src, "all"),
        _ => {
            err_at(errors, &[Step::Key("pass_if")], "a quantified pass_if needs exactly one of `any` or `all`".to_owned(), None);
            return None;
        }
    };
    if vars.contains_key(&q.binding) || !valid_identifier(&q.binding) {
        err_at(
            errors,
            &[Step::Key("pass_if"), Step::Key("as")],
            format!("`as: {}` must be a new identifier (not `params` or the scope variable)", q.binding),
            None,
        );
        return None;
    }
    let list = compile(errors, &[Step::Key("pass_if"), Step::Key(key)], list_src, vars)?;
    let mut inner = vars.clone();
    inner.insert(q.binding.clone(), check::element_shape(&list.program, vars));
    let condition = compile(errors, &[Step::Key("pass_if"), Step::Key("where")], &q.condition, &inner)?;
    let alternative = match &q.alternative {
        Some(src) => Some(compile(errors, &[Step::Key("pass_if"), Step::Key("or")], src, vars)?),
        None => None,
    };
    let macro_name = if quantifier == Quantifier::Any { "exists" } else { "all" };
    let whole = |m: &str| cel_env().compile(&format!("({}).{m}({}, {})", list_src.trim(), q.binding, q.condition.trim()));
    let (Ok(decision), Ok(answers)) = (whole(macro_name), whole("map")) else {
        err_at(errors, &[Step::Key("pass_if")], "the quantifier does not compile as one CEL expression".to_owned(), None);
        return None;
    };
    let trimmed = list_src.trim();
    let path = trimmed.split('.').all(valid_identifier).then(|| trimmed.split('.').map(str::to_owned).collect::<Vec<_>>()).filter(|p| p.len() > 1);
    Some(PassRule::Quantified { quantifier, list, binding: q.binding.clone(), condition, alternative, decision, answers, path })
}

fn check_tests(file: &RuleFile, path: &Path, text: &str, errors: &mut Vec<Diagnostic>) {
    let shape = scope_shape(file.scope);
    for (i, case) in file.tests.iter().enumerate() {
        let at = |steps: &[Step], message: String| Diagnostic::at(path, locate_nearest(text, steps), message);
        let mut fact_errors = Vec::new();
        check_value(&case.facts, shape, file.scope.variable(), &mut fact_errors);
        for e in fact_errors {
            let mut diagnostic =
                at(&[Step::Key("tests"), Step::Index(i), Step::Key("facts")], format!("test `{}`: facts `{}`: {}", case.name, e.field, e.message));
            diagnostic.help = e.help;
            errors.push(diagnostic);
        }
        for name in case.params.keys() {
            if !file.parameters.contains_key(name) {
                let mut diagnostic = at(
                    &[Step::Key("tests"), Step::Index(i), Step::Key("params"), Step::Key(name)],
                    format!("test `{}`: unknown parameter `{name}`", case.name),
                );
                diagnostic.help = suggestion(name, file.parameters.keys());
                errors.push(diagnostic);
            }
        }
        if case.expect == crate::findings::Outcome::Suppressed {
            errors.push(
                at(&[Step::Key("tests"), Step::Index(i), Step::Key("expect")], format!("test `{}`: a rule never decides `suppressed`", case.name))
                    .with_help("suppressions are the config's: expect the outcome the rule decides"),
            );
        }
    }
}

/// The shape of `params`: each parameter has the shape of its default.
fn params_shape(parameters: &BTreeMap<String, super::format::Parameter>) -> Shape {
    fn of(value: &serde_json::Value) -> Shape {
        match value {
            serde_json::Value::Bool(_) => Shape::Scalar("boolean"),
            serde_json::Value::Number(_) => Shape::Scalar("number"),
            serde_json::Value::String(_) => Shape::Scalar("string"),
            serde_json::Value::Array(_) => Shape::List(Box::new(Shape::Any)),
            _ => Shape::Any,
        }
    }
    Shape::Object(parameters.iter().map(|(k, p)| (k.clone(), of(&p.default))).collect())
}

fn valid_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_uppercase()) && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

fn valid_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<Diagnostic> {
        compile_rule(Path::new("X-T.yaml"), text.to_owned(), false, &cel_env(), &mut template_env()).expect_err("the rule is refused")
    }

    const RULE: &str = "id: X-T\ntitle: t\nseverity: low\nscope: trail\ndescription: d\npass_if: trail.is_logging\nmessage:\n  pass: ok\n  fail: bad\nremediation: r\n";

    #[test]
    fn every_error_of_a_file_is_placed_in_it() {
        let text = RULE.replace("pass_if: trail.is_logging", "pass_if: trail.is_loging || trail.zzz").replace("  fail: bad", "  fail: \"{{ x \"");
        let rendered: Vec<String> = errors(&text).iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            [
                "X-T.yaml:6:16: unknown field `is_loging`\n  help: did you mean `is_logging`?",
                "X-T.yaml:6:35: unknown field `zzz`",
                "X-T.yaml:9:10: template syntax error in message.fail: unexpected end of input, expected end of variable block",
            ]
        );
    }

    #[test]
    fn a_yaml_error_takes_the_parsers_position_and_suggests_the_key() {
        let d = &errors(&RULE.replace("remediation: r", "remediation: r\nremedation: r"))[0];
        assert_eq!((d.line, d.column), (Some(11), Some(1)));
        assert!(d.message.starts_with("unknown field `remedation`, expected one of `id`, `title`"), "{d}");
        assert_eq!(d.help.as_deref(), Some("did you mean `remediation`?"));
        let d = &errors(&RULE.replace("pass_if: trail.is_logging", "pass_if: [1]"))[0];
        assert_eq!(d.message, "pass_if: invalid type: sequence, expected a CEL expression, or a mapping with `any` (or `all`), `as` and `where`");
        assert_eq!((d.line, d.column), (Some(6), Some(10)));
        let d = &errors(&RULE.replace("pass_if: trail.is_logging", "pass_if:\n  any: trail.x\n  as: t\n  wher: t"))[0];
        assert_eq!((d.line, d.column), (Some(9), Some(3)));
        assert!(d.message.starts_with("pass_if: unknown field `wher`, expected one of "), "{d}");
        assert_eq!(d.help.as_deref(), Some("did you mean `where`?"));
    }

    #[test]
    fn an_unreadable_directory_has_no_position() {
        let err = load_dir(Path::new("/nonexistent/rules")).expect_err("no such directory");
        assert!(err.to_string().starts_with("/nonexistent/rules: cannot read the rules directory: "), "{err}");
    }
}
