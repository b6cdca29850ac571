//! String functions: case, trimming, splitting, joining, replacing and regular expressions.

use super::{
    CallError, Function, FunctionContext, argument_error, function, integer_argument,
    string_argument, string_list_argument,
};
use crate::value::Value;
use regex::Regex;

pub(super) const FUNCTIONS: &[Function] = &[
    function("join", "join(separator, list)", 2, None, join),
    function("split", "split(separator, string)", 2, Some(2), split),
    function("lower", "lower(string)", 1, Some(1), lower),
    function("upper", "upper(string)", 1, Some(1), upper),
    function("title", "title(string)", 1, Some(1), title),
    function(
        "replace",
        "replace(string, substring, replacement)",
        3,
        Some(3),
        replace,
    ),
    function("trimspace", "trimspace(string)", 1, Some(1), trimspace),
    function("trim", "trim(string, characters)", 2, Some(2), trim),
    function(
        "trimprefix",
        "trimprefix(string, prefix)",
        2,
        Some(2),
        trimprefix,
    ),
    function(
        "trimsuffix",
        "trimsuffix(string, suffix)",
        2,
        Some(2),
        trimsuffix,
    ),
    function("chomp", "chomp(string)", 1, Some(1), chomp),
    function(
        "substr",
        "substr(string, offset, length)",
        3,
        Some(3),
        substr,
    ),
    function(
        "startswith",
        "startswith(string, prefix)",
        2,
        Some(2),
        startswith,
    ),
    function("endswith", "endswith(string, suffix)", 2, Some(2), endswith),
    function("strrev", "strrev(string)", 1, Some(1), strrev),
    function(
        "strcontains",
        "strcontains(string, substring)",
        2,
        Some(2),
        strcontains,
    ),
    function("indent", "indent(spaces, string)", 2, Some(2), indent),
    function("regex", "regex(pattern, string)", 2, Some(2), regex),
    function(
        "regexall",
        "regexall(pattern, string)",
        2,
        Some(2),
        regexall,
    ),
];

fn text(value: String) -> Result<Value, CallError> {
    Ok(Value::String(value))
}

fn join(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let separator = string_argument(arguments, 0)?;
    let mut parts = Vec::new();
    for index in 1..arguments.len() {
        parts.extend(string_list_argument(arguments, index)?);
    }
    text(parts.join(&separator))
}

fn split(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let separator = string_argument(arguments, 0)?;
    let input = string_argument(arguments, 1)?;
    if input.is_empty() {
        return Ok(Value::List(vec![Value::string("")]));
    }
    let parts: Vec<Value> = if separator.is_empty() {
        input
            .chars()
            .map(|c| Value::String(c.to_string()))
            .collect()
    } else {
        input.split(separator.as_str()).map(Value::string).collect()
    };
    Ok(Value::List(parts))
}

fn lower(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    text(string_argument(arguments, 0)?.to_lowercase())
}

fn upper(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    text(string_argument(arguments, 0)?.to_uppercase())
}

fn title(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let input = string_argument(arguments, 0)?;
    let mut out = String::with_capacity(input.len());
    let mut at_word_start = true;
    for c in input.chars() {
        if at_word_start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_word_start = !c.is_alphanumeric() && c != '\'';
    }
    text(out)
}

/// A `/pattern/` argument compiled as a regular expression, anything else taken literally.
fn regex_literal(pattern: &str) -> Option<&str> {
    pattern
        .strip_prefix('/')
        .and_then(|rest| rest.strip_suffix('/'))
        .filter(|_| pattern.len() >= 2)
}

fn compile(pattern: &str, index: usize) -> Result<Regex, CallError> {
    Regex::new(pattern)
        .map_err(|error| argument_error(index, format!("invalid regular expression: {error}")))
}

fn replace(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let input = string_argument(arguments, 0)?;
    let search = string_argument(arguments, 1)?;
    let replacement = string_argument(arguments, 2)?;
    match regex_literal(&search) {
        Some(pattern) => {
            let compiled = compile(pattern, 1)?;
            text(
                compiled
                    .replace_all(&input, replacement.as_str())
                    .into_owned(),
            )
        }
        None if search.is_empty() => text(input),
        None => text(input.replace(&search, &replacement)),
    }
}

fn trimspace(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    text(string_argument(arguments, 0)?.trim().to_string())
}

fn trim(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let input = string_argument(arguments, 0)?;
    let characters = string_argument(arguments, 1)?;
    text(input.trim_matches(|c| characters.contains(c)).to_string())
}

fn trimprefix(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let input = string_argument(arguments, 0)?;
    let prefix = string_argument(arguments, 1)?;
    text(
        input
            .strip_prefix(prefix.as_str())
            .unwrap_or(&input)
            .to_string(),
    )
}

fn trimsuffix(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let input = string_argument(arguments, 0)?;
    let suffix = string_argument(arguments, 1)?;
    text(
        input
            .strip_suffix(suffix.as_str())
            .unwrap_or(&input)
            .to_string(),
    )
}

fn chomp(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    text(
        string_argument(arguments, 0)?
            .trim_end_matches(['\n', '\r'])
            .to_string(),
    )
}

fn substr(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let input: Vec<char> = string_argument(arguments, 0)?.chars().collect();
    let offset = integer_argument(arguments, 1)?;
    let length = integer_argument(arguments, 2)?;
    let total = input.len() as i64;
    let start = if offset < 0 { total + offset } else { offset };
    if start < 0 || start > total {
        return Err(argument_error(
            1,
            format!("offset {offset} is out of range for a string of {total} characters"),
        ));
    }
    let end = if length < 0 {
        total
    } else {
        (start + length).min(total)
    };
    text(input[start as usize..end as usize].iter().collect())
}

