//! Readers: local files and globs in Parquet, JSONL, JSON arrays, CSV/TSV and plain text, read
//! as one stream of Arrow batches in sorted path order.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sha2::{Digest, Sha256};

use crate::error::{DatasetError, Result};
use crate::recipe::{InputFormat, Source, TextUnit};

/// Rows per batch: enough to amortize per-batch work, few enough that the handful of batches
/// in flight between threads stays a few MiB, and that even small files flow through the
/// pipeline's threads in several pieces rather than one.
pub const BATCH_ROWS: usize = 1024;

pub type BatchIterator = Box<dyn Iterator<Item = Result<RecordBatch>> + Send>;

/// One file of a source, with the format it is read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    pub format: InputFormat,
}

/// Expands the source's paths and globs (relative to `base`) into files, in sorted order.
pub fn resolve(source: &Source, base: &Path) -> Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    for pattern in &source.paths {
        let full = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        };
        let mut matched: Vec<PathBuf> = if pattern.contains(['*', '?', '[']) {
            // Checked as written, so an error's position points into the user's own text.
            glob::Pattern::new(pattern).map_err(|error| DatasetError::BadGlob {
                pattern: pattern.clone(),
                message: error.to_string(),
            })?;
            let text = full.to_string_lossy().into_owned();
            let paths = glob::glob(&text).map_err(|error| DatasetError::BadGlob {
                pattern: pattern.clone(),
                message: error.to_string(),
            })?;
            paths
                .filter_map(|entry| entry.ok())
                .filter(|path| path.is_file())
                .collect()
        } else if full.is_file() {
            vec![full]
        } else {
            Vec::new()
        };
        if matched.is_empty() {
            return Err(DatasetError::NoFiles {
                pattern: pattern.clone(),
            });
        }
        matched.sort();
        for path in matched {
            let format = match source.format {
                Some(format) => format,
                None => InputFormat::from_extension(&path)
                    .ok_or_else(|| DatasetError::UnknownFormat { path: path.clone() })?,
            };
            files.push(SourceFile { path, format });
        }
    }
    Ok(files)
}

/// sha256 of a file's bytes, streamed.
pub fn file_sha256(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|error| DatasetError::io(path, error))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|error| DatasetError::io(path, error))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The schema of the source's first file; every other file must have the same column names.
pub fn schema(files: &[SourceFile]) -> Result<SchemaRef> {
    let first = files
        .first()
        .ok_or_else(|| DatasetError::Recipe("the source has no files".into()))?;
    file_schema(first)
}

fn read_error(file: &SourceFile, message: impl ToString) -> DatasetError {
    DatasetError::Read {
        path: file.path.clone(),
        format: file.format.name(),
        message: message.to_string(),
    }
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|error| DatasetError::io(path, error))
}

fn file_schema(file: &SourceFile) -> Result<SchemaRef> {
    Ok(match file.format {
        InputFormat::Parquet => {
            let builder = ParquetRecordBatchReaderBuilder::try_new(open(&file.path)?)
                .map_err(|error| read_error(file, error))?;
            Arc::clone(builder.schema())
        }
        InputFormat::Jsonl => {
            let reader = BufReader::new(open(&file.path)?);
            let (schema, _) = arrow_json::reader::infer_json_schema_from_seekable(reader, None)
                .map_err(|error| locate_json_error(file, error))?;
            Arc::new(schema)
        }
        InputFormat::Json => json_array(file)?.0,
        InputFormat::Csv | InputFormat::Tsv => {
            let (schema, _) = csv_format(file.format)
                .infer_schema(open(&file.path)?, None)
                .map_err(|error| read_error(file, error))?;
            Arc::new(schema)
        }
        InputFormat::Text => text_schema(),
    })
}

fn text_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("text", DataType::Utf8, false)]))
}

fn csv_format(format: InputFormat) -> arrow_csv::reader::Format {
    let delimiter = if format == InputFormat::Tsv {
        b'\t'
    } else {
        b','
    };
    arrow_csv::reader::Format::default()
        .with_header(true)
        .with_delimiter(delimiter)
}

/// Rows in the source when the files say so without reading them (Parquet's footer).
pub fn known_row_count(files: &[SourceFile]) -> Result<Option<u64>> {
    let mut total = 0u64;
    for file in files {
        if file.format != InputFormat::Parquet {
            return Ok(None);
        }
        let builder = ParquetRecordBatchReaderBuilder::try_new(open(&file.path)?)
            .map_err(|error| read_error(file, error))?;
        total += builder.metadata().file_metadata().num_rows() as u64;
    }
    Ok(Some(total))
}

