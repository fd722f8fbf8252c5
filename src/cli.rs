//! The command line (docs/architecture.md §9).

use crate::live::{self, LiveArgs};
use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand};
use std::path::{Path, PathBuf};
use trailwarden_core::config::{Config, ConfigError};
use trailwarden_core::diagnostic::Diagnostics;
use trailwarden_core::evaluate::rule_tests;
use trailwarden_core::gate::{self, FailOn};
use trailwarden_core::history::{self, Baseline};
use trailwarden_core::iac;
use trailwarden_core::inventory::{snapshot, Shard};
use trailwarden_core::report::{self, Context, DirectoryFormat, Output, OutputFile, Rendered};
use trailwarden_core::results::{Report, Source};
use trailwarden_core::rules::{self, RuleSet};
use trailwarden_core::scan;

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
    /// Merge the snapshots of `collect --org --shard K/N` (every part of one organization) into
    /// one snapshot, which `scan --snapshot` judges as one whole `scan --org`.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Where to write the merged snapshot (JSON); `-` for stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// The shard snapshots, one per part, in any order.
    #[arg(value_name = "SNAPSHOT", required = true)]
    pub snapshots: Vec<PathBuf>,
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

#[derive(Debug, Args)]
pub struct CollectCommand {
    /// Where to write the snapshot (JSON); `-` for stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Only these regions (comma-separated; default: each account's enabled regions).
    #[arg(long, value_delimiter = ',', value_name = "REGIONS")]
    pub regions: Option<Vec<String>>,
    /// Collect only part K of N of the organization's accounts (an account's part is its id
    /// modulo N, plus one), for collection spread over N machines; join the parts with
    /// `trailwarden merge`. Every part also reads the organization itself. Needs --org.
    #[arg(long, value_name = "K/N", requires = "org")]
    pub shard: Option<Shard>,
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
    #[arg(long, value_name = "FILE", conflicts_with_all = ["org", "accounts", "exclude_accounts", "ous", "exclude_ous", "profile"])]
    pub snapshot: Option<PathBuf>,
    /// Evaluate these CloudFormation templates (YAML or JSON) instead of collecting from AWS:
    /// what they declare, with findings on the line of each resource (docs/iac.md).
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["snapshot", "terraform_plan", "save_snapshot", "org", "accounts", "exclude_accounts", "ous", "exclude_ous", "profile"])]
    pub cloudformation: Vec<PathBuf>,
    /// Evaluate a Terraform plan (`terraform show -json PLAN`) instead of collecting from AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["snapshot", "save_snapshot", "org", "accounts", "exclude_accounts", "ous", "exclude_ous", "profile"])]
    pub terraform_plan: Option<PathBuf>,
    /// The Terraform configuration of --terraform-plan: its `.tf` and `.tf.json` files locate
    /// each finding, and its `locals` (which the plan leaves out) are followed.
    #[arg(long, value_name = "DIR", requires = "terraform_plan")]
    pub terraform_dir: Option<PathBuf>,
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
    /// `--json FILE`, `--sarif FILE`, …: one flag per report format.
    #[command(flatten)]
    pub outputs: Outputs,
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

