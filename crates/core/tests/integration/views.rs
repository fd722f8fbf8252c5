//! `views::build`: the inventory reshaped into subjects, per docs/architecture.md §3 (trail inventory,
//! shadow copies, owned vs inherited organization trails), §0.3 (scopes and finding ARNs) and
//! §0.4 (cross-account buckets).
//!
//! Unreadable facts must be *absent* from a serialized view (never `false` or `null`), and
//! named in the subject's `unreadable` list: that is how rules turn them into `inconclusive`.

use crate::common::*;
use serde_json::{json, Value};
use trailwarden_core::evaluate::views::{EventDataStoreView, ResourceKind, ResourceRef, Subject, Subjects, TrailView};
use trailwarden_core::inventory::{Fact, InsightSelector, Unreadable};

fn trail_subject<'a>(subjects: &'a Subjects, arn: &str) -> &'a Subject<TrailView> {
    let matching: Vec<_> = subjects.trails.iter().filter(|s| s.resource.arn == arn).collect();
    assert_eq!(matching.len(), 1, "exactly one trail subject for {arn}, got {}", matching.len());
    matching[0]
}

fn trail_arns(subjects: &Subjects) -> Vec<&str> {
    subjects.trails.iter().map(|s| s.resource.arn.as_str()).collect()
}

/// The serialized `account.trails` of the account subject `id`.
fn account_trails_json(subjects: &Subjects, id: &str) -> Vec<Value> {
    let account = subjects.accounts.iter().find(|a| a.resource.account == id).expect("an account subject");
    json(account)["trails"].as_array().expect("trails is a list").clone()
}

const MAIN_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111111111111:trail/main";
const SECOND_TRAIL: &str = "arn:aws:cloudtrail:eu-west-1:111111111111:trail/second";

// =============================================================================================
// Trail subjects: one per trail, from the owner's copy (§0.1 items 3 and 5)

mod trail_inventory {
    use super::*;

    #[test]
    fn a_multi_region_trail_listed_in_several_regions_is_one_trail_subject() {
        let subjects = inventory()
            .account(
                account(MGMT)
                    .regions(["us-east-1", "eu-west-1", "ap-southeast-2"])
                    .region_lists("us-east-1", [MAIN_TRAIL])
                    .region_lists("eu-west-1", [MAIN_TRAIL])
                    .region_lists("ap-southeast-2", [MAIN_TRAIL])
                    .trail(trail(MAIN_TRAIL).multi_region()),
            )
            .subjects();
        assert_eq!(trail_arns(&subjects), [MAIN_TRAIL]);
    }

    #[test]
    fn a_trail_subject_is_attributed_to_its_home_region_not_the_first_listing_region() {
        let subjects = inventory()
            .account(
                account(MGMT)
                    .regions(["eu-west-1", "us-east-1"])
                    .region_lists("eu-west-1", [MAIN_TRAIL])
                    .region_lists("us-east-1", [MAIN_TRAIL])
                    .trail(trail(MAIN_TRAIL).multi_region()),
            )
            .subjects();
        let expected = ResourceRef::new(MAIN_TRAIL.to_owned(), ResourceKind::Trail, MGMT.to_owned(), "us-east-1".to_owned());
        assert_eq!(trail_subject(&subjects, MAIN_TRAIL).resource, expected);
    }

    #[test]
    fn every_owned_trail_is_its_own_subject() {
        let subjects = inventory().account(account(MGMT).trail(trail(MAIN_TRAIL)).trail(trail(SECOND_TRAIL))).subjects();
        let mut arns = trail_arns(&subjects);
        arns.sort();
        assert_eq!(arns, [SECOND_TRAIL, MAIN_TRAIL]);
        assert_eq!(trail_subject(&subjects, SECOND_TRAIL).resource.region, "eu-west-1");
    }

    #[test]
    fn an_organization_trail_seen_from_management_and_member_is_one_subject_from_the_owner_copy() {
        // The member's copy could not read the status; the owner's could. Members come first
        // so that "first copy wins" would pick the wrong one.
        let subjects = inventory()
            .caller(MGMT)
            .organization(organization(MGMT))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail().status_unreadable(UnreadableReason::AccessDenied)))
            .account(account(MGMT).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .subjects();
        let subject = trail_subject(&subjects, ORG_TRAIL);
        assert_eq!(subject.resource.account, MGMT);
        assert_eq!(json(subject)["owned"], true);
        assert_eq!(json(subject)["is_logging"], true, "the owner's copy was readable");
        assert_eq!(subjects.trails.len(), 1);
    }

    #[test]
    fn a_member_scanned_without_the_management_account_has_no_trail_subject_for_the_organization_trail() {
        let subjects = inventory()
            .organization(organization(MGMT))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .subjects();
        assert!(subjects.trails.is_empty(), "got trail subjects {:?}", trail_arns(&subjects));
    }

    #[test]
    fn a_member_scanned_alone_still_lists_the_organization_trail_as_inherited() {
        let subjects = inventory()
            .organization(organization(MGMT))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .subjects();
        let trails = account_trails_json(&subjects, MEMBER);
        assert_eq!(trails.len(), 1);
        assert_eq!(trails[0]["arn"], ORG_TRAIL);
        assert_eq!(trails[0]["owned"], false);
        assert_eq!(trails[0]["inherited"], true);
        assert_eq!(trails[0]["account_id"], MGMT);
    }

    #[test]
    fn a_cloudtrail_delegated_administrator_scanned_without_the_management_account_gets_the_organization_trail_subject() {
        // §0.1.5: per-trail findings for an organization trail are emitted when the management
        // account *or a CloudTrail delegated administrator* is scanned.
        let subjects = inventory()
            .caller(MEMBER)
            .organization(organization(MGMT).delegated_administrators(CLOUDTRAIL_PRINCIPAL, [MEMBER]))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .subjects();
        assert_eq!(trail_arns(&subjects), [ORG_TRAIL]);
    }

    #[test]
    fn the_account_view_lists_owned_trails_before_inherited_ones() {
        // ORG_TRAIL (account 1111…) sorts before MEMBER_TRAIL (2222…) by ARN, and comes first
        // in the inventory: only an owned-first ordering puts the member's trail first.
        let subjects = inventory()
            .organization(organization(MGMT))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail()).trail(trail(MEMBER_TRAIL)))
            .subjects();
        let arns: Vec<Value> = account_trails_json(&subjects, MEMBER).iter().map(|t| t["arn"].clone()).collect();
        assert_eq!(arns, [json!(MEMBER_TRAIL), json!(ORG_TRAIL)]);
    }

    #[test]
    fn the_members_own_trail_is_owned_and_not_inherited() {
        let subjects = inventory().account(account(MEMBER).trail(trail(MEMBER_TRAIL))).subjects();
        let trails = account_trails_json(&subjects, MEMBER);
        assert_eq!(trails[0]["owned"], true);
        assert_eq!(trails[0]["inherited"], false);
    }

    #[test]
    fn a_foreign_trail_that_is_not_an_organization_trail_is_not_inherited() {
        let subjects = inventory().account(account(MEMBER).trail(trail(MAIN_TRAIL))).subjects();
        let trails = account_trails_json(&subjects, MEMBER);
        assert_eq!(trails[0]["owned"], false);
        assert_eq!(trails[0]["inherited"], false);
        assert!(subjects.trails.is_empty());
    }
}

