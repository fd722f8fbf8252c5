//! Binding a view to a rule's variables: one CEL context and one template value per subject,
//! shared by every rule of the subject's scope. The bound `Subject` is what the engine judges
//! and what a prepared rule's templates name; it is defined here, below both, so that neither
//! imports the other for it.

use super::views::UnreadableField;
use crate::rules::{RuleSet, Scope};
use cel::common::value::Val;
use cel::Context;
use serde::Serialize;

/// The subject as rules see it: its CEL context and its template value.
pub struct Subject<'a> {
    /// A context of the rule set's CEL environment, with no variables of its own.
    pub context: &'a Context<'static, 'static>,
    /// The scope variable's name (`account`, `trail`, ...).
    pub variable: &'static str,
    /// The subject's view, as conditions read it.
    pub tree: &'a (dyn Val + 'static),
    /// The same binding for templates.
    pub template: minijinja::Value,
    /// Facts of the subject that could not be read, by binding path.
    pub unreadable: &'a [UnreadableField],
}

/// A context of the rule set's CEL environment, in which judgements bind their variables.
pub fn root_context(set: &RuleSet) -> Context<'static, 'static> {
    Context::with_env(set.cel.clone())
}

pub struct Bound {
    variable: &'static str,
    context: cel::Context<'static, 'static>,
    tree: Box<dyn cel::common::value::Val>,
    template: minijinja::Value,
}

impl Bound {
    pub fn new<V: Serialize>(set: &RuleSet, scope: Scope, view: &V) -> Bound {
        let tree = super::tree::to_tree(view).expect("views serialize to trees");
        Bound { variable: scope.variable(), template: super::tree::template::value(tree.as_ref()), context: root_context(set), tree }
    }

    pub fn subject<'a>(&'a self, unreadable: &'a [UnreadableField]) -> Subject<'a> {
        Subject { context: &self.context, variable: self.variable, tree: self.tree.as_ref(), template: self.template.clone(), unreadable }
    }
}
