//! Multipart uploads: create, upload part, complete, abort, list parts, list uploads.

use s3s::crypto::{Checksum as _, Md5};
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

use super::RegionS3;
use super::catalog::{self, CatalogError};
use super::errors::internal;
use super::names::check_key;
use super::objects::{metadata_map, parse_tagging_header, public_version};
use super::records::{
    ObjectRecord, PartRecord, StoredChecksums, UploadRecord, declared_checksums, declared_headers,
};
use super::transfer::{self, Declared, hex_md5};
use crate::clock;

/// Every part but the last must be at least this long (AWS's limit).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
const MAX_PART_NUMBER: i32 = 10_000;

fn check_part_number(part_number: i32) -> S3Result<()> {
    if (1..=MAX_PART_NUMBER).contains(&part_number) {
        Ok(())
    } else {
        Err(S3Error::with_message(
            S3ErrorCode::InvalidArgument,
            format!(
                "Part number must be an integer between 1 and 10000, inclusive; got {part_number}."
            ),
        ))
    }
}

/// The ETag of a multipart object: MD5 of the parts' binary MD5s, then `-` and the count.
fn multipart_etag(parts: &[PartRecord]) -> String {
    let mut md5 = Md5::new();
    for part in parts {
        let mut digest = [0u8; 16];
        if hex::decode_to_slice(&part.etag, &mut digest).is_ok() {
            md5.update(&digest);
        }
    }
    format!("{}-{}", hex_md5(&md5.finalize()), parts.len())
}

/// Matches the client's part list against the stored parts, with AWS's checks.
fn select_parts(
    requested: &[CompletedPart],
    stored: Vec<PartRecord>,
) -> Result<Vec<PartRecord>, CatalogError> {
    if requested.is_empty() {
        return Err(CatalogError::InvalidPart(
            "You must specify at least one part".to_string(),
        ));
    }
    let mut selected = Vec::with_capacity(requested.len());
    let mut previous = 0;
    for wanted in requested {
        let number = wanted.part_number.unwrap_or(0);
        if number <= previous {
            return Err(CatalogError::InvalidPartOrder);
        }
        previous = number;
        let Some(part) = stored.iter().find(|p| p.part_number == number) else {
            return Err(CatalogError::InvalidPart(format!(
                "One or more of the specified parts could not be found: part {number} was never uploaded."
            )));
        };
        if let Some(etag) = &wanted.e_tag
            && etag.value() != part.etag
        {
            return Err(CatalogError::InvalidPart(format!(
                "One or more of the specified parts could not be found: part {number} has ETag \"{}\", not \"{}\".",
                part.etag,
                etag.value()
            )));
        }
        selected.push(part.clone());
    }
    let last = selected.len() - 1;
    if selected[..last].iter().any(|p| p.size < MIN_PART_SIZE) {
        return Err(CatalogError::EntityTooSmall);
    }
    Ok(selected)
}