// =============================================================================================
// Trail status and selectors: unreadable means absent, never false

mod trail_facts {
    use super::*;

    #[test]
    fn an_unreadable_status_leaves_is_logging_out_of_the_view() {
        let subjects = inventory().account(account(MGMT).trail(trail(MAIN_TRAIL).status_unreadable(UnreadableReason::AccessDenied))).subjects();
        let view = json(trail_subject(&subjects, MAIN_TRAIL));
        assert!(view.get("is_logging").is_none(), "is_logging must be absent, got {:?}", view.get("is_logging"));
        assert!(view.get("status").is_none(), "status must be absent, got {:?}", view.get("status"));
    }

    #[test]
    fn an_unreadable_status_is_named_in_the_trail_subjects_unreadable_list() {
        let subjects = inventory().account(account(MGMT).trail(trail(MAIN_TRAIL).status_unreadable(UnreadableReason::AccessDenied))).subjects();
        let subject = trail_subject(&subjects, MAIN_TRAIL);
        let status = subject.unreadable.iter().find(|f| f.path == "trail.status").expect("status is listed as unreadable");
        assert!(status.label.contains("main"), "the entry names the trail: {}", status.label);
        assert_eq!(status.unreadable.reason, UnreadableReason::AccessDenied);
    }

    /// Every unreadable fact a subject records is named by a binding path that rules can read
    /// (and that has a source fact): that is how an inconclusive finding finds the facts its
    /// rule reads. The demo organization has unreadable facts of every scope.
    #[test]
    fn unreadable_facts_are_recorded_by_binding_paths() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-org.json");
        let inventory = trailwarden_core::inventory::snapshot::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let subjects = trailwarden_core::evaluate::views::build(&inventory);
        let mut recorded: Vec<&str> = Vec::new();
        recorded.extend(subjects.organization.iter().flat_map(|s| unreadable_names(s)));
        recorded.extend(subjects.accounts.iter().flat_map(|s| unreadable_names(s)));
        recorded.extend(subjects.regions.iter().flat_map(|s| unreadable_names(s)));
        recorded.extend(subjects.trails.iter().flat_map(|s| unreadable_names(s)));
        recorded.extend(subjects.buckets.iter().flat_map(|s| unreadable_names(s)));
        recorded.extend(subjects.event_data_stores.iter().flat_map(|s| unreadable_names(s)));
        assert!(recorded.len() > 10, "the demo has unreadable facts: {recorded:?}");
        for path in recorded {
            assert!(
                !trailwarden_core::evaluate::sources::facts_for(path).is_empty(),
                "unreadable fact recorded as {path}, which is no binding field"
            );
        }
    }

    /// Infrastructure as code declares whether a trail logs, not how its deliveries go: the
    /// declaration answers `is_logging` (in the trail and region views) and only that.
    #[test]
    fn a_declared_logging_state_answers_is_logging_while_the_status_stays_unreadable() {
        let stopped = trail(MAIN_TRAIL).status_unreadable(UnreadableReason::NotInSource).declared_logging(false);
        let subjects = inventory().account(account(MGMT).regions(["us-east-1"]).trail(stopped)).subjects();
        let subject = trail_subject(&subjects, MAIN_TRAIL);
        let view = json(subject);
        assert_eq!(view["is_logging"], false);
        assert!(view.get("status").is_none(), "the delivery status stays absent, got {:?}", view.get("status"));
        let unreadable: Vec<&str> = subject.unreadable.iter().map(|f| f.path.as_str()).collect();
        assert!(unreadable.contains(&"trail.status") && !unreadable.contains(&"trail.is_logging"), "{unreadable:?}");
        let region = subjects.regions.iter().find(|r| r.resource.region == "us-east-1").expect("a region subject");
        assert_eq!(json(region)["trails"][0]["is_logging"], false);
    }

    #[test]
    fn a_read_status_wins_over_a_declaration() {
        let subjects = inventory().account(account(MGMT).trail(trail(MAIN_TRAIL).logging(true).declared_logging(false))).subjects();
        assert_eq!(json(trail_subject(&subjects, MAIN_TRAIL))["is_logging"], true);
    }

    #[test]
    fn a_stopped_trail_has_is_logging_false() {
        let subjects = inventory().account(account(MGMT).trail(trail(MAIN_TRAIL).logging(false))).subjects();
        assert_eq!(json(trail_subject(&subjects, MAIN_TRAIL))["is_logging"], false);
    }

    #[test]
    fn an_inherited_trail_with_unreadable_status_has_no_is_logging_in_the_member_account_view() {
        let subjects = inventory()
            .organization(organization(MGMT))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail().status_unreadable(UnreadableReason::AccessDenied)))
            .subjects();
        let trails = account_trails_json(&subjects, MEMBER);
        assert!(trails[0].get("is_logging").is_none());
        let account = &subjects.accounts[0];
        assert!(unreadable_names(account).iter().any(|n| n.ends_with("status")), "got {:?}", unreadable_names(account));
    }

    #[test]
    fn an_inherited_trail_is_described_from_the_owners_copy_when_the_owner_was_scanned() {
        let subjects = inventory()
            .organization(organization(MGMT))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail().status_unreadable(UnreadableReason::AccessDenied)))
            .account(account(MGMT).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .subjects();
        let trails = account_trails_json(&subjects, MEMBER);
        assert_eq!(trails[0]["is_logging"], true);
        assert_eq!(trails[0]["inherited"], true, "still inherited from the member's point of view");
    }

    #[test]
    fn unreadable_custom_selectors_leave_management_and_data_coverage_out_of_the_view() {
        let subjects = inventory()
            .account(account(MGMT).trail(trail(MAIN_TRAIL).has_custom_event_selectors(true).selectors_unreadable(UnreadableReason::AccessDenied)))
            .subjects();
        let subject = trail_subject(&subjects, MAIN_TRAIL);
        let view = json(subject);
        for key in ["management_events", "s3_data_events", "lambda_data_events", "uses_advanced_selectors"] {
            assert!(view.get(key).is_none(), "{key} must be absent, got {:?}", view.get(key));
        }
        assert!(unreadable_names(subject).iter().any(|n| n.ends_with("management_events")), "got {:?}", unreadable_names(subject));
    }

    #[test]
    fn default_selectors_record_all_management_events_even_when_the_selectors_could_not_be_read() {
        let subjects = inventory()
            .account(account(MGMT).trail(trail(MAIN_TRAIL).has_custom_event_selectors(false).selectors_unreadable(UnreadableReason::AccessDenied)))
            .subjects();
        assert_eq!(json(trail_subject(&subjects, MAIN_TRAIL))["management_events"]["all"], true);
    }

    #[test]
    fn default_selectors_record_no_data_events_even_when_the_selectors_could_not_be_read() {
        // §0.2: HasCustomEventSelectors == false → "all read and write management events, no
        // data events". DescribeTrails (which gives the flag) and GetEventSelectors can fail
        // independently, e.g. for an organization trail seen from a member account.
        let subjects = inventory()
            .account(account(MGMT).trail(trail(MAIN_TRAIL).has_custom_event_selectors(false).selectors_unreadable(UnreadableReason::AccessDenied)))
            .subjects();
        let view = json(trail_subject(&subjects, MAIN_TRAIL));
        assert_eq!(view["s3_data_events"]["any"], false);
        assert_eq!(view["lambda_data_events"]["any"], false);
    }

    #[test]
    fn management_coverage_from_selectors_is_bound_on_the_trail() {
        let subjects =
            inventory().account(account(MGMT).trail(trail(MAIN_TRAIL).basic_selectors([basic("All").excluding(["kms.amazonaws.com"])]))).subjects();
        let management = &json(trail_subject(&subjects, MAIN_TRAIL))["management_events"];
        assert_eq!(management["all"], false);
        assert_eq!(management["any"], true);
        assert_eq!(management["excluded_sources"], json!(["kms.amazonaws.com"]));
    }

    #[test]
    fn s3_and_lambda_data_coverage_are_bound_on_the_trail() {
        let subjects = inventory()
            .account(
                account(MGMT).trail(
                    trail(MAIN_TRAIL)
                        .basic_selectors([basic("WriteOnly").s3(["arn:aws:s3"]), basic("All").no_management_events().lambda(["arn:aws:lambda"])]),
                ),
            )
            .subjects();
        let view = json(trail_subject(&subjects, MAIN_TRAIL));
        assert_eq!(view["s3_data_events"]["all_write"], true);
        assert_eq!(view["s3_data_events"]["all_read"], false);
        assert_eq!(view["lambda_data_events"]["all_read"], true);
        assert_eq!(view["lambda_data_events"]["all_write"], true);
        assert_eq!(view["uses_advanced_selectors"], false);
    }

    #[test]
    fn advanced_selectors_are_flagged_on_the_trail() {
        let subjects = inventory()
            .account(account(MGMT).trail(trail(MAIN_TRAIL).advanced_selectors([advanced([category("Data"), resource_type("AWS::S3::Object")])])))
            .subjects();
        let view = json(trail_subject(&subjects, MAIN_TRAIL));
        assert_eq!(view["uses_advanced_selectors"], true);
        assert_eq!(view["s3_data_events"]["all_read"], true);
    }

    #[test]
    fn data_event_prefixes_follow_the_inventory_partition() {
        const GOV_TRAIL: &str = "arn:aws-us-gov:cloudtrail:us-gov-west-1:111111111111:trail/gov";
        let subjects = inventory()
            .partition("aws-us-gov")
            .account(
                account(MGMT)
                    .regions(["us-gov-west-1"])
                    .trail(trail(GOV_TRAIL).basic_selectors([basic("All").s3(["arn:aws-us-gov:s3"]).lambda(["arn:aws:lambda"])])),
            )
            .subjects();
        let view = json(trail_subject(&subjects, GOV_TRAIL));
        assert_eq!(view["s3_data_events"]["all_write"], true, "arn:aws-us-gov:s3 is every bucket in GovCloud");
        assert_eq!(view["lambda_data_events"]["all_read"], false, "arn:aws:lambda is not a GovCloud prefix");
    }
}

