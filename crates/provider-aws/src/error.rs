//! AWS API failures turned into the message shown under a resource, in one place.

use std::error::Error as _;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use lathe_core::provider::ProviderError;

/// A failed call: what lathe was doing, and AWS's error code and message.
#[derive(Debug, thiserror::Error)]
#[error("{action}: {detail}")]
pub struct ApiError {
    pub action: String,
    /// AWS's error code (`BucketNotEmpty`), when the service sent one.
    pub code: Option<String>,
    pub detail: String,
}

impl ApiError {
    pub fn from_sdk<E, R>(action: impl Into<String>, error: SdkError<E, R>) -> ApiError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let action = action.into();
        match &error {
            SdkError::ServiceError(service) => {
                let inner = service.err();
                let code = inner.code().map(str::to_string);
                let message = inner
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| inner.to_string());
                let detail = match &code {
                    Some(code) => format!("{code}: {message}"),
                    None => message,
                };
                ApiError {
                    action,
                    code,
                    detail,
                }
            }
            _ => {
                // Connection and credential failures hide their cause in the source chain.
                let mut detail = error.to_string();
                let mut source = error.source();
                while let Some(cause) = source {
                    detail.push_str(": ");
                    detail.push_str(&cause.to_string());
                    source = cause.source();
                }
                ApiError {
                    action,
                    code: None,
                    detail,
                }
            }
        }
    }

    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// Whether AWS said the object does not exist (each service spells it its own way).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some(
                "NoSuchEntity"
                    | "NoSuchBucket"
                    | "NoSuchKey"
                    | "NotFound"
                    | "404"
                    | "NoSuchTagSet"
                    | "NoSuchTagSetError"
            )
        )
    }
}

impl From<ApiError> for ProviderError {
    fn from(error: ApiError) -> ProviderError {
        ProviderError::new(error.to_string())
    }
}

/// Shorthand: `.map_err(api("creating bucket x"))`.
pub fn api<E, R>(action: impl Into<String>) -> impl FnOnce(SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let action = action.into();
    move |error| ApiError::from_sdk(action, error)
}
