//! Receiving object bytes: choosing which checksums to compute, then checking them (and
//! Content-MD5) against what the client declared in headers or trailers.

use base64::Engine as _;
use http::HeaderMap;
use s3s::checksum::ChecksumHasher;
use s3s::dto::{ChecksumAlgorithm, StreamingBlob};
use s3s::{S3Error, S3ErrorCode, S3Result, TrailingHeaders};

use super::blobs::{BlobStore, WrittenBlob};
use super::records::StoredChecksums;

/// What a client declared about the bytes it sends.
#[derive(Debug, Default)]
pub struct Declared {
    pub content_md5: Option<String>,
    pub algorithm: Option<String>,
    pub checksums: StoredChecksums,
}

impl Declared {
    pub fn new(
        content_md5: Option<String>,
        algorithm: Option<&ChecksumAlgorithm>,
        checksums: StoredChecksums,
    ) -> Self {
        Self {
            content_md5,
            algorithm: algorithm.map(|a| a.as_str().to_ascii_uppercase()),
            checksums,
        }
    }
}

fn trailer_algorithm(headers: &HeaderMap) -> Option<String> {
    let trailer = headers.get("x-amz-trailer")?.to_str().ok()?;
    trailer
        .trim()
        .to_ascii_lowercase()
        .strip_prefix("x-amz-checksum-")
        .map(str::to_ascii_uppercase)
}

fn hasher_for(declared: &Declared, headers: &HeaderMap) -> ChecksumHasher {
    let mut hasher = ChecksumHasher::default();
    let mut wanted: Vec<String> = declared.algorithm.iter().cloned().collect();
    wanted.extend(trailer_algorithm(headers));
    let c = &declared.checksums;
    for (value, name) in [
        (&c.crc32, "CRC32"),
        (&c.crc32c, "CRC32C"),
        (&c.crc64nvme, "CRC64NVME"),
        (&c.sha1, "SHA1"),
        (&c.sha256, "SHA256"),
    ] {
        if value.is_some() {
            wanted.push(name.to_string());
        }
    }
    for name in wanted {
        match name.as_str() {
            "CRC32" => hasher.crc32 = Some(Default::default()),
            "CRC32C" => hasher.crc32c = Some(Default::default()),
            "CRC64NVME" => hasher.crc64nvme = Some(Default::default()),
            "SHA1" => hasher.sha1 = Some(Default::default()),
            "SHA256" => hasher.sha256 = Some(Default::default()),
            _ => {}
        }
    }
    hasher
}

fn check_algorithm(declared: &Declared) -> S3Result<()> {
    match declared.algorithm.as_deref() {
        None | Some("CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256") => Ok(()),
        Some(other) => Err(S3Error::with_message(
            S3ErrorCode::InvalidArgument,
            format!(
                "Checksum algorithm {other:?} is not supported; use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256."
            ),
        )),
    }
}

/// Streams `body` into a new blob and verifies every declared digest; on any mismatch the
/// blob is removed and the error says which digest disagreed.
pub async fn receive(
    blobs: &BlobStore,
    body: Option<StreamingBlob>,
    declared: &Declared,
    headers: &HeaderMap,
    trailers: Option<&TrailingHeaders>,
) -> S3Result<(WrittenBlob, StoredChecksums)> {
    check_algorithm(declared)?;
    let expected_md5 = match &declared.content_md5 {
        Some(text) => Some(decode_md5(text)?),
        None => None,
    };
    let body = body.unwrap_or_else(|| {
        StreamingBlob::wrap(futures::stream::empty::<Result<bytes::Bytes, std::io::Error>>())
    });
    let written = blobs.write(body, hasher_for(declared, headers)).await?;
    let computed = StoredChecksums::from(&written.checksums);
    let mut claimed = declared.checksums.clone();
    if let Some(trailers) = trailers {
        trailers.read(|trailing| {
            let get = |name: &str| {
                trailing
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            claimed.crc32 = claimed.crc32.take().or_else(|| get("x-amz-checksum-crc32"));
            claimed.crc32c = claimed
                .crc32c
                .take()
                .or_else(|| get("x-amz-checksum-crc32c"));
            claimed.crc64nvme = claimed
                .crc64nvme
                .take()
                .or_else(|| get("x-amz-checksum-crc64nvme"));
            claimed.sha1 = claimed.sha1.take().or_else(|| get("x-amz-checksum-sha1"));
            claimed.sha256 = claimed
                .sha256
                .take()
                .or_else(|| get("x-amz-checksum-sha256"));
        });
    }
    if let Err(error) = verify(&written, expected_md5, &claimed, &computed) {
        blobs.remove(&written.id).await;
        return Err(error);
    }
    Ok((written, computed))
}

fn decode_md5(text: &str) -> S3Result<[u8; 16]> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
        .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok())
        .ok_or_else(|| {
            S3Error::with_message(
                S3ErrorCode::InvalidDigest,
                "The Content-MD5 you specified is not a base64-encoded 128-bit MD5 digest.",
            )
        })
}

fn verify(
    written: &WrittenBlob,
    expected_md5: Option<[u8; 16]>,
    claimed: &StoredChecksums,
    computed: &StoredChecksums,
) -> S3Result<()> {
    if let Some(expected) = expected_md5
        && expected != written.md5
    {
        return Err(S3Error::with_message(
            S3ErrorCode::BadDigest,
            "The Content-MD5 you specified did not match what we received.",
        ));
    }
    for (name, claimed, computed) in [
        ("CRC32", &claimed.crc32, &computed.crc32),
        ("CRC32C", &claimed.crc32c, &computed.crc32c),
        ("CRC64NVME", &claimed.crc64nvme, &computed.crc64nvme),
        ("SHA1", &claimed.sha1, &computed.sha1),
        ("SHA256", &claimed.sha256, &computed.sha256),
    ] {
        if let (Some(claimed), Some(computed)) = (claimed, computed)
            && claimed.trim() != computed
        {
            return Err(S3Error::with_message(
                S3ErrorCode::BadDigest,
                format!("The {name} you specified did not match the calculated checksum."),
            ));
        }
    }
    Ok(())
}

pub fn hex_md5(md5: &[u8; 16]) -> String {
    hex::encode(md5)
}
