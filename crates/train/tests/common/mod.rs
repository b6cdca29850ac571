//! Shared set-up for the trainer's tests: a tiny model and data in a temporary folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use candle_core::Device;
use lathe_train::spec::{MethodChoice, TrainingSpec};
use lathe_train::testing::{TinyModelOptions, tiny_project_spec, write_tiny_project};
use lathe_train::{Job, Summary, train};

pub struct Fixture {
    pub folder: tempfile::TempDir,
}

impl Fixture {
    pub fn new(options: &TinyModelOptions, records: usize) -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        write_tiny_project(folder.path(), options, records).expect("tiny project");
        Self { folder }
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }

    /// The tiny project's spec; these tests resume from checkpoints when they are there.
    pub fn spec(
        &self,
        method: MethodChoice,
        output: &str,
        hyperparameters: &[(&str, &str)],
    ) -> TrainingSpec {
        TrainingSpec {
            resume: true,
            ..tiny_project_spec(self.path(), method, output, hyperparameters)
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
