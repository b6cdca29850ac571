//! Input variable values: defaults, `TF_VAR_*`, tfvars files and `-var`/`-var-file`, in
//! Terraform's precedence, converted to the declared types and validated.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::EvalContext;
use crate::expression::Expression;
use crate::model::{Module, Variable};
use crate::source::{FileId, Sources, Span};
use crate::suggest::did_you_mean;
use crate::types::TypeConstraint;
use crate::value::Value;
use hcl_edit::Span as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The resolved value of every declared variable.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariableValues {
    pub values: BTreeMap<String, Value>,
}

/// One variable setting from the command line, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableArgument {
    /// `-var name=raw`
    Assignment { name: String, raw: String },
    /// `-var-file=path`
    File(PathBuf),
}

/// Everything resolution found: the values (when there were no errors), every diagnostic, and
/// the sources those diagnostics point into (the module's files plus the tfvars files read).
#[derive(Debug, Clone, PartialEq)]
pub struct VariableResolution {
    pub values: Option<BTreeMap<String, Value>>,
    pub diagnostics: Diagnostics,
    pub sources: Sources,
}

/// Where a value came from, for messages.
#[derive(Debug, Clone)]
enum Origin {
    Default,
    Environment(String),
    File(Span),
    CommandLine,
}

impl Origin {
    fn describe(&self, name: &str) -> String {
        match self {
            Origin::Default => format!("The default of \"{name}\""),
            Origin::Environment(key) => {
                format!("The value of \"{name}\" from the environment variable {key}")
            }
            Origin::File(_) => format!("The value of \"{name}\" from a variables file"),
            Origin::CommandLine => format!("The value of \"{name}\" from the command line (-var)"),
        }
    }

    fn span(&self) -> Option<Span> {
        match self {
            Origin::File(span) => Some(span.clone()),
            _ => None,
        }
    }
}

/// A value before conversion: raw text (`-var`, `TF_VAR_`) is interpreted by the declared type.
enum Setting {
    Raw(String),
    Value(Value),
}

/// Resolves every declared variable. Diagnostics from tfvars files name their location in the
/// detail, since the returned diagnostics carry only the module's sources; use
/// [`resolve_variables_detailed`] to render them with the tfvars text.
pub fn resolve_variables(
    module: &Module,
    command_line: &[VariableArgument],
    environment: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let resolution = resolve_variables_detailed(module, command_line, environment);
    match resolution.values {
        Some(values) => Ok(values),
        None => {
            let module_files = module.sources.len();
            let diagnostics = resolution
                .diagnostics
                .into_iter()
                .map(|mut diagnostic| {
                    if let Some(span) = diagnostic
                        .span
                        .clone()
                        .filter(|s| s.file.0 as usize >= module_files)
                    {
                        let (line, column) = resolution.sources.line_col(&span);
                        let location = format!(
                            "{}:{line}:{column}",
                            resolution.sources.path(span.file).display()
                        );
                        diagnostic.detail = Some(format!(
                            "{} (at {location})",
                            diagnostic.detail.unwrap_or_default()
                        ));
                        diagnostic.span = None;
                    }
                    diagnostic
                })
                .collect::<Vec<_>>();
            Err(Diagnostics(diagnostics))
        }
    }
}

pub fn resolve_variables_detailed(
    module: &Module,
    command_line: &[VariableArgument],
    environment: &BTreeMap<String, String>,
) -> VariableResolution {
    let mut resolver = Resolver {
        module,
        sources: module.sources.clone(),
        diagnostics: Diagnostics::new(),
        settings: BTreeMap::new(),
    };
    for variable in &module.variables {
        if let Some(default) = &variable.default {
            resolver.settings.insert(
                variable.name.clone(),
                (Setting::Value(default.clone()), Origin::Default),
            );
        }
    }
    for (key, raw) in environment {
        if let Some(name) = key.strip_prefix("TF_VAR_")
            && module.variable(name).is_some()
        {
            resolver.settings.insert(
                name.to_string(),
                (Setting::Raw(raw.clone()), Origin::Environment(key.clone())),
            );
        }
    }
    for file in automatic_files(&module.directory) {
        resolver.read_file(&file, false);
    }
    for argument in command_line {
        match argument {
            VariableArgument::Assignment { name, raw } => {
                if module.variable(name).is_none() {
                    let mut diagnostic = Diagnostic::error("Value for undeclared variable")
                        .with_detail(format!("A variable named \"{name}\" was assigned on the command line, but the root module does not declare a variable of that name."));
                    diagnostic = match did_you_mean(name, module.variables.iter().map(|v| v.name.as_str())) {
                        Some(suggestion) => diagnostic.with_help(format!("did you mean `-var {suggestion}=...`?")),
                        None => diagnostic.with_help(format!("declare it with a `variable \"{name}\" {{}}` block, or remove the -var argument")),
                    };
                    resolver.diagnostics.push(diagnostic);
                    continue;
                }
                resolver.settings.insert(
                    name.clone(),
                    (Setting::Raw(raw.clone()), Origin::CommandLine),
                );
            }
            VariableArgument::File(path) => {
                let path = if path.is_absolute() {
                    path.clone()
                } else {
                    module.directory.join(path)
                };
                resolver.read_file(&path, true);
            }
        }
    }
    let values = resolver.finish();
    VariableResolution {
        values,
        diagnostics: resolver.diagnostics,
        sources: resolver.sources,
    }
}