// =============================================================================================
// The trail's bucket link (§0.4, CT-BUCKET-SEPARATE-ACCOUNT)

mod bucket_link {
    use super::*;

    fn link(inv: InventoryBuilder) -> Value {
        let subjects = inv.subjects();
        json(trail_subject(&subjects, MAIN_TRAIL))["bucket"].clone()
    }

    #[test]
    fn a_bucket_in_another_account_is_cross_account() {
        let link = link(
            inventory().account(account(MGMT).trail(trail(MAIN_TRAIL).bucket("central-logs"))).bucket(bucket("central-logs").owned_by(LOG_ARCHIVE)),
        );
        assert_eq!(link["cross_account"], true);
        assert_eq!(link["account_id"], LOG_ARCHIVE);
        assert_eq!(link["arn"], "arn:aws:s3:::central-logs");
        assert_eq!(link["name"], "central-logs");
    }

    #[test]
    fn a_bucket_in_the_trails_account_is_not_cross_account() {
        let link = link(inventory().account(account(MGMT).trail(trail(MAIN_TRAIL).bucket("local-logs"))).bucket(bucket("local-logs").owned_by(MGMT)));
        assert_eq!(link["cross_account"], false);
    }

    #[test]
    fn a_bucket_owned_by_the_management_account_is_in_the_management_account() {
        let link = link(
            inventory()
                .organization(organization(MGMT))
                .account(account(MGMT).trail(trail(MAIN_TRAIL).bucket("mgmt-logs")))
                .bucket(bucket("mgmt-logs").owned_by(MGMT)),
        );
        assert_eq!(link["in_management_account"], true);
    }

