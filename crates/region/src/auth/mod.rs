//! Who is calling: the key store (root and temporary credentials), SigV4 verification for the
//! query-protocol services, s3s's hooks for S3, and policy-based authorization.

pub mod authorize;
pub mod keys;
pub mod s3_hooks;
pub mod sigv4;
pub mod uri;

pub use keys::{Caller, KeyStore};

/// Why a request was not authenticated; each protocol renders it in its own error shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Request is missing Authentication Token")]
    MissingAuthenticationToken,
    #[error("The security token included in the request is invalid: unknown access key {0:?}.")]
    UnknownAccessKey(String),
    #[error("{0}")]
    SignatureDoesNotMatch(String),
    #[error("{0}")]
    IncompleteSignature(String),
    #[error("The security token included in the request is expired")]
    ExpiredToken,
    #[error("The security token included in the request is invalid.")]
    InvalidToken,
    /// The key store could not be read (a server fault, not the caller's).
    #[error("credentials could not be checked: {0}")]
    Unavailable(String),
}

impl AuthError {
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MissingAuthenticationToken => "MissingAuthenticationToken",
            AuthError::UnknownAccessKey(_) => "InvalidClientTokenId",
            AuthError::SignatureDoesNotMatch(_) => "SignatureDoesNotMatch",
            AuthError::IncompleteSignature(_) => "IncompleteSignature",
            AuthError::ExpiredToken => "ExpiredToken",
            AuthError::InvalidToken => "InvalidClientTokenId",
            AuthError::Unavailable(_) => "InternalFailure",
        }
    }
}