impl RegionS3 {
    pub(super) async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let input = req.input;
        check_key(&input.key)?;
        let upload = UploadRecord {
            upload_id: crate::ids::opaque_id(),
            bucket: input.bucket.clone(),
            key: input.key.clone(),
            created_at: clock::now(),
            content_type: input.content_type,
            headers: declared_headers!(input),
            metadata: metadata_map(input.metadata),
            tags: parse_tagging_header(input.tagging.as_deref())?,
            checksum_algorithm: input
                .checksum_algorithm
                .as_ref()
                .map(|a| a.as_str().to_string()),
        };
        let upload_id = upload.upload_id.clone();
        self.catalog(move |c| catalog::create_upload(c, &upload))
            .await?;
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(upload_id),
            checksum_algorithm: input.checksum_algorithm,
            ..Default::default()
        }))
    }

    pub(super) async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let input = req.input;
        check_part_number(input.part_number)?;
        let (bucket, key, upload_id) = (
            input.bucket.clone(),
            input.key.clone(),
            input.upload_id.clone(),
        );
        self.catalog(move |c| catalog::upload(c, &bucket, &key, &upload_id))
            .await?;
        let declared = Declared::new(
            input.content_md5.clone(),
            input.checksum_algorithm.as_ref(),
            declared_checksums!(input),
        );
        let (written, checksums) = transfer::receive(
            &self.blobs,
            input.body,
            &declared,
            &req.headers,
            req.trailing_headers.as_ref(),
        )
        .await?;
        let part = PartRecord {
            part_number: input.part_number,
            blob: written.id.clone(),
            size: written.size,
            etag: hex_md5(&written.md5),
            checksums: checksums.clone(),
            last_modified: clock::now(),
        };
        let etag = part.etag.clone();
        let (bucket, key, upload_id) = (input.bucket, input.key, input.upload_id);
        let result = self
            .catalog(move |c| catalog::put_part(c, &bucket, &key, &upload_id, &part))
            .await;
        match result {
            Ok(replaced) => self.remove_blobs(replaced).await,
            Err(error) => {
                self.blobs.remove(&written.id).await;
                return Err(error);
            }
        }
        Ok(S3Response::new(UploadPartOutput {
            e_tag: Some(ETag::Strong(etag)),
            checksum_crc32: checksums.crc32,
            checksum_crc32c: checksums.crc32c,
            checksum_crc64nvme: checksums.crc64nvme,
            checksum_sha1: checksums.sha1,
            checksum_sha256: checksums.sha256,
            ..Default::default()
        }))
    }

    pub(super) async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let input = req.input;
        let (bucket, key, upload_id) = (
            input.bucket.clone(),
            input.key.clone(),
            input.upload_id.clone(),
        );
        let requested = input
            .multipart_upload
            .and_then(|m| m.parts)
            .unwrap_or_default();
        let (upload, selected) = self
            .catalog(move |c| {
                let upload = catalog::upload(c, &bucket, &key, &upload_id)?;
                let stored = catalog::parts(c, &upload_id)?;
                Ok((upload, select_parts(&requested, stored)?))
            })
            .await?;
        let written = self
            .blobs
            .concatenate(selected.iter().map(|p| p.blob.clone()).collect())
            .await
            .map_err(internal)?;
        let record = ObjectRecord {
            bucket: upload.bucket.clone(),
            key: upload.key.clone(),
            version_id: String::new(),
            is_latest: true,
            is_delete_marker: false,
            blob: Some(written.id.clone()),
            size: written.size,
            etag: multipart_etag(&selected),
            content_type: upload.content_type.clone(),
            headers: upload.headers.clone(),
            metadata: upload.metadata.clone(),
            checksums: StoredChecksums::default(),
            tags: upload.tags.clone(),
            parts_count: Some(selected.len() as i32),
            last_modified: clock::now(),
        };
        let (bucket, key, upload_id) = (input.bucket, input.key, input.upload_id);
        let finish_bucket = bucket.clone();
        let finish_key = key.clone();
        let result = self
            .catalog(move |c| {
                catalog::finish_upload(c, &finish_bucket, &finish_key, &upload_id, Some(record))
            })
            .await;
        let stored = match result {
            Ok((stored, orphaned)) => {
                self.remove_blobs(orphaned).await;
                stored.ok_or_else(|| internal("completed upload stored no object"))?
            }
            Err(error) => {
                self.blobs.remove(&written.id).await;
                return Err(error);
            }
        };
        Ok(S3Response::new(CompleteMultipartUploadOutput {
            bucket: Some(bucket.clone()),
            key: Some(key.clone()),
            e_tag: Some(ETag::Strong(stored.etag.clone())),
            location: Some(format!("/{bucket}/{key}")),
            version_id: public_version(&stored.version_id),
            ..Default::default()
        }))
    }

    pub(super) async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let input = req.input;
        let (bucket, key, upload_id) = (input.bucket, input.key, input.upload_id);
        let (_, orphaned) = self
            .catalog(move |c| catalog::finish_upload(c, &bucket, &key, &upload_id, None))
            .await?;
        self.remove_blobs(orphaned).await;
        Ok(S3Response::new(AbortMultipartUploadOutput::default()))
    }

    pub(super) async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let input = req.input;
        let (bucket, key, upload_id) = (
            input.bucket.clone(),
            input.key.clone(),
            input.upload_id.clone(),
        );
        let parts = self
            .catalog(move |c| {
                catalog::upload(c, &bucket, &key, &upload_id)?;
                catalog::parts(c, &upload_id)
            })
            .await?;
        let max_parts = input.max_parts.unwrap_or(1000).clamp(0, 1000) as usize;
        let marker = input.part_number_marker.unwrap_or(0);
        let mut remaining: Vec<PartRecord> = parts
            .into_iter()
            .filter(|p| p.part_number > marker)
            .collect();
        let truncated = remaining.len() > max_parts;
        remaining.truncate(max_parts);
        let next_marker = remaining.last().map(|p| p.part_number);
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(input.upload_id),
            max_parts: Some(max_parts as i32),
            part_number_marker: input.part_number_marker,
            next_part_number_marker: next_marker,
            is_truncated: Some(truncated),
            storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
            parts: Some(
                remaining
                    .into_iter()
                    .map(|p| Part {
                        part_number: Some(p.part_number),
                        e_tag: Some(ETag::Strong(p.etag)),
                        size: Some(p.size as i64),
                        last_modified: Some(Timestamp::from(p.last_modified)),
                        checksum_crc32: p.checksums.crc32,
                        checksum_crc32c: p.checksums.crc32c,
                        checksum_crc64nvme: p.checksums.crc64nvme,
                        checksum_sha1: p.checksums.sha1,
                        checksum_sha256: p.checksums.sha256,
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }

    pub(super) async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let input = req.input;
        let bucket = input.bucket.clone();
        let uploads = self.catalog(move |c| catalog::uploads(c, &bucket)).await?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let max = input.max_uploads.unwrap_or(1000).clamp(0, 1000) as usize;
        let mut selected: Vec<UploadRecord> = uploads
            .into_iter()
            .filter(|u| u.key.starts_with(&prefix))
            .filter(|u| {
                input
                    .key_marker
                    .as_deref()
                    .is_none_or(|m| u.key.as_str() > m)
            })
            .collect();
        let truncated = selected.len() > max;
        selected.truncate(max);
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix,
            max_uploads: Some(max as i32),
            is_truncated: Some(truncated),
            next_key_marker: truncated
                .then(|| selected.last().map(|u| u.key.clone()))
                .flatten(),
            next_upload_id_marker: truncated
                .then(|| selected.last().map(|u| u.upload_id.clone()))
                .flatten(),
            uploads: Some(
                selected
                    .into_iter()
                    .map(|u| MultipartUpload {
                        key: Some(u.key),
                        upload_id: Some(u.upload_id),
                        initiated: Some(Timestamp::from(u.created_at)),
                        storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }
}
