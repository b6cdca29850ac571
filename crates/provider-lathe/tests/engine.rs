//! Real configurations planned and applied through the engine with the lathe provider: the
//! seed's data preparation as one `lathe_dataset` block, then a changed seed and its reason;
//! and a dataset built from another's output, changing when (and only when) its input does.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use lathe_config::value::Value;
use lathe_core::applier::{ApplyObserver, Operation};
use lathe_core::engine::{Engine, Known};
use lathe_core::plan::{Action, Plan};
use lathe_core::planner::PlanOptions;
use lathe_core::provider::ProviderRegistry;
use lathe_core::state::{InstanceAddress, State};
use lathe_dataset::{OutputFormat, synth};
use lathe_hub::{Hub, HubConfig};
use lathe_provider_lathe::LatheProvider;

/// Remembers the order in which resources started applying, and any failures (panicking
/// inside the engine's walk would hide them).
#[derive(Default)]
struct Recorder {
    started: Mutex<Vec<String>>,
    failures: Mutex<Vec<String>>,
}

impl ApplyObserver for Recorder {
    fn started(&self, address: &InstanceAddress, _operation: Operation, _id: Option<&str>) {
        self.started.lock().unwrap().push(address.to_string());
    }
    fn progress(&self, _address: &InstanceAddress, _message: &str) {}
    fn output(&self, _address: &InstanceAddress, _line: &str) {}
    fn finished(
        &self,
        _address: &InstanceAddress,
        _operation: Operation,
        result: Result<Option<String>, String>,
        _elapsed: Duration,
    ) {
        if let Err(error) = result {
            self.failures.lock().unwrap().push(error);
        }
    }
}

fn config(seed: u64) -> String {
    format!(
        r#"
resource "lathe_dataset" "dialogsum_v1" {{
  source         = "dialogsum.parquet"
  drop_columns   = ["id", "topic"]
  rename_columns = {{ dialogue = "prompt", summary = "completion" }}
  sample         = {{ n = 100, seed = {seed} }}
  format         = "fine-tuning"
}}

output "path" {{
  value = lathe_dataset.dialogsum_v1.path
}}
"#
    )
}

/// Plans and applies the folder's configuration; returns the plan, the new state and the
/// order in which resources were applied.
fn plan_and_apply(directory: &Path) -> (Plan, State, Vec<String>) {
    let loaded = lathe_config::load_module(directory)
        .unwrap_or_else(|(sources, diagnostics)| panic!("{}", diagnostics.render(&sources, false)));
    let module = loaded.module;
    let base = directory.to_path_buf();
    let mut registry = ProviderRegistry::new();
    registry.register(lathe_provider_lathe::info(), move || {
        let hub = Hub::new(HubConfig {
            cache: base.join("hf-cache"),
            endpoint: "http://127.0.0.1:9".into(),
            offline: true,
            token: None,
        });
        Box::new(LatheProvider::new(base.clone(), hub))
    });
    let mut engine = Engine::new(&module, &registry).expect("engine");
    let mut state = State::load(directory).expect("state");
    engine
        .adopt_state_providers(&state)
        .expect("state providers");
    let variables = BTreeMap::new();
    let mut known = Known::from_state(&state);
    known.variables = variables.clone();
    engine.configure_providers(&known).expect("providers");
    let drift = engine.refresh(&mut state, 4).expect("refresh");
    let plan = engine
        .plan(&state, &variables, drift, &PlanOptions::default())
        .unwrap_or_else(|diagnostics| panic!("{}", diagnostics.render(&module.sources, false)));
    let recorder = Recorder::default();
    engine
        .apply(&plan, &mut state, directory, 4, &recorder)
        .expect("apply");
    let failures = recorder.failures.into_inner().unwrap();
    assert!(failures.is_empty(), "apply failed: {failures:?}");
    let order = recorder.started.into_inner().unwrap();
    (plan, state, order)
}

#[test]
fn a_lathe_dataset_block_does_the_seed_conversion() {
    let project = tempfile::tempdir().unwrap();
    let directory = project.path();
    synth::write_dialogsum(
        &directory.join("dialogsum.parquet"),
        1000,
        5,
        OutputFormat::Parquet,
        None,
    )
    .unwrap();
    std::fs::write(directory.join("main.tf"), config(42)).unwrap();

    let (plan, state, _) = plan_and_apply(directory);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].action, Action::Create);
    let address = InstanceAddress::parse("lathe_dataset.dialogsum_v1").unwrap();
    let attributes = &state.instance(&address).expect("in state").attributes;
    let path = attributes["path"].as_str().unwrap();
    let lines = std::fs::read_to_string(directory.join(path)).unwrap();
    assert_eq!(lines.lines().count(), 100);
    assert_eq!(attributes["rows"], serde_json::json!(100));
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(
        first.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["completion", "prompt"]
    );

    // Unchanged: nothing to do.
    let (plan, _, _) = plan_and_apply(directory);
    assert!(
        plan.changes
            .iter()
            .all(|change| change.action == Action::NoOp),
        "{:?}",
        plan.changes
    );

    // A new seed: an update whose reason names the attribute.
    std::fs::write(directory.join("main.tf"), config(7)).unwrap();
    let (plan, state, _) = plan_and_apply(directory);
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Update);
    assert_eq!(change.reasons, ["sample.seed 42 → 7"]);
    let attributes = &state.instance(&address).unwrap().attributes;
    assert_ne!(attributes["path"].as_str().unwrap(), path);
}

