//! The recipe: one serializable description of a dataset, shared by the CLI and the provider.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{DatasetError, Result};

/// Everything needed to reproduce a prepared dataset byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    pub source: Source,
    /// Transforms, applied in the order written.
    #[serde(default)]
    pub steps: Vec<Step>,
    pub format: Format,
    #[serde(default)]
    pub output: OutputFormat,
    #[serde(default)]
    pub split: Option<Split>,
    /// A `tokenizer.json` to count tokens with; without one tokens are estimated at 6
    /// characters per token, as Bedrock does.
    #[serde(default)]
    pub tokenizer: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Files or globs, read in sorted order and concatenated.
    pub paths: Vec<String>,
    /// Overrides detection by file extension.
    #[serde(default)]
    pub format: Option<InputFormat>,
    /// How plain text is cut into records.
    #[serde(default)]
    pub text_unit: TextUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    Parquet,
    Jsonl,
    Json,
    Csv,
    Tsv,
    Text,
}

impl InputFormat {
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Parquet => "parquet",
            InputFormat::Jsonl => "jsonl",
            InputFormat::Json => "json",
            InputFormat::Csv => "csv",
            InputFormat::Tsv => "tsv",
            InputFormat::Text => "text",
        }
    }

    pub fn from_extension(path: &std::path::Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "parquet" => InputFormat::Parquet,
            "jsonl" | "ndjson" => InputFormat::Jsonl,
            "json" => InputFormat::Json,
            "csv" => InputFormat::Csv,
            "tsv" | "tab" => InputFormat::Tsv,
            "txt" | "text" | "md" => InputFormat::Text,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextUnit {
    /// Each non-empty line is a record.
    #[default]
    Line,
    /// Blank lines separate records.
    Paragraph,
    /// Each file is one record.
    File,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    Select {
        columns: Vec<String>,
    },
    Drop {
        columns: Vec<String>,
    },
    Rename {
        columns: BTreeMap<String, String>,
    },
    Filter {
        expression: String,
    },
    /// Builds `column` from `{{column}}` placeholders (not `${...}`, which HCL owns).
    Template {
        column: String,
        template: String,
    },
    /// Keeps the first of rows equal on `columns` (all columns when empty).
    Deduplicate {
        #[serde(default)]
        columns: Vec<String>,
    },
    /// Caps the characters or tokens of `columns` together (every text column when empty).
    Limit {
        #[serde(default)]
        columns: Vec<String>,
        #[serde(default)]
        max_characters: Option<u64>,
        #[serde(default)]
        max_tokens: Option<u64>,
        #[serde(default)]
        action: LimitAction,
    },
    /// Keeps `n` rows or a `fraction` of them, chosen with `seed`, in their original order.
    Sample {
        #[serde(default)]
        n: Option<u64>,
        #[serde(default)]
        fraction: Option<f64>,
        seed: u64,
    },
    /// Puts rows in a seeded random order, spilling to disk to stay within the memory bound.
    Shuffle {
        seed: u64,
    },
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::Select { .. } => "select",
            Step::Drop { .. } => "drop",
            Step::Rename { .. } => "rename",
            Step::Filter { .. } => "filter",
            Step::Template { .. } => "template",
            Step::Deduplicate { .. } => "deduplicate",
            Step::Limit { .. } => "limit",
            Step::Sample { .. } => "sample",
            Step::Shuffle { .. } => "shuffle",
        }
    }

    /// Whether the step keeps every row it receives, so counts before it hold after it.
    pub fn keeps_row_count(&self) -> bool {
        match self {
            Step::Select { .. }
            | Step::Drop { .. }
            | Step::Rename { .. }
            | Step::Template { .. }
            | Step::Shuffle { .. } => true,
            Step::Limit { action, .. } => *action == LimitAction::Truncate,
            Step::Filter { .. } | Step::Deduplicate { .. } | Step::Sample { .. } => false,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitAction {
    #[default]
    Drop,
    Truncate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    FineTuning,
    ContinuedPreTraining,
    Chat,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::FineTuning => "fine-tuning",
            Format::ContinuedPreTraining => "continued-pre-training",
            Format::Chat => "chat",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "fine-tuning" => Ok(Format::FineTuning),
            "continued-pre-training" => Ok(Format::ContinuedPreTraining),
            "chat" => Ok(Format::Chat),
            other => Err(DatasetError::Recipe(format!(
                "unknown format {other:?}; use \"fine-tuning\", \"continued-pre-training\" or \"chat\""
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    #[default]
    Jsonl,
    Parquet,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Jsonl => "jsonl",
            OutputFormat::Parquet => "parquet",
        }
    }
}

/// Percentages of rows for each part, assigned with `seed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Split {
    pub train: f64,
    #[serde(default)]
    pub validation: f64,
    #[serde(default)]
    pub test: f64,
    pub seed: u64,
}

impl Split {
    pub const PART_NAMES: [&'static str; 3] = ["train", "validation", "test"];

    pub fn check(&self) -> Result<()> {
        let parts = [self.train, self.validation, self.test];
        if parts.iter().any(|part| !part.is_finite() || *part < 0.0) {
            return Err(DatasetError::Recipe(format!(
                "split percentages must be zero or more, found train {}, validation {}, test {}",
                self.train, self.validation, self.test
            )));
        }
        let total: f64 = parts.iter().sum();
        if (total - 100.0).abs() > 1e-9 {
            return Err(DatasetError::Recipe(format!(
                "split percentages must add up to 100, but train {} + validation {} + test {} = {total}",
                self.train, self.validation, self.test
            )));
        }
        Ok(())
    }

    /// Exact row counts per part for `rows` rows; rounding leftovers go to train.
    pub fn counts(&self, rows: u64) -> [u64; 3] {
        let validation = ((self.validation / 100.0) * rows as f64).round() as u64;
        let test = ((self.test / 100.0) * rows as f64).round() as u64;
        let held_out = (validation + test).min(rows);
        let test = test.min(held_out);
        [rows - held_out, held_out - test, test]
    }
}

impl Recipe {
    /// Parses a recipe from JSON, with the position of any mistake.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|error| {
            DatasetError::Recipe(format!(
                "{error} (line {}, column {})",
                error.line(),
                error.column()
            ))
        })
    }

    pub fn check(&self) -> Result<()> {
        if self.source.paths.is_empty() {
            return Err(DatasetError::Recipe(
                "source has no paths; name at least one file or glob".into(),
            ));
        }
        for (index, step) in self.steps.iter().enumerate() {
            let context = format!("step {} ({})", index + 1, step.name());
            match step {
                Step::Sample { n, fraction, .. } => match (n, fraction) {
                    (Some(_), Some(_)) | (None, None) => {
                        return Err(DatasetError::Step {
                            step: context,
                            message: "give exactly one of `n` or `fraction`".into(),
                        });
                    }
                    (None, Some(fraction)) if !(0.0..=1.0).contains(fraction) => {
                        return Err(DatasetError::Step {
                            step: context,
                            message: format!("fraction must be between 0 and 1, found {fraction}"),
                        });
                    }
                    _ => {}
                },
                Step::Limit {
                    max_characters,
                    max_tokens,
                    ..
                } if max_characters.is_none() && max_tokens.is_none() => {
                    return Err(DatasetError::Step {
                        step: context,
                        message: "give `max_characters` or `max_tokens`".into(),
                    });
                }
                _ => {}
            }
        }
        if let Some(split) = &self.split {
            split.check()?;
        }
        Ok(())
    }
}
