//! The `lathe_dataset` resource: plan says exactly why a dataset changes (an attribute, or its
//! source content); apply runs the recipe into `.lathe/datasets/VERSION/`.

mod manifest;
mod recipe;
mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lathe_config::value::Value;
use lathe_core::provider::{
    ApplyAction, ApplyRequest, PlanRequest, PlannedChange, Progress, ProviderError, describe_change,
};
use lathe_dataset::{Fingerprint, HashCache, RowCounter, RunOptions};

pub use manifest::Manifest;
pub use recipe::{Configured, configured};
pub use schema::schema;

use crate::sources::Sources;

pub const TYPE_NAME: &str = "lathe_dataset";

/// How often apply reports rows read and their rate.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(500);

/// Where every dataset version lives, under the project folder.
pub fn datasets_dir(base_dir: &Path) -> PathBuf {
    base_dir.join(".lathe").join("datasets")
}

fn get<'a>(value: &'a Value, name: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    value
        .as_object()
        .and_then(|object| object.get(name))
        .unwrap_or(&NULL)
}

fn contains_unknown(value: &Value) -> bool {
    match value {
        Value::Unknown => true,
        Value::List(items) => items.iter().any(contains_unknown),
        Value::Object(fields) => fields.values().any(contains_unknown),
        _ => false,
    }
}

/// `sample.seed 42 → 7`: one reason per changed leaf, so plans name exactly what moved.
fn differences(path: &str, before: &Value, after: &Value, reasons: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(before), Value::Object(after)) => {
            let keys: std::collections::BTreeSet<&String> =
                before.keys().chain(after.keys()).collect();
            for key in keys {
                let before = before.get(key).unwrap_or(&Value::Null);
                let after = after.get(key).unwrap_or(&Value::Null);
                differences(&format!("{path}.{key}"), before, after, reasons);
            }
        }
        _ if !before.language_equals(after) => {
            reasons.push(describe_change(path, before, after, false))
        }
        _ => {}
    }
}

/// The recipe with hub sources resolved to local files and a model's tokenizer located.
fn prepared_recipe(
    config: &Value,
    base_dir: &Path,
    sources: &Sources,
) -> Result<Configured, ProviderError> {
    let mut configured = configured(config, base_dir)?;
    sources
        .resolve(&mut configured.recipe, &configured.selection, base_dir)
        .map_err(|error| ProviderError::at_attribute(error.to_string(), "source"))?;
    if let Some(model) = &configured.tokenizer_model {
        let snapshot = sources
            .hub
            .resolve_model(model, None)
            .map_err(|error| ProviderError::at_attribute(error.to_string(), "tokenizer"))?;
        configured.recipe.tokenizer = Some(snapshot.join("tokenizer.json"));
    }
    Ok(configured)
}

fn dataset_error(error: lathe_dataset::DatasetError) -> ProviderError {
    ProviderError::new(error.to_string())
}

/// The dataset's version, hashing only the source files the project's cache cannot vouch for.
fn fingerprint(configured: &Configured, base_dir: &Path) -> Result<Fingerprint, ProviderError> {
    let mut cache = HashCache::for_project(base_dir);
    let fingerprint = lathe_dataset::fingerprint(&configured.recipe, base_dir, &mut cache)
        .map_err(dataset_error)?;
    cache.save().map_err(dataset_error)?;
    Ok(fingerprint)
}

