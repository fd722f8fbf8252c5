//! From SDK errors to the reasons recorded in the inventory.

use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
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
];

/// Error codes that mean "the endpoint did not accept the credentials": unknown, invalid or
/// expired keys or session tokens, and also the answer of a Region the account has not
/// enabled (an opt-in Region does not know the account's credentials). Not a refusal by a
/// policy: the request was never authorized or denied.
/// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html (InvalidClientTokenId,
/// ExpiredToken), https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/CommonErrors.html
/// (UnrecognizedClientException), https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
/// (InvalidAccessKeyId, InvalidToken, ExpiredToken, SignatureDoesNotMatch),
/// https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html (credentials
/// are not valid in a Region that is not enabled).
const CREDENTIALS_REJECTED: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "InvalidToken",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// Error codes that mean "the request went to another Region than the resource's" (S3):
/// PermanentRedirect (301, the bucket is in another Region), AuthorizationHeaderMalformed (400,
/// signed for the wrong Region), IllegalLocationConstraintException (400, the Region does not
/// serve the bucket). https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
const WRONG_REGION: &[&str] = &["PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"];

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
        other => (UnreadableReason::Error, chain(other)),
    };
    Unreadable { reason, api: Some(api.to_owned()), detail: Some(detail) }
}

fn classify(code: &str, status: u16, message: &str, body: &str) -> UnreadableReason {
    if CREDENTIALS_REJECTED.contains(&code) {
        UnreadableReason::CredentialsRejected
    } else if WRONG_REGION.contains(&code) || (code.is_empty() && status == 301) {
        UnreadableReason::WrongRegion
    } else if ACCESS_DENIED.contains(&code) || (code.is_empty() && status == 403) {
        UnreadableReason::AccessDenied
    } else if NOT_FOUND.contains(&code) || (code.is_empty() && status == 404) {
        UnreadableReason::NotFound
    } else if UNSUPPORTED.contains(&code) || status == 501 || not_implemented(message) || (status == 500 && not_implemented(body)) {
        UnreadableReason::Unsupported
    } else {
        UnreadableReason::Error
    }
}

/// An error and its causes, each said once, as words: `outer: cause: root cause`. The SDK's
/// own `DisplayErrorContext` ends with a Debug dump of the nested error structures, which is no
/// message for a person.
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// The first error of `err`'s chain (itself included) of type `T`.
pub fn find<'a, T: std::error::Error + 'static>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a T> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// The credentials error of the chain when it says that the credential provider chain found no
/// credentials at all.
pub fn no_credentials<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a (dyn std::error::Error + 'static)> {
    use aws_credential_types::provider::error::CredentialsError;
    match find::<CredentialsError>(err) {
        Some(missing @ CredentialsError::CredentialsNotLoaded(_)) => Some(missing),
        _ => None,
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
        for code in ["UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId"] {
            assert_eq!(classify(code, 403, "", ""), UnreadableReason::CredentialsRejected, "{code}");
        }
        assert_eq!(classify("PermanentRedirect", 301, "", ""), UnreadableReason::WrongRegion);
        assert_eq!(classify("", 301, "", ""), UnreadableReason::WrongRegion);
        assert_eq!(classify("AuthorizationHeaderMalformed", 400, "", ""), UnreadableReason::WrongRegion);
        assert_eq!(classify("IllegalLocationConstraintException", 400, "", ""), UnreadableReason::WrongRegion);
    }
}
