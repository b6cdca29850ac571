//! Golden tests: each `testdata/<case>/` holds a configuration (`*.tf`, optional tfvars files and
//! `args.txt` with one `name=value` per line for `-var`) and `expected.txt`: the rendered
//! diagnostics, or a dump of the evaluated variables, locals and outputs.
//! `LATHE_BLESS=1 cargo test -p lathe-config --test golden` rewrites the expected files.

use lathe_config::variables::{VariableArgument, resolve_variables_detailed};
use lathe_config::{Diagnostics, EvalContext, Module, ReferenceTarget, Value, load_module};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn run_case(directory: &Path) -> String {
    let loaded = match load_module(directory) {
        Ok(loaded) => loaded,
        Err((sources, diagnostics)) => return diagnostics.render(&sources, false),
    };
    let module = &loaded.module;
    let mut out = String::new();
    if !loaded.warnings.is_empty() {
        out.push_str(&loaded.warnings.render(&module.sources, false));
        out.push('\n');
    }
    let arguments = command_line(directory);
    let environment = environment(directory);
    let resolution = resolve_variables_detailed(module, &arguments, &environment);
    if !resolution.diagnostics.is_empty() {
        out.push_str(&resolution.diagnostics.render(&resolution.sources, false));
        out.push('\n');
    }
    let Some(variables) = resolution.values else {
        return out;
    };
    // Relative paths keep the expected output independent of where the repository lives;
    // tests run in the crate's folder.
    let mut context = EvalContext::new(
        directory
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(directory),
    );
    context.path_cwd = PathBuf::from(".");
    context.variables = variables;
    for resource in &module.resources {
        context.resources.insert(resource.address(), Value::Unknown);
    }
    out.push_str("variables:\n");
    for (name, value) in &context.variables {
        out.push_str(&format!("  {name} = {value}\n"));
    }
    let mut errors = Diagnostics::new();
    evaluate_locals(module, &mut context, &mut errors);
    out.push_str("locals:\n");
    for (name, value) in &context.locals {
        out.push_str(&format!("  {name} = {value}\n"));
    }
    out.push_str("outputs:\n");
    for output in &module.outputs {
        match output.value.evaluate(&context) {
            Ok(value) => out.push_str(&format!("  {} = {value}\n", output.name)),
            Err(diagnostics) => {
                out.push_str(&format!("  {} = <error>\n", output.name));
                errors.extend(diagnostics);
            }
        }
    }
    for resource in &module.resources {
        out.push_str(&format!("resource {}", resource.address()));
        if let Some(count) = &resource.count {
            out.push_str(&format!(
                " count = {}",
                show(count.evaluate(&context), &mut errors)
            ));
        }
        if let Some(for_each) = &resource.for_each {
            out.push_str(&format!(
                " for_each = {}",
                show(for_each.evaluate(&context), &mut errors)
            ));
        }
        out.push('\n');
        match lathe_config::dynamic::expand_dynamic_blocks(&resource.body, &context) {
            Ok(body) => {
                for attribute in &body.attributes {
                    let value = show(attribute.expression.evaluate(&context), &mut errors);
                    out.push_str(&format!("  {} = {value}\n", attribute.name));
                }
                for block in &body.blocks {
                    let attributes: Vec<String> = block
                        .body
                        .attributes
                        .iter()
                        .map(|a| {
                            format!(
                                "{} = {}",
                                a.name,
                                show(a.expression.evaluate(&context), &mut errors)
                            )
                        })
                        .collect();
                    out.push_str(&format!(
                        "  {} {{ {} }}\n",
                        block.kind,
                        attributes.join(", ")
                    ));
                }
            }
            Err(diagnostics) => errors.extend(diagnostics),
        }
    }
    if !errors.is_empty() {
        out.push('\n');
        out.push_str(&errors.render(&module.sources, false));
    }
    out
}

/// `validate -json` output for a case that fails to load (an `expected.json` file opts in).
fn validate_json(directory: &Path) -> serde_json::Value {
    match load_module(directory) {
        Ok(loaded) => loaded.warnings.to_validate_json(&loaded.module.sources),
        Err((sources, diagnostics)) => diagnostics.to_validate_json(&sources),
    }
}

