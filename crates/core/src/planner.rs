//! Planning: refresh the state, evaluate the configuration in dependency order, ask each
//! provider what it would change, and collect the changes with their reasons.

use std::collections::{BTreeMap, BTreeSet};

use lathe_config::diagnostic::{Diagnostic, Diagnostics};
use lathe_config::eval::EvalContext;
use lathe_config::model::{IgnoreChanges, ResourceConfig, ResourceMode};
use lathe_config::value::{PathStep, Value};

use crate::body::evaluate_body;
use crate::engine::{Engine, Expansion, Known};
use crate::graph::{Item, provider_key};
use crate::plan::{Action, Drift, OutputChange, Plan, PlanMode, ResourceChange};
use crate::provider::PlanRequest;
use crate::state::{IndexKey, InstanceAddress, InstanceState, State};

#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    pub mode: PlanMode,
    /// Read every object from its provider first (`-refresh=false` turns it off).
    pub refresh: bool,
    /// `-target`: only these resources (or instances) and what they depend on.
    pub targets: Vec<InstanceAddress>,
    /// `-replace`: replace these instances even if nothing changed.
    pub replace: Vec<InstanceAddress>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            mode: PlanMode::Normal,
            refresh: true,
            targets: Vec::new(),
            replace: Vec::new(),
        }
    }
}

/// More instances of one resource than any real configuration needs: a guard against a
/// mistyped count exhausting memory.
pub const MAXIMUM_INSTANCES: usize = 100_000;

type ReadResult = Result<Option<Value>, crate::provider::ProviderError>;

/// Evaluates `count` / `for_each` of a resource.
pub fn expand(resource: &ResourceConfig, context: &EvalContext) -> Result<Expansion, Diagnostic> {
    if let Some(count) = &resource.count {
        let value = count.evaluate(context).map_err(first_error)?;
        let invalid = |why: &str| {
            Diagnostic::error("Invalid count argument")
                .with_span(count.span())
                .with_detail(why.to_string())
                .with_help("make `count` a whole number known before apply (from variables, locals or literals)")
        };
        if value.contains_sensitive() {
            return Err(invalid(
                "Sensitive values, or values derived from sensitive values, cannot be used as count arguments. If used, the sensitive value could be exposed as a resource instance key.",
            )
            .with_help("if the number is not secret, wrap it in nonsensitive(...)"));
        }
        if !value.is_known() {
            return Err(invalid(
                "The \"count\" value depends on resource attributes that cannot be determined until apply.",
            ));
        }
        let number = value.as_f64().ok_or_else(|| {
            invalid(&format!(
                "The \"count\" value must be a number, not {}.",
                value.type_name()
            ))
        })?;
        if number < 0.0 || number.fract() != 0.0 {
            return Err(invalid(&format!(
                "The \"count\" value must be a whole number ≥ 0, not {value}."
            )));
        }
        if number > MAXIMUM_INSTANCES as f64 {
            return Err(invalid(&format!(
                "The \"count\" value {value} is more than the {MAXIMUM_INSTANCES} instances lathe manages per resource."
            )));
        }
        return Ok(Expansion::Count(number as i64));
    }
    if let Some(for_each) = &resource.for_each {
        let value = for_each.evaluate(context).map_err(first_error)?;
        let invalid = |why: String| {
            Diagnostic::error("Invalid for_each argument")
                .with_span(for_each.span())
                .with_detail(why)
                .with_help("use a map, or a set of strings (toset([...])), known before apply")
        };
        // Keys become instance addresses, printed everywhere; values may stay sensitive.
        let sensitive_keys = match &value {
            Value::List(items) => items.iter().any(Value::contains_sensitive),
            other => other.is_sensitive(),
        };
        if sensitive_keys {
            return Err(invalid(
                "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".to_string(),
            )
            .with_help("if the keys are not secret, wrap the collection in nonsensitive(...); a map's values may stay sensitive"));
        }
        if !value.is_known() {
            return Err(invalid(
                "The \"for_each\" value depends on resource attributes that cannot be determined until apply."
                    .to_string(),
            ));
        }
        let mut entries = BTreeMap::new();
        match value {
            Value::Object(map) => entries = map,
            Value::List(items) => {
                for item in items {
                    match item {
                        Value::String(key) => {
                            entries.insert(key.clone(), Value::String(key));
                        }
                        other => {
                            return Err(invalid(format!(
                                "A set given to for_each must hold strings; it holds a {}.",
                                other.type_name()
                            )));
                        }
                    }
                }
            }
            other => {
                return Err(invalid(format!(
                    "The \"for_each\" value must be a map or a set of strings, not a {}.",
                    other.type_name()
                )));
            }
        }
        return Ok(Expansion::ForEach(entries));
    }
    Ok(Expansion::Single)
}

