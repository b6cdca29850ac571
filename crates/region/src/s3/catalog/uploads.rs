//! Multipart uploads and their parts.

use rusqlite::{Connection, OptionalExtension, params};

use super::objects::put_version;
use super::{CatalogError, Result, bucket, json_column};
use crate::clock;
use crate::s3::records::{ObjectRecord, PartRecord, UploadRecord};

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
                    headers: json_column(row, 5)?,
                    metadata: json_column(row, 6)?,
                    tags: json_column(row, 7)?,
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
            checksums: json_column(row, 4)?,
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
