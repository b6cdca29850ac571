//! Record validation against Bedrock's training-data rules, shared by `lathe data validate`
//! and the pipeline so both report the same problems in the same words.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::Value;

use crate::error::{DatasetError, Result};
use crate::recipe::Format;
use crate::tokens::TokenCounter;

/// What a target model family demands of its training data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelProfile {
    pub name: &'static str,
    pub min_records: u64,
    /// Input plus output, in tokens.
    pub max_record_tokens: u64,
}

pub const PROFILES: [ModelProfile; 4] = [
    ModelProfile {
        name: "default",
        min_records: 1,
        max_record_tokens: 4096,
    },
    ModelProfile {
        name: "cohere",
        min_records: 32,
        max_record_tokens: 4096,
    },
    ModelProfile {
        name: "titan",
        min_records: 1,
        max_record_tokens: 4096,
    },
    ModelProfile {
        name: "llama",
        min_records: 1,
        max_record_tokens: 4096,
    },
];

impl ModelProfile {
    pub fn named(name: &str) -> Result<ModelProfile> {
        PROFILES
            .iter()
            .copied()
            .find(|profile| profile.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = PROFILES.iter().map(|profile| profile.name).collect();
                DatasetError::Recipe(format!(
                    "unknown model profile {name:?}; the profiles are {names:?}"
                ))
            })
    }
}

impl Default for ModelProfile {
    fn default() -> Self {
        PROFILES[0]
    }
}

/// Largest training file Bedrock accepts for each format.
pub fn max_file_bytes(format: Format) -> u64 {
    match format {
        Format::FineTuning | Format::Chat => 1_000_000_000,
        Format::ContinuedPreTraining => 10_000_000_000,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    InvalidUtf8,
    InvalidJson,
    NotAnObject,
    BlankLine,
    MissingField,
    WrongType,
    EmptyField,
    UnknownField,
    BadConversation,
    TooLong,
    TooFewRecords,
    FileTooLarge,
}

impl ProblemKind {
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::InvalidUtf8 => "invalid UTF-8",
            ProblemKind::InvalidJson => "invalid JSON",
            ProblemKind::NotAnObject => "not a JSON object",
            ProblemKind::BlankLine => "blank line",
            ProblemKind::MissingField => "missing field",
            ProblemKind::WrongType => "wrong type",
            ProblemKind::EmptyField => "empty field",
            ProblemKind::UnknownField => "unknown field",
            ProblemKind::BadConversation => "bad conversation",
            ProblemKind::TooLong => "too long",
            ProblemKind::TooFewRecords => "too few records",
            ProblemKind::FileTooLarge => "file too large",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub file: String,
    /// 1-based line (record) number; none for problems of the whole file.
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(formatter, "{}:{line}: {}", self.file, self.message),
            None => write!(formatter, "{}: {}", self.file, self.message),
        }
    }
}

/// Problems found, counted by kind; only the first `KEPT_PROBLEMS` are kept in full.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub records: u64,
    pub characters: u64,
    pub tokens: u64,
    pub problems: Vec<Problem>,
    pub counts: BTreeMap<ProblemKind, u64>,
}

pub const KEPT_PROBLEMS: usize = 1000;

impl Report {
    pub fn add(&mut self, problem: Problem) {
        *self.counts.entry(problem.kind).or_default() += 1;
        if self.problems.len() < KEPT_PROBLEMS {
            self.problems.push(problem);
        }
    }

    pub fn total_problems(&self) -> u64 {
        self.counts.values().sum()
    }

    pub fn is_valid(&self) -> bool {
        self.counts.is_empty()
    }

