//! Encoding the model as Go's `encoding/json` does with the provider's custom marshalers.

use std::collections::BTreeMap;

use super::go_json::GoValue;
use super::model::{Condition, Document, Identifiers, Principal, Statement};

impl Document {
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

fn push_string(members: &mut Vec<(String, GoValue)>, name: &str, value: &str) {
    if !value.is_empty() {
        members.push((name.to_owned(), GoValue::String(value.to_owned())));
    }
}
