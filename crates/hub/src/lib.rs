//! Hugging Face Hub access: cache lookup (offline) and downloads of models and datasets.

mod cache;
mod client;
mod config;
mod error;
mod splits;
mod uri;

pub use cache::Cache;
pub use client::{DEFAULT_REVISION, Hub, PARQUET_REVISION};
pub use config::{DEFAULT_ENDPOINT, HubConfig};
pub use error::{HubError, Result};
pub use splits::split_files;
pub use uri::{DatasetUri, Repo, RepoKind};

/// The snapshot folder of a model, from the cache or downloaded, per the environment's settings.
pub fn resolve_model(repo: &str, revision: Option<&str>) -> Result<std::path::PathBuf> {
    Hub::from_env().resolve_model(repo, revision)
}
