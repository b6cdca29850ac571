//! Atomic, durable file writes: temp file in the same directory, fsync, rename, fsync directory.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::RegionError;

/// Replaces `path` with `contents` so that a crash leaves either the old or the new file whole.
pub fn write_atomically(path: &Path, contents: &[u8], mode: u32) -> Result<(), RegionError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| RegionError::io("creating directory", dir, e))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        crate::ids::random_lowercase(12)
    ));
    let mut file = create_with_mode(&temp, mode)?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| RegionError::io("writing", &temp, e))?;
    drop(file);
    fs::rename(&temp, path).map_err(|e| RegionError::io("renaming into place", path, e))?;
    sync_directory(dir)
}

/// Creates a new file readable only as `mode` allows, from the first byte on.
pub fn create_with_mode(path: &Path, mode: u32) -> Result<File, RegionError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options
        .open(path)
        .map_err(|e| RegionError::io("creating", path, e))
}

/// Makes a rename in `dir` survive power loss.
pub fn sync_directory(dir: &Path) -> Result<(), RegionError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| RegionError::io("syncing directory", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
