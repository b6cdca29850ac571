//! `lathe plan`, `apply`, `destroy` and `refresh`: one flow with different modes.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use lathe_config::variables::VariableArgument;
use lathe_core::applier::ApplySummary;
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
    engine.adopt_state_providers(state).map_err(|diagnostics| {
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

/// Refreshes `state` (unless the options say not to), then plans; diagnostics are printed.
pub fn refresh_and_plan(
    engine: &Engine<'_>,
    state: &mut State,
    variables: &std::collections::BTreeMap<String, lathe_config::value::Value>,
    options: &PlanOptions,
    parallelism: usize,
    style: Style,
) -> anyhow::Result<Plan> {
    let sources = &engine.module.sources;
    let drift = if options.refresh {
        engine.refresh(state, parallelism).map_err(|diagnostics| {
            print_diagnostics(&diagnostics, sources, style);
            Reported
        })?
    } else {
        Vec::new()
    };
    let plan = engine
        .plan(state, variables, drift, options)
        .map_err(|diagnostics| {
            print_diagnostics(&diagnostics, sources, style);
            Reported
        })?;
    Ok(plan)
}

/// The options a saved plan was made with.
pub fn saved_options(saved: &SavedPlan) -> anyhow::Result<PlanOptions> {
    Ok(PlanOptions {
        mode: mode_from_name(&saved.mode),
        refresh: saved.refresh,
        targets: addresses(&saved.targets, "target")?,
        replace: addresses(&saved.replace, "replace")?,
    })
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
    let json = arguments.json;
    let style = style.machine_readable(json);
    if json {
        crate::machine::version();
    }
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
    let plan = refresh_and_plan(
        &engine,
        &mut state,
        &variables,
        &options,
        arguments.parallelism,
        style,
    )?;
    if let Some(saved) = &saved {
        saved.check_same(&plan, &targets, &replace)?;
    }
    if json {
        crate::machine::plan(&plan);
    } else if saved.is_none() {
        out_inline!("{}", lathe_core::render::render_plan(&plan));
        if !targets.is_empty() {
            err!(
                "\nWarning: Resource targeting is in effect\n\nYou are creating a plan with -target, which may not represent all of the changes requested by the current configuration. Use it only to recover from errors or mistakes, not as part of routine operations."
            );
        }
    }
    if verb == Verb::Plan {
        if let Some(out) = &arguments.out {
            SavedPlan::from_plan(&plan, &targets, &replace, refresh).save(out)?;
        }
        if let Some(out) = arguments.out.as_ref().filter(|_| !json) {
            out!(
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
        return Ok(report_outcome(
            &ApplySummary::default(),
            &state,
            mode,
            false,
            json,
        ));
    }
    if json && !arguments.auto_approve && saved.is_none() {
        crate::machine::error(
            "-json cannot ask for approval: add -auto-approve, or apply a saved plan file",
        );
        return Ok(1);
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
        err!(
            "\nError: {} cancelled.",
            if mode == PlanMode::Destroy {
                "Destroy"
            } else {
                "Apply"
            }
        );
        return Ok(1);
    }
    let interrupted = crate::ui::handle_interrupts();
    let summary = if json {
        let progress = crate::machine::JsonProgress {
            interrupted: Arc::clone(&interrupted),
        };
        engine.apply(
            &plan,
            &mut state,
            directory,
            arguments.parallelism,
            &progress,
        )
    } else {
        out!();
        let progress = Progress::new(!style.color, Arc::clone(&interrupted));
        engine.apply(
            &plan,
            &mut state,
            directory,
            arguments.parallelism,
            &progress,
        )
    }
    .context("saving the state")?;
    let interrupted = interrupted.load(std::sync::atomic::Ordering::SeqCst);
    Ok(report_outcome(&summary, &state, mode, interrupted, json))
}

/// Prints how apply went (errors, skipped steps, the summary, the outputs); the exit code.
fn report_outcome(
    summary: &ApplySummary,
    state: &State,
    mode: PlanMode,
    interrupted: bool,
    json: bool,
) -> u8 {
    let error = |message: String| {
        if json {
            crate::machine::error(&message);
        } else {
            err!("\nError: {message}");
        }
    };
    for (address, message) in &summary.failures {
        error(format!("{address}: {message}"));
    }
    if interrupted {
        error(format!(
            "Interrupted: {} change(s) did not start; run `lathe apply` again to finish.",
            summary.skipped.len()
        ));
        return 1;
    }
    if !summary.skipped.is_empty() {
        error(format!(
            "Not attempted because something they depend on failed: {}",
            summary.skipped.join(", ")
        ));
    }
    if !summary.failures.is_empty() {
        return 1;
    }
    let destroying = mode == PlanMode::Destroy;
    if json {
        crate::machine::apply_summary(summary, destroying);
    } else if destroying {
        out!(
            "\nDestroy complete! Resources: {} destroyed.",
            summary.destroyed
        );
    } else {
        out!(
            "\nApply complete! Resources: {} added, {} changed, {} destroyed.",
            summary.added,
            summary.changed,
            summary.destroyed
        );
    }
    if !destroying {
        print_outputs(state, json);
    }
    0
}

/// The outputs as apply prints them at the end.
pub fn print_outputs(state: &State, json: bool) {
    if json {
        crate::machine::outputs(state);
        return;
    }
    if state.outputs.is_empty() {
        return;
    }
    out!("\nOutputs:\n");
    for (name, output) in &state.outputs {
        if output.sensitive {
            out!("{name} = <sensitive>");
        } else {
            out!(
                "{name} = {}",
                lathe_config::value::Value::from_json(output.value.clone())
            );
        }
    }
}
