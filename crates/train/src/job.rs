//! Turning a training spec into a ready job: base model loaded, records read, values checked.

use std::path::{Path, PathBuf};

use candle_core::Device;

use crate::base_model::BaseModel;
use crate::data;
use crate::error::{Result, TrainError};
use crate::hyperparameters::Hyperparameters;
use crate::spec::{LORA_THRESHOLD_PARAMETERS, MethodChoice, TrainingSpec};
use crate::trainer::{Job, Method};

/// Where a base model comes from: a local path, or a Hugging Face repository reference.
pub fn resolve_base_model(location: &str) -> Result<PathBuf> {
    if let Some(reference) = location.strip_prefix("hf://") {
        return Err(TrainError::ModelConfig {
            path: PathBuf::from(location),
            message: format!(
                "Hugging Face references need the hub crate, which this build lacks; download `{reference}` and give its folder"
            ),
        });
    }
    Ok(PathBuf::from(location))
}

pub fn method_for(choice: MethodChoice, parameter_count: usize) -> Method {
    match choice {
        MethodChoice::Lora => Method::Lora,
        MethodChoice::Full => Method::Full,
        MethodChoice::Auto if parameter_count > LORA_THRESHOLD_PARAMETERS => Method::Lora,
        MethodChoice::Auto => Method::Full,
    }
}

impl Job {
    /// Checks hyperparameters before anything heavy is loaded, so bad values fail fast.
    pub fn from_spec(spec: &TrainingSpec, device: &Device) -> Result<Self> {
        let hyperparameters =
            Hyperparameters::resolve(&spec.hyperparameters, &spec.hyperparameter_table)?;
        let training = data::read_all(&spec.training_data, spec.objective)?;
        let validation = if spec.validation_data.is_empty() {
            None
        } else {
            Some(data::read_all(&spec.validation_data, spec.objective)?)
        };
        let base_path = resolve_base_model(&spec.base_model)?;
        let base = BaseModel::load(Path::new(&base_path), device)?;
        let method = method_for(spec.method, base.config.parameter_count());
        Ok(Self {
            base,
            training,
            validation,
            method,
            hyperparameters,
            output_dir: spec.output_dir.clone(),
            checkpoint_interval_steps: spec.checkpoint_interval_steps,
            resume: spec.resume,
            device: device.clone(),
        })
    }
}
