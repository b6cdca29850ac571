//! The state lock: an OS file lock (released by the kernel if the holder dies) plus a note
//! naming the holder, so a refused second run can say who holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub const LOCK_FILE: &str = ".lathe.tfstate.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "the state is locked by another lathe process: pid {}, running `{}`, since {}; wait for it to finish, or pass -lock-timeout=DURATION to wait longer",
        holder.pid, holder.command, holder.time
    )]
    Held { holder: LockHolder },
    #[error("cannot open the lock file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Who holds the lock; written into the lock file by the holder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockHolder {
    pub pid: u32,
    pub command: String,
    pub time: String,
}

/// Holds the state lock until dropped.
#[derive(Debug)]
pub struct StateLock {
    file: File,
}

impl StateLock {
    /// Takes the lock of a working directory, retrying until `timeout` has passed.
    pub fn acquire(
        directory: &Path,
        command: &str,
        timeout: Duration,
    ) -> Result<StateLock, LockError> {
        let path = directory.join(LOCK_FILE);
        let io_error = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    if started.elapsed() >= timeout {
                        return Err(LockError::Held {
                            holder: read_holder(&mut file),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(TryLockError::Error(error)) => return Err(io_error(error)),
            }
        }
        let holder = LockHolder {
            pid: std::process::id(),
            command: command.to_string(),
            time: crate::clock::now_rfc3339(),
        };
        let note = serde_json::to_vec(&holder).unwrap_or_default();
        file.set_len(0).map_err(io_error)?;
        file.rewind().map_err(io_error)?;
        file.write_all(&note).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
        Ok(StateLock { file })
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn read_holder(file: &mut File) -> LockHolder {
    let mut text = String::new();
    let _ = file.rewind();
    let _ = file.read_to_string(&mut text);
    serde_json::from_str(&text).unwrap_or(LockHolder {
        pid: 0,
        command: "unknown (the holder has not written its note yet)".to_string(),
        time: "unknown".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_the_first_ones_name() {
        let directory = tempfile::tempdir().unwrap();
        let first = StateLock::acquire(directory.path(), "apply", Duration::ZERO).unwrap();
        let error =
            StateLock::acquire(directory.path(), "plan", Duration::from_millis(200)).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains("`apply`"), "{message}");
        drop(first);
        StateLock::acquire(directory.path(), "plan", Duration::ZERO).unwrap();
    }
}
