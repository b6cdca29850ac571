//! Object operations: put, get, head, delete (one or many), copy.

use std::collections::BTreeMap;

use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

use super::RegionS3;
use super::catalog;
use super::errors::internal;
use super::names::check_key;
use super::records::{
    NULL_VERSION, ObjectRecord, StoredChecksums, StoredHeaders, declared_checksums,
    declared_headers,
};
use super::transfer::{self, Declared, hex_md5};
use crate::clock;

/// The headers GET and HEAD both return for one object version.
pub(super) struct ObjectView {
    pub e_tag: ETag,
    pub last_modified: Timestamp,
    pub content_type: Option<String>,
    pub metadata: Option<Metadata>,
    pub version_id: Option<String>,
    pub headers: StoredHeaders,
    pub checksums: StoredChecksums,
    pub parts_count: Option<i32>,
    pub tag_count: Option<i32>,
}

impl ObjectView {
    fn of(record: &ObjectRecord) -> Self {
        Self {
            e_tag: ETag::Strong(record.etag.clone()),
            last_modified: Timestamp::from(record.last_modified),
            content_type: record.content_type.clone(),
            metadata: (!record.metadata.is_empty())
                .then(|| record.metadata.clone().into_iter().collect()),
            version_id: public_version(&record.version_id),
            headers: record.headers.clone(),
            checksums: record.checksums.clone(),
            parts_count: record.parts_count,
            tag_count: (!record.tags.is_empty()).then_some(record.tags.len() as i32),
        }
    }

    /// Stored checksums are returned only when the client asks (`x-amz-checksum-mode: ENABLED`).
    fn requested_checksums(&self, mode: Option<&ChecksumMode>) -> StoredChecksums {
        if mode.is_some_and(|mode| mode.as_str().eq_ignore_ascii_case("ENABLED")) {
            self.checksums.clone()
        } else {
            StoredChecksums::default()
        }
    }
}

/// Unversioned objects report no version id on most calls, as in AWS.
pub(super) fn public_version(version_id: &str) -> Option<String> {
    (version_id != NULL_VERSION).then(|| version_id.to_string())
}

pub(super) fn parse_tagging_header(header: Option<&str>) -> S3Result<Vec<(String, String)>> {
    let Some(header) = header else {
        return Ok(Vec::new());
    };
    let mut tags = Vec::new();
    for (key, value) in url::form_urlencoded::parse(header.as_bytes()) {
        tags.push((key.into_owned(), value.into_owned()));
    }
    super::tagging::check_tags(&tags)?;
    Ok(tags)
}

pub(super) fn metadata_map(metadata: Option<Metadata>) -> BTreeMap<String, String> {
    metadata
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect()
        })
        .unwrap_or_default()
}

/// Conditional request headers: If-Match and If-None-Match against the current ETag.
fn check_conditions(
    record: &ObjectRecord,
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
) -> S3Result<()> {
    let matches = |condition: &ETagCondition| match condition {
        ETagCondition::Any => true,
        ETagCondition::ETag(tag) => tag.value() == record.etag,
    };
    if let Some(condition) = if_match
        && !matches(condition)
    {
        return Err(S3Error::with_message(
            S3ErrorCode::PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold",
        ));
    }
    if let Some(condition) = if_none_match
        && matches(condition)
    {
        return Err(S3Error::new(S3ErrorCode::NotModified));
    }
    Ok(())
}

