//! Runs a recipe: reader thread (decode) → transforms and encoding → writer thread (hash and
//! write), joined by small bounded channels so memory stays flat whatever the row count.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use sha2::{Digest, Sha256};

use crate::error::{DatasetError, Result};
use crate::output::{Encoded, Encoder, Layout, PartTotals};
use crate::progress::RowCounter;
use crate::recipe::{OutputFormat, Recipe, Split, Step};
use crate::sample::{SplitAssigner, sample_size};
use crate::source::{self, SourceFile};
use crate::tokens::TokenCounter;
use crate::transform::{self, Stage, StageContext, StepCounters, is_text};
use crate::validate::ModelProfile;
use crate::writer::{OutputWriter, Written};

/// Batches in flight between threads; each holds at most `BATCH_ROWS` rows.
const CHANNEL_BATCHES: usize = 2;

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Relative source paths are resolved against this folder.
    pub base_dir: PathBuf,
    pub output_dir: PathBuf,
    pub profile: ModelProfile,
    /// Rows read so far, for progress bars.
    pub progress: Option<RowCounter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `data` without a split, else `train`, `validation` or `test`.
    pub part: String,
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
    pub rows: u64,
    pub characters: u64,
    pub tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    pub step: String,
    pub rows_in: u64,
    pub rows_out: u64,
    pub truncated: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub files: Vec<OutputFile>,
    pub rows: u64,
    pub characters: u64,
    pub tokens: u64,
    /// The output's sha256, or with a split, the sha256 of `part sha256` lines.
    pub sha256: String,
    pub steps: Vec<StepReport>,
}

/// Strings of any Arrow flavour become `Utf8`, so every stage handles one text type.
fn normalized_schema(schema: &Schema) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|field| {
            let field = field.as_ref().clone();
            if is_text(field.data_type()) {
                field.with_data_type(DataType::Utf8)
            } else {
                field
            }
        })
        .collect();
    Arc::new(Schema::new(fields))
}

fn normalize(batch: RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    if batch.schema().fields() == schema.fields() {
        return Ok(batch);
    }
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(column, field)| arrow_cast::cast(column, field.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}

fn step_label(index: usize, step: &Step) -> String {
    format!("step {} ({})", index + 1, step.name())
}

/// A recipe bound to its source files: builds stages and counts rows where a step needs it.
struct Prepared<'a> {
    recipe: &'a Recipe,
    files: Vec<SourceFile>,
    columns: Option<Vec<String>>,
    read_schema: SchemaRef,
    counter: TokenCounter,
    estimated_bytes: u64,
}

