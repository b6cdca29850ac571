//! Numeric functions.

use super::{
    CallError, Function, FunctionContext, argument_error, function, integer_argument,
    number_argument, string_argument,
};
use crate::value::Value;

pub(super) const FUNCTIONS: &[Function] = &[
    function("min", "min(numbers...)", 1, None, min),
    function("max", "max(numbers...)", 1, None, max),
    function("abs", "abs(number)", 1, Some(1), abs),
    function("ceil", "ceil(number)", 1, Some(1), ceil),
    function("floor", "floor(number)", 1, Some(1), floor),
    function("pow", "pow(base, exponent)", 2, Some(2), pow),
    function("signum", "signum(number)", 1, Some(1), signum),
    function("log", "log(number, base)", 2, Some(2), log),
    function("parseint", "parseint(string, base)", 2, Some(2), parseint),
];

fn finite(number: f64) -> Result<Value, CallError> {
    if number.is_finite() {
        Ok(Value::number(number))
    } else {
        Err(CallError::Failed(
            "the result is not a finite number".into(),
        ))
    }
}

fn numbers(arguments: &[Value]) -> Result<Vec<f64>, CallError> {
    (0..arguments.len())
        .map(|index| number_argument(arguments, index))
        .collect()
}

fn min(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    finite(
        numbers(arguments)?
            .into_iter()
            .fold(f64::INFINITY, f64::min),
    )
}

fn max(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    finite(
        numbers(arguments)?
            .into_iter()
            .fold(f64::NEG_INFINITY, f64::max),
    )
}

fn abs(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    finite(number_argument(arguments, 0)?.abs())
}

fn ceil(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    finite(number_argument(arguments, 0)?.ceil())
}

fn floor(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    finite(number_argument(arguments, 0)?.floor())
}

fn pow(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    finite(number_argument(arguments, 0)?.powf(number_argument(arguments, 1)?))
}

fn signum(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let number = number_argument(arguments, 0)?;
    Ok(Value::integer(if number > 0.0 {
        1
    } else if number < 0.0 {
        -1
    } else {
        0
    }))
}

fn log(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    finite(number_argument(arguments, 0)?.log(number_argument(arguments, 1)?))
}

fn parseint(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let text = string_argument(arguments, 0)?;
    let base = integer_argument(arguments, 1)?;
    if !(2..=62).contains(&base) {
        return Err(argument_error(
            1,
            format!("base must be between 2 and 62 inclusive, but have {base}"),
        ));
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let parsed = i64::from_str_radix(digits, base as u32).map_err(|_| {
        argument_error(
            0,
            format!("cannot parse \"{text}\" as a base {base} integer"),
        )
    })?;
    Ok(Value::integer(if negative { -parsed } else { parsed }))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::check;

    #[test]
    fn numeric_functions_match_terraform_documentation() {
        check(&[
            ("min(12, 54, 3)", "3"),
            ("min([12, 54, 3]...)", "3"),
            ("max(12, 54, 3)", "54"),
            (r#"max("7", 2)"#, "7"),
            ("max()", "error: its signature is max(numbers...)"),
            (r#"max("x")"#, "error: a number is required"),
            ("abs(23)", "23"),
            ("abs(-12.4)", "12.4"),
            ("ceil(5.1)", "6"),
            ("floor(4.9)", "4"),
            ("floor(-4.1)", "-5"),
            ("pow(3, 2)", "9"),
            ("pow(4, 0)", "1"),
            ("signum(-13)", "-1"),
            ("signum(0)", "0"),
            ("signum(344)", "1"),
            ("log(16, 2)", "4"),
            (r#"parseint("100", 10)"#, "100"),
            (r#"parseint("FF", 16)"#, "255"),
            (r#"parseint("-10", 16)"#, "-16"),
            (r#"parseint("1011111011101111", 2)"#, "48879"),
            (r#"parseint("xyz", 10)"#, "error: cannot parse"),
            ("5 / 0", "error: Division by zero"),
            ("1 + 2 * 3 - 4 % 3", "6"),
            ("7 / 2", "3.5"),
            (r#""3" + 4"#, "7"),
            ("-(3)", "-3"),
            ("1 < 2 && 2 >= 2", "true"),
            ("!true || false", "false"),
            (r#"1 == "1""#, "false"),
            ("[1, 2] == [1, 2]", "true"),
            ("{a = 1} != {a = 1}", "false"),
            ("var.unknown + 1", "var.unknown"),
            ("false && var.unknown", "false"),
            ("true || var.unknown", "true"),
            ("true && var.unknown", "var.unknown"),
            ("var.unknown == 1", "var.unknown"),
            ("\"a\" * 2", "error: a number is required"),
        ]);
    }
}
