//! The command line (DESIGN §5).

use crate::config::Config;
use crate::gate::{self, FailOn};
use crate::inventory::snapshot;
use crate::report::{self, json::Source};
use crate::rules::{self, testing, RuleErrors, RuleSet};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

const EXIT_CODES: &str = "Exit codes:
  0  no failing finding at or above --fail-on
  1  failing findings at or above --fail-on (default: high)
  2  usage error, or a broken rule, config or snapshot file
  3  the scan was incomplete (a fact or target could not be read) and --fail-on-incomplete is set
     (1 takes precedence over 3)";

#[derive(Debug, Parser)]
#[command(name = "trailwarden", version, about = "Policy-as-code compliance scanner for AWS CloudTrail", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate the rules against a saved snapshot (or, in a later release, live AWS).
    #[command(after_help = EXIT_CODES)]
    Scan(ScanArgs),
    /// List, show, test and validate rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the JSON Schema of the snapshot format.
    Schema,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Evaluate this snapshot file (JSON) instead of collecting from AWS.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Only report findings in these regions (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "REGIONS")]
    pub regions: Option<Vec<String>>,
    /// A directory of additional rule files (repeatable); added to the built-in pack.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules_dirs: Vec<PathBuf>,
    /// A config file (YAML): disabled rules, severity overrides, parameters, suppressions.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the complete JSON report (passes included); `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Lowest severity of a failure that makes the exit code 1.
    #[arg(long, default_value = "high", value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// Exit 3 when any fact or target could not be read.
    #[arg(long)]
    pub fail_on_incomplete: bool,
    /// No terminal summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// More detail on stderr (warnings are always shown).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    s.parse()
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules (built-in, plus --rules directories).
    List {
        #[arg(long = "rules", value_name = "DIR")]
        rules_dirs: Vec<PathBuf>,
    },
    /// Show one rule: its file, conditions and framework mappings.
    Show {
        id: String,
        #[arg(long = "rules", value_name = "DIR")]
        rules_dirs: Vec<PathBuf>,
    },
    /// Run the test cases inside rule files (the built-in pack, or the rules in DIR).
    Test { dir: Option<PathBuf> },
    /// Check the rule files in DIR: parsing, conditions, field names, templates.
    Validate { dir: PathBuf },
}

/// Errors that end a command with exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Rules(#[from] RuleErrors),
    #[error("{0}")]
    Config(#[from] rules::RuleError),
    #[error("{0}")]
    Snapshot(#[from] snapshot::SnapshotError),
    #[error("{0}")]
    Usage(String),
    #[error("{path}: cannot write: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Runs a command; returns the exit code.
pub fn run(cli: Cli) -> Result<u8, CliError> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules(command) => rules_command(command),
        Command::Schema => {
            print!("{}", snapshot::json_schema());
            Ok(gate::EXIT_OK)
        }
    }
}

fn scan(args: ScanArgs) -> Result<u8, CliError> {
    let started_at = chrono::Utc::now();
    let Some(snapshot_path) = &args.snapshot else {
        return Err(CliError::Usage(
            "live collection from AWS is not available in this build yet; evaluate a snapshot with `trailwarden scan --snapshot FILE` \
             (try examples/demo-org.json)"
                .to_owned(),
        ));
    };
    let set = rules::load_rules(&args.rules_dirs)?;
    let config = match &args.config {
        Some(path) => Config::read(path, &set)?,
        None => Config::default(),
    };
    let inventory = snapshot::read(snapshot_path)?;
    let result = crate::scan::scan_inventory(&set, &inventory, &config, Source::Snapshot, args.regions.as_deref(), started_at);
    for warning in &result.warnings {
        eprintln!("warning: {warning}");
    }
    if let Some(path) = &args.json {
        write(path, &report::json::render(&result.report))?;
    }
    if !args.quiet {
        report::console::print(&result.report, result.rules_run);
    }
    Ok(gate::exit_code(&result.report, args.fail_on, args.fail_on_incomplete))
}

fn write(path: &Path, content: &str) -> Result<(), CliError> {
    report::write_output(path, content).map_err(|source| CliError::Write { path: path.to_owned(), source })
}

fn rules_command(command: RulesCommand) -> Result<u8, CliError> {
    match command {
        RulesCommand::List { rules_dirs } => {
            let set = rules::load_rules(&rules_dirs)?;
            println!("{:<34} {:<9} {:<17} TITLE", "ID", "SEVERITY", "SCOPE");
            for rule in &set.rules {
                println!("{:<34} {:<9} {:<17} {}", rule.id, rule.severity, rule.scope.variable(), rule.title);
            }
            Ok(gate::EXIT_OK)
        }
        RulesCommand::Show { id, rules_dirs } => {
            let set = rules::load_rules(&rules_dirs)?;
            let Some(rule) = set.get(&id) else {
                let hint = rules::error::did_you_mean(&id, set.ids());
                return Err(CliError::Usage(format!("no rule `{id}`{hint}; `trailwarden rules list` shows them all")));
            };
            print!("{}", show(rule));
            Ok(gate::EXIT_OK)
        }
        RulesCommand::Test { dir } => {
            let set = match &dir {
                Some(dir) => rules::load::load_dir(dir)?,
                None => rules::load_builtin()?,
            };
            Ok(run_tests(&set))
        }
        RulesCommand::Validate { dir } => {
            let set = rules::load::load_dir(&dir)?;
            let cases: usize = set.rules.iter().map(|r| r.tests.len()).sum();
            println!("{}: {} rule(s) valid, {} test case(s)", dir.display(), set.rules.len(), cases);
            Ok(gate::EXIT_OK)
        }
    }
}

fn show(rule: &rules::Rule) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", rule.id, rule.title);
    let _ = writeln!(out, "severity: {}   scope: {}   file: {}", rule.severity, rule.scope.variable(), rule.path.display());
    let _ = writeln!(out, "\n{}", rule.description.trim());
    if !rule.frameworks.is_empty() {
        let _ = writeln!(out, "\nFrameworks:");
        for (framework, controls) in &rule.frameworks {
            let name = rules::frameworks::display_name(framework).unwrap_or(framework);
            let _ = writeln!(out, "  {name}: {}", controls.join(", "));
        }
    }
    if !rule.parameters.is_empty() {
        let _ = writeln!(out, "\nParameters:");
        for (name, p) in &rule.parameters {
            let _ = writeln!(out, "  {name} (default {}): {}", p.default, p.description.trim());
        }
    }
    let _ = writeln!(out, "\n--- {} ---\n{}", rule.path.display(), rule.text.trim_end());
    out
}

/// Runs every rule's cases and prints one line per failure and a closing count.
fn run_tests(set: &RuleSet) -> u8 {
    let results = testing::run_all(set);
    let mut failed = 0;
    for rule in &set.rules {
        let cases: Vec<_> = results.iter().filter(|r| r.rule_id == rule.id).collect();
        let bad: Vec<_> = cases.iter().filter(|c| c.failure.is_some()).collect();
        failed += bad.len();
        let status = if bad.is_empty() { "ok" } else { "FAILED" };
        println!("{:<34} {} case(s) {status}", rule.id, cases.len());
        for case in bad {
            println!("  {} `{}`: {}", case.location, case.name, case.failure.as_deref().unwrap_or_default());
        }
    }
    let passed = results.len() - failed;
    println!("rules: {passed} passed, {failed} failed");
    if failed == 0 {
        gate::EXIT_OK
    } else {
        gate::EXIT_FINDINGS
    }
}
