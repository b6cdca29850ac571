//! Training records (prompt/completion, input, chat) to token rows with loss masks, batches and packing.

use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use crate::chat::{ChatMessage, ChatTemplate};
use crate::error::{Result, TrainError, io_error};
use crate::tokenizer::TextTokenizer;

/// One record of a JSONL training file, in any of the formats Bedrock accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Completion { prompt: String, completion: String },
    Pretraining { input: String },
    Chat { messages: Vec<ChatMessage> },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    prompt: Option<String>,
    completion: Option<String>,
    input: Option<String>,
    system: Option<String>,
    messages: Option<Vec<ChatMessage>>,
}

/// Which records a job accepts, as Bedrock's customization types do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    FineTuning,
    ContinuedPreTraining,
}

fn parse_record(line: &str) -> std::result::Result<Record, String> {
    let raw: RawRecord = serde_json::from_str(line).map_err(|error| {
        format!("{error}; expected {{\"prompt\",\"completion\"}}, {{\"input\"}} or {{\"system\",\"messages\"}}")
    })?;
    match raw {
        RawRecord {
            prompt: Some(prompt),
            completion: Some(completion),
            input: None,
            messages: None,
            system: None,
        } => Ok(Record::Completion { prompt, completion }),
        RawRecord {
            input: Some(input),
            prompt: None,
            completion: None,
            messages: None,
            system: None,
        } => Ok(Record::Pretraining { input }),
        RawRecord {
            messages: Some(messages),
            system,
            prompt: None,
            completion: None,
            input: None,
        } => {
            let mut all = Vec::with_capacity(messages.len() + 1);
            if let Some(system) = system {
                all.push(ChatMessage {
                    role: "system".into(),
                    content: system,
                });
            }
            all.extend(messages);
            if !all.iter().any(|message| message.role == "assistant") {
                return Err("a chat record needs at least one assistant message to learn from".into());
            }
            if let Some(bad) = all.iter().find(|m| !matches!(m.role.as_str(), "system" | "user" | "assistant")) {
                return Err(format!("message role `{}` is not one of system, user, assistant", bad.role));
            }
            Ok(Record::Chat { messages: all })
        }
        _ => Err("a record needs exactly `prompt` and `completion`, or `input`, or `messages` (with optional `system`)".into()),
    }
}

/// Reads a JSONL file; errors name the file and the 1-based line.
pub fn read_records(path: &Path, objective: Objective) -> Result<Vec<Record>> {
    let text = std::fs::read_to_string(path).map_err(io_error(path))?;
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record_error = |message: String| TrainError::Record {
            path: path.to_path_buf(),
            record: index + 1,
            message,
        };
        let record = parse_record(line).map_err(record_error)?;
        let fits = matches!(
            (&record, objective),
            (Record::Pretraining { .. }, Objective::ContinuedPreTraining)
                | (
                    Record::Completion { .. } | Record::Chat { .. },
                    Objective::FineTuning
                )
        );
        if !fits {
            return Err(record_error(match objective {
                Objective::FineTuning => {
                    "fine-tuning takes {\"prompt\",\"completion\"} or chat records, not {\"input\"}"
                        .into()
                }
                Objective::ContinuedPreTraining => {
                    "continued pre-training takes {\"input\"} records only".into()
                }
            }));
        }
        records.push(record);
    }
    if records.is_empty() {
        return Err(TrainError::Data(format!(
            "{} holds no records",
            path.display()
        )));
    }
    Ok(records)
}

pub fn read_all(paths: &[PathBuf], objective: Objective) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    for path in paths {
        records.extend(read_records(path, objective)?);
    }
    Ok(records)
}

/// A tokenized example: `targets[i]` says whether token i is predicted with loss.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub tokens: Vec<u32>,
    pub targets: Vec<bool>,
}

