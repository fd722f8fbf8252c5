//! From SDK errors to the reasons recorded in the inventory.

use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::display::DisplayErrorContext;
use trailwarden_core::inventory::{Unreadable, UnreadableReason};

/// Error codes that mean "the caller may not".
const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "AuthFailure",
    "InsufficientDependencyServiceAccessPermissionException",
    "NoSuchEntityException_AccessDenied",
    "AllAccessDisabled",
    "InvalidClientTokenId",
    "ExpiredToken",
];

/// Error codes that mean "what holds the fact does not exist".
const NOT_FOUND: &[&str] = &[
    "NoSuchBucket",
    "NotFound",
    "NoSuchEntity",
    "NotFoundException",
    "ResourceNotFoundException",
    "TrailNotFoundException",
    "EventDataStoreNotFoundException",
    "NoSuchKey",
];

/// Error codes that mean "this endpoint does not implement the API".
const UNSUPPORTED: &[&str] = &[
    "UnknownOperationException",
    "InvalidAction",
    "NotImplemented",
    "UnsupportedOperation",
    "UnsupportedOperationException",
    "OperationNotSupportedException",
    "UnsupportedCommandException",
];

/// The error code of an SDK error, when the service sent one.
pub fn code<E: ProvideErrorMetadata>(err: &SdkError<E, Response>) -> Option<&str> {
    match err {
        SdkError::ServiceError(e) => e.err().code(),
        _ => None,
    }
}

/// Classifies an SDK error into an inventory `Unreadable` for `api` (`service:Operation`).
pub fn unreadable<E>(api: &str, err: &SdkError<E, Response>) -> Unreadable
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (reason, detail) = match err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service.err().code().unwrap_or_default();
            let message = service.err().message().unwrap_or_default();
            let body = service.raw().body().bytes().map(String::from_utf8_lossy).unwrap_or_default();
            let reason = classify(code, status, message, &body);
            let detail = match (code.is_empty(), message.is_empty()) {
                (false, false) => format!("{status} {code}: {message}"),
                (false, true) => format!("{status} {code}"),
                _ => format!("HTTP {status}: {}", body.chars().filter(|c| !c.is_control()).take(200).collect::<String>()),
            };
            (reason, detail)
        }
        SdkError::TimeoutError(_) => (UnreadableReason::Error, "the call timed out".to_owned()),
        other => (UnreadableReason::Error, DisplayErrorContext(other).to_string()),
    };
    Unreadable { reason, api: Some(api.to_owned()), detail: Some(detail) }
}

fn classify(code: &str, status: u16, message: &str, body: &str) -> UnreadableReason {
    if ACCESS_DENIED.contains(&code) || (code.is_empty() && status == 403) {
        UnreadableReason::AccessDenied
    } else if NOT_FOUND.contains(&code) || (code.is_empty() && status == 404) {
        UnreadableReason::NotFound
    } else if UNSUPPORTED.contains(&code) || status == 501 || not_implemented(message) || (status == 500 && not_implemented(body)) {
        UnreadableReason::Unsupported
    } else {
        UnreadableReason::Error
    }
}

/// Endpoints that emulate AWS answer an unimplemented API with a 500 whose body says so.
fn not_implemented(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("not been implemented") || lower.contains("not yet implemented") || lower.contains("notimplemented")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify("AccessDenied", 403, "", ""), UnreadableReason::AccessDenied);
        assert_eq!(classify("", 403, "", ""), UnreadableReason::AccessDenied);
        assert_eq!(classify("TrailNotFoundException", 400, "", ""), UnreadableReason::NotFound);
        assert_eq!(classify("", 404, "", ""), UnreadableReason::NotFound);
        assert_eq!(
            classify("", 500, "", "<html>NotImplementedError: The list_event_data_stores action has not been implemented</html>"),
            UnreadableReason::Unsupported
        );
        assert_eq!(classify("InternalFailure", 500, "boom", "{}"), UnreadableReason::Error);
        assert_eq!(classify("ThrottlingException", 400, "Rate exceeded", ""), UnreadableReason::Error);
    }
}
