//! `manifest.json` beside a dataset version's files: what apply produced, so a later apply (or
//! one recovering from a crash) can reuse it and state can be rebuilt from it.

use std::collections::BTreeMap;
use std::path::Path;

use lathe_config::value::Value;
use lathe_dataset::{Fingerprint, Outcome};
use serde::{Deserialize, Serialize};

pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub part: String,
    /// Relative to the project folder, so state stays valid when the folder moves.
    pub path: String,
    pub rows: u64,
    pub characters: u64,
    pub tokens: u64,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub source_sha256: String,
    pub recipe_sha256: String,
    pub rows: u64,
    pub characters: u64,
    pub tokens: u64,
    pub sha256: String,
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    pub fn from_outcome(
        fingerprint: &Fingerprint,
        outcome: &Outcome,
        relative_dir: &Path,
    ) -> Manifest {
        Manifest {
            version: fingerprint.version.clone(),
            source_sha256: fingerprint.source_sha256.clone(),
            recipe_sha256: fingerprint.recipe_sha256.clone(),
            rows: outcome.rows,
            characters: outcome.characters,
            tokens: outcome.tokens,
            sha256: outcome.sha256.clone(),
            files: outcome
                .files
                .iter()
                .map(|file| ManifestFile {
                    part: file.part.clone(),
                    path: relative_dir
                        .join(file.path.file_name().unwrap_or_default())
                        .to_string_lossy()
                        .into_owned(),
                    rows: file.rows,
                    characters: file.characters,
                    tokens: file.tokens,
                    sha256: file.sha256.clone(),
                    bytes: file.bytes,
                })
                .collect(),
        }
    }

    pub fn read(directory: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(directory.join(MANIFEST)).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn write(&self, directory: &Path) -> lathe_dataset::Result<()> {
        let text = serde_json::to_string_pretty(self).expect("a manifest always serializes");
        lathe_dataset::writer::write_atomic(&directory.join(MANIFEST), text.as_bytes())
    }

    pub fn files_exist(&self, base_dir: &Path) -> bool {
        self.files
            .iter()
            .all(|file| base_dir.join(&file.path).is_file())
    }

    /// The resource's computed attributes.
    pub fn attributes(&self) -> BTreeMap<String, Value> {
        let number = |value: u64| Value::integer(value as i64);
        let main = self
            .files
            .iter()
            .find(|file| file.part == "train" || file.part == "data")
            .or(self.files.first());
        BTreeMap::from([
            (
                "path".to_string(),
                main.map_or(Value::Null, |file| Value::string(file.path.clone())),
            ),
            (
                "paths".to_string(),
                Value::Object(
                    self.files
                        .iter()
                        .map(|file| (file.part.clone(), Value::string(file.path.clone())))
                        .collect(),
                ),
            ),
            ("rows".to_string(), number(self.rows)),
            (
                "rows_by_split".to_string(),
                Value::Object(
                    self.files
                        .iter()
                        .map(|file| (file.part.clone(), number(file.rows)))
                        .collect(),
                ),
            ),
            ("characters".to_string(), number(self.characters)),
            ("tokens".to_string(), number(self.tokens)),
            ("sha256".to_string(), Value::string(self.sha256.clone())),
            ("version".to_string(), Value::string(self.version.clone())),
            (
                "source_sha256".to_string(),
                Value::string(self.source_sha256.clone()),
            ),
        ])
    }
}
