//! The filter expression language: comparisons, `length()`, `contains()`, `and`/`or`/`not`,
//! type-checked against the schema so mistakes point at their column in the expression.

mod lexer;
mod parser;

use std::borrow::Cow;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{DataType, Schema};

pub use lexer::CompareOp;
use lexer::error;
use parser::{Ast, parse};

use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Number,
    Text,
    Null,
}

impl Kind {
    fn of(data_type: &DataType) -> Kind {
        match data_type {
            DataType::Boolean => Kind::Bool,
            data_type if data_type.is_numeric() => Kind::Number,
            _ => Kind::Text,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::Text => "text",
            Kind::Null => "null",
        }
    }

    fn arrow_type(self) -> DataType {
        match self {
            Kind::Bool => DataType::Boolean,
            Kind::Number => DataType::Float64,
            Kind::Text | Kind::Null => DataType::Utf8,
        }
    }
}

#[derive(Debug, Clone)]
enum Bound {
    Literal(Literal),
    Column(usize),
    Length(Box<Bound>),
    Lower(Box<Bound>),
    Upper(Box<Bound>),
    Contains(Box<Bound>, Box<Bound>),
    StartsWith(Box<Bound>, Box<Bound>),
    EndsWith(Box<Bound>, Box<Bound>),
    Not(Box<Bound>),
    And(Box<Bound>, Box<Bound>),
    Or(Box<Bound>, Box<Bound>),
    Compare(CompareOp, Box<Bound>, Box<Bound>),
}

