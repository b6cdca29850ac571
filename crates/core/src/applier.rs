//! Applying a plan: every change becomes one or two steps (a replacement is a destroy and a
//! create, ordered by `create_before_destroy`), the steps run in dependency order with bounded
//! parallelism, and the state is saved after every step.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use lathe_config::diagnostic::Diagnostics;
use lathe_config::model::ProvisionerWhen;
use lathe_config::value::Value;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::body::evaluate_body;
use crate::engine::{Engine, Known};
use crate::graph::Item;
use crate::plan::{Action, Plan, PlanMode, ResourceChange};
use crate::planner::instance_context;
use crate::provider::{ApplyAction, ApplyRequest, PlanRequest, Progress, provider_address};
use crate::provisioner::{LocalExec, run_local_exec};
use crate::state::{
    InstanceAddress, InstanceState, OutputState, STATUS_PENDING, STATUS_TAINTED, State,
};
use crate::walk::{Outcome, walk};

/// What a step does, for progress messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Read,
}

/// Receives progress while apply runs; the binary renders it (spinners or plain lines).
pub trait ApplyObserver: Send + Sync {
    /// `id` is the existing object's id, for updates and deletes.
    fn started(&self, address: &InstanceAddress, operation: Operation, id: Option<&str>);
    fn progress(&self, address: &InstanceAddress, message: &str);
    /// One line of a provisioner's output.
    fn output(&self, address: &InstanceAddress, line: &str);
    /// Whether the user asked to stop (Ctrl-C): nothing new starts, what runs finishes.
    fn interrupted(&self) -> bool {
        false
    }
    /// `result` holds the object's id on success, the error message on failure.
    fn finished(
        &self,
        address: &InstanceAddress,
        operation: Operation,
        result: Result<Option<String>, String>,
        elapsed: Duration,
    );
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplySummary {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    /// (address, message) of every step that failed.
    pub failures: Vec<(String, String)>,
    /// Addresses not attempted because something they depend on failed.
    pub skipped: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Apply(usize),
    Destroy(usize),
}

/// What the steps of one apply share: the state and values behind one lock, and the
/// generation of the state last written, behind another, so writes can be shared.
struct ApplyRun<'state> {
    shared: Mutex<Shared<'state>>,
    written: Mutex<u64>,
}

struct Shared<'state> {
    state: &'state mut State,
    known: Known,
    /// An evaluation context kept in step with `known`, so a step needs no rebuild.
    context: lathe_config::eval::EvalContext,
    summary: ApplySummary,
    save_error: Option<String>,
    /// Bumped by every change to `state`.
    generation: u64,
}

struct ProgressTo<'observer> {
    observer: &'observer dyn ApplyObserver,
    address: InstanceAddress,
}

impl Progress for ProgressTo<'_> {
    fn message(&self, text: &str) {
        self.observer.progress(&self.address, text);
    }
}

/// The JSON of a value with unknown parts as null: what is known before a create finishes.
pub fn known_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Unknown => serde_json::Value::Null,
        Value::List(items) => serde_json::Value::Array(items.iter().map(known_json).collect()),
        Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), known_json(value)))
                .collect(),
        ),
        other => other.to_json().unwrap_or(serde_json::Value::Null),
    }
}

