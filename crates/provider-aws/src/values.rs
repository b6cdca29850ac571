//! Reading evaluated configuration values and building state objects.

use std::collections::BTreeMap;

use lathe_config::value::Value;
use lathe_core::provider::ProviderError;

/// An object of one attribute.
pub fn single(name: &str, value: Value) -> Value {
    Value::Object(BTreeMap::from([(name.to_string(), value)]))
}

/// A top-level attribute of an object value; `Null` when absent.
pub fn attribute<'value>(value: &'value Value, name: &str) -> &'value Value {
    static NULL: Value = Value::Null;
    value
        .as_object()
        .and_then(|object| object.get(name))
        .unwrap_or(&NULL)
}

/// A string attribute that may be absent; any other type is an error naming the attribute.
pub fn optional_string(value: &Value, name: &str) -> Result<Option<String>, ProviderError> {
    match attribute(value, name) {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        Value::Unknown => Err(ProviderError::at_attribute(
            format!("`{name}` is not known yet; it must be known before apply"),
            name,
        )),
        other => Err(ProviderError::at_attribute(
            format!("`{name}` must be a string, not a {}", other.type_name()),
            name,
        )),
    }
}

/// A string attribute the schema requires.
pub fn required_string(value: &Value, name: &str) -> Result<String, ProviderError> {
    optional_string(value, name)?
        .ok_or_else(|| ProviderError::at_attribute(format!("`{name}` is required"), name))
}

pub fn optional_bool(value: &Value, name: &str) -> Option<bool> {
    attribute(value, name).as_bool()
}

pub fn optional_integer(value: &Value, name: &str) -> Option<i64> {
    attribute(value, name).as_f64().map(|number| number as i64)
}

/// A `map(string)` attribute; absent is empty.
pub fn string_map(value: &Value, name: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    match attribute(value, name) {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(entries) => entries
            .iter()
            .map(|(key, entry)| match entry {
                Value::String(text) => Ok((key.clone(), text.clone())),
                other => Err(ProviderError::at_attribute(
                    format!(
                        "`{name}.{key}` must be a string, not a {}",
                        other.type_name()
                    ),
                    name,
                )),
            })
            .collect(),
        other => Err(ProviderError::at_attribute(
            format!(
                "`{name}` must be a map of strings, not a {}",
                other.type_name()
            ),
            name,
        )),
    }
}

/// A `set(string)` or `list(string)` attribute; absent is empty.
pub fn string_list(value: &Value, name: &str) -> Result<Vec<String>, ProviderError> {
    match attribute(value, name) {
        Value::Null => Ok(Vec::new()),
        Value::List(items) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.clone()),
                other => Err(ProviderError::at_attribute(
                    format!("`{name}` must hold strings, not a {}", other.type_name()),
                    name,
                )),
            })
            .collect(),
        other => Err(ProviderError::at_attribute(
            format!(
                "`{name}` must be a list of strings, not a {}",
                other.type_name()
            ),
            name,
        )),
    }
}

/// A map value for state; an empty map is stored as `null` when the configuration left it out.
pub fn map_value(entries: &BTreeMap<String, String>) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(key, text)| (key.clone(), Value::string(text.clone())))
            .collect(),
    )
}

/// A sorted list of strings, as Terraform stores sets.
pub fn set_value<I: IntoIterator<Item = String>>(items: I) -> Value {
    let mut items: Vec<String> = items.into_iter().collect();
    items.sort();
    items.dedup();
    Value::List(items.into_iter().map(Value::String).collect())
}

pub fn optional_string_value(text: Option<String>) -> Value {
    text.map(Value::String).unwrap_or(Value::Null)
}

/// Builds a state object attribute by attribute.
#[derive(Debug, Default)]
pub struct ObjectBuilder {
    entries: BTreeMap<String, Value>,
}

impl ObjectBuilder {
    /// Starts from the attributes in `base` (the prior state or the plan), so attributes that
    /// only the configuration knows (`force_destroy`, `source`) carry over.
    pub fn from(base: &Value) -> ObjectBuilder {
        ObjectBuilder {
            entries: base.as_object().cloned().unwrap_or_default(),
        }
    }

    pub fn set(mut self, name: &str, value: Value) -> ObjectBuilder {
        self.entries.insert(name.to_string(), value);
        self
    }

    pub fn string(self, name: &str, text: impl Into<String>) -> ObjectBuilder {
        self.set(name, Value::string(text))
    }

    pub fn build(self) -> Value {
        Value::Object(self.entries)
    }
}

/// A map read back from AWS: empty stays `null` when the state had it unset, so a
/// configuration without `tags` plans no change.
pub fn observed_map(before: &Value, observed: &BTreeMap<String, String>) -> Value {
    if observed.is_empty() && before.is_null() {
        Value::Null
    } else {
        map_value(observed)
    }
}

/// A number read back from AWS: the state's value when it is the same number, so `3600` and
/// `3600.0` (the configuration's spelling) never differ.
pub fn observed_integer(before: &Value, observed: i64) -> Value {
    match before.as_f64() {
        Some(number) if number == observed as f64 => before.clone(),
        _ => Value::integer(observed),
    }
}

/// A string the provider may compute: unknown (decided by this apply) reads as unset.
pub fn settable_string(value: &Value, name: &str) -> Result<Option<String>, ProviderError> {
    if attribute(value, name).is_unknown() {
        return Ok(None);
    }
    optional_string(value, name)
}