impl<'a> Prepared<'a> {
    fn new(recipe: &'a Recipe, base_dir: &Path) -> Result<Prepared<'a>> {
        recipe.check()?;
        let files = source::resolve(&recipe.source, base_dir)?;
        let tokenizer = recipe.tokenizer.as_ref().map(|path| base_dir.join(path));
        let counter = TokenCounter::load(tokenizer.as_deref())?;
        let full_schema = normalized_schema(source::schema(&files)?.as_ref());
        let columns = needed_columns(recipe, &full_schema, &counter)?;
        let read_schema = match &columns {
            Some(columns) => {
                let indices: Vec<usize> = (0..full_schema.fields().len())
                    .filter(|index| columns.contains(full_schema.field(*index).name()))
                    .collect();
                Arc::new(full_schema.project(&indices)?)
            }
            None => full_schema,
        };
        let estimated_bytes = source::estimated_bytes(&files, columns.as_deref())?;
        Ok(Prepared {
            recipe,
            files,
            columns,
            read_schema,
            counter,
            estimated_bytes,
        })
    }

    fn batches(
        &self,
        progress: Option<RowCounter>,
    ) -> Result<(Receiver<Result<RecordBatch>>, thread::JoinHandle<()>)> {
        let batches = source::read(
            self.files.clone(),
            self.recipe.source.text_unit,
            self.columns.clone(),
        )?;
        let schema = Arc::clone(&self.read_schema);
        let (sender, receiver) = sync_channel(CHANNEL_BATCHES);
        let handle = thread::Builder::new()
            .name("lathe-dataset-read".into())
            .spawn(move || {
                for batch in batches {
                    let batch = batch.and_then(|batch| normalize(batch, &schema));
                    if let (Ok(batch), Some(progress)) = (&batch, &progress) {
                        progress.add(batch.num_rows() as u64);
                    }
                    let failed = batch.is_err();
                    if sender.send(batch).is_err() || failed {
                        return;
                    }
                }
            })
            .map_err(|error| DatasetError::Thread(error.to_string()))?;
        Ok((receiver, handle))
    }

    /// Stages for the first `upto` steps, the schema they produce, and their row count when
    /// known without reading. `counting` skips the shuffle, which cannot change a count.
    fn stages(&self, upto: usize, counting: bool) -> Result<(Vec<Stage>, SchemaRef, Option<u64>)> {
        let mut schema = Arc::clone(&self.read_schema);
        let mut rows = source::known_row_count(&self.files)?;
        let mut stages = Vec::with_capacity(upto);
        for (index, step) in self.recipe.steps[..upto].iter().enumerate() {
            let rows_in = match step {
                Step::Sample { .. } => Some(match rows {
                    Some(rows) => rows,
                    None => self.count_rows(index)?,
                }),
                _ => None,
            };
            let context = StageContext {
                rows_in,
                counter: &self.counter,
                estimated_bytes: self.estimated_bytes,
                strict: false,
            };
            let (stage, output) = if counting && matches!(step, Step::Shuffle { .. }) {
                (identity(&schema), Arc::clone(&schema))
            } else {
                transform::build(step, &step_label(index, step), &schema, &context)?
            };
            rows = match step {
                Step::Sample { n, fraction, .. } => {
                    rows_in.map(|total| sample_size(total, *n, *fraction))
                }
                step if step.keeps_row_count() => rows,
                _ => None,
            };
            stages.push(stage);
            schema = output;
        }
        Ok((stages, schema, rows))
    }

    /// Rows coming out of the first `upto` steps, reading the source when it must.
    fn count_rows(&self, upto: usize) -> Result<u64> {
        let (mut stages, _, known) = self.stages(upto, true)?;
        if let Some(known) = known {
            return Ok(known);
        }
        let counters: Vec<StepCounters> =
            (0..stages.len()).map(|_| StepCounters::default()).collect();
        let (receiver, handle) = self.batches(None)?;
        let mut rows = 0u64;
        for batch in receiver {
            drive(&mut stages, &counters, batch?, &mut |batch| {
                rows += batch.num_rows() as u64;
                Ok(())
            })?;
        }
        finish(&mut stages, &counters, &mut |batch| {
            rows += batch.num_rows() as u64;
            Ok(())
        })?;
        handle
            .join()
            .map_err(|_| DatasetError::Thread("the reader panicked".into()))?;
        Ok(rows)
    }
}

fn identity(schema: &SchemaRef) -> Stage {
    Stage::Schema {
        schema: Arc::clone(schema),
        indices: (0..schema.fields().len()).collect(),
    }
}

/// Source columns the recipe ever reads or writes: the rest are never decoded. Also checks
/// every step against the full schema, so mistakes name the real columns.
fn needed_columns(
    recipe: &Recipe,
    schema: &SchemaRef,
    counter: &TokenCounter,
) -> Result<Option<Vec<String>>> {
    // Each current column traced back to the source column it came from (none if computed).
    let mut lineage: Vec<(String, Option<String>)> = schema
        .fields()
        .iter()
        .map(|field| (field.name().clone(), Some(field.name().clone())))
        .collect();
    let mut used: Vec<String> = Vec::new();
    let mut current = Arc::clone(schema);
    let mark = |names: &mut dyn Iterator<Item = String>,
                lineage: &[(String, Option<String>)],
                used: &mut Vec<String>| {
        for name in names {
            if let Some((_, Some(origin))) = lineage.iter().find(|(current, _)| *current == name)
                && !used.contains(origin)
            {
                used.push(origin.clone());
            }
        }
    };
    for (index, step) in recipe.steps.iter().enumerate() {
        let context = StageContext {
            rows_in: Some(0),
            counter,
            estimated_bytes: 0,
            strict: true,
        };
        let (_, output) = match step {
            // A shuffle's spill files are not needed to check the schema.
            Step::Shuffle { .. } => (identity(&current), Arc::clone(&current)),
            step => transform::build(step, &step_label(index, step), &current, &context)?,
        };
        match step {
            Step::Filter { expression } => {
                let filter = crate::expression::Filter::compile(expression, &current)?;
                mark(
                    &mut filter.columns().map(str::to_string),
                    &lineage,
                    &mut used,
                );
            }
            Step::Template { template, .. } => {
                let template = crate::template::Template::compile(template, &current)?;
                mark(
                    &mut template.columns().map(str::to_string),
                    &lineage,
                    &mut used,
                );
            }
            Step::Deduplicate { columns } | Step::Limit { columns, .. } if !columns.is_empty() => {
                mark(&mut columns.iter().cloned(), &lineage, &mut used);
            }
            Step::Deduplicate { .. } | Step::Limit { .. } => {
                mark(
                    &mut lineage
                        .iter()
                        .map(|(name, _)| name.clone())
                        .collect::<Vec<_>>()
                        .into_iter(),
                    &lineage,
                    &mut used,
                );
            }
            _ => {}
        }
        let renames: Vec<(String, String)> = match step {
            Step::Rename { columns } => columns
                .iter()
                .map(|(from, to)| (from.clone(), to.clone()))
                .collect(),
            _ => Vec::new(),
        };
        lineage = output
            .fields()
            .iter()
            .map(|field| {
                let name = field.name();
                let before = renames
                    .iter()
                    .find(|(_, to)| to == name)
                    .map_or(name.as_str(), |(from, _)| from.as_str());
                let origin = match step {
                    Step::Template { column, .. } if column == name => None,
                    _ => lineage
                        .iter()
                        .find(|(current, _)| current == before)
                        .and_then(|(_, origin)| origin.clone()),
                };
                (name.clone(), origin)
            })
            .collect();
        current = output;
    }
    mark(
        &mut lineage
            .iter()
            .map(|(name, _)| name.clone())
            .collect::<Vec<_>>()
            .into_iter(),
        &lineage,
        &mut used,
    );
    if used.len() == schema.fields().len() {
        return Ok(None);
    }
    // Formats with no source column at all (a constant template) still need one to count rows.
    if used.is_empty() {
        used.push(schema.field(0).name().clone());
    }
    Ok(Some(used))
}

fn drive(
    stages: &mut [Stage],
    counters: &[StepCounters],
    batch: RecordBatch,
    sink: &mut dyn FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    let mut current = batch;
    for (stage, counter) in stages.iter_mut().zip(counters) {
        match stage.process(current, counter)? {
            Some(batch) if batch.num_rows() > 0 => current = batch,
            _ => return Ok(()),
        }
    }
    sink(current)
}

/// Releases rows held by stages (the shuffle), in step order, through the stages after them.
fn finish(
    stages: &mut [Stage],
    counters: &[StepCounters],
    sink: &mut dyn FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    for index in 0..stages.len() {
        if !stages[index].holds_rows() {
            continue;
        }
        if let Some(batches) = stages[index].finish(&counters[index])? {
            for batch in batches {
                drive(
                    &mut stages[index + 1..],
                    &counters[index + 1..],
                    batch?,
                    sink,
                )?;
            }
        }
    }
    Ok(())
}

enum WriterMessage {
    Chunk(usize, Encoded),
    /// Sent only when every record passed validation; without it nothing is committed.
    Commit,
}

fn part_names(split: Option<&Split>) -> Vec<&'static str> {
    match split {
        None => vec!["data"],
        Some(_) => Split::PART_NAMES.to_vec(),
    }
}

