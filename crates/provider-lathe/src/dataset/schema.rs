//! The `lathe_dataset` resource's attributes.

use std::collections::BTreeMap;

use lathe_config::types::TypeConstraint;
use lathe_core::schema::{AttributeSchema, BlockSchema};

fn object(fields: &[(&str, TypeConstraint)]) -> TypeConstraint {
    TypeConstraint::Object(
        fields
            .iter()
            .map(|(name, constraint)| (name.to_string(), (constraint.clone(), true)))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn strings() -> TypeConstraint {
    TypeConstraint::List(Box::new(TypeConstraint::String))
}

pub fn schema() -> BlockSchema {
    use AttributeSchema as A;
    use TypeConstraint as T;
    let mut block = BlockSchema::new(vec![
        A::required("source", T::String)
            .described("A file, a glob, or hf://datasets/ORG/NAME[@REVISION]."),
        A::optional("split", T::String)
            .described("For hf:// sources: the split to read (default \"train\")."),
        A::optional("config", T::String).described("For hf:// sources: the dataset config."),
        A::optional("source_format", T::String)
            .described("parquet, jsonl, json, csv, tsv or text; by default from the extension."),
        A::optional("text_unit", T::String)
            .described("For text sources: line (default), paragraph or file."),
        A::optional("select_columns", strings())
            .described("Keep only these columns (applied first)."),
        A::optional("drop_columns", strings()).described("Remove these columns."),
        A::optional("rename_columns", T::Map(Box::new(T::String))).described("OLD = NEW."),
        A::optional("filter", T::String)
            .described("Keep rows where this expression holds, e.g. length(summary) > 10."),
        A::optional("templates", T::Map(Box::new(T::String)))
            .described("COLUMN = \"text with {{column}} placeholders\"."),
        A::optional("deduplicate", T::Bool).described("Keep the first of identical rows."),
        A::optional(
            "limit",
            object(&[
                ("max_characters", T::Number),
                ("max_tokens", T::Number),
                ("action", T::String),
                ("columns", strings()),
            ]),
        )
        .described("Per-record cap; action drop (default) or truncate."),
        A::optional(
            "sample",
            object(&[
                ("n", T::Number),
                ("fraction", T::Number),
                ("seed", T::Number),
                ("shuffle", T::Bool),
            ]),
        )
        .described("Seeded sample of n rows or a fraction, in file order unless shuffle = true."),
        A::optional(
            "splits",
            object(&[
                ("train", T::Number),
                ("validation", T::Number),
                ("test", T::Number),
                ("seed", T::Number),
            ]),
        )
        .described("Percentages for train/validation/test files."),
        A::required("format", T::String).described("fine-tuning, continued-pre-training or chat."),
        A::optional("output_format", T::String).described("jsonl (default) or parquet."),
        A::optional("tokenizer", T::String)
            .described("A tokenizer.json, or a Hugging Face model id, to count tokens with."),
        A::optional("model_profile", T::String)
            .described("Validate for a model family: default, cohere, titan, llama."),
        A::computed("path", T::String).described("The output file (the train file with splits)."),
        A::computed("paths", T::Map(Box::new(T::String))).described("Output file of each split."),
        A::computed("rows", T::Number),
        A::computed("rows_by_split", T::Map(Box::new(T::Number))),
        A::computed("characters", T::Number),
        A::computed("tokens", T::Number),
        A::computed("sha256", T::String).described("sha256 of the output bytes."),
        A::computed("version", T::String)
            .described("Derived from the recipe and the source content."),
        A::computed("source_sha256", T::String),
    ]);
    block.description = "A prepared, validated, content-hashed training dataset.".into();
    block
}

/// Attributes the configuration sets, in the order their changes are reported.
pub const SETTABLE: [&str; 18] = [
    "source",
    "split",
    "config",
    "source_format",
    "text_unit",
    "select_columns",
    "drop_columns",
    "rename_columns",
    "filter",
    "templates",
    "deduplicate",
    "limit",
    "sample",
    "splits",
    "format",
    "output_format",
    "tokenizer",
    "model_profile",
];
