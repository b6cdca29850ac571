//! The apply walk against the recording fake provider: ordering, the parallelism bound,
//! partial failure, replacement ordering, create_before_destroy, drift and crash recovery.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lathe_config::value::Value;
use lathe_core::applier::{ApplyObserver, ApplySummary, Operation};
use lathe_core::engine::{Engine, Known};
use lathe_core::plan::{Action, Plan, PlanMode};
use lathe_core::planner::PlanOptions;
use lathe_core::state::{InstanceAddress, State};
use lathe_test_support::{FakeCloud, TempProject};

#[derive(Default)]
struct Recorder {
    lines: Mutex<Vec<String>>,
}

impl ApplyObserver for Recorder {
    fn started(&self, address: &InstanceAddress, operation: Operation, _id: Option<&str>) {
        self.lines
            .lock()
            .unwrap()
            .push(format!("start {operation:?} {address}"));
    }
    fn progress(&self, _address: &InstanceAddress, _message: &str) {}
    fn output(&self, address: &InstanceAddress, line: &str) {
        self.lines
            .lock()
            .unwrap()
            .push(format!("output {address}: {line}"));
    }
    fn finished(
        &self,
        address: &InstanceAddress,
        operation: Operation,
        result: Result<Option<String>, String>,
        _elapsed: Duration,
    ) {
        self.lines.lock().unwrap().push(format!(
            "finish {operation:?} {address} ok={}",
            result.is_ok()
        ));
    }
}

struct Run {
    plan: Plan,
    summary: ApplySummary,
    state: State,
}

fn plan_and_apply(
    project: &TempProject,
    cloud: &Arc<FakeCloud>,
    options: PlanOptions,
    parallelism: usize,
) -> Run {
    let loaded = lathe_config::load_module(project.path())
        .unwrap_or_else(|(sources, diagnostics)| panic!("{}", diagnostics.render(&sources, false)));
    let module = loaded.module;
    let registry = cloud.registry();
    let mut engine = Engine::new(&module, &registry).expect("engine");
    let mut state = State::load(project.path()).expect("state");
    let variables: BTreeMap<String, Value> = module
        .variables
        .iter()
        .map(|variable| {
            (
                variable.name.clone(),
                variable.default.clone().unwrap_or(Value::Null),
            )
        })
        .collect();
    engine
        .adopt_state_providers(&state)
        .expect("state providers");
    let mut known = Known::from_state(&state);
    known.variables = variables.clone();
    engine.configure_providers(&known).expect("providers");
    let drift = engine.refresh(&mut state, 10).expect("refresh");
    let plan = engine
        .plan(&state, &variables, drift, &options)
        .unwrap_or_else(|diagnostics| panic!("{}", diagnostics.render(&module.sources, false)));
    let summary = engine
        .apply(
            &plan,
            &mut state,
            project.path(),
            parallelism,
            &Recorder::default(),
        )
        .expect("apply");
    Run {
        plan,
        summary,
        state,
    }
}

fn apply(project: &TempProject, cloud: &Arc<FakeCloud>) -> Run {
    plan_and_apply(project, cloud, PlanOptions::default(), 10)
}

const CHAIN: &str = r#"
resource "fake_bucket" "data" {
  name = "data"
}
resource "fake_job" "train" {
  model = "base"
  input = fake_bucket.data.arn
}
resource "fake_bucket" "report" {
  name = "report-${fake_job.train.status}"
}
resource "fake_bucket" "independent" {
  name = "independent"
}
"#;

/// A project with one `fake_bucket`, applied once.
fn one_bucket_applied() -> (TempProject, Arc<FakeCloud>) {
    let project = TempProject::new(&[(
        "main.tf",
        "resource \"fake_bucket\" \"b\" {\n  name = \"b\"\n}\n",
    )]);
    let cloud = FakeCloud::new();
    apply(&project, &cloud);
    (project, cloud)
}