    /// `2 empty field, 1 invalid JSON`.
    pub fn summary(&self) -> String {
        if self.counts.is_empty() {
            return "no problems".into();
        }
        self.counts
            .iter()
            .map(|(kind, count)| format!("{count} {}", kind.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The first `limit` problems, one a line, then the summary.
    pub fn render(&self, limit: usize) -> String {
        let mut text = String::new();
        for problem in self.problems.iter().take(limit) {
            text.push_str(&problem.to_string());
            text.push('\n');
        }
        let total = self.total_problems();
        if total as usize > limit.min(self.problems.len()) {
            text.push_str(&format!(
                "... and {} more\n",
                total as usize - limit.min(self.problems.len())
            ));
        }
        text.push_str(&format!("summary: {}", self.summary()));
        text
    }

    /// Checks that need the whole file: record count and size.
    pub fn finish(&mut self, file: &str, format: Format, profile: &ModelProfile, bytes: u64) {
        if self.records < profile.min_records {
            self.add(Problem {
                kind: ProblemKind::TooFewRecords,
                file: file.to_string(),
                line: None,
                message: format!(
                    "{} records, but the {} profile needs at least {}",
                    self.records, profile.name, profile.min_records
                ),
            });
        }
        let limit = max_file_bytes(format);
        if bytes > limit {
            self.add(Problem {
                kind: ProblemKind::FileTooLarge,
                file: file.to_string(),
                line: None,
                message: format!(
                    "{bytes} bytes, more than the {limit} bytes Bedrock accepts for {} training data",
                    format.name()
                ),
            });
        }
    }
}

/// The check every text field gets, whichever side (file or pipeline) it comes from.
pub fn check_text(field: &str, value: Option<&str>) -> Option<(ProblemKind, String)> {
    match value {
        None => Some((ProblemKind::MissingField, format!("{field:?} is missing"))),
        Some(text) if text.trim().is_empty() => {
            Some((ProblemKind::EmptyField, format!("{field:?} is empty")))
        }
        Some(_) => None,
    }
}

/// The length check for a whole record.
pub fn check_length(
    tokens: u64,
    counter: &TokenCounter,
    profile: &ModelProfile,
) -> Option<(ProblemKind, String)> {
    if tokens <= profile.max_record_tokens {
        return None;
    }
    let how = if counter.is_estimate() {
        " (estimated at 6 characters per token)"
    } else {
        ""
    };
    Some((
        ProblemKind::TooLong,
        format!(
            "record has {tokens} tokens{how}, more than the {} allowed for input and output together",
            profile.max_record_tokens
        ),
    ))
}

/// Field names of each format, in the order they are written.
pub fn format_fields(format: Format) -> &'static [&'static str] {
    match format {
        Format::FineTuning => &["prompt", "completion"],
        Format::ContinuedPreTraining => &["input"],
        Format::Chat => &["system", "messages"],
    }
}

/// Validates a JSONL training file, reading it once as a stream.
pub fn validate_file(
    path: &Path,
    format: Format,
    profile: &ModelProfile,
    counter: &TokenCounter,
) -> Result<Report> {
    let file = std::fs::File::open(path).map_err(|error| DatasetError::io(path, error))?;
    let bytes = file
        .metadata()
        .map_err(|error| DatasetError::io(path, error))?
        .len();
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut report = Report::default();
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut pending_blank: Vec<u64> = Vec::new();
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|error| DatasetError::io(path, error))?;
        if read == 0 {
            break;
        }
        number += 1;
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            // Blank lines only matter between records; trailing ones are harmless.
            pending_blank.push(number);
            continue;
        }
        for blank in pending_blank.drain(..) {
            report.add(Problem {
                kind: ProblemKind::BlankLine,
                file: name.clone(),
                line: Some(blank),
                message: "blank line; every line must hold one JSON object".into(),
            });
        }
        report.records += 1;
        for (kind, message) in check_line(&line, format, profile, counter, &mut report) {
            report.add(Problem {
                kind,
                file: name.clone(),
                line: Some(number),
                message,
            });
        }
    }
    report.finish(&name, format, profile, bytes);
    Ok(report)
}

