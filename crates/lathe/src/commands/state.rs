//! `lathe state list/show/rm/mv/pull`.

use std::path::Path;
use std::time::Duration;

use lathe_core::lock::StateLock;
use lathe_core::state::{InstanceAddress, State};

use crate::cli::StateCommand;

fn parse(text: &str) -> anyhow::Result<InstanceAddress> {
    InstanceAddress::parse(text).map_err(|message| anyhow::anyhow!("{message}"))
}

/// Instances at `address`: one instance, or all of a resource when no index is given.
fn matching(state: &State, address: &InstanceAddress) -> Vec<InstanceAddress> {
    state
        .instances()
        .into_iter()
        .map(|(found, _, _)| found)
        .filter(|found| {
            found.resource == address.resource
                && (address.key.is_none() || found.key == address.key)
        })
        .collect()
}

pub fn run(directory: &Path, command: &StateCommand) -> anyhow::Result<u8> {
    match command {
        StateCommand::List { addresses } => {
            let state = State::load(directory)?;
            for (address, _, _) in state.instances() {
                let text = address.to_string();
                if addresses.is_empty()
                    || addresses
                        .iter()
                        .any(|prefix| text.starts_with(prefix.as_str()))
                {
                    out!("{text}");
                }
            }
            Ok(0)
        }
        StateCommand::Pull => {
            out_inline!("{}", State::load(directory)?.to_json_text());
            Ok(0)
        }
        StateCommand::Show { address, json } => {
            let state = State::load(directory)?;
            let address = parse(address)?;
            let Some(instance) = state.instance(&address) else {
                err!(
                    "Error: No instance found for the given address!\n\nThis command requires that the address references one specific instance; `{address}` is not in the state. Run `lathe state list` to see what is."
                );
                return Ok(1);
            };
            if *json {
                out!("{:#}", instance.attributes);
            } else {
                let (mode, type_name, name) = address.parts();
                let keyword = if mode == "data" { "data" } else { "resource" };
                out!("# {address}:\n{keyword} \"{type_name}\" \"{name}\" {{");
                crate::commands::inspect::print_attributes(instance);
                out!("}}");
            }
            Ok(0)
        }
        StateCommand::Rm { addresses } => {
            let _lock = StateLock::acquire(directory, "state rm", Duration::ZERO)?;
            let mut state = State::load(directory)?;
            let mut removed = 0;
            for text in addresses {
                let address = parse(text)?;
                let found = matching(&state, &address);
                if found.is_empty() {
                    err!(
                        "Error: Invalid target address\n\nNo matching objects found for `{address}`. Run `lathe state list` to see what is in the state."
                    );
                    return Ok(1);
                }
                for instance in found {
                    state.remove_instance(&instance);
                    out!("Removed {instance}");
                    removed += 1;
                }
            }
            state.save(directory)?;
            out!("Successfully removed {removed} resource instance(s).");
            Ok(0)
        }
        StateCommand::Mv {
            source,
            destination,
        } => {
            let _lock = StateLock::acquire(directory, "state mv", Duration::ZERO)?;
            let mut state = State::load(directory)?;
            let from = parse(source)?;
            let to = parse(destination)?;
            let (from_mode, from_type, _) = from.parts();
            let (to_mode, to_type, _) = to.parts();
            if from_mode != to_mode || from_type != to_type {
                err!(
                    "Error: Invalid state move request\n\nCannot move {from} to {to}: a resource can only move to an address of the same type."
                );
                return Ok(1);
            }
            let moves: Vec<(InstanceAddress, InstanceAddress)> =
                if from.key.is_none() && to.key.is_none() {
                    matching(&state, &from)
                        .into_iter()
                        .map(|instance| {
                            let target =
                                InstanceAddress::new(to.resource.clone(), instance.key.clone());
                            (instance, target)
                        })
                        .collect()
                } else if state.instance(&from).is_some() {
                    vec![(from.clone(), to.clone())]
                } else {
                    Vec::new()
                };
            if moves.is_empty() {
                err!(
                    "Error: Invalid source address\n\nCannot move {from}: it is not in the state. Run `lathe state list` to see what is."
                );
                return Ok(1);
            }
            for (old, new) in &moves {
                if state.instance(new).is_some() {
                    err!(
                        "Error: Invalid target address\n\nCannot move to {new}: there is already an object at that address."
                    );
                    return Ok(1);
                }
                state.move_instance(old, new);
            }
            state.save(directory)?;
            out!(
                "Move \"{from}\" to \"{to}\"\nSuccessfully moved {} object(s).",
                moves.len()
            );
            Ok(0)
        }
    }
}
