//! `lathe fmt`: rewrites *.tf files in the canonical layout.

use std::path::{Path, PathBuf};

use crate::cli::FmtArgs;

/// The configuration files under `folder`, sorted; with `recursive`, those of every
/// subfolder too (hidden ones, like `.lathe`, are skipped).
fn configuration_files(
    folder: &Path,
    recursive: bool,
    found: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)?
        .flatten()
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('.'));
        if path.is_dir() {
            if recursive && !hidden {
                configuration_files(&path, recursive, found)?;
            }
        } else if path
            .extension()
            .is_some_and(|extension| extension == "tf" || extension == "tfvars")
        {
            found.push(path);
        }
    }
    Ok(())
}

fn files(directory: &Path, targets: &[PathBuf], recursive: bool) -> anyhow::Result<Vec<PathBuf>> {
    let roots: Vec<PathBuf> = if targets.is_empty() {
        vec![directory.to_path_buf()]
    } else {
        targets.to_vec()
    };
    let mut found = Vec::new();
    for root in roots {
        if root.is_dir() {
            configuration_files(&root, recursive, &mut found)?;
        } else {
            found.push(root);
        }
    }
    Ok(found)
}

pub fn run(directory: &Path, arguments: &FmtArgs) -> anyhow::Result<u8> {
    let mut unformatted = false;
    let mut failed = false;
    for path in files(directory, &arguments.targets, arguments.recursive)? {
        let text = std::fs::read_to_string(&path)?;
        match lathe_config::format::format_source(&text) {
            Ok(formatted) if formatted != text => {
                unformatted = true;
                out!("{}", path.display());
                if arguments.diff {
                    for (before, after) in text
                        .lines()
                        .zip(formatted.lines())
                        .filter(|(before, after)| before != after)
                    {
                        out!("-{before}\n+{after}");
                    }
                }
                if !arguments.check {
                    lathe_core::atomic::write_atomically(&path, formatted.as_bytes())?;
                }
            }
            Ok(_) => {}
            Err(diagnostics) => {
                failed = true;
                err!(
                    "Error: {} cannot be formatted: {diagnostics}",
                    path.display()
                );
            }
        }
    }
    Ok(if failed {
        2
    } else if arguments.check && unformatted {
        3
    } else {
        0
    })
}
