//! Looking at a data file: its first rows as text, and the length distribution of its columns.

use std::path::Path;

use arrow_array::Array;
use arrow_cast::display::{ArrayFormatter, FormatOptions};

use crate::error::{DatasetError, Result};
use crate::recipe::{Source, TextUnit};
use crate::source;
use crate::tokens::CHARACTERS_PER_TOKEN;

/// The first rows of a file, every value rendered as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn single_source(path: &Path) -> Source {
    Source {
        paths: vec![path.to_string_lossy().into_owned()],
        format: None,
        text_unit: TextUnit::Line,
    }
}

pub fn preview(path: &Path, rows: usize) -> Result<Preview> {
    let files = source::resolve(&single_source(path), Path::new("."))?;
    let schema = source::schema(&files)?;
    let columns = schema
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    let mut output = Vec::new();
    let options = FormatOptions::default().with_null("null");
    for batch in source::read(files, TextUnit::Line, None)? {
        let batch = batch?;
        let formatters = batch
            .columns()
            .iter()
            .map(|column| ArrayFormatter::try_new(column.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            if output.len() >= rows {
                return Ok(Preview {
                    columns,
                    rows: output,
                });
            }
            output.push(
                formatters
                    .iter()
                    .map(|formatter| formatter.value(row).to_string())
                    .collect(),
            );
        }
    }
    Ok(Preview {
        columns,
        rows: output,
    })
}

/// Length statistics of one column, in characters.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnStats {
    pub name: String,
    pub values: u64,
    pub nulls: u64,
    pub min: u64,
    pub max: u64,
    pub mean: f64,
    pub total_characters: u64,
    /// Estimated at 6 characters per token.
    pub estimated_tokens: u64,
    /// `(from, to, count)`: lengths in `from..to`, equal-width buckets.
    pub histogram: Vec<(u64, u64, u64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub rows: u64,
    pub columns: Vec<ColumnStats>,
}

/// Reads the file once, keeping one length per value (4 bytes) to bucket them afterwards.
pub fn stats(path: &Path, buckets: usize) -> Result<Stats> {
    if buckets == 0 {
        return Err(DatasetError::Recipe(
            "a histogram needs at least one bucket".into(),
        ));
    }
    let files = source::resolve(&single_source(path), Path::new("."))?;
    let schema = source::schema(&files)?;
    let names: Vec<String> = schema
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    let options = FormatOptions::default();
    let mut rows = 0u64;
    let mut lengths: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
    let mut nulls = vec![0u64; names.len()];
    let mut tokens = vec![0u64; names.len()];
    for batch in source::read(files, TextUnit::Line, None)? {
        let batch = batch?;
        rows += batch.num_rows() as u64;
        for (index, column) in batch.columns().iter().enumerate() {
            let formatter = ArrayFormatter::try_new(column.as_ref(), &options)?;
            for row in 0..batch.num_rows() {
                if column.is_null(row) {
                    nulls[index] += 1;
                    continue;
                }
                let characters = formatter.value(row).to_string().chars().count() as u64;
                tokens[index] += characters.div_ceil(CHARACTERS_PER_TOKEN);
                lengths[index].push(characters.min(u64::from(u32::MAX)) as u32);
            }
        }
    }
    let columns = names
        .into_iter()
        .zip(lengths)
        .zip(nulls.into_iter().zip(tokens))
        .map(|((name, lengths), (nulls, estimated_tokens))| {
            column_stats(name, &lengths, nulls, estimated_tokens, buckets)
        })
        .collect();
    Ok(Stats { rows, columns })
}

fn column_stats(
    name: String,
    lengths: &[u32],
    nulls: u64,
    estimated_tokens: u64,
    buckets: usize,
) -> ColumnStats {
    let min = lengths.iter().copied().min().unwrap_or(0) as u64;
    let max = lengths.iter().copied().max().unwrap_or(0) as u64;
    let total: u64 = lengths.iter().map(|length| u64::from(*length)).sum();
    let width = ((max - min) / buckets as u64 + 1).max(1);
    let mut histogram: Vec<(u64, u64, u64)> = (0..buckets as u64)
        .map(|bucket| (min + bucket * width, min + (bucket + 1) * width, 0))
        .collect();
    for length in lengths {
        let bucket = ((u64::from(*length) - min) / width) as usize;
        histogram[bucket.min(buckets - 1)].2 += 1;
    }
    while histogram.last().is_some_and(|bucket| bucket.2 == 0) && histogram.len() > 1 {
        histogram.pop();
    }
    ColumnStats {
        name,
        values: lengths.len() as u64,
        nulls,
        min,
        max,
        mean: if lengths.is_empty() {
            0.0
        } else {
            total as f64 / lengths.len() as f64
        },
        total_characters: total,
        estimated_tokens,
        histogram,
    }
}
