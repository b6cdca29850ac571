//! Chat rows that already hold a conversation (a `messages` column, in OpenAI's layout or
//! Bedrock's) pass through into Bedrock's schema: an OpenAI system message moves to `system`.

use arrow_array::RecordBatch;
use serde_json::{Map, Value};

use crate::error::{DatasetError, Result};

/// The batch's rows as JSON objects in Bedrock's conversation layout.
pub(crate) fn records(batch: &RecordBatch) -> Result<Vec<Map<String, Value>>> {
    let mut writer = arrow_json::ArrayWriter::new(Vec::new());
    writer.write(batch)?;
    writer.finish()?;
    let bytes = writer.into_inner();
    let rows: Vec<Value> = serde_json::from_slice(&bytes).map_err(|error| {
        DatasetError::Thread(format!("re-reading conversations as JSON: {error}"))
    })?;
    Ok(rows
        .into_iter()
        .map(|row| match row {
            Value::Object(record) => bedrock_layout(record),
            _ => Map::new(),
        })
        .collect())
}

fn bedrock_layout(mut record: Map<String, Value>) -> Map<String, Value> {
    if record.get("system").is_some_and(Value::is_null) {
        record.remove("system");
    }
    if record.contains_key("system") {
        return record;
    }
    let leading_system = record
        .get("messages")
        .and_then(Value::as_array)
        .and_then(|messages| messages.first())
        .filter(|first| first.get("role").and_then(Value::as_str) == Some("system"))
        .and_then(|first| first.get("content").cloned());
    if let Some(system) = leading_system {
        if let Some(Value::Array(messages)) = record.get_mut("messages") {
            messages.remove(0);
        }
        record.insert("system".to_string(), system);
    }
    record
}
