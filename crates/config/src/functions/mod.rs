//! Terraform's built-in functions, one file per family, behind one dispatch table.

mod collections;
mod conversion;
mod crypto;
mod datetime;
mod encoding;
mod filesystem;
mod format;
mod numeric;
mod strings;

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::types::TypeConstraint;
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// What functions that touch the outside world need.
#[derive(Debug, Clone, Copy)]
pub struct FunctionContext<'a> {
    /// Relative paths given to `file` and friends resolve against this folder (`path.module`).
    pub base_directory: &'a Path,
}

/// Why one call failed, before it is placed at a span.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    /// The argument at this position (0-based) is unsuitable.
    #[error("invalid value for argument {}: {message}", index + 1)]
    Argument { index: usize, message: String },
    /// The call as a whole failed.
    #[error("{0}")]
    Failed(String),
}

/// Why a function call failed, with what is needed to explain it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FunctionError {
    #[error("there is no such function")]
    UnknownFunction { suggestion: Option<String> },
    #[error("{given} argument(s) given, but the signature is {signature}")]
    Arity {
        signature: &'static str,
        given: usize,
    },
    #[error("invalid value for argument {}: {message}", index + 1)]
    Argument {
        signature: &'static str,
        index: usize,
        message: String,
    },
    #[error("{message}")]
    Failed {
        signature: &'static str,
        message: String,
    },
}

impl FunctionError {
    pub fn into_diagnostic(self, name: &str, span: Span) -> Diagnostic {
        match self {
            FunctionError::UnknownFunction { suggestion } => {
                let diagnostic = Diagnostic::error("Call to unknown function")
                    .with_span(span)
                    .with_detail(format!("There is no function named \"{name}\"."));
                match suggestion {
                    Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
                    None => diagnostic.with_help("see the list of Terraform's built-in functions"),
                }
            }
            FunctionError::Arity { signature, given } => Diagnostic::error("Wrong number of function arguments")
                .with_span(span)
                .with_detail(format!("Function \"{name}\" was given {given} argument(s), but its signature is {signature}."))
                .with_help(format!("call it as {signature}")),
            FunctionError::Argument { signature, index, message } => Diagnostic::error("Invalid function argument")
                .with_span(span)
                .with_detail(format!("Invalid value for argument {} of \"{name}\": {message}.", index + 1))
                .with_help(format!("the signature is {signature}")),
            FunctionError::Failed { signature, message } => Diagnostic::error("Error in function call")
                .with_span(span)
                .with_detail(format!("Call to function \"{name}\" failed: {message}."))
                .with_help(format!("the signature is {signature}")),
        }
    }
}

pub(crate) type Implementation = fn(&[Value], &FunctionContext) -> Result<Value, CallError>;

/// One built-in function.
pub(crate) struct Function {
    pub name: &'static str,
    pub signature: &'static str,
    pub min_arguments: usize,
    /// `None` for variadic functions.
    pub max_arguments: Option<usize>,
    /// Whether it receives unknown arguments (e.g. `length` of a list with unknown elements)
    /// rather than answering unknown for them.
    pub accepts_unknown: bool,
    pub implementation: Implementation,
}

const fn function(
    name: &'static str,
    signature: &'static str,
    min_arguments: usize,
    max_arguments: Option<usize>,
    implementation: Implementation,
) -> Function {
    Function {
        name,
        signature,
        min_arguments,
        max_arguments,
        accepts_unknown: false,
        implementation,
    }
}

fn families() -> [&'static [Function]; 9] {
    [
        strings::FUNCTIONS,
        format::FUNCTIONS,
        collections::FUNCTIONS,
        conversion::FUNCTIONS,
        encoding::FUNCTIONS,
        filesystem::FUNCTIONS,
        crypto::FUNCTIONS,
        datetime::FUNCTIONS,
        numeric::FUNCTIONS,
    ]
}

fn find(name: &str) -> Option<&'static Function> {
    families().into_iter().flatten().find(|f| f.name == name)
}

/// Every built-in function's name, `try` and `can` included.
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = families().into_iter().flatten().map(|f| f.name).collect();
    names.extend(["try", "can"]);
    names.sort_unstable();
    names
}