    #[test]
    fn a_log_archive_bucket_is_not_in_the_management_account() {
        let link = link(
            inventory()
                .organization(organization(MGMT))
                .account(account(MGMT).trail(trail(MAIN_TRAIL)))
                .bucket(bucket("central-logs").owned_by(LOG_ARCHIVE)),
        );
        assert_eq!(link["in_management_account"], false);
    }

    #[test]
    fn outside_an_organization_no_bucket_is_in_the_management_account() {
        let link =
            link(inventory().not_in_organization().account(account(MGMT).trail(trail(MAIN_TRAIL))).bucket(bucket("central-logs").owned_by(MGMT)));
        assert_eq!(link["in_management_account"], false);
    }

    #[test]
    fn whether_the_bucket_is_in_the_management_account_is_unknown_when_the_organization_is_unreadable() {
        let link = link(
            inventory()
                .organization_unreadable(UnreadableReason::AccessDenied)
                .account(account(MGMT).trail(trail(MAIN_TRAIL)))
                .bucket(bucket("central-logs").owned_by(MGMT)),
        );
        assert!(link.get("in_management_account").is_none(), "got {:?}", link.get("in_management_account"));
    }

    #[test]
    fn a_bucket_missing_from_the_snapshot_has_an_unreadable_owner() {
        let subjects = inventory().account(account(MGMT).trail(trail(MAIN_TRAIL).bucket("unknown-logs"))).subjects();
        let subject = trail_subject(&subjects, MAIN_TRAIL);
        let link = &json(subject)["bucket"];
        for key in ["account_id", "cross_account", "in_management_account"] {
            assert!(link.get(key).is_none(), "bucket.{key} must be absent, got {:?}", link.get(key));
        }
        assert!(unreadable_names(subject).iter().any(|n| n.ends_with("bucket.account_id")), "got {:?}", unreadable_names(subject));
    }

    #[test]
    fn a_bucket_whose_owner_could_not_be_confirmed_has_no_cross_account_answer() {
        let link = link(
            inventory()
                .account(account(MGMT).trail(trail(MAIN_TRAIL)))
                .bucket(bucket("central-logs").owner_unreadable(UnreadableReason::AccessDenied)),
        );
        assert!(link.get("account_id").is_none());
        assert!(link.get("cross_account").is_none());
    }
}

// =============================================================================================
// Bucket subjects (§2.5: every distinct bucket of owned trails)

mod bucket_subjects {
    use super::*;

    fn bucket_names(subjects: &Subjects) -> Vec<&str> {
        subjects.buckets.iter().map(|b| b.view.name.as_str()).collect()
    }

    #[test]
    fn two_trails_sharing_a_bucket_give_one_bucket_subject_naming_both() {
        let subjects = inventory()
            .account(account(MGMT).trail(trail(MAIN_TRAIL).bucket("central-logs")).trail(trail(SECOND_TRAIL).bucket("central-logs")))
            .bucket(bucket("central-logs"))
            .subjects();
        assert_eq!(bucket_names(&subjects), ["central-logs"]);
        let mut arns = subjects.buckets[0].view.trail_arns.clone();
        arns.sort();
        assert_eq!(arns, [SECOND_TRAIL, MAIN_TRAIL]);
    }

    #[test]
    fn each_distinct_bucket_is_one_subject() {
        let subjects = inventory()
            .account(account(MGMT).trail(trail(MAIN_TRAIL).bucket("logs-a")).trail(trail(SECOND_TRAIL).bucket("logs-b")))
            .bucket(bucket("logs-a"))
            .bucket(bucket("logs-b"))
            .subjects();
        let mut names = bucket_names(&subjects);
        names.sort();
        assert_eq!(names, ["logs-a", "logs-b"]);
    }

