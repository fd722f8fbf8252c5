//! The data model of everything trailwarden reads, and its snapshot format.

pub mod fact;
pub mod gaps;
pub mod merge;
pub mod model;
pub mod reads;
pub mod shard;
pub mod snapshot;
pub mod units;

pub use fact::{Fact, Unreadable, UnreadableReason};
pub use model::*;
pub use reads::FactId;
pub use shard::Shard;
pub use snapshot::SCHEMA_VERSION;