/// The report files a scan writes: one `--FLAG FILE` per format of the registry
/// ([`report::OUTPUTS`]), so that a new format needs no change here.
#[derive(Debug, Default)]
pub struct Outputs(pub Vec<(&'static Output, PathBuf)>);

impl Args for Outputs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        report::OUTPUTS.iter().fold(cmd, |cmd, output| {
            cmd.arg(
                clap::Arg::new(output.flag)
                    .long(output.flag)
                    .value_name(if output.format.directory().is_some() { "FILE|DIR/" } else { "FILE" })
                    .value_parser(clap::value_parser!(PathBuf))
                    .action(clap::ArgAction::Set)
                    .help(output.help),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for Outputs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        Ok(Outputs(report::OUTPUTS.iter().filter_map(|output| Some((output, matches.remove_one::<PathBuf>(output.flag)?))).collect()))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
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
    /// A template or plan that cannot be read.
    #[error("{0}")]
    Source(#[from] trailwarden_core::diagnostic::Diagnostic),
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
        Command::Merge(args) => merge_command(args),
        Command::IamPolicy(args) => iam_policy(args),
    }
}

fn collect_command(args: CollectCommand) -> Result<u8, CliError> {
    let request = live::Request {
        args: &args.live,
        regions: args.regions.as_deref(),
        shard: args.shard,
        quiet: args.quiet,
        verbose: args.verbose,
        needs: None,
    };
    let inventory = live::collect(&request)?;
    write_snapshot(&inventory, &args.output)?;
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

fn merge_command(args: MergeArgs) -> Result<u8, CliError> {
    let mut parts = Vec::with_capacity(args.snapshots.len());
    for path in &args.snapshots {
        parts.push((path.clone(), snapshot::read(path)?));
    }
    let merged = trailwarden_core::inventory::merge::merge(parts).map_err(|e| CliError::Usage(e.to_string()))?;
    write_snapshot(&merged, &args.output)?;
    eprintln!("merged {} part(s): {} account(s)", args.snapshots.len(), merged.accounts.len());
    Ok(gate::EXIT_OK)
}

/// Writes a snapshot to `path`, or to stdout for `-`.
fn write_snapshot(inventory: &trailwarden_core::inventory::Inventory, path: &Path) -> Result<(), CliError> {
    if path.as_os_str() == "-" {
        let mut text = serde_json::to_string_pretty(inventory).expect("inventories serialize");
        text.push('\n');
        write(path, &text)
    } else {
        Ok(snapshot::write(inventory, path)?)
    }
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
    let config = match &args.config {
        Some(path) => Config::read(path, &set)?,
        None => Config::default(),
    };
    let plan = scan::Plan::new(&set, config, args.framework.as_deref()).map_err(CliError::Usage)?;
    // Read the baseline before the scan: a wrong path should fail fast.
    let baseline = args.baseline.as_deref().map(history::read_report).transpose()?.map(|old| Baseline::of(&old));
    let (inventory, source) = match (&args.snapshot, &args.terraform_plan) {
        (Some(path), _) => (snapshot::read(path)?, Source::Snapshot),
        // Infrastructure as code: read from files only, no AWS call.
        _ if !args.cloudformation.is_empty() => (iac::cloudformation::load(&args.cloudformation)?, Source::Cloudformation),
        (None, Some(plan)) => (iac::load_terraform(plan, args.terraform_dir.as_deref())?, Source::TerraformPlan),
        (None, None) => {
            let request = live::Request {
                args: &args.live,
                regions: args.regions.as_deref(),
                shard: None,
                quiet: args.quiet,
                verbose: args.verbose,
                needs: Some(plan.needs()),
            };
            (live::collect(&request)?, Source::Live)
        }
    };
    if let Some(path) = &args.save_snapshot {
        snapshot::write(&inventory, path)?;
    }
    let result = plan.run(inventory, source, args.regions.as_deref(), started_at);
    for warning in &result.warnings {
        eprintln!("warning: {warning}");
    }
    let ctx = plan.context(&result, baseline.as_ref());
    write_reports(&args.outputs, &result.report, &ctx)?;
    if !args.quiet {
        report::console::print(&result.report, &ctx);
    }
    Ok(gate::exit_code(&result.report, args.fail_on, args.fail_on_incomplete))
}

/// Where an output goes: a file (`-`: stdout), or a directory that the format fills with
/// files of its own naming.
enum Destination<'p> {
    File(&'p Path),
    Directory(&'p Path, &'static dyn DirectoryFormat),
}

impl<'p> Destination<'p> {
    /// A path ending in `/` or naming an existing directory is a directory, which only a
    /// format with a directory form accepts.
    fn of(output: &Output, path: &'p Path) -> Result<Destination<'p>, CliError> {
        let names_a_directory = path.as_os_str() != "-" && (path.as_os_str().to_string_lossy().ends_with(std::path::is_separator) || path.is_dir());
        if !names_a_directory {
            return Ok(Destination::File(path));
        }
        match output.format.directory() {
            Some(format) => Ok(Destination::Directory(path, format)),
            None => Err(CliError::Usage(format!(
                "--{flag} {}: a directory (an existing one, or a path ending in `/`); --{flag} writes a single file, give a file name \
                 (only {} can write a directory of files)",
                path.display(),
                directory_flags(),
                flag = output.flag,
            ))),
        }
    }
}

/// A rendered output and where it goes.
enum Pending<'a, 'p> {
    File(&'p Path, Rendered<'a>),
    Directory(&'p Path, Vec<OutputFile<'a>>, &'static dyn DirectoryFormat),
}

/// Renders every requested format before writing any, so that a SARIF over GitHub's limits
/// leaves no half-written set of outputs behind. A streamed output (the JSON report, which
/// cannot fail to render and is the largest) is written last instead of being held in memory.
fn write_reports(outputs: &Outputs, report: &Report, ctx: &Context) -> Result<(), CliError> {
    let to_stdout = outputs.0.iter().filter(|(_, path)| path.as_os_str() == "-").count();
    if to_stdout > 1 {
        return Err(CliError::Usage("only one output can be written to stdout (`-`)".to_owned()));
    }
    // Destinations are checked before anything is rendered: a mistake costs no rendering.
    let destinations = outputs.0.iter().map(|(output, path)| Ok((*output, Destination::of(output, path)?))).collect::<Result<Vec<_>, CliError>>()?;
    let mut pending = Vec::with_capacity(destinations.len());
    for (output, destination) in destinations {
        pending.push(match destination {
            Destination::File(path) => Pending::File(path, output.format.render(report, ctx)?),
            Destination::Directory(dir, format) => Pending::Directory(dir, format.render_files(report, ctx)?, format),
        });
    }
    pending.sort_by_key(|p| matches!(p, Pending::File(_, rendered) if rendered.is_streamed()));
    for output in pending {
        match output {
            Pending::File(path, rendered) => write_with(path, |out| rendered.write_to(out))?,
            Pending::Directory(dir, files, format) => write_directory(dir, files, format)?,
        }
    }
    Ok(())
}

/// The flags whose format has a directory form, for messages: `--sarif`.
fn directory_flags() -> String {
    let flags: Vec<String> = report::OUTPUTS.iter().filter(|o| o.format.directory().is_some()).map(|o| format!("--{}", o.flag)).collect();
    flags.join(", ")
}

/// Writes a directory output's files, then removes the files of the same format that an
/// earlier run left there and this one did not write (an upload of the whole directory would
/// otherwise mix two scans' results). Other files in the directory are left alone.
fn write_directory(dir: &Path, files: Vec<OutputFile>, format: &dyn DirectoryFormat) -> Result<(), CliError> {
    let failed = |source| CliError::Write { path: dir.to_owned(), source };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let written: std::collections::BTreeSet<String> = files.iter().map(|f| f.name.clone()).collect();
    for file in files {
        write_with(&dir.join(&file.name), |out| file.content.write_to(out))?;
    }
    for entry in std::fs::read_dir(dir).map_err(failed)? {
        let entry = entry.map_err(failed)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if format.owns(&name) && !written.contains(&name) && entry.file_type().map_err(failed)?.is_file() {
            std::fs::remove_file(entry.path()).map_err(|source| CliError::Write { path: entry.path(), source })?;
        }
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
    let results = rule_tests::run_all(set);
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
