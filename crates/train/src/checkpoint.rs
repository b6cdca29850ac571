//! Checkpoints: trainable weights, optimizer moments and loop state, written atomically.
//!
//! Each checkpoint is a folder `step-NNNNNNNN`; small pointer files `latest` and `best` name the
//! folders in use and are replaced by rename, so a kill at any moment leaves a loadable whole.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::atomic;
use crate::error::{Result, TrainError, io_error, json_error};
use crate::metrics::{TrainingRow, ValidationRow};
use crate::weights::{save_json, save_safetensors};

/// Everything besides tensors needed to continue exactly where a run stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoopState {
    /// Optimizer updates taken.
    pub step: u64,
    pub epoch: u64,
    /// Next micro-batch index inside `epoch`'s order.
    pub batch_in_epoch: usize,
    /// Word position of the dropout generator (a u128, written as text for JSON).
    pub rng_word_position: String,
    pub best_validation_loss: Option<f64>,
    pub best_step: Option<u64>,
    pub evaluations_without_improvement: u64,
    pub stopped_early: bool,
    pub training_rows: Vec<TrainingRow>,
    pub validation_rows: Vec<ValidationRow>,
}

#[derive(Debug)]
pub struct Checkpoint {
    pub state: LoopState,
    pub trainable: HashMap<String, Tensor>,
    pub moments: HashMap<String, Tensor>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Latest,
    Best,
}

impl Slot {
    fn pointer(self) -> &'static str {
        match self {
            Slot::Latest => "latest",
            Slot::Best => "best",
        }
    }
}

#[derive(Debug, Clone)]
pub struct CheckpointStore {
    root: PathBuf,
}

const STATE: &str = "state.json";
const TRAINABLE: &str = "trainable.safetensors";
const MOMENTS: &str = "optimizer.safetensors";

impl CheckpointStore {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn pointed(&self, slot: Slot) -> Option<String> {
        std::fs::read_to_string(self.root.join(slot.pointer()))
            .ok()
            .map(|text| text.trim().to_string())
            .filter(|name| !name.is_empty())
    }

    /// Saves a checkpoint and points `slot` at it; folders no pointer names are then removed.
    pub fn save(
        &self,
        slot: Slot,
        state: &LoopState,
        trainable: &[(String, Tensor)],
        moments: &[(String, Tensor)],
    ) -> Result<()> {
        std::fs::create_dir_all(&self.root).map_err(io_error(&self.root))?;
        let name = format!("{}-step-{:08}", slot.pointer(), state.step);
        let folder = self.root.join(&name);
        atomic::write_directory(&folder, |temporary| {
            save_json(&temporary.join(STATE), state)?;
            save_safetensors(&temporary.join(TRAINABLE), trainable)?;
            if !moments.is_empty() {
                save_safetensors(&temporary.join(MOMENTS), moments)?;
            }
            Ok(())
        })?;
        atomic::write_bytes(&self.root.join(slot.pointer()), name.as_bytes())?;
        self.remove_unreferenced()
    }

    fn remove_unreferenced(&self) -> Result<()> {
        let keep: Vec<String> = [Slot::Latest, Slot::Best]
            .iter()
            .filter_map(|slot| self.pointed(*slot))
            .collect();
        for entry in std::fs::read_dir(&self.root)
            .map_err(io_error(&self.root))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_checkpoint = name.starts_with("latest-step-") || name.starts_with("best-step-");
            if is_checkpoint && entry.path().is_dir() && !keep.contains(&name) {
                std::fs::remove_dir_all(entry.path()).map_err(io_error(entry.path()))?;
            }
        }
        Ok(())
    }

    /// The checkpoint `slot` points at, if any.
    pub fn load(&self, slot: Slot, device: &Device) -> Result<Option<Checkpoint>> {
        let Some(name) = self.pointed(slot) else {
            return Ok(None);
        };
        let folder = self.root.join(name);
        let broken = |message: String| TrainError::Checkpoint {
            path: folder.clone(),
            message,
        };
        let state_path = folder.join(STATE);
        let text = std::fs::read_to_string(&state_path).map_err(io_error(&state_path))?;
        let state: LoopState = serde_json::from_str(&text).map_err(json_error(&state_path))?;
        let trainable = candle_core::safetensors::load(folder.join(TRAINABLE), device)
            .map_err(|error| broken(format!("{TRAINABLE}: {error}")))?;
        let moments_path = folder.join(MOMENTS);
        let moments = if moments_path.exists() {
            candle_core::safetensors::load(&moments_path, device)
                .map_err(|error| broken(format!("{MOMENTS}: {error}")))?
        } else {
            HashMap::new()
        };
        Ok(Some(Checkpoint {
            state,
            trainable,
            moments,
        }))
    }
}
