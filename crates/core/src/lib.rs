//! trailwarden-core: everything of trailwarden that does not talk to AWS.
//!
//! The pipeline: an [`inventory::Inventory`] (collected live by the CLI crate's collector, or
//! read from a snapshot) is turned into derived views, every rule is evaluated against them
//! ([`evaluate`]), and the [`findings::Finding`]s, gathered into a [`results::Report`] by
//! [`scan`], are rendered by [`report`] and mapped to an exit code by [`gate`]. A file that
//! cannot be read is reported as a [`diagnostic::Diagnostic`]. This crate depends on no AWS
//! SDK crate.

pub mod compliance;
pub mod config;
pub mod diagnostic;
pub mod evaluate;
pub mod findings;
pub mod gate;
pub mod history;
pub mod iac;
pub mod iam;
pub mod inventory;
pub mod report;
pub mod resource;
pub mod results;
pub mod rules;
pub mod scan;
