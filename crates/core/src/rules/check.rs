//! Static checks of CEL conditions: every field path a condition reads must exist in the
//! binding's shape, so that a misspelled field is refused when the rule loads (with a
//! suggestion) instead of silently evaluating to an error or `false` at run time.

use super::shape::Shape;
use crate::diagnostic::suggestion;
use cel::common::ast::{EntryExpr, Expr};
use cel::IdedExpr;
use std::collections::HashMap;

/// A field that a condition reads but the binding does not have. Its position is within the
/// expression; the loader places it in the rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// 1-based line within the expression.
    pub line: usize,
    /// 1-based column within the expression.
    pub column: usize,
    pub message: String,
    /// "did you mean `x`?" for a misspelled name.
    pub help: Option<String>,
}

/// CEL type names and functions that may appear as bare identifiers.
const BUILTIN_IDENTIFIERS: [&str; 12] = ["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn", "timestamp"];

/// Checks `program` against the variables in `vars`; returns every unknown field.
pub fn check(program: &cel::Program, vars: &HashMap<String, Shape>) -> Vec<PathError> {
    let mut checker = Checker::new(program, vars);
    let mut scope = vars.clone();
    checker.walk(program.expression(), &mut scope);
    checker.errors
}

/// The field paths `program` reads, spelled from the root variable with `[]` for list
/// elements, e.g. `account.trails[].management_events.all` (used to derive the API calls a
/// rule needs).
pub fn reads(program: &cel::Program, vars: &HashMap<String, Shape>, element_paths: &HashMap<String, String>) -> std::collections::BTreeSet<String> {
    let mut checker = Checker::new(program, vars);
    checker.paths.extend(element_paths.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut scope = vars.clone();
    checker.walk(program.expression(), &mut scope);
    checker.reads
}

/// The path of a list expression's elements (`account.trails` → `account.trails[]`).
pub fn element_path(program: &cel::Program, vars: &HashMap<String, Shape>) -> Option<String> {
    let mut checker = Checker::new(program, vars);
    let mut scope = vars.clone();
    checker.walk(program.expression(), &mut scope);
    checker.last_path.map(|p| format!("{p}[]"))
}

/// The shape of a CEL list expression's elements, e.g. of `account.trails`; used to type the
/// variable of a quantified pass condition.
pub fn element_shape(program: &cel::Program, vars: &HashMap<String, Shape>) -> Shape {
    let mut checker = Checker::new(program, vars);
    let mut scope = vars.clone();
    match checker.walk(program.expression(), &mut scope) {
        Shape::List(inner) => *inner,
        _ => Shape::Any,
    }
}

struct Checker<'p> {
    program: &'p cel::Program,
    errors: Vec<PathError>,
    /// The path each variable stands for (root variables stand for themselves; a
    /// comprehension variable for the elements of its range).
    paths: HashMap<String, String>,
    /// Every field path read.
    reads: std::collections::BTreeSet<String>,
    /// The path of the expression walked last at the top level.
    last_path: Option<String>,
}

impl<'p> Checker<'p> {
    fn new(program: &'p cel::Program, vars: &HashMap<String, Shape>) -> Self {
        Checker {
            program,
            errors: Vec::new(),
            paths: vars.keys().map(|k| (k.clone(), k.clone())).collect(),
            reads: Default::default(),
            last_path: None,
        }
    }

    /// The field path an expression denotes, when it is a chain of selections from a variable.
    fn path_of(&self, expr: &IdedExpr) -> Option<String> {
        match &expr.expr {
            Expr::Ident(name) => self.paths.get(name).cloned(),
            Expr::Select(select) => self.path_of(&select.operand).map(|p| format!("{p}.{}", select.field)),
            _ => None,
        }
    }

    fn error(&mut self, expr: &IdedExpr, message: String, help: Option<String>) {
        let (line, mut column) = self.position(expr);
        if matches!(expr.expr, Expr::Select(_)) {
            column += 1; // a selection is placed at its dot; point at the field name
        }
        self.errors.push(PathError { line, column, message, help });
    }

