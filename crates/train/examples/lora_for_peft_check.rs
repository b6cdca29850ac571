//! Trains the `testing` feature's tiny model (2 layers, hidden 64) with LoRA on 48 generated
//! prompt/completion records and leaves the base model and lathe's output side by side, for
//! scripts/train-fixtures/check_peft_adapter.py (run outside CI: it needs torch and PEFT).
//! Usage: lora_for_peft_check FOLDER   (writes FOLDER/base and FOLDER/output)

use candle_core::Device;
use lathe_train::spec::MethodChoice;
use lathe_train::testing::{TinyModelOptions, tiny_project_spec, write_tiny_project};
use lathe_train::{Job, train};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = std::env::args()
        .nth(1)
        .ok_or("usage: lora_for_peft_check FOLDER")?;
    let folder = std::path::Path::new(&folder);
    write_tiny_project(folder, &TinyModelOptions::default(), 48)?;
    let hyperparameters = [
        ("epochCount", "3"),
        ("batchSize", "4"),
        ("learningRate", "0.01"),
        ("loraRank", "4"),
        ("loraAlpha", "8"),
        ("evalPercentage", "0"),
    ];
    let spec = tiny_project_spec(folder, MethodChoice::Lora, "output", &hyperparameters);
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
