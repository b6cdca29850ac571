//! Runtime values of the Terraform language, including the unknown value plans need.

use std::collections::BTreeMap;
use std::fmt;

/// A value of the Terraform language. Sets, tuples and lists are all `List`; maps and objects are
/// `Object`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    List(Vec<Value>),
    Object(BTreeMap<String, Value>),
    /// "(known after apply)": any operation on it yields `Unknown`.
    Unknown,
}

/// One step of a path into a value: `.name` or `[index]`.
#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    Attribute(String),
    Index(Value),
}

impl fmt::Display for PathStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathStep::Attribute(name) => write!(f, ".{name}"),
            PathStep::Index(value) => write!(f, "[{value}]"),
        }
    }
}

/// Renders a path as `.a[0].b`, or `a[0].b` when `leading_dot` is false.
pub fn path_to_string(path: &[PathStep]) -> String {
    let text: String = path.iter().map(ToString::to_string).collect();
    text.strip_prefix('.').map(str::to_string).unwrap_or(text)
}

impl Value {
    pub fn string(text: impl Into<String>) -> Value {
        Value::String(text.into())
    }

    /// A number from an `f64`; integral values are stored as integers so they print as `42`.
    /// Non-finite numbers have no JSON form: operators reject them before calling this.
    pub fn number(number: f64) -> Value {
        Value::Number(number_from_f64(number))
    }

    pub fn integer(number: i64) -> Value {
        Value::Number(serde_json::Number::from(number))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when no part of the value is unknown.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) => items.iter().all(Value::is_known),
            Value::Object(map) => map.values().all(Value::is_known),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(number) => number.as_f64(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Unknown => "unknown",
        }
    }

    /// The JSON form, or `None` if any part is unknown.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(value) => serde_json::Value::Bool(*value),
            Value::Number(number) => serde_json::Value::Number(number.clone()),
            Value::String(text) => serde_json::Value::String(text.clone()),
            Value::List(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(Value::to_json)
                    .collect::<Option<Vec<_>>>()?,
            ),
            Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(key, value)| Some((key.clone(), value.to_json()?)))
                    .collect::<Option<serde_json::Map<_, _>>>()?,
            ),
            Value::Unknown => return None,
        })
    }

    pub fn from_json(json: serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(value) => Value::Bool(value),
            serde_json::Value::Number(number) => Value::Number(number),
            serde_json::Value::String(text) => Value::String(text),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(key, value)| (key, Value::from_json(value)))
                    .collect(),
            ),
        }
    }

    /// Follows `path`; `None` when a step is missing or goes through a non-collection.
    pub fn get_path(&self, path: &[PathStep]) -> Option<&Value> {
        let mut current = self;
        for step in path {
            current = match (step, current) {
                (PathStep::Attribute(name), Value::Object(map)) => map.get(name)?,
                (PathStep::Index(Value::String(key)), Value::Object(map)) => map.get(key)?,
                (PathStep::Index(index), Value::List(items)) => {
                    let index = index.as_f64()?;
                    if index < 0.0 || index.fract() != 0.0 {
                        return None;
                    }
                    items.get(index as usize)?
                }
                _ => return None,
            };
        }
        Some(current)
    }

    /// Equality as the `==` operator sees it: numbers compare numerically.
    pub fn language_equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.language_equals(y))
            }
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.language_equals(vb))
            }
            _ => self == other,
        }
    }
}

pub(crate) fn number_from_f64(number: f64) -> serde_json::Number {
    if number.fract() == 0.0 && number.abs() < 9.007_199_254_740_992e15 {
        serde_json::Number::from(number as i64)
    } else {
        serde_json::Number::from_f64(number).unwrap_or_else(|| serde_json::Number::from(0))
    }
}

/// Formats a number the way Terraform prints it: integers without a fraction.
pub(crate) fn format_number(number: &serde_json::Number) -> String {
    if let Some(integer) = number.as_i64() {
        return integer.to_string();
    }
    if let Some(integer) = number.as_u64() {
        return integer.to_string();
    }
    let float = number.as_f64().unwrap_or(0.0);
    if float.fract() == 0.0 && float.abs() < 1e21 {
        format!("{float:.0}")
    } else {
        float.to_string()
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(value) => write!(f, "{value}"),
            Value::Number(number) => f.write_str(&format_number(number)),
            Value::String(text) => write!(f, "{}", serde_json::Value::String(text.clone())),
            Value::List(items) => {
                f.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Object(map) => {
                if map.is_empty() {
                    return f.write_str("{}");
                }
                f.write_str("{ ")?;
                for (index, (key, value)) in map.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    if is_identifier(key) {
                        write!(f, "{key} = {value}")?;
                    } else {
                        write!(f, "{} = {value}", serde_json::Value::String(key.clone()))?;
                    }
                }
                f.write_str(" }")
            }
            Value::Unknown => f.write_str("(known after apply)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn display_matches_plan_literals() {
        let cases = [
            (Value::string("x"), "\"x\""),
            (Value::integer(42), "42"),
            (Value::number(1.5), "1.5"),
            (Value::Bool(true), "true"),
            (Value::Null, "null"),
            (
                Value::List(vec![Value::string("a"), Value::string("b")]),
                "[\"a\", \"b\"]",
            ),
            (
                Value::from_json(json!({"a": 1, "b-c": "x", "1x": 2})),
                "{ \"1x\" = 2, a = 1, b-c = \"x\" }",
            ),
            (Value::Unknown, "(known after apply)"),
        ];
        for (value, expected) in cases {
            assert_eq!(value.to_string(), expected);
        }
    }

    #[test]
    fn json_round_trip_and_unknowns() {
        let json = json!({"a": [1, "x", null, true], "b": {"c": 2.5}});
        let value = Value::from_json(json.clone());
        assert!(value.is_known());
        assert_eq!(value.to_json(), Some(json));
        let partly = Value::List(vec![Value::integer(1), Value::Unknown]);
        assert!(!partly.is_known());
        assert_eq!(partly.to_json(), None);
    }

    #[test]
    fn get_path_follows_attributes_and_indexes() {
        let value = Value::from_json(json!({"a": [{"b": 1}, {"b": 2}], "m": {"k": "v"}}));
        let path = [
            PathStep::Attribute("a".into()),
            PathStep::Index(Value::integer(1)),
            PathStep::Attribute("b".into()),
        ];
        assert_eq!(value.get_path(&path), Some(&Value::integer(2)));
        let by_key = [
            PathStep::Attribute("m".into()),
            PathStep::Index(Value::string("k")),
        ];
        assert_eq!(value.get_path(&by_key), Some(&Value::string("v")));
        assert_eq!(value.get_path(&[PathStep::Attribute("zz".into())]), None);
        assert_eq!(path_to_string(&path), "a[1].b");
    }
}
