//! Turns the final rows into Bedrock's record shapes (fine-tuning, continued pre-training,
//! chat), checking each record with the same rules as `lathe data validate`.

use std::sync::Arc;
use std::sync::mpsc::Receiver;

use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, BooleanArray, ListArray, RecordBatch, StringArray, StructArray,
};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use arrow_select::filter::filter_record_batch;

use crate::error::{DatasetError, Result};
use crate::json_string::write_json_string;
use crate::recipe::{Format, OutputFormat};
use crate::sample::SplitAssigner;
use crate::tokens::TokenCounter;
use crate::transform::is_text;
use crate::validate::{ModelProfile, Problem, Report, check_length, check_text};

/// Where each output field comes from in the final schema.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    format: Format,
    /// Output field name and source column index; chat's optional system may be absent.
    fields: Vec<(&'static str, Option<usize>)>,
    /// Chat rows holding a whole conversation in `messages`, passed through.
    conversation: bool,
}

fn required_columns(
    format: Format,
    conversation: bool,
) -> (&'static [&'static str], &'static [&'static str]) {
    match format {
        Format::FineTuning => (&["prompt", "completion"], &[]),
        Format::ContinuedPreTraining => (&["input"], &[]),
        Format::Chat if conversation => (&["messages"], &["system"]),
        Format::Chat => (&["prompt", "completion"], &["system"]),
    }
}

impl Layout {
    pub(crate) fn new(format: Format, schema: &Schema) -> Result<Layout> {
        let available: Vec<String> = schema
            .fields()
            .iter()
            .map(|field| field.name().clone())
            .collect();
        let conversation = format == Format::Chat && schema.index_of("messages").is_ok();
        let (required, optional) = required_columns(format, conversation);
        let mut fields = Vec::new();
        for name in optional.iter().chain(required) {
            let index = schema.index_of(name).ok();
            if index.is_none() && required.contains(name) {
                return Err(DatasetError::MissingOutputColumn {
                    format: format.name(),
                    column: name.to_string(),
                    available: available.clone(),
                });
            }
            if let Some(index) = index.filter(|_| *name != "messages") {
                let data_type = schema.field(index).data_type();
                if !is_text(data_type) {
                    return Err(DatasetError::NotText {
                        column: name.to_string(),
                        found: data_type.to_string(),
                        needs: format!("the {} format", format.name()),
                    });
                }
            }
            fields.push((*name, index));
        }
        let allowed: Vec<&'static str> = required.iter().chain(optional).copied().collect();
        let extra: Vec<String> = available
            .iter()
            .filter(|name| !allowed.contains(&name.as_str()))
            .cloned()
            .collect();
        if !extra.is_empty() {
            return Err(DatasetError::ExtraOutputColumns {
                format: format.name(),
                allowed,
                extra,
            });
        }
        Ok(Layout {
            format,
            fields,
            conversation,
        })
    }

    /// The Parquet schema of the output records.
    pub(crate) fn parquet_schema(&self) -> SchemaRef {
        let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
        Arc::new(match self.format {
            Format::FineTuning => {
                Schema::new(vec![text("prompt", false), text("completion", false)])
            }
            Format::ContinuedPreTraining => Schema::new(vec![text("input", false)]),
            Format::Chat => Schema::new(vec![
                text("system", true),
                Field::new("messages", DataType::List(Arc::new(message_field())), false),
            ]),
        })
    }
}

fn message_fields() -> Fields {
    Fields::from(vec![
        Field::new("role", DataType::Utf8, false),
        Field::new("content", DataType::Utf8, false),
    ])
}

fn message_field() -> Field {
    Field::new("item", DataType::Struct(message_fields()), false)
}

/// Encoded records of one batch, per output part.
pub(crate) enum Encoded {
    Lines(Vec<u8>),
    Batch(RecordBatch),
}

/// Running totals of one output part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartTotals {
    pub rows: u64,
    pub characters: u64,
    pub tokens: u64,
}

pub(crate) struct Encoder {
    layout: Layout,
    output: OutputFormat,
    counter: TokenCounter,
    profile: ModelProfile,
    assigner: Option<SplitAssigner>,
    next_row: u64,
    file_names: Vec<String>,
    /// Line buffers the writer is done with: reused, so each batch's lines land in memory
    /// that is already mapped instead of faulting in a fresh MiB.
    spare_buffers: Option<Receiver<Vec<u8>>>,
    pub(crate) totals: Vec<PartTotals>,
    pub(crate) report: Report,
}

