//! Command-line spelling: Terraform's single-dash flags (`-auto-approve`, `-var=x=1`,
//! `-chdir=DIR`) become the double-dash ones clap parses; `-var`/`-var-file` keep their order.

use std::path::PathBuf;
use std::time::Duration;

use lathe_config::variables::VariableArgument;

/// Rewrites `-name` and `-name=value` to `--name...`; short flags (`-h`), negative numbers,
/// a lone `-` and everything after `--` are left alone.
pub fn normalize(arguments: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut normalized = Vec::new();
    let mut passthrough = false;
    for argument in arguments {
        if passthrough || argument == "--" {
            passthrough = true;
            normalized.push(argument);
            continue;
        }
        let single_dash_long = argument.starts_with('-')
            && !argument.starts_with("--")
            && argument.len() > 2
            && argument.as_bytes()[1].is_ascii_alphabetic();
        if single_dash_long {
            normalized.push(format!("-{argument}"));
        } else {
            normalized.push(argument);
        }
    }
    normalized
}

/// The `-var` and `-var-file` arguments in command-line order (Terraform's precedence).
pub fn variable_arguments(arguments: &[String]) -> Vec<VariableArgument> {
    let mut found = Vec::new();
    let mut iterator = arguments.iter();
    while let Some(argument) = iterator.next() {
        if argument == "--" {
            break;
        }
        let (flag, inline) = match argument.split_once('=') {
            Some((flag, value)) if flag == "--var" || flag == "--var-file" => {
                (flag, Some(value.to_string()))
            }
            _ => (argument.as_str(), None),
        };
        if flag != "--var" && flag != "--var-file" {
            continue;
        }
        let Some(value) = inline.or_else(|| iterator.next().cloned()) else {
            continue;
        };
        if flag == "--var-file" {
            found.push(VariableArgument::File(PathBuf::from(value)));
        } else {
            let (name, raw) = value.split_once('=').unwrap_or((value.as_str(), ""));
            found.push(VariableArgument::Assignment {
                name: name.to_string(),
                raw: raw.to_string(),
            });
        }
    }
    found
}

/// `500ms`, `10s`, `5m`, `1h` (Terraform's -lock-timeout).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|character: char| !character.is_ascii_digit() && character != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write it like 30s, 5m or 500ms"))?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => {
            return Err(format!(
                "`{text}` has an unknown unit `{unit}`; use ms, s, m or h"
            ));
        }
    };
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn single_dash_long_flags_become_double_dash() {
        let cases: &[(&[&str], &[&str])] = &[
            (
                &["-chdir=x", "apply", "-auto-approve"],
                &["--chdir=x", "apply", "--auto-approve"],
            ),
            (&["plan", "--out=p", "-h"], &["plan", "--out=p", "-h"]),
            (
                &["plan", "-var", "a=-1", "--", "-keep"],
                &["plan", "--var", "a=-1", "--", "-keep"],
            ),
            (&["output", "-raw", "name"], &["output", "--raw", "name"]),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(strings(input)), strings(expected));
        }
    }

    #[test]
    fn variable_arguments_keep_their_order() {
        let arguments = normalize(strings(&[
            "plan",
            "-var-file=a.tfvars",
            "-var",
            "x=1",
            "-var=y=a=b",
        ]));
        assert_eq!(
            variable_arguments(&arguments),
            vec![
                VariableArgument::File(PathBuf::from("a.tfvars")),
                VariableArgument::Assignment {
                    name: "x".into(),
                    raw: "1".into()
                },
                VariableArgument::Assignment {
                    name: "y".into(),
                    raw: "a=b".into()
                },
            ]
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
    }
}