pub fn plan(
    base_dir: &Path,
    sources: &Sources,
    request: &PlanRequest,
) -> Result<PlannedChange, ProviderError> {
    let config = &request.config;
    let mut planned: BTreeMap<String, Value> = schema::SETTABLE
        .iter()
        .map(|name| (name.to_string(), get(config, name).clone()))
        .collect();
    let mut reasons = Vec::new();
    if let Some(prior) = &request.prior {
        for name in schema::SETTABLE {
            differences(name, get(prior, name), get(config, name), &mut reasons);
        }
    }
    let computed = [
        "path",
        "paths",
        "rows",
        "rows_by_split",
        "characters",
        "tokens",
        "sha256",
        "version",
        "source_sha256",
    ];
    let fingerprint = if contains_unknown(config) {
        None
    } else {
        let configured = prepared_recipe(config, base_dir, sources)?;
        // The same checks apply would make, so mistakes surface before anything runs.
        lathe_dataset::check(&configured.recipe, base_dir).map_err(dataset_error)?;
        Some(fingerprint(&configured, base_dir)?)
    };
    let unchanged = match (&request.prior, &fingerprint) {
        (Some(prior), Some(fingerprint)) => {
            get(prior, "version").as_str() == Some(fingerprint.version.as_str())
                && reasons.is_empty()
        }
        _ => false,
    };
    match (&request.prior, unchanged) {
        (Some(prior), true) => {
            for name in computed {
                planned.insert(name.to_string(), get(prior, name).clone());
            }
        }
        _ => {
            for name in computed {
                planned.insert(name.to_string(), Value::Unknown);
            }
            if let Some(fingerprint) = &fingerprint {
                planned.insert("version".into(), Value::string(fingerprint.version.clone()));
                planned.insert(
                    "source_sha256".into(),
                    Value::string(fingerprint.source_sha256.clone()),
                );
                if let Some(prior) = &request.prior
                    && get(prior, "source_sha256")
                        .as_str()
                        .is_some_and(|before| before != fingerprint.source_sha256)
                {
                    reasons.push("source content changed".to_string());
                }
            }
        }
    }
    Ok(PlannedChange {
        planned: Value::Object(planned),
        requires_replace: Vec::new(),
        reasons,
        notes: Vec::new(),
    })
}

pub fn apply(
    base_dir: &Path,
    sources: &Sources,
    request: &ApplyRequest,
    progress: &dyn Progress,
) -> Result<Value, ProviderError> {
    if request.action == ApplyAction::Delete {
        if let Some(version) = request
            .prior
            .as_ref()
            .and_then(|prior| get(prior, "version").as_str())
        {
            let directory = datasets_dir(base_dir).join(version);
            if directory.is_dir() {
                std::fs::remove_dir_all(&directory).map_err(|error| {
                    ProviderError::new(format!("{}: {error}", directory.display()))
                })?;
            }
        }
        return Ok(Value::Null);
    }
    let configured = prepared_recipe(&request.config, base_dir, sources)?;
    let fingerprint = fingerprint(&configured, base_dir)?;
    let relative_dir = Path::new(".lathe")
        .join("datasets")
        .join(&fingerprint.version);
    let output_dir = base_dir.join(&relative_dir);
    // A finished run of the same version (an earlier apply, or one cut short before state was
    // saved) is reused: the version pins its content.
    let manifest = match Manifest::read(&output_dir)
        .filter(|manifest| manifest.version == fingerprint.version)
    {
        Some(manifest) => manifest,
        None => {
            let counter = RowCounter::new();
            let options = RunOptions {
                base_dir: base_dir.to_path_buf(),
                output_dir: output_dir.clone(),
                profile: configured.profile,
                progress: Some(counter.clone()),
            };
            let mut reported = 0;
            let outcome = lathe_dataset::progress::watch(
                &counter,
                PROGRESS_INTERVAL,
                || lathe_dataset::run(&configured.recipe, &options),
                |snapshot| {
                    if snapshot.rows != reported {
                        progress.message(&snapshot.to_string());
                        reported = snapshot.rows;
                    }
                },
            )
            .map_err(|_| ProviderError::new("the dataset pipeline panicked"))?
            .map_err(dataset_error)?;
            let manifest = Manifest::from_outcome(&fingerprint, &outcome, &relative_dir);
            manifest.write(&output_dir).map_err(dataset_error)?;
            manifest
        }
    };
    let mut state: BTreeMap<String, Value> = schema::SETTABLE
        .iter()
        .map(|name| (name.to_string(), get(&request.config, name).clone()))
        .collect();
    state.extend(manifest.attributes());
    Ok(Value::Object(state))
}

/// An applied dataset whose output files are gone reads as gone, so plan recreates it.
pub fn read(base_dir: &Path, state: &Value) -> Result<Option<Value>, ProviderError> {
    let Some(version) = get(state, "version").as_str() else {
        return Ok(None);
    };
    match Manifest::read(&datasets_dir(base_dir).join(version)) {
        Some(manifest) if manifest.files_exist(base_dir) => Ok(Some(state.clone())),
        _ => Ok(None),
    }
}