/// `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)` sorted by name.
fn automatic_files(directory: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["terraform.tfvars", "terraform.tfvars.json"]
        .iter()
        .map(|name| directory.join(name))
        .filter(|path| path.is_file())
        .collect();
    let mut automatic: Vec<PathBuf> = std::fs::read_dir(directory)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| {
                    path.is_file()
                        && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                            n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    automatic.sort();
    files.extend(automatic);
    files
}

struct Resolver<'a> {
    module: &'a Module,
    sources: Sources,
    diagnostics: Diagnostics,
    settings: BTreeMap<String, (Setting, Origin)>,
}

impl Resolver<'_> {
    fn read_file(&mut self, path: &Path, explicit: bool) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                self.diagnostics.push(
                    Diagnostic::error("Failed to read variables file")
                        .with_detail(format!("Reading \"{}\" failed: {error}.", path.display()))
                        .with_help(if explicit {
                            "check the -var-file path"
                        } else {
                            "make the file readable or remove it"
                        }),
                );
                return;
            }
        };
        let display = path
            .file_name()
            .map_or_else(|| path.to_path_buf(), PathBuf::from);
        let file = self.sources.add(display, text.clone());
        if path.extension().is_some_and(|e| e == "json") {
            self.read_json(file, &text);
        } else {
            self.read_hcl(file, &text);
        }
    }

    fn read_json(&mut self, file: FileId, text: &str) {
        let whole = Span::new(file, 0..text.len());
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map)) => {
                for (name, value) in map {
                    self.assign_from_file(name, Value::from_json(value), whole.clone());
                }
            }
            Ok(_) => self.diagnostics.push(
                Diagnostic::error("Invalid variables file")
                    .with_span(whole)
                    .with_detail(
                        "A JSON variables file must hold one object of variable names to values.",
                    )
                    .with_help("write it as {\"name\": value, ...}"),
            ),
            Err(error) => self.diagnostics.push(
                Diagnostic::error("Invalid variables file")
                    .with_span(whole)
                    .with_detail(format!("The file is not valid JSON: {error}."))
                    .with_help("fix the JSON syntax at the position named"),
            ),
        }
    }

    fn read_hcl(&mut self, file: FileId, text: &str) {
        let (body, syntax_errors) = crate::load::parse_tfvars(text, file);
        self.diagnostics.extend(syntax_errors);
        for block in body.blocks() {
            let range = block.ident.span().unwrap_or(0..0);
            self.diagnostics.push(
                Diagnostic::error("Unexpected block in variables file")
                    .with_span(Span::new(file, range))
                    .with_detail("A variables file holds only `name = value` assignments.")
                    .with_help(format!(
                        "write `{} = {{ ... }}` to assign an object",
                        block.ident.as_str()
                    )),
            );
        }
        for attribute in body.attributes() {
            let range = attribute.span().unwrap_or(0..0);
            let expression = Expression::parsed(attribute.value.clone(), file, range.clone());
            if let Some(reference) = expression.references().first() {
                self.diagnostics.push(
                    Diagnostic::error("Variables not allowed")
                        .with_span(reference.span.clone())
                        .with_detail(format!("Values in a variables file must be constants; this one refers to `{}`.", reference.target.address()))
                        .with_help("write a literal value"),
                );
                continue;
            }
            match expression.evaluate(&EvalContext::new(&self.module.directory)) {
                Ok(value) => self.assign_from_file(
                    attribute.key.as_str().to_string(),
                    value,
                    Span::new(file, range),
                ),
                Err(diagnostics) => self.diagnostics.extend(diagnostics),
            }
        }
    }

    fn assign_from_file(&mut self, name: String, value: Value, span: Span) {
        if self.module.variable(&name).is_none() {
            let mut diagnostic = Diagnostic::warning("Value for undeclared variable")
                .with_span(span)
                .with_detail(format!("The root module does not declare a variable named \"{name}\", so this value is ignored."));
            diagnostic =
                match did_you_mean(&name, self.module.variables.iter().map(|v| v.name.as_str())) {
                    Some(suggestion) => {
                        diagnostic.with_help(format!("did you mean `{suggestion}`?"))
                    }
                    None => diagnostic.with_help(format!(
                        "declare it with a `variable \"{name}\" {{}}` block, or remove this line"
                    )),
                };
            self.diagnostics.push(diagnostic);
            return;
        }
        self.settings
            .insert(name, (Setting::Value(value), Origin::File(span)));
    }

    fn finish(&mut self) -> Option<BTreeMap<String, Value>> {
        let mut values = BTreeMap::new();
        for variable in &self.module.variables {
            if let Some(value) = self.value_of(variable) {
                values.insert(variable.name.clone(), value);
            }
        }
        if self.diagnostics.has_errors() {
            return None;
        }
        for variable in &self.module.variables {
            self.validate(variable, &values);
        }
        (!self.diagnostics.has_errors()).then_some(values)
    }

    fn value_of(&mut self, variable: &Variable) -> Option<Value> {
        let name = &variable.name;
        let Some((setting, origin)) = self.settings.remove(name) else {
            self.diagnostics.push(
                Diagnostic::error("No value for required variable")
                    .with_span(variable.span.clone())
                    .with_detail(format!("The root module input variable \"{name}\" is not set, and has no default value."))
                    .with_help(format!("set it with `-var {name}=...`, a -var-file, the environment variable TF_VAR_{name}, or a line `{name} = ...` in terraform.tfvars")),
            );
            return None;
        };
        let kind = variable
            .type_constraint
            .clone()
            .unwrap_or(TypeConstraint::Any);
        let value = match setting {
            Setting::Value(value) => value,
            Setting::Raw(raw) => match &kind {
                TypeConstraint::Any
                | TypeConstraint::String
                | TypeConstraint::Number
                | TypeConstraint::Bool => Value::String(raw),
                _ => match parse_raw_expression(&raw) {
                    Ok(value) => value,
                    Err(message) => {
                        self.diagnostics.push(
                            Diagnostic::error("Invalid value for input variable")
                                .with_span(variable.span.clone())
                                .with_detail(format!("{} is not a valid expression for type {kind}: {message}.", origin.describe(name)))
                                .with_help(format!("give a {kind} value in HCL syntax, e.g. [\"a\", \"b\"] or {{ key = \"value\" }}")),
                        );
                        return None;
                    }
                },
            },
        };
        let value = match kind.convert(value) {
            Ok(value) => variable.type_defaults.apply(value),
            Err(message) => {
                let mut diagnostic = Diagnostic::error("Invalid value for input variable")
                    .with_span(origin.span().unwrap_or_else(|| variable.span.clone()))
                    .with_detail(format!(
                        "{} is not suitable for type {kind}: {message}.",
                        origin.describe(name)
                    ))
                    .with_help(format!("give \"{name}\" a {kind} value"));
                if origin.span().is_some() {
                    diagnostic = diagnostic.with_label(variable.span.clone(), "declared here");
                }
                self.diagnostics.push(diagnostic);
                return None;
            }
        };
        if value.is_null() && !variable.nullable {
            self.diagnostics.push(
                Diagnostic::error("Required variable not set")
                    .with_span(variable.span.clone())
                    .with_detail(format!("The variable \"{name}\" is declared with nullable = false, but its value is null ({}).", origin.describe(name).to_lowercase()))
                    .with_help("give it a non-null value"),
            );
            return None;
        }
        Some(value)
    }

    fn validate(&mut self, variable: &Variable, values: &BTreeMap<String, Value>) {
        let Some(value) = values.get(&variable.name) else {
            return;
        };
        let mut context = EvalContext::new(&self.module.directory);
        context.variables = values.clone();
        for validation in &variable.validations {
            let condition = match validation.condition.evaluate(&context) {
                Ok(condition) => condition,
                Err(diagnostics) => {
                    self.diagnostics.extend(diagnostics);
                    continue;
                }
            };
            match condition {
                Value::Bool(true) | Value::Unknown => {}
                Value::Bool(false) => {
                    let message = match validation.error_message.evaluate(&context) {
                        Ok(Value::String(text)) => text,
                        Ok(other) => other.to_string(),
                        Err(diagnostics) => {
                            self.diagnostics.extend(diagnostics);
                            continue;
                        }
                    };
                    self.diagnostics.push(
                        Diagnostic::error("Invalid value for variable")
                            .with_span(validation.condition.span())
                            .with_detail(message)
                            .with_help(format!(
                                "var.{} is {}; give a value that satisfies the condition",
                                variable.name,
                                if variable.sensitive {
                                    "(sensitive value)".to_string()
                                } else {
                                    value.to_string()
                                }
                            )),
                    );
                }
                other => self.diagnostics.push(
                    Diagnostic::error("Invalid variable validation result")
                        .with_span(validation.condition.span())
                        .with_help("make the condition a comparison or a bool function, e.g. length(var.name) > 0")
                        .with_detail(format!(
                            "The validation condition must be a bool, but have {}.",
                            other.type_name()
                        )),
                ),
            }
        }
    }
}