fn first_error(diagnostics: Diagnostics) -> Diagnostic {
    diagnostics
        .0
        .into_iter()
        .next()
        .unwrap_or_else(|| Diagnostic::error("evaluation failed"))
}

/// A context for one instance of a resource.
pub fn instance_context(
    base: &EvalContext,
    count_index: Option<i64>,
    each: Option<(Value, Value)>,
) -> EvalContext {
    let mut context = base.clone();
    context.count_index = count_index;
    context.each = each;
    context
}

/// Applies `ignore_changes`: the listed attributes keep their value in state.
pub(crate) fn ignore_changes(
    lifecycle: &IgnoreChanges,
    schema: &crate::schema::BlockSchema,
    prior: Option<&Value>,
    config: Value,
) -> Value {
    let (Some(Value::Object(prior)), Value::Object(mut config)) = (prior, config.clone()) else {
        return config;
    };
    let names: Vec<String> = match lifecycle {
        IgnoreChanges::None => return Value::Object(config),
        IgnoreChanges::All => schema
            .attributes
            .iter()
            .filter(|attribute| attribute.is_settable())
            .map(|attribute| attribute.name.clone())
            .chain(schema.blocks.iter().map(|block| block.type_name.clone()))
            .collect(),
        IgnoreChanges::Attributes(paths) => paths
            .iter()
            .filter_map(|(path, _)| match path.first() {
                Some(PathStep::Attribute(name)) => Some(name.clone()),
                _ => None,
            })
            .collect(),
    };
    for name in names {
        if let Some(value) = prior.get(&name) {
            config.insert(name, value.clone());
        }
    }
    Value::Object(config)
}

