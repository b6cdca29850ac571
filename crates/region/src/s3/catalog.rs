//! SQL over buckets, object versions, uploads and parts. Each function that changes anything
//! runs in one transaction, so a crash leaves every object either fully there or absent.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::records::{
    BucketRecord, NULL_VERSION, ObjectRecord, PartRecord, StoredChecksums, StoredHeaders,
    UploadRecord,
};
use crate::clock;

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

fn bucket_from_row(row: &Row<'_>) -> rusqlite::Result<BucketRecord> {
    Ok(BucketRecord {
        name: row.get(0)?,
        created_at: clock::from_text(&row.get::<_, String>(1)?),
        region: row.get(2)?,
        versioning: row.get(3)?,
    })
}

pub fn bucket(connection: &Connection, name: &str) -> Result<BucketRecord> {
    connection
        .query_row(
            "SELECT name, created_at, region, versioning FROM buckets WHERE name = ?1",
            [name],
            bucket_from_row,
        )
        .optional()?
        .ok_or(CatalogError::NoSuchBucket)
}

pub fn buckets(connection: &Connection) -> Result<Vec<BucketRecord>> {
    let mut statement = connection
        .prepare("SELECT name, created_at, region, versioning FROM buckets ORDER BY name")?;
    let rows = statement.query_map([], bucket_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn create_bucket(connection: &mut Connection, name: &str, region: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    let exists: bool = transaction.query_row(
        "SELECT EXISTS(SELECT 1 FROM buckets WHERE name = ?1)",
        [name],
        |row| row.get(0),
    )?;
    if exists {
        return Err(CatalogError::BucketAlreadyOwnedByYou);
    }
    transaction.execute(
        "INSERT INTO buckets (name, created_at, region) VALUES (?1, ?2, ?3)",
        params![name, clock::to_text(clock::now()), region],
    )?;
    transaction.commit()?;
    Ok(())
}

pub fn delete_bucket(connection: &mut Connection, name: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    bucket(&transaction, name)?;
    // Any version or delete marker, or an unfinished upload, keeps a bucket non-empty (AWS).
    let occupied: bool = transaction.query_row(
        "SELECT EXISTS(SELECT 1 FROM objects WHERE bucket = ?1)
             OR EXISTS(SELECT 1 FROM uploads WHERE bucket = ?1)",
        [name],
        |row| row.get(0),
    )?;
    if occupied {
        return Err(CatalogError::BucketNotEmpty);
    }
    transaction.execute("DELETE FROM buckets WHERE name = ?1", [name])?;
    transaction.commit()?;
    Ok(())
}

pub fn set_versioning(connection: &mut Connection, name: &str, status: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    bucket(&transaction, name)?;
    transaction.execute(
        "UPDATE buckets SET versioning = ?2 WHERE name = ?1",
        params![name, status],
    )?;
    transaction.commit()?;
    Ok(())
}

pub fn bucket_tags(connection: &Connection, name: &str) -> Result<Vec<(String, String)>> {
    bucket(connection, name)?;
    let mut statement =
        connection.prepare("SELECT key, value FROM bucket_tags WHERE bucket = ?1 ORDER BY key")?;
    let rows = statement.query_map([name], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_bucket_tags(
    connection: &mut Connection,
    name: &str,
    tags: &[(String, String)],
) -> Result<()> {
    let transaction = connection.transaction()?;
    bucket(&transaction, name)?;
    transaction.execute("DELETE FROM bucket_tags WHERE bucket = ?1", [name])?;
    for (key, value) in tags {
        transaction.execute(
            "INSERT INTO bucket_tags (bucket, key, value) VALUES (?1, ?2, ?3)",
            params![name, key, value],
        )?;
    }
    transaction.commit()?;
    Ok(())
}

const OBJECT_COLUMNS: &str = "bucket, key, version_id, is_latest, is_delete_marker, blob, size, \
     etag, content_type, headers, metadata, checksums, tags, parts_count, last_modified";

fn object_from_row(row: &Row<'_>) -> rusqlite::Result<ObjectRecord> {
    fn json<T: serde::de::DeserializeOwned + Default>(text: String) -> T {
        serde_json::from_str(&text).unwrap_or_default()
    }
    Ok(ObjectRecord {
        bucket: row.get(0)?,
        key: row.get(1)?,
        version_id: row.get(2)?,
        is_latest: row.get(3)?,
        is_delete_marker: row.get(4)?,
        blob: row.get(5)?,
        size: row.get::<_, i64>(6)? as u64,
        etag: row.get(7)?,
        content_type: row.get(8)?,
        headers: json(row.get(9)?),
        metadata: json(row.get(10)?),
        checksums: json(row.get(11)?),
        tags: json(row.get(12)?),
        parts_count: row.get(13)?,
        last_modified: clock::from_text(&row.get::<_, String>(14)?),
    })
}

/// The version a GET without `versionId` sees (possibly a delete marker).
pub fn latest_object(
    connection: &Connection,
    bucket_name: &str,
    key: &str,
) -> Result<ObjectRecord> {
    bucket(connection, bucket_name)?;
    connection
        .query_row(
            &format!(
                "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ?1 AND key = ?2 AND is_latest = 1"
            ),
            params![bucket_name, key],
            object_from_row,
        )
        .optional()?
        .ok_or(CatalogError::NoSuchKey)
}

pub fn object_version(
    connection: &Connection,
    bucket_name: &str,
    key: &str,
    version_id: &str,
) -> Result<ObjectRecord> {
    bucket(connection, bucket_name)?;
    connection
        .query_row(
            &format!(
                "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ?1 AND key = ?2 AND version_id = ?3"
            ),
            params![bucket_name, key, version_id],
            object_from_row,
        )
        .optional()?
        .ok_or(CatalogError::NoSuchVersion)
}

/// The object a request names: its latest version, or the version it asks for.
pub fn find_object(
    connection: &Connection,
    bucket_name: &str,
    key: &str,
    version_id: Option<&str>,
) -> Result<ObjectRecord> {
    match version_id {
        Some(version) => object_version(connection, bucket_name, key, version),
        None => latest_object(connection, bucket_name, key),
    }
}

fn insert_object(connection: &Connection, record: &ObjectRecord) -> Result<()> {
    connection.execute(
        &format!(
            "INSERT INTO objects ({OBJECT_COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        ),
        params![
            record.bucket,
            record.key,
            record.version_id,
            record.is_latest,
            record.is_delete_marker,
            record.blob,
            record.size as i64,
            record.etag,
            record.content_type,
            serde_json::to_string(&record.headers)?,
            serde_json::to_string(&record.metadata)?,
            serde_json::to_string(&record.checksums)?,
            serde_json::to_string(&record.tags)?,
            record.parts_count,
            clock::to_text(record.last_modified),
        ],
    )?;
    Ok(())
}

/// Makes `record` the latest version of its key. Returns the record as stored (with its
/// version id) and the blobs no row refers to any more, for the caller to unlink after commit.
fn put_version(
    connection: &Connection,
    mut record: ObjectRecord,
) -> Result<(ObjectRecord, Vec<String>)> {
    let bucket_record = bucket(connection, &record.bucket)?;
    let mut orphaned = Vec::new();
    record.version_id = if bucket_record.versioning_enabled() {
        crate::ids::opaque_id()
    } else {
        // Unversioned and suspended buckets overwrite the `null` version in place.
        let replaced: Option<Option<String>> = connection
            .query_row(
                "DELETE FROM objects WHERE bucket = ?1 AND key = ?2 AND version_id = ?3 RETURNING blob",
                params![record.bucket, record.key, NULL_VERSION],
                |row| row.get(0),
            )
            .optional()?;
        orphaned.extend(replaced.flatten());
        NULL_VERSION.to_string()
    };
    connection.execute(
        "UPDATE objects SET is_latest = 0 WHERE bucket = ?1 AND key = ?2 AND is_latest = 1",
        params![record.bucket, record.key],
    )?;
    record.is_latest = true;
    insert_object(connection, &record)?;
    Ok((record, orphaned))
}

pub fn put_object(
    connection: &mut Connection,
    record: ObjectRecord,
) -> Result<(ObjectRecord, Vec<String>)> {
    let transaction = connection.transaction()?;
    let stored = put_version(&transaction, record)?;
    transaction.commit()?;
    Ok(stored)
}

/// What a DeleteObject did, for the response headers.
#[derive(Debug, Default)]
pub struct Deletion {
    pub delete_marker: bool,
    pub version_id: Option<String>,
    pub orphaned: Vec<String>,
}

pub fn delete_object(
    connection: &mut Connection,
    bucket_name: &str,
    key: &str,
    version_id: Option<&str>,
) -> Result<Deletion> {
    let transaction = connection.transaction()?;
    let bucket_record = bucket(&transaction, bucket_name)?;
    let deletion = match version_id {
        Some(version) => {
            let removed: Option<(Option<String>, bool, bool)> = transaction
                .query_row(
                    "DELETE FROM objects WHERE bucket = ?1 AND key = ?2 AND version_id = ?3 \
                     RETURNING blob, is_latest, is_delete_marker",
                    params![bucket_name, key, version],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            let Some((blob, was_latest, was_marker)) = removed else {
                // Deleting a version that is not there succeeds, as in AWS.
                return Ok(Deletion {
                    version_id: Some(version.to_string()),
                    ..Deletion::default()
                });
            };
            if was_latest {
                transaction.execute(
                    "UPDATE objects SET is_latest = 1 WHERE sequence = \
                     (SELECT MAX(sequence) FROM objects WHERE bucket = ?1 AND key = ?2)",
                    params![bucket_name, key],
                )?;
            }
            Deletion {
                delete_marker: was_marker,
                version_id: Some(version.to_string()),
                orphaned: blob.into_iter().collect(),
            }
        }
        None if bucket_record.versioning.is_some() => {
            let marker = ObjectRecord {
                bucket: bucket_name.to_string(),
                key: key.to_string(),
                version_id: String::new(),
                is_latest: true,
                is_delete_marker: true,
                blob: None,
                size: 0,
                etag: String::new(),
                content_type: None,
                headers: StoredHeaders::default(),
                metadata: Default::default(),
                checksums: StoredChecksums::default(),
                tags: Vec::new(),
                parts_count: None,
                last_modified: clock::now(),
            };
            let (stored, orphaned) = put_version(&transaction, marker)?;
            Deletion {
                delete_marker: true,
                version_id: Some(stored.version_id),
                orphaned,
            }
        }
        None => {
            let mut statement = transaction
                .prepare("DELETE FROM objects WHERE bucket = ?1 AND key = ?2 RETURNING blob")?;
            let blobs = statement
                .query_map(params![bucket_name, key], |row| {
                    row.get::<_, Option<String>>(0)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            drop(statement);
            Deletion {
                orphaned: blobs.into_iter().flatten().collect(),
                ..Deletion::default()
            }
        }
    };
    transaction.commit()?;
    Ok(deletion)
}

pub fn set_object_tags(
    connection: &mut Connection,
    bucket_name: &str,
    key: &str,
    version_id: Option<&str>,
    tags: &[(String, String)],
) -> Result<String> {
    let transaction = connection.transaction()?;
    let record = find_object(&transaction, bucket_name, key, version_id)?;
    if record.is_delete_marker {
        return Err(CatalogError::NoSuchKey);
    }
    transaction.execute(
        "UPDATE objects SET tags = ?4 WHERE bucket = ?1 AND key = ?2 AND version_id = ?3",
        params![
            bucket_name,
            key,
            record.version_id,
            serde_json::to_string(tags)?
        ],
    )?;
    transaction.commit()?;
    Ok(record.version_id)
}

/// Latest, non-deleted objects whose key starts with `prefix` and sorts after `after`,
/// in key order (UTF-8 byte order, as S3 lists), passed one by one to `visit` until it
/// returns false.
pub fn scan_latest(
    connection: &Connection,
    bucket_name: &str,
    prefix: &str,
    after: Option<&str>,
    mut visit: impl FnMut(ObjectRecord) -> bool,
) -> Result<()> {
    bucket(connection, bucket_name)?;
    let start = match after {
        Some(after) if after >= prefix => after,
        _ => prefix,
    };
    let mut statement = connection.prepare(&format!(
        "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ?1 AND is_latest = 1 \
         AND is_delete_marker = 0 AND key >= ?2 ORDER BY key"
    ))?;
    let mut rows = statement.query(params![bucket_name, start])?;
    while let Some(row) = rows.next()? {
        let record = object_from_row(row)?;
        if after.is_some_and(|after| record.key.as_str() <= after) {
            continue;
        }
        if !record.key.starts_with(prefix) || !visit(record) {
            break;
        }
    }
    Ok(())
}

/// Every version and delete marker under `prefix`, by key then newest first.
pub fn scan_versions(
    connection: &Connection,
    bucket_name: &str,
    prefix: &str,
    mut visit: impl FnMut(ObjectRecord) -> bool,
) -> Result<()> {
    bucket(connection, bucket_name)?;
    let mut statement = connection.prepare(&format!(
        "SELECT {OBJECT_COLUMNS} FROM objects WHERE bucket = ?1 AND key >= ?2 \
         ORDER BY key, sequence DESC"
    ))?;
    let mut rows = statement.query(params![bucket_name, prefix])?;
    while let Some(row) = rows.next()? {
        let record = object_from_row(row)?;
        if !record.key.starts_with(prefix) || !visit(record) {
            break;
        }
    }
    Ok(())
}

pub fn create_upload(connection: &mut Connection, upload: &UploadRecord) -> Result<()> {
    let transaction = connection.transaction()?;
    bucket(&transaction, &upload.bucket)?;
    transaction.execute(
        "INSERT INTO uploads (upload_id, bucket, key, created_at, content_type, headers, \
         metadata, tags, checksum_algorithm) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            upload.upload_id,
            upload.bucket,
            upload.key,
            clock::to_text(upload.created_at),
            upload.content_type,
            serde_json::to_string(&upload.headers)?,
            serde_json::to_string(&upload.metadata)?,
            serde_json::to_string(&upload.tags)?,
            upload.checksum_algorithm,
        ],
    )?;
    transaction.commit()?;
    Ok(())
}

pub fn upload(
    connection: &Connection,
    bucket_name: &str,
    key: &str,
    upload_id: &str,
) -> Result<UploadRecord> {
    bucket(connection, bucket_name)?;
    connection
        .query_row(
            "SELECT upload_id, bucket, key, created_at, content_type, headers, metadata, tags, \
             checksum_algorithm FROM uploads WHERE upload_id = ?1 AND bucket = ?2 AND key = ?3",
            params![upload_id, bucket_name, key],
            |row| {
                Ok(UploadRecord {
                    upload_id: row.get(0)?,
                    bucket: row.get(1)?,
                    key: row.get(2)?,
                    created_at: clock::from_text(&row.get::<_, String>(3)?),
                    content_type: row.get(4)?,
                    headers: serde_json::from_str(&row.get::<_, String>(5)?).unwrap_or_default(),
                    metadata: serde_json::from_str(&row.get::<_, String>(6)?).unwrap_or_default(),
                    tags: serde_json::from_str(&row.get::<_, String>(7)?).unwrap_or_default(),
                    checksum_algorithm: row.get(8)?,
                })
            },
        )
        .optional()?
        .ok_or(CatalogError::NoSuchUpload)
}

pub fn uploads(connection: &Connection, bucket_name: &str) -> Result<Vec<UploadRecord>> {
    bucket(connection, bucket_name)?;
    let mut statement = connection
        .prepare("SELECT upload_id, key FROM uploads WHERE bucket = ?1 ORDER BY key, created_at")?;
    let ids = statement
        .query_map([bucket_name], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ids.iter()
        .map(|(id, key)| upload(connection, bucket_name, key, id))
        .collect()
}

/// Records a part; a part uploaded again under the same number replaces the earlier one.
pub fn put_part(
    connection: &mut Connection,
    bucket_name: &str,
    key: &str,
    upload_id: &str,
    part: &PartRecord,
) -> Result<Vec<String>> {
    let transaction = connection.transaction()?;
    upload(&transaction, bucket_name, key, upload_id)?;
    let replaced: Option<String> = transaction
        .query_row(
            "DELETE FROM parts WHERE upload_id = ?1 AND part_number = ?2 RETURNING blob",
            params![upload_id, part.part_number],
            |row| row.get(0),
        )
        .optional()?;
    transaction.execute(
        "INSERT INTO parts (upload_id, part_number, blob, size, etag, checksums, last_modified) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            upload_id,
            part.part_number,
            part.blob,
            part.size as i64,
            part.etag,
            serde_json::to_string(&part.checksums)?,
            clock::to_text(part.last_modified),
        ],
    )?;
    transaction.commit()?;
    Ok(replaced.into_iter().collect())
}

pub fn parts(connection: &Connection, upload_id: &str) -> Result<Vec<PartRecord>> {
    let mut statement = connection.prepare(
        "SELECT part_number, blob, size, etag, checksums, last_modified FROM parts \
         WHERE upload_id = ?1 ORDER BY part_number",
    )?;
    let rows = statement.query_map([upload_id], |row| {
        Ok(PartRecord {
            part_number: row.get(0)?,
            blob: row.get(1)?,
            size: row.get::<_, i64>(2)? as u64,
            etag: row.get(3)?,
            checksums: serde_json::from_str(&row.get::<_, String>(4)?).unwrap_or_default(),
            last_modified: clock::from_text(&row.get::<_, String>(5)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Ends an upload: drops its rows and returns its parts' blobs for removal.
pub fn finish_upload(
    connection: &mut Connection,
    bucket_name: &str,
    key: &str,
    upload_id: &str,
    object: Option<ObjectRecord>,
) -> Result<(Option<ObjectRecord>, Vec<String>)> {
    let transaction = connection.transaction()?;
    upload(&transaction, bucket_name, key, upload_id)?;
    let mut orphaned: Vec<String> = parts(&transaction, upload_id)?
        .into_iter()
        .map(|part| part.blob)
        .collect();
    transaction.execute("DELETE FROM parts WHERE upload_id = ?1", [upload_id])?;
    transaction.execute("DELETE FROM uploads WHERE upload_id = ?1", [upload_id])?;
    let stored = match object {
        Some(object) => {
            let (stored, replaced) = put_version(&transaction, object)?;
            orphaned.extend(replaced);
            Some(stored)
        }
        None => None,
    };
    transaction.commit()?;
    Ok((stored, orphaned))
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
