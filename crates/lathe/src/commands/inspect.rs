//! Read-only views: `lathe show`, `lathe output`, `lathe graph`, `lathe version`.

use std::path::Path;

use lathe_config::value::Value;
use lathe_core::engine::Engine;
use lathe_core::state::State;

use crate::workspace::{Reported, Style, load, print_diagnostics};

pub fn show(
    directory: &Path,
    json: bool,
    plan_file: Option<&Path>,
    style: Style,
) -> anyhow::Result<u8> {
    if let Some(plan_file) = plan_file {
        // A saved plan is planned again against the state it was made for, then shown.
        let saved = lathe_core::plan_file::SavedPlan::load(plan_file)?;
        let module = load(directory, style)?;
        let mut state = State::load(directory)?;
        saved.check_state(&state.lineage, state.serial)?;
        let variables = saved.variables();
        let engine = crate::commands::run::engine(&module, &state, &variables, style)?;
        let options = crate::commands::run::saved_options(&saved)?;
        let plan = crate::commands::run::refresh_and_plan(
            &engine,
            &mut state,
            &variables,
            &options,
            lathe_core::walk::DEFAULT_PARALLELISM,
            style,
        )?;
        saved.check_same(&plan, &saved.targets, &saved.replace)?;
        if json {
            out!(
                "{}",
                lathe_core::json::plan_json(&plan, &state, &|key| engine.provider_address(key))
            );
        } else {
            out_inline!("{}", lathe_core::render::render_plan(&plan));
        }
        return Ok(0);
    }
    let state = State::load(directory)?;
    if json {
        out!("{}", lathe_core::json::state_json(&state));
        return Ok(0);
    }
    if state.is_empty() && state.outputs.is_empty() {
        out!("The state file is empty. No resources are represented.");
        return Ok(0);
    }
    for (address, resource, instance) in state.instances() {
        let keyword = if resource.mode == "data" {
            "data"
        } else {
            "resource"
        };
        out!("# {address}:");
        out!(
            "{keyword} \"{}\" \"{}\" {{",
            resource.type_name,
            resource.name
        );
        print_attributes(instance);
        out!("}}\n");
    }
    crate::commands::run::print_outputs(&state, false);
    Ok(0)
}

/// An instance's attributes, aligned; null ones left out and sensitive ones masked.
pub fn print_attributes(instance: &lathe_core::state::InstanceState) {
    let sensitive: Vec<&str> = instance
        .sensitive_attributes
        .iter()
        .filter_map(|path| path.get(0)?.get("value")?.as_str())
        .collect();
    if let serde_json::Value::Object(map) = &instance.attributes {
        let shown: Vec<(&String, &serde_json::Value)> =
            map.iter().filter(|(_, value)| !value.is_null()).collect();
        let width = shown.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        for (name, value) in shown {
            if sensitive.contains(&name.as_str()) {
                out!("    {name:<width$} = (sensitive value)");
            } else {
                out!("    {name:<width$} = {}", Value::from_json(value.clone()));
            }
        }
    }
}

pub fn output(directory: &Path, json: bool, raw: bool, name: Option<&str>) -> anyhow::Result<u8> {
    let state = State::load(directory)?;
    if let Some(name) = name {
        let Some(output) = state.outputs.get(name) else {
            err!(
                "Error: Output \"{name}\" not found\n\nThe output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `lathe apply`, since the state won't be updated with new output variables until that command is run."
            );
            return Ok(1);
        };
        if json {
            out!("{}", output.value);
        } else if raw {
            match &output.value {
                serde_json::Value::String(text) => out_inline!("{text}"),
                serde_json::Value::Number(number) => out_inline!("{number}"),
                serde_json::Value::Bool(flag) => out_inline!("{flag}"),
                serde_json::Value::Null => {}
                _ => {
                    err!(
                        "Error: Unsupported value for raw output\n\nThe -raw option only supports strings, numbers, and boolean values, but output value \"{name}\" is a structured value. Use -json instead."
                    );
                    return Ok(1);
                }
            }
        } else {
            out!("{}", Value::from_json(output.value.clone()));
        }
        return Ok(0);
    }
    if json {
        out!("{:#}", lathe_core::json::outputs_json(&state));
        return Ok(0);
    }
    if state.outputs.is_empty() {
        err!(
            "Warning: No outputs found\n\nThe state file either has no outputs defined, or all the defined outputs are empty."
        );
        return Ok(0);
    }
    for (name, output) in &state.outputs {
        if output.sensitive {
            out!("{name} = <sensitive>");
        } else {
            out!("{name} = {}", Value::from_json(output.value.clone()));
        }
    }
    Ok(0)
}

pub fn graph(directory: &Path, style: Style) -> anyhow::Result<u8> {
    let module = load(directory, style)?;
    let registry = crate::providers::registry();
    let engine = Engine::new(&module, &registry).map_err(|diagnostics| {
        print_diagnostics(&diagnostics, &module.sources, style);
        Reported
    })?;
    out_inline!("{}", engine.graph.to_dot());
    Ok(0)
}

pub fn version(json: bool) -> anyhow::Result<u8> {
    let registry = crate::providers::registry();
    let lathe_version = env!("CARGO_PKG_VERSION");
    let language = lathe_core::state::TERRAFORM_VERSION;
    if json {
        let providers: serde_json::Map<String, serde_json::Value> = registry
            .infos()
            .map(|info| {
                (
                    lathe_core::provider::provider_address(&info.source),
                    info.version.clone().into(),
                )
            })
            .collect();
        out!(
            "{:#}",
            serde_json::json!({
                "lathe_version": lathe_version,
                "terraform_version": language,
                "provider_selections": providers,
            })
        );
    } else {
        out!("lathe v{lathe_version} (Terraform language v{language})");
        for info in registry.infos() {
            out!(
                "+ provider {} ({}) v{}",
                info.name,
                info.source,
                info.version
            );
        }
    }
    Ok(0)
}