impl Engine<'_> {
    /// Refreshes `state` in place: reads every managed object; adopts or drops pending creates.
    /// Returns what changed outside lathe.
    pub fn refresh(
        &self,
        state: &mut State,
        parallelism: usize,
    ) -> Result<Vec<Drift>, Diagnostics> {
        let mut drift = Vec::new();
        let mut diagnostics = Diagnostics::default();
        let instances: Vec<(InstanceAddress, String, String, crate::state::InstanceState)> = state
            .instances()
            .into_iter()
            .filter(|(_, resource, _)| resource.mode == "managed")
            .map(|(address, resource, instance)| {
                let key = self
                    .module
                    .resource(&address.resource)
                    .map(provider_key)
                    .unwrap_or_else(|| {
                        crate::provider::provider_for_type(&resource.type_name).to_string()
                    });
                (address, resource.type_name.clone(), key, instance.clone())
            })
            .collect();
        // Reads are independent of one another: run them like an apply walk without edges.
        let mut reads = petgraph::graph::DiGraph::<usize, ()>::new();
        for index in 0..instances.len() {
            reads.add_node(index);
        }
        let results: Vec<std::sync::Mutex<Option<ReadResult>>> = instances
            .iter()
            .map(|_| std::sync::Mutex::new(None))
            .collect();
        crate::walk::walk(
            &reads,
            parallelism,
            || false,
            |node| {
                let (_, type_name, key, instance) = &instances[node.index()];
                let Some(provider) = self.provider_by_key(key) else {
                    return true;
                };
                let before = Value::from_json(instance.attributes.clone());
                // Providers read plain values (state JSON carries no marks).
                let result = if instance.is_pending() {
                    provider.recover_pending(type_name, &before)
                } else {
                    provider.read_resource(type_name, &before)
                };
                if let Ok(mut slot) = results[node.index()].lock() {
                    *slot = Some(result);
                }
                true
            },
        );
        for ((address, type_name, key, instance), result) in instances.into_iter().zip(results) {
            let Some(result) = result.into_inner().ok().flatten() else {
                diagnostics.push(Diagnostic::error(format!(
                    "{address} is in the state, but its provider `{key}` is not in the configuration; add a resource or provider block that uses `{key}`, or remove it from state with `lathe state rm {address}`"
                )));
                continue;
            };
            let before = instance.value();
            match result {
                Ok(Some(after)) => {
                    let mut updated = instance.clone();
                    updated.status = if instance.is_pending() {
                        None
                    } else {
                        instance.status.clone()
                    };
                    let after = after.mark_paths(&before.clone().unmark_with_paths().1);
                    updated.set_value(&after);
                    if after != before && !instance.is_pending() {
                        drift.push(Drift {
                            address: address.clone(),
                            type_name: type_name.clone(),
                            before: before.clone(),
                            after: Some(after),
                        });
                    }
                    let provider_name = state
                        .resource(&address.resource)
                        .map(|resource| resource.provider.clone())
                        .unwrap_or_default();
                    state.set_instance(&address, &provider_name, updated);
                }
                Ok(None) => {
                    if !instance.is_pending() {
                        drift.push(Drift {
                            address: address.clone(),
                            type_name,
                            before,
                            after: None,
                        });
                    }
                    state.remove_instance(&address);
                }
                Err(error) => diagnostics.push(Diagnostic::error(format!(
                    "Error refreshing {address}: {error}"
                ))),
            }
        }
        if diagnostics.has_errors() {
            Err(diagnostics)
        } else {
            Ok(drift)
        }
    }

    /// Plans against a state that has already been refreshed (or not, by choice).
    pub fn plan(
        &self,
        state: &State,
        variables: &BTreeMap<String, Value>,
        drift: Vec<Drift>,
        options: &PlanOptions,
    ) -> Result<Plan, Diagnostics> {
        let moves = self.implied_moves(state);
        let moved;
        let state = if moves.is_empty() {
            state
        } else {
            let mut copy = state.clone();
            for (from, to) in &moves {
                copy.move_instance(from, to);
            }
            moved = copy;
            &moved
        };
        let mut known = Known::from_state(state);
        known.variables = variables.clone();
        let mut diagnostics = Diagnostics::default();
        let mut changes: Vec<ResourceChange> = Vec::new();
        let mut data_reads = Vec::new();
        let mut output_changes = Vec::new();
        let mut changed_resources: BTreeSet<String> = BTreeSet::new();
        let destroying = options.mode == PlanMode::Destroy;

        for item in self.graph.order() {
            match &item {
                Item::Variable(_) | Item::Provider(_) => {}
                Item::Local(name) => {
                    let context = self.context(&known);
                    if let Some(local) = self.module.local(name) {
                        match local.expression.evaluate(&context) {
                            Ok(value) => {
                                known.locals.insert(name.clone(), value);
                            }
                            Err(errors) => diagnostics.extend(errors.0),
                        }
                    }
                }
                Item::Resource(address) => {
                    let Some(resource) = self.module.resource(address) else {
                        continue;
                    };
                    if destroying {
                        continue;
                    }
                    let before = changes.len();
                    self.plan_resource(
                        resource,
                        state,
                        &mut known,
                        &changed_resources,
                        options,
                        &mut changes,
                        &mut data_reads,
                        &mut diagnostics,
                    );
                    if changes[before..]
                        .iter()
                        .any(|change| change.action != Action::NoOp)
                    {
                        changed_resources.insert(address.clone());
                    }
                }
                Item::Output(name) => {
                    let Some(output) = self.module.output(name) else {
                        continue;
                    };
                    let after = if destroying {
                        Value::Null
                    } else {
                        let context = self.context(&known);
                        match output.value.evaluate(&context) {
                            Ok(value) => {
                                diagnostics
                                    .extend(crate::sensitivity::output_error(output, &value));
                                value
                            }
                            Err(errors) => {
                                diagnostics.extend(errors.0);
                                continue;
                            }
                        }
                    };
                    let before = state.outputs.get(name).map(|output| {
                        Value::from_json(output.value.clone()).marked_if(output.sensitive)
                    });
                    if destroying && before.is_none() {
                        continue;
                    }
                    output_changes.push(OutputChange {
                        name: name.clone(),
                        before,
                        after,
                        sensitive: output.sensitive,
                    });
                }
            }
        }
        // Outputs no longer declared are removed.
        for (name, output) in &state.outputs {
            if self.module.output(name).is_none() {
                output_changes.push(OutputChange {
                    name: name.clone(),
                    before: Some(
                        Value::from_json(output.value.clone()).marked_if(output.sensitive),
                    ),
                    after: Value::Null,
                    sensitive: output.sensitive,
                });
            }
        }
        self.plan_deletions(state, destroying, &mut changes);
        if destroying {
            for change in &changes {
                if let Some(resource) = self.module.resource(&change.address.resource)
                    && resource.lifecycle.prevent_destroy
                {
                    diagnostics.push(prevent_destroy_error(resource, &change.address));
                }
            }
        }
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        if !options.targets.is_empty() {
            self.restrict_to_targets(&options.targets, &mut changes);
        }
        changes.sort_by(|left, right| left.address.cmp(&right.address));
        // Collecting every reference walks the whole configuration: only worth it when
        // something drifted.
        let drift = if options.mode == PlanMode::RefreshOnly || drift.is_empty() {
            drift
        } else {
            let references = crate::relevance::configuration_references(self.module);
            crate::relevance::relevant_drift(drift, &changes, &references)
        };
        let mut plan = Plan {
            mode: options.mode,
            changes,
            drift,
            output_changes,
            moves,
            data_reads,
            variables: variables.clone(),
            prior_lineage: state.lineage.clone(),
            prior_serial: state.serial,
        };
        if options.mode == PlanMode::RefreshOnly {
            for change in &mut plan.changes {
                change.action = Action::NoOp;
            }
        }
        Ok(plan)
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_resource(
        &self,
        resource: &ResourceConfig,
        state: &State,
        known: &mut Known,
        changed_resources: &BTreeSet<String>,
        options: &PlanOptions,
        changes: &mut Vec<ResourceChange>,
        data_reads: &mut Vec<(InstanceAddress, String, Value)>,
        diagnostics: &mut Diagnostics,
    ) {
        let address = resource.address();
        let schema = match self.resource_schema(resource) {
            Ok(schema) => schema.clone(),
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                return;
            }
        };
        let mut context = self.context(known);
        let expansion = match expand(resource, &context) {
            Ok(expansion) => expansion,
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                return;
            }
        };
        known.expansions.insert(address.clone(), expansion.clone());
        let provider = self.provider(resource);
        let key = provider_key(resource);
        let dependencies: Vec<String> = self
            .graph
            .resource_dependencies(&Item::Resource(address.clone()))
            .into_iter()
            .collect();
        let upstream_changed: Vec<&String> = dependencies
            .iter()
            .filter(|dependency| changed_resources.contains(*dependency))
            .collect();
        let upstream_reasons = upstream_reasons(resource, &upstream_changed, changes);
        let mut planned_instances = BTreeMap::new();
        let mut kept_keys = BTreeSet::new();
        for (index_key, count_index, each) in expansion.instances() {
            kept_keys.insert(index_key.clone());
            let instance_address = InstanceAddress::new(address.clone(), index_key.clone());
            // One context serves every instance: only count.index and each change.
            context.count_index = count_index;
            context.each = each.clone();
            let what = format!("resource \"{}\" \"{}\"", resource.type_name, resource.name);
            let mut errors = Diagnostics::default();
            let config = evaluate_body(
                &resource.body,
                &schema,
                &context,
                &what,
                &resource.span,
                &mut errors,
            );
            if errors.has_errors() {
                diagnostics.extend(errors.0);
                continue;
            }
            // The provider plans plain values; its answer is marked where the configuration
            // or the schema said, and the prior object as its state recorded.
            let (config, marks) = crate::sensitivity::split(config, &schema);
            let prior_instance = state.instance(&instance_address);
            let marked_prior = prior_instance.map(InstanceState::value);
            let prior = marked_prior.as_ref().map(crate::sensitivity::plain);
            if resource.mode == ResourceMode::Data {
                if config.is_known() && upstream_changed.is_empty() {
                    match provider.read_data_source(&resource.type_name, &config) {
                        Ok(value) => {
                            let value = marks.apply(value);
                            planned_instances.insert(index_key.clone(), value.clone());
                            data_reads.push((instance_address, key.clone(), value));
                        }
                        Err(error) => diagnostics.push(
                            Diagnostic::error(format!("Error reading {instance_address}: {error}"))
                                .with_span(resource.span.clone()),
                        ),
                    }
                } else {
                    // What the configuration sets is shown; what the read returns is unknown.
                    let planned = marks
                        .apply(crate::provider::plan_from_schema(&schema, None, &config).planned);
                    planned_instances.insert(index_key.clone(), planned.clone());
                    changes.push(ResourceChange {
                        address: instance_address,
                        type_name: resource.type_name.clone(),
                        provider_key: key.clone(),
                        action: Action::Read,
                        create_before_destroy: false,
                        prior: None,
                        planned,
                        requires_replace: Vec::new(),
                        reasons: upstream_reasons.clone(),
                        notes: Vec::new(),
                        action_reason: Some("depends on values known only after apply".to_string()),
                        dependencies: dependencies.clone(),
                        prior_dependencies: Vec::new(),
                        count_index,
                        each,
                        deposed: None,
                    });
                }
                continue;
            }
            let config = ignore_changes(
                &resource.lifecycle.ignore_changes,
                &schema,
                prior.as_ref(),
                config,
            );
            let request = PlanRequest {
                type_name: resource.type_name.clone(),
                address: instance_address.to_string(),
                prior: prior.clone(),
                config: config.clone(),
                applying: false,
            };
            let planned = match provider.plan_resource(&request) {
                Ok(planned) => planned,
                Err(error) => {
                    diagnostics.push(
                        Diagnostic::error(format!("Error planning {instance_address}: {error}"))
                            .with_span(resource.span.clone()),
                    );
                    continue;
                }
            };
            let mut reasons = planned.reasons.clone();
            let mut action_reason = None;
            let tainted = prior_instance.is_some_and(|instance| {
                instance.status.as_deref() == Some(crate::state::STATUS_TAINTED)
            });
            let replace_requested = options.replace.iter().any(|wanted| {
                wanted.resource == address && (wanted.key.is_none() || wanted.key == index_key)
            });
            let triggered_by: Vec<String> = resource
                .lifecycle
                .replace_triggered_by
                .iter()
                .map(|reference| reference.target.address())
                .filter(|target| changed_resources.contains(target))
                .collect();
            let action = if prior.is_none() {
                Action::Create
            } else if tainted {
                action_reason = Some("is tainted, so must be replaced".to_string());
                Action::Replace
            } else if replace_requested {
                action_reason = Some("will be replaced, as requested".to_string());
                Action::Replace
            } else if !triggered_by.is_empty() {
                action_reason = Some(format!(
                    "will be replaced due to changes in replace_triggered_by ({})",
                    triggered_by.join(", ")
                ));
                Action::Replace
            } else if !planned.requires_replace.is_empty() {
                Action::Replace
            } else if prior.as_ref() == Some(&planned.planned) {
                Action::NoOp
            } else {
                Action::Update
            };
            if action != Action::NoOp && action != Action::Create {
                reasons.extend(upstream_reasons.iter().cloned());
            }
            if matches!(action, Action::Replace) && resource.lifecycle.prevent_destroy {
                diagnostics.push(prevent_destroy_error(resource, &instance_address));
            }
            let mut planned_value = planned.planned.clone();
            if action == Action::Replace && planned.requires_replace.is_empty() {
                // Replaced for a reason outside the attributes: computed values are recomputed.
                if let Value::Object(object) = &mut planned_value {
                    for attribute in schema
                        .attributes
                        .iter()
                        .filter(|attribute| attribute.computed)
                    {
                        if config
                            .as_object()
                            .and_then(|config| config.get(&attribute.name))
                            .is_none_or(Value::is_null)
                        {
                            object.insert(attribute.name.clone(), Value::Unknown);
                        }
                    }
                }
            }
            let planned_value = marks.apply(planned_value);
            let reasons =
                crate::sensitivity::redact_reasons(reasons, marked_prior.as_ref(), &planned_value);
            planned_instances.insert(index_key.clone(), planned_value.clone());
            changes.push(ResourceChange {
                address: instance_address,
                type_name: resource.type_name.clone(),
                provider_key: key.clone(),
                action,
                create_before_destroy: resource.lifecycle.create_before_destroy,
                prior: marked_prior,
                planned: planned_value,
                requires_replace: planned.requires_replace,
                reasons,
                notes: planned.notes,
                action_reason,
                dependencies: dependencies.clone(),
                prior_dependencies: prior_instance
                    .map(|instance| instance.dependencies.clone())
                    .unwrap_or_default(),
                count_index,
                each,
                deposed: None,
            });
        }
        // Instances whose key is no longer produced by count/for_each.
        if let Some(resource_state) = state.resource(&address) {
            for instance in resource_state
                .instances
                .iter()
                .filter(|instance| instance.deposed.is_none())
            {
                if kept_keys.contains(&instance.index_key) || resource.mode == ResourceMode::Data {
                    continue;
                }
                let instance_address =
                    InstanceAddress::new(address.clone(), instance.index_key.clone());
                if resource.lifecycle.prevent_destroy {
                    diagnostics.push(prevent_destroy_error(resource, &instance_address));
                }
                changes.push(deletion(
                    instance_address,
                    &resource_state.type_name,
                    &key,
                    instance,
                    "is not in the configuration any more: its index is out of range",
                ));
            }
        }
        known.instances.insert(address, planned_instances);
    }

    /// Deletes for resources no longer in the configuration, or every resource when destroying.
    fn plan_deletions(&self, state: &State, destroying: bool, changes: &mut Vec<ResourceChange>) {
        for (address, resource_state, instance) in state.deposed_instances() {
            let key = self
                .module
                .resource(&address.resource)
                .map(provider_key)
                .unwrap_or_else(|| {
                    crate::provider::provider_for_type(&resource_state.type_name).to_string()
                });
            changes.push(deletion(
                address,
                &resource_state.type_name,
                &key,
                instance,
                "is a deposed object left by an interrupted create_before_destroy replacement",
            ));
        }
        for resource_state in &state.resources {
            if resource_state.mode == "data" {
                continue;
            }
            let address = resource_state.address();
            let configured = self.module.resource(&address);
            if configured.is_some() && !destroying {
                continue;
            }
            let key = configured.map(provider_key).unwrap_or_else(|| {
                crate::provider::provider_for_type(&resource_state.type_name).to_string()
            });
            for instance in resource_state
                .instances
                .iter()
                .filter(|instance| instance.deposed.is_none())
            {
                let reason = if destroying {
                    "will be destroyed"
                } else {
                    "is not in the configuration any more"
                };
                changes.push(deletion(
                    InstanceAddress::new(address.clone(), instance.index_key.clone()),
                    &resource_state.type_name,
                    &key,
                    instance,
                    reason,
                ));
            }
        }
    }

    /// Terraform's implied moves: a single object becomes instance `[0]` (or `["key"]` is not
    /// guessed) when `count` is added, and instance `[0]` becomes the single object when
    /// `count` and `for_each` are removed.
    fn implied_moves(&self, state: &State) -> Vec<(InstanceAddress, InstanceAddress)> {
        let mut moves = Vec::new();
        for resource in &self.module.resources {
            let address = resource.address();
            let single = InstanceAddress::new(address.clone(), None);
            let first = InstanceAddress::new(address.clone(), Some(IndexKey::Number(0)));
            let (from, to) = if resource.count.is_some() {
                (single, first)
            } else if resource.for_each.is_none() {
                (first, single)
            } else {
                continue;
            };
            if state.instance(&from).is_some() && state.instance(&to).is_none() {
                moves.push((from, to));
            }
        }
        moves
    }

    /// Keeps only changes of the targets and of the resources they depend on.
    fn restrict_to_targets(&self, targets: &[InstanceAddress], changes: &mut Vec<ResourceChange>) {
        let mut wanted_resources = BTreeSet::new();
        for target in targets {
            for dependency in self
                .graph
                .dependencies(&Item::Resource(target.resource.clone()))
            {
                if let Item::Resource(address) = dependency {
                    wanted_resources.insert(address);
                }
            }
        }
        changes.retain(|change| {
            targets.iter().any(|target| {
                target.resource == change.address.resource
                    && (target.key.is_none() || target.key == change.address.key)
            }) || wanted_resources.contains(&change.address.resource)
        });
    }
}

