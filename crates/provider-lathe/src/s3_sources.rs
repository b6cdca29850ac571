//! `s3://BUCKET/KEY` and `s3://BUCKET/PREFIX/*.parquet` sources: listed and fetched through an
//! [`ObjectStore`] (the aws provider's client, so the local region or AWS), and cached under
//! `.lathe/s3/` by ETag, so an unchanged object is fetched once and a changed one (a new ETag)
//! is fetched again, which gives the dataset a new version.

use std::io::Write;
use std::path::{Path, PathBuf};

/// One object as a listing or a HEAD request describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub key: String,
    /// The ETag without its quotes.
    pub etag: String,
}

/// Reads objects from S3 (or anything that speaks its API). The binary hands the lathe
/// provider one built on the aws provider's client; this crate knows no AWS SDK.
pub trait ObjectStore: Send + Sync {
    /// Every object whose key starts with `prefix`, in key order.
    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<StoredObject>, String>;

    /// The object at `key`, `None` when there is none.
    fn head(&self, bucket: &str, key: &str) -> Result<Option<StoredObject>, String>;

    /// Writes the object's bytes into `destination`, which the caller then moves into place.
    fn download(&self, bucket: &str, key: &str, destination: &Path) -> Result<(), String>;
}

#[derive(Debug, thiserror::Error)]
pub enum S3SourceError {
    #[error("`{uri}` is not an S3 location: write s3://BUCKET/KEY or s3://BUCKET/PREFIX/*.parquet")]
    BadUri { uri: String },
    #[error(
        "`{uri}` is an S3 source, but no S3 client is available here; lathe_dataset reads s3:// through the aws provider (run it with the lathe command)"
    )]
    NoStore { uri: String },
    #[error("{uri}: no such object (check the bucket, the key and the target)")]
    NoObject { uri: String },
    #[error("{uri}: no object matches the pattern (check the prefix and the target)")]
    NoMatch { uri: String },
    #[error("{uri}: bad pattern: {message}")]
    BadPattern { uri: String, message: String },
    #[error("{uri}: {message}")]
    Store { uri: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A parsed `s3://` source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// The key, or a pattern with `*`, `?` or `[...]` in it.
    pub key: String,
}

