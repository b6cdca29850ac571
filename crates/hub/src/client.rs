//! Cache-first access to the Hub: reads the cache, and downloads over the Hub's HTTP API
//! (unless offline) into the cache exactly as huggingface_hub would.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::cache::Cache;
use crate::config::HubConfig;
use crate::error::{HubError, Result};
use crate::splits::split_files;
use crate::uri::{DatasetUri, Repo, RepoKind};

/// The branch where the Hub keeps its Parquet conversion of every dataset.
pub const PARQUET_REVISION: &str = "refs/convert/parquet";
pub const DEFAULT_REVISION: &str = "main";
/// Files a model needs to be loaded: configs, weights, tokenizers.
const MODEL_FILE_SUFFIXES: [&str; 5] = [".json", ".safetensors", ".model", ".txt", ".tiktoken"];

#[derive(Debug)]
pub struct Hub {
    config: HubConfig,
    cache: Cache,
    /// Does not follow redirects, so the Hub's own headers (commit, etag) can be read.
    metadata_agent: ureq::Agent,
    download_agent: ureq::Agent,
}

#[derive(Debug, Deserialize)]
struct RevisionInfo {
    sha: String,
    #[serde(default)]
    siblings: Vec<Sibling>,
}

#[derive(Debug, Deserialize)]
struct Sibling {
    rfilename: String,
}

