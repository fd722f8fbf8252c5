//! How the directory form divides a report's results among runs and the runs among files,
//! within GitHub's limits (passed in as [`Limits`], so tests can force small ones).
//!
//! **Runs.** GitHub files alerts by category (a run's `automationDetails.id`), and closes an
//! alert when the next upload of its category no longer has the result. A category must
//! therefore cover the same accounts from one scan to the next: runs are cut along the
//! organization's structure, one per organizational unit (findings outside any unit, such as
//! the organization itself, have a run of their own; a scan without units is one group). A
//! unit with more results than a run may hold is divided into 2, 4, 8, ... shards by a hash of
//! the account id, so an account stays in the same shard while the shard count does; only an
//! account with more results than a run may hold is divided by resource. Every unit with
//! scanned accounts has a run, even without results: its upload is what closes the alerts of
//! a unit whose resources were all fixed.
//!
//! **Files.** Runs go into files in category order, a new file whenever the next run would
//! exceed the runs or the gzipped bytes a file may have. A file is named after its first and
//! last run: `trailwarden-02-Root.Workloads.NonProd.BU-03--Root.Workloads.Prod.sarif`.

use super::{automation_id, is_result, MAX_GZIPPED_BYTES, VALIDATOR_RESULTS_PER_RUN, VALIDATOR_RUNS_PER_FILE};
use crate::findings::Finding;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

/// The limits a directory's files keep to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Results in one run.
    pub results_per_run: usize,
    /// Runs in one file.
    pub runs_per_file: usize,
    /// A file's size, gzipped.
    pub gzipped_bytes_per_file: usize,
}

impl Limits {
    /// GitHub's, as its SARIF validator checks them: 1,000 results per run and 5 runs per file
    /// (GitHub itself takes 25,000 results, of which it stores 5,000, and 20 runs), and 10 MB
    /// gzipped per file.
    pub const GITHUB: Limits =
        Limits { results_per_run: VALIDATOR_RESULTS_PER_RUN, runs_per_file: VALIDATOR_RUNS_PER_FILE, gzipped_bytes_per_file: MAX_GZIPPED_BYTES };
}

/// What a run covers: a unit, findings outside any unit, or (without units) the whole scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Coverage<'a> {
    Scope,
    Unit(&'a str),
    OutsideUnits,
}

/// One run of the directory form.
#[derive(Debug)]
pub struct RunGroup<'a> {
    /// `automationDetails.id`: `trailwarden/<scope>/<unit path>/[shard-k-of-n/]`; GitHub's
    /// category is everything before the last `/`.
    pub id: String,
    /// The run in a file name: `Root.Workloads.Prod`, `Root.Sandbox.shard-3-of-8`.
    pub label: String,
    /// What the run covers, in a sentence (`automationDetails.description`).
    pub description: String,
    pub coverage: Coverage<'a>,
    /// Shard k (1-based) of n, for a unit divided among several runs.
    pub shard: Option<(usize, usize)>,
    /// The accounts the run covers, sorted.
    pub accounts: Vec<&'a str>,
    /// Its results (failing and inconclusive findings), in the report's order.
    pub results: Vec<&'a Finding>,
}

/// The runs of a report's findings, in category order: one per unit (or shard of a unit) with
/// any finding, each with at most `results_per_run` results.
pub fn groups<'a>(findings: &'a [Finding], scope: &str, results_per_run: usize) -> Vec<RunGroup<'a>> {
    let results_per_run = results_per_run.max(1);
    let units_known = findings.iter().any(|f| f.resource.organizational_unit.is_some());
    let mut by_coverage: BTreeMap<Coverage, (BTreeSet<&str>, Vec<&Finding>)> = BTreeMap::new();
    for f in findings {
        let coverage = match (units_known, f.resource.organizational_unit.as_deref()) {
            (false, _) => Coverage::Scope,
            (true, Some(unit)) => Coverage::Unit(unit),
            (true, None) => Coverage::OutsideUnits,
        };
        let (accounts, results) = by_coverage.entry(coverage).or_default();
        accounts.insert(f.resource.account.as_str());
        if is_result(f.outcome) {
            results.push(f);
        }
    }
    let base = automation_id(scope);
    let mut groups = Vec::new();
    for (coverage, (accounts, results)) in by_coverage {
        let shards = shard(accounts, results, results_per_run);
        let count = shards.len();
        for (k, (accounts, results)) in shards.into_iter().enumerate() {
            let shard = (count > 1).then_some((k + 1, count));
            let (mut stem, mut label, mut description) = names(coverage, scope);
            if let Some((k, n)) = shard {
                stem.push(format!("shard-{k}-of-{n}"));
                label.push_str(&format!(".shard-{k}-of-{n}"));
                description.push_str(&format!(", shard {k} of {n} (its accounts divided by a hash of the account id)"));
            }
            let id = stem.iter().fold(base.clone(), |id, segment| format!("{id}{segment}/"));
            groups.push(RunGroup { id, label, description, coverage, shard, accounts, results });
        }
    }
    disambiguate(&mut groups);
    groups
}

