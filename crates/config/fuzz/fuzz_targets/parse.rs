//! Any bytes through module loading, rendering and formatting: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match lathe_config::parse_module_source(Path::new("main.tf"), &text) {
        Ok(loaded) => {
            let _ = loaded.warnings.render(&loaded.module.sources, false);
        }
        Err((sources, diagnostics)) => {
            let _ = diagnostics.render(&sources, true);
            let _ = diagnostics.to_json(&sources);
        }
    }
    let _ = lathe_config::format_source(&text);
});