#[test]
fn creates_follow_dependencies_and_destroys_go_in_reverse() {
    let project = TempProject::new(&[("main.tf", CHAIN)]);
    let cloud = FakeCloud::new();
    let run = apply(&project, &cloud);
    assert_eq!(run.summary.added, 4, "{:?}", run.summary);
    let finished = |address: &str| cloud.call("create", address).unwrap().finished;
    let started = |address: &str| cloud.call("create", address).unwrap().started;
    assert!(finished("fake_bucket.data") <= started("fake_job.train"));
    assert!(finished("fake_job.train") <= started("fake_bucket.report"));
    let final_plans = cloud.final_plans.lock().unwrap().clone();
    assert_eq!(
        final_plans.len(),
        4,
        "every create is planned again, finally, right before it runs"
    );
    let dependents = cloud.dependents.lock().unwrap().clone();
    assert_eq!(
        dependents["fake_bucket.data"],
        vec!["fake_bucket.report", "fake_job.train"]
    );
    assert!(dependents["fake_bucket.independent"].is_empty());
    let report = run
        .state
        .instance(&InstanceAddress::parse("fake_bucket.report").unwrap())
        .unwrap();
    assert_eq!(report.attributes["name"], "report-Completed");
    assert_eq!(report.dependencies, vec!["fake_job.train".to_string()]);

    let destroyed = plan_and_apply(
        &project,
        &cloud,
        PlanOptions {
            mode: PlanMode::Destroy,
            ..PlanOptions::default()
        },
        10,
    );
    assert_eq!(destroyed.summary.destroyed, 4);
    assert!(destroyed.state.is_empty());
    let deleted = |address: &str| cloud.call("delete", address).unwrap();
    assert!(deleted("fake_bucket.report").finished <= deleted("fake_job.train").started);
    assert!(deleted("fake_job.train").finished <= deleted("fake_bucket.data").started);
}

#[test]
fn parallelism_bounds_concurrent_operations() {
    let config: String = (0..8)
        .map(|index| {
            format!("resource \"fake_bucket\" \"b{index}\" {{\n  name = \"b{index}\"\n}}\n")
        })
        .collect();
    // Each operation lasts far longer than the state saves (fsync) that precede each start,
    // so the starts cannot be staggered enough to keep the peak under the bound.
    for (parallelism, delay_ms, expected) in [(1, 100, 1), (3, 400, 3), (10, 1500, 8)] {
        let project = TempProject::new(&[("main.tf", &config)]);
        let cloud = FakeCloud::new();
        cloud.set_delay(Duration::from_millis(delay_ms));
        plan_and_apply(&project, &cloud, PlanOptions::default(), parallelism);
        let peak = cloud.peak_running.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(peak, expected, "parallelism {parallelism}");
    }
}

#[test]
fn a_failure_skips_dependents_and_keeps_what_succeeded() {
    let project = TempProject::new(&[("main.tf", CHAIN)]);
    let cloud = FakeCloud::new();
    cloud.fail("fake_job.train");
    let run = apply(&project, &cloud);
    assert_eq!(run.summary.failures.len(), 1);
    assert_eq!(run.summary.failures[0].0, "fake_job.train");
    assert_eq!(run.summary.skipped, vec!["fake_bucket.report".to_string()]);
    let saved = State::load(project.path()).unwrap();
    let addresses: Vec<String> = saved
        .instances()
        .iter()
        .map(|(address, _, _)| address.to_string())
        .collect();
    assert_eq!(
        addresses,
        vec!["fake_bucket.data", "fake_bucket.independent"]
    );
    assert!(cloud.call("create", "fake_bucket.report").is_none());

    // Once the failure is gone, the next apply finishes the rest and nothing is duplicated.
    cloud.failing.lock().unwrap().clear();
    let again = apply(&project, &cloud);
    assert_eq!(again.summary.added, 2, "{:?}", again.summary);
    assert_eq!(cloud.objects.lock().unwrap().len(), 4);
}