/// How records become token rows.
#[derive(Debug, Clone)]
pub struct Encoding<'a> {
    pub tokenizer: &'a TextTokenizer,
    pub chat_template: Option<&'a ChatTemplate>,
    pub max_sequence_length: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EncodedSet {
    pub examples: Vec<Example>,
    /// Records cut at `max_sequence_length`.
    pub truncated: usize,
    /// Records that kept no trained token after truncation and were dropped.
    pub dropped: usize,
}

impl Encoding<'_> {
    pub fn encode(&self, record: &Record) -> Result<Example> {
        let eos = self.tokenizer.eos_token_id();
        let mut example = Example {
            tokens: Vec::new(),
            targets: Vec::new(),
        };
        let mut push = |tokens: Vec<u32>, trained: bool| {
            example
                .targets
                .extend(std::iter::repeat_n(trained, tokens.len()));
            example.tokens.extend(tokens);
        };
        match record {
            Record::Completion { prompt, completion } => {
                push(self.tokenizer.encode(prompt, true)?, false);
                push(self.tokenizer.encode(completion, false)?, true);
                push(vec![eos], true);
            }
            Record::Pretraining { input } => {
                push(self.tokenizer.encode(input, true)?, true);
                push(vec![eos], true);
            }
            Record::Chat { messages } => match self.chat_template {
                Some(template) => {
                    let mut first = true;
                    for (text, trained) in template.segments(messages)? {
                        push(self.tokenizer.encode(&text, first)?, trained);
                        first = false;
                    }
                }
                None => {
                    // Without a template, turns are written as "role: content" lines.
                    let mut first = true;
                    for message in messages {
                        let assistant = message.role == "assistant";
                        push(
                            self.tokenizer
                                .encode(&format!("{}: ", message.role), first)?,
                            false,
                        );
                        push(
                            self.tokenizer
                                .encode(&format!("{}\n", message.content), false)?,
                            assistant,
                        );
                        if assistant {
                            push(vec![eos], true);
                        }
                        first = false;
                    }
                }
            },
        }
        Ok(example)
    }

    pub fn encode_all(&self, records: &[Record]) -> Result<EncodedSet> {
        let mut set = EncodedSet::default();
        for record in records {
            let mut example = self.encode(record)?;
            if example.tokens.len() > self.max_sequence_length {
                example.tokens.truncate(self.max_sequence_length);
                example.targets.truncate(self.max_sequence_length);
                set.truncated += 1;
            }
            // Token 0 is never predicted, so an example needs a trained token after it.
            if example.targets.iter().skip(1).any(|&trained| trained) {
                set.examples.push(example);
            } else {
                set.dropped += 1;
            }
        }
        Ok(set)
    }
}

/// Rows of a batch, before they become tensors.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub tokens: Vec<u32>,
    pub targets: Vec<bool>,
    /// Per-token segment for packed rows (attention stays inside one segment).
    pub segments: Option<Vec<u32>>,
}

/// Greedy first-fit packing of examples into rows of at most `length` tokens, in order.
pub fn pack(examples: &[Example], length: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut current = Row {
        tokens: Vec::new(),
        targets: Vec::new(),
        segments: Some(Vec::new()),
    };
    let mut segment = 0u32;
    for example in examples {
        if !current.tokens.is_empty() && current.tokens.len() + example.tokens.len() > length {
            rows.push(std::mem::replace(
                &mut current,
                Row {
                    tokens: Vec::new(),
                    targets: Vec::new(),
                    segments: Some(Vec::new()),
                },
            ));
            segment = 0;
        }
        current.tokens.extend(&example.tokens);
        current.targets.extend(&example.targets);
        if let Some(segments) = current.segments.as_mut() {
            segments.extend(std::iter::repeat_n(segment, example.tokens.len()));
        }
        segment += 1;
    }
    if !current.tokens.is_empty() {
        rows.push(current);
    }
    rows
}

pub fn unpacked(examples: &[Example]) -> Vec<Row> {
    examples
        .iter()
        .map(|example| Row {
            tokens: example.tokens.clone(),
            targets: example.targets.clone(),
            segments: None,
        })
        .collect()
}

