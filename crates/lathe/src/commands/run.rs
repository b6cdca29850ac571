//! `lathe plan`, `apply`, `destroy` and `refresh`: one flow with different modes.

use std::path::Path;

use anyhow::Context;
use lathe_config::variables::VariableArgument;
use lathe_core::engine::{Engine, Known};
use lathe_core::lock::StateLock;
use lathe_core::plan::{Plan, PlanMode};
use lathe_core::plan_file::{SavedPlan, mode_from_name};
use lathe_core::planner::PlanOptions;
use lathe_core::state::{InstanceAddress, State};

use crate::arguments::parse_duration;
use crate::cli::PlanArgs;
use crate::ui::{Progress, confirm};
use crate::workspace::{Reported, Style, load, print_diagnostics, variables};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Plan,
    Apply,
    Destroy,
    Refresh,
}

impl Verb {
    fn name(self) -> &'static str {
        match self {
            Verb::Plan => "plan",
            Verb::Apply => "apply",
            Verb::Destroy => "destroy",
            Verb::Refresh => "refresh",
        }
    }
}

fn addresses(texts: &[String], flag: &str) -> anyhow::Result<Vec<InstanceAddress>> {
    texts
        .iter()
        .map(|text| {
            InstanceAddress::parse(text)
                .map_err(|message| anyhow::anyhow!("invalid -{flag}: {message}"))
        })
        .collect()
}

/// Takes the state lock unless `-lock=false`.
pub fn lock(
    directory: &Path,
    arguments: &PlanArgs,
    command: &str,
) -> anyhow::Result<Option<StateLock>> {
    if !arguments.lock {
        return Ok(None);
    }
    let timeout = parse_duration(&arguments.lock_timeout)
        .map_err(|message| anyhow::anyhow!("invalid -lock-timeout: {message}"))?;
    Ok(Some(StateLock::acquire(directory, command, timeout)?))
}

/// Binds the module to its providers and configures them.
pub fn engine<'module>(
    module: &'module lathe_config::model::Module,
    state: &State,
    variables: &std::collections::BTreeMap<String, lathe_config::value::Value>,
    style: Style,
) -> anyhow::Result<Engine<'module>> {
    let registry = crate::providers::registry();
    let mut engine = Engine::new(module, &registry).map_err(|diagnostics| {
        print_diagnostics(&diagnostics, &module.sources, style);
        Reported
    })?;
    let mut known = Known::from_state(state);
    known.variables = variables.clone();
    engine.configure_providers(&known).map_err(|diagnostics| {
        print_diagnostics(&diagnostics, &module.sources, style);
        Reported
    })?;
    Ok(engine)
}

/// Runs the command; returns the exit code.
pub fn run(
    directory: &Path,
    verb: Verb,
    arguments: &PlanArgs,
    variable_arguments: &[VariableArgument],
    plan_file: Option<&Path>,
    style: Style,
) -> anyhow::Result<u8> {
    let module = load(directory, style)?;
    let saved = plan_file.map(SavedPlan::load).transpose()?;
    let variables = match &saved {
        Some(saved) => saved.variables(),
        None => variables(&module, variable_arguments, style)?,
    };
    let _lock = lock(directory, arguments, verb.name())?;
    let mut state = State::load(directory)?;
    if let Some(saved) = &saved {
        saved.check_state(&state.lineage, state.serial)?;
    }
    let engine = engine(&module, &state, &variables, style)?;
    if !(arguments.json && verb == Verb::Plan) {
        for line in crate::providers::target_lines() {
            println!("{line}\n");
        }
    }
    let (targets, replace, refresh, mode) = match &saved {
        Some(saved) => (
            saved.targets.clone(),
            saved.replace.clone(),
            saved.refresh,
            mode_from_name(&saved.mode),
        ),
        None => {
            let mode = if verb == Verb::Destroy || arguments.destroy {
                PlanMode::Destroy
            } else if verb == Verb::Refresh || arguments.refresh_only {
                PlanMode::RefreshOnly
            } else {
                PlanMode::Normal
            };
            (
                arguments.targets.clone(),
                arguments.replace.clone(),
                arguments.refresh,
                mode,
            )
        }
    };
    let options = PlanOptions {
        mode,
        refresh,
        targets: addresses(&targets, "target")?,
        replace: addresses(&replace, "replace")?,
    };
    let drift = if options.refresh {
        engine.refresh(&mut state).map_err(|diagnostics| {
            print_diagnostics(&diagnostics, &module.sources, style);
            Reported
        })?
    } else {
        Vec::new()
    };
    let plan: Plan = engine
        .plan(&state, &variables, drift, &options)
        .map_err(|diagnostics| {
            print_diagnostics(&diagnostics, &module.sources, style);
            Reported
        })?;
    if let Some(saved) = &saved {
        saved.check_same(&plan, &targets, &replace)?;
    }
    if arguments.json && verb == Verb::Plan {
        println!("{}", lathe_core::json::plan_json(&plan, &state));
    } else if saved.is_none() {
        print!("{}", lathe_core::render::render_plan(&plan));
    }
    if verb == Verb::Plan {
        if let Some(out) = &arguments.out {
            SavedPlan::from_plan(&plan, &targets, &replace, refresh).save(out)?;
            println!(
                "\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    lathe apply {:?}",
                out.display(),
                out.display()
            );
        }
        return Ok(if arguments.detailed_exitcode && plan.has_changes() {
            2
        } else {
            0
        });
    }
    if !plan.has_changes() {
        print_outputs(&state);
        return Ok(0);
    }
    let approved = arguments.auto_approve
        || saved.is_some()
        || match mode {
            PlanMode::Destroy => confirm(
                "Do you really want to destroy all resources?",
                "lathe will destroy all your managed infrastructure, as shown above.\n  There is no undo.",
            ),
            _ => confirm(
                "Do you want to perform these actions?",
                "lathe will perform the actions described above.",
            ),
        };
    if !approved {
        eprintln!(
            "\nError: {} cancelled.",
            if mode == PlanMode::Destroy {
                "Destroy"
            } else {
                "Apply"
            }
        );
        return Ok(1);
    }
    println!();
    let progress = Progress::new(!style.color);
    let summary = engine
        .apply(
            &plan,
            &mut state,
            directory,
            arguments.parallelism,
            &progress,
        )
        .context("saving the state")?;
    for (address, message) in &summary.failures {
        eprintln!("\nError: {address}: {message}");
    }
    if !summary.skipped.is_empty() {
        eprintln!(
            "\nNot attempted because something they depend on failed: {}",
            summary.skipped.join(", ")
        );
    }
    if !summary.failures.is_empty() {
        return Ok(1);
    }
    match mode {
        PlanMode::Destroy => println!(
            "\nDestroy complete! Resources: {} destroyed.",
            summary.destroyed
        ),
        _ => println!(
            "\nApply complete! Resources: {} added, {} changed, {} destroyed.",
            summary.added, summary.changed, summary.destroyed
        ),
    }
    if mode != PlanMode::Destroy {
        print_outputs(&state);
    }
    Ok(0)
}

/// The outputs as apply prints them at the end.
pub fn print_outputs(state: &State) {
    if state.outputs.is_empty() {
        return;
    }
    println!("\nOutputs:\n");
    for (name, output) in &state.outputs {
        if output.sensitive {
            println!("{name} = <sensitive>");
        } else {
            println!(
                "{name} = {}",
                lathe_config::value::Value::from_json(output.value.clone())
            );
        }
    }
}
