//! `lathe init`: checks versions and providers and prepares `.lathe/`.

use std::path::Path;

use lathe_core::init::{WORKING_FOLDER, check_requirements};

use crate::workspace::{Reported, Style, load, print_diagnostics};

pub fn run(directory: &Path, style: Style) -> anyhow::Result<u8> {
    let module = load(directory, style)?;
    out!("Initializing the backend...\n\nInitializing provider plugins...");
    let registry = crate::providers::registry();
    let selected = check_requirements(&module, &registry).map_err(|diagnostics| {
        print_diagnostics(&diagnostics, &module.sources, style);
        Reported
    })?;
    for info in &selected {
        out!(
            "- Using the built-in {} provider ({}) v{}",
            info.name,
            info.source,
            info.version
        );
    }
    let folder = directory.join(WORKING_FOLDER);
    std::fs::create_dir_all(&folder)?;
    let record = serde_json::json!({
        "providers": selected
            .iter()
            .map(|info| serde_json::json!({ "name": info.name, "source": info.source, "version": info.version }))
            .collect::<Vec<_>>(),
    });
    lathe_core::atomic::write_atomically(
        &folder.join("providers.json"),
        format!("{record:#}\n").as_bytes(),
    )?;
    out!(
        "\nlathe has been successfully initialized!\n\nYou may now begin working with lathe. Try running \"lathe plan\" to see\nany changes that are required for your infrastructure."
    );
    Ok(0)
}
