//! Listings: ListObjectsV2, ListObjects, ListObjectVersions, with prefix, delimiter,
//! pagination and `encoding-type=url`, in S3's UTF-8 binary key order.

use base64::Engine as _;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result};

use super::RegionS3;
use super::buckets::owner_id;
use super::catalog;
use super::errors::invalid_argument;
use super::records::ObjectRecord;

const DEFAULT_MAX_KEYS: i32 = 1000;

/// One page of a listing: objects and rolled-up common prefixes, in key order.
#[derive(Debug, Default)]
struct Page {
    contents: Vec<ObjectRecord>,
    common_prefixes: Vec<String>,
    truncated: bool,
    /// The last key or common prefix on the page: where the next page starts after.
    last: Option<String>,
}

/// Groups `key` under a common prefix when the delimiter occurs after `prefix`.
fn common_prefix<'a>(key: &'a str, prefix: &str, delimiter: Option<&str>) -> Option<&'a str> {
    let delimiter = delimiter.filter(|d| !d.is_empty())?;
    // `key` may come from the client (StartAfter, a continuation token): never assume it
    // starts with the prefix.
    let rest = key.strip_prefix(prefix)?;
    rest.find(delimiter)
        .map(|at| &key[..prefix.len() + at + delimiter.len()])
}

/// Walks `records` (already in key order, all under `prefix`, all after `after`) into a page.
fn paginate(
    records: impl IntoIterator<Item = ObjectRecord>,
    prefix: &str,
    delimiter: Option<&str>,
    after: Option<&str>,
    max_keys: usize,
    group_versions: bool,
) -> Page {
    let mut page = Page::default();
    // An empty page cannot say where the next one starts; a truncated one without a token
    // would send paginating clients round forever.
    if max_keys == 0 {
        return page;
    }
    let mut count = 0usize;
    let mut last_key: Option<String> = None;
    for record in records {
        // Resuming after a common prefix skips everything rolled up under it.
        if let Some(after) = after
            && common_prefix(after, prefix, delimiter) == Some(after)
            && record.key.starts_with(after)
        {
            continue;
        }
        if let Some(cp) = common_prefix(&record.key, prefix, delimiter) {
            if page.common_prefixes.last().map(String::as_str) == Some(cp) {
                continue;
            }
            if count == max_keys {
                page.truncated = true;
                break;
            }
            page.common_prefixes.push(cp.to_string());
            page.last = Some(cp.to_string());
            count += 1;
            continue;
        }
        // Versions of one key stay on one page so key markers alone can resume.
        let same_key = group_versions && last_key.as_deref() == Some(record.key.as_str());
        if count >= max_keys && !same_key {
            page.truncated = true;
            break;
        }
        if !same_key {
            count += 1;
        }
        page.last = Some(record.key.clone());
        last_key = Some(record.key.clone());
        page.contents.push(record);
    }
    page
}

fn check_max_keys(max_keys: Option<i32>) -> S3Result<usize> {
    match max_keys {
        None => Ok(DEFAULT_MAX_KEYS as usize),
        Some(n) if n < 0 => Err(invalid_argument(
            "max-keys must be between 0 and 2147483647.",
        )),
        Some(n) => Ok(n.min(DEFAULT_MAX_KEYS) as usize),
    }
}

fn check_encoding(encoding: Option<&EncodingType>) -> S3Result<bool> {
    match encoding.map(EncodingType::as_str) {
        None => Ok(false),
        Some("url") => Ok(true),
        Some(other) => Err(invalid_argument(format!(
            "Invalid Encoding Method specified in Request: {other:?}; the only value is url."
        ))),
    }
}

/// Percent-encodes a key for `encoding-type=url` responses, keeping `/` readable.
fn url_encode(text: &str, encode: bool) -> String {
    if !encode {
        return text.to_string();
    }
    crate::auth::uri::encode(text, false)
}

fn encode_token(last: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last.as_bytes())
}

fn decode_token(token: &str) -> S3Result<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| invalid_argument("The continuation token provided is incorrect."))
}

fn to_object(record: ObjectRecord, encode: bool) -> Object {
    Object {
        key: Some(url_encode(&record.key, encode)),
        e_tag: Some(ETag::Strong(record.etag)),
        last_modified: Some(Timestamp::from(record.last_modified)),
        size: Some(record.size as i64),
        storage_class: Some(ObjectStorageClass::from_static(
            ObjectStorageClass::STANDARD,
        )),
        owner: None,
        ..Default::default()
    }
}

