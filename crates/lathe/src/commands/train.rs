//! `lathe train --spec FILE` (interactive, with a progress bar) and `lathe worker train --spec FILE`
//! (a child process for the region: one JSON event per line on stdout, so it can be stopped or lost
//! without harm and resumed from its last checkpoint).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use lathe_train::device::DeviceChoice;
use lathe_train::{Event, Job, TrainingSpec, train};

#[derive(Debug, Clone, clap::Args)]
pub struct TrainArgs {
    /// The training spec (JSON): base model, data files, method, hyperparameters, output folder.
    #[arg(long)]
    pub spec: PathBuf,
    /// Where to train: `cpu`, `cuda` (a build with `--features cuda`), or `auto` (the GPU when
    /// this build has one, else the CPU). Overrides the spec's `device`.
    #[arg(long)]
    pub device: Option<DeviceChoice>,
}

/// Restarts this process once with the allocator tunables training wants (it returns here
/// in the restarted process), then loads the spec as the job it describes.
fn load_job(args: &TrainArgs) -> anyhow::Result<Job> {
    lathe_train::memory::restart_with_reused_buffers()
        .context("restarting with glibc's allocator tunables set")?;
    let mut spec = TrainingSpec::load(&args.spec)?;
    if let Some(device) = args.device {
        spec.device = device;
    }
    Job::from_spec_on_its_device(&spec)
        .with_context(|| format!("preparing {}", args.spec.display()))
}

/// Trains in this process, drawing a progress bar.
pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let job = load_job(&args)?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:32} step {pos}/{len} {msg}",
        )
        .context("progress bar template")?,
    );
    // Without a terminal the bar is hidden, so progress goes to stderr as plain lines instead.
    let say = |line: String| {
        if bar.is_hidden() {
            eprintln!("{line}");
        } else {
            bar.println(line);
        }
    };
    let summary = train(&job, &mut |event| match event {
        Event::Started {
            total_steps,
            training_examples,
            validation_examples,
            truncated,
            trainable_parameters,
            resumed_at_step,
        } => {
            bar.set_length(*total_steps);
            bar.set_position(*resumed_at_step);
            say(format!(
                "training {training_examples} examples ({validation_examples} for validation, {truncated} truncated), {trainable_parameters} trainable parameters, {:?}",
                job.method
            ));
        }
        Event::Step {
            step,
            loss,
            tokens_per_second,
            eta_seconds,
            ..
        } => {
            bar.set_position(*step);
            let message =
                format!("loss {loss:.4}  {tokens_per_second:.0} tokens/s  eta {eta_seconds:.0}s");
            if bar.is_hidden() {
                eprintln!("step {step}/{}: {message}", bar.length().unwrap_or(0));
            }
            bar.set_message(message);
        }
        Event::Validation {
            step,
            loss,
            improved,
        } => {
            say(format!(
                "step {step}: validation loss {loss:.4}{}",
                if *improved { " (best)" } else { "" }
            ));
        }
        Event::StoppedEarly { step, best_step } => {
            bar.println(format!(
                "stopped early at step {step}; keeping step {best_step}"
            ));
        }
        Event::Checkpoint { .. } => {}
    })?;
    bar.finish_and_clear();
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum WorkerCommand {
    /// Run a training spec, reporting JSON events on stdout (used by the local region).
    Train(TrainArgs),
}

/// The worker side: machine-readable events, then the summary as the last line.
pub fn run_worker(command: WorkerCommand) -> anyhow::Result<()> {
    let WorkerCommand::Train(args) = command;
    let job = load_job(&args)?;
    let stdout = std::io::stdout();
    let summary = train(&job, &mut |event| {
        let mut out = stdout.lock();
        if let Ok(line) = serde_json::to_string(event) {
            // A closed pipe means the parent is gone; training still finishes its checkpoint.
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    })?;
    let line = serde_json::json!({"event": "finished", "summary": summary});
    println!("{line}");
    Ok(())
}
