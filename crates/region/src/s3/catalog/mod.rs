//! SQL over buckets, object versions, uploads and parts. Each function that changes anything
//! runs in one transaction, so a crash leaves every object either fully there or absent.

mod buckets;
mod objects;
mod uploads;

use std::collections::HashSet;

use rusqlite::{Connection, Row};

pub use buckets::*;
pub use objects::*;
pub use uploads::*;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("The specified bucket does not exist")]
    NoSuchBucket,
    #[error("The specified key does not exist.")]
    NoSuchKey,
    #[error("The specified version does not exist.")]
    NoSuchVersion,
    #[error("The bucket you tried to delete is not empty")]
    BucketNotEmpty,
    #[error("Your previous request to create the named bucket succeeded and you already own it.")]
    BucketAlreadyOwnedByYou,
    #[error(
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    )]
    NoSuchUpload,
    #[error("{0}")]
    InvalidPart(String),
    #[error("The list of parts was not in ascending order. Parts must be ordered by part number.")]
    InvalidPartOrder,
    #[error("Your proposed upload is smaller than the minimum allowed object size.")]
    EntityTooSmall,
    #[error("metadata database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("stored record is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
}

type Result<T> = std::result::Result<T, CatalogError>;

/// A JSON column (headers, metadata, tags, checksums); what does not parse reads as empty, as
/// it did before the column held anything.
fn json_column<T: serde::de::DeserializeOwned + Default>(
    row: &Row<'_>,
    index: usize,
) -> rusqlite::Result<T> {
    Ok(serde_json::from_str(&row.get::<_, String>(index)?).unwrap_or_default())
}

/// Every blob a committed row refers to (for the start-up sweep).
pub fn referenced_blobs(connection: &Connection) -> Result<HashSet<String>> {
    let mut referenced = HashSet::new();
    for sql in [
        "SELECT blob FROM objects WHERE blob IS NOT NULL",
        "SELECT blob FROM parts",
    ] {
        let mut statement = connection.prepare(sql)?;
        for blob in statement.query_map([], |row| row.get::<_, String>(0))? {
            referenced.insert(blob?);
        }
    }
    Ok(referenced)
}
