//! The providers built into this binary; `core` itself knows none.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use lathe_core::provider::ProviderRegistry;
use lathe_provider_aws::{ObjectReader, ProviderSettings, Target};
use lathe_provider_lathe::{ObjectStore, StoredObject};

use crate::target::TargetEnvironment;

/// What the command line chose for every provider of this run.
#[derive(Debug)]
struct Selection {
    project: PathBuf,
    target: TargetEnvironment,
}

static SELECTION: OnceLock<Selection> = OnceLock::new();
static TARGET_LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records the project folder and target before any provider is made.
pub fn select(project: PathBuf, target: TargetEnvironment) {
    let _ = SELECTION.set(Selection { project, target });
}

/// "Target: ..." for each configured aws provider, in the order they were configured.
pub fn target_lines() -> Vec<String> {
    let mut lines = TARGET_LINES
        .lock()
        .map(|lines| lines.clone())
        .unwrap_or_default();
    lines.dedup();
    lines
}

/// `lathe_dataset`'s `s3://` sources, read with the aws provider's client: this run's target
/// and the settings of the `provider "aws"` block without an alias (endpoints, region,
/// profile), connected when a source first needs it.
struct AwsObjects {
    target: Target,
    /// Filled when the default aws provider is configured, which the engine does before any plan.
    settings: Mutex<Option<ProviderSettings>>,
    reader: OnceLock<Result<ObjectReader, String>>,
}

impl AwsObjects {
    fn reader(&self) -> Result<&ObjectReader, String> {
        self.reader
            .get_or_init(|| {
                let settings = self
                    .settings
                    .lock()
                    .map(|settings| settings.clone().unwrap_or_default())
                    .unwrap_or_default();
                ObjectReader::connect(&self.target, &settings).map_err(|error| error.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl ObjectStore for AwsObjects {
    fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<StoredObject>, String> {
        let objects = self
            .reader()?
            .list(bucket, prefix)
            .map_err(|error| error.to_string())?;
        Ok(objects
            .into_iter()
            .map(|object| StoredObject {
                key: object.key,
                etag: object.etag,
            })
            .collect())
    }

    fn head(&self, bucket: &str, key: &str) -> Result<Option<StoredObject>, String> {
        let object = self
            .reader()?
            .head(bucket, key)
            .map_err(|error| error.to_string())?;
        Ok(object.map(|object| StoredObject {
            key: object.key,
            etag: object.etag,
        }))
    }

    fn download(&self, bucket: &str, key: &str, destination: &Path) -> Result<(), String> {
        self.reader()?
            .download(bucket, key, destination)
            .map_err(|error| error.to_string())
    }
}

/// Every built-in provider.
pub fn registry() -> ProviderRegistry {
    let mut registry = ProviderRegistry::new();
    registry.register(lathe_provider_terraform::info(), || {
        Box::new(lathe_provider_terraform::TerraformProvider)
    });
    let (project, environment) = match SELECTION.get() {
        Some(selection) => (selection.project.clone(), selection.target),
        None => (PathBuf::from("."), TargetEnvironment::Local),
    };
    // One local region serves every aws provider block (and alias) of the project, and the
    // lathe provider's s3:// sources too.
    let target = environment.target(&project);
    let objects = Arc::new(AwsObjects {
        target: target.clone(),
        settings: Mutex::new(None),
        reader: OnceLock::new(),
    });
    // Relative paths in lathe_dataset (sources, outputs under .lathe/) are resolved against
    // the current folder.
    let store = Arc::clone(&objects);
    registry.register(lathe_provider_lathe::info(), move || {
        Box::new(
            lathe_provider_lathe::LatheProvider::from_env()
                .with_object_store(Arc::clone(&store) as Arc<dyn ObjectStore>),
        )
    });
    registry.register(lathe_provider_aws::info(), move || {
        let objects = Arc::clone(&objects);
        Box::new(
            lathe_provider_aws::AwsProvider::new(target.clone())
                .with_module_directory(project.clone())
                .on_configured(move |configured| {
                    if let Ok(mut lines) = TARGET_LINES.lock() {
                        lines.push(configured.target_line.clone());
                    }
                    if configured.alias.is_none()
                        && let Ok(mut settings) = objects.settings.lock()
                    {
                        *settings = Some(configured.settings.clone());
                    }
                }),
        )
    });
    registry
}