impl RegionS3 {
    async fn page(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        after: Option<String>,
        max_keys: usize,
    ) -> S3Result<Page> {
        let (bucket, prefix, delimiter) = (
            bucket.to_string(),
            prefix.to_string(),
            delimiter.map(str::to_string),
        );
        self.catalog(move |c| {
            let mut records = Vec::new();
            // Fetch until the page is full; the catalog streams rows so memory stays bounded
            // by the page, not the bucket.
            let mut grouped = 0usize;
            let mut last_group: Option<String> = None;
            catalog::scan_latest(c, &bucket, &prefix, after.as_deref(), |record| {
                let group = common_prefix(&record.key, &prefix, delimiter.as_deref())
                    .unwrap_or(&record.key)
                    .to_string();
                if last_group.as_deref() != Some(group.as_str()) {
                    grouped += 1;
                    last_group = Some(group);
                }
                records.push(record);
                grouped <= max_keys + 1
            })?;
            Ok(paginate(
                records,
                &prefix,
                delimiter.as_deref(),
                after.as_deref(),
                max_keys,
                false,
            ))
        })
        .await
    }

    pub(super) async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = req.input;
        let max_keys = check_max_keys(input.max_keys)?;
        let encode = check_encoding(input.encoding_type.as_ref())?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let after = match &input.continuation_token {
            Some(token) => Some(decode_token(token)?),
            None => input.start_after.clone(),
        };
        let page = self
            .page(
                &input.bucket,
                &prefix,
                input.delimiter.as_deref(),
                after,
                max_keys,
            )
            .await?;
        let key_count = (page.contents.len() + page.common_prefixes.len()) as i32;
        let next_continuation_token = page
            .truncated
            .then(|| page.last.as_deref().map(encode_token))
            .flatten();
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: Some(url_encode(&prefix, encode)),
            delimiter: input.delimiter.map(|d| url_encode(&d, encode)),
            max_keys: Some(max_keys as i32),
            key_count: Some(key_count),
            continuation_token: input.continuation_token,
            next_continuation_token,
            start_after: input.start_after.map(|s| url_encode(&s, encode)),
            is_truncated: Some(page.truncated),
            encoding_type: input.encoding_type,
            contents: Some(
                page.contents
                    .into_iter()
                    .map(|r| to_object(r, encode))
                    .collect(),
            ),
            common_prefixes: Some(
                page.common_prefixes
                    .into_iter()
                    .map(|p| CommonPrefix {
                        prefix: Some(url_encode(&p, encode)),
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }

    pub(super) async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        let input = req.input;
        let max_keys = check_max_keys(input.max_keys)?;
        let encode = check_encoding(input.encoding_type.as_ref())?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let page = self
            .page(
                &input.bucket,
                &prefix,
                input.delimiter.as_deref(),
                input.marker.clone(),
                max_keys,
            )
            .await?;
        // V1 names the next marker only when a delimiter is in use, as AWS does.
        let next_marker = (page.truncated && input.delimiter.is_some())
            .then(|| page.last.clone())
            .flatten();
        Ok(S3Response::new(ListObjectsOutput {
            name: Some(input.bucket),
            prefix: Some(url_encode(&prefix, encode)),
            delimiter: input.delimiter.map(|d| url_encode(&d, encode)),
            marker: input.marker.map(|m| url_encode(&m, encode)),
            next_marker: next_marker.map(|m| url_encode(&m, encode)),
            max_keys: Some(max_keys as i32),
            is_truncated: Some(page.truncated),
            encoding_type: input.encoding_type,
            contents: Some(
                page.contents
                    .into_iter()
                    .map(|r| to_object(r, encode))
                    .collect(),
            ),
            common_prefixes: Some(
                page.common_prefixes
                    .into_iter()
                    .map(|p| CommonPrefix {
                        prefix: Some(url_encode(&p, encode)),
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }

    pub(super) async fn list_object_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        let input = req.input;
        let max_keys = check_max_keys(input.max_keys)?;
        let encode = check_encoding(input.encoding_type.as_ref())?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let (bucket, scan_prefix, after) = (
            input.bucket.clone(),
            prefix.clone(),
            input.key_marker.clone(),
        );
        let delimiter = input.delimiter.clone();
        let page = self
            .catalog(move |c| {
                let mut records = Vec::new();
                catalog::scan_versions(c, &bucket, &scan_prefix, |record| {
                    if after
                        .as_deref()
                        .is_none_or(|after| record.key.as_str() > after)
                    {
                        records.push(record);
                    }
                    true
                })?;
                Ok(paginate(
                    records,
                    &scan_prefix,
                    delimiter.as_deref(),
                    after.as_deref(),
                    max_keys,
                    true,
                ))
            })
            .await?;
        let owner = Owner {
            display_name: Some("lathe".to_string()),
            id: Some(owner_id()),
        };
        let mut versions = Vec::new();
        let mut delete_markers = Vec::new();
        for record in page.contents {
            let version_id = Some(record.version_id.clone());
            if record.is_delete_marker {
                delete_markers.push(DeleteMarkerEntry {
                    is_latest: Some(record.is_latest),
                    key: Some(url_encode(&record.key, encode)),
                    last_modified: Some(Timestamp::from(record.last_modified)),
                    owner: Some(owner.clone()),
                    version_id,
                });
            } else {
                versions.push(ObjectVersion {
                    e_tag: Some(ETag::Strong(record.etag)),
                    is_latest: Some(record.is_latest),
                    key: Some(url_encode(&record.key, encode)),
                    last_modified: Some(Timestamp::from(record.last_modified)),
                    owner: Some(owner.clone()),
                    size: Some(record.size as i64),
                    storage_class: Some(ObjectVersionStorageClass::from_static(
                        ObjectVersionStorageClass::STANDARD,
                    )),
                    version_id,
                    ..Default::default()
                });
            }
        }
        Ok(S3Response::new(ListObjectVersionsOutput {
            name: Some(input.bucket),
            prefix: Some(url_encode(&prefix, encode)),
            delimiter: input.delimiter.map(|d| url_encode(&d, encode)),
            key_marker: input.key_marker,
            max_keys: Some(max_keys as i32),
            is_truncated: Some(page.truncated),
            next_key_marker: page.truncated.then_some(page.last).flatten(),
            encoding_type: input.encoding_type,
            versions: Some(versions),
            delete_markers: Some(delete_markers),
            common_prefixes: Some(
                page.common_prefixes
                    .into_iter()
                    .map(|p| CommonPrefix {
                        prefix: Some(url_encode(&p, encode)),
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::records::{StoredChecksums, StoredHeaders};

    fn record(key: &str) -> ObjectRecord {
        ObjectRecord {
            bucket: "b".into(),
            key: key.into(),
            version_id: "null".into(),
            is_latest: true,
            is_delete_marker: false,
            blob: None,
            size: 0,
            etag: String::new(),
            content_type: None,
            headers: StoredHeaders::default(),
            metadata: Default::default(),
            checksums: StoredChecksums::default(),
            tags: Vec::new(),
            parts_count: None,
            last_modified: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn keys(page: &Page) -> (Vec<&str>, Vec<&str>) {
        (
            page.contents.iter().map(|r| r.key.as_str()).collect(),
            page.common_prefixes.iter().map(String::as_str).collect(),
        )
    }

    #[test]
    fn delimiter_rolls_keys_up_and_pages_resume_after_a_prefix() {
        let all = ["a.txt", "dir/1", "dir/2", "dir/sub/3", "e", "f/x"];
        let page = paginate(all.iter().map(|k| record(k)), "", Some("/"), None, 2, false);
        assert_eq!(keys(&page), (vec!["a.txt"], vec!["dir/"]));
        assert!(page.truncated);
        let after = page.last.clone().unwrap();
        let rest = all
            .iter()
            .filter(|k| **k > after.as_str())
            .map(|k| record(k));
        let page = paginate(rest, "", Some("/"), Some(&after), 2, false);
        assert_eq!(keys(&page), (vec!["e"], vec!["f/"]));
        assert!(!page.truncated);
    }

    #[test]
    fn zero_max_keys_is_an_empty_final_page() {
        let page = paginate([record("a")], "", None, None, 0, false);
        assert!(page.contents.is_empty() && !page.truncated);
    }

    #[test]
    fn prefix_and_delimiter_group_below_the_prefix() {
        let all = ["dir/1", "dir/2", "dir/sub/3", "dir/sub/4"];
        let page = paginate(
            all.iter().map(|k| record(k)),
            "dir/",
            Some("/"),
            None,
            10,
            false,
        );
        assert_eq!(keys(&page), (vec!["dir/1", "dir/2"], vec!["dir/sub/"]));
    }

    #[test]
    fn a_resume_point_outside_the_prefix_is_harmless() {
        let all = ["dir/1", "dir/2"];
        for after in ["a", "ü", "dir", "zzz/"] {
            let rest = all.iter().filter(|k| **k > after).map(|k| record(k));
            let page = paginate(rest, "dir/", Some("/"), Some(after), 10, false);
            assert!(page.contents.len() <= 2, "{after}");
        }
        assert_eq!(common_prefix("ab", "abc/", Some("/")), None);
    }

    #[test]
    fn url_encoding_keeps_slashes_and_escapes_the_rest() {
        assert_eq!(url_encode("a b/c+d", true), "a%20b/c%2Bd");
        assert_eq!(url_encode("a b", false), "a b");
    }
}