    #[test]
    fn an_organization_trail_seen_from_several_accounts_names_its_bucket_once() {
        let subjects = inventory()
            .organization(organization(MGMT))
            .account(account(MGMT).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .bucket(bucket("central-logs"))
            .subjects();
        assert_eq!(bucket_names(&subjects), ["central-logs"]);
        assert_eq!(subjects.buckets[0].view.trail_arns, [ORG_TRAIL]);
    }

    #[test]
    fn the_bucket_of_an_inherited_trail_is_not_a_subject_in_a_member_scan() {
        let subjects = inventory()
            .organization(organization(MGMT))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .bucket(bucket("central-logs"))
            .subjects();
        assert!(subjects.buckets.is_empty(), "got {:?}", bucket_names(&subjects));
    }

    #[test]
    fn a_bucket_missing_from_the_snapshot_is_a_subject_with_everything_unreadable() {
        let subjects = inventory().account(account(MGMT).trail(trail(MAIN_TRAIL).bucket("unknown-logs"))).subjects();
        let subject = &subjects.buckets[0];
        let view = json(subject);
        assert!(view.get("account_id").is_none());
        assert!(view.get("versioning").is_none());
        assert!(view.get("public_access_block").is_none());
        assert_eq!(unreadable_names(subject), ["bucket"]);
    }

    #[test]
    fn the_bucket_resource_is_its_arn_under_the_scanned_owner_and_its_region() {
        let subjects = inventory()
            .account(account(MGMT).trail(trail(MAIN_TRAIL)))
            .account(account(LOG_ARCHIVE))
            .bucket(bucket("central-logs").owned_by(LOG_ARCHIVE).region("eu-central-1"))
            .subjects();
        let expected =
            ResourceRef::new("arn:aws:s3:::central-logs".to_owned(), ResourceKind::Bucket, LOG_ARCHIVE.to_owned(), "eu-central-1".to_owned());
        assert_eq!(subjects.buckets[0].resource, expected);
    }

    #[test]
    fn a_bucket_whose_owner_was_not_scanned_is_reported_under_the_trails_account() {
        let subjects = inventory().account(account(MGMT).trail(trail(MAIN_TRAIL))).bucket(bucket("central-logs").owned_by(OUTSIDER)).subjects();
        assert_eq!(subjects.buckets[0].resource.account, MGMT);
    }

    #[test]
    fn the_bucket_arn_follows_the_partition() {
        const GOV_TRAIL: &str = "arn:aws-us-gov:cloudtrail:us-gov-west-1:111111111111:trail/gov";
        let subjects = inventory()
            .partition("aws-us-gov")
            .account(account(MGMT).regions(["us-gov-west-1"]).trail(trail(GOV_TRAIL)))
            .bucket(bucket("central-logs"))
            .subjects();
        assert_eq!(subjects.buckets[0].resource.arn, "arn:aws-us-gov:s3:::central-logs");
    }
}

// =============================================================================================
// Effective Block Public Access (CT-BUCKET-NOT-PUBLIC edge: fall back to the account setting)

mod public_access_block {
    use super::*;
    use trailwarden_core::inventory::PublicAccessBlock;

    fn effective(inv: InventoryBuilder) -> (Value, Vec<String>) {
        let subjects = inv.subjects();
        let subject = &subjects.buckets[0];
        (json(subject).get("public_access_block").cloned().unwrap_or(Value::Null), unreadable_names(subject).into_iter().map(str::to_owned).collect())
    }

    fn all_true() -> Value {
        json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true})
    }

    fn all_false() -> Value {
        json!({"block_public_acls": false, "ignore_public_acls": false, "block_public_policy": false, "restrict_public_buckets": false})
    }

    #[test]
    fn a_bucket_without_its_own_setting_falls_back_to_the_owner_accounts_setting() {
        let (pab, _) = effective(
            inventory()
                .account(account(MGMT).trail(trail(MAIN_TRAIL)))
                .account(account(LOG_ARCHIVE).public_access_block(all_blocked()))
                .bucket(bucket("central-logs").owned_by(LOG_ARCHIVE)),
        );
        assert_eq!(pab, all_true());
    }

    #[test]
    fn the_account_setting_applies_even_when_the_bucket_has_its_own() {
        // S3 enforces a flag when either the bucket or the owner account sets it.
        let (pab, _) = effective(
            inventory()
                .account(account(MGMT).trail(trail(MAIN_TRAIL)))
                .account(account(LOG_ARCHIVE).public_access_block(all_blocked()))
                .bucket(bucket("central-logs").owned_by(LOG_ARCHIVE).public_access_block(PublicAccessBlock::default())),
        );
        assert_eq!(pab, all_true());
    }

    #[test]
    fn bucket_and_account_flags_combine_one_by_one() {
        let bucket_half = PublicAccessBlock { block_public_acls: true, ignore_public_acls: true, ..PublicAccessBlock::default() };
        let account_half = PublicAccessBlock { block_public_policy: true, ..PublicAccessBlock::default() };
        let (pab, _) = effective(
            inventory()
                .account(account(MGMT).trail(trail(MAIN_TRAIL)))
                .account(account(LOG_ARCHIVE).public_access_block(account_half))
                .bucket(bucket("central-logs").owned_by(LOG_ARCHIVE).public_access_block(bucket_half)),
        );
        assert_eq!(
            pab,
            serde_json::json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": false})
        );
    }

    #[test]
    fn a_fully_blocking_bucket_setting_needs_no_account_setting() {
        let (pab, unreadable) = effective(
            inventory()
                .account(account(MGMT).trail(trail(MAIN_TRAIL)))
                .account(account(LOG_ARCHIVE).public_access_block_unreadable(UnreadableReason::AccessDenied))
                .bucket(bucket("central-logs").owned_by(LOG_ARCHIVE).public_access_block(all_blocked())),
        );
        assert_eq!(pab, all_true());
        assert!(!unreadable.iter().any(|n| n.contains("public_access_block")), "got {unreadable:?}");
    }

    #[test]
    fn neither_bucket_nor_account_setting_means_nothing_blocked() {
        let (pab, _) = effective(
            inventory()
                .account(account(MGMT).trail(trail(MAIN_TRAIL)))
                .account(account(LOG_ARCHIVE))
                .bucket(bucket("central-logs").owned_by(LOG_ARCHIVE)),
        );
        assert_eq!(pab, all_false());
    }

    #[test]
    fn the_fallback_is_unknown_when_the_owner_account_was_not_scanned() {
        let (pab, unreadable) =
            effective(inventory().account(account(MGMT).trail(trail(MAIN_TRAIL))).bucket(bucket("central-logs").owned_by(LOG_ARCHIVE)));
        assert_eq!(pab, Value::Null, "public_access_block must be absent");
        assert!(unreadable.iter().any(|n| n == "bucket.public_access_block"), "got {unreadable:?}");
    }

    #[test]
    fn the_fallback_is_unknown_when_the_account_setting_is_unreadable() {
        let (pab, unreadable) = effective(
            inventory()
                .account(account(MGMT).trail(trail(MAIN_TRAIL)))
                .account(account(LOG_ARCHIVE).public_access_block_unreadable(UnreadableReason::AccessDenied))
                .bucket(bucket("central-logs").owned_by(LOG_ARCHIVE)),
        );
        assert_eq!(pab, Value::Null, "public_access_block must be absent");
        assert!(unreadable.iter().any(|n| n == "bucket.public_access_block"), "got {unreadable:?}");
    }
}

