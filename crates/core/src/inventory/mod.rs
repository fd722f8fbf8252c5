//! The data model of everything trailwarden reads, and its snapshot format.

pub mod fact;
pub mod gaps;
pub mod model;
pub mod reads;
pub mod snapshot;

pub use fact::{Fact, Unreadable, UnreadableReason};
pub use model::*;
pub use reads::FactId;
pub use snapshot::SCHEMA_VERSION;
