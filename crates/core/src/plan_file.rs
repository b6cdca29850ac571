//! Saved plans (`lathe plan -out=FILE`): what was decided, against which state, so that
//! `lathe apply FILE` applies exactly that or refuses.

use std::collections::BTreeMap;
use std::path::Path;

use lathe_config::value::Value;
use serde::{Deserialize, Serialize};

use crate::plan::{Action, Plan, PlanMode};

pub const FORMAT: &str = "lathe-plan/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format: String,
    pub lineage: String,
    pub serial: u64,
    /// `normal`, `destroy` or `refresh-only`.
    pub mode: String,
    pub variables: BTreeMap<String, serde_json::Value>,
    pub targets: Vec<String>,
    pub replace: Vec<String>,
    pub refresh: bool,
    /// Address to Terraform's action list.
    pub actions: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot read plan file {path}: {message}")]
    Read { path: String, message: String },
    #[error("cannot write plan file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the saved plan is stale: the state changed since it was made (plan: lineage {planned_lineage} serial {planned_serial}; now: lineage {lineage} serial {serial}); run `lathe plan -out=FILE` again"
    )]
    Stale {
        planned_lineage: String,
        planned_serial: u64,
        lineage: String,
        serial: u64,
    },
    #[error("the saved plan no longer matches: {0}; run `lathe plan -out=FILE` again")]
    Mismatch(String),
}

pub fn mode_name(mode: PlanMode) -> &'static str {
    match mode {
        PlanMode::Normal => "normal",
        PlanMode::Destroy => "destroy",
        PlanMode::RefreshOnly => "refresh-only",
    }
}

pub fn mode_from_name(name: &str) -> PlanMode {
    match name {
        "destroy" => PlanMode::Destroy,
        "refresh-only" => PlanMode::RefreshOnly,
        _ => PlanMode::Normal,
    }
}

impl SavedPlan {
    pub fn from_plan(
        plan: &Plan,
        targets: &[String],
        replace: &[String],
        refresh: bool,
    ) -> SavedPlan {
        SavedPlan {
            format: FORMAT.to_string(),
            lineage: plan.prior_lineage.clone(),
            serial: plan.prior_serial,
            mode: mode_name(plan.mode).to_string(),
            variables: plan
                .variables
                .iter()
                .map(|(name, value)| {
                    (
                        name.clone(),
                        value.to_json().unwrap_or(serde_json::Value::Null),
                    )
                })
                .collect(),
            targets: targets.to_vec(),
            replace: replace.to_vec(),
            refresh,
            actions: plan
                .changes
                .iter()
                .filter(|change| change.action != Action::NoOp)
                .map(|change| {
                    (
                        change.address.to_string(),
                        change
                            .action
                            .json_actions(change.create_before_destroy)
                            .into_iter()
                            .map(str::to_string)
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    pub fn variables(&self) -> BTreeMap<String, Value> {
        self.variables
            .iter()
            .map(|(name, value)| (name.clone(), Value::from_json(value.clone())))
            .collect()
    }

    pub fn save(&self, path: &Path) -> Result<(), PlanFileError> {
        // Cannot fail: every map key is a string and every value is plain JSON.
        let text = serde_json::to_string_pretty(self).expect("a saved plan serializes to JSON");
        crate::atomic::write_atomically(path, text.as_bytes()).map_err(|source| {
            PlanFileError::Write {
                path: path.display().to_string(),
                source,
            }
        })
    }

    pub fn load(path: &Path) -> Result<SavedPlan, PlanFileError> {
        let read_error = |message: String| PlanFileError::Read {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|error| read_error(error.to_string()))?;
        let saved: SavedPlan = serde_json::from_str(&text)
            .map_err(|error| read_error(format!("not a lathe plan file ({error})")))?;
        if saved.format != FORMAT {
            return Err(read_error(format!(
                "format `{}` is not `{FORMAT}`",
                saved.format
            )));
        }
        Ok(saved)
    }

    /// Refuses when the state moved since the plan was made.
    pub fn check_state(&self, lineage: &str, serial: u64) -> Result<(), PlanFileError> {
        // Serial 0 means no state was ever saved; each load of a missing state gets a fresh
        // lineage, so two absent states are the same state.
        if self.serial == 0 && serial == 0 {
            return Ok(());
        }
        if self.lineage != lineage || self.serial != serial {
            return Err(PlanFileError::Stale {
                planned_lineage: self.lineage.clone(),
                planned_serial: self.serial,
                lineage: lineage.to_string(),
                serial,
            });
        }
        Ok(())
    }

    /// Refuses when planning again decides anything different.
    pub fn check_same(
        &self,
        plan: &Plan,
        targets: &[String],
        replace: &[String],
    ) -> Result<(), PlanFileError> {
        let again = SavedPlan::from_plan(plan, targets, replace, self.refresh);
        for (address, actions) in &self.actions {
            match again.actions.get(address) {
                Some(now) if now == actions => {}
                Some(now) => {
                    return Err(PlanFileError::Mismatch(format!(
                        "{address} was planned to {} and would now {}",
                        actions.join("+"),
                        now.join("+")
                    )));
                }
                None => {
                    return Err(PlanFileError::Mismatch(format!(
                        "{address} no longer needs {}",
                        actions.join("+")
                    )));
                }
            }
        }
        if let Some(address) = again
            .actions
            .keys()
            .find(|address| !self.actions.contains_key(*address))
        {
            return Err(PlanFileError::Mismatch(format!(
                "{address} now has a change the saved plan lacks"
            )));
        }
        Ok(())
    }
}