/// Percent-encodes a path segment (or a revision, whose slashes must be encoded too).
fn encode(text: &str, keep_slash: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            b'/' if keep_slash => encoded.push('/'),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

fn normalize_etag(etag: &str) -> String {
    etag.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .to_string()
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

fn status_hint(status: u16) -> String {
    match status {
        401 | 403 => {
            "; the repository may be gated or private: accept its terms on the Hub and set HF_TOKEN"
                .into()
        }
        404 => "; check the repository name, revision and file".into(),
        429 => "; the Hub is rate limiting: wait and retry, or set HF_TOKEN".into(),
        _ => String::new(),
    }
}

impl Hub {
    pub fn new(config: HubConfig) -> Hub {
        let agent = |redirects: u32| -> ureq::Agent {
            ureq::Agent::config_builder()
                .max_redirects(redirects)
                .max_redirects_will_error(false)
                .http_status_as_error(false)
                .timeout_connect(Some(Duration::from_secs(30)))
                .timeout_recv_response(Some(Duration::from_secs(60)))
                .user_agent("lathe")
                .build()
                .into()
        };
        Hub {
            cache: Cache::new(&config.cache),
            config,
            metadata_agent: agent(0),
            download_agent: agent(10),
        }
    }

    pub fn from_env() -> Hub {
        Hub::new(HubConfig::from_env())
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    fn offline_error(&self, what: String) -> HubError {
        HubError::Offline {
            what,
            cache: self.cache.root().to_path_buf(),
        }
    }

    /// The local Parquet (or other data) files of a dataset split, downloading them if needed.
    pub fn resolve_dataset(
        &self,
        uri: &DatasetUri,
        config: Option<&str>,
        split: &str,
    ) -> Result<Vec<PathBuf>> {
        let repo = &uri.repo;
        let revision = uri.revision.as_deref().unwrap_or(DEFAULT_REVISION);
        if let Some(path) = &uri.path {
            return Ok(vec![self.download_file(repo, revision, path)?]);
        }
        let parquet_config = config.unwrap_or("default");
        let mut cached: Vec<(String, PathBuf)> = Vec::new();
        if uri.revision.is_none()
            && let Some(snapshot) = self.cache.snapshot(repo, PARQUET_REVISION)
        {
            cached.push((PARQUET_REVISION.to_string(), snapshot));
        }
        if let Some(snapshot) = self.cache.snapshot(repo, revision) {
            cached.push((revision.to_string(), snapshot));
        }
        let mut seen_files = Vec::new();
        for (source_revision, snapshot) in &cached {
            let files = Cache::snapshot_files(snapshot);
            let wanted = if source_revision == PARQUET_REVISION {
                Some(parquet_config)
            } else {
                config
            };
            let chosen = split_files(&files, wanted, split);
            if !chosen.is_empty() {
                return Ok(chosen.iter().map(|file| snapshot.join(file)).collect());
            }
            seen_files.extend(files);
        }
        let what = format!("dataset {} split {split:?}", repo.id);
        if self.config.offline {
            if !cached.is_empty() {
                return Err(HubError::NoSplit {
                    what,
                    split: split.to_string(),
                    config: config
                        .map(|config| format!(" in config {config:?}"))
                        .unwrap_or_default(),
                    files: seen_files,
                });
            }
            return Err(self.offline_error(what));
        }
        if uri.revision.is_none()
            && let Some(urls) = self.parquet_listing(repo, parquet_config, split)?
        {
            return (0..urls.len())
                .map(|index| {
                    self.download_file(
                        repo,
                        PARQUET_REVISION,
                        &format!("{parquet_config}/{split}/{index:04}.parquet"),
                    )
                })
                .collect();
        }
        let info = self.revision_info(repo, revision)?;
        let files: Vec<String> = info
            .siblings
            .into_iter()
            .map(|sibling| sibling.rfilename)
            .collect();
        let chosen = split_files(&files, config, split);
        if chosen.is_empty() {
            return Err(HubError::NoSplit {
                what,
                split: split.to_string(),
                config: config
                    .map(|config| format!(" in config {config:?}"))
                    .unwrap_or_default(),
                files,
            });
        }
        chosen
            .iter()
            .map(|file| {
                self.download_file(repo, &info.sha, file).and_then(|path| {
                    self.cache.write_ref(repo, revision, &info.sha)?;
                    Ok(path)
                })
            })
            .collect()
    }

    /// The snapshot folder of a model (`config.json`, `*.safetensors`, `tokenizer.json`, ...).
    pub fn resolve_model(&self, repo: &str, revision: Option<&str>) -> Result<PathBuf> {
        let repo = Repo::model(repo);
        let revision = revision.unwrap_or(DEFAULT_REVISION);
        if let Some(snapshot) = self.cache.snapshot(&repo, revision)
            && !Cache::snapshot_files(&snapshot).is_empty()
        {
            return Ok(snapshot);
        }
        if self.config.offline {
            return Err(self.offline_error(format!("model {} at revision {revision:?}", repo.id)));
        }
        let info = self.revision_info(&repo, revision)?;
        let files: Vec<&String> = info
            .siblings
            .iter()
            .map(|sibling| &sibling.rfilename)
            .filter(|file| {
                MODEL_FILE_SUFFIXES
                    .iter()
                    .any(|suffix| file.ends_with(suffix))
            })
            .collect();
        for file in &files {
            self.download_file(&repo, &info.sha, file)?;
        }
        self.cache.write_ref(&repo, revision, &info.sha)?;
        Ok(self.cache.repo_dir(&repo).join("snapshots").join(&info.sha))
    }

    /// One file of a repository at a revision: from the cache, or downloaded into it.
    pub fn download_file(&self, repo: &Repo, revision: &str, file: &str) -> Result<PathBuf> {
        if let Some(snapshot) = self.cache.snapshot(repo, revision) {
            let path = snapshot.join(file);
            if path.is_file() {
                return Ok(path);
            }
        }
        if self.config.offline {
            return Err(self.offline_error(format!(
                "{} file {file:?} at revision {revision:?}",
                repo.id
            )));
        }
        let url = format!(
            "{}/{}/resolve/{}/{}",
            self.config.endpoint,
            repo.url_prefix(),
            encode(revision, false),
            encode(file, true)
        );
        let response = self
            .authorized(self.metadata_agent.head(&url))
            .call()
            .map_err(|error| HubError::Http {
                url: url.clone(),
                message: error.to_string(),
            })?;
        let status = response.status().as_u16();
        if !(200..400).contains(&status) {
            return Err(HubError::Status {
                url,
                status,
                hint: status_hint(status),
            });
        }
        let commit = header(&response, "x-repo-commit").ok_or_else(|| HubError::BadResponse {
            url: url.clone(),
            message: "no X-Repo-Commit header".into(),
        })?;
        let etag = header(&response, "x-linked-etag")
            .or_else(|| header(&response, "etag"))
            .map(|etag| normalize_etag(&etag))
            .filter(|etag| !etag.is_empty() && !etag.contains('/'))
            .ok_or_else(|| HubError::BadResponse {
                url: url.clone(),
                message: "no ETag header".into(),
            })?;
        let location = header(&response, "location").map(|location| {
            if location.starts_with('/') {
                format!("{}{location}", self.config.endpoint)
            } else {
                location
            }
        });
        let blob = self.cache.blob_path(repo, &etag);
        if !blob.is_file() {
            self.fetch_blob(location.as_deref().unwrap_or(&url), &blob, &etag)?;
        }
        let path = self.cache.link(repo, &commit, file, &etag)?;
        self.cache.write_ref(repo, revision, &commit)?;
        Ok(path)
    }

    fn authorized<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.config.token {
            Some(token) => request.header("authorization", format!("Bearer {token}")),
            None => request,
        }
    }

    /// Streams a blob to `BLOB.incomplete`-style temp file, checks its sha256 when the etag is
    /// one (LFS files), then renames it into place.
    fn fetch_blob(&self, url: &str, blob: &std::path::Path, etag: &str) -> Result<()> {
        let directory = blob.parent().expect("blobs live in a folder");
        std::fs::create_dir_all(directory).map_err(|error| HubError::io(directory, error))?;
        // Only the Hub itself gets the token, never a CDN it redirects to.
        let request = self.download_agent.get(url);
        let request = if url.starts_with(&self.config.endpoint) {
            self.authorized(request)
        } else {
            request
        };
        let response = request.call().map_err(|error| HubError::Http {
            url: url.to_string(),
            message: error.to_string(),
        })?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(HubError::Status {
                url: url.to_string(),
                status,
                hint: status_hint(status),
            });
        }
        let mut temporary = tempfile::Builder::new()
            .prefix(&format!("{etag}."))
            .suffix(".incomplete")
            .tempfile_in(directory)
            .map_err(|error| HubError::io(directory, error))?;
        let mut reader = response.into_body().into_reader();
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let read = reader.read(&mut buffer).map_err(|error| HubError::Http {
                url: url.to_string(),
                message: error.to_string(),
            })?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            temporary
                .write_all(&buffer[..read])
                .map_err(|error| HubError::io(blob, error))?;
        }
        let actual = hex::encode(hasher.finalize());
        let is_sha256 = etag.len() == 64 && etag.chars().all(|c| c.is_ascii_hexdigit());
        if is_sha256 && actual != etag.to_ascii_lowercase() {
            return Err(HubError::Checksum {
                path: blob.to_path_buf(),
                expected: etag.to_string(),
                actual,
            });
        }
        temporary
            .as_file()
            .sync_all()
            .map_err(|error| HubError::io(blob, error))?;
        temporary
            .persist(blob)
            .map_err(|error| HubError::io(blob, error.error))?;
        Ok(())
    }

    fn get_json<T: for<'de> Deserialize<'de>>(&self, url: &str) -> Result<Option<T>> {
        let mut response = self
            .authorized(self.download_agent.get(url))
            .call()
            .map_err(|error| HubError::Http {
                url: url.to_string(),
                message: error.to_string(),
            })?;
        let status = response.status().as_u16();
        if status == 404 {
            return Ok(None);
        }
        if status != 200 {
            return Err(HubError::Status {
                url: url.to_string(),
                status,
                hint: status_hint(status),
            });
        }
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|error| HubError::Http {
                url: url.to_string(),
                message: error.to_string(),
            })?;
        serde_json::from_str(&body)
            .map(Some)
            .map_err(|error| HubError::BadResponse {
                url: url.to_string(),
                message: format!("unexpected JSON: {error}"),
            })
    }

    /// `GET /api/datasets/{id}/parquet/{config}/{split}`: URLs of the converted Parquet files.
    fn parquet_listing(
        &self,
        repo: &Repo,
        config: &str,
        split: &str,
    ) -> Result<Option<Vec<String>>> {
        let url = format!(
            "{}/api/datasets/{}/parquet/{}/{}",
            self.config.endpoint,
            repo.id,
            encode(config, false),
            encode(split, false)
        );
        self.get_json(&url)
    }

    /// `GET /api/{models|datasets}/{id}/revision/{revision}`: the commit and its files.
    fn revision_info(&self, repo: &Repo, revision: &str) -> Result<RevisionInfo> {
        let kind = match repo.kind {
            RepoKind::Model => "models",
            RepoKind::Dataset => "datasets",
        };
        let url = format!(
            "{}/api/{kind}/{}/revision/{}",
            self.config.endpoint,
            repo.id,
            encode(revision, false)
        );
        self.get_json(&url)?.ok_or(HubError::Status {
            url,
            status: 404,
            hint: status_hint(404),
        })
    }
}
