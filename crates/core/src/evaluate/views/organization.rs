//! The `organization` scope: one subject per scan, the organization as the scanned accounts
//! see it (or the caller's account when there is none), with its organization trails and the
//! members that no trail of their own covers.

use super::context::{BuildContext, CLOUDTRAIL_PRINCIPAL};
use super::readable::{IntoReadable, Readable};
use super::selectors;
use super::subject::Subject;
use super::trail::{trail_view, TrailView};
use super::unreadable::{push_unreadable, UnreadableField};
use crate::inventory::{Fact, Organization, OrganizationAccount, Unreadable, UnreadableReason};
use crate::resource::{ResourceKind, ResourceRef};
use schemars::JsonSchema;
use serde::Serialize;

/// The binding of an `organization`-scope rule.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OrganizationView {
    /// The scanned account belongs to an organization.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub in_organization: Readable<bool>,
    pub id: Option<String>,
    pub arn: Option<String>,
    pub management_account_id: Option<String>,
    pub feature_set: Option<String>,
    /// ListAccounts.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub accounts: Readable<Vec<OrganizationAccount>>,
    /// Account ids registered as delegated administrators for cloudtrail.amazonaws.com.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub cloudtrail_delegated_administrators: Readable<Vec<String>>,
    /// Service principals with trusted access to the organization.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub trusted_service_principals: Readable<Vec<String>>,
    /// Organization trails owned by the management account (when it was scanned).
    pub organization_trails: Vec<TrailView>,
    /// ACTIVE accounts that own no logging multi-Region trail recording all read and write
    /// management events; unreadable when the account list could not be read or an ACTIVE
    /// account was not scanned.
    #[serde(skip_serializing_if = "Readable::is_unreadable")]
    pub accounts_without_own_multi_region_trail: Readable<Vec<String>>,
}

pub(super) fn organization_subject(cx: &BuildContext) -> Subject<OrganizationView> {
    let caller = cx.inventory.caller_account_id.clone();
    let account_ref = |arn: String| ResourceRef::new(arn, ResourceKind::Organization, caller.clone(), "global".to_owned());
    let organization_trails: Vec<TrailView> = cx
        .owned_trails
        .values()
        .filter(|(_, trail)| trail.is_organization_trail && Some(trail.owner_account_id()) == cx.management_account_id)
        .map(|(account, trail)| trail_view(cx, account, trail))
        .collect();
    let mut unreadable = Vec::new();
    let (view, resource) = match &cx.inventory.organization {
        Fact::Unreadable(u) => {
            unreadable.push(UnreadableField::new("organization", u.clone()));
            let view = OrganizationView {
                in_organization: Readable::unreadable(u.clone()),
                id: None,
                arn: None,
                management_account_id: None,
                feature_set: None,
                accounts: Readable::unreadable(u.clone()),
                cloudtrail_delegated_administrators: Readable::unreadable(u.clone()),
                trusted_service_principals: Readable::unreadable(u.clone()),
                organization_trails,
                accounts_without_own_multi_region_trail: Readable::unreadable(u.clone()),
            };
            (view, account_ref(format!("AWS::::Account:{caller}")))
        }
        Fact::Value(None) => {
            let view = OrganizationView {
                in_organization: Readable::value(false),
                id: None,
                arn: None,
                management_account_id: None,
                feature_set: None,
                accounts: Readable::value(Vec::new()),
                cloudtrail_delegated_administrators: Readable::value(Vec::new()),
                trusted_service_principals: Readable::value(Vec::new()),
                organization_trails,
                accounts_without_own_multi_region_trail: Readable::value(Vec::new()),
            };
            (view, account_ref(format!("AWS::::Account:{caller}")))
        }
        Fact::Value(Some(org)) => {
            let admins = match org.delegated_administrators.get(CLOUDTRAIL_PRINCIPAL) {
                Some(fact) => fact.into_readable().map(|admins| admins.into_iter().map(|a| a.account_id).collect()),
                None => Readable::unreadable(Unreadable {
                    reason: UnreadableReason::Error,
                    api: Some("organizations:ListDelegatedAdministrators".to_owned()),
                    detail: Some(format!("the snapshot has no answer for {CLOUDTRAIL_PRINCIPAL}")),
                }),
            };
            if let Err(u) = &admins.0 {
                unreadable.push(UnreadableField::new("organization.cloudtrail_delegated_administrators", u.clone()));
            }
            push_unreadable(&mut unreadable, "organization.accounts", &org.accounts);
            push_unreadable(&mut unreadable, "organization.trusted_service_principals", &org.trusted_service_principals);
            let view = OrganizationView {
                in_organization: Readable::value(true),
                id: Some(org.id.clone()),
                arn: Some(org.arn.clone()),
                management_account_id: Some(org.management_account_id.clone()),
                feature_set: Some(org.feature_set.clone()),
                accounts: (&org.accounts).into(),
                cloudtrail_delegated_administrators: admins,
                trusted_service_principals: (&org.trusted_service_principals).into(),
                organization_trails,
                accounts_without_own_multi_region_trail: accounts_without_own_trail(cx, org),
            };
            let resource = ResourceRef::new(org.arn.clone(), ResourceKind::Organization, org.management_account_id.clone(), "global".to_owned());
            (view, resource)
        }
    };
    Subject { resource, view, unreadable }
}

/// ACTIVE member accounts that own no logging multi-Region trail recording all read and write
/// management events (the per-account fallback of CT-ORG-TRAIL).
fn accounts_without_own_trail(cx: &BuildContext, org: &Organization) -> Readable<Vec<String>> {
    let members = match &org.accounts {
        Fact::Value(members) => members,
        Fact::Unreadable(u) => return Readable::unreadable(u.clone()),
    };
    let mut uncovered = Vec::new();
    for member in members.iter().filter(|m| m.status == "ACTIVE") {
        let Some(account) = cx.accounts_by_id.get(member.id.as_str()).copied() else {
            return Readable::unreadable(Unreadable {
                reason: UnreadableReason::Error,
                api: None,
                detail: Some(format!("ACTIVE account {} was not scanned", member.id)),
            });
        };
        // Covered: an owned multi-Region trail known to be logging all management events.
        // Not covered only if every owned trail is known not to qualify.
        let mut unknown = None;
        let mut covered = false;
        for t in account.trails.iter().filter(|t| t.owner_account_id() == account.id && t.is_multi_region_trail) {
            let logging = t.is_logging();
            let all = selectors::management_coverage(t.has_custom_event_selectors, t.event_selectors.value()).map(|m| m.all);
            match (logging, all) {
                (Ok(true), Some(true)) => covered = true,
                (Ok(false), _) | (_, Some(false)) => {}
                (Err(u), _) => unknown = Some(u.clone()),
                (_, None) => unknown = t.event_selectors.unreadable().cloned(),
            }
        }
        match (covered, unknown) {
            (true, _) => {}
            (false, Some(u)) => return Readable::unreadable(u),
            (false, None) => uncovered.push(member.id.clone()),
        }
    }
    Readable::value(uncovered)
}
