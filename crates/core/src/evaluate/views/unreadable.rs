//! Unreadable bookkeeping: each subject lists the facts that could not be read, by the path
//! a rule names them with, so that an `inconclusive` message can say which read failed and why.

use crate::inventory::{Fact, Unreadable, UnreadableReason};

/// A fact the views need but the snapshot does not hold (a bucket or key no trail's owner
/// could describe): unreadable, never taken as absent.
pub(super) fn not_collected(api: &str, what: &str) -> Unreadable {
    Unreadable { reason: UnreadableReason::Error, api: Some(api.to_owned()), detail: Some(format!("{what} is not in the snapshot")) }
}

/// Records a fact of the inventory that could not be read under the name a rule reads it by.
pub(super) fn push_unreadable<T>(out: &mut Vec<(String, Unreadable)>, name: &str, fact: &Fact<T>) {
    if let Fact::Unreadable(u) = fact {
        out.push((name.to_owned(), u.clone()));
    }
}
