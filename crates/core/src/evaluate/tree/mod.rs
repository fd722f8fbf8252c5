//! A subject's view as one tree of CEL values, built once per subject and read, without being
//! copied, by every rule of the subject's scope: by the CEL conditions directly, and by the
//! message templates through the objects of [`template`].
//!
//! Why not the `cel` crate's own values: `cel::to_value` builds a `Value` whose maps are hash
//! maps, binding it converts that again into boxed values, and every element a quantifier
//! (`exists`, `all`, `map`) iterates over is bound by deep copy, rehashing each map. On a large
//! organization that was about 40% of a scan. Here maps are [`MapNode`]s: an `Arc` of their
//! entries, so binding an element is a reference-count increment; a map holds its scalars,
//! maps and lists in place ([`Node`]), and finds a field by comparing key lengths first. Lists
//! are the crate's own lists (so the `lists` extension and list equality work on them
//! unchanged) of such values; scalars are the crate's scalars.

mod build;
pub mod template;

pub use build::{to_tree, BuildError};

use cel::common::traits::{self, Container, Indexer, Iterable, Sizer};
use cel::common::types::{self, CelBool, CelDouble, CelInt, CelList, CelNull, CelString, CelUInt, Kind, Type};
use cel::common::value::{CowVal, StaticVal, Val};
use cel::ExecutionError;
use std::any::Any;
use std::sync::Arc;

/// A CEL map with string keys, shared by reference count.
#[derive(Debug, Clone)]
pub struct MapNode(Arc<MapEntries>);

