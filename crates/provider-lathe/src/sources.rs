//! Turns a dataset's `source` (local paths, globs or `hf://datasets/...`) into local files,
//! one code path for the `lathe_dataset` resource and `lathe data prepare`.

use lathe_dataset::Recipe;
use lathe_hub::{DatasetUri, Hub, HubError};

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