/// `clean` filters the source; `v1` samples `clean`'s output.
fn chained_config(clean_filter: &str) -> String {
    format!(
        r#"
resource "lathe_dataset" "clean" {{
  source         = "dialogsum.parquet"
  drop_columns   = ["id", "topic"]
  rename_columns = {{ dialogue = "prompt", summary = "completion" }}
  filter         = "{clean_filter}"
  format         = "fine-tuning"
  output_format  = "parquet"
}}

resource "lathe_dataset" "v1" {{
  source = lathe_dataset.clean.path
  sample = {{ n = 50, seed = 42 }}
  format = "fine-tuning"
}}
"#
    )
}

fn attributes<'a>(state: &'a State, address: &str) -> &'a serde_json::Value {
    &state
        .instance(&InstanceAddress::parse(address).unwrap())
        .unwrap_or_else(|| panic!("{address} is not in state"))
        .attributes
}

fn change<'a>(plan: &'a Plan, address: &str) -> &'a lathe_core::plan::ResourceChange {
    plan.changes
        .iter()
        .find(|change| change.address.to_string() == address)
        .unwrap_or_else(|| panic!("no change for {address}"))
}

#[test]
fn a_dataset_built_from_another_follows_its_version() {
    let project = tempfile::tempdir().unwrap();
    let directory = project.path();
    synth::write_dialogsum(
        &directory.join("dialogsum.parquet"),
        400,
        5,
        OutputFormat::Parquet,
        None,
    )
    .unwrap();
    std::fs::write(
        directory.join("main.tf"),
        chained_config("length(completion) > 0"),
    )
    .unwrap();
    let (_, state, order) = plan_and_apply(directory);
    assert_eq!(order, ["lathe_dataset.clean", "lathe_dataset.v1"]);
    let clean = attributes(&state, "lathe_dataset.clean").clone();
    let v1 = attributes(&state, "lathe_dataset.v1").clone();
    assert_eq!(v1["source"], clean["path"]);
    assert_eq!(v1["rows"], serde_json::json!(50));

    // The upstream's recipe changes its output: the downstream changes because of it, its new
    // version known only once the upstream is applied, and the upstream is applied first.
    std::fs::write(
        directory.join("main.tf"),
        chained_config("length(completion) > 90"),
    )
    .unwrap();
    let (plan, state, order) = plan_and_apply(directory);
    let upstream = change(&plan, "lathe_dataset.clean");
    assert_eq!(upstream.action, Action::Update);
    assert_eq!(
        upstream.reasons,
        ["filter \"length(completion) > 0\" → \"length(completion) > 90\""]
    );
    let downstream = change(&plan, "lathe_dataset.v1");
    assert_eq!(downstream.action, Action::Update);
    assert_eq!(
        downstream.reasons,
        [
            format!("source {} → (known after apply)", clean["path"]),
            "upstream lathe_dataset.clean.path changed".to_string(),
        ]
    );
    assert_eq!(
        downstream.planned.as_object().unwrap()["version"],
        Value::Unknown
    );
    assert_eq!(order, ["lathe_dataset.clean", "lathe_dataset.v1"]);
    let filtered = attributes(&state, "lathe_dataset.clean").clone();
    let resampled = attributes(&state, "lathe_dataset.v1").clone();
    assert_ne!(filtered["version"], clean["version"]);
    assert_eq!(resampled["source"], filtered["path"]);
    assert_ne!(resampled["version"], v1["version"]);
    assert_ne!(resampled["source_sha256"], v1["source_sha256"]);

    // A new upstream recipe whose output is byte for byte the same: the upstream gets a new
    // version, the downstream keeps its own, because its version follows content.
    std::fs::write(
        directory.join("main.tf"),
        chained_config("length(completion) > 90 and length(prompt) > 0"),
    )
    .unwrap();
    let (_, state, _) = plan_and_apply(directory);
    let same_output = attributes(&state, "lathe_dataset.clean");
    assert_ne!(same_output["version"], filtered["version"]);
    assert_eq!(same_output["sha256"], filtered["sha256"]);
    let kept = attributes(&state, "lathe_dataset.v1");
    assert_eq!(kept["source"], same_output["path"]);
    assert_eq!(kept["version"], resampled["version"]);
    assert_eq!(kept["sha256"], resampled["sha256"]);

    // Nothing changed: nothing to do.
    let (plan, _, order) = plan_and_apply(directory);
    assert!(
        plan.changes
            .iter()
            .all(|change| change.action == Action::NoOp)
    );
    assert!(order.is_empty());
}
