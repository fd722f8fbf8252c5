//! What a trail's event selectors record: docs/architecture.md §4 (management events) and the
//! data-event rules of §2.4 (CT-S3-DATA-EVENTS-WRITE/READ, CT-LAMBDA-DATA-EVENTS).

use crate::common::*;
use trailwarden_core::evaluate::views::selectors::{
    data_coverage, lambda_all_prefixes, management_coverage, s3_all_prefixes, DataEventCoverage, ManagementCoverage,
};
use trailwarden_core::inventory::EventSelectors;

const KMS: &str = "kms.amazonaws.com";
const RDS_DATA: &str = "rdsdata.amazonaws.com";

fn custom(selectors: &EventSelectors) -> ManagementCoverage {
    management_coverage(true, Some(selectors)).expect("readable selectors give a known coverage")
}

fn s3(selectors: &EventSelectors) -> DataEventCoverage {
    data_coverage(selectors, "AWS::S3::Object", &s3_all_prefixes("aws"))
}

fn lambda(selectors: &EventSelectors) -> DataEventCoverage {
    data_coverage(selectors, "AWS::Lambda::Function", &lambda_all_prefixes("aws"))
}

fn all_management() -> ManagementCoverage {
    ManagementCoverage { any: true, read_any: true, write_any: true, read: true, write: true, all: true, excluded_sources: vec![] }
}

// =============================================================================================
// Management events (§0.2)

mod management_default {
    use super::*;

    #[test]
    fn no_custom_selectors_with_an_empty_selector_list_records_all_management_events() {
        assert_eq!(management_coverage(false, Some(&EventSelectors::default())), Some(all_management()));
    }

    #[test]
    fn no_custom_selectors_records_all_even_when_the_selectors_could_not_be_read() {
        assert_eq!(management_coverage(false, None), Some(all_management()));
    }

    #[test]
    fn no_custom_selectors_ignores_whatever_the_selector_list_says() {
        let write_only = basic_only([basic("WriteOnly")]);
        assert_eq!(management_coverage(false, Some(&write_only)), Some(all_management()));
    }

    #[test]
    fn custom_selectors_that_could_not_be_read_give_an_unknown_coverage() {
        assert_eq!(management_coverage(true, None), None);
    }

    #[test]
    fn custom_selectors_with_an_empty_list_record_no_management_events() {
        let coverage = custom(&EventSelectors::default());
        assert!(!coverage.any);
        assert!(!coverage.all);
    }
}

mod management_basic {
    use super::*;

    #[test]
    fn read_write_all_with_management_events_records_all() {
        assert_eq!(custom(&basic_only([basic("All")])), all_management());
    }

    #[test]
    fn read_only_records_read_but_not_write_nor_all() {
        let coverage = custom(&basic_only([basic("ReadOnly")]));
        assert!(coverage.any && coverage.read);
        assert!(!coverage.write);
        assert!(!coverage.all);
    }

    #[test]
    fn write_only_records_write_but_not_read_nor_all() {
        let coverage = custom(&basic_only([basic("WriteOnly")]));
        assert!(coverage.any && coverage.write);
        assert!(!coverage.read);
        assert!(!coverage.all);
    }

    #[test]
    fn a_data_only_selector_is_not_management_coverage() {
        let data_only = basic("All").no_management_events().s3(["arn:aws:s3"]);
        let coverage = custom(&basic_only([data_only]));
        assert_eq!(coverage, ManagementCoverage::default());
    }

    #[test]
    fn excluded_kms_and_rds_data_sources_are_not_all_but_still_any() {
        let coverage = custom(&basic_only([basic("All").excluding([RDS_DATA, KMS])]));
        assert!(coverage.any);
        assert!(!coverage.all);
        assert!(!coverage.read && !coverage.write, "read/write require no excluded source");
        assert_eq!(coverage.excluded_sources, [KMS, RDS_DATA]);
    }

    #[test]
    fn read_only_and_write_only_selectors_give_read_and_write_but_not_all() {
        let coverage = custom(&basic_only([basic("ReadOnly"), basic("WriteOnly")]));
        assert!(coverage.read && coverage.write, "accept_split_read_write needs both");
        assert!(!coverage.all, "§0.2: one selector must record read and write");
    }

    #[test]
    fn one_clean_all_selector_is_enough_beside_a_selector_with_exclusions() {
        let coverage = custom(&basic_only([basic("All").excluding([KMS]), basic("All")]));
        assert!(coverage.all);
        assert_eq!(coverage.excluded_sources, [KMS]);
    }
}

mod management_advanced {
    use super::*;

    #[test]
    fn management_category_without_read_only_field_records_all() {
        let coverage = custom(&advanced_only([advanced([category("Management")])]));
        assert_eq!(coverage, all_management());
    }

    #[test]
    fn read_only_equals_true_records_read_only() {
        let coverage = custom(&advanced_only([advanced([category("Management"), equals("readOnly", ["true"])])]));
        assert!(coverage.any && coverage.read);
        assert!(!coverage.write && !coverage.all);
    }