fn spawn_writer(
    paths: Vec<Option<PathBuf>>,
    output: OutputFormat,
    schema: SchemaRef,
    receiver: Receiver<WriterMessage>,
    spare_buffers: SyncSender<Vec<u8>>,
) -> Result<thread::JoinHandle<Result<Vec<Option<Written>>>>> {
    thread::Builder::new()
        .name("lathe-dataset-write".into())
        .spawn(move || {
            let mut writers = paths
                .iter()
                .map(|path| {
                    path.as_ref()
                        .map(|path| match output {
                            OutputFormat::Jsonl => OutputWriter::lines(path),
                            OutputFormat::Parquet => {
                                OutputWriter::parquet(path, Arc::clone(&schema))
                            }
                        })
                        .transpose()
                })
                .collect::<Result<Vec<_>>>()?;
            for message in receiver {
                match message {
                    WriterMessage::Chunk(part, encoded) => {
                        let writer = writers[part].as_mut().ok_or_else(|| {
                            DatasetError::Thread(format!("no writer for part {part}"))
                        })?;
                        match encoded {
                            Encoded::Lines(bytes) => {
                                writer.write_bytes(&bytes)?;
                                // When the encoder has spares enough, this one is freed.
                                let _ = spare_buffers.try_send(bytes);
                            }
                            Encoded::Batch(batch) => writer.write_batch(&batch)?,
                        }
                    }
                    WriterMessage::Commit => {
                        return writers
                            .into_iter()
                            .map(|writer| writer.map(OutputWriter::finish).transpose())
                            .collect();
                    }
                }
            }
            Err(DatasetError::Thread(
                "the pipeline stopped before finishing; nothing was written".into(),
            ))
        })
        .map_err(|error| DatasetError::Thread(error.to_string()))
}

