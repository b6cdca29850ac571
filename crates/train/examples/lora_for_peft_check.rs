//! Trains the `testing` feature's tiny model (2 layers, hidden 64) with LoRA on 48 generated
//! prompt/completion records and leaves the base model and lathe's output side by side, for
//! scripts/train-fixtures/check_peft_adapter.py (run outside CI: it needs torch and PEFT).
//! Usage: lora_for_peft_check FOLDER   (writes FOLDER/base and FOLDER/output)

use candle_core::Device;
use lathe_train::hyperparameters::RawValue;
use lathe_train::spec::{MethodChoice, TrainingSpec};
use lathe_train::testing::{TinyModelOptions, completion_records, write_tiny_model};
use lathe_train::{Job, train};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = std::env::args()
        .nth(1)
        .ok_or("usage: lora_for_peft_check FOLDER")?;
    let folder = std::path::Path::new(&folder);
    write_tiny_model(&folder.join("base"), &TinyModelOptions::default())?;
    std::fs::write(
        folder.join("train.jsonl"),
        completion_records(48).join("\n"),
    )?;
    let hyperparameters = [
        ("epochCount", "3"),
        ("batchSize", "4"),
        ("learningRate", "0.01"),
        ("loraRank", "4"),
        ("loraAlpha", "8"),
        ("evalPercentage", "0"),
    ];
    let spec = TrainingSpec {
        base_model: folder.join("base").display().to_string(),
        training_data: vec![folder.join("train.jsonl")],
        validation_data: Vec::new(),
        objective: lathe_train::data::Objective::FineTuning,
        method: MethodChoice::Lora,
        hyperparameters: hyperparameters
            .iter()
            .map(|(name, value)| (name.to_string(), RawValue::Text(value.to_string())))
            .collect(),
        hyperparameter_table: Default::default(),
        output_dir: folder.join("output"),
        checkpoint_interval_steps: 0,
        resume: false,
        device: Default::default(),
    };
    let summary = train(&Job::from_spec(&spec, &Device::Cpu)?, &mut |_| {})?;
    println!(
        "trained {} steps, loss {:?} -> {:?}; base {}, output {}",
        summary.steps,
        summary.first_training_loss,
        summary.last_training_loss,
        folder.join("base").display(),
        folder.join("output").display()
    );
    Ok(())
}