pub fn signature(name: &str) -> Option<&'static str> {
    match name {
        "try" => Some("try(expressions...)"),
        "can" => Some("can(expression)"),
        _ => find(name).map(|f| f.signature),
    }
}

/// Calls a built-in function. An unknown argument makes the result unknown unless the function
/// handles unknowns itself. (`try` and `can` need unevaluated arguments: the evaluator owns them.)
pub fn call(
    name: &str,
    arguments: Vec<Value>,
    context: &FunctionContext,
) -> Result<Value, FunctionError> {
    let name = name.strip_prefix("core::").unwrap_or(name);
    let Some(function) = find(name) else {
        return Err(FunctionError::UnknownFunction {
            suggestion: did_you_mean(name, names()).map(str::to_string),
        });
    };
    let count = arguments.len();
    if count < function.min_arguments || function.max_arguments.is_some_and(|max| count > max) {
        return Err(FunctionError::Arity {
            signature: function.signature,
            given: count,
        });
    }
    if !function.accepts_unknown && arguments.iter().any(|a| !a.is_known()) {
        return Ok(Value::Unknown);
    }
    (function.implementation)(&arguments, context).map_err(|error| match error {
        CallError::Argument { index, message } => FunctionError::Argument {
            signature: function.signature,
            index,
            message,
        },
        CallError::Failed(message) => FunctionError::Failed {
            signature: function.signature,
            message,
        },
    })
}

// Argument accessors: each converts as Terraform's parameter types do and says what was wrong.

pub(crate) fn argument_error(index: usize, message: impl Into<String>) -> CallError {
    CallError::Argument {
        index,
        message: message.into(),
    }
}

fn not_null(arguments: &[Value], index: usize) -> Result<&Value, CallError> {
    match arguments.get(index) {
        Some(Value::Null) | None => Err(argument_error(index, "argument must not be null")),
        Some(value) => Ok(value),
    }
}

pub(crate) fn string_argument(arguments: &[Value], index: usize) -> Result<String, CallError> {
    match TypeConstraint::String.convert(not_null(arguments, index)?.clone()) {
        Ok(Value::String(text)) => Ok(text),
        Ok(other) => Err(argument_error(
            index,
            format!("string required, but have {}", other.type_name()),
        )),
        Err(message) => Err(argument_error(index, message)),
    }
}

pub(crate) fn number_argument(arguments: &[Value], index: usize) -> Result<f64, CallError> {
    match TypeConstraint::Number.convert(not_null(arguments, index)?.clone()) {
        Ok(Value::Number(number)) => Ok(number.as_f64().unwrap_or(0.0)),
        Ok(other) => Err(argument_error(
            index,
            format!("number required, but have {}", other.type_name()),
        )),
        Err(message) => Err(argument_error(index, message)),
    }
}

pub(crate) fn integer_argument(arguments: &[Value], index: usize) -> Result<i64, CallError> {
    let number = number_argument(arguments, index)?;
    if number.fract() != 0.0 || number.abs() > 9.0e15 {
        return Err(argument_error(
            index,
            format!("a whole number is required, but have {number}"),
        ));
    }
    Ok(number as i64)
}

pub(crate) fn bool_argument(arguments: &[Value], index: usize) -> Result<bool, CallError> {
    match TypeConstraint::Bool.convert(not_null(arguments, index)?.clone()) {
        Ok(Value::Bool(flag)) => Ok(flag),
        Ok(other) => Err(argument_error(
            index,
            format!("bool required, but have {}", other.type_name()),
        )),
        Err(message) => Err(argument_error(index, message)),
    }
}

pub(crate) fn list_argument(arguments: &[Value], index: usize) -> Result<&[Value], CallError> {
    match not_null(arguments, index)? {
        Value::List(items) => Ok(items),
        other => Err(argument_error(
            index,
            format!(
                "list, set or tuple required, but have {}",
                other.type_name()
            ),
        )),
    }
}

pub(crate) fn object_argument(
    arguments: &[Value],
    index: usize,
) -> Result<&BTreeMap<String, Value>, CallError> {
    match not_null(arguments, index)? {
        Value::Object(map) => Ok(map),
        other => Err(argument_error(
            index,
            format!("map or object required, but have {}", other.type_name()),
        )),
    }
}