/// A batch as tensors: rows right-padded to the longest; loss rows picked out by index.
#[derive(Debug)]
pub struct Batch {
    pub input_ids: Tensor,
    pub positions: Option<Tensor>,
    pub segments: Option<Tensor>,
    /// Flat `[batch·tokens]` indices of the positions whose next token is predicted.
    pub loss_rows: Tensor,
    pub loss_targets: Tensor,
    pub target_count: usize,
    pub token_count: usize,
}

pub fn make_batch(rows: &[&Row], pad_token: u32, device: &Device) -> Result<Batch> {
    let width = rows.iter().map(|row| row.tokens.len()).max().unwrap_or(0);
    let packed = rows.iter().any(|row| row.segments.is_some());
    let mut ids = Vec::with_capacity(rows.len() * width);
    let mut positions = Vec::with_capacity(rows.len() * width);
    let mut segments = Vec::with_capacity(rows.len() * width);
    let mut loss_rows = Vec::new();
    let mut loss_targets = Vec::new();
    let mut token_count = 0;
    for (row_index, row) in rows.iter().enumerate() {
        let length = row.tokens.len();
        token_count += length;
        ids.extend(&row.tokens);
        ids.extend(std::iter::repeat_n(pad_token, width - length));
        let row_segments: Vec<u32> = match &row.segments {
            Some(segments) => segments.clone(),
            None => vec![0; length],
        };
        let mut position = 0u32;
        for index in 0..length {
            if index > 0 && row_segments[index] != row_segments[index - 1] {
                position = 0;
            }
            positions.push(position);
            position += 1;
        }
        positions.extend(std::iter::repeat_n(0, width - length));
        segments.extend(&row_segments);
        // Padding gets its own segment so real tokens never attend to it.
        segments.extend(std::iter::repeat_n(u32::MAX, width - length));
        for index in 0..length.saturating_sub(1) {
            let same_segment = row_segments[index] == row_segments[index + 1];
            if row.targets[index + 1] && same_segment {
                loss_rows.push((row_index * width + index) as u32);
                loss_targets.push(row.tokens[index + 1]);
            }
        }
    }
    let batch = rows.len();
    let target_count = loss_rows.len();
    let tensor = |values: Vec<u32>, shape: (usize, usize)| Tensor::from_vec(values, shape, device);
    Ok(Batch {
        input_ids: tensor(ids, (batch, width))?,
        positions: if packed {
            Some(tensor(positions, (batch, width))?)
        } else {
            None
        },
        segments: if packed {
            Some(tensor(segments, (batch, width))?)
        } else {
            None
        },
        loss_rows: Tensor::from_vec(loss_rows, target_count, device)?,
        loss_targets: Tensor::from_vec(loss_targets, target_count, device)?,
        target_count,
        token_count,
    })
}

/// Splits off `percentage`% of examples for validation, chosen by a seeded shuffle.
pub fn hold_out(
    examples: Vec<Example>,
    percentage: f64,
    seed: u64,
) -> (Vec<Example>, Vec<Example>) {
    if percentage <= 0.0 || examples.len() < 2 {
        return (examples, Vec::new());
    }
    let mut order: Vec<usize> = (0..examples.len()).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x005e_ed0f_e7a1));
    let held = ((examples.len() as f64 * percentage / 100.0).round() as usize)
        .clamp(1, examples.len() - 1);
    let mut slots: Vec<Option<Example>> = examples.into_iter().map(Some).collect();
    let validation = order[..held]
        .iter()
        .filter_map(|&i| slots[i].take())
        .collect();
    let training = slots.into_iter().flatten().collect();
    (training, validation)
}

/// The order rows are visited in during `epoch`: a shuffle seeded by (seed, epoch), so a resumed
/// run recomputes it instead of storing it.
pub fn epoch_order(rows: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(
        seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ epoch,
    ));
    order
}