impl RegionS3 {
    /// The version a read names; a delete marker reads as a missing key.
    async fn readable(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> S3Result<ObjectRecord> {
        let (bucket, key, version) = (
            bucket.to_string(),
            key.to_string(),
            version_id.map(str::to_string),
        );
        let record = self
            .catalog(move |c| catalog::find_object(c, &bucket, &key, version.as_deref()))
            .await?;
        if record.is_delete_marker {
            // As AWS answers: the marker's headers, and 405 when the marker itself was named.
            let mut error = match version_id {
                Some(_) => {
                    let mut error = S3Error::with_message(
                        S3ErrorCode::MethodNotAllowed,
                        "The specified method is not allowed against this resource.",
                    );
                    error.set_status_code(http::StatusCode::METHOD_NOT_ALLOWED);
                    error
                }
                None => S3Error::with_message(
                    S3ErrorCode::NoSuchKey,
                    "The specified key does not exist.",
                ),
            };
            let mut headers = http::HeaderMap::new();
            headers.insert(
                "x-amz-delete-marker",
                http::HeaderValue::from_static("true"),
            );
            if let Ok(version) = http::HeaderValue::from_str(&record.version_id) {
                headers.insert("x-amz-version-id", version);
            }
            error.set_headers(headers);
            return Err(error);
        }
        Ok(record)
    }

    /// Stores a new version; the bucket is checked before and again inside the commit, so a
    /// bucket deleted meanwhile refuses the object (NoSuchBucket) and its bytes are dropped.
    pub(super) async fn store_object(&self, record: ObjectRecord) -> S3Result<ObjectRecord> {
        let blob = record.blob.clone();
        let result = self.catalog(move |c| catalog::put_object(c, record)).await;
        match result {
            Ok((stored, orphaned)) => {
                self.remove_blobs(orphaned).await;
                Ok(stored)
            }
            Err(error) => {
                self.remove_blobs(blob.into_iter().collect()).await;
                Err(error)
            }
        }
    }

    pub(super) async fn require_bucket(
        &self,
        bucket: &str,
    ) -> S3Result<super::records::BucketRecord> {
        let bucket = bucket.to_string();
        self.catalog(move |c| catalog::bucket(c, &bucket)).await
    }

    pub(super) async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let input = req.input;
        check_key(&input.key)?;
        self.require_bucket(&input.bucket).await?;
        let tags = parse_tagging_header(input.tagging.as_deref())?;
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
        let record = ObjectRecord {
            bucket: input.bucket,
            key: input.key,
            version_id: String::new(),
            is_latest: true,
            is_delete_marker: false,
            blob: Some(written.id.clone()),
            size: written.size,
            etag: hex_md5(&written.md5),
            content_type: input.content_type,
            headers: declared_headers!(input),
            metadata: metadata_map(input.metadata),
            checksums: checksums.clone(),
            tags,
            parts_count: None,
            last_modified: clock::now(),
        };
        let stored = self.store_object(record).await?;
        Ok(S3Response::new(PutObjectOutput {
            e_tag: Some(ETag::Strong(stored.etag.clone())),
            version_id: public_version(&stored.version_id),
            checksum_crc32: checksums.crc32,
            checksum_crc32c: checksums.crc32c,
            checksum_crc64nvme: checksums.crc64nvme,
            checksum_sha1: checksums.sha1,
            checksum_sha256: checksums.sha256,
            size: Some(stored.size as i64),
            ..Default::default()
        }))
    }

