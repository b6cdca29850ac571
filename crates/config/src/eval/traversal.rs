//! References (`var.x`, `aws_s3_bucket.b.arn`), attribute access, indexing and splats.

use super::{EvalResult, Evaluator};
use crate::expression::{ReferenceTarget, reference_target};
use crate::model::ResourceMode;
use crate::reference_errors;
use crate::suggest::did_you_mean;
use crate::value::Value;
use hcl_edit::expr::{Traversal, TraversalOperator};
use std::collections::BTreeMap;
use std::ops::Range;

impl Evaluator<'_> {
    fn scoped(&self, name: &str) -> Option<&Value> {
        self.scopes
            .iter()
            .rev()
            .find(|(bound, _)| bound == name)
            .map(|(_, value)| value)
    }

    pub(crate) fn eval_variable(&mut self, name: &str, range: &Range<usize>) -> EvalResult {
        if let Some(value) = self.scoped(name) {
            return Ok(value.clone());
        }
        match name {
            "self" => self.resolve(&ReferenceTarget::SelfObject, range),
            "var" | "local" | "count" | "each" | "path" | "terraform" | "data" => Err(self.error(
                range,
                "Invalid reference",
                format!("The \"{name}\" object cannot be accessed directly. Instead, access one of its attributes."),
            )),
            _ => {
                let known_resource = self.context.resources.keys().any(|a| a.split('.').next() == Some(name));
                if known_resource {
                    Err(self.error(
                        range,
                        "Invalid reference",
                        format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name, as in {name}.example."),
                    ))
                } else {
                    let scoped_names: Vec<&str> = self.scopes.iter().map(|(n, _)| n.as_str()).collect();
                    let mut diagnostic = self.error(
                        range,
                        "Unknown variable",
                        format!("There is no variable named \"{name}\"."),
                    );
                    if let Some(suggestion) = did_you_mean(name, scoped_names) {
                        diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
                    }
                    Err(diagnostic)
                }
            }
        }
    }

    pub(crate) fn eval_traversal(
        &mut self,
        traversal: &Traversal,
        range: &Range<usize>,
    ) -> EvalResult {
        let operators: Vec<&TraversalOperator> =
            traversal.operators.iter().map(|o| o.value()).collect();
        let (root, consumed) = match &traversal.expr {
            hcl_edit::expr::Expression::Variable(name) if self.scoped(name.as_str()).is_none() => {
                let name = name.as_str();
                match reference_target(name, &operators) {
                    Some((target, consumed)) => (self.resolve(&target, range)?, consumed),
                    None => (self.eval_variable_prefix(name, &operators, range)?, 0),
                }
            }
            other => (self.eval(other, range)?, 0),
        };
        self.apply_operators(root, &operators[consumed..], range)
    }

    /// A root such as `count.foo` or `path.nowhere` that names no reference target.
    fn eval_variable_prefix(
        &mut self,
        name: &str,
        operators: &[&TraversalOperator],
        range: &Range<usize>,
    ) -> EvalResult {
        let attribute = match operators.first() {
            Some(TraversalOperator::GetAttr(attribute)) => attribute.as_str().to_string(),
            _ => return self.eval_variable(name, range),
        };
        let valid: &[&str] = match name {
            "count" => &["index"],
            "each" => &["key", "value"],
            "path" => &["module", "root", "cwd"],
            "terraform" => &["workspace"],
            _ => return self.eval_variable(name, range),
        };
        let mut diagnostic = self.error(
            range,
            "Invalid reference",
            format!("The \"{name}\" object does not have an attribute named \"{attribute}\"; it has {}.", valid.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ")),
        );
        if let Some(suggestion) = did_you_mean(&attribute, valid.iter().copied()) {
            diagnostic = diagnostic.with_help(format!("did you mean `{name}.{suggestion}`?"));
        }
        Err(diagnostic)
    }

    fn resolve(&self, target: &ReferenceTarget, range: &Range<usize>) -> EvalResult {
        let context = self.context;
        let span = self.span(range.clone());
        let path_string =
            |path: &std::path::Path| Value::String(path.to_string_lossy().into_owned());
        let undeclared = |declared: &BTreeMap<String, Value>| {
            let names = declared.keys().map(String::as_str);
            let names: Vec<&str> = match target {
                ReferenceTarget::Resource {
                    mode: ResourceMode::Data,
                    ..
                } => names.filter(|a| a.starts_with("data.")).collect(),
                ReferenceTarget::Resource { .. } => {
                    names.filter(|a| !a.starts_with("data.")).collect()
                }
                _ => names.collect(),
            };
            reference_errors::undeclared(target, span.clone(), names)
        };
        match target {
            ReferenceTarget::Variable(name) => context
                .variables
                .get(name)
                .cloned()
                .ok_or_else(|| undeclared(&context.variables)),
            ReferenceTarget::Local(name) => context
                .locals
                .get(name)
                .cloned()
                .ok_or_else(|| undeclared(&context.locals)),
            ReferenceTarget::Resource { .. } => context
                .resources
                .get(&target.address())
                .cloned()
                .ok_or_else(|| undeclared(&context.resources)),
            ReferenceTarget::CountIndex => context
                .count_index
                .map(Value::integer)
                .ok_or_else(|| reference_errors::unavailable(target, span.clone())),
            ReferenceTarget::EachKey | ReferenceTarget::EachValue => match &context.each {
                Some((key, value)) => Ok(if *target == ReferenceTarget::EachKey {
                    key.clone()
                } else {
                    value.clone()
                }),
                None => Err(reference_errors::unavailable(target, span.clone())),
            },
            ReferenceTarget::PathModule => Ok(path_string(&context.path_module)),
            ReferenceTarget::PathRoot => Ok(path_string(&context.path_root)),
            ReferenceTarget::PathCwd => Ok(path_string(&context.path_cwd)),
            ReferenceTarget::TerraformWorkspace => Ok(Value::String(context.workspace.clone())),
            ReferenceTarget::SelfObject => context
                .self_value
                .clone()
                .ok_or_else(|| reference_errors::unavailable(target, span.clone())),
        }
    }

    pub(crate) fn apply_operators(
        &mut self,
        mut value: Value,
        operators: &[&TraversalOperator],
        range: &Range<usize>,
    ) -> EvalResult {
        let mut index = 0;
        while index < operators.len() {
            match operators[index] {
                TraversalOperator::GetAttr(name) => {
                    value = self.get_attribute(value, name.as_str(), range)?
                }
                TraversalOperator::Index(key_expression) => {
                    let key = self.eval(key_expression, range)?;
                    value = self.index(value, key, range)?;
                }
                TraversalOperator::LegacyIndex(position) => {
                    let key = Value::integer(i64::try_from(*position.value()).unwrap_or(i64::MAX));
                    value = self.index(value, key, range)?;
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let attribute_only =
                        matches!(operators[index], TraversalOperator::AttrSplat(_));
                    let rest = &operators[index + 1..];
                    // An attribute splat applies only the attribute accesses right after it.
                    let applied = if attribute_only {
                        rest.iter()
                            .take_while(|o| {
                                matches!(
                                    o,
                                    TraversalOperator::GetAttr(_)
                                        | TraversalOperator::LegacyIndex(_)
                                )
                            })
                            .count()
                    } else {
                        rest.len()
                    };
                    value = self.splat(value, &rest[..applied], range)?;
                    index += applied;
                }
            }
            index += 1;
        }
        Ok(value)
    }

    fn splat(
        &mut self,
        value: Value,
        operators: &[&TraversalOperator],
        range: &Range<usize>,
    ) -> EvalResult {
        let items = match value {
            Value::Unknown => return Ok(Value::Unknown),
            Value::Null => Vec::new(),
            Value::List(items) => items,
            other => vec![other],
        };
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            results.push(self.apply_operators(item, operators, range)?);
        }
        Ok(Value::List(results))
    }

    pub(crate) fn get_attribute(
        &self,
        value: Value,
        name: &str,
        range: &Range<usize>,
    ) -> EvalResult {
        match value {
            Value::Unknown => Ok(Value::Unknown),
            Value::Object(mut map) => match map.remove(name) {
                Some(found) => Ok(found),
                None => {
                    let mut diagnostic = self.error(range, "Unsupported attribute", format!("This object does not have an attribute named \"{name}\"."));
                    if let Some(suggestion) = did_you_mean(name, map.keys().map(String::as_str)) {
                        diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
                    }
                    Err(diagnostic)
                }
            },
            Value::Null => Err(self.error(range, "Attempt to get attribute from null value", format!("This value is null, so it does not have any attributes (wanted \"{name}\")."))),
            Value::List(_) => Err(self.error(range, "Unsupported attribute", format!("This value is a list, so it does not have an attribute named \"{name}\".")).with_help(format!("to get \"{name}\" from every element use a splat, `[*].{name}`; for one element index it first, `[0].{name}`"))),
            other => Err(self.error(range, "Unsupported attribute", format!("Can't access attributes on a primitive-typed value ({}).", other.type_name()))),
        }
    }

    pub(crate) fn index(&self, value: Value, key: Value, range: &Range<usize>) -> EvalResult {
        if value.is_unknown() || key.is_unknown() {
            return Ok(Value::Unknown);
        }
        match value {
            Value::List(mut items) => {
                let position = match &key {
                    Value::Number(number) => number.as_f64(),
                    Value::String(text) => text.trim().parse::<f64>().ok(),
                    _ => None,
                };
                let Some(position) = position.filter(|p| p.fract() == 0.0) else {
                    return Err(self.error(
                        range,
                        "Invalid index",
                        format!("A list index must be a whole number, but have {key}."),
                    ));
                };
                let length = items.len();
                if position < 0.0 || position as usize >= length {
                    return Err(self.error(range, "Invalid index", format!("The given key does not identify an element in this collection value: the index {key} is out of range for a list of {length} element(s).")));
                }
                Ok(items.swap_remove(position as usize))
            }
            Value::Object(mut map) => {
                let key_text = match &key {
                    Value::String(text) => text.clone(),
                    Value::Number(_) | Value::Bool(_) => key.to_string(),
                    other => {
                        return Err(self.error(
                            range,
                            "Invalid index",
                            format!(
                                "An object or map key must be a string, but have {}.",
                                other.type_name()
                            ),
                        ));
                    }
                };
                map.remove(&key_text).ok_or_else(|| {
                    let mut diagnostic = self.error(range, "Invalid index", format!("The given key does not identify an element in this collection value: no key \"{key_text}\"."));
                    if let Some(suggestion) = did_you_mean(&key_text, map.keys().map(String::as_str)) {
                        diagnostic = diagnostic.clone().with_help(format!("did you mean [\"{suggestion}\"]?"));
                    }
                    diagnostic
                })
            }
            Value::Null => Err(self.error(
                range,
                "Attempt to index null value",
                "This value is null, so it does not have any indices.".into(),
            )),
            other => Err(self.error(
                range,
                "Invalid index",
                format!(
                    "This value does not have any indices: it is a {}.",
                    other.type_name()
                ),
            )),
        }
    }
}
