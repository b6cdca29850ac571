//! A real configuration planned and applied through the engine with the lathe provider: the
//! seed's data preparation as one `lathe_dataset` block, then a changed seed and its reason.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use lathe_core::applier::{ApplyObserver, Operation};
use lathe_core::engine::{Engine, Known};
use lathe_core::plan::{Action, Plan};
use lathe_core::planner::PlanOptions;
use lathe_core::provider::ProviderRegistry;
use lathe_core::state::{InstanceAddress, State};
use lathe_dataset::{OutputFormat, synth};
use lathe_hub::{Hub, HubConfig};
use lathe_provider_lathe::LatheProvider;

struct Quiet;

impl ApplyObserver for Quiet {
    fn started(&self, _address: &InstanceAddress, _operation: Operation, _id: Option<&str>) {}
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
            panic!("apply failed: {error}");
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

fn plan_and_apply(directory: &Path) -> (Plan, State) {
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
    engine
        .apply(&plan, &mut state, directory, 4, &Quiet)
        .expect("apply");
    (plan, state)
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

    let (plan, state) = plan_and_apply(directory);
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
    let (plan, _) = plan_and_apply(directory);
    assert!(
        plan.changes
            .iter()
            .all(|change| change.action == Action::NoOp),
        "{:?}",
        plan.changes
    );

    // A new seed: an update whose reason names the attribute.
    std::fs::write(directory.join("main.tf"), config(7)).unwrap();
    let (plan, state) = plan_and_apply(directory);
    let change = &plan.changes[0];
    assert_eq!(change.action, Action::Update);
    assert_eq!(change.reasons, ["sample.seed 42 → 7"]);
    let attributes = &state.instance(&address).unwrap().attributes;
    assert_ne!(attributes["path"].as_str().unwrap(), path);
}
