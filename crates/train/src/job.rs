//! Turning a training spec into a ready job: base model loaded, records read, values checked.

use std::path::{Path, PathBuf};

use candle_core::Device;
use lathe_hub::Hub;

use crate::base_model::BaseModel;
use crate::data;
use crate::error::{Result, TrainError};
use crate::hyperparameters::Hyperparameters;
use crate::spec::{LORA_THRESHOLD_PARAMETERS, MethodChoice, TrainingSpec};
use crate::trainer::{Job, Method};

/// Where a base model is on disk: a local path as given, or `hf://ORG/NAME[@REVISION]` resolved
/// through the Hugging Face cache (downloading into it unless `HF_HUB_OFFLINE` is set).
pub fn resolve_base_model(location: &str, hub: &Hub) -> Result<PathBuf> {
    let Some(reference) = location.strip_prefix("hf://") else {
        return Ok(PathBuf::from(location));
    };
    let (repository, revision) = match reference.split_once('@') {
        Some((repository, revision)) => (repository, Some(revision)),
        None => (reference, None),
    };
    if repository.split('/').count() != 2 || repository.split('/').any(str::is_empty) {
        return Err(TrainError::ModelConfig {
            path: PathBuf::from(location),
            message: "a Hugging Face model is written hf://ORG/NAME or hf://ORG/NAME@REVISION"
                .into(),
        });
    }
    Ok(hub.resolve_model(repository, revision)?)
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
        Self::from_spec_with_hub(spec, device, &Hub::from_env())
    }

    /// On the device the spec asks for (`device`, default `auto`).
    pub fn from_spec_on_its_device(spec: &TrainingSpec) -> Result<Self> {
        let device = crate::device::select(spec.device)?;
        Self::from_spec(spec, &device)
    }

    pub fn from_spec_with_hub(spec: &TrainingSpec, device: &Device, hub: &Hub) -> Result<Self> {
        let hyperparameters =
            Hyperparameters::resolve(&spec.hyperparameters, &spec.hyperparameter_table)?;
        let training = data::read_all(&spec.training_data, spec.objective)?;
        let validation = if spec.validation_data.is_empty() {
            None
        } else {
            Some(data::read_all(&spec.validation_data, spec.objective)?)
        };
        let base_path = resolve_base_model(&spec.base_model, hub)?;
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
