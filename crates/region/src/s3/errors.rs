//! The one place catalog and storage failures become S3 error responses.

use s3s::{S3Error, S3ErrorCode};

use super::blobs::BlobError;
use super::catalog::CatalogError;
use crate::metadata::MetadataUnavailable;

impl From<CatalogError> for S3Error {
    fn from(error: CatalogError) -> Self {
        let code = match &error {
            CatalogError::NoSuchBucket => S3ErrorCode::NoSuchBucket,
            CatalogError::NoSuchKey => S3ErrorCode::NoSuchKey,
            CatalogError::NoSuchVersion => S3ErrorCode::NoSuchVersion,
            CatalogError::BucketNotEmpty => S3ErrorCode::BucketNotEmpty,
            CatalogError::BucketAlreadyOwnedByYou => S3ErrorCode::BucketAlreadyOwnedByYou,
            CatalogError::NoSuchUpload => S3ErrorCode::NoSuchUpload,
            CatalogError::InvalidPart(_) => S3ErrorCode::InvalidPart,
            CatalogError::InvalidPartOrder => S3ErrorCode::InvalidPartOrder,
            CatalogError::EntityTooSmall => S3ErrorCode::EntityTooSmall,
            CatalogError::Database(_) | CatalogError::Corrupt(_) => {
                tracing::error!(%error, "S3 catalog failure");
                S3ErrorCode::InternalError
            }
        };
        S3Error::with_message(code, error.to_string())
    }
}

impl From<MetadataUnavailable> for S3Error {
    fn from(error: MetadataUnavailable) -> Self {
        tracing::error!(%error, "metadata task failure");
        S3Error::with_message(S3ErrorCode::InternalError, error.to_string())
    }
}

impl From<BlobError> for S3Error {
    fn from(error: BlobError) -> Self {
        match error {
            // The client stopped sending or sent a malformed stream: its fault, not ours.
            BlobError::Body(message) => S3Error::with_message(
                S3ErrorCode::IncompleteBody,
                format!("The request body could not be read: {message}"),
            ),
            BlobError::Storage(error) => internal(error),
        }
    }
}

pub fn internal(error: impl std::fmt::Display) -> S3Error {
    tracing::error!(%error, "S3 storage failure");
    S3Error::with_message(S3ErrorCode::InternalError, error.to_string())
}

pub fn invalid_argument(message: impl Into<String>) -> S3Error {
    S3Error::with_message(S3ErrorCode::InvalidArgument, message.into())
}
