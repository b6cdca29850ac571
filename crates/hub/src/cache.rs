//! The on-disk cache in huggingface_hub's layout:
//! `REPO_FOLDER/{refs/REVISION, blobs/ETAG, snapshots/COMMIT/PATH -> ../../blobs/ETAG}`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{HubError, Result};
use crate::uri::Repo;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    root: PathBuf,
}

fn is_commit_hash(revision: &str) -> bool {
    revision.len() == 40 && revision.chars().all(|c| c.is_ascii_hexdigit())
}

impl Cache {
    pub fn new(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn repo_dir(&self, repo: &Repo) -> PathBuf {
        self.root.join(repo.cache_folder())
    }

    /// The commit a revision (branch, tag, `refs/convert/parquet` or commit hash) points to.
    pub fn commit(&self, repo: &Repo, revision: &str) -> Option<String> {
        let directory = self.repo_dir(repo);
        if is_commit_hash(revision) && directory.join("snapshots").join(revision).is_dir() {
            return Some(revision.to_string());
        }
        let commit = std::fs::read_to_string(directory.join("refs").join(revision)).ok()?;
        let commit = commit.trim().to_string();
        (!commit.is_empty()).then_some(commit)
    }

    pub fn snapshot(&self, repo: &Repo, revision: &str) -> Option<PathBuf> {
        let commit = self.commit(repo, revision)?;
        let snapshot = self.repo_dir(repo).join("snapshots").join(commit);
        snapshot.is_dir().then_some(snapshot)
    }

    /// Repository-relative paths of every readable file in a snapshot.
    pub fn snapshot_files(snapshot: &Path) -> Vec<String> {
        let mut files = Vec::new();
        let mut pending = vec![snapshot.to_path_buf()];
        while let Some(directory) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&directory) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                // `metadata` follows the symlink, so broken links (missing blobs) are skipped.
                match std::fs::metadata(&path) {
                    Ok(metadata) if metadata.is_dir() => pending.push(path),
                    Ok(_) => {
                        if let Ok(relative) = path.strip_prefix(snapshot) {
                            files.push(relative.to_string_lossy().replace('\\', "/"));
                        }
                    }
                    Err(_) => {}
                }
            }
        }
        files.sort();
        files
    }

    pub fn blob_path(&self, repo: &Repo, etag: &str) -> PathBuf {
        self.repo_dir(repo).join("blobs").join(etag)
    }

    pub fn write_ref(&self, repo: &Repo, revision: &str, commit: &str) -> Result<()> {
        if revision == commit {
            return Ok(());
        }
        let path = self.repo_dir(repo).join("refs").join(revision);
        write_atomic(&path, commit.as_bytes())
    }

    /// Points `snapshots/COMMIT/FILE` at the blob, replacing any older link atomically.
    pub fn link(&self, repo: &Repo, commit: &str, file: &str, etag: &str) -> Result<PathBuf> {
        let link = self
            .repo_dir(repo)
            .join("snapshots")
            .join(commit)
            .join(file);
        let parent = link
            .parent()
            .expect("a snapshot file has a folder")
            .to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|error| HubError::io(&parent, error))?;
        let depth = file.split('/').count() - 1 + 2;
        let target = PathBuf::from("../".repeat(depth)).join("blobs").join(etag);
        let temporary = parent.join(format!(
            ".{}.lathe-link",
            link.file_name().unwrap_or_default().to_string_lossy()
        ));
        let _ = std::fs::remove_file(&temporary);
        make_link(&target, &temporary, &self.blob_path(repo, etag))?;
        std::fs::rename(&temporary, &link).map_err(|error| HubError::io(&link, error))?;
        Ok(link)
    }
}

#[cfg(unix)]
fn make_link(target: &Path, link: &Path, _blob: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, link).map_err(|error| HubError::io(link, error))
}

/// Without symlinks (as huggingface_hub does on Windows without developer mode) the blob is copied.
#[cfg(not(unix))]
fn make_link(_target: &Path, link: &Path, blob: &Path) -> Result<()> {
    std::fs::copy(blob, link)
        .map(|_| ())
        .map_err(|error| HubError::io(link, error))
}

/// Temp file, fsync, rename: a reader never sees half a file.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let parent = path.parent().expect("cache paths have a folder");
    std::fs::create_dir_all(parent).map_err(|error| HubError::io(parent, error))?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".lathe-partial-")
        .tempfile_in(parent)
        .map_err(|error| HubError::io(parent, error))?;
    temporary
        .write_all(contents)
        .map_err(|error| HubError::io(path, error))?;
    temporary
        .as_file()
        .sync_all()
        .map_err(|error| HubError::io(path, error))?;
    temporary
        .persist(path)
        .map_err(|error| HubError::io(path, error.error))?;
    if let Ok(directory) = File::open(parent) {
        let _ = directory.sync_all();
    }
    Ok(())
}
