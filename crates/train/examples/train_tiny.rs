//! A real LoRA training of the tiny test model, through the same spec → job → train path as
//! `lathe train`, on the device asked for: prints the validation loss before and after and fails
//! when it did not fall. Usage: train_tiny [--device cpu|cuda|auto] [STEPS]

use std::time::Instant;

use lathe_train::device::{describe, take_device_argument};
use lathe_train::spec::{MethodChoice, TrainingSpec};
use lathe_train::testing::{TinyModelOptions, tiny_project_spec, write_tiny_project};
use lathe_train::{Event, Job, train};

/// Errors print as their message, not their debug form: they tell the user what to change.
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let device = take_device_argument(&mut args)?;
    let steps: u64 = match args.first() {
        Some(text) => text
            .parse()
            .map_err(|_| format!("STEPS must be a whole number, not {text:?}"))?,
        None => 50,
    };
    let folder = tempfile::tempdir()?;
    write_tiny_project(folder.path(), &TinyModelOptions::default(), 80)?;
    let hyperparameters = [
        ("epochCount", "100"),
        ("maxSteps", &steps.to_string()),
        ("batchSize", "4"),
        ("learningRate", "0.003"),
        ("evalPercentage", "20"),
        ("evalIntervalSteps", "10"),
        ("seed", "3"),
    ];
    let spec = TrainingSpec {
        device,
        ..tiny_project_spec(folder.path(), MethodChoice::Lora, "out", &hyperparameters)
    };
    let job = Job::from_spec_on_its_device(&spec)?;
    let started = Instant::now();
    let summary = train(&job, &mut |event| match event {
        Event::Validation { step, loss, .. } => println!("step {step}: validation loss {loss:.5}"),
        Event::Step { step, loss, .. } if step % 10 == 0 => {
            println!("step {step}: training loss {loss:.5}")
        }
        _ => {}
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let first = summary.first_validation_loss.ok_or("no validation ran")?;
    let best = summary.best_validation_loss.ok_or("no validation ran")?;
    println!(
        "device={} method=lora steps={} validation_loss_before={first:.5} validation_loss_best={best:.5} seconds={seconds:.1}",
        describe(&job.device),
        summary.steps,
    );
    // A NaN loss must count as "did not fall" too.
    if best.partial_cmp(&first) != Some(std::cmp::Ordering::Less) {
        return Err(format!("the validation loss did not fall: {first} -> {best}").into());
    }
    Ok(())
}
