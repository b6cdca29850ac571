//! A seeded generator of DialogSum-shaped data (id, dialogue, summary, topic): two people,
//! several turns, and a reference summary built from facts stated in the dialogue, so a model
//! can learn to write it.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::error::Result;
use crate::json_string::write_json_string;
use crate::progress::RowCounter;
use crate::recipe::OutputFormat;
use crate::sample::generator;
use crate::source::BATCH_ROWS;
use crate::writer::{OutputWriter, Written};

struct Scenario {
    topic: &'static str,
    action: &'static str,
    objects: &'static [&'static str],
    options: &'static [&'static str],
    small_talk: &'static [&'static str],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        topic: "hotel booking",
        action: "book",
        objects: &[
            "a double room",
            "a single room",
            "a suite",
            "a room with a view",
        ],
        options: &[
            "with breakfast",
            "without breakfast",
            "for two nights",
            "for one week",
        ],
        small_talk: &[
            "Is the hotel far from the station?",
            "It is a ten minute walk.",
            "Do you have parking?",
            "Yes, it is free for guests.",
            "Can I check in early?",
            "Check-in starts at noon.",
        ],
    },
    Scenario {
        topic: "restaurant reservation",
        action: "reserve",
        objects: &[
            "a table for two",
            "a table for four",
            "a private room",
            "a table by the window",
        ],
        options: &["inside", "on the terrace", "at seven", "at eight"],
        small_talk: &[
            "Do you have vegetarian dishes?",
            "Yes, we have several.",
            "Is there live music tonight?",
            "There is a pianist on Fridays.",
            "Can I bring a cake?",
            "Of course, we can keep it cold.",
        ],
    },
    Scenario {
        topic: "train tickets",
        action: "buy",
        objects: &[
            "a ticket to Boston",
            "two tickets to Chicago",
            "a return ticket to Denver",
            "a ticket to Seattle",
        ],
        options: &[
            "first class",
            "second class",
            "with a seat reservation",
            "without a reservation",
        ],
        small_talk: &[
            "Is the train usually on time?",
            "Mostly, yes.",
            "Which platform does it leave from?",
            "Platform four.",
            "Is there a dining car?",
            "There is a small cafe.",
        ],
    },
    Scenario {
        topic: "doctor appointment",
        action: "make",
        objects: &[
            "an appointment with the dentist",
            "a check-up",
            "an appointment with Dr. Lee",
            "a blood test",
        ],
        options: &[
            "in the morning",
            "in the afternoon",
            "before work",
            "after lunch",
        ],
        small_talk: &[
            "Do I need to bring anything?",
            "Just your insurance card.",
            "How long will it take?",
            "About half an hour.",
            "Should I come early?",
            "Ten minutes early is enough.",
        ],
    },
    Scenario {
        topic: "apartment rental",
        action: "rent",
        objects: &[
            "the flat on Main Street",
            "a studio near the park",
            "the two-bedroom apartment",
            "a room downtown",
        ],
        options: &["furnished", "unfurnished", "for six months", "for a year"],
        small_talk: &[
            "Are pets allowed?",
            "Small pets are fine.",
            "Is heating included?",
            "Yes, heating is included.",
            "When can I move in?",
            "From the first of the month.",
        ],
    },
];

const NAMES: &[&str] = &[
    "Amy", "Ben", "Carla", "David", "Elena", "Frank", "Grace", "Hugo", "Iris", "Jack", "Kate",
    "Leo", "Mia", "Nick", "Olga", "Paul",
];
const DAYS: &[&str] = &[
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "this weekend",
    "tomorrow",
    "next week",
];

pub fn dialogsum_schema() -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, false);
    Arc::new(Schema::new(vec![
        text("id"),
        text("dialogue"),
        text("summary"),
        text("topic"),
    ]))
}

