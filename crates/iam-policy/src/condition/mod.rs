//! The `Condition` element: operators, typed values and their evaluation.

mod operator;
mod values;

use serde_json::Value;

pub(crate) use operator::Family;
pub use operator::{Operator, OperatorKind, SetQualifier};
use values::PolicyValues;

use crate::context::{Context, lookup};
use crate::error::PolicyError;
use crate::json::describe;

/// One `"Operator": {"key": values}` entry of a `Condition` element.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    /// The condition key as written (`aws:SourceAccount`); looked up case-insensitively.
    pub key: String,
    /// The policy values as written, booleans and numbers in their JSON text.
    pub values: Vec<String>,
    parsed: PolicyValues,
}

impl Condition {
    /// Reads a whole `Condition` element; `path` is where it sits (`Statement[0].Condition`).
    pub(crate) fn parse_block(
        value: &Value,
        variables_enabled: bool,
        path: &str,
    ) -> Result<Vec<Condition>, PolicyError> {
        let Value::Object(operators) = value else {
            return Err(PolicyError::invalid(
                path,
                format!(
                    "expected an object of operators such as {{\"StringEquals\": {{\"aws:SourceAccount\": \"111122223333\"}}}}, found {}",
                    describe(value)
                ),
            ));
        };
        let mut conditions = Vec::new();
        for (operator_name, keys) in operators {
            let operator = Operator::parse(operator_name, path)?;
            let operator_path = format!("{path}.{operator_name}");
            let Value::Object(keys) = keys else {
                return Err(PolicyError::invalid(
                    &operator_path,
                    format!(
                        "expected an object of condition keys to values, found {}",
                        describe(keys)
                    ),
                ));
            };
            if keys.is_empty() {
                return Err(PolicyError::invalid(
                    &operator_path,
                    "names no condition key; add one such as {\"aws:SourceAccount\": \"111122223333\"}",
                ));
            }
            for (key, raw) in keys {
                let key_path = format!("{operator_path}.{key}");
                let values = condition_values(raw, &key_path)?;
                let parsed =
                    PolicyValues::parse(operator.kind, &values, variables_enabled, &key_path)?;
                conditions.push(Condition {
                    operator,
                    key: key.clone(),
                    values,
                    parsed,
                });
            }
        }
        Ok(conditions)
    }

    /// Whether the request context satisfies this condition, with IAM's rules for absent keys,
    /// negated operators, `IfExists` and the set qualifiers.
    pub fn is_satisfied(&self, context: &Context) -> bool {
        let kind = self.operator.kind;
        let present = lookup(context, &self.key).filter(|values| !values.is_empty());
        if kind == OperatorKind::Null {
            let PolicyValues::Bools(expected) = &self.parsed else {
                return false;
            };
            return expected.contains(&present.is_none());
        }
        let Some(request_values) = present else {
            if self.operator.if_exists {
                return true;
            }
            return match self.operator.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => kind.is_negated(),
            };
        };
        let satisfies =
            |value: &String| self.parsed.any_matches(kind, value, context) != kind.is_negated();
        match self.operator.qualifier {
            Some(SetQualifier::ForAnyValue) => request_values.iter().any(satisfies),
            Some(SetQualifier::ForAllValues) => request_values.iter().all(satisfies),
            // Without a qualifier a negated operator must hold for every value, so that a
            // multivalued key cannot slip a forbidden value past it.
            None if kind.is_negated() => request_values.iter().all(satisfies),
            None => request_values.iter().any(satisfies),
        }
    }
}

fn condition_values(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |value: &Value, path: &str| match value {
        Value::String(text) => Ok(text.clone()),
        Value::Bool(flag) => Ok(flag.to_string()),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(PolicyError::invalid(
            path,
            format!(
                "expected a string, number or boolean, found {}",
                describe(other)
            ),
        )),
    };
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| scalar(item, &format!("{path}[{index}]")))
            .collect(),
        other => Ok(vec![scalar(other, path)?]),
    }
}
