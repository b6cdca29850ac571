//! Configuration → recipe: the resource's attributes become one `lathe_dataset::Recipe`, the
//! same type `lathe data prepare` runs, with steps in a fixed documented order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lathe_config::value::Value;
use lathe_core::provider::ProviderError;
use lathe_dataset::{
    Format, InputFormat, LimitAction, ModelProfile, OutputFormat, Recipe, Source, Split, Step,
    TextUnit,
};

use crate::sources::HubSelection;

/// Everything `plan` and `apply` need, read from the configuration.
#[derive(Debug, Clone)]
pub struct Configured {
    pub recipe: Recipe,
    pub selection: HubSelection,
    pub profile: ModelProfile,
    /// A model id whose tokenizer.json counts tokens, resolved through the hub at run time.
    pub tokenizer_model: Option<String>,
}

fn attribute<'a>(config: &'a Value, name: &str) -> Option<&'a Value> {
    config
        .as_object()
        .and_then(|object| object.get(name))
        .filter(|value| !value.is_null())
}

fn string(config: &Value, name: &str) -> Result<Option<String>, ProviderError> {
    match attribute(config, name) {
        None => Ok(None),
        Some(value) => value
            .as_str()
            .map(|text| Some(text.to_string()))
            .ok_or_else(|| {
                ProviderError::at_attribute(
                    format!("{name} must be a string, found {}", value.type_name()),
                    name,
                )
            }),
    }
}

fn strings(config: &Value, name: &str) -> Result<Vec<String>, ProviderError> {
    let Some(value) = attribute(config, name) else {
        return Ok(Vec::new());
    };
    let list = value.as_list().ok_or_else(|| {
        ProviderError::at_attribute(format!("{name} must be a list of strings"), name)
    })?;
    list.iter()
        .map(|item| {
            item.as_str().map(str::to_string).ok_or_else(|| {
                ProviderError::at_attribute(format!("{name} must be a list of strings"), name)
            })
        })
        .collect()
}

fn string_map(config: &Value, name: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    let Some(value) = attribute(config, name) else {
        return Ok(BTreeMap::new());
    };
    let object = value.as_object().ok_or_else(|| {
        ProviderError::at_attribute(format!("{name} must be a map of strings"), name)
    })?;
    object
        .iter()
        .map(|(key, item)| {
            item.as_str()
                .map(|text| (key.clone(), text.to_string()))
                .ok_or_else(|| {
                    ProviderError::at_attribute(format!("{name}.{key} must be a string"), name)
                })
        })
        .collect()
}

fn number(object: &Value, parent: &str, name: &str) -> Result<Option<f64>, ProviderError> {
    match attribute(object, name) {
        None => Ok(None),
        Some(value) => value.as_f64().map(Some).ok_or_else(|| {
            ProviderError::at_attribute(format!("{parent}.{name} must be a number"), parent)
        }),
    }
}

fn whole(object: &Value, parent: &str, name: &str) -> Result<Option<u64>, ProviderError> {
    match number(object, parent, name)? {
        None => Ok(None),
        Some(value) if value >= 0.0 && value.fract() == 0.0 && value <= u64::MAX as f64 => {
            Ok(Some(value as u64))
        }
        Some(value) => Err(ProviderError::at_attribute(
            format!("{parent}.{name} must be a whole number of zero or more, found {value}"),
            parent,
        )),
    }
}

fn invalid(name: &str, error: impl std::fmt::Display) -> ProviderError {
    ProviderError::at_attribute(error.to_string(), name)
}

