//! The integration tests, as one test binary. Every test binary links the whole AWS SDK, so
//! one binary is one link instead of eight (faster CI, a fraction of the disk).

mod common;

mod cli;
mod docs;
mod history;
mod live;
mod reports;
mod schema;
mod selectors;
mod views;
