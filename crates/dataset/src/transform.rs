//! Transform stages: each step of a recipe compiled against the schema it receives.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use arrow_select::filter::filter_record_batch;
use sha2::{Digest, Sha256};

use crate::error::{DatasetError, Result};
use crate::expression::Filter;
use crate::recipe::{LimitAction, Step};
use crate::sample::{Bitmap, SAMPLE_STREAM, choose, sample_size};
use crate::shuffle::Shuffle;
use crate::source::BatchIterator;
use crate::template::Template;
use crate::tokens::TokenCounter;

/// Rows in and out of one step, and rows it truncated.
#[derive(Debug, Default)]
pub struct StepCounters {
    pub rows_in: AtomicU64,
    pub rows_out: AtomicU64,
    pub truncated: AtomicU64,
}

pub(crate) enum Stage {
    Schema {
        schema: SchemaRef,
        indices: Vec<usize>,
    },
    Filter(Filter),
    Template {
        template: Template,
        schema: SchemaRef,
        replace: Option<usize>,
    },
    Deduplicate {
        columns: Vec<usize>,
        seen: HashSet<[u8; 16]>,
    },
    Limit(Limit),
    Sample {
        chosen: Bitmap,
        next_row: u64,
    },
    Shuffle(Option<Box<Shuffle>>),
}

pub(crate) struct Limit {
    columns: Vec<usize>,
    max_characters: Option<u64>,
    max_tokens: Option<u64>,
    action: LimitAction,
    counter: TokenCounter,
}

/// What building a stage may need from outside the schema.
pub(crate) struct StageContext<'a> {
    /// Rows entering this step, when the step needs to know (sample).
    pub rows_in: Option<u64>,
    pub counter: &'a TokenCounter,
    pub estimated_bytes: u64,
    /// Whether a missing column is an error (first, full-schema check) or was projected away.
    pub strict: bool,
}

fn names(schema: &Schema) -> Vec<String> {
    schema
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect()
}

fn column_index(schema: &Schema, step: &str, column: &str) -> Result<usize> {
    schema
        .index_of(column)
        .map_err(|_| DatasetError::UnknownColumn {
            step: step.to_string(),
            column: column.to_string(),
            available: names(schema),
        })
}