    #[test]
    fn read_only_equals_false_records_write_only() {
        let coverage = custom(&advanced_only([advanced([category("Management"), equals("readOnly", ["false"])])]));
        assert!(coverage.any && coverage.write);
        assert!(!coverage.read && !coverage.all);
    }

    #[test]
    fn event_source_not_equals_kms_is_an_exclusion() {
        let selector = advanced([category("Management"), not_equals("eventSource", [KMS])]);
        let coverage = custom(&advanced_only([selector]));
        assert!(coverage.any);
        assert!(!coverage.all);
        assert_eq!(coverage.excluded_sources, [KMS]);
    }

    #[test]
    fn event_source_not_starts_with_is_an_exclusion() {
        let selector = advanced([category("Management"), not_starts_with("eventSource", ["rdsdata."])]);
        let coverage = custom(&advanced_only([selector]));
        assert!(coverage.any && !coverage.all);
        assert!(!coverage.excluded_sources.is_empty());
    }

    #[test]
    fn a_positive_event_source_filter_is_not_all() {
        let selector = advanced([category("Management"), equals("eventSource", ["iam.amazonaws.com"])]);
        let coverage = custom(&advanced_only([selector]));
        assert!(coverage.any);
        assert!(!coverage.all && !coverage.read && !coverage.write);
    }

    #[test]
    fn a_data_selector_is_not_management_coverage() {
        let selector = advanced([category("Data"), resource_type("AWS::S3::Object")]);
        assert_eq!(custom(&advanced_only([selector])), ManagementCoverage::default());
    }

    #[test]
    fn two_selectors_read_only_true_and_false_give_read_and_write_but_not_all() {
        let coverage = custom(&advanced_only([
            advanced([category("Management"), equals("readOnly", ["true"])]),
            advanced([category("Management"), equals("readOnly", ["false"])]),
        ]));
        assert!(coverage.read && coverage.write);
        assert!(!coverage.all);
    }
}

// =============================================================================================
// S3 data events (CT-S3-DATA-EVENTS-WRITE / READ)

mod s3_basic {
    use super::*;

    #[test]
    fn the_partition_prefix_arn_aws_s3_means_all_buckets() {
        let coverage = s3(&basic_only([basic("All").s3(["arn:aws:s3"])]));
        assert!(coverage.all_read && coverage.all_write && coverage.any);
        assert!(coverage.via_basic_selectors);
        assert!(coverage.scoped_resources.is_empty());
    }

    #[test]
    fn the_older_prefix_arn_aws_s3_colons_means_all_buckets() {
        let coverage = s3(&basic_only([basic("All").s3(["arn:aws:s3:::"])]));
        assert!(coverage.all_read && coverage.all_write);
    }

    #[test]
    fn a_specific_bucket_is_scoped_not_all() {
        let coverage = s3(&basic_only([basic("All").s3(["arn:aws:s3:::my-bucket/"])]));
        assert!(coverage.any);
        assert!(!coverage.all_read && !coverage.all_write);
        assert_eq!(coverage.scoped_resources, ["arn:aws:s3:::my-bucket/"]);
    }

    #[test]
    fn write_only_counts_for_write_only() {
        let coverage = s3(&basic_only([basic("WriteOnly").s3(["arn:aws:s3"])]));
        assert!(coverage.all_write);
        assert!(!coverage.all_read);
    }

    #[test]
    fn read_only_counts_for_read_only() {
        let coverage = s3(&basic_only([basic("ReadOnly").s3(["arn:aws:s3"])]));
        assert!(coverage.all_read);
        assert!(!coverage.all_write);
    }

    #[test]
    fn a_data_only_selector_still_records_data_events() {
        let coverage = s3(&basic_only([basic("All").no_management_events().s3(["arn:aws:s3"])]));
        assert!(coverage.all_read && coverage.all_write);
    }

    #[test]
    fn lambda_resources_are_not_s3_coverage() {
        let coverage = s3(&basic_only([basic("All").lambda(["arn:aws:lambda"])]));
        assert_eq!(coverage, DataEventCoverage::default());
    }

    #[test]
    fn management_only_selectors_record_no_data_events() {
        assert_eq!(s3(&basic_only([basic("All")])), DataEventCoverage::default());
    }
}

mod s3_advanced {
    use super::*;

    fn s3_data(extra: impl IntoIterator<Item = trailwarden_core::inventory::AdvancedFieldSelector>) -> EventSelectors {
        let mut fields = vec![category("Data"), resource_type("AWS::S3::Object")];
        fields.extend(extra);
        advanced_only([advanced(fields)])
    }

    #[test]
    fn data_category_and_s3_object_type_alone_records_all_in_both_directions() {
        let coverage = s3(&s3_data([]));
        assert!(coverage.all_read && coverage.all_write && coverage.any);
        assert!(!coverage.via_basic_selectors);
    }

    #[test]
    fn read_only_equals_true_records_all_reads_only() {
        let coverage = s3(&s3_data([equals("readOnly", ["true"])]));
        assert!(coverage.all_read);
        assert!(!coverage.all_write);
    }

