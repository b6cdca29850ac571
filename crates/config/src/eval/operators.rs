//! Unary and binary operators with Terraform's semantics.

use super::{EvalResult, Evaluator};
use crate::types::TypeConstraint;
use crate::value::Value;
use hcl_edit::expr::{BinaryOperator, UnaryOperator};
use std::ops::Range;

impl Evaluator<'_> {
    fn number_operand(
        &self,
        value: Value,
        operator: &str,
        range: &Range<usize>,
    ) -> Result<Option<f64>, crate::diagnostic::Diagnostic> {
        match TypeConstraint::Number.convert(value) {
            Ok(Value::Unknown) => Ok(None),
            Ok(Value::Number(number)) => Ok(number.as_f64()),
            Ok(other) => Err(self.error(range, "Invalid operand", format!("Unsuitable value for the \"{operator}\" operator: a number is required, but have {}.", other.type_name()))),
            Err(message) => Err(self.error(range, "Invalid operand", format!("Unsuitable value for the \"{operator}\" operator: {message}."))),
        }
    }

    fn bool_operand(
        &self,
        value: Value,
        operator: &str,
        range: &Range<usize>,
    ) -> Result<Option<bool>, crate::diagnostic::Diagnostic> {
        match TypeConstraint::Bool.convert(value) {
            Ok(Value::Unknown) => Ok(None),
            Ok(Value::Bool(flag)) => Ok(Some(flag)),
            Ok(other) => Err(self.error(range, "Invalid operand", format!("Unsuitable value for the \"{operator}\" operator: a bool is required, but have {}.", other.type_name()))),
            Err(message) => Err(self.error(range, "Invalid operand", format!("Unsuitable value for the \"{operator}\" operator: {message}."))),
        }
    }

    fn finite(&self, number: f64, range: &Range<usize>) -> EvalResult {
        if number.is_finite() {
            Ok(Value::number(number))
        } else {
            Err(self.error(
                range,
                "Arithmetic overflow",
                "The result of this arithmetic is not a finite number.".into(),
            ))
        }
    }

    pub(crate) fn unary(
        &self,
        operator: UnaryOperator,
        operand: Value,
        range: &Range<usize>,
    ) -> EvalResult {
        match operator {
            UnaryOperator::Neg => match self.number_operand(operand, "-", range)? {
                Some(number) => self.finite(-number, range),
                None => Ok(Value::Unknown),
            },
            UnaryOperator::Not => Ok(self
                .bool_operand(operand, "!", range)?
                .map_or(Value::Unknown, |flag| Value::Bool(!flag))),
        }
    }

    pub(crate) fn binary(
        &self,
        operator: BinaryOperator,
        left: Value,
        right: Value,
        range: &Range<usize>,
    ) -> EvalResult {
        let symbol = operator.as_str();
        match operator {
            BinaryOperator::Eq | BinaryOperator::NotEq => {
                if !left.is_known() || !right.is_known() {
                    return Ok(Value::Unknown);
                }
                let equal = left.language_equals(&right);
                Ok(Value::Bool(if operator == BinaryOperator::Eq {
                    equal
                } else {
                    !equal
                }))
            }
            BinaryOperator::And | BinaryOperator::Or => {
                let left = self.bool_operand(left, symbol, range)?;
                let right = self.bool_operand(right, symbol, range)?;
                let is_and = operator == BinaryOperator::And;
                // A known deciding operand settles the result even when the other is unknown.
                Ok(match (left, right) {
                    (Some(a), Some(b)) => Value::Bool(if is_and { a && b } else { a || b }),
                    (Some(decided), _) | (_, Some(decided)) if decided != is_and => {
                        Value::Bool(decided)
                    }
                    _ => Value::Unknown,
                })
            }
            BinaryOperator::Plus => self.arithmetic(left, right, symbol, range, |a, b| Some(a + b)),
            BinaryOperator::Minus => {
                self.arithmetic(left, right, symbol, range, |a, b| Some(a - b))
            }
            BinaryOperator::Mul => self.arithmetic(left, right, symbol, range, |a, b| Some(a * b)),
            BinaryOperator::Div => {
                self.arithmetic(left, right, symbol, range, |a, b| (b != 0.0).then(|| a / b))
            }
            BinaryOperator::Mod => {
                self.arithmetic(left, right, symbol, range, |a, b| (b != 0.0).then(|| a % b))
            }
            BinaryOperator::Less => self.compare(left, right, symbol, range, |a, b| a < b),
            BinaryOperator::LessEq => self.compare(left, right, symbol, range, |a, b| a <= b),
            BinaryOperator::Greater => self.compare(left, right, symbol, range, |a, b| a > b),
            BinaryOperator::GreaterEq => self.compare(left, right, symbol, range, |a, b| a >= b),
        }
    }

    /// `operation` answers `None` for a zero divisor.
    fn arithmetic(
        &self,
        left: Value,
        right: Value,
        symbol: &str,
        range: &Range<usize>,
        operation: impl Fn(f64, f64) -> Option<f64>,
    ) -> EvalResult {
        let left = self.number_operand(left, symbol, range)?;
        let right = self.number_operand(right, symbol, range)?;
        let (Some(a), Some(b)) = (left, right) else {
            return Ok(Value::Unknown);
        };
        match operation(a, b) {
            Some(result) => self.finite(result, range),
            None => Err(self.error(
                range,
                "Division by zero",
                format!("The right operand of \"{symbol}\" is zero, so the result is undefined."),
            )),
        }
    }

    fn compare(
        &self,
        left: Value,
        right: Value,
        symbol: &str,
        range: &Range<usize>,
        comparison: impl Fn(f64, f64) -> bool,
    ) -> EvalResult {
        let left = self.number_operand(left, symbol, range)?;
        let right = self.number_operand(right, symbol, range)?;
        Ok(match (left, right) {
            (Some(a), Some(b)) => Value::Bool(comparison(a, b)),
            _ => Value::Unknown,
        })
    }
}