#[test]
fn replacement_destroys_before_creating_unless_create_before_destroy() {
    for (create_before_destroy, symbol) in [(false, "delete first"), (true, "create first")] {
        let lifecycle = if create_before_destroy {
            "lifecycle {\n    create_before_destroy = true\n  }"
        } else {
            ""
        };
        let config = |name: &str| {
            format!("resource \"fake_bucket\" \"b\" {{\n  name = \"{name}\"\n  {lifecycle}\n}}\n")
        };
        let project = TempProject::new(&[("main.tf", &config("one"))]);
        let cloud = FakeCloud::new();
        apply(&project, &cloud);
        project.write("main.tf", &config("two"));
        let run = apply(&project, &cloud);
        let change = run
            .plan
            .change(&InstanceAddress::parse("fake_bucket.b").unwrap())
            .unwrap();
        assert_eq!(change.action, Action::Replace);
        assert_eq!(change.requires_replace, vec!["name".to_string()]);
        assert_eq!(
            change.reasons,
            vec!["name \"one\" → \"two\" forces replacement".to_string()]
        );
        let creates = cloud
            .calls
            .lock()
            .unwrap()
            .iter()
            .filter(|call| call.operation == "create")
            .count();
        assert_eq!(creates, 2);
        let second_create = cloud
            .calls
            .lock()
            .unwrap()
            .iter()
            .filter(|call| call.operation == "create")
            .map(|call| call.started)
            .max()
            .unwrap();
        let delete = cloud.call("delete", "fake_bucket.b").unwrap();
        if create_before_destroy {
            assert!(second_create < delete.started, "{symbol}");
        } else {
            assert!(delete.finished <= second_create, "{symbol}");
        }
        let instance = run
            .state
            .instance(&InstanceAddress::parse("fake_bucket.b").unwrap())
            .unwrap();
        assert_eq!(instance.attributes["name"], "two", "{symbol}");
        assert_eq!(cloud.objects.lock().unwrap().len(), 1, "{symbol}");
    }
}

#[test]
fn replacing_an_upstream_destroys_its_dependents_first() {
    let config = |model: &str| {
        format!(
            "resource \"fake_job\" \"train\" {{\n  model = \"{model}\"\n}}\nresource \"fake_job\" \"eval\" {{\n  model = \"judge\"\n  input = fake_job.train.id\n}}\n"
        )
    };
    let project = TempProject::new(&[("main.tf", &config("a"))]);
    let cloud = FakeCloud::new();
    apply(&project, &cloud);
    project.write("main.tf", &config("b"));
    let run = apply(&project, &cloud);
    let actions: Vec<(String, Action)> = run
        .plan
        .actionable()
        .map(|change| (change.address.to_string(), change.action))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("fake_job.eval".to_string(), Action::Replace),
            ("fake_job.train".to_string(), Action::Replace)
        ]
    );
    let eval_change = run
        .plan
        .change(&InstanceAddress::parse("fake_job.eval").unwrap())
        .unwrap();
    assert!(
        eval_change
            .reasons
            .contains(&"upstream fake_job.train.id changed".to_string()),
        "{:?}",
        eval_change.reasons
    );
    let deletes = cloud.operations("delete");
    assert_eq!(deletes, vec!["fake_job.eval", "fake_job.train"]);
}

#[test]
fn drift_found_by_refresh_shows_in_the_plan() {
    let (project, cloud) = one_bucket_applied();
    cloud.objects.lock().unwrap().clear();
    let run = apply(&project, &cloud);
    assert_eq!(run.plan.drift.len(), 1);
    assert!(run.plan.drift[0].after.is_none());
    let change = run
        .plan
        .change(&InstanceAddress::parse("fake_bucket.b").unwrap())
        .unwrap();
    assert_eq!(change.action, Action::Create);
    let text = lathe_core::render::render_plan(&run.plan);
    assert!(text.contains("# fake_bucket.b has been deleted"), "{text}");
}