impl Engine<'_> {
    /// The address of the provider of a configuration key: `registry.terraform.io/hashicorp/aws`.
    pub fn provider_address(&self, key: &str) -> String {
        let name = key.split('.').next().unwrap_or(key);
        let source = self
            .provider_sources
            .get(name)
            .cloned()
            .unwrap_or_else(|| format!("lathe/{name}"));
        provider_address(&source)
    }

    /// The provider field of state entries: `provider["registry.terraform.io/hashicorp/aws"]`.
    pub fn provider_state_name(&self, key: &str) -> String {
        let address = self.provider_address(key);
        match key.split_once('.') {
            Some((_, alias)) => format!("provider[\"{address}\"].{alias}"),
            None => format!("provider[\"{address}\"]"),
        }
    }

    fn steps(&self, plan: &Plan) -> DiGraph<Step, ()> {
        let mut graph = DiGraph::new();
        let mut apply_nodes: BTreeMap<String, Vec<NodeIndex>> = BTreeMap::new();
        let mut destroy_nodes: BTreeMap<String, Vec<NodeIndex>> = BTreeMap::new();
        let mut own: BTreeMap<usize, (Option<NodeIndex>, Option<NodeIndex>)> = BTreeMap::new();
        for (index, change) in plan.changes.iter().enumerate() {
            let resource = change.address.resource.clone();
            let (apply, destroy) = match change.action {
                Action::NoOp => (None, None),
                Action::Create | Action::Update | Action::Read => {
                    (Some(graph.add_node(Step::Apply(index))), None)
                }
                Action::Delete => (None, Some(graph.add_node(Step::Destroy(index)))),
                Action::Replace => (
                    Some(graph.add_node(Step::Apply(index))),
                    Some(graph.add_node(Step::Destroy(index))),
                ),
            };
            if let Some(node) = apply {
                apply_nodes.entry(resource.clone()).or_default().push(node);
            }
            if let Some(node) = destroy {
                destroy_nodes.entry(resource).or_default().push(node);
            }
            own.insert(index, (apply, destroy));
        }
        let edge = |graph: &mut DiGraph<Step, ()>, from: NodeIndex, to: NodeIndex| {
            if from != to && graph.find_edge(from, to).is_none() {
                graph.add_edge(from, to, ());
            }
        };
        for (index, change) in plan.changes.iter().enumerate() {
            let (apply, destroy) = own[&index];
            if let (Some(apply), Some(destroy)) = (apply, destroy) {
                if change.create_before_destroy {
                    edge(&mut graph, apply, destroy);
                } else {
                    edge(&mut graph, destroy, apply);
                }
            }
            for dependency in &change.dependencies {
                // Creates and updates wait for what they depend on.
                if let Some(apply) = apply {
                    for &upstream in apply_nodes.get(dependency).into_iter().flatten() {
                        edge(&mut graph, upstream, apply);
                    }
                }
                // Destroys go in reverse: a dependent is destroyed before what it depends on.
                if let Some(destroy) = destroy {
                    for &upstream in destroy_nodes.get(dependency).into_iter().flatten() {
                        edge(&mut graph, destroy, upstream);
                    }
                }
                // create_before_destroy: the old object goes only once its dependents moved on.
                if let Some(apply) = apply {
                    for (other_index, other) in plan.changes.iter().enumerate() {
                        if &other.address.resource == dependency
                            && other.create_before_destroy
                            && let (_, Some(old)) = own[&other_index]
                        {
                            edge(&mut graph, apply, old);
                        }
                    }
                }
            }
            // What goes away entirely waits until everything that depended on it in state
            // has moved on (updated, replaced or destroyed).
            for dependency in &change.prior_dependencies {
                if let Some(destroy) = destroy {
                    for &upstream in destroy_nodes.get(dependency).into_iter().flatten() {
                        edge(&mut graph, destroy, upstream);
                    }
                }
                if let Some(apply) = apply {
                    for (other_index, other) in plan.changes.iter().enumerate() {
                        if &other.address.resource == dependency
                            && other.action == Action::Delete
                            && let (_, Some(old)) = own[&other_index]
                        {
                            edge(&mut graph, apply, old);
                        }
                    }
                }
            }
        }
        graph
    }

    /// Applies a plan to `state`, saving it in `directory` after every step.
    pub fn apply(
        &self,
        plan: &Plan,
        state: &mut State,
        directory: &Path,
        parallelism: usize,
        observer: &dyn ApplyObserver,
    ) -> Result<ApplySummary, crate::state::StateError> {
        for (from, to) in &plan.moves {
            state.move_instance(from, to);
        }
        let mut known = Known::from_state(state);
        known.variables = plan.variables.clone();
        for resource in &self.module.resources {
            if let Ok(expansion) = crate::planner::expand(resource, &self.context(&known)) {
                known.expansions.insert(resource.address(), expansion);
            }
        }
        // Data sources no longer in the configuration (or all, when destroying) are forgotten.
        state.resources.retain(|resource| {
            resource.mode != "data"
                || (plan.mode != PlanMode::Destroy
                    && self.module.resource(&resource.address()).is_some())
        });
        for (address, key, value) in &plan.data_reads {
            let provider = self.provider_state_name(key);
            state.set_instance(address, &provider, new_instance(address, value, Vec::new()));
            known
                .instances
                .entry(address.resource.clone())
                .or_default()
                .insert(address.key.clone(), value.clone());
        }
        if plan.mode == PlanMode::RefreshOnly {
            self.record_outputs(plan, state, &known);
            state.save(directory)?;
            return Ok(ApplySummary::default());
        }
        let graph = self.steps(plan);
        let run = ApplyRun {
            shared: Mutex::new(Shared {
                state,
                context: self.context(&known),
                known,
                summary: ApplySummary::default(),
                save_error: None,
                generation: 0,
            }),
            written: Mutex::new(0),
        };
        let outcomes = walk(
            &graph,
            parallelism,
            || observer.interrupted(),
            |node| {
                let step = graph[node];
                let result = match step {
                    Step::Apply(index) => {
                        self.apply_step(&plan.changes[index], &run, directory, observer)
                    }
                    Step::Destroy(index) => {
                        self.destroy_step(&plan.changes[index], &run, directory, observer)
                    }
                };
                let mut guard = run
                    .shared
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                match result {
                    Ok(()) => true,
                    Err(message) => {
                        let address = match step {
                            Step::Apply(index) | Step::Destroy(index) => {
                                plan.changes[index].address.to_string()
                            }
                        };
                        guard.summary.failures.push((address, message));
                        false
                    }
                }
            },
        );
        let mut shared = run
            .shared
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for (node, outcome) in graph.node_indices().zip(outcomes) {
            if outcome == Outcome::Skipped {
                let (Step::Apply(index) | Step::Destroy(index)) = graph[node];
                shared
                    .summary
                    .skipped
                    .push(plan.changes[index].address.to_string());
            }
        }
        if let Some(error) = shared.save_error.take() {
            return Err(crate::state::StateError::Write {
                path: directory.join(crate::state::STATE_FILE),
                source: std::io::Error::other(error),
            });
        }
        let known = shared.known.clone();
        self.record_outputs(plan, shared.state, &known);
        shared.state.save(directory)?;
        Ok(shared.summary)
    }

    fn record_outputs(&self, plan: &Plan, state: &mut State, known: &Known) {
        let context = self.context(known);
        for output in &self.module.outputs {
            if plan.mode == PlanMode::Destroy {
                state.outputs.remove(&output.name);
                continue;
            }
            match output
                .value
                .evaluate(&context)
                .ok()
                .and_then(|value| value.to_json())
            {
                Some(value) => {
                    let type_json = json_type(&value);
                    state.outputs.insert(
                        output.name.clone(),
                        OutputState {
                            value,
                            type_json,
                            sensitive: output.sensitive,
                        },
                    );
                }
                None => {
                    state.outputs.remove(&output.name);
                }
            }
        }
        state
            .outputs
            .retain(|name, _| self.module.output(name).is_some());
    }

    /// Makes the change just made under `guard` durable before returning. Steps finishing
    /// together share writes (group commit): each write takes the newest state, so a step whose
    /// change is already in a written state does not write again.
    fn save(&self, mut guard: MutexGuard<'_, Shared<'_>>, run: &ApplyRun<'_>, directory: &Path) {
        guard.generation += 1;
        let wanted = guard.generation;
        drop(guard);
        let Ok(mut written) = run.written.lock() else {
            return;
        };
        if *written >= wanted {
            return;
        }
        let Ok(mut guard) = run.shared.lock() else {
            return;
        };
        guard.state.serial += 1;
        let text = guard.state.to_json_text();
        let generation = guard.generation;
        drop(guard);
        match State::write_text(directory, &text) {
            Ok(()) => *written = generation,
            Err(error) => {
                if let Ok(mut guard) = run.shared.lock() {
                    guard.save_error = Some(error.to_string());
                }
            }
        }
    }

    /// Records an instance's new value (`None`: it is gone) and brings the shared evaluation
    /// context up to date: the resource's value, then every local.
    fn remember(&self, shared: &mut Shared<'_>, address: &InstanceAddress, value: Option<Value>) {
        let instances = shared
            .known
            .instances
            .entry(address.resource.clone())
            .or_default();
        match value {
            Some(value) => {
                instances.insert(address.key.clone(), value);
            }
            None => {
                instances.remove(&address.key);
            }
        }
        let resource_value = shared.known.resource_value(&address.resource);
        shared
            .context
            .resources
            .insert(address.resource.clone(), resource_value);
        self.evaluate_locals(&mut shared.context);
    }

    fn apply_step(
        &self,
        change: &ResourceChange,
        run: &ApplyRun<'_>,
        directory: &Path,
        observer: &dyn ApplyObserver,
    ) -> Result<(), String> {
        let address = &change.address;
        let resource = self
            .module
            .resource(&address.resource)
            .ok_or_else(|| format!("{address} is not in the configuration"))?;
        let provider = self.provider(resource);
        let schema = self
            .resource_schema(resource)
            .map_err(|diagnostic| diagnostic.summary.clone())?;
        let provider_name = self.provider_state_name(&change.provider_key);
        let (config, prior) = {
            let mut guard = run
                .shared
                .lock()
                .map_err(|_| "internal lock poisoned".to_string())?;
            let shared = &mut *guard;
            shared.context.count_index = change.count_index;
            shared.context.each = change.each.clone();
            shared.context.self_value = None;
            let context = &shared.context;
            let mut diagnostics = Diagnostics::default();
            let what = format!("resource \"{}\" \"{}\"", resource.type_name, resource.name);
            let config = evaluate_body(
                &resource.body,
                schema,
                context,
                &what,
                &resource.span,
                &mut diagnostics,
            );
            if diagnostics.has_errors() {
                // Values only known now can still be wrong: show where, as validate would.
                return Err(format!(
                    "the configuration is invalid with the values known at apply time:\n{}",
                    diagnostics.render(&self.module.sources, false)
                ));
            }
            let prior = match change.action {
                Action::Replace | Action::Create | Action::Read => None,
                _ => guard
                    .state
                    .instance(address)
                    .map(|instance| Value::from_json(instance.attributes.clone())),
            };
            let config = crate::planner::ignore_changes(
                &resource.lifecycle.ignore_changes,
                schema,
                prior.as_ref(),
                config,
            );
            (config, prior)
        };
        let started = Instant::now();
        if change.action == Action::Read {
            observer.started(address, Operation::Read, None);
            let result = provider.read_data_source(&resource.type_name, &config);
            let mut guard = run
                .shared
                .lock()
                .map_err(|_| "internal lock poisoned".to_string())?;
            return match result {
                Ok(value) => {
                    guard.state.set_instance(
                        address,
                        &provider_name,
                        new_instance(address, &value, change.dependencies.clone()),
                    );
                    self.remember(&mut guard, address, Some(value));
                    self.save(guard, run, directory);
                    observer.finished(address, Operation::Read, Ok(None), started.elapsed());
                    Ok(())
                }
                Err(error) => {
                    observer.finished(
                        address,
                        Operation::Read,
                        Err(error.to_string()),
                        started.elapsed(),
                    );
                    Err(error.to_string())
                }
            };
        }
        let request = PlanRequest {
            type_name: resource.type_name.clone(),
            address: address.to_string(),
            prior: prior.clone(),
            config: config.clone(),
            applying: true,
        };
        let planned = provider
            .plan_resource(&request)
            .map_err(|error| error.to_string())?;
        let creating = prior.is_none();
        let operation = if creating {
            Operation::Create
        } else {
            Operation::Update
        };
        observer.started(address, operation, prior.as_ref().and_then(object_id));
        if creating {
            let mut guard = run
                .shared
                .lock()
                .map_err(|_| "internal lock poisoned".to_string())?;
            if change.action == Action::Replace && change.create_before_destroy {
                guard.state.depose(address);
            }
            let mut pending = new_instance(address, &planned.planned, change.dependencies.clone());
            pending.sensitive_attributes = sensitive_paths(schema);
            pending.status = Some(STATUS_PENDING.to_string());
            pending.create_before_destroy = change.create_before_destroy;
            guard.state.set_instance(address, &provider_name, pending);
            self.save(guard, run, directory);
        }
        let request = ApplyRequest {
            type_name: resource.type_name.clone(),
            address: address.to_string(),
            action: if creating {
                ApplyAction::Create
            } else {
                ApplyAction::Update
            },
            prior,
            planned: planned.planned,
            config,
            dependents: self.resource_dependents(&address.resource),
        };
        let progress = ProgressTo {
            observer,
            address: address.clone(),
        };
        let result = provider.apply_resource(&request, &progress);
        let has_provisioners = resource
            .provisioners
            .iter()
            .any(|provisioner| provisioner.when == ProvisionerWhen::Create);
        let value = {
            let mut guard = run
                .shared
                .lock()
                .map_err(|_| "internal lock poisoned".to_string())?;
            match result {
                Ok(value) => {
                    let mut instance = new_instance(address, &value, change.dependencies.clone());
                    instance.sensitive_attributes = sensitive_paths(schema);
                    instance.create_before_destroy = change.create_before_destroy;
                    // Tainted until its provisioners finish: a crash in between replaces it
                    // on the next apply, so the provisioners always run to the end once.
                    if creating && has_provisioners {
                        instance.status = Some(STATUS_TAINTED.to_string());
                    }
                    guard.state.set_instance(address, &provider_name, instance);
                    self.remember(&mut guard, address, Some(value.clone()));
                    if creating {
                        guard.summary.added += 1;
                    } else {
                        guard.summary.changed += 1;
                    }
                    self.save(guard, run, directory);
                    value
                }
                Err(error) => {
                    if let Some(partial) = &error.partial_state {
                        let mut instance =
                            new_instance(address, partial, change.dependencies.clone());
                        instance.sensitive_attributes = sensitive_paths(schema);
                        instance.status = Some(STATUS_TAINTED.to_string());
                        guard.state.set_instance(address, &provider_name, instance);
                        self.remember(&mut guard, address, Some(partial.clone()));
                        self.save(guard, run, directory);
                    } else if creating {
                        guard.state.remove_instance(address);
                        self.save(guard, run, directory);
                    } else {
                        drop(guard);
                    }
                    observer.finished(
                        address,
                        operation,
                        Err(error.to_string()),
                        started.elapsed(),
                    );
                    return Err(error.to_string());
                }
            }
        };
        if creating
            && let Err(message) =
                self.run_provisioners(change, &value, ProvisionerWhen::Create, run, observer)
        {
            let mut guard = run
                .shared
                .lock()
                .map_err(|_| "internal lock poisoned".to_string())?;
            if let Some(instance) = guard.state.instance(address).cloned() {
                let mut tainted = instance;
                tainted.status = Some(STATUS_TAINTED.to_string());
                guard.state.set_instance(address, &provider_name, tainted);
                self.save(guard, run, directory);
            } else {
                drop(guard);
            }
            observer.finished(address, operation, Err(message.clone()), started.elapsed());
            return Err(message);
        }
        if creating && has_provisioners {
            let mut guard = run
                .shared
                .lock()
                .map_err(|_| "internal lock poisoned".to_string())?;
            if let Some(mut instance) = guard.state.instance(address).cloned() {
                instance.status = None;
                guard.state.set_instance(address, &provider_name, instance);
                self.save(guard, run, directory);
            }
        }
        let id = object_id(&value).map(str::to_string);
        observer.finished(address, operation, Ok(id), started.elapsed());
        Ok(())
    }

    fn destroy_step(
        &self,
        change: &ResourceChange,
        run: &ApplyRun<'_>,
        directory: &Path,
        observer: &dyn ApplyObserver,
    ) -> Result<(), String> {
        let address = &change.address;
        let provider = self.provider_by_key(&change.provider_key).ok_or_else(|| {
            format!(
                "the provider `{}` of {address} is not configured",
                change.provider_key
            )
        })?;
        let prior = change.prior.clone().unwrap_or(Value::Null);
        let started = Instant::now();
        observer.started(address, Operation::Delete, object_id(&prior));
        self.run_provisioners(change, &prior, ProvisionerWhen::Destroy, run, observer)
            .inspect_err(|message| {
                observer.finished(
                    address,
                    Operation::Delete,
                    Err(message.clone()),
                    started.elapsed(),
                )
            })?;
        let request = ApplyRequest {
            type_name: change.type_name.clone(),
            address: address.to_string(),
            action: ApplyAction::Delete,
            prior: Some(prior),
            planned: Value::Null,
            config: Value::Null,
            dependents: Vec::new(),
        };
        let progress = ProgressTo {
            observer,
            address: address.clone(),
        };
        let result = provider.apply_resource(&request, &progress);
        let mut guard = run
            .shared
            .lock()
            .map_err(|_| "internal lock poisoned".to_string())?;
        match result {
            Ok(_) => {
                // With create_before_destroy the address already holds the new object.
                let replaced_first =
                    change.action == Action::Replace && change.create_before_destroy;
                if let Some(deposed) = &change.deposed {
                    guard.state.remove_deposed(address, deposed);
                } else if replaced_first {
                    let prior = change.prior.as_ref().map(known_json);
                    let deposed: Vec<String> = guard
                        .state
                        .deposed_instances()
                        .into_iter()
                        .filter(|(found, _, instance)| {
                            found == address && Some(&instance.attributes) == prior.as_ref()
                        })
                        .filter_map(|(_, _, instance)| instance.deposed.clone())
                        .collect();
                    for key in deposed {
                        guard.state.remove_deposed(address, &key);
                    }
                } else {
                    guard.state.remove_instance(address);
                    self.remember(&mut guard, address, None);
                }
                guard.summary.destroyed += 1;
                self.save(guard, run, directory);
                observer.finished(address, Operation::Delete, Ok(None), started.elapsed());
                Ok(())
            }
            Err(error) => {
                drop(guard);
                observer.finished(
                    address,
                    Operation::Delete,
                    Err(error.to_string()),
                    started.elapsed(),
                );
                Err(error.to_string())
            }
        }
    }

    fn run_provisioners(
        &self,
        change: &ResourceChange,
        self_value: &Value,
        when: ProvisionerWhen,
        run: &ApplyRun<'_>,
        observer: &dyn ApplyObserver,
    ) -> Result<(), String> {
        let Some(resource) = self.module.resource(&change.address.resource) else {
            return Ok(());
        };
        for provisioner in resource
            .provisioners
            .iter()
            .filter(|provisioner| provisioner.when == when)
        {
            let context = {
                let guard = run
                    .shared
                    .lock()
                    .map_err(|_| "internal lock poisoned".to_string())?;
                let mut context =
                    instance_context(&guard.context, change.count_index, change.each.clone());
                context.self_value = Some(self_value.clone());
                context
            };
            let local_exec =
                LocalExec::from_body(&provisioner.body, &context, &self.module.directory)
                    .map_err(|message| format!("local-exec provisioner: {message}"))?;
            let result =
                run_local_exec(&local_exec, &|line| observer.output(&change.address, line));
            if let Err(message) = result {
                match provisioner.on_failure {
                    lathe_config::model::OnFailure::Fail => {
                        return Err(format!("local-exec provisioner error: {message}"));
                    }
                    lathe_config::model::OnFailure::Continue => {
                        observer.output(
                            &change.address,
                            &format!(
                                "local-exec failed, continuing (on_failure = continue): {message}"
                            ),
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// The resources that read `address`, directly or through locals.
    pub fn resource_dependents(&self, address: &str) -> Vec<String> {
        self.graph
            .dependents(&Item::Resource(address.to_string()))
            .into_iter()
            .filter_map(|item| match item {
                Item::Resource(dependent) => Some(dependent),
                _ => None,
            })
            .collect()
    }
}

/// Terraform's record of which attributes are sensitive: one path per attribute.
fn sensitive_paths(schema: &crate::schema::BlockSchema) -> Vec<serde_json::Value> {
    schema
        .attributes
        .iter()
        .filter(|attribute| attribute.sensitive)
        .map(|attribute| serde_json::json!([{ "type": "get_attr", "value": attribute.name }]))
        .collect()
}

/// The `id` attribute of an object, when it has one.
fn object_id(value: &Value) -> Option<&str> {
    value.as_object()?.get("id")?.as_str()
}

fn new_instance(
    address: &InstanceAddress,
    value: &Value,
    dependencies: Vec<String>,
) -> InstanceState {
    InstanceState {
        index_key: address.key.clone(),
        schema_version: 0,
        attributes: known_json(value),
        sensitive_attributes: Vec::new(),
        dependencies,
        status: None,
        create_before_destroy: false,
        deposed: None,
        private: None,
    }
}

/// Terraform's JSON type expression for a value (`"string"`, `["list","string"]`, ...).
pub fn json_type(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::{Value as Json, json};
    match value {
        Json::Null => json!("dynamic"),
        Json::Bool(_) => json!("bool"),
        Json::Number(_) => json!("number"),
        Json::String(_) => json!("string"),
        Json::Array(items) => json!(["tuple", items.iter().map(json_type).collect::<Vec<_>>()]),
        Json::Object(map) => json!([
            "object",
            map.iter()
                .map(|(key, value)| (key.clone(), json_type(value)))
                .collect::<serde_json::Map<_, _>>()
        ]),
    }
}
