//! Choosing accounts by organizational unit (`--ous`, `--exclude-ous`): a unit named by its
//! path from the root (`Root/Workloads`) or by its id (`ou-…`, `r-…`) stands for itself and
//! every unit below it.

use super::model::{Organization, OrganizationalUnit};
use crate::diagnostic::suggestion;
use std::collections::BTreeSet;

/// The ids of the accounts in the named units or below them. A name that matches no unit is
/// an error that lists the closest unit path, so a typo never selects nothing in silence.
pub fn accounts_in<'a>(units: &'a [OrganizationalUnit], names: &[String]) -> Result<BTreeSet<&'a str>, String> {
    let mut accounts = BTreeSet::new();
    for name in names {
        let name = name.trim().trim_end_matches('/');
        let Some(unit) = units.iter().find(|u| u.path == name || u.id == name) else {
            let help = suggestion(name, units.iter().map(|u| u.path.as_str())).map(|help| format!(" ({help})")).unwrap_or_default();
            return Err(format!("no organizational unit `{name}` in the organization{help}"));
        };
        let below = format!("{}/", unit.path);
        for u in units.iter().filter(|u| u.path == unit.path || u.path.starts_with(&below)) {
            accounts.extend(u.account_ids.iter().map(String::as_str));
        }
    }
    Ok(accounts)
}

/// Whether `path` is the unit `pattern` names or below it, with `*` in `pattern` matching any
/// run of characters but `/` and `**` any run at all (`Root/Workloads/*/BU-0*`).
pub fn path_matches(pattern: &globset::GlobMatcher, path: &str) -> bool {
    // A unit pattern also covers the units below a match: `Root/Sandbox` matches
    // `Root/Sandbox/Team-A`.
    pattern.is_match(path) || path.match_indices('/').any(|(i, _)| pattern.is_match(&path[..i]))
}

/// A unit-path glob as [`path_matches`] reads it.
pub fn unit_glob(pattern: &str) -> Result<globset::GlobMatcher, globset::Error> {
    Ok(globset::GlobBuilder::new(pattern.trim_end_matches('/')).literal_separator(true).build()?.compile_matcher())
}

impl Organization {
    /// The unit tree, when it was read.
    pub fn units(&self) -> Option<&[OrganizationalUnit]> {
        self.organizational_units.value().map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, path: &str, accounts: &[&str]) -> OrganizationalUnit {
        OrganizationalUnit { id: id.to_owned(), path: path.to_owned(), account_ids: accounts.iter().map(|a| (*a).to_owned()).collect() }
    }

    fn tree() -> Vec<OrganizationalUnit> {
        vec![
            unit("r-1", "Root", &["1"]),
            unit("ou-w", "Root/Workloads", &[]),
            unit("ou-p", "Root/Workloads/Prod", &["2", "3"]),
            unit("ou-pp", "Root/Workloads/ProdLegacy", &["4"]),
            unit("ou-s", "Root/Sandbox", &["5"]),
        ]
    }

    #[test]
    fn a_unit_selects_its_accounts_and_those_below_it_but_not_a_sibling_sharing_its_prefix() {
        let units = tree();
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(accounts_in(&units, &names(&["Root/Workloads/Prod"])).unwrap(), BTreeSet::from(["2", "3"]));
        assert_eq!(accounts_in(&units, &names(&["Root/Workloads/"])).unwrap(), BTreeSet::from(["2", "3", "4"]));
        assert_eq!(accounts_in(&units, &names(&["ou-s", "Root/Workloads/ProdLegacy"])).unwrap(), BTreeSet::from(["4", "5"]));
        assert_eq!(accounts_in(&units, &names(&["r-1"])).unwrap().len(), 5);
    }

    #[test]
    fn a_unit_that_does_not_exist_is_an_error_with_the_closest_path() {
        let err = accounts_in(&tree(), &["Root/Workload/Prod".to_owned()]).unwrap_err();
        assert_eq!(err, "no organizational unit `Root/Workload/Prod` in the organization (did you mean `Root/Workloads/Prod`?)");
    }

    #[test]
    fn a_unit_glob_matches_the_unit_and_below_and_star_stays_within_one_name() {
        let glob = unit_glob("Root/Workloads/*").unwrap();
        assert!(path_matches(&glob, "Root/Workloads/Prod"));
        assert!(path_matches(&glob, "Root/Workloads/Prod/BU-01"));
        assert!(!path_matches(&glob, "Root/Workloads"));
        assert!(!path_matches(&glob, "Root/Sandbox"));
        let sandbox = unit_glob("Root/Sandbox").unwrap();
        assert!(path_matches(&sandbox, "Root/Sandbox/Team-A"));
        assert!(!path_matches(&sandbox, "Root/SandboxOld"));
        assert!(path_matches(&unit_glob("**/BU-0?").unwrap(), "Root/Workloads/NonProd/BU-03"));
    }
}
