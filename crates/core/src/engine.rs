//! The engine for one module: its graph, its configured providers and the values known so far.

use std::collections::BTreeMap;

use lathe_config::diagnostic::{Diagnostic, Diagnostics};
use lathe_config::eval::EvalContext;
use lathe_config::model::{Module, ResourceConfig, ResourceMode};
use lathe_config::value::Value;

use crate::body::{did_you_mean, evaluate_body};
use crate::graph::{Item, ModuleGraph, provider_key};
use crate::provider::{Provider, ProviderRegistry};
use crate::schema::{BlockSchema, ProviderSchema};
use crate::state::{IndexKey, State};

/// How a resource expands into instances.
#[derive(Debug, Clone, PartialEq)]
pub enum Expansion {
    Single,
    Count(i64),
    /// Keys with their `each.value`.
    ForEach(BTreeMap<String, Value>),
}

/// One instance of an expansion: its key, `count.index` and `each.key`/`each.value`.
pub type InstanceKeys = (Option<IndexKey>, Option<i64>, Option<(Value, Value)>);

impl Expansion {
    /// Every instance: its key, `count.index` and `each`.
    pub fn instances(&self) -> Vec<InstanceKeys> {
        match self {
            Expansion::Single => vec![(None, None, None)],
            Expansion::Count(count) => (0..*count)
                .map(|index| (Some(IndexKey::Number(index)), Some(index), None))
                .collect(),
            Expansion::ForEach(entries) => entries
                .iter()
                .map(|(key, value)| {
                    (
                        Some(IndexKey::String(key.clone())),
                        None,
                        Some((Value::String(key.clone()), value.clone())),
                    )
                })
                .collect(),
        }
    }
}

/// Values known so far, from which evaluation contexts are built.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub variables: BTreeMap<String, Value>,
    pub locals: BTreeMap<String, Value>,
    pub expansions: BTreeMap<String, Expansion>,
    pub instances: BTreeMap<String, BTreeMap<Option<IndexKey>, Value>>,
}

impl Known {
    /// The value a reference to a whole resource sees: an object, a list for `count`, an
    /// object keyed by `for_each` key; unknown until known.
    pub fn resource_value(&self, address: &str) -> Value {
        let Some(instances) = self.instances.get(address) else {
            return Value::Unknown;
        };
        let instance =
            |key: &Option<IndexKey>| instances.get(key).cloned().unwrap_or(Value::Unknown);
        match self.expansions.get(address) {
            Some(Expansion::Count(count)) => Value::List(
                (0..*count)
                    .map(|index| instance(&Some(IndexKey::Number(index))))
                    .collect(),
            ),
            Some(Expansion::ForEach(entries)) => Value::Object(
                entries
                    .keys()
                    .map(|key| (key.clone(), instance(&Some(IndexKey::String(key.clone())))))
                    .collect(),
            ),
            Some(Expansion::Single) => instance(&None),
            // Not expanded yet (from state only): shape by the keys found.
            None => match instances.keys().next() {
                Some(Some(IndexKey::Number(_))) => {
                    Value::List(instances.values().cloned().collect())
                }
                Some(Some(IndexKey::String(_))) => Value::Object(
                    instances
                        .iter()
                        .filter_map(|(key, value)| match key {
                            Some(IndexKey::String(key)) => Some((key.clone(), value.clone())),
                            _ => None,
                        })
                        .collect(),
                ),
                _ => instance(&None),
            },
        }
    }

    /// Loads every instance recorded in a state.
    pub fn from_state(state: &State) -> Known {
        let mut known = Known::default();
        for (address, _, instance) in state.instances() {
            if instance.is_pending() {
                continue;
            }
            known
                .instances
                .entry(address.resource.clone())
                .or_default()
                .insert(
                    address.key.clone(),
                    Value::from_json(instance.attributes.clone()),
                );
        }
        known
    }
}

/// A module bound to its providers.
pub struct Engine<'module> {
    pub module: &'module Module,
    pub graph: ModuleGraph,
    pub providers: BTreeMap<String, Box<dyn Provider>>,
    pub schemas: BTreeMap<String, ProviderSchema>,
    /// Provider name to registry source (`hashicorp/aws`), for the state's provider field.
    pub provider_sources: BTreeMap<String, String>,
    registry: ProviderRegistry,
}