/// The category path segments, the file-name label and the description of a coverage.
fn names(coverage: Coverage, scope: &str) -> (Vec<String>, String, String) {
    match coverage {
        Coverage::Scope => (Vec::new(), "all-accounts".to_owned(), format!("Every scanned account of {scope}")),
        Coverage::Unit(path) => {
            let segments: Vec<String> = path.split('/').map(sanitize).collect();
            let label = segments.join(".");
            (segments, label, format!("The accounts in organizational unit {path} of {scope}"))
        }
        Coverage::OutsideUnits => (
            vec!["outside-units".to_owned()],
            "outside-units".to_owned(),
            format!("Findings outside any organizational unit of {scope} (the organization itself, or accounts missing from the unit tree)"),
        ),
    }
}

/// A category segment: ASCII letters, digits, `-`, `_` and `.` as they are, anything else `_`.
fn sanitize(segment: &str) -> String {
    let clean: String = segment.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    if clean.is_empty() {
        "_".to_owned()
    } else {
        clean
    }
}

/// How GitHub's upload action tells categories apart within one workflow job: upper-cased,
/// with every character but letters, digits and `_` made `_`. Two categories equal under it
/// make the second upload fail, and two equal ids in one file are rejected.
fn clash_key(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_uppercase() } else { '_' }).collect()
}

/// Gives runs whose ids clash (units whose names differ only in case or in characters that
/// sanitizing replaced: `BU 03` and `BU_03`) a suffix from a hash of what they cover, so that
/// every run has its own category.
fn disambiguate(groups: &mut [RunGroup]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for g in groups.iter() {
        *seen.entry(clash_key(&g.id)).or_default() += 1;
    }
    for g in groups.iter_mut().filter(|g| seen[&clash_key(&g.id)] > 1) {
        let what = match g.coverage {
            Coverage::Scope => String::new(),
            Coverage::Unit(path) => path.to_owned(),
            Coverage::OutsideUnits => "\u{0}outside".to_owned(),
        };
        let suffix = format!("{:08x}", stable_hash(&what) as u32);
        g.id = format!("{}-{suffix}/", g.id.trim_end_matches('/'));
        g.label = format!("{}-{suffix}", g.label);
    }
}

/// A hash that is the same on every machine and in every version (the standard library's is
/// neither): the first 8 bytes of SHA-256.
fn stable_hash(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("SHA-256 has 32 bytes"))
}

type Shard<'a> = (Vec<&'a str>, Vec<&'a Finding>);

