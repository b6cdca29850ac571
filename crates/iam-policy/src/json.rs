//! Reading JSON values into the shapes policy elements allow.

use serde_json::Value;

use crate::error::PolicyError;

/// A short name for a JSON value's kind, for error messages.
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A string or a list of strings, as `Action`, `Resource` and principal entries allow.
pub(crate) fn strings(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(text) => Ok(vec![text.clone()]),
        Value::Array(items) => {
            if items.is_empty() {
                return Err(PolicyError::invalid(
                    path,
                    "the list is empty; give at least one value",
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(index, item)| match item {
                    Value::String(text) => Ok(text.clone()),
                    other => Err(PolicyError::invalid(
                        &format!("{path}[{index}]"),
                        format!("expected a string, found {}", describe(other)),
                    )),
                })
                .collect()
        }
        other => Err(PolicyError::invalid(
            path,
            format!(
                "expected a string or a list of strings, found {}",
                describe(other)
            ),
        )),
    }
}

/// `Action[1]` when the element is a list, `Action` when it is a single value.
pub(crate) fn list_item_path(path: &str, index: usize, count: usize) -> String {
    if count > 1 {
        format!("{path}[{index}]")
    } else {
        path.to_owned()
    }
}