/// A value held by a map. Scalars, maps and lists are held in place: a view has a few dozen
/// fields per map, and a box for each was most of the allocations of building its tree.
#[derive(Debug)]
pub enum Node {
    Null(CelNull),
    Bool(CelBool),
    Int(CelInt),
    UInt(CelUInt),
    Double(CelDouble),
    String(CelString<'static>),
    Map(MapNode),
    List(CelList<'static>),
    /// Anything else (bytes).
    Other(Box<dyn Val>),
}

impl Node {
    pub fn as_val(&self) -> &(dyn Val + 'static) {
        match self {
            Node::Null(v) => v,
            Node::Bool(v) => v,
            Node::Int(v) => v,
            Node::UInt(v) => v,
            Node::Double(v) => v,
            Node::String(v) => v,
            Node::Map(v) => v,
            Node::List(v) => v,
            Node::Other(v) => v.as_ref(),
        }
    }

    pub fn boxed(self) -> Box<dyn Val> {
        match self {
            Node::Null(v) => Box::new(v),
            Node::Bool(v) => Box::new(v),
            Node::Int(v) => Box::new(v),
            Node::UInt(v) => Box::new(v),
            Node::Double(v) => Box::new(v),
            Node::String(v) => Box::new(v),
            Node::Map(v) => Box::new(v),
            Node::List(v) => Box::new(v),
            Node::Other(v) => v,
        }
    }
}

#[derive(Debug)]
struct MapEntries {
    /// In serialization order, which is the order templates see.
    entries: Vec<(CelString<'static>, Node)>,
    /// For a large map only (a policy document, many tags): indices into `entries`, sorted by
    /// key, for binary search. A view's maps have a few dozen keys at most, found faster by a
    /// scan that compares lengths first than by sorting every map for a binary search whose
    /// every step compares bytes.
    sorted: Option<Vec<u32>>,
}

/// Maps with more entries than this get a sorted index.
const SCAN_AT_MOST: usize = 48;

impl MapNode {
    /// A map of a struct's fields, whose names are distinct.
    pub fn of_fields(entries: Vec<(CelString<'static>, Node)>) -> MapNode {
        debug_assert!(!has_duplicate_keys(&entries), "a struct names each field once");
        let sorted = (entries.len() > SCAN_AT_MOST).then(|| sorted_positions(&entries));
        MapNode(Arc::new(MapEntries { entries, sorted }))
    }

    pub fn new(mut entries: Vec<(CelString<'static>, Node)>) -> MapNode {
        if has_duplicate_keys(&entries) {
            // A key given twice (a flattened field, say) keeps its last value, as a JSON
            // object would, at the place of its last occurrence.
            let mut seen = std::collections::HashSet::new();
            entries = entries.into_iter().rev().filter(|(k, _)| seen.insert(k.inner().to_owned())).collect();
            entries.reverse();
        }
        MapNode::of_fields(entries)
    }

    /// The value at `key`.
    pub fn get(&self, key: &str) -> Option<&(dyn Val + 'static)> {
        self.position(key).map(|i| self.entry(i).1)
    }

    /// Where `key` is among the entries.
    pub fn position(&self, key: &str) -> Option<usize> {
        let MapEntries { entries, sorted } = &*self.0;
        match sorted {
            Some(sorted) => sorted.binary_search_by(|&i| entries[i as usize].0.inner().cmp(key)).ok().map(|found| sorted[found] as usize),
            // Slice equality compares the lengths before any byte.
            None => entries.iter().position(|(k, _)| k.inner().as_bytes() == key.as_bytes()),
        }
    }

    /// The entry at a position (of `position` or `entries`).
    pub fn entry(&self, position: usize) -> (&str, &(dyn Val + 'static)) {
        let (key, value) = &self.0.entries[position];
        (key.inner(), value.as_val())
    }

    /// The entries, in serialization order.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (&str, &(dyn Val + 'static))> {
        self.0.entries.iter().map(|(k, v)| (k.inner(), v.as_val()))
    }

    pub fn len(&self) -> usize {
        self.0.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.entries.is_empty()
    }
}

/// Whether some key is given twice: a small map is checked pair by pair, a large one
/// through a sort.
fn has_duplicate_keys(entries: &[(CelString<'static>, Node)]) -> bool {
    if entries.len() <= SCAN_AT_MOST {
        return entries.iter().enumerate().any(|(i, (key, _))| entries[..i].iter().any(|(earlier, _)| earlier.inner() == key.inner()));
    }
    let sorted = sorted_positions(entries);
    let key = |i: u32| entries[i as usize].0.inner();
    sorted.windows(2).any(|pair| key(pair[0]) == key(pair[1]))
}

/// Positions of the entries, sorted by key.
fn sorted_positions(entries: &[(CelString<'static>, Node)]) -> Vec<u32> {
    let mut sorted: Vec<u32> = (0..entries.len() as u32).collect();
    sorted.sort_by(|&a, &b| entries[a as usize].0.inner().cmp(entries[b as usize].0.inner()));
    sorted
}

impl Val for MapNode {
    fn get_type(&self) -> &Type {
        &types::MAP_TYPE
    }

    fn cel_type() -> &'static Type {
        &types::MAP_TYPE
    }

    fn as_container(&self) -> Option<&dyn Container> {
        Some(self)
    }

    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        Some(self)
    }

    /// Equal to any CEL map with the same keys and equal values (a map literal, a parameter).
    fn equals(&self, other: &dyn Val) -> bool {
        if let Some(other) = other.downcast_ref::<MapNode>() {
            if Arc::ptr_eq(&self.0, &other.0) {
                return true;
            }
        }
        if other.get_type().kind() != Kind::Map {
            return false;
        }
        let (Some(size), Some(index)) = (other.as_sizer(), other.as_indexer()) else { return false };
        *size.size().inner() == self.len() as i64 && self.0.entries.iter().all(|(k, v)| index.get(k).is_ok_and(|o| v.as_val().equals(o.as_ref())))
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
    where
        Self: 'v,
    {
        Box::new(self.clone())
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

impl StaticVal for MapNode {}

impl Indexer for MapNode {
    fn get<'b, 'v>(&'b self, key: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        match key.downcast_ref::<CelString>() {
            Some(name) => match MapNode::get(self, name.inner()) {
                Some(value) => Ok(CowVal::Borrowed(value)),
                None => Err(ExecutionError::no_such_key(name.inner())),
            },
            None => Err(ExecutionError::UnexpectedType { got: key.get_type().name().to_owned(), want: "string map key".to_owned() }),
        }
    }

    fn steal<'v>(self: Box<Self>, key: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        Indexer::get(self.as_ref(), key).map(|value| value.clone_as_boxed())
    }
}

impl Iterable for MapNode {
    /// The comprehensions iterate over a map's keys.
    fn iter<'b, 'v>(&'b self) -> Box<dyn traits::Iterator<'b, 'v> + 'b>
    where
        Self: 'v,
    {
        Box::new(Keys(self.0.entries.iter()))
    }
}

struct Keys<'b>(std::slice::Iter<'b, (CelString<'static>, Node)>);

impl<'b, 'v> traits::Iterator<'b, 'v> for Keys<'b> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'v)> {
        self.0.next().map(|(key, _)| key as &dyn Val)
    }
}

impl Container for MapNode {
    /// `key in map`.
    fn contains(&self, value: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(value.downcast_ref::<CelString>().is_some_and(|key| MapNode::get(self, key.inner()).is_some()))
    }
}

impl Sizer for MapNode {
    fn size(&self) -> CelInt {
        (self.len() as i64).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cel::{Context, Program, Value};
    use serde_json::json;

    fn run(expression: &str, subject: serde_json::Value) -> Result<Value, ExecutionError> {
        let mut context = Context::with_env(crate::rules::load::cel_env());
        context.add_variable_as_val("s", to_tree(&subject).unwrap());
        context.add_variable_from_value("lit", Value::from(vec![Value::from(1), Value::from(2)]));
        Program::compile(expression).unwrap().execute(&context)
    }

    #[test]
    fn fields_lists_and_quantifiers_read_the_tree() {
        let subject = json!({
            "name": "main", "count": 3, "missing": null, "nested": {"a": true},
            "items": [{"k": "x", "n": 1}, {"k": "y", "n": 2}], "words": ["a", "b"], "empty": [],
        });
        let cases = [
            ("s.name == 'main'", true),
            ("s.count > 2 && s.count == 3u && s.count < 3.5", true),
            ("s.missing == null", true),
            ("s.nested.a", true),
            ("has(s.nested.a) && !has(s.nested.b)", true),
            ("s.items.exists(i, i.k == 'y' && i.n == 2)", true),
            ("s.items.all(i, i.n > 0)", true),
            ("s.items.map(i, i.k) == ['x', 'y']", true),
            ("s.items[1].k == 'y'", true),
            ("'a' in s.words && !('c' in s.words)", true),
            ("'name' in s && !('nope' in s)", true),
            ("size(s.items) == 2 && size(s.nested) == 1 && s.name.size() == 4", true),
            ("s.empty == [] && [] == s.empty && s.words == ['a', 'b']", true),
            ("s.nested == {'a': true} && s.nested != {'a': false}", true),
            ("s.items[0] == s.items[0] && s.items[0] != s.items[1]", true),
            ("s.nested.exists(k, k == 'a')", true),
            ("s.words.filter(w, w != 'a').size() == 1", true),
            ("s.name.startsWith('ma') && s.name.lastIndexOf('n') == 3", true),
        ];
        for (expression, expected) in cases {
            assert_eq!(run(expression, subject.clone()), Ok(Value::Bool(expected)), "{expression}");
        }
    }

    #[test]
    fn a_missing_field_is_the_crate_s_no_such_key_error() {
        let error = run("s.nope == 1", json!({"a": 1})).unwrap_err();
        assert_eq!(error.to_string(), "No such key: nope");
        assert!(run("s[1] == 1", json!({"a": 1})).is_err());
    }

    #[test]
    fn large_maps_are_searched_through_their_sorted_index() {
        let mut entries: serde_json::Map<String, serde_json::Value> = (0..200).map(|i| (format!("key{i}"), json!(i))).collect();
        entries.insert("z".into(), json!("last"));
        let tree = to_tree(&entries).unwrap();
        let map = tree.downcast_ref::<MapNode>().unwrap();
        assert!(map.0.sorted.is_some(), "a map of {} entries has an index", map.len());
        for i in [0, 7, 99, 199] {
            assert!(map.get(&format!("key{i}")).unwrap().equals(&types::CelInt::from(i as i64)), "key{i}");
        }
        assert!(map.get("z").is_some() && map.get("key200").is_none() && map.get("").is_none());
        assert_eq!(run("size(s) == 201 && s.key150 == 150 && 'z' in s && !('y' in s)", serde_json::Value::Object(entries)), Ok(Value::Bool(true)));
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let map = MapNode::new(vec![
            (CelString::from("a".to_owned()), Node::Int(types::CelInt::from(1))),
            (CelString::from("b".to_owned()), Node::Int(types::CelInt::from(2))),
            (CelString::from("a".to_owned()), Node::Int(types::CelInt::from(3))),
        ]);
        assert_eq!(map.len(), 2);
        assert!(map.get("a").unwrap().equals(&types::CelInt::from(3)));
        assert_eq!(map.entries().map(|(k, _)| k).collect::<Vec<_>>(), ["b", "a"]);
    }
}