    fn position(&self, expr: &IdedExpr) -> (usize, usize) {
        let info = self.program.source_info();
        let Some((start, _)) = info.offset_for(expr.id) else { return (1, 1) };
        let start = start as usize;
        let text = &info.source;
        let before = &text[..start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }

    /// Walks `expr`, reporting unknown fields, and returns its shape when known.
    fn walk(&mut self, expr: &IdedExpr, scope: &mut HashMap<String, Shape>) -> Shape {
        match &expr.expr {
            Expr::Ident(name) => match scope.get(name) {
                Some(shape) => shape.clone(),
                None if name.starts_with('@') || name.starts_with("__") || BUILTIN_IDENTIFIERS.contains(&name.as_str()) => Shape::Any,
                None => {
                    let help = suggestion(name, scope.keys());
                    let mut known: Vec<&str> = scope.keys().map(String::as_str).filter(|k| !k.starts_with('@')).collect();
                    known.sort_unstable();
                    self.error(expr, format!("unknown variable `{name}` (this rule can read: {})", known.join(", ")), help);
                    Shape::Any
                }
            },
            Expr::Select(select) => {
                let operand = self.walk(&select.operand, scope);
                if let Some(path) = self.path_of(expr) {
                    self.reads.insert(path.clone());
                    self.last_path = Some(path);
                }
                self.field(expr, &operand, &select.field)
            }
            Expr::Call(call) => {
                let target = call.target.as_ref().map(|t| self.walk(t, scope));
                let args: Vec<Shape> = call.args.iter().map(|a| self.walk(a, scope)).collect();
                match (call.func_name.as_str(), args.as_slice()) {
                    ("_[_]", [Shape::List(inner), _]) | ("_[_]", [Shape::Map(inner), _]) => (**inner).clone(),
                    ("_[_]", [Shape::Object(_), Shape::Scalar(_)]) => {
                        if let (Some(field), Shape::Object(_)) = (string_literal(&call.args[1]), &args[0]) {
                            return self.field(expr, &args[0], &field);
                        }
                        Shape::Any
                    }
                    _ => {
                        let _ = target;
                        Shape::Any
                    }
                }
            }
            Expr::Comprehension(c) => {
                let range = self.walk(&c.iter_range, scope);
                let element = match &range {
                    Shape::List(inner) => (**inner).clone(),
                    Shape::Map(_) | Shape::Object(_) => Shape::Scalar("string"), // map keys
                    _ => Shape::Any,
                };
                let mut inner = scope.clone();
                inner.insert(c.iter_var.clone(), element);
                let saved = self.paths.get(&c.iter_var).cloned();
                match self.path_of(&c.iter_range) {
                    Some(range_path) => self.paths.insert(c.iter_var.clone(), format!("{range_path}[]")),
                    None => self.paths.remove(&c.iter_var),
                };
                if let Some(var2) = &c.iter_var2 {
                    inner.insert(var2.clone(), Shape::Any);
                }
                self.walk(&c.accu_init, &mut inner);
                inner.insert(c.accu_var.clone(), Shape::Any);
                self.walk(&c.loop_cond, &mut inner);
                self.walk(&c.loop_step, &mut inner);
                self.walk(&c.result, &mut inner);
                match saved {
                    Some(p) => self.paths.insert(c.iter_var.clone(), p),
                    None => self.paths.remove(&c.iter_var),
                };
                // filter() keeps the range's elements; other macros produce new values.
                if is_filter(c) {
                    range
                } else {
                    Shape::Any
                }
            }
            Expr::List(list) => {
                let shapes: Vec<Shape> = list.elements.iter().map(|e| self.walk(e, scope)).collect();
                Shape::List(Box::new(shapes.into_iter().next().unwrap_or(Shape::Any)))
            }
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let EntryExpr::MapEntry(e) = &entry.expr {
                        self.walk(&e.key, scope);
                        self.walk(&e.value, scope);
                    }
                }
                Shape::Any
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        self.walk(&f.value, scope);
                    }
                }
                Shape::Any
            }
            Expr::Literal(_) | Expr::Unspecified => Shape::Any,
        }
    }

    fn field(&mut self, expr: &IdedExpr, operand: &Shape, field: &str) -> Shape {
        match operand {
            Shape::Object(fields) => match fields.get(field) {
                Some(shape) => shape.clone(),
                None => {
                    let help = suggestion(field, fields.keys());
                    self.error(expr, format!("unknown field `{field}`"), help);
                    Shape::Any
                }
            },
            Shape::Map(inner) => (**inner).clone(),
            Shape::Any => Shape::Any,
            other => {
                self.error(expr, format!("cannot read field `{field}` of a {}", other.describe()), None);
                Shape::Any
            }
        }
    }
}

fn string_literal(expr: &IdedExpr) -> Option<String> {
    match &expr.expr {
        Expr::Literal(cel::common::ast::LiteralValue::String(s)) => Some(s.inner().to_string()),
        _ => None,
    }
}

/// filter() expands to a loop step of the form `cond ? @result + [x] : @result`.
fn is_filter(c: &cel::common::ast::ComprehensionExpr) -> bool {
    match &c.loop_step.expr {
        Expr::Call(call) if call.func_name == "_?_:_" => call.args.get(1).is_some_and(|a| {
            matches!(&a.expr, Expr::Call(add) if add.func_name == "_+_"
                && matches!(add.args.get(1).map(|x| &x.expr), Some(Expr::List(l)) if l.elements.len() == 1
                    && matches!(&l.elements[0].expr, Expr::Ident(n) if *n == c.iter_var)))
        }),
        _ => false,
    }
}
