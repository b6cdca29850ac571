//! `lathe import ADDRESS ID`: adopts an existing object through its provider's import.

use std::path::Path;

use lathe_config::variables::VariableArgument;
use lathe_core::state::{InstanceAddress, InstanceState, State};

use crate::cli::ImportArgs;
use crate::workspace::{Style, load, variables};

pub fn run(
    directory: &Path,
    arguments: &ImportArgs,
    variable_arguments: &[VariableArgument],
    style: Style,
) -> anyhow::Result<u8> {
    let module = load(directory, style)?;
    let variables = variables(&module, variable_arguments, style)?;
    let _lock = crate::commands::run::lock(directory, &arguments.plan, "import")?;
    let mut state = State::load(directory)?;
    let address = InstanceAddress::parse(&arguments.address)
        .map_err(|message| anyhow::anyhow!("{message}"))?;
    let Some(resource) = module.resource(&address.resource) else {
        err!(
            "Error: resource address \"{address}\" does not exist in the configuration.\n\nBefore importing this resource, please create its configuration in the root module. For example:\n\nresource \"{}\" \"{}\" {{\n  # (resource arguments)\n}}",
            address.parts().1,
            address.parts().2
        );
        return Ok(1);
    };
    if state.instance(&address).is_some() {
        err!(
            "Error: Resource already managed by lathe\n\nlathe is already managing a remote object for {address}. To import to this address you must first remove the existing object from the state with `lathe state rm {address}`."
        );
        return Ok(1);
    }
    let engine = crate::commands::run::engine(&module, &state, &variables, style)?;
    out!("{address}: Importing from ID \"{}\"...", arguments.id);
    let value = engine
        .provider(resource)
        .import_resource(&resource.type_name, &arguments.id)
        .map_err(|error| anyhow::anyhow!("importing {address}: {error}"))?;
    let key = lathe_core::graph::provider_key(resource);
    let source = engine.provider_state_name(&key);
    state.set_instance(
        &address,
        &source,
        InstanceState {
            index_key: address.key.clone(),
            schema_version: 0,
            attributes: lathe_core::applier::known_json(&value),
            sensitive_attributes: Vec::new(),
            dependencies: Vec::new(),
            status: None,
            create_before_destroy: false,
            deposed: None,
            private: None,
        },
    );
    state.save(directory)?;
    out!(
        "{address}: Import prepared!\n\nImport successful!\n\nThe resources that were imported are shown above. These resources are now in\nyour lathe state and will henceforth be managed by lathe."
    );
    Ok(0)
}
