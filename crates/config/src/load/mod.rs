//! Loading a module: every `*.tf` file of a folder to a [`Module`], with all syntax and structure
//! errors of all files reported together.

mod blocks;
mod body;
mod references;
mod resource;
mod syntax;
mod variable;

pub use variable::{parse_type, parse_type_with_defaults};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Module, TerraformSettings};
use crate::source::Sources;
use std::path::{Path, PathBuf};

/// A successfully loaded module and the warnings found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub module: Module,
    pub warnings: Diagnostics,
}

pub type LoadResult = Result<Loaded, (Sources, Diagnostics)>;

/// Loads every `*.tf` file in `directory`, sorted by name.
pub fn load_module(directory: &Path) -> LoadResult {
    let mut sources = Sources::new();
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) => {
            return Err((
                sources,
                Diagnostic::error("Cannot read the configuration directory")
                    .with_detail(format!(
                        "Reading \"{}\" failed: {error}.",
                        directory.display()
                    ))
                    .with_help(
                        "run lathe in a folder that holds your *.tf files, or pass -chdir=DIR",
                    )
                    .into(),
            ));
        }
    };
    let all: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    let mut paths: Vec<PathBuf> = all
        .iter()
        .filter(|path| path.extension().is_some_and(|e| e == "tf"))
        .cloned()
        .collect();
    paths.sort();
    let mut diagnostics = Diagnostics::new();
    let mut json_files: Vec<&PathBuf> = all
        .iter()
        .filter(|path| path.to_string_lossy().ends_with(".tf.json"))
        .collect();
    json_files.sort();
    for path in json_files {
        diagnostics.push(
            Diagnostic::warning("JSON configuration file ignored")
                .with_detail(format!(
                    "lathe reads the native syntax (*.tf) only, so \"{}\" was not loaded.",
                    path.display()
                ))
                .with_help("rewrite it in the native syntax as a .tf file"),
        );
    }
    let mut files = Vec::new();
    for path in paths {
        let display_path = path.file_name().map_or_else(|| path.clone(), PathBuf::from);
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => files.push(sources.add(display_path, text)),
                Err(_) => diagnostics.push(
                    Diagnostic::error("Invalid file encoding")
                        .with_detail(format!(
                            "The file \"{}\" is not valid UTF-8.",
                            path.display()
                        ))
                        .with_help("save the file as UTF-8"),
                ),
            },
            Err(error) => diagnostics.push(
                Diagnostic::error("Cannot read configuration file")
                    .with_detail(format!("Reading \"{}\" failed: {error}.", path.display()))
                    .with_help("check the file's permissions"),
            ),
        }
    }
    if files.is_empty() && diagnostics.is_empty() {
        diagnostics.push(
            Diagnostic::warning("No configuration files")
                .with_detail(format!(
                    "The directory \"{}\" contains no *.tf files.",
                    directory.display()
                ))
                .with_help(
                    "create a main.tf, or run lathe in the folder that holds your configuration",
                ),
        );
    }
    build_module(directory.to_path_buf(), sources, diagnostics)
}

/// Parses a variables file with the same per-block recovery as configuration files.
pub(crate) fn parse_tfvars(
    text: &str,
    file: crate::source::FileId,
) -> (hcl_edit::structure::Body, Vec<Diagnostic>) {
    syntax::parse_body(text, file)
}

/// Loads a module made of one in-memory file, for tests and tools.
pub fn parse_module_source(path: &Path, text: &str) -> LoadResult {
    let mut sources = Sources::new();
    sources.add(path.to_path_buf(), text.to_string());
    let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
    build_module(directory, sources, Diagnostics::new())
}

fn build_module(directory: PathBuf, sources: Sources, mut diagnostics: Diagnostics) -> LoadResult {
    let mut module = Module {
        directory,
        sources: Sources::new(),
        terraform: TerraformSettings::default(),
        providers: Vec::new(),
        variables: Vec::new(),
        locals: Vec::new(),
        resources: Vec::new(),
        outputs: Vec::new(),
    };
    let mut syntax_is_valid = true;
    for file in sources.file_ids() {
        let (body, syntax_errors) = syntax::parse_body(sources.text(file), file);
        syntax_is_valid &= syntax_errors.is_empty();
        diagnostics.extend(syntax_errors);
        blocks::add_file(&mut module, &body, file, &mut diagnostics.0);
    }
    // A skipped broken block would make every reference to it look undeclared.
    if syntax_is_valid {
        references::check(&module, &mut diagnostics.0);
    }
    if diagnostics.has_errors() {
        return Err((sources, diagnostics));
    }
    module.sources = sources;
    Ok(Loaded {
        module,
        warnings: diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_load_every_tf_file_in_name_order() {
        let directory =
            std::env::temp_dir().join(format!("lathe-config-load-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        std::fs::write(directory.join("b.tf"), "locals {\n  b = 2\n}\n").unwrap();
        std::fs::write(directory.join("a.tf"), "locals {\n  a = 1\n}\n").unwrap();
        std::fs::write(directory.join("notes.txt"), "not configuration {").unwrap();
        std::fs::write(directory.join("extra.tf.json"), "{}").unwrap();
        let loaded = load_module(&directory).unwrap();
        let warnings: Vec<&str> = loaded.warnings.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(warnings, ["JSON configuration file ignored"]);
        let names: Vec<&str> = loaded
            .module
            .locals
            .iter()
            .map(|l| l.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(
            loaded
                .module
                .sources
                .path(loaded.module.locals[1].span.file),
            Path::new("b.tf")
        );
        std::fs::write(directory.join("c.tf"), [0xff, 0xfe]).unwrap();
        let (_, diagnostics) = load_module(&directory).unwrap_err();
        let error = diagnostics.iter().find(|d| d.is_error());
        assert_eq!(
            error.map(|d| d.summary.as_str()),
            Some("Invalid file encoding")
        );
        std::fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn windows_line_endings_load_and_render() {
        let text = "locals {\r\n  a = var.missing\r\n}\r\n";
        let (sources, diagnostics) = parse_module_source(Path::new("main.tf"), text).unwrap_err();
        let rendered = diagnostics.render(&sources, false);
        assert!(rendered.contains(" --> main.tf:2:7\n"), "{rendered}");
        assert!(rendered.contains("2 |   a = var.missing\n"), "{rendered}");
    }

    #[test]
    fn empty_and_missing_folders_are_explained() {
        let directory =
            std::env::temp_dir().join(format!("lathe-config-empty-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let loaded = load_module(&directory).unwrap();
        assert_eq!(
            loaded.warnings.iter().next().map(|d| d.summary.as_str()),
            Some("No configuration files")
        );
        std::fs::remove_dir_all(&directory).unwrap();
        let (_, diagnostics) = load_module(&directory).unwrap_err();
        assert_eq!(
            diagnostics.iter().next().map(|d| d.summary.as_str()),
            Some("Cannot read the configuration directory")
        );
    }
}
