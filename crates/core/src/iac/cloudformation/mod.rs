//! The CloudFormation source: `scan --cloudformation FILE...`. Each template (YAML with or
//! without short-form tags, or JSON) is parsed (parse.rs), its intrinsic functions resolved
//! against its parameters' defaults, pseudo parameters, mappings and conditions
//! (intrinsics.rs), its trails, buckets, keys and event data stores mapped into the inventory
//! (resources.rs), each at the line of its logical ID (locate.rs).

mod intrinsics;
mod locate;
mod parse;
mod resources;

use super::{SourceInventory, SourceScope};
use crate::diagnostic::Diagnostic;
use crate::inventory::Inventory;
use std::path::PathBuf;

/// Reads the templates into one inventory, their resources in one placeholder account and
/// Region (a template names neither; they are chosen when a stack is created).
pub fn load(paths: &[PathBuf]) -> Result<Inventory, Diagnostic> {
    let mut source = SourceInventory::new(SourceScope::default());
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| Diagnostic::file(path, format!("cannot read the template: {e}")))?;
        let tree = parse::template(path, &text)?;
        let lines = locate::resource_lines(&text);
        resources::map(&mut source, path, &tree, &lines)?;
    }
    Ok(source.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::UnreadableReason;
    use std::path::Path;

    /// Loads templates given as (file name, text), as `load` reads them from disk.
    fn load_texts(templates: &[(&str, &str)]) -> Result<Inventory, Diagnostic> {
        let mut source = SourceInventory::new(SourceScope::default());
        for (name, text) in templates {
            let path = Path::new(name);
            resources::map(&mut source, path, &parse::template(path, text)?, &locate::resource_lines(text))?;
        }
        Ok(source.finish())
    }

    fn trail_with(is_logging: &str, parameters: &str) -> String {
        format!("{parameters}Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      S3BucketName: logs\n{is_logging}")
    }

    #[test]
    fn is_logging_is_declared_and_the_status_stays_not_in_source() {
        let inventory = load_texts(&[("t.yaml", &trail_with("      IsLogging: false\n", ""))]).unwrap();
        let trail = &inventory.accounts[0].trails[0];
        assert_eq!(trail.declared_logging, Some(false));
        assert_eq!(trail.status.unreadable().map(|u| u.reason), Some(UnreadableReason::NotInSource));
        assert_eq!(trail.is_logging(), Ok(false));
        let on = load_texts(&[("t.yaml", &trail_with("      IsLogging: \"true\"\n", ""))]).unwrap();
        assert_eq!(on.accounts[0].trails[0].is_logging(), Ok(true));
    }

    #[test]
    fn is_logging_from_a_parameter_takes_its_default_and_without_one_stays_undecided() {
        let with_default = "Parameters:\n  Logging:\n    Type: String\n    Default: \"false\"\n";
        let inventory = load_texts(&[("t.yaml", &trail_with("      IsLogging: !Ref Logging\n", with_default))]).unwrap();
        assert_eq!(inventory.accounts[0].trails[0].declared_logging, Some(false));

        let without = "Parameters:\n  Logging:\n    Type: String\n";
        let inventory = load_texts(&[("t.yaml", &trail_with("      IsLogging: !Ref Logging\n", without))]).unwrap();
        let trail = &inventory.accounts[0].trails[0];
        assert_eq!(trail.declared_logging, None, "known only at deployment: undecided, and the template is not refused");
        assert_eq!(trail.is_logging().map_err(|u| u.reason), Err(UnreadableReason::NotInSource));
    }

    #[test]
    fn a_setting_from_a_parameter_without_a_default_is_unknown_not_refused_nor_false() {
        use crate::inventory::TrailSetting;
        let without = "Parameters:\n  MultiRegion:\n    Type: String\n";
        let text = trail_with("      IsLogging: true\n      IsMultiRegionTrail: !Ref MultiRegion\n      EnableLogFileValidation: true\n", without);
        let inventory = load_texts(&[("t.yaml", &text)]).unwrap();
        let trail = &inventory.accounts[0].trails[0];
        let unknown = trail.checked(TrailSetting::IsMultiRegionTrail, trail.is_multi_region_trail).unwrap_err();
        assert_eq!(unknown.reason, UnreadableReason::UnknownUntilApply);
        assert!(unknown.to_string().contains("IsMultiRegionTrail"), "{unknown}");
        assert_eq!(trail.checked(TrailSetting::LogFileValidationEnabled, trail.log_file_validation_enabled), Ok(true));
        assert_eq!(trail.unknown_settings.len(), 1);
        let gaps = crate::inventory::gaps::gaps(&inventory);
        assert!(gaps.iter().any(|g| g.reason == UnreadableReason::UnknownUntilApply && g.detail.contains("IsMultiRegionTrail")), "{gaps:?}");

        let error = load_texts(&[("t.yaml", &trail_with("      IsLogging: true\n      IsMultiRegionTrail: maybe\n", ""))]).unwrap_err();
        assert!(error.message.contains("Properties.IsMultiRegionTrail must be true or false"), "{}", error.message);
    }

    #[test]
    fn names_from_parameters_without_a_default_are_unknown_and_the_bucket_a_stand_in() {
        use crate::inventory::TrailSetting;
        let without = "Parameters:\n  Bucket:\n    Type: String\n  Key:\n    Type: String\n  Prefix:\n    Type: String\n";
        let text = trail_with("      IsLogging: true\n      KMSKeyId: !Ref Key\n      S3KeyPrefix: !Ref Prefix\n", without)
            .replace("S3BucketName: logs", "S3BucketName: !Ref Bucket");
        assert!(text.contains("!Ref Bucket"), "the fixture names its bucket by parameter: {text}");
        let inventory = load_texts(&[("t.yaml", &text)]).unwrap();
        let trail = &inventory.accounts[0].trails[0];
        for setting in [TrailSetting::KmsKeyId, TrailSetting::S3KeyPrefix] {
            let unknown = trail.unknown_settings.get(&setting).unwrap_or_else(|| panic!("{setting:?} unknown: {trail:?}"));
            assert_eq!(unknown.reason, UnreadableReason::UnknownUntilApply);
        }
        assert_eq!(trail.checked(TrailSetting::SnsTopicArn, trail.sns_topic_arn.as_deref()), Ok(None), "absent: no topic");
        let named = load_texts(&[("t.yaml", &trail_with("      IsLogging: true\n      SnsTopicName: alerts\n", ""))]).unwrap();
        let topic = named.accounts[0].trails[0].sns_topic_arn.clone();
        assert_eq!(topic.as_deref(), Some("arn:aws:sns:us-east-1:000000000000:alerts"), "a topic name is held as the ARN DescribeTrails gives");
        assert_eq!(trail.s3_bucket_name, "Trail.S3BucketName");
        let bucket = inventory.buckets.iter().find(|b| b.name == trail.s3_bucket_name).expect("a stand-in bucket");
        assert_eq!(bucket.versioning.unreadable().map(|u| u.reason), Some(UnreadableReason::UnknownUntilApply));
        assert!(inventory.kms_keys.is_empty(), "no key is made up for an unknown key id: {:?}", inventory.kms_keys);

        let error = load_texts(&[("t.yaml", &trail_with("      IsLogging: true\n      KMSKeyId: [a, b]\n", ""))]).unwrap_err();
        assert!(error.message.contains("Properties.KMSKeyId must be a string"), "{}", error.message);
    }

    #[test]
    fn an_is_logging_that_is_not_a_boolean_is_an_error_naming_the_property() {
        let error = load_texts(&[("t.yaml", &trail_with("      IsLogging: sometimes\n", ""))]).unwrap_err();
        assert!(error.message.contains("Resources.Trail: Properties.IsLogging must be true or false"), "{}", error.message);
        assert_eq!(error.line, Some(2));
    }
}
