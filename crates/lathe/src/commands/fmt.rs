//! `lathe fmt`: rewrites *.tf files in the canonical layout.

use std::path::{Path, PathBuf};

use crate::cli::FmtArgs;

fn files(directory: &Path, targets: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let roots: Vec<PathBuf> = if targets.is_empty() {
        vec![directory.to_path_buf()]
    } else {
        targets.to_vec()
    };
    let mut found = Vec::new();
    for root in roots {
        if root.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)?
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| {
                    path.extension()
                        .is_some_and(|extension| extension == "tf" || extension == "tfvars")
                })
                .collect();
            entries.sort();
            found.extend(entries);
        } else {
            found.push(root);
        }
    }
    Ok(found)
}

pub fn run(directory: &Path, arguments: &FmtArgs) -> anyhow::Result<u8> {
    let mut unformatted = false;
    let mut failed = false;
    for path in files(directory, &arguments.targets)? {
        let text = std::fs::read_to_string(&path)?;
        match lathe_config::format::format_source(&text) {
            Ok(formatted) if formatted != text => {
                unformatted = true;
                println!("{}", path.display());
                if arguments.diff {
                    for (before, after) in text
                        .lines()
                        .zip(formatted.lines())
                        .filter(|(before, after)| before != after)
                    {
                        println!("-{before}\n+{after}");
                    }
                }
                if !arguments.check {
                    lathe_core::atomic::write_atomically(&path, formatted.as_bytes())?;
                }
            }
            Ok(_) => {}
            Err(diagnostics) => {
                failed = true;
                eprintln!(
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
