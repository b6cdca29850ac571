//! Object versions: reads, writes, delete markers, tags and key-ordered scans.

use rusqlite::{Connection, OptionalExtension, Params, Row, params};

use super::{CatalogError, Result, bucket, json_column};
use crate::clock;
use crate::s3::records::{NULL_VERSION, ObjectRecord};

const OBJECT_COLUMNS: &str = "bucket, key, version_id, is_latest, is_delete_marker, blob, size, \
     etag, content_type, headers, metadata, checksums, tags, parts_count, last_modified";

fn object_from_row(row: &Row<'_>) -> rusqlite::Result<ObjectRecord> {
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
        headers: json_column(row, 9)?,
        metadata: json_column(row, 10)?,
        checksums: json_column(row, 11)?,
        tags: json_column(row, 12)?,
        parts_count: row.get(13)?,
        last_modified: clock::from_text(&row.get::<_, String>(14)?),
    })
}

/// The one version `condition` selects, in a bucket that must exist; none is `missing`.
fn one_version(
    connection: &Connection,
    bucket_name: &str,
    condition: &str,
    parameters: impl Params,
    missing: CatalogError,
) -> Result<ObjectRecord> {
    bucket(connection, bucket_name)?;
    connection
        .query_row(
            &format!("SELECT {OBJECT_COLUMNS} FROM objects WHERE {condition}"),
            parameters,
            object_from_row,
        )
        .optional()?
        .ok_or(missing)
}

/// The version a GET without `versionId` sees (possibly a delete marker).
pub fn latest_object(
    connection: &Connection,
    bucket_name: &str,
    key: &str,
) -> Result<ObjectRecord> {
    one_version(
        connection,
        bucket_name,
        "bucket = ?1 AND key = ?2 AND is_latest = 1",
        params![bucket_name, key],
        CatalogError::NoSuchKey,
    )
}

pub fn object_version(
    connection: &Connection,
    bucket_name: &str,
    key: &str,
    version_id: &str,
) -> Result<ObjectRecord> {
    one_version(
        connection,
        bucket_name,
        "bucket = ?1 AND key = ?2 AND version_id = ?3",
        params![bucket_name, key, version_id],
        CatalogError::NoSuchVersion,
    )
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
pub(super) fn put_version(
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
            let marker = ObjectRecord::without_bytes(bucket_name, key, true, clock::now());
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
