//! Putting an object's body: one PutObject for small bodies, a multipart upload (with progress)
//! for large files, aborted on failure so no parts are left behind.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use lathe_core::provider::{Progress, ProviderError};

use crate::clients::Clients;
use crate::error::{ApiError, api};

/// Files at least this large go up in parts.
pub const MULTIPART_THRESHOLD: u64 = 16 * 1024 * 1024;
/// Each part but the last; S3's minimum is 5 MiB.
pub const PART_SIZE: u64 = 8 * 1024 * 1024;

/// Everything about an object except its body.
#[derive(Debug, Default)]
pub struct ObjectHeaders {
    pub content_type: Option<String>,
    pub cache_control: Option<String>,
    pub content_disposition: Option<String>,
    pub content_encoding: Option<String>,
    pub content_language: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// Already URL-query encoded (`a=1&b=2`), as S3's x-amz-tagging header wants.
    pub tagging: Option<String>,
}

/// Where the body comes from.
#[derive(Debug)]
pub enum Body<'body> {
    Bytes(Vec<u8>),
    File(&'body Path),
}

/// Uploads the body; returns the ETag and version id S3 answered.
pub fn put(
    clients: &Clients,
    bucket: &str,
    key: &str,
    body: Body<'_>,
    headers: &ObjectHeaders,
    progress: &dyn Progress,
) -> Result<(), ProviderError> {
    match body {
        Body::Bytes(bytes) => put_once(clients, bucket, key, bytes, headers),
        Body::File(path) => {
            let size = std::fs::metadata(path)
                .map_err(|error| file_error(path, &error))?
                .len();
            if size < MULTIPART_THRESHOLD {
                let bytes = std::fs::read(path).map_err(|error| file_error(path, &error))?;
                put_once(clients, bucket, key, bytes, headers)
            } else {
                put_in_parts(clients, bucket, key, path, size, headers, progress)
            }
        }
    }
}

fn file_error(path: &Path, error: &std::io::Error) -> ProviderError {
    ProviderError::at_attribute(
        format!(
            "cannot read `source` file {}: {error}; check the path (relative paths are from the module's folder)",
            path.display()
        ),
        "source",
    )
}

fn put_once(
    clients: &Clients,
    bucket: &str,
    key: &str,
    bytes: Vec<u8>,
    headers: &ObjectHeaders,
) -> Result<(), ProviderError> {
    let request = clients
        .s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(bytes))
        .set_content_type(headers.content_type.clone())
        .set_cache_control(headers.cache_control.clone())
        .set_content_disposition(headers.content_disposition.clone())
        .set_content_encoding(headers.content_encoding.clone())
        .set_content_language(headers.content_language.clone())
        .set_metadata(Some(headers.metadata.clone().into_iter().collect()))
        .set_tagging(headers.tagging.clone());
    clients
        .block_on(request.send())
        .map_err(api(format!("uploading s3://{bucket}/{key}")))?;
    Ok(())
}

fn put_in_parts(
    clients: &Clients,
    bucket: &str,
    key: &str,
    path: &Path,
    size: u64,
    headers: &ObjectHeaders,
    progress: &dyn Progress,
) -> Result<(), ProviderError> {
    let created = clients
        .block_on(
            clients
                .s3
                .create_multipart_upload()
                .bucket(bucket)
                .key(key)
                .set_content_type(headers.content_type.clone())
                .set_cache_control(headers.cache_control.clone())
                .set_content_disposition(headers.content_disposition.clone())
                .set_content_encoding(headers.content_encoding.clone())
                .set_content_language(headers.content_language.clone())
                .set_metadata(Some(headers.metadata.clone().into_iter().collect()))
                .set_tagging(headers.tagging.clone())
                .send(),
        )
        .map_err(api(format!(
            "starting a multipart upload of s3://{bucket}/{key}"
        )))?;
    let upload_id = created.upload_id().unwrap_or_default().to_string();
    let result = upload_parts(clients, bucket, key, path, size, &upload_id, progress);
    if result.is_err() {
        // Parts of an abandoned upload are billed until aborted; the original error matters more
        // than a failed abort, which S3's lifecycle rules can still clean up.
        let _ = clients.block_on(
            clients
                .s3
                .abort_multipart_upload()
                .bucket(bucket)
                .key(key)
                .upload_id(&upload_id)
                .send(),
        );
    }
    result
}

fn upload_parts(
    clients: &Clients,
    bucket: &str,
    key: &str,
    path: &Path,
    size: u64,
    upload_id: &str,
    progress: &dyn Progress,
) -> Result<(), ProviderError> {
    let mut file = std::fs::File::open(path).map_err(|error| file_error(path, &error))?;
    let total_parts = size.div_ceil(PART_SIZE);
    let mut completed = Vec::new();
    let mut sent: u64 = 0;
    for part_number in 1..=total_parts {
        let length = PART_SIZE.min(size - sent);
        let mut buffer = vec![0; length as usize];
        file.read_exact(&mut buffer)
            .map_err(|error| file_error(path, &error))?;
        let part_number = part_number as i32;
        let output = clients
            .block_on(
                clients
                    .s3
                    .upload_part()
                    .bucket(bucket)
                    .key(key)
                    .upload_id(upload_id)
                    .part_number(part_number)
                    .body(ByteStream::from(buffer))
                    .send(),
            )
            .map_err(api(format!(
                "uploading part {part_number} of {total_parts} of s3://{bucket}/{key}"
            )))?;
        completed.push(
            CompletedPart::builder()
                .part_number(part_number)
                .set_e_tag(output.e_tag().map(str::to_string))
                .build(),
        );
        sent += length;
        progress.message(&format!(
            "uploading {}: part {part_number}/{total_parts}, {} of {} MiB ({}%)",
            key,
            sent / (1024 * 1024),
            size.div_ceil(1024 * 1024),
            sent * 100 / size
        ));
    }
    clients
        .block_on(
            clients
                .s3
                .complete_multipart_upload()
                .bucket(bucket)
                .key(key)
                .upload_id(upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(completed))
                        .build(),
                )
                .send(),
        )
        .map_err(|error| {
            ApiError::from_sdk(
                format!("completing the upload of s3://{bucket}/{key}"),
                error,
            )
        })?;
    Ok(())
}