/// Divides a group with more than `limit` results: by account into the fewest power-of-two
/// shards that keep each within the limit, or, when an account alone has more, by resource,
/// or, when a resource alone has more (a limit below the number of rules), into consecutive
/// pieces. Shards without accounts are left out; each result is in exactly one shard.
fn shard<'a>(accounts: BTreeSet<&'a str>, results: Vec<&'a Finding>, limit: usize) -> Vec<Shard<'a>> {
    if results.len() <= limit {
        return vec![(accounts.into_iter().collect(), results)];
    }
    let account_hashes: HashMap<&str, u64> = accounts.iter().map(|a| (*a, stable_hash(a))).collect();
    let by_account = |f: &Finding| account_hashes[f.resource.account.as_str()];
    let shard_of = |keys: &[u64], n: usize| -> Option<Vec<usize>> {
        let mut counts = vec![0usize; n];
        let assignment: Vec<usize> = keys.iter().map(|k| (k % n as u64) as usize).collect();
        for s in &assignment {
            counts[*s] += 1;
        }
        counts.iter().all(|c| *c <= limit).then_some(assignment)
    };
    let try_keys = |keys: Vec<u64>, distinct: usize| -> Option<(usize, Vec<usize>)> {
        // Twice as many shards as distinct keys is far past what a hash needs to spread them.
        let mut n = 2;
        while n <= 2 * distinct.next_power_of_two() {
            if let Some(assignment) = shard_of(&keys, n) {
                return Some((n, assignment));
            }
            n *= 2;
        }
        None
    };
    let account_keys: Vec<u64> = results.iter().map(|f| by_account(f)).collect();
    let arns: BTreeSet<&str> = results.iter().map(|f| f.resource.arn.as_str()).collect();
    let (n, assignment) = try_keys(account_keys, accounts.len())
        .or_else(|| try_keys(results.iter().map(|f| stable_hash(&f.resource.arn)).collect(), arns.len()))
        .unwrap_or_else(|| {
            let n = results.len().div_ceil(limit);
            (n, (0..results.len()).map(|i| i / limit).collect())
        });
    let mut shards: Vec<(BTreeSet<&str>, Vec<&Finding>)> = vec![(BTreeSet::new(), Vec::new()); n];
    for account in &accounts {
        shards[(account_hashes[account] % n as u64) as usize].0.insert(account);
    }
    for (f, s) in results.into_iter().zip(assignment) {
        // Divided by resource, an account's results may be in several shards: each lists it.
        shards[s].0.insert(f.resource.account.as_str());
        shards[s].1.push(f);
    }
    shards.into_iter().filter(|(accounts, _)| !accounts.is_empty()).map(|(accounts, results)| (accounts.into_iter().collect(), results)).collect()
}

/// What a file holds besides its runs (`{"$schema": ..., "version": ..., "runs": [` and the
/// closing brackets), gzipped, with room to spare.
pub const FILE_OVERHEAD_BYTES: usize = 1024;

/// Consecutive runs into files: a new file whenever the next run would make a file exceed
/// `runs_per_file` runs or, estimated as the sum of its runs' gzipped sizes and
/// [`FILE_OVERHEAD_BYTES`], `gzipped_bytes_per_file`. (Gzipping the runs together compresses at
/// least as well as gzipping each alone, so the estimate does not fall short.) `Err` names a
/// run too large for a file on its own.
pub fn pack(gzipped_sizes: &[usize], limits: &Limits) -> Result<Vec<Range<usize>>, usize> {
    let mut files = Vec::new();
    let mut start = 0;
    let mut bytes = FILE_OVERHEAD_BYTES;
    for (i, &size) in gzipped_sizes.iter().enumerate() {
        if FILE_OVERHEAD_BYTES + size > limits.gzipped_bytes_per_file {
            return Err(i);
        }
        if i > start && (i - start >= limits.runs_per_file || bytes + size > limits.gzipped_bytes_per_file) {
            files.push(start..i);
            start = i;
            bytes = FILE_OVERHEAD_BYTES;
        }
        bytes += size;
    }
    if start < gzipped_sizes.len() {
        files.push(start..gzipped_sizes.len());
    }
    Ok(files)
}

/// The longest a run's label may be in a file name (two of them, and a file name may have 255
/// bytes).
const LABEL_CHARS: usize = 100;

/// The names of files holding runs labelled `labels`, `files` of them in order:
/// `trailwarden-<n>-<first run>[--<last run>].sarif`, numbered from 1 with at least two
/// digits so that they sort in order.
pub fn file_names(labels: &[&str], files: &[Range<usize>]) -> Vec<String> {
    let digits = files.len().to_string().len().max(2);
    let short = |label: &str| label.chars().take(LABEL_CHARS).collect::<String>();
    files
        .iter()
        .enumerate()
        .map(|(i, runs)| {
            let first = short(labels[runs.start]);
            let last = short(labels[runs.end - 1]);
            let span = if runs.len() == 1 { first } else { format!("{first}--{last}") };
            format!("trailwarden-{:0digits$}-{span}.sarif", i + 1)
        })
        .collect()
}