impl S3Location {
    pub fn parse(uri: &str) -> Result<S3Location, S3SourceError> {
        let bad = || S3SourceError::BadUri {
            uri: uri.to_string(),
        };
        let rest = uri.strip_prefix("s3://").ok_or_else(bad)?;
        let (bucket, key) = rest.split_once('/').ok_or_else(bad)?;
        if bucket.is_empty() || bucket == "." || bucket == ".." || key.is_empty() {
            return Err(bad());
        }
        Ok(S3Location {
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }

    fn is_pattern(&self) -> bool {
        self.key.contains(['*', '?', '['])
    }

    /// The part of the key before its first wildcard: what S3 can list by.
    fn literal_prefix(&self) -> &str {
        let end = self.key.find(['*', '?', '[']).unwrap_or(self.key.len());
        &self.key[..end]
    }

    fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// Replaces every `s3://` path by the cached local files it stands for (fetching what is new).
pub fn resolve_s3_paths(
    paths: &[String],
    store: Option<&dyn ObjectStore>,
    cache_dir: &Path,
) -> Result<Vec<String>, S3SourceError> {
    let mut resolved = Vec::with_capacity(paths.len());
    for path in paths {
        if !path.starts_with("s3://") {
            resolved.push(path.clone());
            continue;
        }
        let location = S3Location::parse(path)?;
        let store = store.ok_or_else(|| S3SourceError::NoStore { uri: path.clone() })?;
        for object in matching_objects(&location, store)? {
            let file = cached(&location.bucket, &object, store, cache_dir)?;
            resolved.push(file.to_string_lossy().into_owned());
        }
    }
    Ok(resolved)
}

fn matching_objects(
    location: &S3Location,
    store: &dyn ObjectStore,
) -> Result<Vec<StoredObject>, S3SourceError> {
    let uri = location.uri();
    let store_error = |message: String| S3SourceError::Store {
        uri: uri.clone(),
        message,
    };
    if !location.is_pattern() {
        return match store
            .head(&location.bucket, &location.key)
            .map_err(store_error)?
        {
            Some(object) => Ok(vec![object]),
            None => Err(S3SourceError::NoObject { uri }),
        };
    }
    let pattern = glob::Pattern::new(&location.key).map_err(|error| S3SourceError::BadPattern {
        uri: uri.clone(),
        message: error.to_string(),
    })?;
    // As a shell glob: `*` stays within one level of the key's folders.
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let mut objects: Vec<StoredObject> = store
        .list(&location.bucket, location.literal_prefix())
        .map_err(store_error)?
        .into_iter()
        .filter(|object| pattern.matches_with(&object.key, options))
        .collect();
    if objects.is_empty() {
        return Err(S3SourceError::NoMatch { uri });
    }
    objects.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(objects)
}

/// `.lathe/s3/BUCKET/ETAG/NAME`: the key's last segment keeps the extension the format is
/// read from; nothing of the key can climb out of the cache folder.
fn cache_path(cache_dir: &Path, bucket: &str, object: &StoredObject) -> PathBuf {
    let safe = |text: &str| -> String {
        let cleaned: String = text
            .chars()
            .map(|character| {
                if character.is_ascii_alphanumeric() || "-_.".contains(character) {
                    character
                } else {
                    '_'
                }
            })
            .collect();
        if cleaned.is_empty() || cleaned.chars().all(|character| character == '.') {
            "object".to_string()
        } else {
            cleaned
        }
    };
    let name = object.key.rsplit('/').next().unwrap_or_default();
    cache_dir
        .join(safe(bucket))
        .join(safe(&object.etag))
        .join(safe(name))
}

fn cached(
    bucket: &str,
    object: &StoredObject,
    store: &dyn ObjectStore,
    cache_dir: &Path,
) -> Result<PathBuf, S3SourceError> {
    let path = cache_path(cache_dir, bucket, object);
    if path.is_file() {
        return Ok(path);
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| S3SourceError::Io { path, source }
    };
    let folder = path.parent().unwrap_or(cache_dir);
    std::fs::create_dir_all(folder).map_err(io(folder))?;
    // Fetched beside its final place and renamed, so a cut-short download never looks cached.
    let partial = folder.join(format!(".partial-{}", std::process::id()));
    store
        .download(bucket, &object.key, &partial)
        .map_err(|message| S3SourceError::Store {
            uri: format!("s3://{bucket}/{}", object.key),
            message,
        })?;
    std::fs::File::options()
        .append(true)
        .open(&partial)
        .and_then(|mut file| {
            file.flush()?;
            file.sync_all()
        })
        .map_err(io(&partial))?;
    std::fs::rename(&partial, &path).map_err(io(&path))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_or_say_how_to_write_them() {
        let parsed = S3Location::parse("s3://data/dialogsum/*.parquet").unwrap();
        assert_eq!(parsed.bucket, "data");
        assert_eq!(parsed.literal_prefix(), "dialogsum/");
        assert!(parsed.is_pattern());
        let exact = S3Location::parse("s3://data/train.jsonl").unwrap();
        assert!(!exact.is_pattern());
        assert_eq!(exact.literal_prefix(), "train.jsonl");
        for bad in [
            "s3://bucket",
            "s3:///key",
            "s3://bucket/",
            "s3://../x",
            "http://x/y",
        ] {
            let error = S3Location::parse(bad).unwrap_err().to_string();
            assert!(error.contains("s3://BUCKET/KEY"), "{bad}: {error}");
        }
    }

    #[test]
    fn cache_paths_keep_the_extension_and_stay_inside_the_cache() {
        let cache = Path::new("/project/.lathe/s3");
        let cases = [
            (
                "data",
                "a/train.parquet",
                "abc",
                "/project/.lathe/s3/data/abc/train.parquet",
            ),
            (
                "data",
                "a/../..",
                "e/../x",
                "/project/.lathe/s3/data/e_.._x/object",
            ),
            (
                "..",
                "x.jsonl",
                "..",
                "/project/.lathe/s3/object/object/x.jsonl",
            ),
        ];
        for (bucket, key, etag, expected) in cases {
            let object = StoredObject {
                key: key.to_string(),
                etag: etag.to_string(),
            };
            assert_eq!(
                cache_path(cache, bucket, &object),
                PathBuf::from(expected),
                "{bucket} {key} {etag}"
            );
        }
    }
}