/// Compiles `step` against `schema`, giving the stage and the schema it produces.
pub(crate) fn build(
    step: &Step,
    label: &str,
    schema: &SchemaRef,
    context: &StageContext,
) -> Result<(Stage, SchemaRef)> {
    let lookup = |column: &str| -> Result<Option<usize>> {
        match column_index(schema, label, column) {
            Ok(index) => Ok(Some(index)),
            Err(_) if !context.strict => Ok(None),
            Err(error) => Err(error),
        }
    };
    Ok(match step {
        Step::Select { columns } => {
            let mut indices = Vec::new();
            for column in columns {
                if let Some(index) = lookup(column)? {
                    indices.push(index);
                }
            }
            project(schema, indices)?
        }
        Step::Drop { columns } => {
            let mut dropped = Vec::new();
            for column in columns {
                dropped.extend(lookup(column)?);
            }
            project(
                schema,
                (0..schema.fields().len())
                    .filter(|index| !dropped.contains(index))
                    .collect(),
            )?
        }
        Step::Rename { columns } => {
            let mut fields: Vec<Field> = schema
                .fields()
                .iter()
                .map(|field| field.as_ref().clone())
                .collect();
            for (from, to) in columns {
                if let Some(index) = lookup(from)? {
                    fields[index] = fields[index].clone().with_name(to);
                }
            }
            let mut seen = HashSet::new();
            for field in &fields {
                if !seen.insert(field.name().as_str()) {
                    return Err(DatasetError::Step {
                        step: label.to_string(),
                        message: format!(
                            "two columns would be named {:?}; drop one first or rename to another name",
                            field.name()
                        ),
                    });
                }
            }
            let output = Arc::new(Schema::new(fields));
            (
                Stage::Schema {
                    schema: Arc::clone(&output),
                    indices: (0..schema.fields().len()).collect(),
                },
                output,
            )
        }
        Step::Filter { expression } => (
            Stage::Filter(Filter::compile(expression, schema)?),
            Arc::clone(schema),
        ),
        Step::Template { column, template } => {
            let template = Template::compile(template, schema)?;
            let replace = schema.index_of(column).ok();
            let mut fields: Vec<Field> = schema
                .fields()
                .iter()
                .map(|field| field.as_ref().clone())
                .collect();
            let field = Field::new(column, DataType::Utf8, false);
            match replace {
                Some(index) => fields[index] = field,
                None => fields.push(field),
            }
            let output = Arc::new(Schema::new(fields));
            (
                Stage::Template {
                    template,
                    schema: Arc::clone(&output),
                    replace,
                },
                output,
            )
        }
        Step::Deduplicate { columns } => {
            let indices = if columns.is_empty() {
                (0..schema.fields().len()).collect()
            } else {
                let mut indices = Vec::new();
                for column in columns {
                    indices.extend(lookup(column)?);
                }
                indices
            };
            (
                Stage::Deduplicate {
                    columns: indices,
                    seen: HashSet::new(),
                },
                Arc::clone(schema),
            )
        }
        Step::Limit {
            columns,
            max_characters,
            max_tokens,
            action,
        } => {
            let indices = if columns.is_empty() {
                (0..schema.fields().len())
                    .filter(|index| is_text(schema.field(*index).data_type()))
                    .collect()
            } else {
                let mut indices = Vec::new();
                for column in columns {
                    if let Some(index) = lookup(column)? {
                        let data_type = schema.field(index).data_type();
                        if !is_text(data_type) {
                            return Err(DatasetError::NotText {
                                column: column.clone(),
                                found: data_type.to_string(),
                                needs: label.to_string(),
                            });
                        }
                        indices.push(index);
                    }
                }
                indices
            };
            let limit = Limit {
                columns: indices,
                max_characters: *max_characters,
                max_tokens: *max_tokens,
                action: *action,
                counter: context.counter.clone(),
            };
            (Stage::Limit(limit), Arc::clone(schema))
        }
        Step::Sample { n, fraction, seed } => {
            let total = context
                .rows_in
                .expect("the pipeline counts rows before a sample");
            let chosen = choose(
                total,
                sample_size(total, *n, *fraction),
                *seed,
                SAMPLE_STREAM,
            );
            (
                Stage::Sample {
                    chosen,
                    next_row: 0,
                },
                Arc::clone(schema),
            )
        }
        Step::Shuffle { seed } => {
            let shuffle = Shuffle::new(*seed, Arc::clone(schema), context.estimated_bytes)?;
            (Stage::Shuffle(Some(Box::new(shuffle))), Arc::clone(schema))
        }
    })
}

