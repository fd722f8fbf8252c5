//! trailwarden-core's integration tests, as one test binary: the derived views and the event
//! selector analysis, on inventories built in code (common.rs).

mod common;

mod merge;
mod ocsf;

mod selectors;
mod views;
