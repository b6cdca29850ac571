//! ADAPTER until `lathe_config::variables` lands (contract: `resolve_variables`,
//! `VariableArgument`): variable values from defaults, `TF_VAR_*` and `-var`, converted to each
//! variable's declared type. `-var-file` and `*.tfvars` files need the config crate's parser and
//! are refused with a clear message until then. Delete this file and import
//! `lathe_config::variables` instead once it exists.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lathe_config::diagnostic::{Diagnostic, Diagnostics};
use lathe_config::model::Module;
use lathe_config::value::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum VariableArgument {
    /// `-var name=raw`
    Assignment { name: String, raw: String },
    /// `-var-file=path`
    File(PathBuf),
}

/// A raw command-line or environment value: a number, bool or string as the type wants.
fn raw_value(raw: &str) -> Value {
    Value::String(raw.to_string())
}

pub fn resolve_variables(
    module: &Module,
    command_line: &[VariableArgument],
    environment: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut raw: BTreeMap<String, (Value, String)> = BTreeMap::new();
    for (key, text) in environment {
        if let Some(name) = key.strip_prefix("TF_VAR_")
            && module.variable(name).is_some()
        {
            raw.insert(
                name.to_string(),
                (raw_value(text), format!("environment variable {key}")),
            );
        }
    }
    for argument in command_line {
        match argument {
            VariableArgument::Assignment { name, raw: text } => {
                if module.variable(name).is_none() {
                    let declared: Vec<&str> = module
                        .variables
                        .iter()
                        .map(|variable| variable.name.as_str())
                        .collect();
                    let mut diagnostic = Diagnostic::error(format!("Value for undeclared variable `{name}`"))
                        .with_detail(format!("-var {name}=... sets a variable that no `variable \"{name}\"` block declares."));
                    diagnostic =
                        match lathe_core::body::did_you_mean(name, declared.iter().copied()) {
                            Some(suggestion) => {
                                diagnostic.with_help(format!("did you mean `{suggestion}`?"))
                            }
                            None => diagnostic
                                .with_help(format!("declare it with `variable \"{name}\" {{}}`")),
                        };
                    diagnostics.push(diagnostic);
                    continue;
                }
                raw.insert(name.clone(), (raw_value(text), format!("-var {name}")));
            }
            VariableArgument::File(path) => diagnostics.push(
                Diagnostic::error(format!(
                    "-var-file={} is not supported by this build yet",
                    path.display()
                ))
                .with_help("pass the values with -var name=value or TF_VAR_name instead"),
            ),
        }
    }
    let mut values = BTreeMap::new();
    for variable in &module.variables {
        let value = match (raw.remove(&variable.name), &variable.default) {
            (Some((value, origin)), _) => {
                let converted = match &variable.type_constraint {
                    Some(constraint) => constraint.convert(value),
                    None => Ok(value),
                };
                match converted {
                    Ok(value) => value,
                    Err(reason) => {
                        diagnostics.push(
                            Diagnostic::error(format!(
                                "Invalid value for variable `{}`",
                                variable.name
                            ))
                            .with_span(variable.span.clone())
                            .with_detail(format!(
                                "The value from {origin} is not suitable: {reason}."
                            )),
                        );
                        continue;
                    }
                }
            }
            (None, Some(default)) => default.clone(),
            (None, None) => {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "No value for required variable `{}`",
                        variable.name
                    ))
                    .with_span(variable.span.clone())
                    .with_detail(format!(
                        "The root module input variable `{}` is not set, and has no default value.",
                        variable.name
                    ))
                    .with_help(format!(
                        "pass -var '{0}=VALUE', set TF_VAR_{0}, or add a default",
                        variable.name
                    )),
                );
                continue;
            }
        };
        values.insert(variable.name.clone(), value);
    }
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(values)
    }
}
