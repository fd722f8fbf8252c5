//! trailwarden: a policy-as-code compliance scanner for AWS CloudTrail.
//!
//! The pipeline (DESIGN §1): an [`inventory::Inventory`] (collected live, or read from a
//! snapshot) is turned into derived views, every rule is evaluated against them
//! ([`evaluate`]), and the [`findings::Finding`]s are rendered by [`report`] and mapped to an
//! exit code by [`gate`].

pub mod cli;
pub mod collect;
pub mod compliance;
pub mod config;
pub mod evaluate;
pub mod findings;
pub mod gate;
pub mod history;
pub mod iam;
pub mod inventory;
pub mod report;
pub mod rules;
pub mod scan;