#[test]
fn a_pending_create_left_by_a_crash_is_adopted_when_it_exists() {
    let (project, cloud) = one_bucket_applied();
    // Simulate a crash after the object was created but before state recorded it.
    let mut state = State::load(project.path()).unwrap();
    let address = InstanceAddress::parse("fake_bucket.b").unwrap();
    let mut instance = state.instance(&address).unwrap().clone();
    instance.status = Some(lathe_core::state::STATUS_PENDING.to_string());
    instance.attributes = serde_json::json!({"name": "b", "id": null, "arn": null});
    state.set_instance(&address, "provider", instance);
    state.save(project.path()).unwrap();
    let run = apply(&project, &cloud);
    assert_eq!(run.summary.added, 0);
    assert_eq!(cloud.objects.lock().unwrap().len(), 1);
    let adopted = run.state.instance(&address).unwrap();
    assert!(!adopted.is_pending());
    assert_eq!(adopted.attributes["id"], "fake-1");
}

#[test]
fn every_step_is_durable_before_the_next_one_starts() {
    let project = TempProject::new(&[("main.tf", CHAIN)]);
    let cloud = FakeCloud::new();
    *cloud.watched_state.lock().unwrap() = Some(project.path().to_path_buf());
    apply(&project, &cloud);
    let seen = cloud.state_seen.lock().unwrap().clone();
    // When the job is created, the file already holds the finished bucket it reads and the
    // job's own pending record.
    let at_train = &seen["create fake_job.train"];
    assert!(
        at_train.contains(&"fake_bucket.data".to_string()),
        "{at_train:?}"
    );
    assert!(
        at_train.contains(&"fake_job.train (pending)".to_string()),
        "{at_train:?}"
    );
    let at_report = &seen["create fake_bucket.report"];
    assert!(
        at_report.contains(&"fake_job.train".to_string()),
        "{at_report:?}"
    );
    let backup = std::fs::read_to_string(project.file("lathe.tfstate.backup")).unwrap();
    State::parse(std::path::Path::new("backup"), &backup).unwrap();
}

#[test]
fn removing_a_resource_from_the_configuration_destroys_it() {
    let project = TempProject::new(&[("main.tf", CHAIN)]);
    let cloud = FakeCloud::new();
    apply(&project, &cloud);
    project.write(
        "main.tf",
        &CHAIN.replace(
            "resource \"fake_bucket\" \"independent\" {\n  name = \"independent\"\n}\n",
            "",
        ),
    );
    let run = apply(&project, &cloud);
    let change = run
        .plan
        .change(&InstanceAddress::parse("fake_bucket.independent").unwrap())
        .unwrap();
    assert_eq!(change.action, Action::Delete);
    assert_eq!(run.summary.destroyed, 1);
    assert_eq!(cloud.objects.lock().unwrap().len(), 3);
}

#[test]
fn an_interrupted_create_before_destroy_leaves_a_deposed_object_that_the_next_apply_destroys() {
    let config = |name: &str| {
        format!(
            "resource \"fake_bucket\" \"b\" {{\n  name = \"{name}\"\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}\n"
        )
    };
    let project = TempProject::new(&[("main.tf", &config("one"))]);
    let cloud = FakeCloud::new();
    apply(&project, &cloud);
    project.write("main.tf", &config("two"));
    cloud.fail_operation("delete", "fake_bucket.b");
    let interrupted = apply(&project, &cloud);
    assert_eq!(interrupted.summary.failures.len(), 1);
    let saved = State::load(project.path()).unwrap();
    assert_eq!(saved.deposed_instances().len(), 1);
    assert_eq!(
        saved
            .instance(&InstanceAddress::parse("fake_bucket.b").unwrap())
            .unwrap()
            .attributes["name"],
        "two"
    );
    assert_eq!(cloud.objects.lock().unwrap().len(), 2);

    cloud.failing.lock().unwrap().clear();
    let run = apply(&project, &cloud);
    let deletes: Vec<&lathe_core::plan::ResourceChange> = run.plan.actionable().collect();
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].action, Action::Delete);
    assert!(deletes[0].deposed.is_some());
    let text = lathe_core::render::render_plan(&run.plan);
    assert!(text.contains("(deposed object"), "{text}");
    assert!(run.state.deposed_instances().is_empty());
    assert_eq!(cloud.objects.lock().unwrap().len(), 1);
}

