//! The command line (DESIGN §5).

use crate::live;
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use trailwarden_core::config::{Config, ConfigError};
use trailwarden_core::diagnostic::Diagnostics;
use trailwarden_core::gate::{self, FailOn};
use trailwarden_core::history::{self, Baseline};
use trailwarden_core::inventory::{snapshot, Fact, Inventory};
use trailwarden_core::report::{self, json::Source, Context};
use trailwarden_core::rules::{self, testing, RuleSet};

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
    /// Scan live AWS (the current account, or with --org every account of the organization),
    /// or evaluate a saved snapshot with --snapshot.
    #[command(after_help = EXIT_CODES)]
    Scan(Box<ScanArgs>),
    /// Collect from AWS and write a snapshot, without evaluating.
    Collect(CollectCommand),
    /// Print the read-only IAM policy that the enabled rules need (JSON).
    IamPolicy(IamPolicyArgs),
    /// List, show, test and validate rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the JSON Schema of the snapshot format.
    Schema,
    /// Compare two JSON reports (from `scan --json`): new, resolved and unchanged failures.
    #[command(after_help = DIFF_EXIT_CODES)]
    Diff(DiffArgs),
}

const DIFF_EXIT_CODES: &str = "Exit codes:
  0  no new failure at or above --fail-on
  1  new failures at or above --fail-on (default: high); failures present in OLD do not count
  2  a report could not be read";

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report (JSON, from `scan --json`).
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Lowest severity of a new failure that makes the exit code 1.
    #[arg(long, default_value = "high", value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// Also write the diff as JSON; `-` for stdout (the readable summary then goes to stderr).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// Where and how to collect from AWS (credentials come from the standard AWS chain).
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// Scan every ACTIVE account of the organization (run from the management account or a
    /// delegated administrator), assuming --role-name in each.
    #[arg(long)]
    pub org: bool,
    /// The role to assume in each account of an --org scan.
    #[arg(long, default_value = "OrganizationAccountAccessRole", value_name = "NAME")]
    pub role_name: String,
    /// External id for the assumed role.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Only these accounts of the organization (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub accounts: Vec<String>,
    /// Skip these accounts of the organization (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub exclude_accounts: Vec<String>,
    /// The AWS profile to use (default: the standard chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// API calls in flight at once (at most 8 per account).
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub concurrency: usize,
}

#[derive(Debug, Args)]
pub struct CollectCommand {
    /// Where to write the snapshot (JSON); `-` for stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Only these regions (comma-separated; default: each account's enabled regions).
    #[arg(long, value_delimiter = ',', value_name = "REGIONS")]
    pub regions: Option<Vec<String>>,
    #[command(flatten)]
    pub live: LiveArgs,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the API calls made, by operation.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Args)]
pub struct IamPolicyArgs {
    /// A directory of additional rule files (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules_dirs: Vec<PathBuf>,
    /// A config file: disabled rules need no permissions.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The policy for `collect` instead, which reads every fact whatever the rules.
    #[arg(long, conflicts_with_all = ["rules_dirs", "config"])]
    pub collect: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Evaluate this snapshot file (JSON) instead of collecting from AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["org", "accounts", "exclude_accounts", "profile"])]
    pub snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub live: LiveArgs,
    /// Also write the collected inventory as a snapshot (live scans).
    #[arg(long, value_name = "FILE")]
    pub save_snapshot: Option<PathBuf>,
    /// Only run the rules mapped to this framework (e.g. cis-aws-foundations-v5.0.0,
    /// aws-security-hub) and report the status of each of its controls.
    #[arg(long, value_name = "NAME")]
    pub framework: Option<String>,
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
    /// Write SARIF 2.1.0 for GitHub code scanning (failing and inconclusive findings); `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Write a self-contained HTML report; `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write a Markdown summary (for $GITHUB_STEP_SUMMARY or a pull-request comment); `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write JUnit XML (one test case per rule and resource); `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// An earlier JSON report: mark each finding new or existing in every output.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
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
    /// Write the rule documentation (one Markdown page per rule and an index) into DIR.
    Docs { dir: PathBuf },
    /// Check the rule files in DIR: parsing, conditions, field names, templates.
    Validate { dir: PathBuf },
}

