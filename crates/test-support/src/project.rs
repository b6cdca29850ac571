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

    /// A folder holding a copy of the configuration (`*.tf`, `*.tfvars`) of `source`.
    pub fn copy_of(source: &Path) -> TempProject {
        let project = TempProject::new(&[]);
        for entry in std::fs::read_dir(source)
            .expect("the source folder is readable")
            .flatten()
        {
            let path = entry.path();
            let configuration = path
                .extension()
                .is_some_and(|extension| extension == "tf" || extension == "tfvars");
            if path.is_file() && configuration {
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