// =============================================================================================
// Region subjects

mod regions {
    use super::*;

    fn region_names(subjects: &Subjects) -> Vec<&str> {
        subjects.regions.iter().map(|r| r.resource.region.as_str()).collect()
    }

    #[test]
    fn only_enabled_regions_are_subjects() {
        let subjects = inventory().account(account(MGMT).enabled_regions(["us-east-1"]).scanned_region("ap-east-1")).subjects();
        assert_eq!(region_names(&subjects), ["us-east-1"]);
    }

    #[test]
    fn every_scanned_region_is_kept_when_the_enabled_regions_are_unreadable() {
        let subjects =
            inventory().account(account(MGMT).scanned_region("ap-east-1").enabled_regions_unreadable(UnreadableReason::AccessDenied)).subjects();
        assert_eq!(region_names(&subjects), ["us-east-1", "ap-east-1"]);
    }

    #[test]
    fn the_region_resource_is_the_cloudtrail_pseudo_arn() {
        let subjects = inventory().account(account(MEMBER).regions(["eu-west-1"])).subjects();
        let expected = ResourceRef::new(
            "arn:aws:cloudtrail:eu-west-1:222222222222:trail".to_owned(),
            ResourceKind::Region,
            MEMBER.to_owned(),
            "eu-west-1".to_owned(),
        );
        assert_eq!(subjects.regions[0].resource, expected);
    }

    #[test]
    fn the_region_pseudo_arn_follows_the_partition() {
        let subjects = inventory().partition("aws-us-gov").account(account(MEMBER).regions(["us-gov-west-1"])).subjects();
        assert_eq!(subjects.regions[0].resource.arn, "arn:aws-us-gov:cloudtrail:us-gov-west-1:222222222222:trail");
    }

    #[test]
    fn a_region_where_describe_trails_failed_has_no_trails_listed_answer() {
        let subjects = inventory().account(account(MGMT).region_listing_unreadable("us-east-1", UnreadableReason::AccessDenied)).subjects();
        let region = &subjects.regions[0];
        assert!(json(region).get("trails_listed").is_none());
        assert!(unreadable_names(region).contains(&"region.trails_listed"), "got {:?}", unreadable_names(region));
    }

    #[test]
    fn a_region_subject_carries_the_accounts_trails() {
        let subjects = inventory()
            .organization(organization(MGMT))
            .account(account(MEMBER).regions(["us-east-1", "eu-west-1"]).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .subjects();
        assert_eq!(subjects.regions.len(), 2);
        for region in &subjects.regions {
            let view = json(region);
            assert_eq!(view["trails"][0]["arn"], ORG_TRAIL);
            assert_eq!(view["trails"][0]["inherited"], true);
        }
    }
}

// =============================================================================================
// Account subjects

mod accounts {
    use super::*;

    #[test]
    fn the_account_resource_is_the_security_hub_pseudo_arn() {
        let subjects = inventory().account(account(MEMBER)).subjects();
        let expected = ResourceRef::new("AWS::::Account:222222222222".to_owned(), ResourceKind::Account, MEMBER.to_owned(), "global".to_owned());
        assert_eq!(subjects.accounts[0].resource, expected);
    }

    #[test]
    fn each_scanned_account_is_one_subject() {
        let subjects = inventory().account(account(MGMT)).account(account(MEMBER)).subjects();
        let ids: Vec<&str> = subjects.accounts.iter().map(|a| a.resource.account.as_str()).collect();
        assert_eq!(ids, [MGMT, MEMBER]);
    }

    #[test]
    fn the_management_account_is_flagged() {
        let subjects = inventory().organization(organization(MGMT)).account(account(MGMT)).account(account(MEMBER)).subjects();
        assert_eq!(json(&subjects.accounts[0])["is_management_account"], true);
        assert_eq!(json(&subjects.accounts[1])["is_management_account"], false);
    }

    #[test]
    fn unreadable_enabled_regions_are_absent_and_named() {
        let subjects = inventory().account(account(MGMT).enabled_regions_unreadable(UnreadableReason::AccessDenied)).subjects();
        let subject = &subjects.accounts[0];
        assert!(json(subject).get("enabled_regions").is_none());
        assert!(unreadable_names(subject).contains(&"account.enabled_regions"));
    }
}

// =============================================================================================
// The organization subject

mod organization_subject {
    use super::*;

    #[test]
    fn there_is_always_exactly_one_organization_subject() {
        assert_eq!(inventory().account(account(MEMBER)).subjects().organization.len(), 1);
        assert_eq!(inventory().organization(organization(MGMT)).account(account(MGMT)).subjects().organization.len(), 1);
    }

    #[test]
    fn outside_an_organization_in_organization_is_false() {
        let subjects = inventory().not_in_organization().account(account(MEMBER)).subjects();
        let subject = &subjects.organization[0];
        assert_eq!(json(subject)["in_organization"], false);
        assert!(subject.unreadable.is_empty());
    }

    #[test]
    fn outside_an_organization_the_subject_is_the_callers_account() {
        let subjects = inventory().not_in_organization().account(account(MEMBER)).subjects();
        let expected = ResourceRef::new("AWS::::Account:222222222222".to_owned(), ResourceKind::Organization, MEMBER.to_owned(), "global".to_owned());
        assert_eq!(subjects.organization[0].resource, expected);
    }

    #[test]
    fn an_unreadable_organization_leaves_in_organization_out_and_names_it() {
        let subjects = inventory().organization_unreadable(UnreadableReason::AccessDenied).account(account(MEMBER)).subjects();
        let subject = &subjects.organization[0];
        assert!(json(subject).get("in_organization").is_none(), "got {:?}", json(subject).get("in_organization"));
        assert!(unreadable_names(subject).contains(&"organization"), "got {:?}", unreadable_names(subject));
    }

