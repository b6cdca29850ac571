//! Encoding functions: JSON, YAML, base64 and URL encoding.

use super::{CallError, Function, FunctionContext, argument_error, function, string_argument};
use crate::value::{Value, format_number};
use base64::Engine as _;

pub(super) const FUNCTIONS: &[Function] = &[
    function("jsonencode", "jsonencode(value)", 1, Some(1), jsonencode),
    function("jsondecode", "jsondecode(string)", 1, Some(1), jsondecode),
    function("yamlencode", "yamlencode(value)", 1, Some(1), yamlencode),
    function(
        "base64encode",
        "base64encode(string)",
        1,
        Some(1),
        base64encode,
    ),
    function(
        "base64decode",
        "base64decode(string)",
        1,
        Some(1),
        base64decode,
    ),
    function("urlencode", "urlencode(string)", 1, Some(1), urlencode),
];

fn jsonencode(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let json = arguments[0]
        .to_json()
        .ok_or_else(|| argument_error(0, "value must be known"))?;
    Ok(Value::String(json.to_string()))
}

fn jsondecode(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let text = string_argument(arguments, 0)?;
    serde_json::from_str(&text)
        .map(Value::from_json)
        .map_err(|error| argument_error(0, format!("invalid JSON: {error}")))
}

/// Terraform's YAML style: strings double-quoted, sequences under a key not indented.
fn yaml_block(value: &Value, indent: usize, out: &mut String) {
    let padding = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                out.push_str(&padding);
                out.push_str(&serde_json::Value::String(key.clone()).to_string());
                out.push(':');
                match item {
                    Value::Object(inner) if !inner.is_empty() => {
                        out.push('\n');
                        yaml_block(item, indent + 2, out);
                    }
                    Value::List(inner) if !inner.is_empty() => {
                        out.push('\n');
                        yaml_block(item, indent, out);
                    }
                    scalar => {
                        out.push(' ');
                        out.push_str(&yaml_inline(scalar));
                        out.push('\n');
                    }
                }
            }
        }
        Value::List(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&padding);
                out.push('-');
                match item {
                    Value::Object(inner) if !inner.is_empty() => yaml_item(item, indent, out),
                    Value::List(inner) if !inner.is_empty() => yaml_item(item, indent, out),
                    scalar => {
                        out.push(' ');
                        out.push_str(&yaml_inline(scalar));
                        out.push('\n');
                    }
                }
            }
        }
        scalar => {
            out.push_str(&padding);
            out.push_str(&yaml_inline(scalar));
            out.push('\n');
        }
    }
}

/// A collection inside a sequence item starts on the dash's line.
fn yaml_item(item: &Value, indent: usize, out: &mut String) {
    let mut nested = String::new();
    yaml_block(item, indent + 2, &mut nested);
    out.push(' ');
    out.push_str(&nested[indent + 2..]);
}

fn yaml_inline(value: &Value) -> String {
    match value {
        Value::Null | Value::Unknown => "null".into(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => format_number(number),
        Value::String(text) => serde_json::Value::String(text.clone()).to_string(),
        Value::List(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

fn yamlencode(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let mut out = String::new();
    yaml_block(&arguments[0], 0, &mut out);
    Ok(Value::String(out))
}
fn base64encode(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(string_argument(arguments, 0)?),
    ))
}

fn base64decode(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(string_argument(arguments, 0)?)
        .map_err(|error| argument_error(0, format!("failed to decode base64 data: {error}")))?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        argument_error(
            0,
            "the decoded result is not valid UTF-8; use filebase64 for binary data",
        )
    })
}

fn urlencode(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let text = string_argument(arguments, 0)?;
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::check;

    #[test]
    fn encoding_functions_match_terraform_documentation() {
        check(&[
            (
                r#"jsonencode({"hello"="world"})"#,
                r#""{\"hello\":\"world\"}""#,
            ),
            (
                r#"jsonencode([1, "a", null, true])"#,
                r#""[1,\"a\",null,true]""#,
            ),
            (
                r#"jsondecode("{\"hello\": \"world\"}")"#,
                r#"{hello = "world"}"#,
            ),
            (r#"jsondecode("true")"#, "true"),
            (r#"jsondecode("{")"#, "error: invalid JSON"),
            (
                r#"yamlencode({"a":"b", "c":"d"})"#,
                r#""\"a\": \"b\"\n\"c\": \"d\"\n""#,
            ),
            (
                r#"yamlencode({"foo":[1, 2, 3], "bar": "baz"})"#,
                r#""\"bar\": \"baz\"\n\"foo\":\n- 1\n- 2\n- 3\n""#,
            ),
            (
                r#"yamlencode({"foo":[1, {"a":"b","c":"d"}, 3], "bar": "baz"})"#,
                r#""\"bar\": \"baz\"\n\"foo\":\n- 1\n- \"a\": \"b\"\n  \"c\": \"d\"\n- 3\n""#,
            ),
            (r#"base64encode("Hello World")"#, r#""SGVsbG8gV29ybGQ=""#),
            (r#"base64decode("SGVsbG8gV29ybGQ=")"#, r#""Hello World""#),
            (r#"base64decode("!!")"#, "error: failed to decode base64"),
            (r#"urlencode("Hello World!")"#, r#""Hello%20World%21""#),
            (r#"urlencode("☃")"#, r#""%E2%98%83""#),
        ]);
    }
}
