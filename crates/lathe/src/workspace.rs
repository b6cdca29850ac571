//! What most commands share: load the module, resolve variables, lock and read the state, and
//! bind the module to its providers, printing diagnostics where they occur.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use lathe_config::diagnostic::Diagnostics;
use lathe_config::model::Module;
use lathe_config::source::Sources;
use lathe_config::value::Value;
use lathe_config::variables::VariableArgument;

/// The error of a command whose problems were already printed; the binary exits with 1.
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "errors were reported above")
    }
}

impl std::error::Error for Reported {}

/// Output settings.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Terraform's machine-readable UI: JSON events on stdout instead of text.
    pub json: bool,
}

impl Style {
    pub fn new(no_color: bool) -> Style {
        Style {
            color: !no_color
                && std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none(),
            json: false,
        }
    }

    pub fn machine_readable(self, json: bool) -> Style {
        Style { json, ..self }
    }
}

/// Prints diagnostics (errors and warnings): text on stderr, or JSON events.
pub fn print_diagnostics(diagnostics: &Diagnostics, sources: &Sources, style: Style) {
    if diagnostics.is_empty() {
        return;
    }
    if style.json {
        crate::machine::diagnostics(diagnostics, sources);
    } else {
        err_inline!("{}", diagnostics.render(sources, style.color));
    }
}

/// Loads the module of `directory`; diagnostics are printed (or returned as JSON when `json`).
pub fn load(directory: &Path, style: Style) -> anyhow::Result<Module> {
    match lathe_config::load::load_module(directory) {
        Ok(loaded) => {
            print_diagnostics(&loaded.warnings, &loaded.module.sources, style);
            Ok(loaded.module)
        }
        Err((sources, diagnostics)) => {
            print_diagnostics(&diagnostics, &sources, style);
            Err(Reported.into())
        }
    }
}

/// Variable values from defaults, TF_VAR_*, tfvars files and the command line.
pub fn variables(
    module: &Module,
    arguments: &[VariableArgument],
    style: Style,
) -> anyhow::Result<BTreeMap<String, Value>> {
    let environment: BTreeMap<String, String> = std::env::vars()
        .filter(|(name, _)| name.starts_with("TF_VAR_"))
        .collect();
    lathe_config::variables::resolve_variables(module, arguments, &environment).map_err(
        |diagnostics| {
            print_diagnostics(&diagnostics, &module.sources, style);
            Reported.into()
        },
    )
}
