//! The providers built into this binary; `core` itself knows none.

use lathe_core::provider::ProviderRegistry;

/// Every built-in provider. Other providers (aws, lathe) are registered here as they land.
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
    registry
}
