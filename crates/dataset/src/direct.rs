//! Sequential file output that goes past the page cache (O_DIRECT on Linux), on a disk thread
//! of its own. Copying hundreds of MiB into the page cache, only to flush them all again for the
//! fsync that makes the file durable, cost the pipeline more CPU than encoding them; a direct
//! write sends our own buffer to the disk while the other threads keep working.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::{self, JoinHandle};

/// Direct I/O needs buffers, lengths and file offsets aligned to the device's logical block
/// size; 4 KiB covers the devices in use.
const ALIGNMENT: usize = 4096;

/// Bytes per write: enough for the disk to stream, few enough that the chunks in flight stay a
/// small part of the pipeline's memory bound.
const CHUNK_BYTES: usize = 2 << 20;

/// Chunks at most: one being filled, one being written, one waiting between them.
const CHUNKS: usize = 3;

/// A block-aligned window of `CHUNK_BYTES` inside a slightly larger allocation.
struct Chunk {
    storage: Vec<u8>,
    start: usize,
    filled: usize,
}

impl Chunk {
    fn new() -> Chunk {
        let storage = vec![0u8; CHUNK_BYTES + ALIGNMENT];
        let start = (ALIGNMENT - storage.as_ptr().addr() % ALIGNMENT) % ALIGNMENT;
        Chunk {
            storage,
            start,
            filled: 0,
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.storage[self.start..self.start + self.filled]
    }

    /// Copies what fits of `bytes`; returns how many bytes that was.
    fn fill(&mut self, bytes: &[u8]) -> usize {
        let space = &mut self.storage[self.start + self.filled..self.start + CHUNK_BYTES];
        let taken = bytes.len().min(space.len());
        space[..taken].copy_from_slice(&bytes[..taken]);
        self.filled += taken;
        taken
    }

    fn is_full(&self) -> bool {
        self.filled == CHUNK_BYTES
    }
}

/// Writes bytes in order to a file, in large aligned chunks on its own thread.
pub struct DirectWriter {
    current: Chunk,
    created: usize,
    free: Receiver<Chunk>,
    full: Option<SyncSender<Chunk>>,
    disk: Option<JoinHandle<io::Result<File>>>,
}

impl DirectWriter {
    /// Writes into `file` (a new, empty file at `path`), through a second, direct handle on
    /// `path` where the filesystem allows one.
    pub fn new(file: File, path: &Path) -> io::Result<DirectWriter> {
        DirectWriter::with_handles(file, open_direct(path))
    }

    /// Writes into `file`, the aligned chunks through `direct` when there is one.
    fn with_handles(file: File, direct: Option<File>) -> io::Result<DirectWriter> {
        let (full, chunks) = sync_channel::<Chunk>(1);
        let (recycle, free) = sync_channel::<Chunk>(CHUNKS);
        let disk = thread::Builder::new()
            .name("lathe-dataset-disk".into())
            .spawn(move || write_chunks(direct, file, chunks, recycle))?;
        Ok(DirectWriter {
            current: Chunk::new(),
            created: 1,
            free,
            full: Some(full),
            disk: Some(disk),
        })
    }

    fn send_current(&mut self) -> io::Result<()> {
        let next = match self.free.try_recv() {
            Ok(chunk) => chunk,
            Err(TryRecvError::Empty) if self.created < CHUNKS => {
                self.created += 1;
                Chunk::new()
            }
            Err(TryRecvError::Empty) => match self.free.recv() {
                Ok(chunk) => chunk,
                Err(_) => return Err(self.disk_failure()),
            },
            Err(TryRecvError::Disconnected) => return Err(self.disk_failure()),
        };
        let full = std::mem::replace(&mut self.current, next);
        self.current.filled = 0;
        let sent = self
            .full
            .as_ref()
            .is_some_and(|sender| sender.send(full).is_ok());
        if sent {
            Ok(())
        } else {
            Err(self.disk_failure())
        }
    }

    /// The disk thread's own error, once it has stopped.
    fn disk_failure(&mut self) -> io::Error {
        self.full = None;
        match self.disk.take().map(JoinHandle::join) {
            Some(Ok(Err(error))) => error,
            Some(Err(_)) => io::Error::other("the disk writer panicked"),
            _ => io::Error::other("the disk writer stopped early"),
        }
    }

    /// Writes what is left and returns the file, every byte written to it (not yet synced).
    pub fn finish(mut self) -> io::Result<File> {
        if self.current.filled > 0 {
            self.send_current()?;
        }
        self.full = None;
        match self.disk.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the disk writer panicked")),
            None => Err(io::Error::other("the disk writer stopped early")),
        }
    }
}

impl Write for DirectWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let taken = self.current.fill(bytes);
        if self.current.is_full() {
            self.send_current()?;
        }
        Ok(taken)
    }

    /// Chunks are written as they fill; the rest goes out in `finish`.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn open_direct(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_path: &Path) -> Option<File> {
    None
}

fn write_at(mut file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)
}

/// The disk thread: writes each chunk at its offset, the aligned part directly, and hands the
/// chunk back for reuse. Only the last chunk can end off a block boundary; that tail goes
/// through the page cache like any ordinary write.
fn write_chunks(
    mut direct: Option<File>,
    file: File,
    chunks: Receiver<Chunk>,
    recycle: SyncSender<Chunk>,
) -> io::Result<File> {
    let mut offset = 0u64;
    for chunk in chunks {
        let bytes = chunk.bytes();
        let aligned = bytes.len() - bytes.len() % ALIGNMENT;
        let (head, tail) = bytes.split_at(aligned);
        match &direct {
            Some(handle) if !head.is_empty() => {
                if let Err(error) = write_at(handle, head, offset) {
                    // Some filesystems open files for direct I/O and then refuse the writes:
                    // from here on, write through the page cache instead.
                    if error.kind() != io::ErrorKind::InvalidInput {
                        return Err(error);
                    }
                    direct = None;
                    write_at(&file, head, offset)?;
                }
            }
            _ => write_at(&file, head, offset)?,
        }
        write_at(&file, tail, offset + aligned as u64)?;
        offset += bytes.len() as u64;
        // The writer may have stopped early and dropped its end; nothing is lost then.
        let _ = recycle.send(chunk);
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes around the chunk and block boundaries, written in pieces of awkward sizes, with a
    /// direct handle and (as where the filesystem refuses one) without.
    #[test]
    fn writes_every_byte_in_order() {
        let cases: [(usize, usize); 6] = [
            (0, 1),
            (1, 1),
            (ALIGNMENT + 3, 1000),
            (CHUNK_BYTES, 4096),
            (CHUNK_BYTES * 3 + 17, 777_777),
            (CHUNK_BYTES * 5 - 1, CHUNK_BYTES + 1),
        ];
        let folder = tempfile::tempdir().unwrap();
        for ((length, piece), direct) in cases
            .into_iter()
            .flat_map(|case| [(case, true), (case, false)])
        {
            let path = folder.path().join(format!("out-{length}-{direct}"));
            let file = File::create(&path).unwrap();
            let handle = if direct { open_direct(&path) } else { None };
            let mut writer = DirectWriter::with_handles(file, handle).unwrap();
            let expected: Vec<u8> = (0..length).map(|index| (index % 251) as u8).collect();
            for part in expected.chunks(piece) {
                writer.write_all(part).unwrap();
            }
            drop(writer.finish().unwrap());
            assert_eq!(
                std::fs::read(&path).unwrap(),
                expected,
                "length {length}, direct {direct}"
            );
        }
    }
}
