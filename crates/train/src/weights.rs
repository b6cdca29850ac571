//! Hugging Face model folders: config.json, one or many safetensors shards, tokenizer.json.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use serde::Deserialize;

use crate::atomic;
use crate::config::ModelConfig;
use crate::error::{Result, TrainError, io_error, json_error};

#[derive(Deserialize)]
struct ShardIndex {
    weight_map: HashMap<String, String>,
}

/// The safetensors files of a model folder: those the index names, else every `*.safetensors`.
pub fn safetensors_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let index_path = folder.join("model.safetensors.index.json");
    if index_path.exists() {
        let text = std::fs::read_to_string(&index_path).map_err(io_error(&index_path))?;
        let index: ShardIndex = serde_json::from_str(&text).map_err(json_error(&index_path))?;
        let mut files: Vec<PathBuf> = index
            .weight_map
            .values()
            .map(|file| folder.join(file))
            .collect();
        files.sort();
        files.dedup();
        return Ok(files);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(io_error(folder))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "safetensors")
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(TrainError::ModelConfig {
            path: folder.to_path_buf(),
            message: "no *.safetensors file here; a model folder needs config.json, weights and tokenizer.json".into(),
        });
    }
    Ok(files)
}

/// Every tensor of a model folder, by name.
pub fn load_tensors(folder: &Path, device: &Device) -> Result<HashMap<String, Tensor>> {
    let mut tensors = HashMap::new();
    for file in safetensors_files(folder)? {
        let loaded = candle_core::safetensors::load(&file, device).map_err(|error| {
            TrainError::ModelConfig {
                path: file.clone(),
                message: format!("cannot read safetensors: {error}"),
            }
        })?;
        tensors.extend(loaded);
    }
    Ok(tensors)
}

pub fn load_config(folder: &Path) -> Result<ModelConfig> {
    ModelConfig::load(&folder.join("config.json"))
}

/// Writes one safetensors file atomically.
pub fn save_safetensors(path: &Path, tensors: &[(String, Tensor)]) -> Result<()> {
    let map: HashMap<String, Tensor> = tensors.iter().cloned().collect();
    atomic::write_with(path, |temporary| {
        candle_core::safetensors::save(&map, temporary).map_err(TrainError::from)
    })
}

pub fn save_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(json_error(path))?;
    text.push('\n');
    atomic::write_bytes(path, text.as_bytes())
}

/// A complete Hugging Face model folder, written into place atomically.
pub fn save_model_folder(
    folder: &Path,
    config: &ModelConfig,
    tensors: &[(String, Tensor)],
    tokenizer_json: &str,
    extra_files: &[(&str, &str)],
) -> Result<()> {
    atomic::write_directory(folder, |temporary| {
        save_json(&temporary.join("config.json"), config)?;
        save_safetensors(&temporary.join("model.safetensors"), tensors)?;
        atomic::write_bytes(&temporary.join("tokenizer.json"), tokenizer_json.as_bytes())?;
        for (name, text) in extra_files {
            atomic::write_bytes(&temporary.join(name), text.as_bytes())?;
        }
        Ok(())
    })
}
