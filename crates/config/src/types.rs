//! Type constraints (`string`, `list(number)`, `object({...})`) and Terraform's conversions.

use crate::value::{Value, format_number};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum TypeConstraint {
    Any,
    String,
    Number,
    Bool,
    List(Box<TypeConstraint>),
    Set(Box<TypeConstraint>),
    Map(Box<TypeConstraint>),
    Tuple(Vec<TypeConstraint>),
    /// Attribute types, each with whether it is `optional(...)`.
    Object(BTreeMap<String, (TypeConstraint, bool)>),
}

impl fmt::Display for TypeConstraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeConstraint::Any => f.write_str("any"),
            TypeConstraint::String => f.write_str("string"),
            TypeConstraint::Number => f.write_str("number"),
            TypeConstraint::Bool => f.write_str("bool"),
            TypeConstraint::List(element) => write!(f, "list({element})"),
            TypeConstraint::Set(element) => write!(f, "set({element})"),
            TypeConstraint::Map(element) => write!(f, "map({element})"),
            TypeConstraint::Tuple(elements) => {
                f.write_str("tuple([")?;
                for (index, element) in elements.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{element}")?;
                }
                f.write_str("])")
            }
            TypeConstraint::Object(attributes) => {
                f.write_str("object({")?;
                for (index, (name, (kind, optional))) in attributes.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    if *optional {
                        write!(f, "{name} = optional({kind})")?;
                    } else {
                        write!(f, "{name} = {kind}")?;
                    }
                }
                f.write_str("})")
            }
        }
    }
}

/// Prefixes a conversion error with where inside the value it happened.
fn at(location: String, message: String) -> String {
    if message.starts_with('[') || message.starts_with('.') {
        format!("{location}{message}")
    } else {
        format!("{location}: {message}")
    }
}

impl TypeConstraint {
    /// Converts `value` to this type as Terraform does (`"5"` to 5, `true` to `"true"`, tuples to
    /// lists, objects to maps). Null and unknown values pass through unchanged.
    pub fn convert(&self, value: Value) -> Result<Value, String> {
        if matches!(value, Value::Null | Value::Unknown) {
            return Ok(value);
        }
        match self {
            TypeConstraint::Any => Ok(value),
            TypeConstraint::String => match value {
                Value::String(_) => Ok(value),
                Value::Number(number) => Ok(Value::String(format_number(&number))),
                Value::Bool(flag) => Ok(Value::String(flag.to_string())),
                other => Err(format!("string required, but have {}", other.type_name())),
            },
            TypeConstraint::Number => match value {
                Value::Number(_) => Ok(value),
                Value::String(text) => parse_number(&text)
                    .ok_or_else(|| format!("a number is required, but \"{text}\" is not a number")),
                other => Err(format!("number required, but have {}", other.type_name())),
            },
            TypeConstraint::Bool => match value {
                Value::Bool(_) => Ok(value),
                Value::String(text) if text == "true" => Ok(Value::Bool(true)),
                Value::String(text) if text == "false" => Ok(Value::Bool(false)),
                Value::String(text) => Err(format!(
                    "a bool is required, but \"{text}\" is neither \"true\" nor \"false\""
                )),
                other => Err(format!("bool required, but have {}", other.type_name())),
            },
            TypeConstraint::List(element) | TypeConstraint::Set(element) => {
                let items = match value {
                    Value::List(items) => items,
                    other => {
                        return Err(format!(
                            "{} required, but have {}",
                            if matches!(self, TypeConstraint::Set(_)) {
                                "set"
                            } else {
                                "list"
                            },
                            other.type_name()
                        ));
                    }
                };
                let mut converted = Vec::with_capacity(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    converted.push(
                        element
                            .convert(item)
                            .map_err(|m| at(format!("[{index}]"), m))?,
                    );
                }
                if matches!(self, TypeConstraint::Set(_)) {
                    converted = set_elements(converted);
                }
                Ok(Value::List(converted))
            }
            TypeConstraint::Map(element) => match value {
                Value::Object(map) => {
                    let mut converted = BTreeMap::new();
                    for (key, item) in map {
                        let item = element
                            .convert(item)
                            .map_err(|m| at(format!("[\"{key}\"]"), m))?;
                        converted.insert(key, item);
                    }
                    Ok(Value::Object(converted))
                }
                other => Err(format!("map required, but have {}", other.type_name())),
            },
            TypeConstraint::Tuple(elements) => match value {
                Value::List(items) if items.len() == elements.len() => {
                    let mut converted = Vec::with_capacity(items.len());
                    for (index, (item, kind)) in items.into_iter().zip(elements).enumerate() {
                        converted.push(
                            kind.convert(item)
                                .map_err(|m| at(format!("[{index}]"), m))?,
                        );
                    }
                    Ok(Value::List(converted))
                }
                Value::List(items) => Err(format!(
                    "tuple required with {} elements, but have {}",
                    elements.len(),
                    items.len()
                )),
                other => Err(format!("tuple required, but have {}", other.type_name())),
            },
            TypeConstraint::Object(attributes) => match value {
                Value::Object(mut map) => {
                    let mut converted = BTreeMap::new();
                    for (name, (kind, optional)) in attributes {
                        match map.remove(name) {
                            Some(item) => {
                                let item =
                                    kind.convert(item).map_err(|m| at(format!(".{name}"), m))?;
                                converted.insert(name.clone(), item);
                            }
                            None if *optional => {
                                converted.insert(name.clone(), Value::Null);
                            }
                            None => return Err(format!("attribute \"{name}\" is required")),
                        }
                    }
                    Ok(Value::Object(converted))
                }
                other => Err(format!("object required, but have {}", other.type_name())),
            },
        }
    }
}

