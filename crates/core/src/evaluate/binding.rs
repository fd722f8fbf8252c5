//! Binding a view to a rule's variables: one CEL context and one template value per subject,
//! shared by every rule of the subject's scope.

use super::engine::{self, Subject};
use crate::inventory::Unreadable;
use crate::rules::{RuleSet, Scope};
use serde::Serialize;

pub struct Bound {
    variable: &'static str,
    context: cel::Context<'static, 'static>,
    tree: Box<dyn cel::common::value::Val>,
    template: minijinja::Value,
}

impl Bound {
    pub fn new<V: Serialize>(set: &RuleSet, scope: Scope, view: &V) -> Bound {
        let tree = super::tree::to_tree(view).expect("views serialize to trees");
        Bound { variable: scope.variable(), template: super::tree::template::value(tree.as_ref()), context: engine::root_context(set), tree }
    }

    pub fn subject<'a>(&'a self, unreadable: &'a [(String, Unreadable)]) -> Subject<'a> {
        Subject { context: &self.context, variable: self.variable, tree: self.tree.as_ref(), template: self.template.clone(), unreadable }
    }
}
