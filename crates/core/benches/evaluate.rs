//! Evaluation benchmark: every built-in rule over a synthetic organization of 10,000
//! accounts × 4 regions (examples/synthetic/generate.rs, shared with the `synthetic`
//! example). The rules are loaded and the inventory generated once, outside the timings.
//!
//! ```text
//! cargo bench --bench evaluate
//! TRAILWARDEN_BENCH_ACCOUNTS=1000 cargo bench --bench evaluate    # a quicker, smaller run
//! ```
//!
//! `evaluate/10000x4` is `trailwarden_core::evaluate::evaluate` end to end (derived views, every
//! rule on every subject, report order, suppressions, freeing the views); freeing the
//! findings it returns is not timed. `views/10000x4` is the view building alone.
//! Reading and parsing a snapshot file is not included: scripts/bench.sh times the whole
//! `trailwarden scan --snapshot` command for that.

#[path = "../examples/synthetic/generate.rs"]
mod generate;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::hint::black_box;
use std::time::Duration;
use trailwarden_core::config::Config;

/// The allocator the `trailwarden` binary uses (src/main.rs): the benchmark measures what
/// users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The organization size; `TRAILWARDEN_BENCH_ACCOUNTS` overrides it for a quick run.
const ACCOUNTS: usize = 10_000;

fn accounts() -> usize {
    match std::env::var("TRAILWARDEN_BENCH_ACCOUNTS") {
        Ok(n) => n.parse().expect("TRAILWARDEN_BENCH_ACCOUNTS is a number of accounts (at least 2)"),
        Err(_) => ACCOUNTS,
    }
}

fn bench(c: &mut Criterion) {
    let accounts = accounts();
    let set = trailwarden_core::rules::load_builtin().expect("the built-in rules load");
    let inventory = generate::organization(accounts);
    let config = Config::default();
    let label = format!("{accounts}x{}", generate::REGIONS.len());

    // Flat sampling: every sample runs the same number of iterations, which suits runs of a
    // second or more. Criterion needs at least 10 samples; with these budgets the whole
    // benchmark takes about a minute while an evaluation stays within the 1 s target. When an
    // evaluation is slower, criterion says "Unable to complete 10 samples" and runs 10
    // evaluations anyway.
    let mut group = c.benchmark_group("evaluate");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(30));
    // The findings (a quarter of a million) are freed outside the timing, as criterion's
    // `iter_with_large_drop` is for: freeing a result is not evaluating. The views built
    // inside `evaluate` are freed inside it, and timed.
    group.bench_function(&label, |b| b.iter_with_large_drop(|| trailwarden_core::evaluate::evaluate(&set, &inventory, &config)));
    group.finish();

    let mut group = c.benchmark_group("views");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(15));
    group.bench_function(&label, |b| b.iter(|| black_box(trailwarden_core::evaluate::views::build(&inventory))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
