//! `lathe validate`: every problem of the configuration, all at once.

use std::path::Path;

use lathe_config::diagnostic::Diagnostics;
use lathe_core::engine::Engine;

use crate::workspace::Style;

pub fn run(directory: &Path, json: bool, style: Style) -> anyhow::Result<u8> {
    let registry = crate::providers::registry();
    let (sources, diagnostics) = match lathe_config::load::load_module(directory) {
        Err((sources, diagnostics)) => (sources, diagnostics),
        Ok(loaded) => {
            let mut diagnostics = loaded.warnings.clone();
            match Engine::new(&loaded.module, &registry) {
                Ok(engine) => diagnostics.extend(engine.validate().0),
                Err(errors) => diagnostics.extend(errors.0),
            }
            (loaded.module.sources.clone(), diagnostics)
        }
    };
    let failed = diagnostics.has_errors();
    if json {
        out!("{:#}", validate_json(&diagnostics, &sources));
    } else if failed {
        crate::workspace::print_diagnostics(&diagnostics, &sources, style);
    } else {
        crate::workspace::print_diagnostics(&diagnostics, &sources, style);
        out!("Success! The configuration is valid.");
    }
    Ok(u8::from(failed))
}

fn validate_json(
    diagnostics: &Diagnostics,
    sources: &lathe_config::source::Sources,
) -> serde_json::Value {
    diagnostics.to_validate_json(sources)
}
