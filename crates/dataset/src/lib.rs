//! Training data pipeline: readers, transforms, sampling, splits, writers and record validation.

mod conversation;
mod direct;
mod error;
pub mod expression;
pub mod hash_cache;
pub mod inspect;
mod json_string;
mod output;
mod pipeline;
pub mod progress;
pub mod recipe;
pub mod sample;
mod shuffle;
pub mod source;
pub mod synth;
mod template;
pub mod tokens;
mod transform;
pub mod validate;
mod version;
pub mod writer;

pub use error::{DatasetError, Result};
pub use expression::Filter;
pub use hash_cache::HashCache;
pub use output::PartTotals;
pub use pipeline::{Outcome, OutputFile, RunOptions, StepReport, check, run};
pub use progress::RowCounter;
pub use recipe::{
    Format, InputFormat, LimitAction, OutputFormat, Recipe, Source, Split, Step, TextUnit,
};
pub use template::Template;
pub use tokens::TokenCounter;
pub use validate::{ModelProfile, Problem, ProblemKind, Report, validate_file};
pub use version::{Fingerprint, fingerprint, recipe_sha256};