/// Defaults of `optional(type, default)` object attributes, wherever they sit inside a type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypeDefaults {
    /// For an object type: each attribute's default (if it has one) and the defaults inside it.
    pub attributes: BTreeMap<String, (Option<Value>, TypeDefaults)>,
    /// For list, set and map types: the defaults inside every element.
    pub elements: Option<Box<TypeDefaults>>,
}

impl TypeDefaults {
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.elements.is_none()
    }

    pub(crate) fn for_elements(inner: TypeDefaults) -> TypeDefaults {
        TypeDefaults {
            attributes: BTreeMap::new(),
            elements: (!inner.is_empty()).then(|| Box::new(inner)),
        }
    }

    /// Fills null optional attributes with their defaults, as Terraform does after converting
    /// a value to the type. Unknown and null values are left alone.
    pub fn apply(&self, value: Value) -> Value {
        if self.is_empty() {
            return value;
        }
        match value {
            Value::Object(mut map) if !self.attributes.is_empty() => {
                for (name, (default, nested)) in &self.attributes {
                    let current = map.remove(name).unwrap_or(Value::Null);
                    let filled = match (current, default) {
                        (Value::Null, Some(default)) => default.clone(),
                        (current, _) => current,
                    };
                    map.insert(name.clone(), nested.apply(filled));
                }
                Value::Object(map)
            }
            Value::Object(map) => match &self.elements {
                Some(inner) => {
                    Value::Object(map.into_iter().map(|(k, v)| (k, inner.apply(v))).collect())
                }
                None => Value::Object(map),
            },
            Value::List(items) => match &self.elements {
                Some(inner) => {
                    Value::List(items.into_iter().map(|item| inner.apply(item)).collect())
                }
                None => Value::List(items),
            },
            other => other,
        }
    }
}

/// The values without repeats, first occurrences kept in order.
pub(crate) fn distinct_values(items: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut unique: Vec<Value> = Vec::new();
    for item in items {
        if !unique.iter().any(|seen| seen.language_equals(&item)) {
            unique.push(item);
        }
    }
    unique
}

