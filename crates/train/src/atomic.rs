//! Durable writes: temp file, fsync, rename, so a kill at any moment leaves old or new, never half.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, io_error};

fn temporary_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

fn sync_parent(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        // Directory fsync makes the rename itself durable; not every platform allows it.
        if let Ok(directory) = File::open(parent) {
            let _ = directory.sync_all();
        }
    }
    Ok(())
}

/// Writes a file by letting `write` fill a temporary sibling, then renaming it into place.
pub fn write_with<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    let temporary = temporary_sibling(path);
    write(&temporary)?;
    File::open(&temporary)
        .and_then(|file| file.sync_all())
        .map_err(io_error(&temporary))?;
    fs::rename(&temporary, path).map_err(io_error(path))?;
    sync_parent(path)
}

pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, |temporary| {
        let mut file = File::create(temporary).map_err(io_error(temporary))?;
        file.write_all(bytes).map_err(io_error(temporary))
    })
}

/// Fills a fresh directory through `fill`, then moves it to `path`, replacing what was there.
pub fn write_directory<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    let temporary = temporary_sibling(path);
    if temporary.exists() {
        fs::remove_dir_all(&temporary).map_err(io_error(&temporary))?;
    }
    fs::create_dir_all(&temporary).map_err(io_error(&temporary))?;
    fill(&temporary)?;
    if path.exists() {
        let retired = path.with_file_name(format!(
            ".{}.old-{}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        fs::rename(path, &retired).map_err(io_error(path))?;
        fs::rename(&temporary, path).map_err(io_error(path))?;
        fs::remove_dir_all(&retired).map_err(io_error(&retired))?;
    } else {
        fs::rename(&temporary, path).map_err(io_error(path))?;
    }
    sync_parent(path)
}