#[test]
fn a_removed_resource_is_destroyed_only_after_its_former_dependents_moved_on() {
    let before = "resource \"fake_bucket\" \"a\" {\n  name = \"a\"\n}\nresource \"fake_bucket\" \"b\" {\n  name = \"b\"\n  tags = { upstream = fake_bucket.a.id }\n}\n";
    let after =
        "resource \"fake_bucket\" \"b\" {\n  name = \"b\"\n  tags = { upstream = \"none\" }\n}\n";
    let project = TempProject::new(&[("main.tf", before)]);
    let cloud = FakeCloud::new();
    cloud.set_delay(Duration::from_millis(30));
    apply(&project, &cloud);
    project.write("main.tf", after);
    let run = apply(&project, &cloud);
    assert_eq!(
        (run.summary.changed, run.summary.destroyed),
        (1, 1),
        "{:?}",
        run.summary
    );
    let update = cloud.call("update", "fake_bucket.b").unwrap();
    let delete = cloud.call("delete", "fake_bucket.a").unwrap();
    assert!(update.finished <= delete.started);
}

#[test]
fn a_deferred_data_source_is_read_after_what_it_depends_on_and_recorded() {
    let config = "resource \"fake_bucket\" \"b\" {\n  name = \"b\"\n}\ndata \"fake_region\" \"here\" {\n  filter = fake_bucket.b.arn\n}\nresource \"fake_job\" \"j\" {\n  model = data.fake_region.here.name\n}\n";
    let project = TempProject::new(&[("main.tf", config)]);
    let cloud = FakeCloud::new();
    let run = apply(&project, &cloud);
    let read = run
        .plan
        .change(&InstanceAddress::parse("data.fake_region.here").unwrap())
        .unwrap();
    assert_eq!(read.action, Action::Read);
    let created = cloud.call("create", "fake_bucket.b").unwrap();
    let data = cloud.call("read_data", "fake_region").unwrap();
    let job = cloud.call("create", "fake_job.j").unwrap();
    assert!(created.finished <= data.started && data.finished <= job.started);
    let recorded = run
        .state
        .instance(&InstanceAddress::parse("data.fake_region.here").unwrap())
        .unwrap();
    assert_eq!(recorded.attributes["filter"], "arn:fake:bucket:b");
    let job_state = run
        .state
        .instance(&InstanceAddress::parse("fake_job.j").unwrap())
        .unwrap();
    assert_eq!(job_state.attributes["model"], "fake-region-1");
}

#[test]
fn removing_every_resource_of_a_provider_still_destroys_them() {
    let project = TempProject::new(&[("main.tf", CHAIN)]);
    let cloud = FakeCloud::new();
    apply(&project, &cloud);
    project.write("main.tf", "resource \"terraform_data\" \"other\" {}\n");
    let mut registry = cloud.registry();
    registry.register(lathe_provider_terraform::info(), || {
        Box::new(lathe_provider_terraform::TerraformProvider)
    });
    let module = lathe_config::load_module(project.path()).unwrap().module;
    let mut engine = Engine::new(&module, &registry).unwrap();
    let mut state = State::load(project.path()).unwrap();
    engine.adopt_state_providers(&state).unwrap();
    engine
        .configure_providers(&Known::from_state(&state))
        .unwrap();
    let drift = engine.refresh(&mut state, 10).unwrap();
    let plan = engine
        .plan(&state, &BTreeMap::new(), drift, &PlanOptions::default())
        .unwrap();
    assert_eq!(plan.counts(), (1, 0, 4));
    let summary = engine
        .apply(&plan, &mut state, project.path(), 10, &Recorder::default())
        .unwrap();
    assert!(summary.failures.is_empty(), "{summary:?}");
    assert!(cloud.objects.lock().unwrap().is_empty());
}

