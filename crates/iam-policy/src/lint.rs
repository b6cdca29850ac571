//! Mistakes IAM accepts but that make a policy mean something other than intended: a
//! misspelled global condition key (the condition then never holds, or always does), an
//! operator that cannot compare the key's type, set operators on the wrong kind of key,
//! `ForAllValues` that an absent key satisfies, `NotPrincipal` with `Allow`.

use std::fmt;

use crate::condition::{Condition, Family, OperatorKind, SetQualifier};
use crate::document::{Effect, PolicyDocument, Scope, Statement, statement_path};
use crate::global_keys::{self, GLOBAL_KEYS, KeyType};
use crate::suggest::did_you_mean;

/// A likely mistake in a valid policy, located like [`crate::PolicyError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWarning {
    pub path: String,
    pub message: String,
}

impl fmt::Display for PolicyWarning {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.path, self.message)
    }
}

impl PolicyDocument {
    /// Likely mistakes, in document order; empty for a policy that says what it seems to.
    pub fn lint(&self) -> Vec<PolicyWarning> {
        let mut warnings = Vec::new();
        for (index, statement) in self.statements.iter().enumerate() {
            let path = statement_path(index, self.single_statement);
            lint_statement(statement, &path, &mut warnings);
        }
        warnings
    }
}

fn lint_statement(statement: &Statement, path: &str, warnings: &mut Vec<PolicyWarning>) {
    if statement.effect == Effect::Allow
        && matches!(statement.principals, Some(Scope::AllExcept(_)))
    {
        warnings.push(PolicyWarning {
            path: format!("{path}.NotPrincipal"),
            message: "allows everyone not listed, anonymous callers included; name who is allowed in \"Principal\" instead".to_owned(),
        });
    }
    for condition in &statement.conditions {
        let condition_path = format!("{path}.Condition.{}.{}", condition.operator, condition.key);
        for message in lint_condition(condition, statement) {
            warnings.push(PolicyWarning {
                path: condition_path.clone(),
                message,
            });
        }
    }
}

fn lint_condition(condition: &Condition, statement: &Statement) -> Vec<String> {
    let mut messages = Vec::new();
    let key = &condition.key;
    let operator = condition.operator;
    let Some(global) = global_keys::find(key) else {
        if key.len() > 4 && key[..4].eq_ignore_ascii_case("aws:") {
            let names = GLOBAL_KEYS
                .iter()
                .filter(|known| !known.name.ends_with('/'))
                .map(|known| known.name);
            messages.push(format!(
                "\"{key}\" is not a global condition key, so requests never carry it{}",
                did_you_mean(key, names)
            ));
        }
        return messages;
    };
    let family = operator.kind.family();
    if !compatible(global.name, global.key_type, family) {
        messages.push(format!(
            "{} holds {}, which {} never compares as intended; use {}",
            global.name.trim_end_matches('/'),
            global.key_type.description(),
            operator.kind.name(),
            global.key_type.suggested_operator()
        ));
    }
    match (operator.qualifier, global.multivalued) {
        (Some(_), false) if operator.kind != OperatorKind::Null => messages.push(format!(
            "{} is single-valued: a set operator on it is misleading; drop \"{}\"",
            global.name.trim_end_matches('/'),
            qualifier_prefix(operator.qualifier)
        )),
        (None, true) if operator.kind != OperatorKind::Null => messages.push(format!(
            "{} can carry several values; say which must match with \"ForAllValues:\" or \"ForAnyValue:\"",
            global.name
        )),
        _ => {}
    }
    let null_checked = statement.conditions.iter().any(|other| {
        other.operator.kind == OperatorKind::Null
            && other.key.eq_ignore_ascii_case(key)
            && other
                .values
                .iter()
                .any(|value| value.eq_ignore_ascii_case("false"))
    });
    if statement.effect == Effect::Allow
        && operator.qualifier == Some(SetQualifier::ForAllValues)
        && !operator.if_exists
        && !null_checked
    {
        messages.push(format!(
            "ForAllValues also holds when the request has no {key} at all, so this allows more than it seems; add {{\"Null\": {{\"{key}\": \"false\"}}}}"
        ));
    }
    messages
}

/// Whether an operator family can meaningfully compare a key of this type.
fn compatible(name: &str, key_type: KeyType, family: Family) -> bool {
    match (key_type, family) {
        (_, Family::Null) => true,
        (KeyType::String, Family::String) => true,
        (KeyType::Arn, Family::Arn | Family::String) => true,
        (KeyType::Bool, Family::Bool | Family::String) => true,
        (KeyType::Date, Family::Date) => true,
        (KeyType::Date, Family::Numeric) => name == "aws:EpochTime",
        (KeyType::Numeric, Family::Numeric) => true,
        (KeyType::Ip, Family::Ip) => true,
        _ => false,
    }
}

fn qualifier_prefix(qualifier: Option<SetQualifier>) -> &'static str {
    match qualifier {
        Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
        Some(SetQualifier::ForAllValues) => "ForAllValues:",
        None => "",
    }
}