/// "upstream lathe_dataset.v1.version changed": for each changed upstream resource, the
/// attributes this resource reads from it that change, or the resource itself when it is
/// reached through locals or as a whole.
fn upstream_reasons(
    resource: &ResourceConfig,
    upstream_changed: &[&String],
    changes: &[ResourceChange],
) -> Vec<String> {
    let references = crate::graph::resource_references(resource);
    let mut reasons = Vec::new();
    for dependency in upstream_changed {
        let attributes: BTreeSet<String> = references
            .iter()
            .filter(|reference| &&reference.target.address() == dependency)
            .filter_map(|reference| {
                reference.path.iter().find_map(|step| match step {
                    PathStep::Attribute(name) => Some(name.clone()),
                    PathStep::Index(_) => None,
                })
            })
            .collect();
        let changed: Vec<&String> = attributes
            .iter()
            .filter(|name| {
                changes.iter().any(|change| {
                    &&change.address.resource == dependency && {
                        let before = change
                            .prior
                            .as_ref()
                            .and_then(|prior| prior.as_object())
                            .and_then(|prior| prior.get(*name));
                        let after = change
                            .planned
                            .as_object()
                            .and_then(|planned| planned.get(*name));
                        change.action == Action::Delete || before != after
                    }
                })
            })
            .collect();
        if changed.is_empty() {
            reasons.push(format!("upstream {dependency} changed"));
        } else {
            reasons.extend(
                changed
                    .iter()
                    .map(|name| format!("upstream {dependency}.{name} changed")),
            );
        }
    }
    reasons
}

