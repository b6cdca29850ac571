//! The lathe provider: client-side resources such as lathe_dataset.

pub mod dataset;
pub mod s3_sources;
pub mod sources;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use lathe_config::value::Value;
use lathe_core::provider::{
    ApplyRequest, PlanRequest, PlannedChange, Progress, Provider, ProviderError, ProviderInfo,
};
use lathe_core::schema::{BlockSchema, ProviderSchema};
use lathe_hub::Hub;

pub use s3_sources::{ObjectStore, StoredObject};
pub use sources::{HubSelection, Sources, resolve_hub_sources};

/// What `lathe init` reports for this provider.
pub fn info() -> ProviderInfo {
    ProviderInfo {
        name: "lathe".to_string(),
        source: "lathe.dev/builtin/lathe".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Resources computed on this machine; relative paths are resolved against `base_dir`.
#[derive(Debug)]
pub struct LatheProvider {
    base_dir: PathBuf,
    sources: Sources,
}

impl LatheProvider {
    pub fn new(base_dir: impl Into<PathBuf>, hub: Hub) -> LatheProvider {
        LatheProvider {
            base_dir: base_dir.into(),
            sources: Sources::new(hub),
        }
    }

    /// Lets `s3://` sources be read through `objects` (the aws provider's client).
    pub fn with_object_store(mut self, objects: Arc<dyn ObjectStore>) -> LatheProvider {
        self.sources.objects = Some(objects);
        self
    }

    /// The current folder and the Hugging Face settings of the environment.
    pub fn from_env() -> LatheProvider {
        LatheProvider::new(
            std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            Hub::from_env(),
        )
    }
}

fn unsupported(type_name: &str) -> ProviderError {
    ProviderError::new(format!(
        "the lathe provider has no resource type {type_name}; it offers {}",
        dataset::TYPE_NAME
    ))
}

impl Provider for LatheProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: BlockSchema::default(),
            resources: BTreeMap::from([(dataset::TYPE_NAME.to_string(), dataset::schema())]),
            data_sources: BTreeMap::new(),
        }
    }

    fn plan_resource(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        match request.type_name.as_str() {
            dataset::TYPE_NAME => dataset::plan(&self.base_dir, &self.sources, request),
            other => Err(unsupported(other)),
        }
    }

    fn apply_resource(
        &self,
        request: &ApplyRequest,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        match request.type_name.as_str() {
            dataset::TYPE_NAME => dataset::apply(&self.base_dir, &self.sources, request, progress),
            other => Err(unsupported(other)),
        }
    }

    fn read_resource(
        &self,
        type_name: &str,
        state: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        match type_name {
            dataset::TYPE_NAME => dataset::read(&self.base_dir, state),
            other => Err(unsupported(other)),
        }
    }

    fn read_data_source(&self, type_name: &str, _config: &Value) -> Result<Value, ProviderError> {
        Err(ProviderError::new(format!(
            "the lathe provider has no data source {type_name}"
        )))
    }

    fn import_resource(&self, type_name: &str, _id: &str) -> Result<Value, ProviderError> {
        Err(ProviderError::new(format!(
            "{type_name} cannot be imported: its recipe lives in the configuration; apply the configuration to prepare it"
        )))
    }
}
