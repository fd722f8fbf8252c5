//! AWS Organizations: the organization, its accounts and their organizational units, the
//! CloudTrail delegated administrators and trusted service access.

use super::errors::{code, unreadable};
use super::Collector;
use std::collections::BTreeMap;
use trailwarden_core::inventory::{DelegatedAdministrator, Fact, FactId, Organization, OrganizationAccount, OrganizationalUnit, Unreadable};

const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";

pub async fn organization(c: &Collector) -> Fact<Option<Organization>> {
    let client = c.caller.organizations(&c.home_region);
    let described = c.limiter.run(&c.caller.account_id, client.describe_organization().send()).await;
    let org = match described {
        Ok(out) => match out.organization {
            Some(org) => org,
            None => return Fact::Value(None),
        },
        Err(err) if code(&err) == Some("AWSOrganizationsNotInUseException") => return Fact::Value(None),
        Err(err) => return Fact::Unreadable(unreadable(FactId::Organization.api(), &err)),
    };
    let (accounts, admins, trusted, units) = tokio::join!(accounts(c), delegated_administrators(c), trusted_services(c), units(c));
    Fact::Value(Some(Organization {
        id: org.id.unwrap_or_default(),
        arn: org.arn.unwrap_or_default(),
        management_account_id: org.master_account_id.unwrap_or_default(),
        feature_set: org.feature_set.map(|f| f.as_str().to_owned()).unwrap_or_default(),
        accounts,
        delegated_administrators: BTreeMap::from([(CLOUDTRAIL_PRINCIPAL.to_owned(), admins)]),
        trusted_service_principals: trusted,
        organizational_units: units,
    }))
}

/// The unit tree, walked down from the root a level at a time: a call or two per unit (its
/// child units, its accounts), rather than ListParents for each of thousands of accounts
/// against an API that answers a few requests a second.
async fn units(c: &Collector) -> Fact<Vec<OrganizationalUnit>> {
    if let Some(skipped) = c.skip(FactId::OrganizationUnits) {
        return skipped;
    }
    let client = &c.caller.organizations(&c.home_region);
    let roots = match c.limiter.run(&c.caller.account_id, client.list_roots().send()).await {
        Ok(out) => out.roots,
        Err(err) => return Fact::Unreadable(unreadable("organizations:ListRoots", &err)),
    };
    let mut level: Vec<(String, String)> =
        roots.unwrap_or_default().into_iter().map(|r| (r.id.unwrap_or_default(), r.name.unwrap_or_else(|| "Root".to_owned()))).collect();
    let mut out = Vec::new();
    while !level.is_empty() {
        let read = futures::future::join_all(level.iter().map(|(id, _)| async move {
            let (children, accounts) = tokio::join!(child_units(c, client, id), accounts_in(c, client, id));
            Ok::<_, Unreadable>((children?, accounts?))
        }))
        .await;
        let mut next = Vec::new();
        for ((id, path), read) in level.into_iter().zip(read) {
            let (children, mut account_ids) = match read {
                Ok(read) => read,
                Err(unreadable) => return Fact::Unreadable(unreadable),
            };
            next.extend(children.into_iter().map(|(child, name)| (child, format!("{path}/{name}"))));
            account_ids.sort();
            out.push(OrganizationalUnit { id, path, account_ids });
        }
        level = next;
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Fact::Value(out)
}

/// The units directly under `parent`: (id, name).
async fn child_units(c: &Collector, client: &aws_sdk_organizations::Client, parent: &str) -> Result<Vec<(String, String)>, Unreadable> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let call = client.list_organizational_units_for_parent().parent_id(parent).set_next_token(token).send();
        let page = c.limiter.run(&c.caller.account_id, call).await.map_err(|err| unreadable(FactId::OrganizationUnits.api(), &err))?;
        out.extend(page.organizational_units().iter().map(|u| (u.id().unwrap_or_default().to_owned(), u.name().unwrap_or_default().to_owned())));
        token = page.next_token;
        if token.is_none() {
            return Ok(out);
        }
    }
}

/// The ids of the accounts directly under `parent`.
async fn accounts_in(c: &Collector, client: &aws_sdk_organizations::Client, parent: &str) -> Result<Vec<String>, Unreadable> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let call = client.list_accounts_for_parent().parent_id(parent).set_next_token(token).send();
        let page = c.limiter.run(&c.caller.account_id, call).await.map_err(|err| unreadable("organizations:ListAccountsForParent", &err))?;
        out.extend(page.accounts().iter().filter_map(|a| a.id().map(str::to_owned)));
        token = page.next_token;
        if token.is_none() {
            return Ok(out);
        }
    }
}

async fn accounts(c: &Collector) -> Fact<Vec<OrganizationAccount>> {
    if let Some(skipped) = c.skip(FactId::OrganizationAccounts) {
        return skipped;
    }
    let client = c.caller.organizations(&c.home_region);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = c.limiter.run(&c.caller.account_id, client.list_accounts().set_next_token(token).send()).await;
        match page {
            Ok(page) => {
                out.extend(page.accounts().iter().map(|a| OrganizationAccount {
                    id: a.id().unwrap_or_default().to_owned(),
                    name: a.name().unwrap_or_default().to_owned(),
                    status: account_status(a),
                }));
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
            Err(err) => return Fact::Unreadable(unreadable(FactId::OrganizationAccounts.api(), &err)),
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Fact::Value(out)
}

/// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`: the newer `State` field when present, else the
/// older `Status`.
fn account_status(a: &aws_sdk_organizations::types::Account) -> String {
    #[allow(deprecated)]
    let status = a.state().map(|s| s.as_str().to_owned()).or_else(|| a.status().map(|s| s.as_str().to_owned()));
    status.unwrap_or_default()
}

async fn delegated_administrators(c: &Collector) -> Fact<Vec<DelegatedAdministrator>> {
    if let Some(skipped) = c.skip(FactId::OrganizationDelegatedAdministrators) {
        return skipped;
    }
    let client = c.caller.organizations(&c.home_region);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let call = client.list_delegated_administrators().service_principal(CLOUDTRAIL_PRINCIPAL).set_next_token(token).send();
        match c.limiter.run(&c.caller.account_id, call).await {
            Ok(page) => {
                out.extend(page.delegated_administrators().iter().map(|a| DelegatedAdministrator {
                    account_id: a.id().unwrap_or_default().to_owned(),
                    status: a.status().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                    delegation_enabled_date: a.delegation_enabled_date().and_then(super::time),
                }));
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
            Err(err) => return Fact::Unreadable(unreadable(FactId::OrganizationDelegatedAdministrators.api(), &err)),
        }
    }
    out.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    Fact::Value(out)
}

async fn trusted_services(c: &Collector) -> Fact<Vec<String>> {
    if let Some(skipped) = c.skip(FactId::OrganizationTrustedServicePrincipals) {
        return skipped;
    }
    let client = c.caller.organizations(&c.home_region);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let call = client.list_aws_service_access_for_organization().set_next_token(token).send();
        match c.limiter.run(&c.caller.account_id, call).await {
            Ok(page) => {
                out.extend(page.enabled_service_principals().iter().filter_map(|p| p.service_principal().map(str::to_owned)));
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
            Err(err) => return Fact::Unreadable(unreadable(FactId::OrganizationTrustedServicePrincipals.api(), &err)),
        }
    }
    out.sort();
    Fact::Value(out)
}