fn prevent_destroy_error(resource: &ResourceConfig, address: &InstanceAddress) -> Diagnostic {
    Diagnostic::error("Instance cannot be destroyed")
        .with_span(resource.span.clone())
        .with_detail(format!(
            "{address} has lifecycle.prevent_destroy set, but the plan calls for it to be destroyed."
        ))
        .with_help("set prevent_destroy = false, or change the plan so that it is kept (e.g. undo the change that forces replacement)")
}

fn deletion(
    address: InstanceAddress,
    type_name: &str,
    provider_key: &str,
    instance: &crate::state::InstanceState,
    reason: &str,
) -> ResourceChange {
    ResourceChange {
        address,
        type_name: type_name.to_string(),
        provider_key: provider_key.to_string(),
        action: Action::Delete,
        create_before_destroy: false,
        prior: Some(instance.value()),
        planned: Value::Null,
        requires_replace: Vec::new(),
        reasons: Vec::new(),
        notes: Vec::new(),
        action_reason: Some(reason.to_string()),
        dependencies: instance.dependencies.clone(),
        prior_dependencies: instance.dependencies.clone(),
        count_index: match &instance.index_key {
            Some(IndexKey::Number(number)) => Some(*number),
            _ => None,
        },
        each: None,
        deposed: instance.deposed.clone(),
    }
}