/// Runs the recipe and writes its output files under `options.output_dir`.
pub fn run(recipe: &Recipe, options: &RunOptions) -> Result<Outcome> {
    let prepared = Prepared::new(recipe, &options.base_dir)?;
    let upto = recipe.steps.len();
    let (mut stages, final_schema, known_rows) = prepared.stages(upto, false)?;
    let layout = Layout::new(recipe.format, &final_schema)?;
    let assigner = match &recipe.split {
        Some(split) => {
            let total = match known_rows {
                Some(rows) => rows,
                None => prepared.count_rows(upto)?,
            };
            Some(SplitAssigner::new(split, total))
        }
        None => None,
    };
    let names = part_names(recipe.split.as_ref());
    let extension = recipe.output.extension();
    let file_names: Vec<String> = names
        .iter()
        .map(|name| format!("{name}.{extension}"))
        .collect();
    let paths: Vec<Option<PathBuf>> = file_names
        .iter()
        .enumerate()
        .map(|(part, name)| {
            let wanted = match (&recipe.split, &assigner) {
                (Some(_), Some(assigner)) => part == 0 || assigner.counts[part] > 0,
                _ => true,
            };
            wanted.then(|| options.output_dir.join(name))
        })
        .collect();
    let mut encoder = Encoder::new(
        layout.clone(),
        recipe.output,
        prepared.counter.clone(),
        options.profile,
        assigner,
        file_names.clone(),
    );
    let (write_sender, write_receiver) = sync_channel::<WriterMessage>(CHANNEL_BATCHES);
    let (spare_sender, spare_receiver) = sync_channel::<Vec<u8>>(CHANNEL_BATCHES);
    encoder.reuse_buffers(spare_receiver);
    let writer = spawn_writer(
        paths.clone(),
        recipe.output,
        layout.parquet_schema(),
        write_receiver,
        spare_sender,
    )?;
    let counters: Vec<StepCounters> = (0..stages.len()).map(|_| StepCounters::default()).collect();
    let (receiver, reader) = prepared.batches(options.progress.clone())?;
    let mut bytes = vec![0u64; names.len()];
    let result = encode_all(
        &mut stages,
        &counters,
        receiver,
        &mut encoder,
        &write_sender,
        &mut bytes,
    );
    let reader_result = reader.join();
    let mut report = std::mem::take(&mut encoder.report);
    if result.is_ok() {
        report.finish(&file_names[0], recipe.format, &options.profile, bytes[0]);
        if report.is_valid() {
            let _ = write_sender.send(WriterMessage::Commit);
        }
    }
    drop(write_sender);
    let written = writer
        .join()
        .map_err(|_| DatasetError::Thread("the writer panicked".into()))?;
    if let Err(error) = result {
        // When the writer failed first, its error is the cause and ours only the symptom.
        return Err(match written {
            Err(writer_error) if !matches!(writer_error, DatasetError::Thread(_)) => writer_error,
            _ => error,
        });
    }
    reader_result.map_err(|_| DatasetError::Thread("the reader panicked".into()))?;
    if !report.is_valid() {
        return Err(DatasetError::Invalid {
            count: report.total_problems() as usize,
            summary: report.render(20),
        });
    }
    let written = written?;
    let totals = encoder.totals;
    outcome(recipe, &names, written, &totals, &counters)
}