/// A set's elements: duplicates dropped, and strings or numbers in Terraform's set order
/// (lexical, numeric), which is also the order `for_each` and `for` visit them in.
pub(crate) fn set_elements(items: Vec<Value>) -> Vec<Value> {
    let mut unique = distinct_values(items);
    if unique.iter().all(|v| matches!(v, Value::String(_))) {
        unique.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if unique.iter().all(|v| matches!(v, Value::Number(_))) {
        unique.sort_by(|a, b| {
            a.as_f64()
                .unwrap_or(0.0)
                .total_cmp(&b.as_f64().unwrap_or(0.0))
        });
    }
    unique
}

/// Parses a number the way `tonumber` does: decimal, optionally signed, with exponent.
pub(crate) fn parse_number(text: &str) -> Option<Value> {
    let trimmed = text.trim();
    if trimmed.is_empty()
        || !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    let number: f64 = trimmed.parse().ok()?;
    number.is_finite().then(|| Value::number(number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(fields: &[(&str, TypeConstraint, bool)]) -> TypeConstraint {
        TypeConstraint::Object(
            fields
                .iter()
                .map(|(name, kind, optional)| (name.to_string(), (kind.clone(), *optional)))
                .collect(),
        )
    }

    #[test]
    fn conversions_follow_terraform() {
        let list_of_numbers = TypeConstraint::List(Box::new(TypeConstraint::Number));
        let cases: Vec<(
            TypeConstraint,
            serde_json::Value,
            Result<serde_json::Value, &str>,
        )> = vec![
            (TypeConstraint::Number, json!("5"), Ok(json!(5))),
            (TypeConstraint::Number, json!("1.5e2"), Ok(json!(150))),
            (
                TypeConstraint::Number,
                json!("five"),
                Err("a number is required, but \"five\" is not a number"),
            ),
            (TypeConstraint::String, json!(true), Ok(json!("true"))),
            (TypeConstraint::String, json!(7), Ok(json!("7"))),
            (
                TypeConstraint::String,
                json!([1]),
                Err("string required, but have list"),
            ),
            (TypeConstraint::Bool, json!("false"), Ok(json!(false))),
            (
                TypeConstraint::Bool,
                json!("yes"),
                Err("a bool is required, but \"yes\" is neither \"true\" nor \"false\""),
            ),
            (list_of_numbers.clone(), json!(["1", 2]), Ok(json!([1, 2]))),
            (
                list_of_numbers,
                json!([1, "x"]),
                Err("[1]: a number is required, but \"x\" is not a number"),
            ),
            (
                TypeConstraint::Set(Box::new(TypeConstraint::String)),
                json!(["a", "b", "a"]),
                Ok(json!(["a", "b"])),
            ),
            (
                TypeConstraint::Map(Box::new(TypeConstraint::String)),
                json!({"a": 1}),
                Ok(json!({"a": "1"})),
            ),
            (
                TypeConstraint::Tuple(vec![TypeConstraint::String, TypeConstraint::Number]),
                json!([1, "2"]),
                Ok(json!(["1", 2])),
            ),
            (
                TypeConstraint::Tuple(vec![TypeConstraint::String]),
                json!([1, 2]),
                Err("tuple required with 1 elements, but have 2"),
            ),
            (
                object(&[
                    ("name", TypeConstraint::String, false),
                    ("size", TypeConstraint::Number, true),
                ]),
                json!({"name": "x", "extra": 1}),
                Ok(json!({"name": "x", "size": null})),
            ),
            (
                object(&[("name", TypeConstraint::String, false)]),
                json!({}),
                Err("attribute \"name\" is required"),
            ),
            (
                object(&[("size", TypeConstraint::Number, false)]),
                json!({"size": "big"}),
                Err(".size: a number is required, but \"big\" is not a number"),
            ),
            (TypeConstraint::Number, json!(null), Ok(json!(null))),
        ];
        for (kind, input, expected) in cases {
            let result = kind.convert(Value::from_json(input.clone()));
            match expected {
                Ok(json) => assert_eq!(result, Ok(Value::from_json(json)), "{kind} <- {input}"),
                Err(message) => assert_eq!(result, Err(message.to_string()), "{kind} <- {input}"),
            }
        }
        assert_eq!(
            TypeConstraint::String.convert(Value::Unknown),
            Ok(Value::Unknown)
        );
    }
}
