use clap::Parser;
use std::process::ExitCode;
use trailwarden::cli::{self, Cli};
use trailwarden_core::gate;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(gate::EXIT_ERROR)
        }
    }
}
