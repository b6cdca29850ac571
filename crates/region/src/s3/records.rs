//! What the catalog stores about buckets, object versions, uploads and parts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Unversioned objects carry this version id, as in AWS.
pub const NULL_VERSION: &str = "null";

#[derive(Debug, Clone)]
pub struct BucketRecord {
    pub name: String,
    pub created_at: OffsetDateTime,
    pub region: String,
    /// `None` = never enabled; otherwise `Enabled` or `Suspended`.
    pub versioning: Option<String>,
}

impl BucketRecord {
    pub fn versioning_enabled(&self) -> bool {
        self.versioning.as_deref() == Some("Enabled")
    }
}

/// Standard headers stored with an object and returned on GET/HEAD.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct StoredHeaders {
    pub cache_control: Option<String>,
    pub content_disposition: Option<String>,
    pub content_encoding: Option<String>,
    pub content_language: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct StoredChecksums {
    pub crc32: Option<String>,
    pub crc32c: Option<String>,
    pub crc64nvme: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
}

impl From<&s3s::dto::Checksum> for StoredChecksums {
    fn from(c: &s3s::dto::Checksum) -> Self {
        Self {
            crc32: c.checksum_crc32.clone(),
            crc32c: c.checksum_crc32c.clone(),
            crc64nvme: c.checksum_crc64nvme.clone(),
            sha1: c.checksum_sha1.clone(),
            sha256: c.checksum_sha256.clone(),
        }
    }
}

/// The checksum fields of an upload request (PutObject, UploadPart): s3s's inputs share the
/// field names but no type.
macro_rules! declared_checksums {
    ($input:expr) => {
        $crate::s3::records::StoredChecksums {
            crc32: $input.checksum_crc32.clone(),
            crc32c: $input.checksum_crc32c.clone(),
            crc64nvme: $input.checksum_crc64nvme.clone(),
            sha1: $input.checksum_sha1.clone(),
            sha256: $input.checksum_sha256.clone(),
        }
    };
}
pub(crate) use declared_checksums;

/// The stored headers of a request that creates an object (PutObject, CreateMultipartUpload,
/// CopyObject with REPLACE).
macro_rules! declared_headers {
    ($input:expr) => {
        $crate::s3::records::StoredHeaders {
            cache_control: $input.cache_control,
            content_disposition: $input.content_disposition,
            content_encoding: $input.content_encoding,
            content_language: $input.content_language,
        }
    };
}
pub(crate) use declared_headers;

/// Everything about an object version except its bytes, which live in `blob`.
#[derive(Debug, Clone)]
pub struct ObjectRecord {
    pub bucket: String,
    pub key: String,
    pub version_id: String,
    pub is_latest: bool,
    pub is_delete_marker: bool,
    pub blob: Option<String>,
    pub size: u64,
    /// Without quotes.
    pub etag: String,
    pub content_type: Option<String>,
    pub headers: StoredHeaders,
    pub metadata: BTreeMap<String, String>,
    pub checksums: StoredChecksums,
    pub tags: Vec<(String, String)>,
    pub parts_count: Option<i32>,
    pub last_modified: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct UploadRecord {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub created_at: OffsetDateTime,
    pub content_type: Option<String>,
    pub headers: StoredHeaders,
    pub metadata: BTreeMap<String, String>,
    pub tags: Vec<(String, String)>,
    pub checksum_algorithm: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PartRecord {
    pub part_number: i32,
    pub blob: String,
    pub size: u64,
    pub etag: String,
    pub checksums: StoredChecksums,
    pub last_modified: OffsetDateTime,
}