/// Parses `-var`/`TF_VAR_` text for a collection type as a constant HCL expression.
fn parse_raw_expression(raw: &str) -> Result<Value, String> {
    let ast = hcl_edit::parser::parse_expr(raw).map_err(|error| error.message().to_string())?;
    let expression = Expression::parsed(ast, FileId(u32::MAX), 0..raw.len());
    if let Some(reference) = expression.references().first() {
        return Err(format!(
            "it refers to `{}`, but only constant values are allowed",
            reference.target.address()
        ));
    }
    expression
        .evaluate(&EvalContext::default())
        .map_err(|diagnostics| diagnostics.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module_in(directory: &Path, main: &str, files: &[(&str, &str)]) -> Module {
        std::fs::create_dir_all(directory).unwrap();
        std::fs::write(directory.join("main.tf"), main).unwrap();
        for (name, text) in files {
            std::fs::write(directory.join(name), text).unwrap();
        }
        crate::load::load_module(directory).unwrap().module
    }

    #[test]
    fn raw_values_follow_the_declared_type() {
        let directory =
            std::env::temp_dir().join(format!("lathe-config-variables-raw-{}", std::process::id()));
        let module = module_in(
            &directory,
            "variable \"text\" {}\nvariable \"epochs\" {\n  type = number\n}\nvariable \"map\" {\n  type = map(number)\n}\nvariable \"flag\" {\n  type = bool\n  default = false\n}\n",
            &[],
        );
        let environment = BTreeMap::from([
            ("TF_VAR_map".to_string(), "{ a = 1 }".to_string()),
            ("TF_VAR_flag".to_string(), "true".to_string()),
        ]);
        let arguments = [
            VariableArgument::Assignment {
                name: "text".into(),
                raw: "[not parsed]".into(),
            },
            VariableArgument::Assignment {
                name: "epochs".into(),
                raw: "12".into(),
            },
        ];
        let values = resolve_variables(&module, &arguments, &environment).unwrap();
        assert_eq!(values["text"], Value::string("[not parsed]"));
        assert_eq!(values["epochs"], Value::integer(12));
        assert_eq!(values["map"], Value::from_json(serde_json::json!({"a": 1})));
        assert_eq!(values["flag"], Value::Bool(true));
        let bad = [VariableArgument::Assignment {
            name: "epochs".into(),
            raw: "twelve".into(),
        }];
        let errors = resolve_variables(&module, &bad, &environment).unwrap_err();
        assert!(
            errors.to_string().contains("not suitable for type number"),
            "{errors}"
        );
        std::fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn tfvars_locations_move_into_the_detail_without_their_sources() {
        let directory = std::env::temp_dir().join(format!(
            "lathe-config-variables-files-{}",
            std::process::id()
        ));
        let module = module_in(
            &directory,
            "variable \"epochs\" {\n  type = number\n}\n",
            &[("terraform.tfvars", "\nepochs = \"many\"\n")],
        );
        let errors = resolve_variables(&module, &[], &BTreeMap::new()).unwrap_err();
        let diagnostic = errors.iter().next().unwrap();
        assert_eq!(diagnostic.span, None);
        assert!(
            diagnostic
                .detail
                .as_deref()
                .unwrap_or("")
                .ends_with("(at terraform.tfvars:2:1)"),
            "{diagnostic:?}"
        );
        let detailed = resolve_variables_detailed(&module, &[], &BTreeMap::new());
        let span = detailed
            .diagnostics
            .iter()
            .next()
            .unwrap()
            .span
            .clone()
            .unwrap();
        assert_eq!(
            detailed.sources.path(span.file),
            Path::new("terraform.tfvars")
        );
        std::fs::remove_dir_all(&directory).unwrap();
    }
}
