//! Temporary project folders holding a configuration (and optionally a prior state).

use std::path::{Path, PathBuf};

/// A folder deleted when dropped.
#[derive(Debug)]
pub struct TempProject {
    directory: tempfile::TempDir,
}

impl TempProject {
    /// A folder holding `files` (relative path, contents).
    pub fn new(files: &[(&str, &str)]) -> TempProject {
        let directory = tempfile::tempdir().expect("a temporary folder can be created");
        let project = TempProject { directory };
        for (path, contents) in files {
            project.write(path, contents);
        }
        project
    }

    /// A folder holding a copy of the files of `source` (not its subfolders), without state.
    pub fn copy_of(source: &Path) -> TempProject {
        let project = TempProject::new(&[]);
        for entry in std::fs::read_dir(source)
            .expect("the source folder is readable")
            .flatten()
        {
            let path = entry.path();
            // Everything the example ships (configs, the scripts its provisioners run), but
            // none of what running lathe there left behind (state, its backup, the lock).
            let name = entry.file_name().to_string_lossy().into_owned();
            let left_by_lathe = name.starts_with("lathe.tfstate") || name.starts_with(".lathe");
            if path.is_file() && !left_by_lathe {
                std::fs::copy(entry.path(), project.path().join(entry.file_name()))
                    .expect("files copy");
            }
        }
        project
    }

    pub fn path(&self) -> &Path {
        self.directory.path()
    }

    pub fn file(&self, path: &str) -> PathBuf {
        self.path().join(path)
    }

    pub fn write(&self, path: &str, contents: &str) {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("folders can be created");
        }
        std::fs::write(full, contents).expect("files can be written");
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap_or_default()
    }
}