fn check_line(
    line: &[u8],
    format: Format,
    profile: &ModelProfile,
    counter: &TokenCounter,
    report: &mut Report,
) -> Vec<(ProblemKind, String)> {
    let text = match std::str::from_utf8(line) {
        Ok(text) => text,
        Err(error) => {
            return vec![(
                ProblemKind::InvalidUtf8,
                format!("invalid UTF-8 at byte {}", error.valid_up_to() + 1),
            )];
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => return vec![(ProblemKind::InvalidJson, format!("invalid JSON: {error}"))],
    };
    let Value::Object(object) = value else {
        return vec![(
            ProblemKind::NotAnObject,
            format!("expected a JSON object, found {}", json_kind(&value)),
        )];
    };
    let mut problems = Vec::new();
    let allowed = format_fields(format);
    for key in object.keys() {
        if !allowed.contains(&key.as_str()) {
            problems.push((
                ProblemKind::UnknownField,
                format!(
                    "{key:?} is not a {} field (expected {allowed:?})",
                    format.name()
                ),
            ));
        }
    }
    let mut texts: Vec<&str> = Vec::new();
    match format {
        Format::FineTuning | Format::ContinuedPreTraining => {
            for field in allowed {
                match object.get(*field) {
                    Some(Value::String(value)) => {
                        if let Some(problem) = check_text(field, Some(value)) {
                            problems.push(problem);
                        }
                        texts.push(value);
                    }
                    Some(other) => problems.push((
                        ProblemKind::WrongType,
                        format!("{field:?} must be a string, found {}", json_kind(other)),
                    )),
                    None => problems.extend(check_text(field, None)),
                }
            }
        }
        Format::Chat => check_conversation(&object, &mut problems, &mut texts),
    }
    let characters: u64 = texts.iter().map(|text| text.chars().count() as u64).sum();
    let tokens: u64 = texts
        .iter()
        .map(|text| counter.count(text, text.chars().count() as u64))
        .sum();
    report.characters += characters;
    report.tokens += tokens;
    problems.extend(check_length(tokens, counter, profile));
    problems
}

pub(crate) fn check_conversation<'a>(
    object: &'a serde_json::Map<String, Value>,
    problems: &mut Vec<(ProblemKind, String)>,
    texts: &mut Vec<&'a str>,
) {
    match object.get("system") {
        None => {}
        Some(Value::String(system)) => texts.push(system),
        Some(other) => problems.push((
            ProblemKind::WrongType,
            format!("\"system\" must be a string, found {}", json_kind(other)),
        )),
    }
    let messages = match object.get("messages") {
        Some(Value::Array(messages)) => messages,
        Some(other) => {
            problems.push((
                ProblemKind::WrongType,
                format!("\"messages\" must be an array, found {}", json_kind(other)),
            ));
            return;
        }
        None => {
            problems.push((ProblemKind::MissingField, "\"messages\" is missing".into()));
            return;
        }
    };
    if messages.is_empty() {
        problems.push((ProblemKind::EmptyField, "\"messages\" is empty".into()));
        return;
    }
    let mut expected = "user";
    let mut last = "";
    for (index, message) in messages.iter().enumerate() {
        let at = format!("\"messages\"[{index}]");
        let Value::Object(message) = message else {
            problems.push((
                ProblemKind::WrongType,
                format!("{at} must be an object, found {}", json_kind(message)),
            ));
            return;
        };
        let role = match message.get("role") {
            Some(Value::String(role)) => role.as_str(),
            Some(other) => {
                problems.push((
                    ProblemKind::WrongType,
                    format!("{at}.\"role\" must be a string, found {}", json_kind(other)),
                ));
                return;
            }
            None => {
                problems.push((
                    ProblemKind::MissingField,
                    format!("{at}.\"role\" is missing"),
                ));
                return;
            }
        };
        match message.get("content") {
            Some(Value::String(content)) => {
                if let Some((kind, text)) = check_text("content", Some(content)) {
                    problems.push((kind, format!("{at}.{text}")));
                }
                texts.push(content);
            }
            Some(other) => problems.push((
                ProblemKind::WrongType,
                format!(
                    "{at}.\"content\" must be a string, found {}",
                    json_kind(other)
                ),
            )),
            None => problems.push((
                ProblemKind::MissingField,
                format!("{at}.\"content\" is missing"),
            )),
        }
        // OpenAI's layout puts the system prompt first among the messages.
        if role == "system" && index == 0 && !object.contains_key("system") {
            continue;
        }
        if role != "user" && role != "assistant" {
            problems.push((
                ProblemKind::BadConversation,
                format!("{at}.\"role\" must be \"user\" or \"assistant\", found {role:?}"),
            ));
            return;
        }
        if role != expected {
            problems.push((
                ProblemKind::BadConversation,
                format!("{at}: expected a message from {expected:?}, found one from {role:?}; turns must alternate, starting with \"user\""),
            ));
            return;
        }
        expected = if role == "user" { "assistant" } else { "user" };
        last = role;
    }
    if last != "assistant" {
        problems.push((
            ProblemKind::BadConversation,
            "the last message must be from \"assistant\" (the answer to learn)".into(),
        ));
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
