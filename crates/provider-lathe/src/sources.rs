//! Turns a dataset's `source` (local paths, globs, `hf://datasets/...` or `s3://...`) into
//! local files, one code path for the `lathe_dataset` resource and `lathe data prepare`.

use std::path::Path;
use std::sync::Arc;

use lathe_dataset::Recipe;
use lathe_hub::{DatasetUri, Hub, HubError};

use crate::s3_sources::{ObjectStore, S3SourceError, resolve_s3_paths};

/// Where `s3://` sources are cached, under the project folder.
pub const S3_CACHE_DIR: &str = ".lathe/s3";

/// Everything remote a source can name: the Hugging Face Hub, and S3 when the binary wires
/// the aws provider's client in.
pub struct Sources {
    pub hub: Hub,
    pub objects: Option<Arc<dyn ObjectStore>>,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Sources")
            .field("hub", &self.hub)
            .field("objects", &self.objects.is_some())
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    S3(#[from] S3SourceError),
}

impl Sources {
    pub fn new(hub: Hub) -> Sources {
        Sources { hub, objects: None }
    }

    /// Replaces the recipe's `hf://` and `s3://` paths by local files; `s3://` objects are
    /// cached under `base_dir/.lathe/s3/`.
    pub fn resolve(
        &self,
        recipe: &mut Recipe,
        selection: &HubSelection,
        base_dir: &Path,
    ) -> Result<(), SourceError> {
        resolve_hub_sources(recipe, selection, &self.hub)?;
        recipe.source.paths = resolve_s3_paths(
            &recipe.source.paths,
            self.objects.as_deref(),
            &base_dir.join(S3_CACHE_DIR),
        )?;
        Ok(())
    }
}

/// Which part of a Hub dataset to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubSelection {
    pub split: String,
    pub config: Option<String>,
}

impl Default for HubSelection {
    fn default() -> Self {
        HubSelection {
            split: "train".into(),
            config: None,
        }
    }
}

/// Replaces every `hf://` path of the recipe's source by the local files it resolves to.
pub fn resolve_hub_sources(
    recipe: &mut Recipe,
    selection: &HubSelection,
    hub: &Hub,
) -> Result<(), HubError> {
    let mut paths = Vec::with_capacity(recipe.source.paths.len());
    for path in &recipe.source.paths {
        if path.starts_with("hf://") {
            let uri = DatasetUri::parse(path)?;
            for file in hub.resolve_dataset(&uri, selection.config.as_deref(), &selection.split)? {
                paths.push(file.to_string_lossy().into_owned());
            }
        } else {
            paths.push(path.clone());
        }
    }
    recipe.source.paths = paths;
    Ok(())
}
