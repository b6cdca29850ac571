//! Object bytes on disk: one file per object version or part, named by a random id (never by
//! the key), written to `tmp/` while hashing, fsynced, then renamed into `objects/`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::StreamExt;
use s3s::checksum::ChecksumHasher;
use s3s::crypto::{Checksum as _, Md5};
use s3s::dto::{Checksum, StreamingBlob};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::RegionError;

/// Bytes read from disk per chunk when streaming an object out.
const READ_CHUNK: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct BlobStore {
    objects_dir: PathBuf,
    temp_dir: PathBuf,
}

/// What was written: where, how long, and its digests.
#[derive(Debug)]
pub struct WrittenBlob {
    pub id: String,
    pub size: u64,
    pub md5: [u8; 16],
    pub checksums: Checksum,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("{0}")]
    Storage(#[from] RegionError),
    #[error("reading the request body: {0}")]
    Body(String),
}

impl BlobStore {
    pub fn open(objects_dir: PathBuf, temp_dir: PathBuf) -> Result<Self, RegionError> {
        for dir in [&objects_dir, &temp_dir] {
            std::fs::create_dir_all(dir).map_err(|e| RegionError::io("creating", dir, e))?;
        }
        Ok(Self {
            objects_dir,
            temp_dir,
        })
    }

    fn path_of(&self, id: &str) -> PathBuf {
        // Two-character fan-out keeps directories small; ids are our own hex, never user text.
        let shard = id.get(..2).unwrap_or("00");
        self.objects_dir.join(shard).join(id)
    }

    /// Streams `body` to a new blob in constant memory, computing MD5 and the checksums that
    /// `hasher` has switched on.
    pub async fn write(
        &self,
        body: StreamingBlob,
        mut hasher: ChecksumHasher,
    ) -> Result<WrittenBlob, BlobError> {
        let id = crate::ids::opaque_id();
        let temp = self.temp_dir.join(format!("{id}.part"));
        let result = self.write_to(&temp, body, &mut hasher).await;
        let (size, md5) = match result {
            Ok(done) => done,
            Err(e) => {
                let _ = tokio::fs::remove_file(&temp).await;
                return Err(e);
            }
        };
        self.publish(&temp, &id).await?;
        Ok(WrittenBlob {
            id,
            size,
            md5,
            checksums: hasher.finalize(),
        })
    }

    async fn write_to(
        &self,
        temp: &Path,
        mut body: StreamingBlob,
        hasher: &mut ChecksumHasher,
    ) -> Result<(u64, [u8; 16]), BlobError> {
        let mut file = tokio::fs::File::create(temp)
            .await
            .map_err(|e| RegionError::io("creating", temp, e))?;
        let mut md5 = Md5::new();
        let mut size = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk: Bytes = chunk.map_err(|e| BlobError::Body(e.to_string()))?;
            md5.update(&chunk);
            hasher.update(&chunk);
            size += chunk.len() as u64;
            file.write_all(&chunk)
                .await
                .map_err(|e| RegionError::io("writing", temp, e))?;
        }
        file.sync_all()
            .await
            .map_err(|e| RegionError::io("syncing", temp, e))?;
        Ok((size, md5.finalize()))
    }

    /// Moves a finished temp file into place durably.
    async fn publish(&self, temp: &Path, id: &str) -> Result<(), RegionError> {
        let destination = self.path_of(id);
        let temp = temp.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let dir = destination.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir).map_err(|e| RegionError::io("creating", dir, e))?;
            std::fs::rename(&temp, &destination)
                .map_err(|e| RegionError::io("renaming into place", &destination, e))?;
            crate::durable::sync_directory(dir)
        })
        .await
        .map_err(|e| RegionError::Task(e.to_string()))?
    }

    /// Joins blobs end to end into a new blob (multipart completion, copies), in constant memory.
    pub async fn concatenate(&self, sources: Vec<String>) -> Result<WrittenBlob, RegionError> {
        let id = crate::ids::opaque_id();
        let temp = self.temp_dir.join(format!("{id}.part"));
        let paths: Vec<PathBuf> = sources.iter().map(|s| self.path_of(s)).collect();
        let temp_for_task = temp.clone();
        let written =
            tokio::task::spawn_blocking(move || -> Result<(u64, [u8; 16]), RegionError> {
                use std::io::{Read, Write};
                let mut out = std::fs::File::create(&temp_for_task)
                    .map_err(|e| RegionError::io("creating", &temp_for_task, e))?;
                let mut md5 = Md5::new();
                let mut size = 0u64;
                let mut buffer = vec![0u8; READ_CHUNK];
                for path in &paths {
                    let mut input = std::fs::File::open(path)
                        .map_err(|e| RegionError::io("opening", path, e))?;
                    loop {
                        let read = input
                            .read(&mut buffer)
                            .map_err(|e| RegionError::io("reading", path, e))?;
                        if read == 0 {
                            break;
                        }
                        md5.update(&buffer[..read]);
                        size += read as u64;
                        out.write_all(&buffer[..read])
                            .map_err(|e| RegionError::io("writing", &temp_for_task, e))?;
                    }
                }
                out.sync_all()
                    .map_err(|e| RegionError::io("syncing", &temp_for_task, e))?;
                Ok((size, md5.finalize()))
            })
            .await
            .map_err(|e| RegionError::Task(e.to_string()))?;
        let (size, md5) = match written {
            Ok(done) => done,
            Err(e) => {
                let _ = tokio::fs::remove_file(&temp).await;
                return Err(e);
            }
        };
        self.publish(&temp, &id).await?;
        Ok(WrittenBlob {
            id,
            size,
            md5,
            checksums: Checksum::default(),
        })
    }

    /// Streams `length` bytes of a blob starting at `offset`.
    pub async fn read(
        &self,
        id: &str,
        offset: u64,
        length: u64,
    ) -> Result<StreamingBlob, RegionError> {
        let path = self.path_of(id);
        let mut file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| RegionError::io("opening", &path, e))?;
        if offset > 0 {
            file.seek(std::io::SeekFrom::Start(offset))
                .await
                .map_err(|e| RegionError::io("seeking", &path, e))?;
        }
        let stream = tokio_util::io::ReaderStream::with_capacity(file.take(length), READ_CHUNK);
        Ok(StreamingBlob::wrap(stream))
    }

    /// Removes a blob no metadata row refers to any more; a missing file is already gone.
    pub async fn remove(&self, id: &str) {
        let path = self.path_of(id);
        if let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), error = %e, "could not remove object file");
        }
    }

    /// After a crash: drops half-written temp files and blobs no committed row refers to.
    pub fn sweep(&self, referenced: &HashSet<String>) -> Result<usize, RegionError> {
        let mut removed = 0;
        for entry in read_dir(&self.temp_dir)? {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|e| RegionError::io("removing", &path, e))?;
            removed += 1;
        }
        for shard in read_dir(&self.objects_dir)? {
            for entry in read_dir(&shard.path())? {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !referenced.contains(&name) {
                    let path = entry.path();
                    std::fs::remove_file(&path)
                        .map_err(|e| RegionError::io("removing", &path, e))?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

fn read_dir(dir: &Path) -> Result<Vec<std::fs::DirEntry>, RegionError> {
    std::fs::read_dir(dir)
        .and_then(|entries| entries.collect::<Result<Vec<_>, _>>())
        .map_err(|e| RegionError::io("listing", dir, e))
}
