//! The provider's in-memory policy document (`iamPolicyDoc` in policy_model.go): how it
//! merges, how it reads source and override documents, and how it encodes as JSON.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::go_json::GoValue;

/// Principal identifiers keep the shape they arrived in: the encoder treats one string and a
/// list of one string differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identifiers {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Principal {
    pub(crate) kind: String,
    pub(crate) identifiers: Identifiers,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Condition {
    pub(crate) test: String,
    pub(crate) variable: String,
    pub(crate) values: Vec<String>,
}

/// Empty strings and `None` are "absent": the provider's JSON tags all say `omitempty`.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Statement {
    pub(crate) sid: String,
    pub(crate) effect: String,
    pub(crate) actions: Option<GoValue>,
    pub(crate) not_actions: Option<GoValue>,
    pub(crate) resources: Option<GoValue>,
    pub(crate) not_resources: Option<GoValue>,
    pub(crate) principals: Vec<Principal>,
    pub(crate) not_principals: Vec<Principal>,
    pub(crate) conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Document {
    pub(crate) version: String,
    pub(crate) id: String,
    pub(crate) statements: Vec<Statement>,
}

impl Document {
    /// Adopts `other`'s Id, upgrades the Version, and adds its statements: one with a Sid
    /// already present replaces that statement in place, the rest are appended.
    pub(crate) fn merge(&mut self, other: Document) {
        if !other.id.is_empty() {
            self.id = other.id;
        }
        if other.version > self.version {
            self.version = other.version;
        }
        for statement in other.statements {
            let existing = if statement.sid.is_empty() {
                None
            } else {
                self.statements
                    .iter_mut()
                    .find(|existing| existing.sid == statement.sid)
            };
            match existing {
                Some(existing) => *existing = statement,
                None => self.statements.push(statement),
            }
        }
    }

    pub(crate) fn to_go_value(&self) -> GoValue {
        let mut members = Vec::new();
        push_string(&mut members, "Version", &self.version);
        push_string(&mut members, "Id", &self.id);
        if !self.statements.is_empty() {
            members.push((
                "Statement".to_owned(),
                GoValue::Array(self.statements.iter().map(Statement::to_go_value).collect()),
            ));
        }
        GoValue::Object(members)
    }

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
    fn to_go_value(&self) -> GoValue {
        let mut members = Vec::new();
        push_string(&mut members, "Sid", &self.sid);
        push_string(&mut members, "Effect", &self.effect);
        let optional = [
            ("Action", &self.actions),
            ("NotAction", &self.not_actions),
            ("Resource", &self.resources),
            ("NotResource", &self.not_resources),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                members.push((name.to_owned(), value.clone()));
            }
        }
        if !self.principals.is_empty() {
            members.push((
                "Principal".to_owned(),
                principals_to_go_value(&self.principals),
            ));
        }
        if !self.not_principals.is_empty() {
            members.push((
                "NotPrincipal".to_owned(),
                principals_to_go_value(&self.not_principals),
            ));
        }
        if !self.conditions.is_empty() {
            members.push((
                "Condition".to_owned(),
                conditions_to_go_value(&self.conditions),
            ));
        }
        GoValue::Object(members)
    }

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

/// `"*"` alone stays `"*"`; otherwise one member per principal type, lists sorted in reverse
/// and concatenated in block order, a lone string kept as a string.
fn principals_to_go_value(principals: &[Principal]) -> GoValue {
    if let [only] = principals
        && only.kind == "*"
    {
        let wildcard = match &only.identifiers {
            Identifiers::One(identifier) => identifier == "*",
            Identifiers::Many(identifiers) => identifiers.len() == 1 && identifiers[0] == "*",
        };
        if wildcard {
            return GoValue::String("*".to_owned());
        }
    }
    let mut by_type: BTreeMap<&str, Identifiers> = BTreeMap::new();
    for principal in principals {
        let entry = by_type.remove(principal.kind.as_str());
        let merged = match (&principal.identifiers, entry) {
            (Identifiers::Many(identifiers), entry) => {
                let mut list = match entry {
                    None => Vec::new(),
                    Some(Identifiers::One(existing)) => vec![existing],
                    Some(Identifiers::Many(existing)) => existing,
                };
                let mut sorted = identifiers.clone();
                sorted.sort();
                sorted.reverse();
                list.extend(sorted);
                Identifiers::Many(list)
            }
            (Identifiers::One(identifier), None) => Identifiers::One(identifier.clone()),
            (Identifiers::One(identifier), Some(Identifiers::One(existing))) => {
                Identifiers::Many(vec![existing, identifier.clone()])
            }
            (Identifiers::One(identifier), Some(Identifiers::Many(mut existing))) => {
                existing.push(identifier.clone());
                Identifiers::Many(existing)
            }
        };
        by_type.insert(principal.kind.as_str(), merged);
    }
    GoValue::Object(
        by_type
            .into_iter()
            .map(|(kind, identifiers)| {
                let value = match identifiers {
                    Identifiers::One(identifier) => GoValue::String(identifier),
                    Identifiers::Many(identifiers) => GoValue::strings(&identifiers),
                };
                (kind.to_owned(), value)
            })
            .collect(),
    )
}

/// Operators and keys sorted (Go map order); values of the same operator and key gathered in
/// block order; a single value written as a plain string.
fn conditions_to_go_value(conditions: &[Condition]) -> GoValue {
    let mut by_test: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    for condition in conditions {
        by_test
            .entry(condition.test.as_str())
            .or_default()
            .entry(condition.variable.as_str())
            .or_default()
            .extend(condition.values.iter().cloned());
    }
    GoValue::Object(
        by_test
            .into_iter()
            .map(|(test, variables)| {
                let members = variables
                    .into_iter()
                    .map(|(variable, values)| {
                        let value = match values.as_slice() {
                            [only] => GoValue::String(only.clone()),
                            _ => GoValue::strings(&values),
                        };
                        (variable.to_owned(), value)
                    })
                    .collect();
                (test.to_owned(), GoValue::Object(members))
            })
            .collect(),
    )
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

fn push_string(members: &mut Vec<(String, GoValue)>, name: &str, value: &str) {
    if !value.is_empty() {
        members.push((name.to_owned(), GoValue::String(value.to_owned())));
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
