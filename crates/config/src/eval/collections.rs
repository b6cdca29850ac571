//! Object constructors and `for` expressions.

use super::{EvalResult, Evaluator};
use crate::diagnostic::Diagnostic;
use crate::value::{Value, format_number};
use hcl_edit::expr::{ForExpr, Object, ObjectKey};
use std::collections::BTreeMap;
use std::ops::Range;

/// Bounds the work of one evaluation: nested `for` expressions multiply, and a config of a few
/// lines could otherwise ask for billions of elements.
const MAX_ITERATIONS: usize = 1_000_000;

impl Evaluator<'_> {
    pub(crate) fn eval_object(&mut self, object: &Object, range: &Range<usize>) -> EvalResult {
        let mut map = BTreeMap::new();
        let mut unknown_key = false;
        for (key, value) in object.iter() {
            let key = match key {
                ObjectKey::Ident(ident) => Value::String(ident.as_str().to_string()),
                ObjectKey::Expression(expression) => self.eval(expression, range)?,
            };
            let value = self.eval(value.expr(), range)?;
            match self.key_string(key, range)? {
                Some(key) => {
                    map.insert(key, value);
                }
                None => unknown_key = true,
            }
        }
        Ok(if unknown_key {
            Value::Unknown
        } else {
            Value::Object(map)
        })
    }

    /// An object key as a string; `None` when unknown.
    fn key_string(&self, key: Value, range: &Range<usize>) -> Result<Option<String>, Diagnostic> {
        match key {
            Value::String(text) => Ok(Some(text)),
            Value::Number(number) => Ok(Some(format_number(&number))),
            Value::Bool(flag) => Ok(Some(flag.to_string())),
            Value::Unknown => Ok(None),
            other => Err(self.error(
                range,
                "Invalid object key",
                format!(
                    "An object key must be a string, but have {}.",
                    other.type_name()
                ),
            )),
        }
    }

    /// The (key, value) pairs a `for` iterates: index/element for lists, key/value for objects.
    /// `None` when the collection is unknown.
    pub(crate) fn iteration_pairs(
        &mut self,
        collection: Value,
        range: &Range<usize>,
    ) -> Result<Option<Vec<(Value, Value)>>, Diagnostic> {
        let length = match &collection {
            Value::List(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => 0,
        };
        self.iterations += length;
        if self.iterations > MAX_ITERATIONS {
            return Err(self.error(
                range,
                "Expression too large",
                format!("Evaluating this expression takes more than {MAX_ITERATIONS} 'for' iterations."),
            )
            .with_help("split the work into smaller collections; nested 'for' expressions multiply"));
        }
        match collection {
            Value::Unknown => Ok(None),
            Value::List(items) => Ok(Some(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(index, item)| (Value::integer(index as i64), item))
                    .collect(),
            )),
            Value::Object(map) => Ok(Some(
                map.into_iter()
                    .map(|(key, value)| (Value::String(key), value))
                    .collect(),
            )),
            Value::Null => Err(self.error(
                range,
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.".into(),
            )),
            other => Err(self.error(
                range,
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    other.type_name()
                ),
            )),
        }
    }

    pub(crate) fn eval_for(&mut self, for_expr: &ForExpr, range: &Range<usize>) -> EvalResult {
        let intro = &for_expr.intro;
        let collection_range = Self::range_of(&intro.collection_expr, range);
        let collection = self.eval(&intro.collection_expr, range)?;
        let Some(pairs) = self.iteration_pairs(collection, &collection_range)? else {
            return Ok(Value::Unknown);
        };
        let mut list = Vec::new();
        let mut object: BTreeMap<String, Value> = BTreeMap::new();
        let mut unknown = false;
        for (key, value) in pairs {
            let depth = self.scopes.len();
            if let Some(key_var) = &intro.key_var {
                self.scopes.push((key_var.as_str().to_string(), key));
            }
            self.scopes
                .push((intro.value_var.as_str().to_string(), value));
            let step = self.for_step(for_expr, range, &mut list, &mut object);
            self.scopes.truncate(depth);
            match step? {
                true => {}
                false => unknown = true,
            }
        }
        Ok(if unknown {
            Value::Unknown
        } else if for_expr.key_expr.is_some() {
            Value::Object(object)
        } else {
            Value::List(list)
        })
    }

    /// One iteration; `Ok(false)` when something that decides the result's shape is unknown.
    fn for_step(
        &mut self,
        for_expr: &ForExpr,
        range: &Range<usize>,
        list: &mut Vec<Value>,
        object: &mut BTreeMap<String, Value>,
    ) -> Result<bool, Diagnostic> {
        if let Some(condition) = &for_expr.cond {
            let condition_range = Self::range_of(&condition.expr, range);
            let value = self.eval(&condition.expr, range)?;
            match self.expect_bool(value, &condition_range, "'for' condition")? {
                Some(true) => {}
                Some(false) => return Ok(true),
                None => return Ok(false),
            }
        }
        let value = self.eval(&for_expr.value_expr, range)?;
        let Some(key_expression) = &for_expr.key_expr else {
            list.push(value);
            return Ok(true);
        };
        let key_range = Self::range_of(key_expression, range);
        let key = self.eval(key_expression, range)?;
        let Some(key) = self.key_string(key, &key_range)? else {
            return Ok(false);
        };
        if for_expr.grouping {
            match object.entry(key).or_insert_with(|| Value::List(Vec::new())) {
                Value::List(group) => group.push(value),
                _ => return Ok(false),
            }
        } else if let std::collections::btree_map::Entry::Vacant(slot) = object.entry(key.clone()) {
            slot.insert(value);
        } else {
            return Err(self.error(&key_range, "Duplicate object key", format!("Two different items produced the key \"{key}\" in this 'for' expression."))
                .with_help("if duplicates are expected, use the ellipsis (...) after the value expression to group values by key"));
        }
        Ok(true)
    }
}