    #[test]
    fn read_only_equals_false_records_all_writes_only() {
        let coverage = s3(&s3_data([equals("readOnly", ["false"])]));
        assert!(coverage.all_write);
        assert!(!coverage.all_read);
    }

    #[test]
    fn an_arn_starts_with_filter_is_scoped_not_all() {
        let coverage = s3(&s3_data([starts_with("resources.ARN", ["arn:aws:s3:::my-bucket/"])]));
        assert!(coverage.any);
        assert!(!coverage.all_read && !coverage.all_write);
        assert_eq!(coverage.scoped_resources, ["arn:aws:s3:::my-bucket/"]);
    }

    #[test]
    fn an_arn_not_starts_with_exclusion_is_not_all() {
        let coverage = s3(&s3_data([not_starts_with("resources.ARN", ["arn:aws:s3:::noisy-bucket/"])]));
        assert!(coverage.any);
        assert!(!coverage.all_read && !coverage.all_write);
    }

    #[test]
    fn an_event_name_filter_is_not_all() {
        let coverage = s3(&s3_data([equals("eventName", ["DeleteObject"])]));
        assert!(coverage.any);
        assert!(!coverage.all_read && !coverage.all_write);
    }

    #[test]
    fn a_management_selector_is_not_s3_coverage() {
        assert_eq!(s3(&advanced_only([advanced([category("Management")])])), DataEventCoverage::default());
    }

    #[test]
    fn another_resource_type_is_not_s3_coverage() {
        let selector = advanced([category("Data"), resource_type("AWS::DynamoDB::Table")]);
        assert_eq!(s3(&advanced_only([selector])), DataEventCoverage::default());
    }
}

// =============================================================================================
// Lambda data events (CT-LAMBDA-DATA-EVENTS)

mod lambda_data {
    use super::*;

    const FUNCTION: &str = "arn:aws:lambda:us-east-1:111111111111:function:my-function";

    #[test]
    fn the_partition_prefix_arn_aws_lambda_means_all_functions() {
        let coverage = lambda(&basic_only([basic("All").lambda(["arn:aws:lambda"])]));
        assert!(coverage.all_read && coverage.all_write && coverage.any);
    }

    #[test]
    fn a_specific_function_arn_is_scoped_not_all() {
        let coverage = lambda(&basic_only([basic("All").lambda([FUNCTION])]));
        assert!(coverage.any);
        assert!(!coverage.all_read && !coverage.all_write);
        assert_eq!(coverage.scoped_resources, [FUNCTION]);
    }

    #[test]
    fn s3_resources_are_not_lambda_coverage() {
        assert_eq!(lambda(&basic_only([basic("All").s3(["arn:aws:s3"])])), DataEventCoverage::default());
    }

    #[test]
    fn advanced_lambda_type_without_arn_narrowing_records_all_functions() {
        let selector = advanced([category("Data"), resource_type("AWS::Lambda::Function")]);
        let coverage = lambda(&advanced_only([selector]));
        assert!(coverage.all_read && coverage.all_write);
    }

    #[test]
    fn advanced_lambda_with_an_arn_filter_is_scoped_not_all() {
        let selector = advanced([category("Data"), resource_type("AWS::Lambda::Function"), equals("resources.ARN", [FUNCTION])]);
        let coverage = lambda(&advanced_only([selector]));
        assert!(!coverage.all_read && !coverage.all_write);
        assert_eq!(coverage.scoped_resources, [FUNCTION]);
    }
}

// =============================================================================================
// Partitions

mod partitions {
    use super::*;

    #[test]
    fn s3_all_prefixes_follow_the_partition() {
        assert_eq!(s3_all_prefixes("aws-us-gov"), ["arn:aws-us-gov:s3", "arn:aws-us-gov:s3:::"]);
    }

    #[test]
    fn lambda_all_prefix_follows_the_partition() {
        assert_eq!(lambda_all_prefixes("aws-cn"), ["arn:aws-cn:lambda"]);
    }

    #[test]
    fn the_gov_cloud_s3_prefix_means_all_buckets_in_gov_cloud() {
        let selectors = basic_only([basic("All").s3(["arn:aws-us-gov:s3"])]);
        let coverage = data_coverage(&selectors, "AWS::S3::Object", &s3_all_prefixes("aws-us-gov"));
        assert!(coverage.all_read && coverage.all_write);
    }

    #[test]
    fn the_commercial_s3_prefix_is_not_all_buckets_in_gov_cloud() {
        let selectors = basic_only([basic("All").s3(["arn:aws:s3"])]);
        let coverage = data_coverage(&selectors, "AWS::S3::Object", &s3_all_prefixes("aws-us-gov"));
        assert!(!coverage.all_read && !coverage.all_write);
    }

    #[test]
    fn the_gov_cloud_lambda_prefix_means_all_functions_in_gov_cloud() {
        let selectors = basic_only([basic("All").lambda(["arn:aws-us-gov:lambda"])]);
        let coverage = data_coverage(&selectors, "AWS::Lambda::Function", &lambda_all_prefixes("aws-us-gov"));
        assert!(coverage.all_read && coverage.all_write);
    }
}