#[test]
fn sensitive_attributes_are_recorded_in_state() {
    let project = TempProject::new(&[(
        "main.tf",
        "resource \"fake_bucket\" \"b\" {\n  name   = \"b\"\n  secret = \"hunter2\"\n}\n",
    )]);
    let run = apply(&project, &FakeCloud::new());
    let instance = run
        .state
        .instance(&InstanceAddress::parse("fake_bucket.b").unwrap())
        .unwrap();
    assert_eq!(
        instance.sensitive_attributes,
        vec![serde_json::json!([{ "type": "get_attr", "value": "secret" }])]
    );
}

#[test]
fn adding_count_moves_the_single_object_to_index_zero() {
    let (project, cloud) = one_bucket_applied();
    project.write("main.tf", "resource \"fake_bucket\" \"b\" {\n  count = 2\n  name  = count.index == 0 ? \"b\" : \"b${count.index}\"\n}\n");
    let run = apply(&project, &cloud);
    assert_eq!(run.plan.moves.len(), 1);
    assert_eq!(run.summary.added, 1, "{:?}", run.summary);
    let first = run
        .state
        .instance(&InstanceAddress::parse("fake_bucket.b[0]").unwrap())
        .unwrap();
    assert_eq!(first.attributes["id"], "fake-1");
    assert!(
        run.state
            .instance(&InstanceAddress::parse("fake_bucket.b").unwrap())
            .is_none()
    );
    assert_eq!(cloud.objects.lock().unwrap().len(), 2);
}

#[test]
fn ignored_attributes_keep_their_value_when_others_are_updated() {
    let config = |tags: &str, secret: &str| {
        format!(
            "resource \"fake_bucket\" \"b\" {{\n  name   = \"b\"\n  tags   = {{ team = \"{tags}\" }}\n  secret = \"{secret}\"\n  lifecycle {{\n    ignore_changes = [tags]\n  }}\n}}\n"
        )
    };
    let project = TempProject::new(&[("main.tf", &config("ml", "one"))]);
    let cloud = FakeCloud::new();
    apply(&project, &cloud);
    project.write("main.tf", &config("research", "two"));
    let run = apply(&project, &cloud);
    assert_eq!(run.summary.changed, 1);
    let instance = run
        .state
        .instance(&InstanceAddress::parse("fake_bucket.b").unwrap())
        .unwrap();
    assert_eq!(instance.attributes["secret"], "two");
    assert_eq!(instance.attributes["tags"]["team"], "ml");
}

#[test]
fn an_object_made_before_a_failure_is_kept_as_tainted_and_replaced_next_time() {
    let project = TempProject::new(&[(
        "main.tf",
        "resource \"fake_job\" \"train\" {\n  model = \"base\"\n}\n",
    )]);
    let cloud = FakeCloud::new();
    cloud.fail_after("create", "fake_job.train");
    let failed = apply(&project, &cloud);
    assert_eq!(failed.summary.failures.len(), 1);
    let address = InstanceAddress::parse("fake_job.train").unwrap();
    let kept = failed.state.instance(&address).unwrap();
    assert_eq!(kept.status.as_deref(), Some("tainted"));
    assert_eq!(kept.attributes["id"], "fake-1");
    cloud.failing.lock().unwrap().clear();
    let again = apply(&project, &cloud);
    assert_eq!(again.plan.change(&address).unwrap().action, Action::Replace);
    assert_eq!(
        cloud.objects.lock().unwrap().len(),
        1,
        "the partial object was destroyed, not orphaned"
    );
}

#[test]
fn a_refresh_only_apply_records_drift_and_changes_nothing() {
    let (project, cloud) = one_bucket_applied();
    cloud.objects.lock().unwrap().clear();
    let run = plan_and_apply(
        &project,
        &cloud,
        PlanOptions {
            mode: PlanMode::RefreshOnly,
            ..PlanOptions::default()
        },
        10,
    );
    assert_eq!(run.plan.drift.len(), 1);
    assert!(run.plan.has_changes());
    assert_eq!(
        cloud.operations("create").len(),
        1,
        "only the first apply created"
    );
    assert!(State::load(project.path()).unwrap().is_empty());
}