fn startswith(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::Bool(
        string_argument(arguments, 0)?.starts_with(&string_argument(arguments, 1)?),
    ))
}

fn endswith(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::Bool(
        string_argument(arguments, 0)?.ends_with(&string_argument(arguments, 1)?),
    ))
}

fn strcontains(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::Bool(
        string_argument(arguments, 0)?.contains(&string_argument(arguments, 1)?),
    ))
}

fn strrev(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    text(string_argument(arguments, 0)?.chars().rev().collect())
}

/// Far more than any real indentation; bounds the memory one call can ask for.
const MAX_INDENT: i64 = 1024;

fn indent(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let spaces = integer_argument(arguments, 0)?;
    if !(0..=MAX_INDENT).contains(&spaces) {
        return Err(argument_error(
            0,
            format!("the number of spaces must be between 0 and {MAX_INDENT}"),
        ));
    }
    let padding = " ".repeat(spaces as usize);
    let input = string_argument(arguments, 1)?;
    text(input.replace('\n', &format!("\n{padding}")))
}

/// The match as Terraform's `regex` returns it: the whole match, a list of groups, or an object
/// of named groups.
fn capture_value(compiled: &Regex, captures: &regex::Captures) -> Value {
    let named: Vec<&str> = compiled.capture_names().flatten().collect();
    if !named.is_empty() {
        return Value::Object(
            named
                .into_iter()
                .map(|name| {
                    (
                        name.to_string(),
                        captures
                            .name(name)
                            .map_or(Value::Null, |m| Value::string(m.as_str())),
                    )
                })
                .collect(),
        );
    }
    if compiled.captures_len() > 1 {
        return Value::List(
            (1..compiled.captures_len())
                .map(|i| {
                    captures
                        .get(i)
                        .map_or(Value::Null, |m| Value::string(m.as_str()))
                })
                .collect(),
        );
    }
    Value::string(captures.get(0).map_or("", |m| m.as_str()))
}

fn regex(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let compiled = compile(&string_argument(arguments, 0)?, 0)?;
    let input = string_argument(arguments, 1)?;
    match compiled.captures(&input) {
        Some(captures) => Ok(capture_value(&compiled, &captures)),
        None => Err(CallError::Failed(
            "pattern did not match any part of the given string".into(),
        )),
    }
}

fn regexall(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let compiled = compile(&string_argument(arguments, 0)?, 0)?;
    let input = string_argument(arguments, 1)?;
    Ok(Value::List(
        compiled
            .captures_iter(&input)
            .map(|c| capture_value(&compiled, &c))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::check;

    #[test]
    fn string_functions_match_terraform_documentation() {
        check(&[
            (r#"join(", ", ["foo", "bar", "baz"])"#, r#""foo, bar, baz""#),
            (r#"join(", ", ["foo"])"#, r#""foo""#),
            (r#"join("-", ["a"], ["b", "c"])"#, r#""a-b-c""#),
            (r#"split(",", "foo,bar,baz")"#, r#"["foo", "bar", "baz"]"#),
            (r#"split(",", "foo")"#, r#"["foo"]"#),
            (r#"split(",", "")"#, r#"[""]"#),
            (r#"lower("HELLO")"#, r#""hello""#),
            (r#"lower("АЛЛО!")"#, r#""алло!""#),
            (r#"upper("hello")"#, r#""HELLO""#),
            (r#"title("hello world")"#, r#""Hello World""#),
            (r#"replace("1 + 2 + 3", "+", "-")"#, r#""1 - 2 - 3""#),
            (
                r#"replace("hello world", "/w.*d/", "everybody")"#,
                r#""hello everybody""#,
            ),
            (
                r#"replace("hello", "/(/", "x")"#,
                "error: invalid regular expression",
            ),
            (r#"trimspace("  hello\n\n")"#, r#""hello""#),
            (r#"trim("?!hello?!", "!?")"#, r#""hello""#),
            (r#"trimprefix("helloworld", "hello")"#, r#""world""#),
            (r#"trimprefix("helloworld", "cat")"#, r#""helloworld""#),
            (r#"trimsuffix("helloworld", "world")"#, r#""hello""#),
            (r#"chomp("hello\n\n")"#, r#""hello""#),
            (r#"substr("hello world", 1, 4)"#, r#""ello""#),
            (r#"substr("🤔🤷", 0, 1)"#, r#""🤔""#),
            (r#"substr("hello world", -5, -1)"#, r#""world""#),
            (r#"substr("hello", 10, 1)"#, "error: out of range"),
            (r#"startswith("hello world", "hello")"#, "true"),
            (r#"startswith("hello world", "world")"#, "false"),
            (r#"endswith("hello world", "world")"#, "true"),
            (r#"strrev("hello")"#, r#""olleh""#),
            (r#"strcontains("hello world", "wor")"#, "true"),
            (r#"indent(2, "a\nb")"#, r#""a\n  b""#),
            (r#"indent(1e9, "a\nb")"#, "error: between 0 and 1024"),
            (
                r#"regex("[a-z]+", "53453453.345345aaabbbccc23454")"#,
                r#""aaabbbccc""#,
            ),
            (
                r#"regex("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01")"#,
                r#"["2019", "02", "01"]"#,
            ),
            (
                r#"regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")"#,
                r#"{ authority = "terraform.io", scheme = "https" }"#,
            ),
            (r#"regex("[a-z]+", "123")"#, "error: pattern did not match"),
            (
                r#"regexall("[a-z]+", "1234abcd5678efgh9")"#,
                r#"["abcd", "efgh"]"#,
            ),
            (r#"length(regexall("[a-z]+", "1234abcd5678efgh9"))"#, "2"),
            (r#"upper(42)"#, r#""42""#),
        ]);
    }
}
