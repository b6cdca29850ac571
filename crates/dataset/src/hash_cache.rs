//! Source-content hashes remembered by (path, size, mtime in ns, inode), so a plan re-hashes
//! only the files that changed instead of reading every source byte each time.

use std::collections::BTreeMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::{DatasetError, Result};
use crate::source::file_sha256;
use crate::writer::write_atomic;

/// The cache's file name under a project's `.lathe/` folder.
pub const FILE_NAME: &str = "source-hashes.json";

/// A file modified this recently may be modified again within the same mtime tick without its
/// stamp changing (git's "racily clean" problem), so its hash is not remembered yet.
const SETTLE: Duration = Duration::from_secs(2);

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    modified_ns: i64,
    inode: u64,
}

impl Stamp {
    fn of(metadata: &Metadata) -> Stamp {
        Stamp {
            size: metadata.len(),
            modified_ns: modified_ns(metadata),
            inode: inode(metadata),
        }
    }
}

#[cfg(unix)]
fn modified_ns(metadata: &Metadata) -> i64 {
    use std::os::unix::fs::MetadataExt;
    metadata
        .mtime()
        .saturating_mul(1_000_000_000)
        .saturating_add(metadata.mtime_nsec())
}

#[cfg(not(unix))]
fn modified_ns(metadata: &Metadata) -> i64 {
    metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| {
            i64::try_from(since.as_nanos()).unwrap_or(i64::MAX)
        })
}

#[cfg(unix)]
fn inode(metadata: &Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    metadata.ino()
}

#[cfg(not(unix))]
fn inode(_metadata: &Metadata) -> u64 {
    0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    stamp: Stamp,
    sha256: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    files: BTreeMap<PathBuf, Entry>,
}

/// Remembered hashes, loaded from and saved to one small JSON file (or kept in memory only).
#[derive(Debug, Default)]
pub struct HashCache {
    path: Option<PathBuf>,
    stored: Stored,
    dirty: bool,
    hits: u64,
    misses: u64,
}

impl HashCache {
    /// A cache that lives only as long as this value: every file is hashed once per run.
    pub fn in_memory() -> HashCache {
        HashCache::default()
    }

    /// The cache saved at `path`. A missing or unreadable file is an empty cache: it only
    /// ever saves work, so losing it costs one re-hash, never a wrong answer.
    pub fn load(path: &Path) -> HashCache {
        let stored = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        HashCache {
            path: Some(path.to_path_buf()),
            stored,
            ..HashCache::default()
        }
    }

    /// The cache of the project at `base_dir`: `.lathe/source-hashes.json`.
    pub fn for_project(base_dir: &Path) -> HashCache {
        HashCache::load(&base_dir.join(".lathe").join(FILE_NAME))
    }

    /// The file's sha256, read from the cache when its stamp is unchanged.
    pub fn sha256(&mut self, path: &Path) -> Result<String> {
        let metadata = std::fs::metadata(path).map_err(|error| DatasetError::io(path, error))?;
        let before = Stamp::of(&metadata);
        if let Some(entry) = self.stored.files.get(path)
            && entry.stamp == before
        {
            self.hits += 1;
            return Ok(entry.sha256.clone());
        }
        self.misses += 1;
        let started = SystemTime::now();
        let sha256 = file_sha256(path)?;
        let after = std::fs::metadata(path)
            .map(|metadata| Stamp::of(&metadata))
            .map_err(|error| DatasetError::io(path, error))?;
        let settled = started
            .checked_sub(SETTLE)
            .and_then(|limit| limit.duration_since(UNIX_EPOCH).ok())
            .is_some_and(|limit| i128::from(before.modified_ns) < limit.as_nanos() as i128);
        // Written to while we read it, or too fresh to trust its stamp: hash again next time.
        if before == after && settled {
            self.stored.files.insert(
                path.to_path_buf(),
                Entry {
                    stamp: before,
                    sha256: sha256.clone(),
                },
            );
            self.dirty = true;
        } else if self.stored.files.remove(path).is_some() {
            self.dirty = true;
        }
        Ok(sha256)
    }

    /// Files answered from the cache so far.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Files that had to be read and hashed so far.
    pub fn misses(&self) -> u64 {
        self.misses
    }

    /// Writes the cache back (atomically) when it learned something, forgetting files that
    /// no longer exist so it stays small. Entries another process saved meanwhile (a plan of
    /// another dataset, say) are kept: the file is read again and merged, ours winning.
    pub fn save(&mut self) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let before = self.stored.files.len();
        self.stored.files.retain(|file, _| file.is_file());
        if !self.dirty && self.stored.files.len() == before {
            return Ok(());
        }
        let mut merged = HashCache::load(path).stored;
        merged.files.retain(|file, _| file.is_file());
        merged.files.append(&mut self.stored.files);
        self.stored = merged;
        let text = serde_json::to_vec_pretty(&self.stored)
            .map_err(|error| DatasetError::Recipe(error.to_string()))?;
        write_atomic(path, &text)?;
        self.dirty = false;
        Ok(())
    }
}
