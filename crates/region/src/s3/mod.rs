//! S3 over the `s3s` protocol layer, with our own storage: SQLite catalog plus object files.

pub mod blobs;
mod buckets;
pub mod catalog;
mod errors;
pub mod host;
mod listing;
mod multipart;
pub mod names;
mod objects;
pub mod records;
mod service;
mod tagging;
mod transfer;

use s3s::{S3Error, S3Result};

use crate::metadata::Metadata;
use blobs::BlobStore;

/// The storage behind the S3 protocol: what every S3 operation reads and writes.
#[derive(Debug, Clone)]
pub struct RegionS3 {
    metadata: Metadata,
    blobs: BlobStore,
    region: String,
}

impl RegionS3 {
    pub fn new(metadata: Metadata, blobs: BlobStore, region: String) -> Self {
        Self {
            metadata,
            blobs,
            region,
        }
    }

    /// Runs catalog work on the blocking pool, mapping its errors to S3's.
    async fn catalog<R, F>(&self, work: F) -> S3Result<R>
    where
        F: FnOnce(&mut rusqlite::Connection) -> Result<R, catalog::CatalogError> + Send + 'static,
        R: Send + 'static,
    {
        self.metadata
            .run(move |connection| work(connection).map_err(S3Error::from))
            .await
    }

    /// Unlinks blobs that a committed change left without a row.
    async fn remove_blobs(&self, blobs: Vec<String>) {
        for blob in blobs {
            self.blobs.remove(&blob).await;
        }
    }
}