/// About how many bytes the rows of `columns` (all when `None`) take once decoded: Parquet's
/// footer knows each column's uncompressed size; other formats are about their file's size.
pub fn estimated_bytes(files: &[SourceFile], columns: Option<&[String]>) -> Result<u64> {
    let mut total = 0u64;
    for file in files {
        if file.format != InputFormat::Parquet {
            total += std::fs::metadata(&file.path)
                .map_err(|error| DatasetError::io(&file.path, error))?
                .len();
            continue;
        }
        let builder = ParquetRecordBatchReaderBuilder::try_new(open(&file.path)?)
            .map_err(|error| read_error(file, error))?;
        for row_group in builder.metadata().row_groups() {
            for column in row_group.columns() {
                let root = column.column_path().parts().first().map(String::as_str);
                if columns.is_none_or(|columns| {
                    root.is_some_and(|root| columns.iter().any(|name| name == root))
                }) {
                    total += column.uncompressed_size().max(0) as u64;
                }
            }
        }
    }
    Ok(total)
}

/// Streams every file's batches, keeping only `columns` (all when `None`).
pub fn read(
    files: Vec<SourceFile>,
    text_unit: TextUnit,
    columns: Option<Vec<String>>,
) -> Result<BatchIterator> {
    let expected = schema(&files)?;
    let expected_names: Vec<String> = expected
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    let mut pending = files.into_iter();
    let mut current: Option<BatchIterator> = None;
    let mut failed = false;
    Ok(Box::new(std::iter::from_fn(move || {
        loop {
            if failed {
                return None;
            }
            if let Some(batches) = current.as_mut() {
                match batches.next() {
                    Some(batch) => {
                        failed = batch.is_err();
                        return Some(batch);
                    }
                    None => current = None,
                }
            }
            let file = pending.next()?;
            match open_file(&file, text_unit, columns.as_deref(), &expected_names) {
                Ok(batches) => current = Some(batches),
                Err(error) => {
                    failed = true;
                    return Some(Err(error));
                }
            }
        }
    })))
}

fn open_file(
    file: &SourceFile,
    text_unit: TextUnit,
    columns: Option<&[String]>,
    expected: &[String],
) -> Result<BatchIterator> {
    let schema = file_schema(file)?;
    let names: Vec<String> = schema
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    if names != expected {
        return Err(DatasetError::SchemaMismatch {
            path: file.path.clone(),
            expected: expected.to_vec(),
            found: names,
        });
    }
    let indices: Option<Vec<usize>> = columns.map(|columns| {
        names
            .iter()
            .enumerate()
            .filter(|(_, name)| columns.contains(name))
            .map(|(index, _)| index)
            .collect()
    });
    let file = file.clone();
    Ok(match file.format {
        InputFormat::Parquet => {
            let builder = ParquetRecordBatchReaderBuilder::try_new(open(&file.path)?)
                .map_err(|error| read_error(&file, error))?;
            let builder = match &indices {
                Some(indices) => {
                    let mask =
                        ProjectionMask::roots(builder.parquet_schema(), indices.iter().copied());
                    builder.with_projection(mask)
                }
                None => builder,
            };
            let reader = builder
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|error| read_error(&file, error))?;
            Box::new(reader.map(move |batch| batch.map_err(|error| read_error(&file, error))))
        }
        InputFormat::Jsonl => {
            let reader = arrow_json::ReaderBuilder::new(schema)
                .with_batch_size(BATCH_ROWS)
                .build(BufReader::with_capacity(1 << 20, open(&file.path)?))
                .map_err(|error| read_error(&file, error))?;
            Box::new(reader.map(move |batch| {
                let batch = batch.map_err(|error| locate_json_error(&file, error))?;
                project(batch, indices.as_deref())
            }))
        }
        InputFormat::Json => {
            let (schema, values) = json_array(&file)?;
            let mut decoder = arrow_json::ReaderBuilder::new(schema)
                .with_batch_size(BATCH_ROWS)
                .build_decoder()?;
            let mut chunks = values
                .chunks(BATCH_ROWS)
                .map(<[serde_json::Value]>::to_vec)
                .collect::<Vec<_>>()
                .into_iter();
            Box::new(std::iter::from_fn(move || {
                let chunk = chunks.next()?;
                let batch = decoder
                    .serialize(&chunk)
                    .and_then(|()| decoder.flush())
                    .map_err(|error| read_error(&file, error))
                    .and_then(|batch| batch.ok_or_else(|| read_error(&file, "no rows decoded")));
                Some(batch.and_then(|batch| project(batch, indices.as_deref())))
            }))
        }
        InputFormat::Csv | InputFormat::Tsv => {
            let mut handle = open(&file.path)?;
            handle
                .rewind()
                .map_err(|error| DatasetError::io(&file.path, error))?;
            let mut builder = arrow_csv::ReaderBuilder::new(schema)
                .with_format(csv_format(file.format))
                .with_batch_size(BATCH_ROWS);
            if let Some(indices) = indices {
                builder = builder.with_projection(indices);
            }
            let reader = builder
                .build(BufReader::with_capacity(1 << 20, handle))
                .map_err(|error| read_error(&file, error))?;
            Box::new(reader.map(move |batch| batch.map_err(|error| read_error(&file, error))))
        }
        InputFormat::Text => text_batches(file, text_unit)?,
    })
}