    pub(super) async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let input = req.input;
        let record = self
            .readable(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        check_conditions(
            &record,
            input.if_match.as_ref(),
            input.if_none_match.as_ref(),
        )?;
        // Part boundaries of multipart objects are not kept, so only the one part of a
        // single-part object can be fetched by number; anything else is refused, not guessed.
        if let Some(part_number) = input.part_number
            && (part_number != 1 || record.parts_count.is_some())
        {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidArgument,
                format!(
                    "partNumber {part_number}: the local region serves parts by number only for single-part objects (partNumber=1); use a Range instead."
                ),
            ));
        }
        let (start, length, content_range) = match &input.range {
            None => (0, record.size, None),
            Some(range) => {
                let span = range.check(record.size).map_err(|_| {
                    S3Error::with_message(
                        S3ErrorCode::InvalidRange,
                        format!(
                            "The requested range is not satisfiable for an object of {} bytes.",
                            record.size
                        ),
                    )
                })?;
                let content_range = format!(
                    "bytes {}-{}/{}",
                    span.start,
                    span.end.saturating_sub(1),
                    record.size
                );
                (span.start, span.end - span.start, Some(content_range))
            }
        };
        let body = match &record.blob {
            Some(blob) => self
                .blobs
                .read(blob, start, length)
                .await
                .map_err(internal)?,
            None => return Err(internal("object version has no bytes")),
        };
        let view = ObjectView::of(&record);
        // A range's bytes are not the whole object's: its checksum would not match them.
        let checksums = if content_range.is_none() {
            view.requested_checksums(input.checksum_mode.as_ref())
        } else {
            StoredChecksums::default()
        };
        Ok(S3Response::new(GetObjectOutput {
            body: Some(body),
            accept_ranges: Some("bytes".to_string()),
            content_length: Some(length as i64),
            content_range,
            content_type: view.content_type,
            e_tag: Some(view.e_tag),
            last_modified: Some(view.last_modified),
            metadata: view.metadata,
            version_id: view.version_id,
            cache_control: view.headers.cache_control,
            content_disposition: view.headers.content_disposition,
            content_encoding: view.headers.content_encoding,
            content_language: view.headers.content_language,
            parts_count: view.parts_count,
            tag_count: view.tag_count,
            checksum_crc32: checksums.crc32,
            checksum_crc32c: checksums.crc32c,
            checksum_crc64nvme: checksums.crc64nvme,
            checksum_sha1: checksums.sha1,
            checksum_sha256: checksums.sha256,
            ..Default::default()
        }))
    }

    pub(super) async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let input = req.input;
        let record = self
            .readable(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        check_conditions(
            &record,
            input.if_match.as_ref(),
            input.if_none_match.as_ref(),
        )?;
        let view = ObjectView::of(&record);
        let checksums = view.requested_checksums(input.checksum_mode.as_ref());
        Ok(S3Response::new(HeadObjectOutput {
            accept_ranges: Some("bytes".to_string()),
            content_length: Some(record.size as i64),
            content_type: view.content_type,
            e_tag: Some(view.e_tag),
            last_modified: Some(view.last_modified),
            metadata: view.metadata,
            version_id: view.version_id,
            cache_control: view.headers.cache_control,
            content_disposition: view.headers.content_disposition,
            content_encoding: view.headers.content_encoding,
            content_language: view.headers.content_language,
            parts_count: view.parts_count,
            checksum_crc32: checksums.crc32,
            checksum_crc32c: checksums.crc32c,
            checksum_crc64nvme: checksums.crc64nvme,
            checksum_sha1: checksums.sha1,
            checksum_sha256: checksums.sha256,
            ..Default::default()
        }))
    }

    async fn delete_one(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> S3Result<catalog::Deletion> {
        let (bucket, key, version) = (
            bucket.to_string(),
            key.to_string(),
            version_id.map(str::to_string),
        );
        let deletion = self
            .catalog(move |c| catalog::delete_object(c, &bucket, &key, version.as_deref()))
            .await?;
        self.remove_blobs(deletion.orphaned.clone()).await;
        Ok(deletion)
    }

    pub(super) async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let input = req.input;
        let deletion = self
            .delete_one(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        Ok(S3Response::new(DeleteObjectOutput {
            delete_marker: deletion.delete_marker.then_some(true),
            version_id: deletion.version_id,
            ..Default::default()
        }))
    }

    pub(super) async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let input = req.input;
        self.require_bucket(&input.bucket).await?;
        if input.delete.objects.len() > 1000 {
            return Err(S3Error::with_message(
                S3ErrorCode::MalformedXML,
                "DeleteObjects accepts at most 1000 keys per request.",
            ));
        }
        let quiet = input.delete.quiet.unwrap_or(false);
        let mut deleted = Vec::new();
        let mut errors = Vec::new();
        for object in input.delete.objects {
            match self
                .delete_one(&input.bucket, &object.key, object.version_id.as_deref())
                .await
            {
                Ok(deletion) => {
                    if !quiet {
                        deleted.push(DeletedObject {
                            key: Some(object.key),
                            delete_marker: deletion.delete_marker.then_some(true),
                            delete_marker_version_id: deletion
                                .delete_marker
                                .then(|| deletion.version_id.clone())
                                .flatten(),
                            version_id: object.version_id,
                        });
                    }
                }
                Err(error) => errors.push(Error {
                    code: Some(error.code().as_str().to_string()),
                    key: Some(object.key),
                    message: error.message().map(str::to_string),
                    version_id: object.version_id,
                }),
            }
        }
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted: Some(deleted),
            errors: (!errors.is_empty()).then_some(errors),
            ..Default::default()
        }))
    }

    pub(super) async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let input = req.input;
        check_key(&input.key)?;
        let CopySource::Bucket {
            bucket: source_bucket,
            key: source_key,
            version_id: source_version,
        } = &input.copy_source
        else {
            return Err(super::errors::invalid_argument(
                "Only bucket/key copy sources are supported by the local region.",
            ));
        };
        let source = self
            .readable(source_bucket, source_key, source_version.as_deref())
            .await?;
        check_conditions(
            &source,
            input.copy_source_if_match.as_ref(),
            input.copy_source_if_none_match.as_ref(),
        )?;
        self.require_bucket(&input.bucket).await?;
        let replace_metadata = input
            .metadata_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == "REPLACE");
        let replace_tags = input
            .tagging_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == "REPLACE");
        if !replace_metadata
            && source_bucket.as_ref() == input.bucket.as_str()
            && source_key.as_ref() == input.key.as_str()
            && source_version.is_none()
        {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidRequest,
                "This copy request is illegal because it is trying to copy an object to itself \
                 without changing the object's metadata, storage class, website redirect \
                 location or encryption attributes.",
            ));
        }
        let source_blob = source
            .blob
            .clone()
            .ok_or_else(|| internal("object version has no bytes"))?;
        let written = self
            .blobs
            .concatenate(vec![source_blob])
            .await
            .map_err(internal)?;
        let (content_type, headers, metadata) = if replace_metadata {
            (
                input.content_type,
                declared_headers!(input),
                metadata_map(input.metadata),
            )
        } else {
            (
                source.content_type.clone(),
                source.headers.clone(),
                source.metadata.clone(),
            )
        };
        let tags = if replace_tags {
            parse_tagging_header(input.tagging.as_deref())?
        } else {
            source.tags.clone()
        };
        let record = ObjectRecord {
            bucket: input.bucket,
            key: input.key,
            version_id: String::new(),
            is_latest: true,
            is_delete_marker: false,
            blob: Some(written.id),
            size: written.size,
            etag: source.etag.clone(),
            content_type,
            headers,
            metadata,
            checksums: source.checksums.clone(),
            tags,
            parts_count: source.parts_count,
            last_modified: clock::now(),
        };
        let stored = self.store_object(record).await?;
        Ok(S3Response::new(CopyObjectOutput {
            copy_object_result: Some(CopyObjectResult {
                e_tag: Some(ETag::Strong(stored.etag.clone())),
                last_modified: Some(Timestamp::from(stored.last_modified)),
                ..Default::default()
            }),
            copy_source_version_id: public_version(&source.version_id),
            version_id: public_version(&stored.version_id),
            ..Default::default()
        }))
    }
}
