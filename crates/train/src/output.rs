//! The trained model in Hugging Face layout, and for LoRA the adapter in PEFT's layout.

use std::path::PathBuf;

use serde_json::json;

use crate::atomic;
use crate::error::Result;
use crate::model::Llama;
use crate::trainer::{Job, Method};
use crate::weights::{save_json, save_model_folder, save_safetensors};

pub const MODEL_DIR: &str = "model";
pub const ADAPTER_DIR: &str = "adapter";
pub const ADAPTER_CONFIG: &str = "adapter_config.json";
pub const ADAPTER_WEIGHTS: &str = "adapter_model.safetensors";

#[derive(Debug, Clone)]
pub struct Written {
    pub model_dir: PathBuf,
    pub adapter_dir: Option<PathBuf>,
}

/// PEFT's adapter_config.json for the job's LoRA settings.
pub fn adapter_config(job: &Job) -> serde_json::Value {
    let hyperparameters = &job.hyperparameters;
    json!({
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "base_model_name_or_path": job.base.description,
        "r": hyperparameters.lora_rank,
        "lora_alpha": hyperparameters.lora_alpha,
        "lora_dropout": hyperparameters.lora_dropout,
        "target_modules": hyperparameters.lora_target_modules,
        "bias": "none",
        "fan_in_fan_out": false,
        "inference_mode": true,
        "init_lora_weights": true,
        "modules_to_save": null,
        "layers_to_transform": null,
        "use_rslora": false,
        "use_dora": false,
        "revision": null
    })
}

pub fn write_outputs(job: &Job, model: &Llama) -> Result<Written> {
    let model_dir = job.output_dir.join(MODEL_DIR);
    let tokenizer_json = job.base.tokenizer.to_json()?;
    let tokenizer_config = job.base.tokenizer_config_json();
    let extra: Vec<(&str, &str)> = tokenizer_config
        .as_deref()
        .map(|text| vec![("tokenizer_config.json", text)])
        .unwrap_or_default();
    save_model_folder(
        &model_dir,
        model.config(),
        &model.merged_tensors()?,
        &tokenizer_json,
        &extra,
    )?;
    let adapter_dir = match job.method {
        Method::Full => None,
        Method::Lora => {
            let folder = job.output_dir.join(ADAPTER_DIR);
            let tensors = model.adapter_tensors();
            atomic::write_directory(&folder, |temporary| {
                save_json(&temporary.join(ADAPTER_CONFIG), &adapter_config(job))?;
                save_safetensors(&temporary.join(ADAPTER_WEIGHTS), &tensors)
            })?;
            Some(folder)
        }
    };
    Ok(Written {
        model_dir,
        adapter_dir,
    })
}
