//! The command line's integration tests, as one test binary (one link instead of six). The
//! views and selector tests, which need only the library, are `trailwarden-core`'s
//! (crates/core/tests/). `live` needs the AWS collector (the default `aws` feature) and the
//! local endpoint; everything else runs with `cargo test --no-default-features`, without
//! building the AWS SDK.

mod cli;
mod docs;
mod history;
mod html;
mod iac;
mod iac_terraform;
#[cfg(feature = "aws")]
mod live;
mod reports;
mod schema;
mod structure;
/// The synthetic organization of the benchmarks (crates/core/examples/synthetic), shared with
/// the tests of large reports (html.rs, reports.rs) as the benchmark shares it.
#[path = "../../crates/core/examples/synthetic/generate.rs"]
mod synthetic;