    #[test]
    fn in_an_organization_the_subject_is_the_organization_arn() {
        let subjects = inventory().organization(organization(MGMT)).account(account(MEMBER)).subjects();
        let subject = &subjects.organization[0];
        let expected = ResourceRef::new(organization_arn(MGMT), ResourceKind::Organization, MGMT.to_owned(), "global".to_owned());
        assert_eq!(subject.resource, expected);
        assert_eq!(json(subject)["in_organization"], true);
        assert_eq!(json(subject)["management_account_id"], MGMT);
    }

    #[test]
    fn only_cloudtrail_delegated_administrators_are_extracted() {
        let subjects = inventory()
            .organization(
                organization(MGMT)
                    .delegated_administrators(CLOUDTRAIL_PRINCIPAL, [LOG_ARCHIVE])
                    .delegated_administrators("config.amazonaws.com", [OUTSIDER]),
            )
            .account(account(MGMT))
            .subjects();
        assert_eq!(json(&subjects.organization[0])["cloudtrail_delegated_administrators"], json!([LOG_ARCHIVE]));
    }

    #[test]
    fn delegated_administrators_are_unknown_when_the_snapshot_has_no_answer_for_cloudtrail() {
        let subjects = inventory()
            .organization(
                organization(MGMT)
                    .without_delegated_administrators_for(CLOUDTRAIL_PRINCIPAL)
                    .delegated_administrators("config.amazonaws.com", [OUTSIDER]),
            )
            .account(account(MGMT))
            .subjects();
        let subject = &subjects.organization[0];
        assert!(json(subject).get("cloudtrail_delegated_administrators").is_none());
        assert!(unreadable_names(subject).contains(&"organization.cloudtrail_delegated_administrators"), "got {:?}", unreadable_names(subject));
    }

    #[test]
    fn delegated_administrators_are_unknown_when_the_listing_failed() {
        let subjects = inventory()
            .organization(organization(MGMT).delegated_administrators_unreadable(CLOUDTRAIL_PRINCIPAL, UnreadableReason::AccessDenied))
            .account(account(MGMT))
            .subjects();
        let subject = &subjects.organization[0];
        assert!(json(subject).get("cloudtrail_delegated_administrators").is_none());
        assert!(unreadable_names(subject).contains(&"organization.cloudtrail_delegated_administrators"));
    }

    #[test]
    fn organization_trails_of_the_scanned_management_account_are_listed() {
        let subjects = inventory()
            .organization(organization(MGMT))
            .account(account(MGMT).trail(trail(ORG_TRAIL).multi_region().organization_trail()).trail(trail(MAIN_TRAIL)))
            .account(account(MEMBER).trail(trail(ORG_TRAIL).multi_region().organization_trail()))
            .subjects();
        let trails = json(&subjects.organization[0])["organization_trails"].clone();
        assert_eq!(trails.as_array().map(Vec::len), Some(1));
        assert_eq!(trails[0]["arn"], ORG_TRAIL);
    }
}

// =============================================================================================
// Event data stores

mod event_data_stores {
    use super::*;

    #[test]
    fn an_event_data_store_is_a_subject_under_its_account_and_region() {
        const EDS: &str = "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/example-eds";
        let subjects = inventory().account(account(MGMT).event_data_store("us-east-1", EDS)).subjects();
        let expected = ResourceRef::new(EDS.to_owned(), ResourceKind::EventDataStore, MGMT.to_owned(), "us-east-1".to_owned());
        assert_eq!(subjects.event_data_stores.iter().map(|s| s.resource.clone()).collect::<Vec<_>>(), [expected]);
    }

    const AUDIT: &str = "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/audit-lake";
    const DENIED: &str = "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/denied-lake";
    const WEST: &str = "arn:aws:cloudtrail:eu-west-1:111111111111:eventdatastore/west-lake";

    fn get_denied() -> Unreadable {
        Unreadable::new(UnreadableReason::AccessDenied, "cloudtrail:GetEventDataStore", "400 AccessDeniedException: denied on this store")
    }

    /// Two stores in one region: audit-lake readable, with a customer managed key and Insights;
    /// denied-lake listed, but its GetEventDataStore refused.
    fn two_stores_one_unreadable() -> InventoryBuilder {
        let insights = vec![
            InsightSelector { insight_type: "ApiCallRateInsight".to_owned(), event_categories: vec![] },
            InsightSelector { insight_type: "ApiErrorRateInsight".to_owned(), event_categories: vec![] },
        ];
        inventory().account(
            account(MGMT)
                .event_data_store("us-east-1", AUDIT)
                .with_last_event_data_store("us-east-1", |s| {
                    let Fact::Value(d) = &mut s.details else { unreachable!() };
                    d.kms_key_id = Some("arn:aws:kms:us-east-1:111111111111:key/k1".to_owned());
                    s.insight_selectors = Fact::Value(insights);
                })
                .event_data_store("us-east-1", DENIED)
                .with_last_event_data_store("us-east-1", |s| s.details = Fact::Unreadable(get_denied())),
        )
    }

