//! AWS Organizations: the organization, its accounts, the CloudTrail delegated administrators
//! and trusted service access.

use super::errors::{code, unreadable};
use super::Collector;
use std::collections::BTreeMap;
use trailwarden_core::inventory::{DelegatedAdministrator, Fact, FactId, Organization, OrganizationAccount};

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
    let (accounts, admins, trusted) = tokio::join!(accounts(c), delegated_administrators(c), trusted_services(c));
    Fact::Value(Some(Organization {
        id: org.id.unwrap_or_default(),
        arn: org.arn.unwrap_or_default(),
        management_account_id: org.master_account_id.unwrap_or_default(),
        feature_set: org.feature_set.map(|f| f.as_str().to_owned()).unwrap_or_default(),
        accounts,
        delegated_administrators: BTreeMap::from([(CLOUDTRAIL_PRINCIPAL.to_owned(), admins)]),
        trusted_service_principals: trusted,
    }))
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
