//! trailwarden: a policy-as-code compliance scanner for AWS CloudTrail.
//!
//! This crate is the command line and the AWS collector; everything else (inventory,
//! evaluation, rules, reports, gate, history) is `trailwarden-core`, which depends on no AWS
//! SDK crate. Without the default `aws` feature the binary evaluates snapshots only.

pub mod cli;
#[cfg(feature = "aws")]
pub mod collect;
mod live;