#[derive(Debug, Clone)]
enum Literal {
    Number(f64),
    Text(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
enum Value<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Text(Cow<'a, str>),
}

/// A compiled filter: keeps the rows for which the expression is true (null counts as false).
#[derive(Debug, Clone)]
pub struct Filter {
    root: Bound,
    /// Referenced columns with the type each is read as.
    columns: Vec<(String, Kind)>,
}

const FUNCTIONS: &str = "length(text), contains(text, part), starts_with(text, prefix), ends_with(text, suffix), lower(text), upper(text)";

impl Filter {
    pub fn compile(text: &str, schema: &Schema) -> Result<Filter> {
        let ast = parse(text)?;
        let mut binder = Binder {
            text,
            schema,
            columns: Vec::new(),
        };
        let (root, kind) = binder.bind(&ast)?;
        if kind != Kind::Bool {
            return Err(error(
                text,
                ast.column().max(1),
                format!(
                    "the expression gives {}, but a filter needs true or false; compare it, e.g. `length(x) > 0`",
                    kind.name()
                ),
            ));
        }
        Ok(Filter {
            root,
            columns: binder.columns,
        })
    }

    /// Names of the columns the expression reads.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|(name, _)| name.as_str())
    }

    pub fn evaluate(&self, batch: &RecordBatch) -> Result<BooleanArray> {
        let arrays = self
            .columns
            .iter()
            .map(|(name, kind)| {
                let array = batch
                    .column_by_name(name)
                    .expect("the filter was compiled against this schema");
                Ok(arrow_cast::cast(array, &kind.arrow_type())?)
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let keep: BooleanArray = (0..batch.num_rows())
            .map(|row| {
                Some(matches!(
                    evaluate(&self.root, &arrays, row),
                    Value::Bool(true)
                ))
            })
            .collect();
        Ok(keep)
    }
}

struct Binder<'a> {
    text: &'a str,
    schema: &'a Schema,
    columns: Vec<(String, Kind)>,
}

impl Binder<'_> {
    fn bind(&mut self, ast: &Ast) -> Result<(Bound, Kind)> {
        Ok(match ast {
            Ast::Number(value) => (Bound::Literal(Literal::Number(*value)), Kind::Number),
            Ast::Text(value) => (Bound::Literal(Literal::Text(value.clone())), Kind::Text),
            Ast::Bool(value) => (Bound::Literal(Literal::Bool(*value)), Kind::Bool),
            Ast::Null => (Bound::Literal(Literal::Null), Kind::Null),
            Ast::Column { name, column } => {
                let field = self.schema.field_with_name(name).map_err(|_| {
                    let available: Vec<&str> = self
                        .schema
                        .fields()
                        .iter()
                        .map(|field| field.name().as_str())
                        .collect();
                    error(
                        self.text,
                        *column,
                        format!("unknown column {name:?}; the columns are {available:?}"),
                    )
                })?;
                let kind = Kind::of(field.data_type());
                let slot = match self.columns.iter().position(|(known, _)| known == name) {
                    Some(slot) => slot,
                    None => {
                        self.columns.push((name.clone(), kind));
                        self.columns.len() - 1
                    }
                };
                (Bound::Column(slot), kind)
            }
            Ast::Not(inner, column) => {
                let inner = self.expect(inner, Kind::Bool, *column, "`not`")?;
                (Bound::Not(Box::new(inner)), Kind::Bool)
            }
            Ast::And(left, right, column) | Ast::Or(left, right, column) => {
                let word = if matches!(ast, Ast::And(..)) {
                    "`and`"
                } else {
                    "`or`"
                };
                let left = self.expect(left, Kind::Bool, *column, word)?;
                let right = self.expect(right, Kind::Bool, *column, word)?;
                let bound = if matches!(ast, Ast::And(..)) {
                    Bound::And(Box::new(left), Box::new(right))
                } else {
                    Bound::Or(Box::new(left), Box::new(right))
                };
                (bound, Kind::Bool)
            }
            Ast::Compare {
                op,
                left,
                right,
                column,
            } => {
                let (left, left_kind) = self.bind(left)?;
                let (right, right_kind) = self.bind(right)?;
                let comparable =
                    left_kind == right_kind || left_kind == Kind::Null || right_kind == Kind::Null;
                if !comparable {
                    return Err(error(
                        self.text,
                        *column,
                        format!(
                            "cannot compare {} with {} using `{}`",
                            left_kind.name(),
                            right_kind.name(),
                            op.symbol()
                        ),
                    ));
                }
                let ordered = !matches!(op, CompareOp::Equal | CompareOp::NotEqual);
                if ordered
                    && (left_kind == Kind::Bool
                        || left_kind == Kind::Null
                        || right_kind == Kind::Null)
                {
                    return Err(error(
                        self.text,
                        *column,
                        format!("`{}` needs numbers or text on both sides", op.symbol()),
                    ));
                }
                (
                    Bound::Compare(*op, Box::new(left), Box::new(right)),
                    Kind::Bool,
                )
            }
            Ast::Call {
                function,
                arguments,
                column,
            } => self.bind_call(function, arguments, *column)?,
        })
    }

    fn bind_call(
        &mut self,
        function: &str,
        arguments: &[Ast],
        column: usize,
    ) -> Result<(Bound, Kind)> {
        let arity = match function {
            "length" | "lower" | "upper" => 1,
            "contains" | "starts_with" | "ends_with" => 2,
            other => {
                return Err(error(
                    self.text,
                    column,
                    format!("unknown function {other:?}; the functions are {FUNCTIONS}"),
                ));
            }
        };
        if arguments.len() != arity {
            return Err(error(
                self.text,
                column,
                format!(
                    "{function}() takes {arity} argument(s), found {}",
                    arguments.len()
                ),
            ));
        }
        let context = format!("{function}()");
        let mut bound = Vec::with_capacity(arity);
        for argument in arguments {
            bound.push(Box::new(self.expect(
                argument,
                Kind::Text,
                column,
                &context,
            )?));
        }
        let mut bound = bound.into_iter();
        let mut next = || bound.next().expect("arity checked above");
        Ok(match function {
            "length" => (Bound::Length(next()), Kind::Number),
            "lower" => (Bound::Lower(next()), Kind::Text),
            "upper" => (Bound::Upper(next()), Kind::Text),
            "contains" => (Bound::Contains(next(), next()), Kind::Bool),
            "starts_with" => (Bound::StartsWith(next(), next()), Kind::Bool),
            _ => (Bound::EndsWith(next(), next()), Kind::Bool),
        })
    }

    fn expect(
        &mut self,
        ast: &Ast,
        wanted: Kind,
        fallback_column: usize,
        context: &str,
    ) -> Result<Bound> {
        let (bound, kind) = self.bind(ast)?;
        if kind == wanted || kind == Kind::Null {
            return Ok(bound);
        }
        let column = match ast.column() {
            0 => fallback_column,
            column => column,
        };
        Err(error(
            self.text,
            column,
            format!(
                "{context} needs {}, but this is {}",
                wanted.name(),
                kind.name()
            ),
        ))
    }
}

fn evaluate<'a>(bound: &'a Bound, arrays: &'a [ArrayRef], row: usize) -> Value<'a> {
    let text = |inner: &'a Bound| match evaluate(inner, arrays, row) {
        Value::Text(text) => Some(text),
        _ => None,
    };
    match bound {
        Bound::Literal(Literal::Number(value)) => Value::Number(*value),
        Bound::Literal(Literal::Text(value)) => Value::Text(Cow::Borrowed(value)),
        Bound::Literal(Literal::Bool(value)) => Value::Bool(*value),
        Bound::Literal(Literal::Null) => Value::Null,
        Bound::Column(slot) => read(&arrays[*slot], row),
        Bound::Length(inner) => text(inner).map_or(Value::Null, |text| {
            Value::Number(text.chars().count() as f64)
        }),
        Bound::Lower(inner) => text(inner).map_or(Value::Null, |text| {
            Value::Text(Cow::Owned(text.to_lowercase()))
        }),
        Bound::Upper(inner) => text(inner).map_or(Value::Null, |text| {
            Value::Text(Cow::Owned(text.to_uppercase()))
        }),
        Bound::Contains(haystack, needle) => {
            both(text(haystack), text(needle), |h, n| h.contains(n))
        }
        Bound::StartsWith(haystack, needle) => {
            both(text(haystack), text(needle), |h, n| h.starts_with(n))
        }
        Bound::EndsWith(haystack, needle) => {
            both(text(haystack), text(needle), |h, n| h.ends_with(n))
        }
        Bound::Not(inner) => match evaluate(inner, arrays, row) {
            Value::Bool(value) => Value::Bool(!value),
            _ => Value::Null,
        },
        Bound::And(left, right) => Value::Bool(
            evaluate(left, arrays, row) == Value::Bool(true)
                && evaluate(right, arrays, row) == Value::Bool(true),
        ),
        Bound::Or(left, right) => Value::Bool(
            evaluate(left, arrays, row) == Value::Bool(true)
                || evaluate(right, arrays, row) == Value::Bool(true),
        ),
        Bound::Compare(op, left, right) => compare(
            *op,
            evaluate(left, arrays, row),
            evaluate(right, arrays, row),
        ),
    }
}

