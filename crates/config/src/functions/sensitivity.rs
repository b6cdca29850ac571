//! `sensitive`, `nonsensitive` and `issensitive`: the only functions that see marks.

use super::{CallError, Function, FunctionContext, function};
use crate::value::Value;

const fn seeing_marks(function: Function) -> Function {
    Function {
        accepts_unknown: true,
        sees_marks: true,
        ..function
    }
}

pub(super) const FUNCTIONS: &[Function] = &[
    seeing_marks(function(
        "sensitive",
        "sensitive(value)",
        1,
        Some(1),
        sensitive,
    )),
    seeing_marks(function(
        "nonsensitive",
        "nonsensitive(value)",
        1,
        Some(1),
        nonsensitive,
    )),
    seeing_marks(function(
        "issensitive",
        "issensitive(value)",
        1,
        Some(1),
        issensitive,
    )),
];

fn sensitive(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(arguments[0].clone().mark_sensitive())
}

/// As in Terraform, only the value's own mark is removed: sensitive elements of a collection
/// stay sensitive until they are unmarked one by one.
fn nonsensitive(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(arguments[0].clone().unmark().0)
}

/// Unknown for an unknown value not yet marked: it may still turn out sensitive.
fn issensitive(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let value = &arguments[0];
    Ok(if value.is_sensitive() {
        Value::Bool(true)
    } else if value.is_unknown() {
        Value::Unknown
    } else {
        Value::Bool(false)
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;

    #[test]
    fn marks_follow_values_through_every_kind_of_expression() {
        check(&[
            (r#"sensitive("secret")"#, r#"sensitive("secret")"#),
            ("nonsensitive(var.secret)", r#""s3cr3t""#),
            (r#"nonsensitive("plain")"#, r#""plain""#),
            ("nonsensitive([var.secret])", "[var.secret]"),
            ("issensitive(var.secret)", "true"),
            (r#"issensitive("plain")"#, "false"),
            ("issensitive([var.secret])", "false"),
            ("issensitive(var.unknown)", "var.unknown"),
            ("issensitive(sensitive(var.unknown))", "true"),
            ("upper(var.secret)", r#"sensitive("S3CR3T")"#),
            ("length(var.secret)", "sensitive(6)"),
            (
                r#"jsonencode({p = var.secret})"#,
                r#"sensitive("{\"p\":\"s3cr3t\"}")"#,
            ),
            (r#""x-${var.secret}""#, r#"sensitive("x-s3cr3t")"#),
            (r#""${var.secret}""#, "var.secret"),
            (
                r#""%{ if var.secret == "" }a%{ endif }b""#,
                r#"sensitive("b")"#,
            ),
            (r#"var.secret == "x" ? 1 : 2"#, "sensitive(2)"),
            (r#"true ? var.secret : "b""#, "var.secret"),
            (r#"false ? var.secret : "b""#, r#""b""#),
            (r#"var.secret + 1"#, "error: Invalid operand"),
            (r#"[var.secret, "a"]"#, r#"[sensitive("s3cr3t"), "a"]"#),
            (r#"[var.secret, "a"][1]"#, r#""a""#),
            (r#"{ a = var.secret, b = "b" }.b"#, r#""b""#),
            (r#"{ a = var.secret, b = "b" }.a"#, "var.secret"),
            (
                r#"[for s in [var.secret, "a"] : upper(s)]"#,
                r#"[sensitive("S3CR3T"), "A"]"#,
            ),
            (r#"[for s in sensitive(["a"]) : s]"#, r#"sensitive(["a"])"#),
            (
                r#"{for k, v in { x = var.secret, y = "y" } : k => v}"#,
                r#"{ x = var.secret, y = "y" }"#,
            ),
            (r#"sensitive(["a"])[0]"#, r#"sensitive("a")"#),
            ("sensitive({ a = 1 }).a", "sensitive(1)"),
            ("sensitive([{ a = 1 }])[*].a", "sensitive([1])"),
            ("{ (var.secret) = 1 }", "sensitive({ s3cr3t = 1 })"),
            (r#"[1, 2][nonsensitive(sensitive(0))]"#, "1"),
            (r#"["a", "b"][sensitive(1)]"#, r#"sensitive("b")"#),
            (
                r#"concat([var.secret], ["a"])"#,
                r#"sensitive(["s3cr3t", "a"])"#,
            ),
            (r#"try(var.secret, "x")"#, "var.secret"),
            ("sensitive()", "error: Wrong number of function arguments"),
        ]);
    }
}
