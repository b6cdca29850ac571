//! Type conversion functions: `tostring`, `tonumber`, `tolist`, ...

use super::{CallError, Function, FunctionContext, argument_error, function};
use crate::types::TypeConstraint;
use crate::value::Value;

pub(super) const FUNCTIONS: &[Function] = &[
    function("tostring", "tostring(value)", 1, Some(1), tostring),
    function("tonumber", "tonumber(value)", 1, Some(1), tonumber),
    function("tobool", "tobool(value)", 1, Some(1), tobool),
    function("tolist", "tolist(value)", 1, Some(1), tolist),
    function("toset", "toset(value)", 1, Some(1), toset),
    function("tomap", "tomap(value)", 1, Some(1), tomap),
    Function {
        accepts_unknown: true,
        ..function("sensitive", "sensitive(value)", 1, Some(1), unchanged)
    },
    Function {
        accepts_unknown: true,
        ..function("nonsensitive", "nonsensitive(value)", 1, Some(1), unchanged)
    },
];

/// `sensitive` and `nonsensitive`: lathe tracks sensitivity per variable and output declaration,
/// not per value, so these return their argument unchanged and configurations using them load.
fn unchanged(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(arguments[0].clone())
}

fn convert(arguments: &[Value], kind: TypeConstraint) -> Result<Value, CallError> {
    kind.convert(arguments[0].clone())
        .map_err(|message| argument_error(0, format!("cannot convert to {kind}: {message}")))
}

fn tostring(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    convert(arguments, TypeConstraint::String)
}

fn tonumber(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    convert(arguments, TypeConstraint::Number)
}

fn tobool(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    convert(arguments, TypeConstraint::Bool)
}

/// Elements of a list or set must share one type: mixed primitives become strings, as in
/// Terraform's unification.
fn unify(items: &[Value]) -> TypeConstraint {
    let mut kinds = items.iter().filter(|v| !v.is_null()).map(Value::type_name);
    match kinds.next() {
        Some(first) if kinds.all(|k| k == first) => TypeConstraint::Any,
        Some(_)
            if items.iter().all(|v| {
                matches!(
                    v,
                    Value::Null | Value::String(_) | Value::Number(_) | Value::Bool(_)
                )
            }) =>
        {
            TypeConstraint::String
        }
        _ => TypeConstraint::Any,
    }
}

fn tolist(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    match &arguments[0] {
        Value::List(items) => convert(arguments, TypeConstraint::List(Box::new(unify(items)))),
        other => Err(argument_error(
            0,
            format!("cannot convert {} to list", other.type_name()),
        )),
    }
}

fn toset(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    match &arguments[0] {
        Value::List(items) => convert(arguments, TypeConstraint::Set(Box::new(unify(items)))),
        other => Err(argument_error(
            0,
            format!("cannot convert {} to set", other.type_name()),
        )),
    }
}

fn tomap(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    match &arguments[0] {
        Value::Object(map) => {
            let items: Vec<Value> = map.values().cloned().collect();
            convert(arguments, TypeConstraint::Map(Box::new(unify(&items))))
        }
        other => Err(argument_error(
            0,
            format!("cannot convert {} to map", other.type_name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::check;

    #[test]
    fn conversion_functions_match_terraform_documentation() {
        check(&[
            (r#"tostring("hello")"#, r#""hello""#),
            ("tostring(1)", r#""1""#),
            ("tostring(true)", r#""true""#),
            ("tostring(null)", "null"),
            ("tostring([])", "error: cannot convert to string"),
            ("tonumber(1)", "1"),
            (r#"tonumber("1")"#, "1"),
            (r#"tonumber("no")"#, "error: a number is required"),
            ("tonumber(null)", "null"),
            (r#"tobool("true")"#, "true"),
            (r#"tobool("no")"#, "error: neither"),
            (r#"tolist(["a", "b", 3])"#, r#"["a", "b", "3"]"#),
            (r#"toset(["a", "b", "c", "a"])"#, r#"["a", "b", "c"]"#),
            (r#"toset(["c", "b", "b"])"#, r#"["b", "c"]"#),
            ("toset([10, 2, 10])", "[2, 10]"),
            (
                r#"tomap({"a" = 1, "b" = true})"#,
                r#"{a = "1", b = "true"}"#,
            ),
            (r#"tomap("x")"#, "error: cannot convert string to map"),
            (r#"try(tonumber("x"), 7)"#, "7"),
            (r#"try(local.nothing, "fallback")"#, r#""fallback""#),
            (r#"try(var.unknown, "fallback")"#, "var.unknown"),
            (r#"try(tonumber("x"))"#, "error: no expression succeeded"),
            ("try()", "error: at least one argument"),
            (r#"can(tonumber("x"))"#, "false"),
            (r#"can(tonumber("1"))"#, "true"),
            (r#"sensitive("secret")"#, r#""secret""#),
            ("nonsensitive([var.unknown])", "[var.unknown]"),
        ]);
    }
}
