//! Writes a synthetic organization snapshot of N accounts × 4 regions, for benchmarks.
//!
//! ```text
//! cargo run --release --example synthetic -- --accounts 10000 --output /tmp/synthetic-10k.json
//! trailwarden scan --snapshot /tmp/synthetic-10k.json --json /dev/null --quiet --fail-on never
//! ```
//!
//! The generator itself is in examples/synthetic/generate.rs, shared with the `evaluate`
//! benchmark (benches/evaluate.rs) through `#[path]`. That directory has no `main.rs`, so
//! cargo does not discover it as a second example; this file is the `synthetic` example.

#[path = "synthetic/generate.rs"]
mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: synthetic [--accounts N] --output FILE

Writes a deterministic synthetic organization snapshot: N accounts in total (a management
account with an organization trail, a log-archive account, N-2 members), each scanned in
us-east-1, us-west-2, eu-west-1 and ap-southeast-2. N defaults to 10000 and must be >= 2.";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut accounts: usize = 10_000;
    let mut output: Option<PathBuf> = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name.to_owned(), Some(value.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"));
        match name.as_str() {
            "--accounts" | "-n" => {
                let text = value()?;
                accounts = text.parse().map_err(|_| format!("--accounts: `{text}` is not a number"))?;
                if accounts < 2 {
                    return Err("--accounts must be at least 2 (the management and the log-archive account)".to_owned());
                }
            }
            "--output" | "-o" => output = Some(PathBuf::from(value()?)),
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    let output = output.ok_or("--output FILE is required")?;

    let inventory = generate::organization(accounts);
    trailwarden_core::inventory::snapshot::write(&inventory, &output).map_err(|e| e.to_string())?;
    let trails: usize = inventory.accounts.iter().map(|a| a.trails.len()).sum();
    let size = std::fs::metadata(&output).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "wrote {}: {} accounts × {} regions, {} trail entries, {} buckets, {} KMS keys, {:.1} MB",
        output.display(),
        inventory.accounts.len(),
        generate::REGIONS.len(),
        trails,
        inventory.buckets.len(),
        inventory.kms_keys.len(),
        size as f64 / 1e6
    );
    Ok(())
}