fn both(
    left: Option<Cow<str>>,
    right: Option<Cow<str>>,
    test: impl Fn(&str, &str) -> bool,
) -> Value<'static> {
    match (left, right) {
        (Some(left), Some(right)) => Value::Bool(test(&left, &right)),
        _ => Value::Null,
    }
}

fn compare(op: CompareOp, left: Value, right: Value) -> Value<'static> {
    use std::cmp::Ordering;
    let ordering = match (&left, &right) {
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Number(left), Value::Number(right)) => left.partial_cmp(right),
        (Value::Text(left), Value::Text(right)) => Some(left.cmp(right)),
        (Value::Bool(left), Value::Bool(right)) => Some(left.cmp(right)),
        _ => None,
    };
    let Some(ordering) = ordering else {
        // Against null only `!=` holds, as in SQL's IS DISTINCT FROM.
        return Value::Bool(op == CompareOp::NotEqual);
    };
    Value::Bool(match op {
        CompareOp::Equal => ordering == Ordering::Equal,
        CompareOp::NotEqual => ordering != Ordering::Equal,
        CompareOp::Less => ordering == Ordering::Less,
        CompareOp::LessOrEqual => ordering != Ordering::Greater,
        CompareOp::Greater => ordering == Ordering::Greater,
        CompareOp::GreaterOrEqual => ordering != Ordering::Less,
    })
}

fn read(array: &ArrayRef, row: usize) -> Value<'_> {
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Float64 => Value::Number(array.as_primitive::<Float64Type>().value(row)),
        _ => Value::Text(Cow::Borrowed(array.as_string::<i32>().value(row))),
    }
}
