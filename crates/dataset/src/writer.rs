//! Output files written atomically (temp file, fsync, rename) while their sha256 is computed
//! from the very bytes written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use sha2::{Digest, Sha256};

use crate::direct::DirectWriter;
use crate::error::{DatasetError, Result};

/// Passes bytes through while hashing and counting them.
pub struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    pub fn finish(self) -> (W, String, u64) {
        (self.inner, hex::encode(self.hasher.finalize()), self.bytes)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buffer)?;
        self.hasher.update(&buffer[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A file that appears under its final name only once complete and on disk.
pub struct AtomicFile {
    temp: tempfile::TempPath,
    file: File,
    path: PathBuf,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&directory).map_err(|error| DatasetError::io(&directory, error))?;
        let named = tempfile::Builder::new()
            .prefix(".lathe-partial-")
            .tempfile_in(&directory)
            .map_err(|error| DatasetError::io(&directory, error))?;
        let (file, temp) = named.into_parts();
        Ok(AtomicFile {
            temp,
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn file(&self) -> &File {
        &self.file
    }

    pub fn commit(self, file: File) -> Result<()> {
        file.sync_all()
            .map_err(|error| DatasetError::io(&self.path, error))?;
        drop(self.file);
        self.temp
            .persist(&self.path)
            .map_err(|error| DatasetError::io(&self.path, error.error))?;
        if let Some(parent) = self
            .path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            // The rename is durable only once the directory entry is.
            if let Ok(directory) = File::open(parent) {
                let _ = directory.sync_all();
            }
        }
        Ok(())
    }
}

/// A finished output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

/// One output file of either kind, fed bytes (JSONL) or batches (Parquet).
pub enum OutputWriter {
    /// Lines arrive a whole batch at a time and go to the disk in large direct writes.
    Lines {
        atomic: AtomicFile,
        writer: Box<HashingWriter<DirectWriter>>,
    },
    Parquet {
        atomic: AtomicFile,
        writer: Box<ArrowWriter<HashingWriter<BufWriter<File>>>>,
    },
}

impl OutputWriter {
    pub fn lines(path: &Path) -> Result<OutputWriter> {
        let atomic = AtomicFile::create(path)?;
        let file = atomic
            .file()
            .try_clone()
            .map_err(|error| DatasetError::io(path, error))?;
        let direct =
            DirectWriter::new(file, &atomic.temp).map_err(|error| DatasetError::io(path, error))?;
        Ok(OutputWriter::Lines {
            atomic,
            writer: Box::new(HashingWriter::new(direct)),
        })
    }

    pub fn parquet(path: &Path, schema: SchemaRef) -> Result<OutputWriter> {
        let atomic = AtomicFile::create(path)?;
        let file = atomic
            .file()
            .try_clone()
            .map_err(|error| DatasetError::io(path, error))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by("lathe".into())
            .build();
        let writer = ArrowWriter::try_new(
            HashingWriter::new(BufWriter::with_capacity(1 << 20, file)),
            schema,
            Some(properties),
        )?;
        Ok(OutputWriter::Parquet {
            atomic,
            writer: Box::new(writer),
        })
    }

    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            OutputWriter::Lines { atomic, writer } => writer
                .write_all(bytes)
                .map_err(|error| DatasetError::io(&atomic.path, error)),
            OutputWriter::Parquet { .. } => Err(DatasetError::Thread(
                "bytes sent to a Parquet writer".into(),
            )),
        }
    }

    pub fn write_batch(&mut self, batch: &RecordBatch) -> Result<()> {
        match self {
            OutputWriter::Parquet { writer, .. } => Ok(writer.write(batch)?),
            OutputWriter::Lines { .. } => Err(DatasetError::Thread(
                "a batch sent to a JSONL writer".into(),
            )),
        }
    }

    pub fn finish(self) -> Result<Written> {
        let (atomic, file, sha256, bytes) = match self {
            OutputWriter::Lines { atomic, writer } => {
                let (direct, sha256, bytes) = (*writer).finish();
                let file = direct
                    .finish()
                    .map_err(|error| DatasetError::io(&atomic.path, error))?;
                (atomic, file, sha256, bytes)
            }
            OutputWriter::Parquet { atomic, writer } => {
                let (buffered, sha256, bytes) = writer.into_inner()?.finish();
                let file = buffered
                    .into_inner()
                    .map_err(|error| DatasetError::io(&atomic.path, error.into_error()))?;
                (atomic, file, sha256, bytes)
            }
        };
        let path = atomic.path.clone();
        atomic.commit(file)?;
        Ok(Written {
            path,
            sha256,
            bytes,
        })
    }
}

/// Writes a whole file atomically (small files: manifests, recipes).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let atomic = AtomicFile::create(path)?;
    let mut file = atomic
        .file()
        .try_clone()
        .map_err(|error| DatasetError::io(path, error))?;
    file.write_all(contents)
        .map_err(|error| DatasetError::io(path, error))?;
    atomic.commit(file)
}