impl Encoder {
    pub(crate) fn new(
        layout: Layout,
        output: OutputFormat,
        counter: TokenCounter,
        profile: ModelProfile,
        assigner: Option<SplitAssigner>,
        file_names: Vec<String>,
    ) -> Encoder {
        let parts = file_names.len();
        Encoder {
            layout,
            output,
            counter,
            profile,
            assigner,
            next_row: 0,
            file_names,
            spare_buffers: None,
            totals: vec![PartTotals::default(); parts],
            report: Report::default(),
        }
    }

    /// Takes line buffers back from `spare_buffers` once they are written.
    pub(crate) fn reuse_buffers(&mut self, spare_buffers: Receiver<Vec<u8>>) {
        self.spare_buffers = Some(spare_buffers);
    }

    fn line_buffer(&self, capacity: usize) -> Vec<u8> {
        let mut buffer = self
            .spare_buffers
            .as_ref()
            .and_then(|spare| spare.try_recv().ok())
            .unwrap_or_default();
        buffer.clear();
        buffer.reserve(capacity);
        buffer
    }

    pub(crate) fn encode(&mut self, batch: &RecordBatch) -> Result<Vec<Option<Encoded>>> {
        if self.layout.conversation {
            return self.encode_conversations(batch);
        }
        let parts = self.file_names.len();
        let columns: Vec<Option<&StringArray>> = self
            .layout
            .fields
            .iter()
            .map(|(_, index)| index.map(|index| batch.column(index).as_string::<i32>()))
            .collect();
        // Sized once from the text it will hold, so the buffer is not regrown (and refaulted)
        // a dozen times per batch.
        let text_bytes: usize = columns
            .iter()
            .flatten()
            .map(|column| column.value_data().len())
            .sum();
        let capacity = if self.output == OutputFormat::Jsonl {
            text_bytes + text_bytes / 16 + 64 * batch.num_rows()
        } else {
            0
        };
        let mut lines: Vec<Vec<u8>> = (0..parts)
            .map(|part| {
                if part == 0 {
                    self.line_buffer(capacity)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut part_of_row = Vec::with_capacity(batch.num_rows());
        for row in 0..batch.num_rows() {
            let part = match self.assigner.as_mut() {
                Some(assigner) => assigner.part(self.next_row),
                None => 0,
            };
            self.next_row += 1;
            part_of_row.push(part);
            let totals = &mut self.totals[part];
            totals.rows += 1;
            let line = totals.rows;
            let mut tokens = 0;
            for ((name, _), column) in self.layout.fields.iter().zip(&columns) {
                let value =
                    column.and_then(|column| column.is_valid(row).then(|| column.value(row)));
                let optional = *name == "system";
                if !(optional && value.is_none_or(str::is_empty))
                    && let Some((kind, message)) = check_text(name, value)
                {
                    self.report.add(Problem {
                        kind,
                        file: self.file_names[part].clone(),
                        line: Some(line),
                        message,
                    });
                }
                if let Some(value) = value {
                    let characters = value.chars().count() as u64;
                    totals.characters += characters;
                    tokens += self.counter.count(value, characters);
                }
            }
            totals.tokens += tokens;
            if let Some((kind, message)) = check_length(tokens, &self.counter, &self.profile) {
                self.report.add(Problem {
                    kind,
                    file: self.file_names[part].clone(),
                    line: Some(line),
                    message,
                });
            }
            if self.output == OutputFormat::Jsonl {
                self.write_line(&mut lines[part], &columns, row);
            }
        }
        self.report.records += batch.num_rows() as u64;
        match self.output {
            OutputFormat::Jsonl => Ok(lines
                .into_iter()
                .map(|bytes| (!bytes.is_empty()).then_some(Encoded::Lines(bytes)))
                .collect()),
            OutputFormat::Parquet => {
                let records = self.record_batch(batch, &columns)?;
                (0..parts)
                    .map(|part| {
                        let mask: BooleanArray = part_of_row
                            .iter()
                            .map(|row_part| Some(*row_part == part))
                            .collect();
                        let selected = if parts == 1 {
                            records.clone()
                        } else {
                            filter_record_batch(&records, &mask)?
                        };
                        Ok((selected.num_rows() > 0).then_some(Encoded::Batch(selected)))
                    })
                    .collect()
            }
        }
    }

    /// Conversations are checked with `lathe data validate`'s own rules, record by record.
    fn encode_conversations(&mut self, batch: &RecordBatch) -> Result<Vec<Option<Encoded>>> {
        let parts = self.file_names.len();
        let mut lines: Vec<Vec<u8>> = vec![Vec::new(); parts];
        let mut values: Vec<Vec<serde_json::Value>> = vec![Vec::new(); parts];
        for record in crate::conversation::records(batch)? {
            let part = match self.assigner.as_mut() {
                Some(assigner) => assigner.part(self.next_row),
                None => 0,
            };
            self.next_row += 1;
            let totals = &mut self.totals[part];
            totals.rows += 1;
            let line = totals.rows;
            let mut problems = Vec::new();
            let mut texts = Vec::new();
            crate::validate::check_conversation(&record, &mut problems, &mut texts);
            let mut tokens = 0;
            for text in &texts {
                let characters = text.chars().count() as u64;
                totals.characters += characters;
                tokens += self.counter.count(text, characters);
            }
            totals.tokens += tokens;
            problems.extend(check_length(tokens, &self.counter, &self.profile));
            for (kind, message) in problems {
                self.report.add(Problem {
                    kind,
                    file: self.file_names[part].clone(),
                    line: Some(line),
                    message,
                });
            }
            match self.output {
                OutputFormat::Jsonl => {
                    serde_json::to_writer(&mut lines[part], &record)
                        .expect("writing JSON to memory cannot fail");
                    lines[part].push(b'\n');
                }
                OutputFormat::Parquet => values[part].push(serde_json::Value::Object(record)),
            }
        }
        self.report.records += batch.num_rows() as u64;
        match self.output {
            OutputFormat::Jsonl => Ok(lines
                .into_iter()
                .map(|bytes| (!bytes.is_empty()).then_some(Encoded::Lines(bytes)))
                .collect()),
            OutputFormat::Parquet => values
                .into_iter()
                .map(|records| {
                    if records.is_empty() {
                        return Ok(None);
                    }
                    let mut decoder = arrow_json::ReaderBuilder::new(self.layout.parquet_schema())
                        .build_decoder()?;
                    decoder.serialize(&records)?;
                    Ok(decoder.flush()?.map(Encoded::Batch))
                })
                .collect(),
        }
    }

    fn write_line(&self, line: &mut Vec<u8>, columns: &[Option<&StringArray>], row: usize) {
        let value = |position: usize| -> &str {
            columns[position]
                .and_then(|column| column.is_valid(row).then(|| column.value(row)))
                .unwrap_or("")
        };
        match self.layout.format {
            Format::FineTuning => {
                line.extend_from_slice(b"{\"prompt\":");
                write_json_string(line, value(0));
                line.extend_from_slice(b",\"completion\":");
                write_json_string(line, value(1));
            }
            Format::ContinuedPreTraining => {
                line.extend_from_slice(b"{\"input\":");
                write_json_string(line, value(0));
            }
            Format::Chat => {
                line.push(b'{');
                let system = value(0);
                if !system.is_empty() {
                    line.extend_from_slice(b"\"system\":");
                    write_json_string(line, system);
                    line.push(b',');
                }
                line.extend_from_slice(b"\"messages\":[{\"role\":\"user\",\"content\":");
                write_json_string(line, value(1));
                line.extend_from_slice(b"},{\"role\":\"assistant\",\"content\":");
                write_json_string(line, value(2));
                line.extend_from_slice(b"}]");
            }
        }
        line.extend_from_slice(b"}\n");
    }

    fn record_batch(
        &self,
        batch: &RecordBatch,
        columns: &[Option<&StringArray>],
    ) -> Result<RecordBatch> {
        let schema = self.layout.parquet_schema();
        let arrays: Vec<ArrayRef> = match self.layout.format {
            Format::FineTuning | Format::ContinuedPreTraining => columns
                .iter()
                .map(|column| Arc::new(non_null(column.expect("required column"))) as ArrayRef)
                .collect(),
            Format::Chat => {
                let rows = batch.num_rows();
                let system: ArrayRef = match columns[0] {
                    Some(system) => Arc::new(system.clone()),
                    None => Arc::new(StringArray::new_null(rows)),
                };
                let prompts = non_null(columns[1].expect("required column"));
                let completions = non_null(columns[2].expect("required column"));
                let mut roles = Vec::with_capacity(rows * 2);
                let mut contents = Vec::with_capacity(rows * 2);
                for row in 0..rows {
                    roles.extend(["user", "assistant"]);
                    contents.push(prompts.value(row));
                    contents.push(completions.value(row));
                }
                let messages = StructArray::new(
                    message_fields(),
                    vec![
                        Arc::new(StringArray::from(roles)),
                        Arc::new(StringArray::from(contents)),
                    ],
                    None,
                );
                let offsets = OffsetBuffer::from_lengths(std::iter::repeat_n(2, rows));
                let list =
                    ListArray::new(Arc::new(message_field()), offsets, Arc::new(messages), None);
                vec![system, Arc::new(list)]
            }
        };
        Ok(RecordBatch::try_new(schema, arrays)?)
    }
}

/// Nulls are reported as missing fields; the file still gets a string so it stays readable.
fn non_null(array: &StringArray) -> StringArray {
    if array.null_count() == 0 {
        return array.clone();
    }
    array
        .iter()
        .map(|value| Some(value.unwrap_or("")))
        .collect()
}
