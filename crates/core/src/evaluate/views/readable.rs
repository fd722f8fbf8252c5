//! `Readable<T>`: a fact as rules see it.
//!
//! In a binding, a readable fact is its value and an unreadable one is *absent*: CEL then
//! fails on any use of it ("no such key"), the failure turns into an `inconclusive` outcome,
//! and CEL's commutative `||`, `&&` and `exists()` still let a rule pass on another trail
//! whose facts were read. An unreadable fact can therefore never be read as `false`.

use crate::inventory::{Fact, Unreadable};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Serialize, Serializer};
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub struct Readable<T>(pub Result<T, Unreadable>);

impl<T> Readable<T> {
    pub fn value(v: T) -> Self {
        Readable(Ok(v))
    }

    pub fn unreadable(u: Unreadable) -> Self {
        Readable(Err(u))
    }

    /// Used by `#[serde(skip_serializing_if)]` to leave unreadable facts out of a binding.
    pub fn is_unreadable(&self) -> bool {
        self.0.is_err()
    }

    pub fn get(&self) -> Option<&T> {
        self.0.as_ref().ok()
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Readable<U> {
        Readable(self.0.map(f))
    }
}

impl<T: Clone> From<&Fact<T>> for Readable<T> {
    fn from(fact: &Fact<T>) -> Self {
        match fact {
            Fact::Value(v) => Readable(Ok(v.clone())),
            Fact::Unreadable(u) => Readable(Err(u.clone())),
        }
    }
}

impl<T: Serialize> Serialize for Readable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Ok(v) => v.serialize(serializer),
            // Only reached when a view field forgot `skip_serializing_if`. Writing null would
            // let a rule read an unreadable fact as "none", so refuse: the view tests serialize
            // views full of unreadable facts and catch the omission.
            Err(u) => Err(serde::ser::Error::custom(format!("an unreadable fact ({u}) reached serialization: add skip_serializing_if"))),
        }
    }
}

impl<T: JsonSchema> JsonSchema for Readable<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }

    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// `Fact` → `Readable` by value, for chaining `.map` while deriving a view.
pub(super) trait IntoReadable<T> {
    fn into_readable(self) -> Readable<T>;
}

impl<T: Clone> IntoReadable<T> for &Fact<T> {
    fn into_readable(self) -> Readable<T> {
        self.into()
    }
}
