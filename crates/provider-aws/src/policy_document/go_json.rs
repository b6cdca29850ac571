//! JSON text exactly as Go's `encoding/json` writes it (`Marshal` and `MarshalIndent` with
//! two spaces), which is what Terraform stores: `<`, `>`, `&`, U+2028 and U+2029 escaped,
//! map keys sorted, numbers in Go's float64 form.

use serde_json::Value;

/// A JSON value with its object members in the order they will be written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GoValue {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<GoValue>),
    Object(Vec<(String, GoValue)>),
}

impl GoValue {
    /// What Go produces when it decodes JSON into `any` and encodes it again: numbers become
    /// float64 and object keys come out sorted.
    pub(crate) fn from_json(value: &Value) -> Self {
        match value {
            Value::Null => GoValue::Null,
            Value::Bool(flag) => GoValue::Bool(*flag),
            Value::Number(number) => GoValue::Number(number.as_f64().unwrap_or(f64::NAN)),
            Value::String(text) => GoValue::String(text.clone()),
            Value::Array(items) => GoValue::Array(items.iter().map(GoValue::from_json).collect()),
            Value::Object(members) => {
                let mut members: Vec<(String, GoValue)> = members
                    .iter()
                    .map(|(key, value)| (key.clone(), GoValue::from_json(value)))
                    .collect();
                members.sort_by(|left, right| left.0.cmp(&right.0));
                GoValue::Object(members)
            }
        }
    }

    pub(crate) fn strings(values: &[String]) -> Self {
        GoValue::Array(values.iter().cloned().map(GoValue::String).collect())
    }

    /// `json.Marshal`.
    pub(crate) fn to_compact(&self) -> String {
        let mut output = String::new();
        self.write(&mut output, None, 0);
        output
    }

    /// `json.MarshalIndent(value, "", "  ")`.
    pub(crate) fn to_indented(&self) -> String {
        let mut output = String::new();
        self.write(&mut output, Some("  "), 0);
        output
    }

    fn write(&self, output: &mut String, indent: Option<&str>, depth: usize) {
        match self {
            GoValue::Null => output.push_str("null"),
            GoValue::Bool(flag) => output.push_str(if *flag { "true" } else { "false" }),
            GoValue::Number(number) => output.push_str(&format_number(*number)),
            GoValue::String(text) => write_string(output, text),
            GoValue::Array(items) => {
                if items.is_empty() {
                    output.push_str("[]");
                    return;
                }
                output.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        output.push(',');
                    }
                    newline(output, indent, depth + 1);
                    item.write(output, indent, depth + 1);
                }
                newline(output, indent, depth);
                output.push(']');
            }
            GoValue::Object(members) => {
                if members.is_empty() {
                    output.push_str("{}");
                    return;
                }
                output.push('{');
                for (index, (key, value)) in members.iter().enumerate() {
                    if index > 0 {
                        output.push(',');
                    }
                    newline(output, indent, depth + 1);
                    write_string(output, key);
                    output.push(':');
                    if indent.is_some() {
                        output.push(' ');
                    }
                    value.write(output, indent, depth + 1);
                }
                newline(output, indent, depth);
                output.push('}');
            }
        }
    }
}

fn newline(output: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(indent) = indent {
        output.push('\n');
        for _ in 0..depth {
            output.push_str(indent);
        }
    }
}

fn write_string(output: &mut String, text: &str) {
    output.push('"');
    for character in text.chars() {
        match character {
            '"' => output.push_str("\\\""),
            '\\' => output.push_str("\\\\"),
            '\n' => output.push_str("\\n"),
            '\r' => output.push_str("\\r"),
            '\t' => output.push_str("\\t"),
            '\u{8}' => output.push_str("\\b"),
            '\u{c}' => output.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                output.push_str(&format!("\\u{:04x}", u32::from(character)));
            }
            control if u32::from(control) < 0x20 => {
                output.push_str(&format!("\\u{:04x}", u32::from(control)));
            }
            other => output.push(other),
        }
    }
    output.push('"');
}

/// Go's float64 encoding: shortest round-trip digits, plain notation unless the magnitude is
/// below 1e-6 or at least 1e21, then exponent notation such as `1e+21` or `1.5e-7`.
fn format_number(number: f64) -> String {
    if !number.is_finite() {
        // Go refuses to encode these; they cannot come from parsed JSON.
        return "null".to_owned();
    }
    let magnitude = number.abs();
    if magnitude != 0.0 && !(1e-6..1e21).contains(&magnitude) {
        let text = format!("{number:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        return match exponent.strip_prefix('-') {
            Some(digits) => format!("{mantissa}e-{digits}"),
            None => format!("{mantissa}e+{exponent:0>2}"),
        };
    }
    format!("{number}")
}

#[cfg(test)]
mod tests {
    use super::{GoValue, format_number};

    #[test]
    fn numbers_match_go() {
        let cases = [
            (10.0, "10"),
            (1.5, "1.5"),
            (-0.25, "-0.25"),
            (0.0, "0"),
            (1e21, "1e+21"),
            (1.5e-7, "1.5e-7"),
            (123456789012345678901.0, "123456789012345680000"),
            (0.000001, "0.000001"),
        ];
        for (number, expected) in cases {
            assert_eq!(format_number(number), expected);
        }
    }

    #[test]
    fn strings_escape_like_go() {
        let value = GoValue::String("a<b>&c\"d\\e\n\u{1}\u{2028}é".to_owned());
        assert_eq!(
            value.to_compact(),
            r#""a\u003cb\u003e\u0026c\"d\\e\n\u0001\u2028é""#
        );
    }

    #[test]
    fn indentation_matches_marshal_indent() {
        let value = GoValue::Object(vec![
            (
                "A".to_owned(),
                GoValue::strings(&["x".to_owned(), "y".to_owned()]),
            ),
            ("B".to_owned(), GoValue::Array(Vec::new())),
            ("C".to_owned(), GoValue::Object(Vec::new())),
        ]);
        assert_eq!(
            value.to_indented(),
            "{\n  \"A\": [\n    \"x\",\n    \"y\"\n  ],\n  \"B\": [],\n  \"C\": {}\n}"
        );
        assert_eq!(value.to_compact(), r#"{"A":["x","y"],"B":[],"C":{}}"#);
    }
}