/// One row: (dialogue, summary, topic).
fn conversation(generator: &mut impl Rng) -> (String, String, String) {
    let scenario = SCENARIOS
        .choose(generator)
        .expect("scenarios are not empty");
    let name = NAMES.choose(generator).expect("names are not empty");
    let object = scenario.objects.choose(generator).expect("not empty");
    let day = DAYS.choose(generator).expect("not empty");
    let pair: Vec<&&str> = scenario.options.choose_multiple(generator, 2).collect();
    let choice = if generator.random_bool(0.5) {
        pair[0]
    } else {
        pair[1]
    };
    let price = generator.random_range(2..60) * 5;
    let mut turns = vec![
        format!(
            "#Person1#: Hello, this is {name}. I'd like to {} {object} {day}.",
            scenario.action
        ),
        format!(
            "#Person2#: Certainly, {name}. Would you like it {} or {}?",
            pair[0], pair[1]
        ),
        format!(
            "#Person1#: {}, please. How much will that be?",
            capitalize(choice)
        ),
        format!("#Person2#: That will be {price} dollars."),
    ];
    let extra = generator.random_range(1..=3) * 2;
    let start = generator.random_range(0..scenario.small_talk.len() / 2) * 2;
    for turn in 0..extra {
        let line = scenario.small_talk[(start + turn) % scenario.small_talk.len()];
        let speaker = if turn % 2 == 0 {
            "#Person1#"
        } else {
            "#Person2#"
        };
        turns.push(format!("{speaker}: {line}"));
    }
    turns.push(format!("#Person2#: All set, {name}. See you {day}."));
    turns.push("#Person1#: Thank you, goodbye.".to_string());
    let summary = format!(
        "{name} {}s {object} {choice} {day} with #Person2#. It costs {price} dollars.",
        scenario.action
    );
    (turns.join("\n"), summary, scenario.topic.to_string())
}

fn capitalize(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// Writes `rows` DialogSum-shaped rows to `path` (JSONL or Parquet), atomically.
pub fn write_dialogsum(
    path: &Path,
    rows: u64,
    seed: u64,
    output: OutputFormat,
    progress: Option<&RowCounter>,
) -> Result<Written> {
    let mut generator = generator(seed, 0);
    let schema = dialogsum_schema();
    let mut writer = match output {
        OutputFormat::Jsonl => OutputWriter::lines(path)?,
        OutputFormat::Parquet => OutputWriter::parquet(path, Arc::clone(&schema))?,
    };
    let mut written = 0u64;
    while written < rows {
        let count = (rows - written).min(BATCH_ROWS as u64);
        let mut columns: [Vec<String>; 4] = Default::default();
        for index in written..written + count {
            let (dialogue, summary, topic) = conversation(&mut generator);
            columns[0].push(format!("train_{index}"));
            columns[1].push(dialogue);
            columns[2].push(summary);
            columns[3].push(topic);
        }
        match output {
            OutputFormat::Jsonl => {
                let mut bytes = Vec::new();
                for row in 0..count as usize {
                    for (position, (name, column)) in ["id", "dialogue", "summary", "topic"]
                        .iter()
                        .zip(&columns)
                        .enumerate()
                    {
                        bytes.extend_from_slice(if position == 0 { b"{\"" } else { b",\"" });
                        bytes.extend_from_slice(name.as_bytes());
                        bytes.extend_from_slice(b"\":");
                        write_json_string(&mut bytes, &column[row]);
                    }
                    bytes.extend_from_slice(b"}\n");
                }
                writer.write_bytes(&bytes)?;
            }
            OutputFormat::Parquet => {
                let arrays: Vec<ArrayRef> = columns
                    .into_iter()
                    .map(|column| Arc::new(StringArray::from(column)) as ArrayRef)
                    .collect();
                writer.write_batch(&RecordBatch::try_new(Arc::clone(&schema), arrays)?)?;
            }
        }
        written += count;
        if let Some(progress) = progress {
            progress.add(count);
        }
    }
    writer.finish()
}