/// Reads the configuration; `base_dir` anchors relative paths.
pub fn configured(config: &Value, base_dir: &Path) -> Result<Configured, ProviderError> {
    let source = string(config, "source")?
        .ok_or_else(|| ProviderError::at_attribute("source is required", "source"))?;
    let source_format = match string(config, "source_format")? {
        None => None,
        Some(name) => Some(input_format(&name)?),
    };
    let text_unit = match string(config, "text_unit")?.as_deref() {
        None | Some("line") => TextUnit::Line,
        Some("paragraph") => TextUnit::Paragraph,
        Some("file") => TextUnit::File,
        Some(other) => {
            return Err(ProviderError::at_attribute(
                format!("text_unit {other:?} is not one of \"line\", \"paragraph\", \"file\""),
                "text_unit",
            ));
        }
    };
    let mut steps = Vec::new();
    let select = strings(config, "select_columns")?;
    if !select.is_empty() {
        steps.push(Step::Select { columns: select });
    }
    let drop = strings(config, "drop_columns")?;
    if !drop.is_empty() {
        steps.push(Step::Drop { columns: drop });
    }
    let rename = string_map(config, "rename_columns")?;
    if !rename.is_empty() {
        steps.push(Step::Rename { columns: rename });
    }
    if let Some(expression) = string(config, "filter")? {
        steps.push(Step::Filter { expression });
    }
    for (column, template) in string_map(config, "templates")? {
        steps.push(Step::Template { column, template });
    }
    if attribute(config, "deduplicate").and_then(Value::as_bool) == Some(true) {
        steps.push(Step::Deduplicate {
            columns: Vec::new(),
        });
    }
    if let Some(limit) = attribute(config, "limit") {
        let action = match string(limit, "action")?.as_deref() {
            None | Some("drop") => LimitAction::Drop,
            Some("truncate") => LimitAction::Truncate,
            Some(other) => {
                return Err(ProviderError::at_attribute(
                    format!("limit.action {other:?} is not \"drop\" or \"truncate\""),
                    "limit",
                ));
            }
        };
        steps.push(Step::Limit {
            columns: strings(limit, "columns")?,
            max_characters: whole(limit, "limit", "max_characters")?,
            max_tokens: whole(limit, "limit", "max_tokens")?,
            action,
        });
    }
    if let Some(sample) = attribute(config, "sample") {
        let seed = whole(sample, "sample", "seed")?.unwrap_or(0);
        let n = whole(sample, "sample", "n")?;
        let fraction = number(sample, "sample", "fraction")?;
        if n.is_some() || fraction.is_some() {
            steps.push(Step::Sample { n, fraction, seed });
        }
        if attribute(sample, "shuffle").and_then(Value::as_bool) == Some(true) {
            steps.push(Step::Shuffle { seed });
        }
    }
    let split = match attribute(config, "splits") {
        None => None,
        Some(splits) => Some(Split {
            train: number(splits, "splits", "train")?.unwrap_or(0.0),
            validation: number(splits, "splits", "validation")?.unwrap_or(0.0),
            test: number(splits, "splits", "test")?.unwrap_or(0.0),
            seed: whole(splits, "splits", "seed")?.unwrap_or(0),
        }),
    };
    let format_name = string(config, "format")?
        .ok_or_else(|| ProviderError::at_attribute("format is required", "format"))?;
    let format = Format::parse(&format_name).map_err(|error| invalid("format", error))?;
    let output = match string(config, "output_format")?.as_deref() {
        None | Some("jsonl") => OutputFormat::Jsonl,
        Some("parquet") => OutputFormat::Parquet,
        Some(other) => {
            return Err(ProviderError::at_attribute(
                format!("output_format {other:?} is not \"jsonl\" or \"parquet\""),
                "output_format",
            ));
        }
    };
    let (tokenizer, tokenizer_model) = match string(config, "tokenizer")? {
        None => (None, None),
        Some(name) if name.ends_with(".json") || base_dir.join(&name).is_file() => {
            (Some(PathBuf::from(name)), None)
        }
        Some(model) => (None, Some(model)),
    };
    let profile = ModelProfile::named(
        string(config, "model_profile")?
            .as_deref()
            .unwrap_or("default"),
    )
    .map_err(|error| invalid("model_profile", error))?;
    let recipe = Recipe {
        source: Source {
            paths: vec![source],
            format: source_format,
            text_unit,
        },
        steps,
        format,
        output,
        split,
        tokenizer,
    };
    recipe.check().map_err(|error| {
        let message = error.to_string();
        let name = if message.contains("(limit)") {
            "limit"
        } else if message.contains("split") {
            "splits"
        } else {
            "sample"
        };
        invalid(name, message)
    })?;
    let selection = HubSelection {
        split: string(config, "split")?.unwrap_or_else(|| "train".into()),
        config: string(config, "config")?,
    };
    Ok(Configured {
        recipe,
        selection,
        profile,
        tokenizer_model,
    })
}

fn input_format(name: &str) -> Result<InputFormat, ProviderError> {
    Ok(match name {
        "parquet" => InputFormat::Parquet,
        "jsonl" => InputFormat::Jsonl,
        "json" => InputFormat::Json,
        "csv" => InputFormat::Csv,
        "tsv" => InputFormat::Tsv,
        "text" => InputFormat::Text,
        other => {
            return Err(ProviderError::at_attribute(
                format!(
                    "source_format {other:?} is not one of parquet, jsonl, json, csv, tsv, text"
                ),
                "source_format",
            ));
        }
    })
}
