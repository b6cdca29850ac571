//! Shared set-up for the trainer's tests: a tiny model and data in a temporary folder.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use candle_core::Device;
use lathe_train::hyperparameters::RawValue;
use lathe_train::spec::{MethodChoice, TrainingSpec};
use lathe_train::testing::{TinyModelOptions, completion_records, write_tiny_model};
use lathe_train::{Job, Summary, train};

pub struct Fixture {
    pub folder: tempfile::TempDir,
}

impl Fixture {
    pub fn new(options: &TinyModelOptions, records: usize) -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        write_tiny_model(&folder.path().join("base"), options).expect("tiny model");
        let lines = completion_records(records).join("\n");
        std::fs::write(folder.path().join("train.jsonl"), lines).expect("training data");
        Self { folder }
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }

    pub fn spec(
        &self,
        method: MethodChoice,
        output: &str,
        hyperparameters: &[(&str, &str)],
    ) -> TrainingSpec {
        TrainingSpec {
            base_model: self.path().join("base").display().to_string(),
            training_data: vec![self.path().join("train.jsonl")],
            validation_data: Vec::new(),
            objective: lathe_train::data::Objective::FineTuning,
            method,
            hyperparameters: hyperparameters
                .iter()
                .map(|(name, value)| (name.to_string(), RawValue::Text(value.to_string())))
                .collect::<BTreeMap<_, _>>(),
            hyperparameter_table: Default::default(),
            output_dir: self.path().join(output),
            checkpoint_interval_steps: 0,
            resume: true,
            device: Default::default(),
        }
    }
}

pub fn run(spec: &TrainingSpec) -> Summary {
    let job = Job::from_spec(spec, &Device::Cpu).expect("job");
    train(&job, &mut |_| {}).expect("training")
}

pub fn model_bytes(output: &Path) -> Vec<u8> {
    std::fs::read(output.join("model").join("model.safetensors")).expect("merged model")
}

pub fn output_dir(spec: &TrainingSpec) -> PathBuf {
    spec.output_dir.clone()
}