impl std::fmt::Debug for Engine<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Engine")
            .field("directory", &self.module.directory)
            .field("providers", &self.providers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<'module> Engine<'module> {
    /// Builds the graph and instantiates a provider for every provider configuration in use.
    /// Providers are configured later, by [`Engine::configure_providers`].
    pub fn new(
        module: &'module Module,
        registry: &ProviderRegistry,
    ) -> Result<Engine<'module>, Diagnostics> {
        let mut diagnostics = Diagnostics::default();
        let graph = match ModuleGraph::build(module) {
            Ok(graph) => Some(graph),
            Err(errors) => {
                diagnostics.extend(errors.0);
                None
            }
        };
        let mut providers = BTreeMap::new();
        let mut schemas = BTreeMap::new();
        let mut wanted: Vec<(String, lathe_config::source::Span)> = module
            .providers
            .iter()
            .map(|provider| {
                let key = match &provider.alias {
                    Some(alias) => format!("{}.{alias}", provider.name),
                    None => provider.name.clone(),
                };
                (key, provider.span.clone())
            })
            .collect();
        for resource in &module.resources {
            wanted.push((provider_key(resource), resource.type_span.clone()));
        }
        for (key, span) in wanted {
            if providers.contains_key(&key) {
                continue;
            }
            let name = key.split('.').next().unwrap_or(&key).to_string();
            // Undeclared aliases (`provider = aws.west` without its block) are config's check.
            match registry.instantiate(&name) {
                Some(provider) => {
                    if !schemas.contains_key(&name) {
                        schemas.insert(name.clone(), provider.schema());
                    }
                    providers.insert(key, provider);
                }
                None => {
                    let names: Vec<String> =
                        registry.infos().map(|info| info.name.clone()).collect();
                    let mut diagnostic = Diagnostic::error(format!(
                        "Provider `{name}` is not available"
                    ))
                    .with_span(span)
                    .with_detail(format!(
                        "lathe has the built-in providers {}; it does not download providers.",
                        names.join(", ")
                    ));
                    diagnostic = match did_you_mean(&name, names.iter().map(String::as_str)) {
                        Some(suggestion) => {
                            diagnostic.with_help(format!("did you mean `{suggestion}`?"))
                        }
                        None => diagnostic
                            .with_help("use a resource type of one of the built-in providers"),
                    };
                    diagnostics.push(diagnostic);
                }
            }
        }
        match graph {
            Some(graph) if !diagnostics.has_errors() => Ok(Engine {
                module,
                graph,
                providers,
                schemas,
                provider_sources: registry
                    .infos()
                    .map(|info| (info.name.clone(), info.source.clone()))
                    .collect(),
                registry: registry.clone(),
            }),
            _ => Err(diagnostics),
        }
    }

    /// Instantiates the providers of objects in `state` that the configuration no longer
    /// uses, so that they can still be refreshed and destroyed. Call before
    /// [`Engine::configure_providers`].
    pub fn adopt_state_providers(&mut self, state: &State) -> Result<(), Diagnostics> {
        let mut diagnostics = Diagnostics::default();
        for resource in &state.resources {
            if self.module.resource(&resource.address()).is_some() {
                continue;
            }
            let name = crate::provider::provider_for_type(&resource.type_name).to_string();
            if self.providers.contains_key(&name) {
                continue;
            }
            match self.registry.instantiate(&name) {
                Some(provider) => {
                    self.schemas
                        .entry(name.clone())
                        .or_insert_with(|| provider.schema());
                    self.providers.insert(name, provider);
                }
                None => diagnostics.push(
                    Diagnostic::error(format!(
                        "{} is in the state, but lathe has no `{name}` provider to manage it",
                        resource.address()
                    ))
                    .with_help(format!(
                        "remove it from the state with `lathe state rm {}` if it no longer exists",
                        resource.address()
                    )),
                ),
            }
        }
        if diagnostics.has_errors() {
            Err(diagnostics)
        } else {
            Ok(())
        }
    }

    pub fn provider(&self, resource: &ResourceConfig) -> &dyn Provider {
        self.providers[&provider_key(resource)].as_ref()
    }

    pub fn provider_by_key(&self, key: &str) -> Option<&dyn Provider> {
        self.providers.get(key).map(|provider| provider.as_ref())
    }

    /// The schema of a resource or data source type, or a diagnostic with a suggestion.
    pub fn resource_schema(&self, resource: &ResourceConfig) -> Result<&BlockSchema, Diagnostic> {
        let provider_name = crate::provider::provider_for_type(&resource.type_name);
        let key = provider_key(resource);
        let name = key.split('.').next().unwrap_or(provider_name);
        let schema = self.schemas.get(name);
        let types = schema.map(|schema| match resource.mode {
            ResourceMode::Managed => &schema.resources,
            ResourceMode::Data => &schema.data_sources,
        });
        if let Some(block) = types.and_then(|types| types.get(&resource.type_name)) {
            return Ok(block);
        }
        let noun = match resource.mode {
            ResourceMode::Managed => "resource type",
            ResourceMode::Data => "data source",
        };
        let mut diagnostic = Diagnostic::error(format!("Invalid {noun} `{}`", resource.type_name))
            .with_span(resource.type_span.clone())
            .with_detail(format!(
                "The provider `{name}` does not support the {noun} `{}`.",
                resource.type_name
            ));
        let candidates: Vec<&str> = types
            .map(|types| types.keys().map(String::as_str).collect())
            .unwrap_or_default();
        diagnostic = match did_you_mean(&resource.type_name, candidates.iter().copied()) {
            Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
            None => diagnostic.with_help(format!(
                "the {noun}s of `{name}` are: {}",
                candidates.join(", ")
            )),
        };
        Err(diagnostic)
    }

    /// An evaluation context with every local evaluated from what is known (a local that
    /// cannot be evaluated yet is unknown).
    pub fn context(&self, known: &Known) -> EvalContext {
        let mut context = EvalContext::new(self.module.directory.clone());
        context.path_cwd =
            std::env::current_dir().unwrap_or_else(|_| self.module.directory.clone());
        context.variables = known.variables.clone();
        for address in known.instances.keys().chain(known.expansions.keys()) {
            context
                .resources
                .insert(address.clone(), known.resource_value(address));
        }
        for resource in &self.module.resources {
            context
                .resources
                .entry(resource.address())
                .or_insert(Value::Unknown);
        }
        self.evaluate_locals(&mut context);
        context
    }

    /// Evaluates every local, in dependency order, from the context's other values.
    pub fn evaluate_locals(&self, context: &mut EvalContext) {
        for item in self.graph.order() {
            if let Item::Local(name) = item
                && let Some(local) = self.module.local(&name)
            {
                let value = local.expression.evaluate(context).unwrap_or(Value::Unknown);
                context.locals.insert(name, value);
            }
        }
    }

    /// The `provider` block of a provider configuration key (`aws`, `aws.west`), if declared.
    pub fn provider_block(&self, key: &str) -> Option<&lathe_config::model::ProviderConfig> {
        let name = key.split('.').next().unwrap_or(key);
        let alias = key.split_once('.').map(|(_, alias)| alias);
        self.module
            .providers
            .iter()
            .find(|provider| provider.name == name && provider.alias.as_deref() == alias)
    }

    /// Evaluates a provider configuration against the provider's schema (an empty object when
    /// there is no block).
    pub fn provider_config(
        &self,
        key: &str,
        context: &EvalContext,
        diagnostics: &mut Diagnostics,
    ) -> Value {
        let name = key.split('.').next().unwrap_or(key);
        let Some(block) = self.provider_block(key) else {
            return Value::Object(BTreeMap::new());
        };
        let mut schema = self
            .schemas
            .get(name)
            .map(|schema| schema.provider.clone())
            .unwrap_or_default();
        if schema.attribute("alias").is_none() {
            schema
                .attributes
                .push(crate::schema::AttributeSchema::optional(
                    "alias",
                    lathe_config::types::TypeConstraint::String,
                ));
        }
        let what = format!("provider \"{name}\"");
        evaluate_body(
            &block.body,
            &schema,
            context,
            &what,
            &block.span,
            diagnostics,
        )
    }

    /// Evaluates and hands each provider its configuration.
    pub fn configure_providers(&mut self, known: &Known) -> Result<(), Diagnostics> {
        let context = self.context(known);
        let mut diagnostics = Diagnostics::default();
        let keys: Vec<String> = self.providers.keys().cloned().collect();
        for key in keys {
            let config = self.provider_config(&key, &context, &mut diagnostics);
            let span = self.provider_block(&key).map(|block| block.span.clone());
            if let Some(provider) = self.providers.get_mut(&key)
                && let Err(error) = provider.configure(&config)
            {
                let mut diagnostic =
                    Diagnostic::error(format!("Provider `{key}` could not be configured: {error}"));
                if let Some(span) = span {
                    diagnostic = diagnostic.with_span(span);
                }
                diagnostics.push(diagnostic);
            }
        }
        if diagnostics.has_errors() {
            Err(diagnostics)
        } else {
            Ok(())
        }
    }
}