fn encode_all(
    stages: &mut [Stage],
    counters: &[StepCounters],
    receiver: Receiver<Result<RecordBatch>>,
    encoder: &mut Encoder,
    sender: &SyncSender<WriterMessage>,
    bytes: &mut [u64],
) -> Result<()> {
    let mut sink = |batch: RecordBatch| -> Result<()> {
        for (part, encoded) in encoder.encode(&batch)?.into_iter().enumerate() {
            if let Some(encoded) = encoded {
                if let Encoded::Lines(lines) = &encoded {
                    bytes[part] += lines.len() as u64;
                }
                sender
                    .send(WriterMessage::Chunk(part, encoded))
                    .map_err(|_| DatasetError::Thread("the writer stopped early".into()))?;
            }
        }
        Ok(())
    };
    for batch in receiver {
        drive(stages, counters, batch?, &mut sink)?;
    }
    finish(stages, counters, &mut sink)
}

fn outcome(
    recipe: &Recipe,
    names: &[&str],
    written: Vec<Option<Written>>,
    totals: &[PartTotals],
    counters: &[StepCounters],
) -> Result<Outcome> {
    let files: Vec<OutputFile> = written
        .into_iter()
        .zip(names)
        .zip(totals)
        .filter_map(|((written, name), totals)| {
            written.map(|written| OutputFile {
                part: name.to_string(),
                path: written.path,
                sha256: written.sha256,
                bytes: written.bytes,
                rows: totals.rows,
                characters: totals.characters,
                tokens: totals.tokens,
            })
        })
        .collect();
    let sha256 = match files.as_slice() {
        [only] if recipe.split.is_none() => only.sha256.clone(),
        files => {
            let mut hasher = Sha256::new();
            for file in files {
                hasher.update(format!("{} {}\n", file.part, file.sha256));
            }
            hex::encode(hasher.finalize())
        }
    };
    let steps = recipe
        .steps
        .iter()
        .enumerate()
        .zip(counters)
        .map(|((index, step), counter)| StepReport {
            step: step_label(index, step),
            rows_in: counter.rows_in.load(Ordering::Relaxed),
            rows_out: counter.rows_out.load(Ordering::Relaxed),
            truncated: counter.truncated.load(Ordering::Relaxed),
        })
        .collect();
    Ok(Outcome {
        rows: files.iter().map(|file| file.rows).sum(),
        characters: files.iter().map(|file| file.characters).sum(),
        tokens: files.iter().map(|file| file.tokens).sum(),
        files,
        sha256,
        steps,
    })
}

/// Checks a recipe against its source without running it: the same errors `run` would give.
pub fn check(recipe: &Recipe, base_dir: &Path) -> Result<()> {
    let prepared = Prepared::new(recipe, base_dir)?;
    let schema = {
        let mut schema = Arc::clone(&prepared.read_schema);
        for (index, step) in recipe.steps.iter().enumerate() {
            let context = StageContext {
                rows_in: Some(0),
                counter: &prepared.counter,
                estimated_bytes: 0,
                strict: false,
            };
            schema = match step {
                Step::Shuffle { .. } => schema,
                step => transform::build(step, &step_label(index, step), &schema, &context)?.1,
            };
        }
        schema
    };
    Layout::new(recipe.format, &schema).map(|_| ())
}