/// Whether a file name is one [`file_names`] gives: `trailwarden-<digits>-<...>.sarif`.
pub fn is_file_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("trailwarden-").filter(|_| name.ends_with(".sarif")) else { return false };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    digits >= 2 && rest[digits..].starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Outcome, ResourceKind, ResourceRef, Severity};
    use std::sync::Arc;

    fn finding(account: &str, unit: Option<&str>, arn: &str, outcome: Outcome) -> Finding {
        let mut resource = ResourceRef::new(arn, ResourceKind::Bucket, account, "us-east-1");
        resource.organizational_unit = unit.map(str::to_owned);
        Finding {
            rule_id: "R".to_owned(),
            title: Arc::from("t"),
            outcome,
            severity: Severity::High,
            resource: Arc::new(resource),
            message: String::new(),
            remediation: String::new(),
            frameworks: Arc::default(),
            suppression: None,
        }
    }

    /// `per_account` failing findings in each of `accounts` accounts of `unit`.
    fn unit(unit: Option<&str>, accounts: usize, per_account: usize) -> Vec<Finding> {
        (0..accounts)
            .flat_map(|a| (0..per_account).map(move |r| finding(&format!("{a:012}"), unit, &format!("arn:aws:s3:::{unit:?}-{a}-{r}"), Outcome::Fail)))
            .collect()
    }

    fn ids(groups: &[RunGroup]) -> Vec<String> {
        groups.iter().map(|g| g.id.clone()).collect()
    }

    #[test]
    fn one_run_per_unit_in_category_order() {
        let mut findings = unit(Some("Root/Prod"), 2, 2);
        findings.extend(unit(Some("Root"), 1, 1));
        findings.push(finding("000000000009", Some("Root/Clean"), "arn:aws:s3:::clean", Outcome::Pass));
        findings.push(finding("000000000000", None, "arn:aws:organizations::0:organization/o-1", Outcome::Fail));
        let groups = groups(&findings, "o-1", 10);
        assert_eq!(
            ids(&groups),
            ["trailwarden/o-1/Root/", "trailwarden/o-1/Root/Clean/", "trailwarden/o-1/Root/Prod/", "trailwarden/o-1/outside-units/"]
        );
        // A unit without results still has its run: its upload closes the unit's old alerts.
        assert!(groups[1].results.is_empty());
        assert_eq!(groups[1].accounts, ["000000000009"]);
        assert_eq!(groups[2].results.len(), 4);
        assert_eq!(groups[2].label, "Root.Prod");
    }

    #[test]
    fn without_units_the_scope_is_one_run_with_the_single_files_category() {
        let findings = unit(None, 3, 2);
        let groups = groups(&findings, "111122223333", 10);
        assert_eq!(ids(&groups), [automation_id("111122223333")]);
        assert_eq!(groups[0].label, "all-accounts");
    }

    #[test]
    fn a_large_unit_is_sharded_by_account_and_nothing_is_lost() {
        let findings = unit(Some("Root/Big"), 40, 3);
        let groups = groups(&findings, "o-1", 25);
        let n = groups.len();
        assert!(n.is_power_of_two() && n >= 8, "{n} shards for 120 results at 25 per run");
        for (k, g) in groups.iter().enumerate() {
            assert!(g.results.len() <= 25, "{}: {}", g.id, g.results.len());
            assert_eq!(g.shard, Some((k + 1, n)));
            assert!(g.id.ends_with(&format!("/Root/Big/shard-{}-of-{n}/", k + 1)), "{}", g.id);
            // An account's results are all in its shard, and the shard lists it.
            for f in &g.results {
                assert!(g.accounts.contains(&f.resource.account.as_str()));
            }
        }
        let mut arns: Vec<&str> = groups.iter().flat_map(|g| g.results.iter().map(|f| f.resource.arn.as_str())).collect();
        arns.sort();
        let before = arns.len();
        arns.dedup();
        assert_eq!((before, arns.len()), (120, 120), "every result once");
        let accounts: usize = groups.iter().map(|g| g.accounts.len()).sum();
        assert_eq!(accounts, 40, "every account in one shard");
    }

    #[test]
    fn shards_are_stable_while_their_count_is() {
        let small = unit(Some("Root/Big"), 40, 3);
        let mut grown = unit(Some("Root/Big"), 41, 3);
        grown.retain(|f| f.resource.account != format!("{:012}", 7));
        let shard_of = |groups: &[RunGroup], account: &str| groups.iter().position(|g| g.accounts.contains(&account));
        let (a, b) = (groups(&small, "o", 25), groups(&grown, "o", 25));
        assert_eq!(a.len(), b.len());
        for account in (0..40).filter(|a| *a != 7).map(|a| format!("{a:012}")) {
            assert_eq!(shard_of(&a, &account), shard_of(&b, &account), "{account} moved");
        }
    }

    #[test]
    fn an_account_over_the_limit_is_divided_by_resource_and_a_resource_into_pieces() {
        let findings = unit(Some("Root"), 1, 30);
        let by_resource = groups(&findings, "o", 10);
        assert!(by_resource.len() >= 3 && by_resource.iter().all(|g| g.results.len() <= 10 && g.accounts == ["000000000000"]));
        assert_eq!(by_resource.iter().map(|g| g.results.len()).sum::<usize>(), 30);

        // Three results about one resource (three rules), one per run.
        let one: Vec<Finding> = (0..3).map(|_| finding("1", None, "arn:aws:s3:::b", Outcome::Fail)).collect();
        let in_pieces = groups(&one, "o", 1);
        assert_eq!(in_pieces.iter().map(|g| g.results.len()).collect::<Vec<_>>(), [1, 1, 1]);
    }

    #[test]
    fn clashing_categories_get_a_suffix() {
        let mut findings = unit(Some("Root/BU 03"), 1, 1);
        findings.extend(unit(Some("Root/BU_03"), 1, 1));
        findings.extend(unit(Some("Root/bu-03"), 1, 1));
        findings.extend(unit(Some("Root/Other"), 1, 1));
        let groups = groups(&findings, "o", 10);
        let keys: BTreeSet<String> = groups.iter().map(|g| clash_key(&g.id)).collect();
        assert_eq!(keys.len(), 4, "{:?}", ids(&groups));
        assert!(groups.iter().all(|g| g.id.ends_with('/')));
        assert_eq!(groups.iter().find(|g| g.coverage == Coverage::Unit("Root/Other")).unwrap().id, "trailwarden/o/Root/Other/");
    }

    #[test]
    fn packing_keeps_to_the_run_and_size_limits() {
        let limits = Limits { results_per_run: 1, runs_per_file: 3, gzipped_bytes_per_file: FILE_OVERHEAD_BYTES + 100 };
        assert_eq!(pack(&[10, 10, 10, 10, 10], &limits), Ok(vec![0..3, 3..5]));
        assert_eq!(pack(&[60, 30, 20, 100, 1], &limits), Ok(vec![0..2, 2..3, 3..4, 4..5]));
        assert_eq!(pack(&[10, 101], &limits), Err(1));
        assert_eq!(pack(&[], &limits), Ok(vec![]));
    }

    #[test]
    fn file_names_say_which_runs_they_hold() {
        let labels = ["Root", "Root.Prod", "Root.Sandbox.shard-1-of-2", "Root.Sandbox.shard-2-of-2"];
        let names = file_names(&labels, &[0..2, 2..3, 3..4]);
        assert_eq!(
            names,
            [
                "trailwarden-01-Root--Root.Prod.sarif",
                "trailwarden-02-Root.Sandbox.shard-1-of-2.sarif",
                "trailwarden-03-Root.Sandbox.shard-2-of-2.sarif"
            ]
        );
        assert!(names.iter().all(|n| is_file_name(n)));
        for other in ["trailwarden.sarif", "report.sarif", "trailwarden-1-x.sarif", "trailwarden-01-x.json"] {
            assert!(!is_file_name(other), "{other}");
        }
    }
}