fn project(batch: RecordBatch, indices: Option<&[usize]>) -> Result<RecordBatch> {
    match indices {
        Some(indices) => Ok(batch.project(indices)?),
        None => Ok(batch),
    }
}

/// Arrow's JSON reader does not say where a line went wrong; find it so the user can fix it.
fn locate_json_error(file: &SourceFile, error: arrow_schema::ArrowError) -> DatasetError {
    let Ok(handle) = File::open(&file.path) else {
        return read_error(file, error);
    };
    let mut reader = BufReader::new(handle);
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return read_error(file, error),
            Ok(_) => {}
            Err(io) => {
                return DatasetError::Record {
                    path: file.path.clone(),
                    line: number + 1,
                    message: format!("{io}"),
                };
            }
        }
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        if let Err(parse) = serde_json::from_str::<serde_json::Value>(&line) {
            return DatasetError::Record {
                path: file.path.clone(),
                line: number,
                message: format!("invalid JSON: {parse}"),
            };
        }
    }
}

fn json_array(file: &SourceFile) -> Result<(SchemaRef, Vec<serde_json::Value>)> {
    let bytes = std::fs::read(&file.path).map_err(|error| DatasetError::io(&file.path, error))?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|error| DatasetError::Record {
            path: file.path.clone(),
            line: error.line() as u64,
            message: format!("invalid JSON: {error}"),
        })?;
    let serde_json::Value::Array(values) = value else {
        return Err(read_error(
            file,
            "expected an array of objects; for one object per line, name the file .jsonl",
        ));
    };
    if let Some(index) = values.iter().position(|value| !value.is_object()) {
        return Err(read_error(
            file,
            format!("element {index} of the array is not an object"),
        ));
    }
    let schema = arrow_json::reader::infer_json_schema_from_iterator(values.iter().map(Ok))
        .map_err(|error| read_error(file, error))?;
    Ok((Arc::new(schema), values))
}

fn text_batches(file: SourceFile, unit: TextUnit) -> Result<BatchIterator> {
    let mut reader = BufReader::with_capacity(1 << 20, open(&file.path)?);
    let schema = text_schema();
    let mut done = false;
    let mut line = String::new();
    // A paragraph may straddle two batches.
    let mut paragraph = String::new();
    Ok(Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut records: Vec<String> = Vec::new();
        loop {
            line.clear();
            let read = match reader.read_line(&mut line) {
                Ok(read) => read,
                Err(error) => {
                    done = true;
                    return Some(Err(read_error(
                        &file,
                        format!("{error} (is it UTF-8 text?)"),
                    )));
                }
            };
            if read == 0 {
                done = true;
                break;
            }
            let trimmed = line.trim_end_matches(['\n', '\r']);
            match unit {
                TextUnit::Line if !trimmed.trim().is_empty() => records.push(trimmed.to_string()),
                TextUnit::Line => {}
                TextUnit::Paragraph if trimmed.trim().is_empty() => {
                    if !paragraph.is_empty() {
                        records.push(std::mem::take(&mut paragraph));
                    }
                }
                TextUnit::Paragraph | TextUnit::File => {
                    if !paragraph.is_empty() {
                        paragraph.push('\n');
                    }
                    paragraph.push_str(trimmed);
                }
            }
            if records.len() >= BATCH_ROWS {
                break;
            }
        }
        if done && !paragraph.trim().is_empty() {
            records.push(std::mem::take(&mut paragraph));
        }
        if records.is_empty() {
            return None;
        }
        let array: ArrayRef = Arc::new(StringArray::from(records));
        Some(RecordBatch::try_new(Arc::clone(&schema), vec![array]).map_err(DatasetError::from))
    })))
}