/// A list's elements as strings (numbers and bools convert), for `join`, `sort` and friends.
pub(crate) fn string_list_argument(
    arguments: &[Value],
    index: usize,
) -> Result<Vec<String>, CallError> {
    list_argument(arguments, index)?
        .iter()
        .enumerate()
        .map(
            |(position, item)| match TypeConstraint::String.convert(item.clone()) {
                Ok(Value::String(text)) => Ok(text),
                Ok(_) => Err(argument_error(
                    index,
                    format!("element {position} is null; elements must be strings"),
                )),
                Err(message) => Err(argument_error(
                    index,
                    format!("element {position}: {message}"),
                )),
            },
        )
        .collect()
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::{FunctionContext, call};
    use crate::value::Value;
    use std::path::Path;

    /// Evaluates `expression` (HCL, functions and literals only) as the evaluator would.
    pub fn evaluate(expression: &str, base_directory: &Path) -> Result<Value, String> {
        let ast = hcl_edit::parser::parse_expr(expression).map_err(|e| format!("parse: {e}"))?;
        let mut context = crate::eval::EvalContext::new(base_directory);
        context.variables.insert("unknown".into(), Value::Unknown);
        crate::eval::evaluate_ast(
            &ast,
            crate::source::FileId(0),
            &(0..expression.len()),
            &context,
            &[],
        )
        .map_err(|diagnostics| {
            diagnostics
                .iter()
                .map(|d| {
                    let help = d
                        .help
                        .as_ref()
                        .map(|h| format!(" (help: {h})"))
                        .unwrap_or_default();
                    format!(
                        "{}: {}{help}",
                        d.summary,
                        d.detail.clone().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Checks each `(expression, expected)` pair: `expected` is HCL for the value, or
    /// `error: text` for a failure whose message contains `text`.
    pub fn check(cases: &[(&str, &str)]) {
        check_in(cases, Path::new("."));
    }

    pub fn check_in(cases: &[(&str, &str)], base_directory: &Path) {
        for (expression, expected) in cases {
            let actual = evaluate(expression, base_directory);
            match expected.strip_prefix("error: ") {
                Some(fragment) => match actual {
                    Err(message) => assert!(
                        message.contains(fragment),
                        "{expression}: error {message:?} lacks {fragment:?}"
                    ),
                    Ok(value) => panic!(
                        "{expression}: expected an error containing {fragment:?}, got {value}"
                    ),
                },
                None => {
                    let wanted = evaluate(expected, base_directory)
                        .unwrap_or_else(|e| panic!("expected value {expected}: {e}"));
                    match actual {
                        Ok(value) => assert!(
                            value.language_equals(&wanted),
                            "{expression}: got {value}, expected {wanted}"
                        ),
                        Err(message) => panic!("{expression}: unexpected error {message}"),
                    }
                }
            }
        }
    }

    #[test]
    fn every_function_has_table_driven_cases() {
        let sources = [
            include_str!("strings.rs"),
            include_str!("format.rs"),
            include_str!("collections.rs"),
            include_str!("conversion.rs"),
            include_str!("encoding.rs"),
            include_str!("filesystem.rs"),
            include_str!("crypto.rs"),
            include_str!("datetime.rs"),
            include_str!("numeric.rs"),
        ];
        let tests: Vec<&str> = sources
            .iter()
            .filter_map(|s| s.split_once("#[cfg(test)]").map(|(_, t)| t))
            .collect();
        for name in super::names() {
            let call = format!("{name}(");
            assert!(
                tests.iter().any(|t| t.contains(&call)),
                "function {name} has no test case"
            );
        }
    }

    #[test]
    fn unknown_function_suggests_a_name_and_arity_names_the_signature() {
        check(&[
            ("uper(\"a\")", "error: There is no function named \"uper\""),
            (
                "join(\",\")",
                "error: its signature is join(separator, list)",
            ),
            (
                "upper([1])",
                "error: Invalid value for argument 1 of \"upper\": string required, but have list",
            ),
        ]);
        let context = FunctionContext {
            base_directory: Path::new("."),
        };
        assert_eq!(
            call("upper", vec![Value::Unknown], &context),
            Ok(Value::Unknown)
        );
        assert_eq!(
            call("core::upper", vec![Value::string("a")], &context),
            Ok(Value::string("A"))
        );
    }
}
