//! The providers built into this binary; `core` itself knows none.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use lathe_core::provider::ProviderRegistry;

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

/// Every built-in provider.
pub fn registry() -> ProviderRegistry {
    let mut registry = ProviderRegistry::new();
    registry.register(lathe_provider_terraform::info(), || {
        Box::new(lathe_provider_terraform::TerraformProvider)
    });
    // Relative paths in lathe_dataset (sources, outputs under .lathe/) are resolved against
    // the current folder.
    registry.register(lathe_provider_lathe::info(), || {
        Box::new(lathe_provider_lathe::LatheProvider::from_env())
    });
    let (project, environment) = match SELECTION.get() {
        Some(selection) => (selection.project.clone(), selection.target),
        None => (PathBuf::from("."), TargetEnvironment::Local),
    };
    // One local region serves every aws provider block (and alias) of the project.
    let target = environment.target(&project);
    let target = Arc::new(target);
    registry.register(lathe_provider_aws::info(), move || {
        Box::new(
            lathe_provider_aws::AwsProvider::new((*target).clone())
                .with_module_directory(project.clone())
                .on_configured(|line| {
                    if let Ok(mut lines) = TARGET_LINES.lock() {
                        lines.push(line.to_string());
                    }
                }),
        )
    });
    registry
}
