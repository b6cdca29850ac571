//! `{{column}}` templates that build a text field from other columns. Double braces keep
//! clear of HCL's own `${...}` interpolation.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Schema};

use crate::error::{DatasetError, Result};

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Literal(String),
    Column(String),
}

#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
}

fn error(text: &str, column: usize, message: impl Into<String>) -> DatasetError {
    DatasetError::Expression {
        context: "template",
        text: text.to_string(),
        column,
        message: message.into(),
    }
}

impl Template {
    pub fn compile(text: &str, schema: &Schema) -> Result<Template> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        let mut offset = 0;
        while let Some(open) = rest.find("{{") {
            literal.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let column = text[..offset + open].chars().count() + 1;
            let close = after.find("}}").ok_or_else(|| {
                error(
                    text,
                    column,
                    "this `{{` is never closed; end the placeholder with `}}`",
                )
            })?;
            let name = after[..close].trim();
            if name.is_empty() {
                return Err(error(
                    text,
                    column,
                    "empty placeholder; write a column name, e.g. {{dialogue}}",
                ));
            }
            if schema.field_with_name(name).is_err() {
                let available: Vec<&str> = schema
                    .fields()
                    .iter()
                    .map(|field| field.name().as_str())
                    .collect();
                return Err(error(
                    text,
                    column + 2,
                    format!("unknown column {name:?}; the columns are {available:?}"),
                ));
            }
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(Part::Column(name.to_string()));
            let consumed = open + 2 + close + 2;
            offset += consumed;
            rest = &rest[consumed..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Template { parts })
    }

    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Column(name) => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// Renders one string per row; a null value renders as nothing.
    pub fn render(&self, batch: &RecordBatch) -> Result<ArrayRef> {
        let mut columns: Vec<Option<ArrayRef>> = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            columns.push(match part {
                Part::Column(name) => {
                    let array = batch
                        .column_by_name(name)
                        .expect("compiled against this schema");
                    Some(arrow_cast::cast(array, &DataType::Utf8)?)
                }
                Part::Literal(_) => None,
            });
        }
        let mut builder = StringBuilder::with_capacity(batch.num_rows(), 0);
        let mut value = String::new();
        for row in 0..batch.num_rows() {
            value.clear();
            for (part, column) in self.parts.iter().zip(&columns) {
                match (part, column) {
                    (Part::Literal(text), _) => value.push_str(text),
                    (Part::Column(_), Some(array)) if array.is_valid(row) => {
                        value.push_str(array.as_string::<i32>().value(row));
                    }
                    (Part::Column(_), _) => {}
                }
            }
            builder.append_value(&value);
        }
        let array: StringArray = builder.finish();
        Ok(Arc::new(array))
    }
}
