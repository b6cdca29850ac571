//! The `local-exec` provisioner: runs a command on this machine, streaming its output.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lathe_config::eval::EvalContext;
use lathe_config::model::Body;
use lathe_config::value::Value;

/// A `local-exec` provisioner with its arguments evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalExec {
    pub command: String,
    pub working_dir: PathBuf,
    pub environment: BTreeMap<String, String>,
    /// The program and its leading arguments; the command is appended as the last argument.
    pub interpreter: Vec<String>,
    pub quiet: bool,
}

const ARGUMENTS: [&str; 5] = [
    "command",
    "working_dir",
    "environment",
    "interpreter",
    "quiet",
];

fn as_text(value: &Value, what: &str) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        other => Err(format!(
            "{what} must be a string, not {}",
            other.type_name()
        )),
    }
}

impl LocalExec {
    /// Evaluates the provisioner's body; `directory` is where relative working dirs start.
    pub fn from_body(
        body: &Body,
        context: &EvalContext,
        directory: &Path,
    ) -> Result<LocalExec, String> {
        let mut values = BTreeMap::new();
        for attribute in &body.attributes {
            if !ARGUMENTS.contains(&attribute.name.as_str()) {
                return Err(format!(
                    "unsupported argument `{}`; local-exec takes {}",
                    attribute.name,
                    ARGUMENTS.join(", ")
                ));
            }
            let value = attribute.expression.evaluate(context).map_err(|errors| {
                errors
                    .iter()
                    .map(|diagnostic| diagnostic.summary.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
            if !value.is_known() {
                return Err(format!("`{}` is not known yet", attribute.name));
            }
            values.insert(attribute.name.clone(), value);
        }
        let command = match values.get("command") {
            Some(value) => as_text(value, "command")?,
            None => return Err("the argument `command` is required".to_string()),
        };
        let working_dir = match values.get("working_dir") {
            Some(Value::Null) | None => directory.to_path_buf(),
            Some(value) => directory.join(as_text(value, "working_dir")?),
        };
        let mut environment = BTreeMap::new();
        if let Some(Value::Object(map)) = values.get("environment") {
            for (key, value) in map {
                environment.insert(key.clone(), as_text(value, &format!("environment.{key}"))?);
            }
        }
        let interpreter = match values.get("interpreter") {
            Some(Value::List(items)) if !items.is_empty() => items
                .iter()
                .map(|item| as_text(item, "interpreter"))
                .collect::<Result<Vec<_>, _>>()?,
            _ => vec!["/bin/sh".to_string(), "-c".to_string()],
        };
        let quiet = values
            .get("quiet")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Ok(LocalExec {
            command,
            working_dir,
            environment,
            interpreter,
            quiet,
        })
    }
}

/// Runs the command; every line it prints goes to `output`. Fails on a non-zero exit.
pub fn run_local_exec(
    local_exec: &LocalExec,
    output: &(dyn Fn(&str) + Sync),
) -> Result<(), String> {
    let (program, leading) = local_exec
        .interpreter
        .split_first()
        .ok_or_else(|| "the interpreter is empty".to_string())?;
    if !local_exec.quiet {
        output(&format!(
            "Executing: {:?}",
            [
                &local_exec.interpreter[..],
                std::slice::from_ref(&local_exec.command)
            ]
            .concat()
        ));
    }
    let mut child = Command::new(program)
        .args(leading)
        .arg(&local_exec.command)
        .current_dir(&local_exec.working_dir)
        .envs(&local_exec.environment)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| {
            format!(
                "cannot start {program} in {}: {error}",
                local_exec.working_dir.display()
            )
        })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    std::thread::scope(|scope| {
        let forward = |stream: Box<dyn Read + Send>| {
            for line in BufReader::new(stream).lines() {
                match line {
                    Ok(line) => output(&line),
                    Err(_) => break,
                }
            }
        };
        if let Some(stdout) = stdout {
            scope.spawn(move || forward(Box::new(stdout)));
        }
        if let Some(stderr) = stderr {
            scope.spawn(move || forward(Box::new(stderr)));
        }
    });
    let status = child
        .wait()
        .map_err(|error| format!("waiting for the command: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the command `{}` exited with {status}",
            local_exec.command
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn local_exec(command: &str) -> LocalExec {
        LocalExec {
            command: command.to_string(),
            working_dir: std::env::temp_dir(),
            environment: BTreeMap::from([("GREETING".to_string(), "hi".to_string())]),
            interpreter: vec!["/bin/sh".to_string(), "-c".to_string()],
            quiet: true,
        }
    }

    #[test]
    fn streams_lines_and_passes_environment() {
        let lines = Mutex::new(Vec::new());
        run_local_exec(&local_exec("echo $GREETING; echo two"), &|line| {
            lines.lock().unwrap().push(line.to_string())
        })
        .unwrap();
        assert_eq!(lines.into_inner().unwrap(), vec!["hi", "two"]);
    }

    #[test]
    fn non_zero_exit_is_an_error_naming_the_command() {
        let error = run_local_exec(&local_exec("exit 3"), &|_| {}).unwrap_err();
        assert!(error.contains("exit 3"), "{error}");
    }
}
