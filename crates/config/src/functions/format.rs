//! `format` and `formatlist`: Terraform's printf-like verbs.

use super::{CallError, Function, FunctionContext, argument_error, function, string_argument};
use crate::types::TypeConstraint;
use crate::value::{Value, format_number};

pub(super) const FUNCTIONS: &[Function] = &[
    function("format", "format(spec, values...)", 1, None, format),
    function(
        "formatlist",
        "formatlist(spec, values...)",
        1,
        None,
        formatlist,
    ),
];

#[derive(Debug, Default)]
struct Verb {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
    /// Explicit 1-based argument index from `%[n]`.
    argument: Option<usize>,
    letter: char,
}

enum Piece {
    Literal(String),
    Verb(Verb),
}

fn parse_digits(chars: &[char], position: &mut usize) -> Option<usize> {
    let start = *position;
    while *position < chars.len() && chars[*position].is_ascii_digit() {
        *position += 1;
    }
    (start != *position).then(|| {
        chars[start..*position]
            .iter()
            .collect::<String>()
            .parse()
            .unwrap_or(usize::MAX)
            .min(1 << 16)
    })
}

fn parse_spec(spec: &str) -> Result<Vec<Piece>, CallError> {
    let chars: Vec<char> = spec.chars().collect();
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut position = 0;
    while position < chars.len() {
        let c = chars[position];
        position += 1;
        if c != '%' {
            literal.push(c);
            continue;
        }
        if chars.get(position) == Some(&'%') {
            literal.push('%');
            position += 1;
            continue;
        }
        let mut verb = Verb::default();
        while let Some(flag) = chars.get(position) {
            match flag {
                '-' => verb.minus = true,
                '+' => verb.plus = true,
                ' ' => verb.space = true,
                '0' => verb.zero = true,
                '#' => verb.sharp = true,
                _ => break,
            }
            position += 1;
        }
        if chars.get(position) == Some(&'[') {
            position += 1;
            let index = parse_digits(&chars, &mut position);
            if chars.get(position) != Some(&']') || index.is_none_or(|i| i == 0) {
                return Err(argument_error(
                    0,
                    "invalid argument index in format spec: use %[N] with N from 1",
                ));
            }
            position += 1;
            verb.argument = index;
        }
        verb.width = parse_digits(&chars, &mut position);
        if chars.get(position) == Some(&'.') {
            position += 1;
            verb.precision = Some(parse_digits(&chars, &mut position).unwrap_or(0));
        }
        let Some(&letter) = chars.get(position) else {
            return Err(argument_error(
                0,
                "format spec ends with an unfinished verb; write %% for a literal percent sign",
            ));
        };
        position += 1;
        if !"vtbdoxXeEfgGsq".contains(letter) {
            return Err(argument_error(
                0,
                format!("unsupported format verb %{letter}"),
            ));
        }
        verb.letter = letter;
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        pieces.push(Piece::Verb(verb));
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

fn pad(text: String, verb: &Verb, numeric: bool) -> String {
    let Some(width) = verb.width else { return text };
    let length = text.chars().count();
    if length >= width {
        return text;
    }
    let padding = width - length;
    if verb.minus {
        format!("{text}{}", " ".repeat(padding))
    } else if verb.zero && numeric {
        let (sign, digits) = match text.strip_prefix(['-', '+']) {
            Some(rest) => (&text[..1], rest),
            None => ("", text.as_str()),
        };
        format!("{sign}{}{digits}", "0".repeat(padding))
    } else {
        format!("{}{text}", " ".repeat(padding))
    }
}

fn signed(number: f64, body: String, verb: &Verb) -> String {
    if number < 0.0 || body.starts_with('-') {
        body
    } else if verb.plus {
        format!("+{body}")
    } else if verb.space {
        format!(" {body}")
    } else {
        body
    }
}

fn number_of(value: &Value, position: usize, letter: char) -> Result<f64, CallError> {
    match TypeConstraint::Number.convert(value.clone()) {
        Ok(Value::Number(number)) => Ok(number.as_f64().unwrap_or(0.0)),
        _ => Err(argument_error(
            position,
            format!(
                "unsupported value for \"%{letter}\": number required, but have {}",
                value.type_name()
            ),
        )),
    }
}

fn render_verb(verb: &Verb, value: &Value, position: usize) -> Result<String, CallError> {
    let letter = verb.letter;
    if value.is_null() && !matches!(letter, 'v') {
        return Err(argument_error(
            position,
            format!("unsupported value for \"%{letter}\": null value cannot be formatted"),
        ));
    }
    let (text, numeric) = match letter {
        'v' if verb.sharp => (
            value.to_json().map(|j| j.to_string()).unwrap_or_default(),
            false,
        ),
        'v' => match value {
            Value::String(text) => (text.clone(), false),
            Value::Number(number) => (
                signed(number.as_f64().unwrap_or(0.0), format_number(number), verb),
                true,
            ),
            Value::Bool(flag) => (flag.to_string(), false),
            Value::Null => ("null".to_string(), false),
            other => (
                other.to_json().map(|j| j.to_string()).unwrap_or_default(),
                false,
            ),
        },
        't' => match TypeConstraint::Bool.convert(value.clone()) {
            Ok(Value::Bool(flag)) => (flag.to_string(), false),
            _ => {
                return Err(argument_error(
                    position,
                    format!(
                        "unsupported value for \"%t\": bool required, but have {}",
                        value.type_name()
                    ),
                ));
            }
        },
        's' | 'q' => match TypeConstraint::String.convert(value.clone()) {
            Ok(Value::String(mut text)) => {
                if let Some(precision) = verb.precision {
                    text = text.chars().take(precision).collect();
                }
                if letter == 'q' {
                    text = serde_json::Value::String(text).to_string();
                }
                (text, false)
            }
            _ => {
                return Err(argument_error(
                    position,
                    format!(
                        "unsupported value for \"%{letter}\": string required, but have {}",
                        value.type_name()
                    ),
                ));
            }
        },
        'd' | 'b' | 'o' | 'x' | 'X' => {
            let number = number_of(value, position, letter)?;
            if number.fract() != 0.0 {
                return Err(argument_error(
                    position,
                    format!(
                        "unsupported value for \"%{letter}\": an integer is required, but have {number}"
                    ),
                ));
            }
            let magnitude = number.abs() as u128;
            let digits = match letter {
                'd' => magnitude.to_string(),
                'b' => format!("{magnitude:b}"),
                'o' => format!("{}{magnitude:o}", if verb.sharp { "0" } else { "" }),
                'x' => format!("{}{magnitude:x}", if verb.sharp { "0x" } else { "" }),
                _ => format!("{}{magnitude:X}", if verb.sharp { "0X" } else { "" }),
            };
            let body = if number < 0.0 {
                format!("-{digits}")
            } else {
                digits
            };
            (signed(number, body, verb), true)
        }
        // The floating-point verbs e, E, f, g and G: `parse_spec` admits no others.
        _ => {
            let number = number_of(value, position, letter)?;
            let body = match letter {
                'f' => format!("{number:.*}", verb.precision.unwrap_or(6)),
                'e' | 'E' => {
                    let text = exponent_form(number, verb.precision.unwrap_or(6));
                    if letter == 'E' {
                        text.to_uppercase()
                    } else {
                        text
                    }
                }
                _ => {
                    let text = match verb.precision {
                        Some(precision) => general_form(number, precision.max(1)),
                        None => format_number(&crate::value::number_from_f64(number)),
                    };
                    if letter == 'G' {
                        text.to_uppercase()
                    } else {
                        text
                    }
                }
            };
            (signed(number, body, verb), true)
        }
    };
    Ok(pad(text, verb, numeric))
}

/// Go's `%e`: one digit, fraction, and an exponent of at least two digits.
fn exponent_form(number: f64, precision: usize) -> String {
    let text = format!("{number:.precision$e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(digits) => ('-', digits),
                None => ('+', exponent),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => text,
    }
}

/// Go's `%.Ng`: `precision` significant digits, trailing zeros removed.
fn general_form(number: f64, precision: usize) -> String {
    if number == 0.0 {
        return "0".into();
    }
    let exponent = number.abs().log10().floor() as i64;
    if exponent < -4 || exponent >= precision as i64 {
        let text = exponent_form(number, precision - 1);
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, ""));
        let mantissa = if mantissa.contains('.') {
            mantissa.trim_end_matches('0').trim_end_matches('.')
        } else {
            mantissa
        };
        format!("{mantissa}e{exponent}")
    } else {
        let decimals = (precision as i64 - 1 - exponent).max(0) as usize;
        let text = format!("{number:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    }
}

fn render(pieces: &[Piece], values: &[Value]) -> Result<String, CallError> {
    let mut out = String::new();
    let mut next = 0;
    for piece in pieces {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Verb(verb) => {
                let index = verb.argument.map_or(next, |n| n - 1);
                let value = values.get(index).ok_or_else(|| {
                    CallError::Failed(format!("not enough arguments for the format spec: verb %{} needs argument {}, but only {} given", verb.letter, index + 1, values.len()))
                })?;
                out.push_str(&render_verb(verb, value, index + 1)?);
                next = index + 1;
            }
        }
    }
    if verb_count(pieces) > 0
        && next < values.len()
        && pieces.iter().all(|p| {
            !matches!(
                p,
                Piece::Verb(Verb {
                    argument: Some(_),
                    ..
                })
            )
        })
    {
        return Err(CallError::Failed(format!(
            "too many arguments: the format spec uses {next}, but {} given",
            values.len()
        )));
    }
    Ok(out)
}

fn verb_count(pieces: &[Piece]) -> usize {
    pieces
        .iter()
        .filter(|p| matches!(p, Piece::Verb(_)))
        .count()
}

fn format(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let pieces = parse_spec(&string_argument(arguments, 0)?)?;
    if verb_count(&pieces) == 0 && arguments.len() > 1 {
        return Err(CallError::Failed(format!(
            "too many arguments: the format spec uses none, but {} given",
            arguments.len() - 1
        )));
    }
    Ok(Value::String(render(&pieces, &arguments[1..])?))
}

fn formatlist(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let pieces = parse_spec(&string_argument(arguments, 0)?)?;
    let values = &arguments[1..];
    let mut length: Option<usize> = None;
    for (position, value) in values.iter().enumerate() {
        if let Value::List(items) = value {
            match length {
                Some(expected) if expected != items.len() => {
                    return Err(argument_error(
                        position + 1,
                        format!(
                            "argument {} has length {}, which does not match length {expected} of the earlier lists",
                            position + 2,
                            items.len()
                        ),
                    ));
                }
                _ => length = Some(items.len()),
            }
        }
    }
    let Some(length) = length else {
        return Ok(Value::List(vec![Value::String(render(&pieces, values)?)]));
    };
    let mut results = Vec::with_capacity(length);
    for row in 0..length {
        let row_values: Vec<Value> = values
            .iter()
            .map(|value| match value {
                Value::List(items) => items[row].clone(),
                scalar => scalar.clone(),
            })
            .collect();
        results.push(Value::String(render(&pieces, &row_values)?));
    }
    Ok(Value::List(results))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::check;

    #[test]
    fn format_verbs_match_terraform_documentation() {
        check(&[
            (r#"format("Hello, %s!", "Ander")"#, r#""Hello, Ander!""#),
            (
                r#"format("There are %d lights", 4)"#,
                r#""There are 4 lights""#,
            ),
            (r#"format("%v", "hi")"#, r#""hi""#),
            (r#"format("%v", 12)"#, r#""12""#),
            (r#"format("%#v", "hello")"#, r#""\"hello\"""#),
            (r#"format("%#v", true)"#, r#""true""#),
            (r#"format("%#v", {a = 1})"#, r#""{\"a\":1}""#),
            (r#"format("%t", true)"#, r#""true""#),
            (
                r#"format("%5d|%-5d|%05d", 42, 42, -42)"#,
                r#""   42|42   |-0042""#,
            ),
            (r#"format("%+d % d", 5, 5)"#, r#""+5  5""#),
            (
                r#"format("%b %o %x %X %#x", 5, 8, 255, 255, 255)"#,
                r#""101 10 ff FF 0xff""#,
            ),
            (r#"format("%f", 3.14159)"#, r#""3.141590""#),
            (r#"format("%.2f", 3.14159)"#, r#""3.14""#),
            (r#"format("%8.3f|", 3.14159)"#, r#""   3.142|""#),
            (r#"format("%e", 1234.5678)"#, r#""1.234568e+03""#),
            (
                r#"format("%g %.3g", 1234.5678, 1234.5678)"#,
                r#""1234.5678 1.23e+03""#,
            ),
            (r#"format("%q", "a\"b")"#, r#""\"a\\\"b\"""#),
            (r#"format("%.3s", "abcdef")"#, r#""abc""#),
            (r#"format("%s and %%", "x")"#, r#""x and %""#),
            (r#"format("%[2]s %[1]s", "a", "b")"#, r#""b a""#),
            (r#"format("%s %s", "a")"#, "error: not enough arguments"),
            (r#"format("%d", "x")"#, "error: number required"),
            (r#"format("%d", 1.5)"#, "error: an integer is required"),
            (r#"format("%y", 1)"#, "error: unsupported format verb %y"),
            (r#"format("%", 1)"#, "error: unfinished verb"),
            (r#"format("plain", 1)"#, "error: too many arguments"),
            (
                r#"formatlist("Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"])"#,
                r#"["Hello, Valentina!", "Hello, Ander!", "Hello, Olivia!", "Hello, Sam!"]"#,
            ),
            (
                r#"formatlist("%s, %s!", "Salutations", ["Valentina", "Ander"])"#,
                r#"["Salutations, Valentina!", "Salutations, Ander!"]"#,
            ),
            (
                r#"formatlist("%s=%s", ["a", "b"], ["1"])"#,
                "error: does not match length",
            ),
        ]);
    }
}
