//! Unreadable bookkeeping: each subject lists the facts that could not be read, each by the
//! binding path a rule reads it with (the grammar of `evaluate::sources`: `bucket.versioning`,
//! `account.trails[].is_logging`), so that an `inconclusive` message names exactly the failed
//! reads the rule depends on — decided by comparing paths, not by reading error text.

use crate::inventory::{Fact, Unreadable, UnreadableReason};
use std::fmt;

/// A fact of a subject that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadableField {
    /// The binding path a rule names it by; inside a list, the element's fields follow `[]`.
    pub path: String,
    /// How a message names it: the path, or the element it belongs to and its field
    /// (`trail org-trail is_logging`, `account.event_data_stores (us-east-1)`).
    pub label: String,
    pub unreadable: Unreadable,
}

impl UnreadableField {
    /// A fact named in messages by its path.
    pub fn new(path: impl Into<String>, unreadable: Unreadable) -> Self {
        let path = path.into();
        UnreadableField { label: path.clone(), path, unreadable }
    }

    /// A fact of one element of a list, or one part of a combined fact, named by `label`.
    pub fn labelled(path: impl Into<String>, label: String, unreadable: Unreadable) -> Self {
        UnreadableField { path: path.into(), label, unreadable }
    }

    /// Whether a rule that reads binding path `read` depends on this fact: the same path, or a
    /// path inside it. (A rule that reads a list reads the fields of its elements by their own
    /// paths, `account.trails[].is_logging`; the list alone does not read them all.)
    pub fn is_read_by(&self, read: &str) -> bool {
        read == self.path || read.strip_prefix(self.path.as_str()).is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]"))
    }
}

impl fmt::Display for UnreadableField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.label, self.unreadable)
    }
}

/// A fact the views need but the snapshot does not hold (a bucket or key no trail's owner
/// could describe): unreadable, never taken as absent.
pub(super) fn not_collected(api: &str, what: &str) -> Unreadable {
    Unreadable { reason: UnreadableReason::Error, api: Some(api.to_owned()), detail: Some(format!("{what} is not in the snapshot")) }
}

/// Records a fact of the inventory that could not be read under the path a rule reads it by.
pub(super) fn push_unreadable<T>(out: &mut Vec<UnreadableField>, path: &str, fact: &Fact<T>) {
    if let Fact::Unreadable(u) = fact {
        out.push(UnreadableField::new(path, u.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(path: &str) -> UnreadableField {
        UnreadableField::new(path, Unreadable::new(UnreadableReason::AccessDenied, "x:Y", "no"))
    }

    #[test]
    fn a_fact_is_read_by_its_path_and_what_is_inside_it() {
        let logging = field("account.trails[].is_logging");
        assert!(logging.is_read_by("account.trails[].is_logging"));
        assert!(!logging.is_read_by("account.trails"));
        assert!(!logging.is_read_by("account.trails[].is_logging_extra"));
        assert!(!logging.is_read_by("account.trails[].name"));
        let pab = field("bucket.public_access_block");
        assert!(pab.is_read_by("bucket.public_access_block.block_public_acls"));
        assert!(!pab.is_read_by("bucket.policy"));
    }

    #[test]
    fn messages_name_the_fact_and_why() {
        let u = Unreadable::new(UnreadableReason::AccessDenied, "s3:GetBucketLogging", "denied");
        assert_eq!(UnreadableField::new("bucket.logging", u.clone()).to_string(), "bucket.logging (access_denied on s3:GetBucketLogging: denied)");
        let labelled = UnreadableField::labelled("account.trails[].is_logging", "trail main is_logging".to_owned(), u);
        assert!(labelled.to_string().starts_with("trail main is_logging ("));
    }
}
