//! Golden tests at the engine's boundary: `testdata/<case>/main.tf` (+ optional `prior.tfstate`
//! and `args`) in, the plan text or the rendered diagnostics out, compared with
//! `testdata/<case>/expected.txt`. `LATHE_BLESS=1 cargo test -p lathe-core --test golden`
//! rewrites the expected files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lathe_config::value::Value;
use lathe_core::engine::{Engine, Known};
use lathe_core::plan::PlanMode;
use lathe_core::planner::PlanOptions;
use lathe_core::provider::ProviderRegistry;
use lathe_core::state::{InstanceAddress, State};
use lathe_test_support::FakeCloud;

fn registry() -> ProviderRegistry {
    let mut registry = FakeCloud::new().registry();
    registry.register(lathe_provider_terraform::info(), || {
        Box::new(lathe_provider_terraform::TerraformProvider)
    });
    registry
}

/// `args` holds plan flags, one per line: `-destroy`, `-refresh`, `-refresh-only`, `-replace=ADDRESS`,
/// `-target=ADDRESS`, `-var=NAME=JSON`.
fn options(case: &Path) -> (PlanOptions, BTreeMap<String, Value>) {
    let mut options = PlanOptions {
        refresh: false,
        ..PlanOptions::default()
    };
    let mut variables = BTreeMap::new();
    let text = std::fs::read_to_string(case.join("args")).unwrap_or_default();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let (flag, value) = line.split_once('=').unwrap_or((line, ""));
        match flag {
            "-destroy" => options.mode = PlanMode::Destroy,
            // The fake cloud starts empty, so refreshing finds every prior object gone.
            "-refresh" => options.refresh = true,
            "-refresh-only" => options.mode = PlanMode::RefreshOnly,
            "-replace" => options
                .replace
                .push(InstanceAddress::parse(value).expect("valid -replace")),
            "-target" => options
                .targets
                .push(InstanceAddress::parse(value).expect("valid -target")),
            "-var" => {
                let (name, json) = value.split_once('=').expect("-var=NAME=JSON");
                variables.insert(
                    name.to_string(),
                    Value::from_json(serde_json::from_str(json).expect("JSON value")),
                );
            }
            other => panic!("unknown flag {other} in {}", case.display()),
        }
    }
    (options, variables)
}

/// What lathe prints for the case: diagnostics if any, the plan otherwise.
fn run_case(case: &Path) -> String {
    let loaded = match lathe_config::load_module(case) {
        Ok(loaded) => loaded,
        Err((sources, diagnostics)) => return diagnostics.render(&sources, false),
    };
    let module = &loaded.module;
    let registry = registry();
    let mut engine = match Engine::new(module, &registry) {
        Ok(engine) => engine,
        Err(diagnostics) => return diagnostics.render(&module.sources, false),
    };
    let problems = engine.validate();
    if problems.has_errors() {
        return problems.render(&module.sources, false);
    }
    let (options, mut variables) = options(case);
    for variable in &module.variables {
        if !variables.contains_key(&variable.name) {
            variables.insert(
                variable.name.clone(),
                variable.default.clone().unwrap_or(Value::Null),
            );
        }
    }
    let state = match std::fs::read_to_string(case.join("prior.tfstate")) {
        Ok(text) => State::parse(&case.join("prior.tfstate"), &text).expect("prior.tfstate parses"),
        Err(_) => State::new(),
    };
    let mut known = Known::from_state(&state);
    known.variables = variables.clone();
    if let Err(diagnostics) = engine.configure_providers(&known) {
        return diagnostics.render(&module.sources, false);
    }
    let mut state = state;
    let drift = if options.refresh {
        match engine.refresh(&mut state, 4) {
            Ok(drift) => drift,
            Err(diagnostics) => return diagnostics.render(&module.sources, false),
        }
    } else {
        Vec::new()
    };
    match engine.plan(&state, &variables, drift, &options) {
        Ok(plan) => lathe_core::render::render_plan(&plan),
        Err(diagnostics) => diagnostics.render(&module.sources, false),
    }
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("testdata exists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.join("main.tf").is_file())
        .collect();
    cases.sort();
    cases
}

#[test]
fn golden_cases() {
    let bless = std::env::var_os("LATHE_BLESS").is_some();
    let cases = cases();
    assert!(cases.len() >= 40, "only {} golden cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let prefix = format!("{}/", case.display());
        let actual = run_case(case).replace(&prefix, "");
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &actual).expect("expected.txt is writable");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "── {} ──\nexpected:\n{expected}\nactual:\n{actual}",
                case.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden case(s) differ (LATHE_BLESS=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