pub(crate) fn is_text(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn project(schema: &SchemaRef, indices: Vec<usize>) -> Result<(Stage, SchemaRef)> {
    let output = Arc::new(schema.project(&indices)?);
    Ok((
        Stage::Schema {
            schema: Arc::clone(&output),
            indices,
        },
        output,
    ))
}

impl Stage {
    /// Whether the stage keeps rows back until its input ends.
    pub(crate) fn holds_rows(&self) -> bool {
        matches!(self, Stage::Shuffle(_))
    }

    pub(crate) fn process(
        &mut self,
        batch: RecordBatch,
        counters: &StepCounters,
    ) -> Result<Option<RecordBatch>> {
        counters
            .rows_in
            .fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
        let output = match self {
            Stage::Schema { schema, indices } => {
                let columns = indices
                    .iter()
                    .map(|index| Arc::clone(batch.column(*index)))
                    .collect();
                RecordBatch::try_new(Arc::clone(schema), columns)?
            }
            Stage::Filter(filter) => filter_record_batch(&batch, &filter.evaluate(&batch)?)?,
            Stage::Template {
                template,
                schema,
                replace,
            } => {
                let rendered = template.render(&batch)?;
                let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
                match replace {
                    Some(index) => columns[*index] = rendered,
                    None => columns.push(rendered),
                }
                RecordBatch::try_new(Arc::clone(schema), columns)?
            }
            Stage::Deduplicate { columns, seen } => {
                let keys = columns
                    .iter()
                    .map(|index| arrow_cast::cast(batch.column(*index), &DataType::Utf8))
                    .collect::<Result<Vec<_>, _>>()?;
                let keep: BooleanArray = (0..batch.num_rows())
                    .map(|row| Some(seen.insert(row_key(&keys, row))))
                    .collect();
                filter_record_batch(&batch, &keep)?
            }
            Stage::Limit(limit) => limit.apply(batch, counters)?,
            Stage::Sample { chosen, next_row } => {
                let start = *next_row;
                *next_row += batch.num_rows() as u64;
                let keep: BooleanArray = (start..*next_row)
                    .map(|row| Some(chosen.get(row)))
                    .collect();
                filter_record_batch(&batch, &keep)?
            }
            Stage::Shuffle(shuffle) => {
                shuffle
                    .as_mut()
                    .expect("shuffle used after finish")
                    .push(&batch)?;
                return Ok(None);
            }
        };
        counters
            .rows_out
            .fetch_add(output.num_rows() as u64, Ordering::Relaxed);
        Ok(Some(output))
    }

    /// Rows held back, released once the input has ended.
    pub(crate) fn finish(&mut self, counters: &StepCounters) -> Result<Option<BatchIterator>> {
        let Stage::Shuffle(shuffle) = self else {
            return Ok(None);
        };
        let Some(shuffle) = shuffle.take() else {
            return Ok(None);
        };
        let rows_in = counters.rows_in.load(Ordering::Relaxed);
        counters.rows_out.store(rows_in, Ordering::Relaxed);
        Ok(Some(shuffle.finish()?))
    }
}

/// 128 bits of sha256 over the row's values, length-prefixed so ("ab","c") differs from ("a","bc").
fn row_key(columns: &[ArrayRef], row: usize) -> [u8; 16] {
    let mut hasher = Sha256::new();
    for column in columns {
        if column.is_null(row) {
            hasher.update([0u8]);
        } else {
            let value = column.as_string::<i32>().value(row);
            hasher.update([1u8]);
            hasher.update((value.len() as u64).to_le_bytes());
            hasher.update(value.as_bytes());
        }
    }
    let digest = hasher.finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

impl Limit {
    fn apply(&self, batch: RecordBatch, counters: &StepCounters) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = self
            .columns
            .iter()
            .map(|index| arrow_cast::cast(batch.column(*index), &DataType::Utf8))
            .collect::<Result<_, _>>()?;
        let strings: Vec<&StringArray> = columns
            .iter()
            .map(|column| column.as_string::<i32>())
            .collect();
        let mut keep = Vec::with_capacity(batch.num_rows());
        // Truncated values by (row, column position); most batches have none.
        let mut cuts: Vec<(usize, usize, usize)> = Vec::new();
        for row in 0..batch.num_rows() {
            let values: Vec<&str> = strings
                .iter()
                .map(|array| {
                    if array.is_null(row) {
                        ""
                    } else {
                        array.value(row)
                    }
                })
                .collect();
            let characters: Vec<u64> = values
                .iter()
                .map(|value| value.chars().count() as u64)
                .collect();
            let over_characters = self
                .max_characters
                .is_some_and(|max| characters.iter().sum::<u64>() > max);
            let tokens: Vec<u64> = match self.max_tokens {
                Some(_) => values
                    .iter()
                    .zip(&characters)
                    .map(|(value, count)| self.counter.count(value, *count))
                    .collect(),
                None => Vec::new(),
            };
            let over_tokens = self
                .max_tokens
                .is_some_and(|max| tokens.iter().sum::<u64>() > max);
            if !over_characters && !over_tokens {
                keep.push(true);
                continue;
            }
            if self.action == LimitAction::Drop {
                keep.push(false);
                continue;
            }
            keep.push(true);
            counters.truncated.fetch_add(1, Ordering::Relaxed);
            let mut lengths = values.iter().map(|value| value.len()).collect::<Vec<_>>();
            self.truncate(&values, &characters, &tokens, &mut lengths);
            for (position, length) in lengths.into_iter().enumerate() {
                if length < values[position].len() {
                    cuts.push((row, position, length));
                }
            }
        }
        let mut output_columns: Vec<ArrayRef> = batch.columns().to_vec();
        for (position, index) in self.columns.iter().enumerate() {
            let row_cuts: Vec<&(usize, usize, usize)> =
                cuts.iter().filter(|cut| cut.1 == position).collect();
            if row_cuts.is_empty() {
                continue;
            }
            let array = strings[position];
            let mut builder = StringBuilder::with_capacity(array.len(), array.value_data().len());
            let mut next = row_cuts.iter().peekable();
            for row in 0..array.len() {
                if array.is_null(row) {
                    builder.append_null();
                    continue;
                }
                let value = array.value(row);
                match next.peek() {
                    Some(cut) if cut.0 == row => {
                        builder.append_value(&value[..cut.2]);
                        next.next();
                    }
                    _ => builder.append_value(value),
                }
            }
            output_columns[*index] = Arc::new(builder.finish());
        }
        let schema = batch.schema();
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(index, field)| {
                let field = field.as_ref().clone();
                if self.columns.contains(&index) {
                    field.with_data_type(DataType::Utf8)
                } else {
                    field
                }
            })
            .collect();
        let rebuilt = RecordBatch::try_new(Arc::new(Schema::new(fields)), output_columns)?;
        Ok(filter_record_batch(&rebuilt, &BooleanArray::from(keep))?)
    }

    /// Cuts the longest field until the record fits, so short fields (the answer) survive.
    fn truncate(&self, values: &[&str], characters: &[u64], tokens: &[u64], lengths: &mut [usize]) {
        let mut characters = characters.to_vec();
        let mut tokens = tokens.to_vec();
        loop {
            let total_characters: u64 = characters.iter().sum();
            let total_tokens: u64 = tokens.iter().sum();
            let excess_characters = self
                .max_characters
                .map_or(0, |max| total_characters.saturating_sub(max));
            let excess_tokens = self
                .max_tokens
                .map_or(0, |max| total_tokens.saturating_sub(max));
            if excess_characters == 0 && excess_tokens == 0 {
                return;
            }
            let Some(longest) = (0..values.len())
                .filter(|i| lengths[*i] > 0)
                .max_by_key(|i| (characters[*i], std::cmp::Reverse(*i)))
            else {
                return;
            };
            let current = &values[longest][..lengths[longest]];
            let mut kept = current;
            if excess_characters > 0 {
                kept = crate::tokens::prefix_chars(
                    kept,
                    characters[longest].saturating_sub(excess_characters),
                );
            }
            if excess_tokens > 0 {
                let current_tokens = self.counter.count(kept, kept.chars().count() as u64);
                let allowed = current_tokens.saturating_sub(excess_tokens.min(current_tokens));
                kept = self.counter.truncate(kept, allowed);
            }
            if kept.len() == lengths[longest] {
                // No progress is possible on this field; give up rather than loop forever.
                lengths[longest] = 0;
            } else {
                lengths[longest] = kept.len();
            }
            characters[longest] = values[longest][..lengths[longest]].chars().count() as u64;
            if self.max_tokens.is_some() {
                let text = &values[longest][..lengths[longest]];
                tokens[longest] = self.counter.count(text, characters[longest]);
            }
        }
    }
}
