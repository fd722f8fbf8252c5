//! The tree as message templates see it: a map or list becomes a minijinja object when a
//! template reaches it (sharing the tree, not copying it), a scalar a minijinja value when read.
//! A template names a handful of fields of its subject, so nothing else is ever converted.

use super::MapNode;
use cel::common::types::{CelBool, CelBytes, CelDouble, CelInt, CelList, CelNull, CelString, CelUInt};
use cel::common::value::Val;
use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use std::sync::Arc;

/// The template value of a tree (or of any value a condition produced).
pub fn value(tree: &(dyn Val + '_)) -> Value {
    if let Some(map) = tree.downcast_ref::<MapNode>() {
        return Value::from_object(TemplateMap(map.clone()));
    }
    if let Some(list) = tree.downcast_ref::<CelList>() {
        // A list outside a map (in another list, or a condition's result): its items converted.
        return Value::from(list.inner().iter().map(|item| value(item.as_ref())).collect::<Vec<_>>());
    }
    scalar(tree)
}

fn scalar(tree: &(dyn Val + '_)) -> Value {
    if let Some(s) = tree.downcast_ref::<CelString>() {
        Value::from(s.inner())
    } else if let Some(b) = tree.downcast_ref::<CelBool>() {
        Value::from(*b.inner())
    } else if let Some(i) = tree.downcast_ref::<CelInt>() {
        Value::from(*i.inner())
    } else if let Some(u) = tree.downcast_ref::<CelUInt>() {
        Value::from(*u.inner())
    } else if let Some(d) = tree.downcast_ref::<CelDouble>() {
        Value::from(*d.inner())
    } else if tree.downcast_ref::<CelNull>().is_some() {
        Value::from(())
    } else if let Some(b) = tree.downcast_ref::<CelBytes>() {
        Value::from_bytes(b.inner().to_vec())
    } else {
        // Trees hold only the types above; anything else is a condition's own value.
        Value::from(format!("{tree:?}"))
    }
}

#[derive(Debug)]
struct TemplateMap(MapNode);

impl Object for TemplateMap {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let position = self.0.position(key.as_str()?)?;
        let (_, child) = self.0.entry(position);
        Some(if child.downcast_ref::<CelList>().is_some() { Value::from_object(TemplateList(self.0.clone(), position)) } else { value(child) })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.0.entries().map(|(key, _)| Value::from(key)).collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }
}

/// A list of a map, shared with the tree: the map and the list's position in it.
#[derive(Debug)]
struct TemplateList(MapNode, usize);

impl TemplateList {
    fn items(&self) -> &[Box<dyn Val + 'static>] {
        self.0.entry(self.1).1.downcast_ref::<CelList>().map_or(&[], |list| list.inner())
    }
}

impl Object for TemplateList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.items().get(key.as_usize()?).map(|item| value(item.as_ref()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.items().len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::to_tree;
    use super::*;
    use serde_json::json;

    fn render(template: &str, subject: serde_json::Value) -> String {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let tree = to_tree(&subject).unwrap();
        env.render_str(template, minijinja::context! { s => value(tree.as_ref()) }).unwrap()
    }

    #[test]
    fn templates_read_fields_lists_and_loops() {
        let subject = json!({"name": "main", "n": 3, "none": null, "items": [{"k": "x"}, {"k": "y"}], "words": ["a", "b"]});
        assert_eq!(render("{{ s.name }} {{ s.n + 1 }} {{ s.none is none }}", subject.clone()), "main 4 True");
        assert_eq!(render("{% for i in s.items %}{{ i.k }}{% endfor %} {{ s.items|length }}", subject.clone()), "xy 2");
        assert_eq!(render("{{ s.words|join(', ') }} {{ s.items[1].k }}", subject.clone()), "a, b y");
        assert_eq!(render("{{ s.missing is defined }} {{ 'name' in s }}", subject.clone()), "False True");
        assert_eq!(render("{% for k in s %}{{ k }} {% endfor %}", subject), "items n name none words ");
    }

    #[test]
    fn strict_undefined_still_fails_on_a_missing_field() {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let tree = to_tree(&json!({"a": 1})).unwrap();
        assert!(env.render_str("{{ s.b }}", minijinja::context! { s => value(tree.as_ref()) }).is_err());
    }
}
