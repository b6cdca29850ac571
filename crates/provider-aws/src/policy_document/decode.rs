//! Reading source and override documents into the model, as Go's `json.Unmarshal` and the
//! provider's custom unmarshalers do.

use serde_json::{Map, Value};

use super::go_json::GoValue;
use super::model::{Condition, Document, Identifiers, Principal, Statement};

impl Document {
    /// Reads a source or override document the way Go's `json.Unmarshal` fills the model:
    /// field names match case-insensitively, unknown fields are ignored.
    pub(crate) fn from_json(value: &Value) -> Result<Self, String> {
        let object = match value {
            Value::Null => return Ok(Document::default()),
            Value::Object(object) => object,
            other => return Err(format!("expected a JSON object, found {}", kind(other))),
        };
        let statements = match field(object, "Statement") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| match item {
                    Value::Object(statement) => Statement::from_json(statement)
                        .map_err(|message| format!("Statement[{index}]: {message}")),
                    other => Err(format!(
                        "Statement[{index}]: expected a statement object, found {}",
                        kind(other)
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "Statement: expected a list of statements, found {}",
                    kind(other)
                ));
            }
        };
        Ok(Document {
            version: string_field(object, "Version")?,
            id: string_field(object, "Id")?,
            statements,
        })
    }
}

impl Statement {
    fn from_json(object: &Map<String, Value>) -> Result<Self, String> {
        let any = |name: &str| match field(object, name) {
            None | Some(Value::Null) => None,
            Some(value) => Some(GoValue::from_json(value)),
        };
        Ok(Statement {
            sid: string_field(object, "Sid")?,
            effect: string_field(object, "Effect")?,
            actions: any("Action"),
            not_actions: any("NotAction"),
            resources: any("Resource"),
            not_resources: any("NotResource"),
            principals: principals_from_json(field(object, "Principal"), "Principal")?,
            not_principals: principals_from_json(field(object, "NotPrincipal"), "NotPrincipal")?,
            conditions: conditions_from_json(field(object, "Condition"))?,
        })
    }
}

fn principals_from_json(value: Option<&Value>, name: &str) -> Result<Vec<Principal>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        // Any string reads as everyone, as the provider's decoder does.
        Some(Value::String(_)) => Ok(vec![Principal {
            kind: "*".to_owned(),
            identifiers: Identifiers::Many(vec!["*".to_owned()]),
        }]),
        Some(Value::Object(entries)) => entries
            .iter()
            .map(|(kind, identifiers)| {
                let identifiers = match identifiers {
                    Value::String(identifier) => Identifiers::One(identifier.clone()),
                    Value::Array(items) => {
                        let mut list = items
                            .iter()
                            .enumerate()
                            .map(|(index, item)| match item {
                                Value::String(text) => Ok(text.clone()),
                                other => Err(format!(
                                    "{name}.{kind}[{index}]: expected a string, found {}",
                                    self::kind(other)
                                )),
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        list.sort();
                        Identifiers::Many(list)
                    }
                    other => {
                        return Err(format!(
                            "{name}.{kind}: expected a string or a list of strings, found {}",
                            self::kind(other)
                        ));
                    }
                };
                Ok(Principal {
                    kind: kind.clone(),
                    identifiers,
                })
            })
            .collect(),
        Some(other) => Err(format!(
            "{name}: expected \"*\" or an object of principal types, found {}",
            kind(other)
        )),
    }
}

fn conditions_from_json(value: Option<&Value>) -> Result<Vec<Condition>, String> {
    let tests = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(tests)) => tests,
        Some(other) => {
            return Err(format!(
                "Condition: expected an object of operators, found {}",
                kind(other)
            ));
        }
    };
    let mut conditions = Vec::new();
    for (test, variables) in tests {
        let variables = match variables {
            Value::Null => continue,
            Value::Object(variables) => variables,
            other => {
                return Err(format!(
                    "Condition.{test}: expected an object of condition keys, found {}",
                    kind(other)
                ));
            }
        };
        for (variable, values) in variables {
            let values = match values {
                Value::String(text) => vec![text.clone()],
                Value::Bool(flag) => vec![flag.to_string()],
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| match item {
                        Value::String(text) => Ok(text.clone()),
                        other => Err(format!(
                            "Condition.{test}.{variable}[{index}]: expected a string, found {}",
                            kind(other)
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                // The provider's decoder has no case for numbers or null and drops the key;
                // rendering must match what Terraform writes.
                _ => continue,
            };
            conditions.push(Condition {
                test: test.clone(),
                variable: variable.clone(),
                values,
            });
        }
    }
    Ok(conditions)
}

/// A struct field as Go's decoder finds it: exact name first, then case-insensitively.
fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

fn string_field(object: &Map<String, Value>, name: &str) -> Result<String, String> {
    match field(object, name) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(format!("{name}: expected a string, found {}", kind(other))),
    }
}

pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