    fn store_subject<'a>(subjects: &'a Subjects, arn: &str) -> &'a Subject<EventDataStoreView> {
        subjects.event_data_stores.iter().find(|s| s.resource.arn == arn).expect("a subject for the store")
    }

    fn findings_of(inventory: &trailwarden_core::inventory::Inventory, rule: &str) -> Vec<(String, String, String)> {
        let rules = trailwarden_core::rules::load_builtin().expect("the built-in rules load");
        let evaluation = trailwarden_core::evaluate::evaluate(&rules, inventory, &trailwarden_core::config::Config::default());
        evaluation
            .findings
            .iter()
            .filter(|f| f.rule_id == rule)
            .map(|f| (f.resource.arn.clone(), f.outcome.as_str().to_owned(), f.message.clone()))
            .collect()
    }

    #[test]
    fn a_store_whose_configuration_could_not_be_read_stays_listed_without_it() {
        let subjects = two_stores_one_unreadable().subjects();
        assert_eq!(subjects.event_data_stores.len(), 2);
        let denied = json(store_subject(&subjects, DENIED));
        assert_eq!((denied["arn"].as_str(), denied["name"].as_str()), (Some(DENIED), Some("denied-lake")));
        for field in ["status", "retention_period", "billing_mode", "termination_protection_enabled", "kms_key_id", "organization_enabled"] {
            assert!(denied.get(field).is_none(), "{field} is absent, not null or false: {denied}");
        }
        assert_eq!(denied["insights"], json!({"api_call_rate": false, "api_error_rate": false}), "read on its own");
        let recorded = unreadable_names(store_subject(&subjects, DENIED));
        assert!(recorded.contains(&"event_data_store.kms_key_id") && !recorded.contains(&"event_data_store.insights"), "{recorded:?}");
        assert!(store_subject(&subjects, AUDIT).unreadable.is_empty());
        assert_eq!(json(store_subject(&subjects, AUDIT))["status"], "ENABLED");

        // The account lists both; only the denied store's configuration is missing.
        let account = subjects.accounts.iter().find(|a| a.resource.account == MGMT).unwrap();
        let listed = json(account)["event_data_stores"].as_array().expect("the account's list is readable").clone();
        assert_eq!(listed.len(), 2);
        let denied = listed.iter().find(|s| s["arn"] == DENIED).unwrap();
        assert!(denied.get("status").is_none() && denied.get("insights").is_some(), "{denied}");
        let labels: Vec<String> = account.unreadable.iter().map(|f| format!("{} = {}", f.path, f.label)).collect();
        assert!(labels.contains(&"account.event_data_stores[].status = event data store denied-lake (us-east-1) status".to_owned()), "{labels:?}");
    }

    #[test]
    fn only_the_unreadable_store_is_inconclusive_and_named_by_its_api() {
        let inventory = two_stores_one_unreadable().build();
        let cmk = findings_of(&inventory, "CT-LAKE-CMK");
        assert_eq!(cmk.len(), 2, "{cmk:?}");
        let audit = cmk.iter().find(|f| f.0 == AUDIT).unwrap();
        assert_eq!(audit.1, "pass", "{audit:?}");
        let denied = cmk.iter().find(|f| f.0 == DENIED).unwrap();
        assert_eq!(denied.1, "inconclusive", "{denied:?}");
        assert!(
            denied.2.contains("event data store denied-lake kms_key_id (access_denied on cloudtrail:GetEventDataStore: 400 AccessDeniedException"),
            "{denied:?}"
        );
        let retention = findings_of(&inventory, "CT-LAKE-RETENTION");
        let outcomes: Vec<(&str, &str)> = retention.iter().map(|f| (f.0.as_str(), f.1.as_str())).collect();
        assert_eq!(outcomes, [(AUDIT, "pass"), (DENIED, "inconclusive")]);
        // The account rule reads the list: a store with Insights that was read decides it.
        let insights = findings_of(&inventory, "CT-INSIGHTS");
        assert_eq!(insights.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(), ["pass"], "{insights:?}");
        assert!(insights[0].2.contains("Event data store audit-lake records Insights events"), "{insights:?}");
        // The scan's gaps name the store, once, with the API that failed.
        let gaps = trailwarden_core::inventory::gaps::gaps(&inventory);
        let about: Vec<(&str, &str)> = gaps.iter().map(|g| (g.api.as_str(), g.resource.as_str())).collect();
        assert_eq!(about, [("cloudtrail:GetEventDataStore", DENIED)]);
    }

    #[test]
    fn an_account_rule_is_inconclusive_when_it_needs_the_unreadable_configuration() {
        // In MEMBER, the only store with Insights is one whose status could not be read.
        let both = vec![
            InsightSelector { insight_type: "ApiCallRateInsight".to_owned(), event_categories: vec![] },
            InsightSelector { insight_type: "ApiErrorRateInsight".to_owned(), event_categories: vec![] },
        ];
        let denied_member = DENIED.replace(MGMT, MEMBER);
        let inventory = two_stores_one_unreadable()
            .account(account(MEMBER).event_data_store("us-east-1", &denied_member).with_last_event_data_store("us-east-1", |s| {
                s.details = Fact::Unreadable(get_denied());
                s.insight_selectors = Fact::Value(both);
            }))
            .build();
        let insights = findings_of(&inventory, "CT-INSIGHTS");
        let member = insights.iter().find(|f| f.0.contains(MEMBER)).unwrap();
        assert_eq!(member.1, "inconclusive", "{member:?}");
        assert!(member.2.contains("event data store denied-lake (us-east-1) status (access_denied on cloudtrail:GetEventDataStore"), "{member:?}");
        let mgmt = insights.iter().find(|f| f.0.contains(MGMT)).unwrap();
        assert_eq!(mgmt.1, "pass", "{mgmt:?}");
    }

    #[test]
    fn a_region_whose_listing_failed_leaves_the_account_list_unreadable_and_other_regions_judged() {
        let inventory = inventory()
            .account(
                account(MGMT)
                    .regions(["us-east-1", "eu-west-1"])
                    .event_data_store("eu-west-1", WEST)
                    .event_data_stores_unreadable("us-east-1", UnreadableReason::Error),
            )
            .build();
        let subjects = trailwarden_core::evaluate::views::build(&inventory);
        assert_eq!(subjects.event_data_stores.iter().map(|s| s.resource.arn.as_str()).collect::<Vec<_>>(), [WEST]);
        let account = subjects.accounts.iter().find(|a| a.resource.account == MGMT).unwrap();
        assert!(json(account).get("event_data_stores").is_none(), "a list missing a region's stores is not the account's list");
        assert_eq!(findings_of(&inventory, "CT-LAKE-RETENTION").iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), [WEST]);
    }
}
