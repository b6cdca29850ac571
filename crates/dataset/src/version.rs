//! A dataset's `version`: derived from the recipe and the content of its sources, so a change
//! to either (and only that) gives a new version.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{DatasetError, Result};
use crate::hash_cache::HashCache;
use crate::recipe::Recipe;
use crate::source;

/// The generation of lathe's own row-producing algorithms (sampler, shuffle buckets, writers).
/// Bump it whenever the same recipe and source would come out as different bytes, so one
/// `version` never names two outputs.
const ALGORITHM_GENERATION: &str = "lathe-dataset-2";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// `ds-` and 16 hex digits.
    pub version: String,
    /// sha256 over every source file's sha256, in read order.
    pub source_sha256: String,
    /// sha256 of the recipe's canonical JSON, source paths left out (moving a file is no change).
    pub recipe_sha256: String,
}

/// Hashes the sources and the recipe. Reads every source byte the cache does not vouch for.
pub fn fingerprint(recipe: &Recipe, base_dir: &Path, cache: &mut HashCache) -> Result<Fingerprint> {
    let files = source::resolve(&recipe.source, base_dir)?;
    let mut sources = Sha256::new();
    for file in &files {
        sources.update(cache.sha256(&file.path)?);
        sources.update(b"\n");
    }
    let source_sha256 = hex::encode(sources.finalize());
    let recipe_sha256 = recipe_sha256(recipe)?;
    let mut version = Sha256::new();
    version.update(ALGORITHM_GENERATION);
    version.update(b"\n");
    version.update(&recipe_sha256);
    version.update(b"\n");
    version.update(&source_sha256);
    let version = format!("ds-{}", &hex::encode(version.finalize())[..16]);
    Ok(Fingerprint {
        version,
        source_sha256,
        recipe_sha256,
    })
}

pub fn recipe_sha256(recipe: &Recipe) -> Result<String> {
    let mut value =
        serde_json::to_value(recipe).map_err(|error| DatasetError::Recipe(error.to_string()))?;
    if let Some(source) = value
        .get_mut("source")
        .and_then(serde_json::Value::as_object_mut)
    {
        source.remove("paths");
    }
    // serde_json's maps are sorted, so this text is canonical.
    let canonical =
        serde_json::to_string(&value).map_err(|error| DatasetError::Recipe(error.to_string()))?;
    Ok(hex::encode(Sha256::digest(canonical.as_bytes())))
}