/// Errors that end a command with exit code 2. A broken file (rules, config, snapshot, report)
/// is reported as its diagnostics: `path:line:column: message` and a help line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Every error of every rule file.
    #[error("{0}")]
    Rules(#[from] Diagnostics),
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Snapshot(#[from] snapshot::SnapshotError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Live(#[from] live::LiveError),
    #[error("{path}: cannot write: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    History(#[from] history::HistoryError),
    #[error("{0}")]
    Report(#[from] report::ReportError),
}

/// Runs a command; returns the exit code.
pub fn run(cli: Cli) -> Result<u8, CliError> {
    match cli.command {
        Command::Scan(args) => scan(*args),
        Command::Rules(command) => rules_command(command),
        Command::Schema => {
            print!("{}", snapshot::json_schema());
            Ok(gate::EXIT_OK)
        }
        Command::Diff(args) => diff(args),
        Command::Collect(args) => collect_command(args),
        Command::IamPolicy(args) => iam_policy(args),
    }
}

fn collect_command(args: CollectCommand) -> Result<u8, CliError> {
    let request = live::Request { args: &args.live, regions: args.regions.as_deref(), quiet: args.quiet, verbose: args.verbose, needs: None };
    let inventory = live::collect(&request)?;
    if args.output.as_os_str() == "-" {
        let mut text = serde_json::to_string_pretty(&inventory).expect("inventories serialize");
        text.push('\n');
        write(&args.output, &text)?;
    } else {
        snapshot::write(&inventory, &args.output)?;
    }
    let gaps = trailwarden_core::inventory::gaps::gaps(&inventory);
    if !args.quiet {
        eprintln!(
            "collected {} account(s); {} fact(s) could not be read{}",
            inventory.accounts.len(),
            gaps.len(),
            if gaps.is_empty() { "" } else { " (they are recorded in the snapshot)" }
        );
    }
    Ok(gate::EXIT_OK)
}

fn iam_policy(args: IamPolicyArgs) -> Result<u8, CliError> {
    if args.collect {
        let mut text = serde_json::to_string_pretty(&trailwarden_core::iam::collect_policy()).expect("policies serialize");
        text.push('\n');
        print!("{text}");
        return Ok(gate::EXIT_OK);
    }
    let set = rules::load_rules(&args.rules_dirs)?;
    let config = match &args.config {
        Some(path) => Config::read(path, &set)?,
        None => Config::default(),
    };
    let mut text = serde_json::to_string_pretty(&trailwarden_core::iam::policy(&set, &config)).expect("policies serialize");
    text.push('\n');
    print!("{text}");
    Ok(gate::EXIT_OK)
}

fn scan(args: ScanArgs) -> Result<u8, CliError> {
    let started_at = chrono::Utc::now();
    let set = rules::load_rules(&args.rules_dirs)?;
    let mut config = match &args.config {
        Some(path) => Config::read(path, &set)?,
        None => Config::default(),
    };
    if let Some(framework) = &args.framework {
        trailwarden_core::compliance::restrict(&mut config, &set, framework).map_err(CliError::Usage)?;
    }
    // Read the baseline before the scan: a wrong path should fail fast.
    let baseline = args.baseline.as_deref().map(history::read_report).transpose()?.map(|old| Baseline::of(&old));
    let (inventory, source) = match &args.snapshot {
        Some(path) => (snapshot::read(path)?, Source::Snapshot),
        None => {
            // Only the calls the enabled rules need (the same reads `iam-policy` allows).
            let needs = live::Needs {
                facts: trailwarden_core::iam::needed_reads(&set, &config).into_keys().collect(),
                alerting_home_regions_only: trailwarden_core::iam::alerting_only_in_trail_home_regions(&set, &config),
            };
            let request =
                live::Request { args: &args.live, regions: args.regions.as_deref(), quiet: args.quiet, verbose: args.verbose, needs: Some(needs) };
            (live::collect(&request)?, Source::Live)
        }
    };
    if let Some(path) = &args.save_snapshot {
        snapshot::write(&inventory, path)?;
    }
    let scope = scan_scope(&inventory);
    let mut result = trailwarden_core::scan::scan_inventory(&set, inventory, &config, source, args.regions.as_deref(), started_at);
    if let Some(framework) = &args.framework {
        let status = trailwarden_core::compliance::status(&result.report.findings, framework);
        result.report.summary.frameworks = Some(std::collections::BTreeMap::from([(framework.clone(), status)]));
    }
    for warning in &result.warnings {
        eprintln!("warning: {warning}");
    }
    let ctx = Context::new(&set, |id| config.rule_enabled(id), scope).with_baseline(baseline.as_ref());
    write_reports(&args, &result.report, &ctx)?;
    if !args.quiet {
        report::console::print(&result.report, result.rules_run, baseline.as_ref());
    }
    Ok(gate::exit_code(&result.report, args.fail_on, args.fail_on_incomplete))
}

/// The scope a scan covers, for SARIF categories and report titles: the organization id, or
/// the account whose credentials collected the snapshot.
fn scan_scope(inventory: &Inventory) -> String {
    match &inventory.organization {
        Fact::Value(Some(org)) => org.id.clone(),
        _ => inventory.caller_account_id.clone(),
    }
}

/// Renders every requested format before writing any, so that a SARIF over GitHub's limits
/// leaves no half-written set of outputs behind. The JSON report, which cannot fail to render
/// and is the largest, is streamed last instead of being held in memory.
fn write_reports(args: &ScanArgs, report: &report::Report, ctx: &Context) -> Result<(), CliError> {
    let mut outputs: Vec<(&Path, String)> = Vec::new();
    if let Some(path) = &args.sarif {
        outputs.push((path, report::sarif::render(report, ctx)?));
    }
    if let Some(path) = &args.html {
        outputs.push((path, report::html::render(report, ctx)?));
    }
    if let Some(path) = &args.markdown {
        outputs.push((path, report::markdown::render(report, ctx)?));
    }
    if let Some(path) = &args.junit {
        outputs.push((path, report::junit::render(report, ctx)?));
    }
    let to_stdout = outputs.iter().map(|(p, _)| *p).chain(args.json.as_deref()).filter(|p| p.as_os_str() == "-").count();
    if to_stdout > 1 {
        return Err(CliError::Usage("only one output can be written to stdout (`-`)".to_owned()));
    }
    for (path, content) in outputs {
        write(path, &content)?;
    }
    if let Some(path) = &args.json {
        write_with(path, |out| report::json::write(report, ctx, out))?;
    }
    Ok(())
}

fn diff(args: DiffArgs) -> Result<u8, CliError> {
    let old = history::read_report(&args.old)?;
    let new = history::read_report(&args.new)?;
    let diff = history::diff(&old, &new);
    let summary = diff.render_text();
    match &args.json {
        Some(path) if path.as_os_str() == "-" => {
            eprint!("{summary}");
            write(path, &diff.render_json())?;
        }
        Some(path) => {
            write(path, &diff.render_json())?;
            print!("{summary}");
        }
        None => print!("{summary}"),
    }
    Ok(if diff.fails(args.fail_on) { gate::EXIT_FINDINGS } else { gate::EXIT_OK })
}

fn write(path: &Path, content: &str) -> Result<(), CliError> {
    write_with(path, |out| out.write_all(content.as_bytes()))
}

/// Streams an output to `path` (`-`: stdout); a failure names the file.
fn write_with(path: &Path, write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<(), CliError> {
    report::write_output_with(path, write).map_err(|source| CliError::Write { path: path.to_owned(), source })
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
        RulesCommand::Docs { dir } => {
            let set = rules::load_builtin()?;
            std::fs::create_dir_all(&dir).map_err(|source| CliError::Write { path: dir.clone(), source })?;
            let pages = rules::docs::render(&set);
            for (name, content) in &pages {
                write(&dir.join(name), content)?;
            }
            println!("wrote {} page(s) to {}", pages.len(), dir.display());
            Ok(gate::EXIT_OK)
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
        for (framework, controls) in rule.frameworks.iter() {
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