/// Every diagnostic a golden case shows must say how to fix the problem.
fn diagnostics_without_help(rendered: &str) -> Vec<String> {
    let mut missing = Vec::new();
    let mut current: Option<(String, bool)> = None;
    for line in rendered.lines() {
        if line.starts_with("Error: ") || line.starts_with("Warning: ") {
            if let Some((title, false)) = current.take() {
                missing.push(title);
            }
            current = Some((line.to_string(), false));
        } else if line.starts_with("help: ")
            && let Some((_, has_help)) = current.as_mut()
        {
            *has_help = true;
        }
    }
    if let Some((title, false)) = current {
        missing.push(title);
    }
    missing
}

fn show(result: Result<Value, Diagnostics>, errors: &mut Diagnostics) -> String {
    match result {
        Ok(value) => value.to_string(),
        Err(diagnostics) => {
            errors.extend(diagnostics);
            "<error>".into()
        }
    }
}

/// Locals in dependency order; those that never become ready are part of a cycle.
fn evaluate_locals(module: &Module, context: &mut EvalContext, errors: &mut Diagnostics) {
    let mut pending: Vec<_> = module.locals.iter().collect();
    loop {
        let ready: Vec<_> = pending
            .iter()
            .filter(|local| {
                local
                    .expression
                    .references()
                    .iter()
                    .all(|r| match &r.target {
                        ReferenceTarget::Local(name) => context.locals.contains_key(name),
                        _ => true,
                    })
            })
            .map(|local| local.name.clone())
            .collect();
        if ready.is_empty() {
            break;
        }
        for local in pending.iter().filter(|l| ready.contains(&l.name)) {
            let value = match local.expression.evaluate(context) {
                Ok(value) => value,
                Err(diagnostics) => {
                    errors.extend(diagnostics);
                    Value::Unknown
                }
            };
            context.locals.insert(local.name.clone(), value);
        }
        pending.retain(|l| !ready.contains(&l.name));
    }
    for local in pending {
        errors.push(
            lathe_config::Diagnostic::error("Cycle between local values")
                .with_span(local.span.clone())
                .with_detail(format!("local.{} depends on itself.", local.name)),
        );
    }
}

fn command_line(directory: &Path) -> Vec<VariableArgument> {
    std::fs::read_to_string(directory.join("args.txt"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            if let Some(file) = line.strip_prefix("-var-file=") {
                return Some(VariableArgument::File(PathBuf::from(file)));
            }
            let (name, raw) = line.split_once('=')?;
            Some(VariableArgument::Assignment {
                name: name.to_string(),
                raw: raw.to_string(),
            })
        })
        .collect()
}

fn environment(directory: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(directory.join("env.txt"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            line.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

#[test]
fn golden_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let bless = std::env::var_os("LATHE_BLESS").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 25,
        "expected at least 25 golden cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let actual = run_case(case);
        for title in diagnostics_without_help(&actual) {
            failures.push(format!(
                "=== {} === a diagnostic without help: {title}",
                case.display()
            ));
        }
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            let json_path = case.join("expected.json");
            if json_path.exists() {
                std::fs::write(&json_path, format!("{:#}\n", validate_json(case))).unwrap();
            }
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
            panic!(
                "missing {}; run with LATHE_BLESS=1",
                expected_path.display()
            )
        });
        if expected != actual {
            failures.push(format!(
                "=== {} ===\n--- expected\n{expected}\n--- actual\n{actual}",
                case.display()
            ));
        }
        let json_path = case.join("expected.json");
        if json_path.exists() {
            let expected: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
            let actual = validate_json(case);
            if expected != actual {
                failures.push(format!("=== {} (validate -json) ===\n--- expected\n{expected:#}\n--- actual\n{actual:#}", case.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn formatting_the_golden_configurations_is_stable_and_keeps_them_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    for case in std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()) {
        let Ok(text) = std::fs::read_to_string(case.join("main.tf")) else {
            continue;
        };
        let Ok(formatted) = lathe_config::format_source(&text) else {
            continue;
        };
        assert_eq!(
            lathe_config::format_source(&formatted).as_ref(),
            Ok(&formatted),
            "{}: not idempotent",
            case.display()
        );
        let before = lathe_config::parse_module_source(Path::new("main.tf"), &text)
            .map(|l| l.module.locals.len());
        let after = lathe_config::parse_module_source(Path::new("main.tf"), &formatted)
            .map(|l| l.module.locals.len());
        assert_eq!(
            before.is_ok(),
            after.is_ok(),
            "{}: formatting changed validity",
            case.display()
        );
        assert_eq!(before.ok(), after.ok(), "{}", case.display());
    }
}
