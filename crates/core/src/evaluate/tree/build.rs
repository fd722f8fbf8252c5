//! Building a tree from anything serializable, with the value mapping of `cel::to_value`:
//! unsigned integers are `uint`, signed ones `int`, `None` and `()` are `null`, a unit enum
//! variant is its name, and a variant with data is a one-entry map from its name.

use super::{MapNode, Node};
use cel::common::types::{CelBool, CelBytes, CelDouble, CelInt, CelList, CelNull, CelString, CelUInt};
use cel::common::value::Val;
use serde::ser::{self, Serialize};

/// Why a value could not become a tree (a map key that is not a scalar, a serializer error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(String);

impl ser::Error for BuildError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        BuildError(msg.to_string())
    }
}

/// The tree of `value`.
pub fn to_tree<T: Serialize + ?Sized>(value: &T) -> Result<Box<dyn Val>, BuildError> {
    value.serialize(Builder).map(Node::boxed)
}

type Tree = Node;

fn string(s: impl Into<String>) -> CelString<'static> {
    CelString::from(s.into())
}

fn list(items: Vec<Box<dyn Val>>) -> Tree {
    Node::List(CelList::from(items))
}

/// A field or variant name: borrowed, as every struct of a view names its fields with
/// `&'static str`s (most keys of a tree are these, so they cost no allocation).
fn name(name: &'static str) -> CelString<'static> {
    CelString::from(name)
}

fn variant(variant: &'static str, value: Tree) -> Tree {
    Node::Map(MapNode::new(vec![(name(variant), value)]))
}

struct Builder;

impl ser::Serializer for Builder {
    type Ok = Tree;
    type Error = BuildError;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = Map;
    type SerializeStruct = Map;
    type SerializeStructVariant = Map;

    fn serialize_bool(self, v: bool) -> Result<Tree, BuildError> {
        Ok(Node::Bool(CelBool::from(v)))
    }
    fn serialize_i8(self, v: i8) -> Result<Tree, BuildError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Tree, BuildError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Tree, BuildError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Tree, BuildError> {
        Ok(Node::Int(CelInt::from(v)))
    }
    fn serialize_u8(self, v: u8) -> Result<Tree, BuildError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Tree, BuildError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Tree, BuildError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Tree, BuildError> {
        Ok(Node::UInt(CelUInt::from(v)))
    }
    fn serialize_f32(self, v: f32) -> Result<Tree, BuildError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Tree, BuildError> {
        Ok(Node::Double(CelDouble::from(v)))
    }
    fn serialize_char(self, v: char) -> Result<Tree, BuildError> {
        Ok(Node::String(string(v)))
    }
    fn serialize_str(self, v: &str) -> Result<Tree, BuildError> {
        Ok(Node::String(string(v)))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Tree, BuildError> {
        Ok(Node::Other(Box::new(CelBytes::from(v.to_vec()))))
    }
    fn serialize_none(self) -> Result<Tree, BuildError> {
        Ok(Node::Null(CelNull))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Tree, BuildError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Tree, BuildError> {
        Ok(Node::Null(CelNull))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Tree, BuildError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<Tree, BuildError> {
        Ok(Node::String(name(variant)))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<Tree, BuildError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant_name: &'static str,
        value: &T,
    ) -> Result<Tree, BuildError> {
        Ok(variant(variant_name, value.serialize(Builder)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, BuildError> {
        Ok(Seq { items: Vec::with_capacity(len.unwrap_or(0)), variant: None })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, BuildError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, BuildError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(self, _name: &'static str, _index: u32, variant: &'static str, len: usize) -> Result<Seq, BuildError> {
        Ok(Seq { items: Vec::with_capacity(len), variant: Some(variant) })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map, BuildError> {
        Ok(Map { entries: Vec::with_capacity(len.unwrap_or(0)), key: None, variant: None, fields: false })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map, BuildError> {
        Ok(Map { entries: Vec::with_capacity(len), key: None, variant: None, fields: true })
    }
    fn serialize_struct_variant(self, _name: &'static str, _index: u32, variant: &'static str, len: usize) -> Result<Map, BuildError> {
        Ok(Map { entries: Vec::with_capacity(len), key: None, variant: Some(variant), fields: true })
    }
}

struct Seq {
    items: Vec<Box<dyn Val>>,
    variant: Option<&'static str>,
}

impl Seq {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
        self.items.push(value.serialize(Builder)?.boxed());
        Ok(())
    }

    fn finish(self) -> Result<Tree, BuildError> {
        let items = list(self.items);
        Ok(match self.variant {
            Some(name) => variant(name, items),
            None => items,
        })
    }
}

impl ser::SerializeSeq for Seq {
    type Ok = Tree;
    type Error = BuildError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
        self.push(value)
    }
    fn end(self) -> Result<Tree, BuildError> {
        self.finish()
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Tree;
    type Error = BuildError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
        self.push(value)
    }
    fn end(self) -> Result<Tree, BuildError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Tree;
    type Error = BuildError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
        self.push(value)
    }
    fn end(self) -> Result<Tree, BuildError> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for Seq {
    type Ok = Tree;
    type Error = BuildError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
        self.push(value)
    }
    fn end(self) -> Result<Tree, BuildError> {
        self.finish()
    }
}

struct Map {
    entries: Vec<(CelString<'static>, Tree)>,
    key: Option<CelString<'static>>,
    variant: Option<&'static str>,
    /// A struct's fields, each named once (a map's keys may repeat).
    fields: bool,
}

impl Map {
    fn finish(self) -> Result<Tree, BuildError> {
        let map = Node::Map(if self.fields { MapNode::of_fields(self.entries) } else { MapNode::new(self.entries) });
        Ok(match self.variant {
            Some(name) => variant(name, map),
            None => map,
        })
    }
}

impl ser::SerializeMap for Map {
    type Ok = Tree;
    type Error = BuildError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), BuildError> {
        self.key = Some(key.serialize(KeyBuilder)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
        let key = self.key.take().ok_or_else(|| BuildError("a map value came without its key".into()))?;
        self.entries.push((key, value.serialize(Builder)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, BuildError> {
        self.finish()
    }
}

impl ser::SerializeStruct for Map {
    type Ok = Tree;
    type Error = BuildError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), BuildError> {
        self.entries.push((name(key), value.serialize(Builder)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, BuildError> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Map {
    type Ok = Tree;
    type Error = BuildError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), BuildError> {
        self.entries.push((name(key), value.serialize(Builder)?));
        Ok(())
    }
    fn end(self) -> Result<Tree, BuildError> {
        self.finish()
    }
}

/// Map keys are strings: a number or bool key is written as JSON writes it.
struct KeyBuilder;

impl KeyBuilder {
    fn key(text: impl ToString) -> Result<CelString<'static>, BuildError> {
        Ok(string(text.to_string()))
    }
    fn unsupported<T>(what: &str) -> Result<T, BuildError> {
        Err(BuildError(format!("a map key must be a string, number or bool, not {what}")))
    }
}

impl ser::Serializer for KeyBuilder {
    type Ok = CelString<'static>;
    type Error = BuildError;
    type SerializeSeq = ser::Impossible<CelString<'static>, BuildError>;
    type SerializeTuple = ser::Impossible<CelString<'static>, BuildError>;
    type SerializeTupleStruct = ser::Impossible<CelString<'static>, BuildError>;
    type SerializeTupleVariant = ser::Impossible<CelString<'static>, BuildError>;
    type SerializeMap = ser::Impossible<CelString<'static>, BuildError>;
    type SerializeStruct = ser::Impossible<CelString<'static>, BuildError>;
    type SerializeStructVariant = ser::Impossible<CelString<'static>, BuildError>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_f32(self, _v: f32) -> Result<Self::Ok, BuildError> {
        Self::unsupported("a float")
    }
    fn serialize_f64(self, _v: f64) -> Result<Self::Ok, BuildError> {
        Self::unsupported("a float")
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok, BuildError> {
        Self::key(v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Self::Ok, BuildError> {
        Self::unsupported("bytes")
    }
    fn serialize_none(self) -> Result<Self::Ok, BuildError> {
        Self::unsupported("null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, BuildError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, BuildError> {
        Self::unsupported("null")
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Self::Ok, BuildError> {
        Self::unsupported("null")
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<Self::Ok, BuildError> {
        Self::key(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<Self::Ok, BuildError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Self::Ok, BuildError> {
        Self::unsupported("an enum variant with data")
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, BuildError> {
        Self::unsupported("a list")
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, BuildError> {
        Self::unsupported("a tuple")
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct, BuildError> {
        Self::unsupported("a tuple")
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, BuildError> {
        Self::unsupported("an enum variant with data")
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, BuildError> {
        Self::unsupported("a map")
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, BuildError> {
        Self::unsupported("a struct")
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, BuildError> {
        Self::unsupported("an enum variant with data")
    }
}
