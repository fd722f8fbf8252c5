//! Numbering the values that findings share through an `Arc` (a resource, a rule's framework
//! map), so that each is written or counted once rather than once per finding.

use std::collections::HashMap;
use std::sync::Arc;

/// Positions of values that findings share through an `Arc` (resources, framework maps): looked
/// up by pointer first, which is one hash of an address per finding, and by content when the
/// pointer is new (a report read back from JSON shares nothing).
pub struct Shared<'a, T: ?Sized> {
    by_pointer: HashMap<*const T, u32>,
    by_content: HashMap<&'a T, u32>,
}

impl<'a, T: ?Sized + std::hash::Hash + Eq> Shared<'a, T> {
    pub fn new() -> Self {
        Shared { by_pointer: HashMap::new(), by_content: HashMap::new() }
    }

    /// The position of `value`; `add` stores a new one and returns its position.
    pub fn get_or_add(&mut self, value: &'a Arc<T>, add: impl FnOnce(&'a T) -> u32) -> u32 {
        let pointer = Arc::as_ptr(value);
        if let Some(&i) = self.by_pointer.get(&pointer) {
            return i;
        }
        let i = *self.by_content.entry(value.as_ref()).or_insert_with(|| add(value.as_ref()));
        self.by_pointer.insert(pointer, i);
        i
    }
}
