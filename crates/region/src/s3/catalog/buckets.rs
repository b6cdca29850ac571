//! Buckets: creation, deletion, versioning and tags.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{CatalogError, Result};
use crate::clock;
use crate::s3::records::BucketRecord;

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
