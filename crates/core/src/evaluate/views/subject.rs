//! What a rule is evaluated against: a subject is a resource (its reference, defined with the
//! other shared domain types in `crate::resource`), its view and its unreadable facts.

use super::unreadable::UnreadableField;
use crate::resource::ResourceRef;

/// One thing to evaluate: its reference, its binding and the facts about it that could not
/// be read (named in `inconclusive` messages).
#[derive(Debug, Clone)]
pub struct Subject<V> {
    pub resource: ResourceRef,
    pub view: V,
    pub unreadable: Vec<UnreadableField>,
}
