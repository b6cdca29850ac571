//! The provider interface the engine drives, and the registry the binary fills with providers.
//!
//! The engine calls a provider in this order: [`Provider::schema`] (once),
//! [`Provider::configure`] with the evaluated `provider` block, [`Provider::validate_resource`]
//! during `lathe validate`, then per plan [`Provider::read_resource`] (refresh, or
//! [`Provider::recover_pending`] for a create a crash interrupted) and
//! [`Provider::plan_resource`], and per apply step [`Provider::plan_resource`] again with the
//! now-known upstream values followed by [`Provider::apply_resource`]. Data sources are read
//! with [`Provider::read_data_source`] at plan time when their arguments are known, at apply
//! time otherwise; `lathe import` calls [`Provider::import_resource`].
//!
//! The interface is synchronous on purpose: the engine's walk runs each resource operation on a
//! worker thread (bounded by `-parallelism`), so a provider can block while it waits on a remote
//! job. A provider built on an async SDK keeps its own runtime handle and blocks on it inside
//! these calls; the engine and simple providers stay free of async plumbing.

use std::collections::BTreeMap;
use std::sync::Arc;

use lathe_config::value::Value;

use crate::schema::{BlockSchema, ProviderSchema};

/// A failure reported by a provider; the message is shown to the user under the resource.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    pub message: String,
    /// The attribute at fault, when there is one (`hyperparameters.epochCount`).
    pub attribute: Option<String>,
    /// What exists despite the failure (a job started, then waiting for it failed): the
    /// engine records it as tainted, so it is tracked and replaced, never orphaned.
    pub partial_state: Option<Value>,
}

impl ProviderError {
    pub fn new(message: impl Into<String>) -> ProviderError {
        ProviderError {
            message: message.into(),
            attribute: None,
            partial_state: None,
        }
    }

    pub fn at_attribute(message: impl Into<String>, attribute: impl Into<String>) -> ProviderError {
        ProviderError {
            attribute: Some(attribute.into()),
            ..ProviderError::new(message)
        }
    }

    /// A failure after the object came to exist, with the object's attributes.
    pub fn with_partial_state(message: impl Into<String>, partial_state: Value) -> ProviderError {
        ProviderError {
            partial_state: Some(partial_state),
            ..ProviderError::new(message)
        }
    }
}

/// A problem with a resource's configuration found by the provider's own validation.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeIssue {
    /// The top-level attribute or block the problem is in, so the engine can point at it.
    pub attribute: String,
    pub summary: String,
    pub help: Option<String>,
}

/// What the engine asks a provider to plan for one resource instance.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    pub type_name: String,
    pub address: String,
    /// The attributes in state, `None` when the instance does not exist yet.
    pub prior: Option<Value>,
    /// The evaluated configuration; may hold unknown values.
    pub config: Value,
    /// True for the final plan made right before [`Provider::apply_resource`]: the moment to
    /// fix generated identities (a name for `name_prefix`), which the engine then records as
    /// the pending create. While only planning, leave such values unknown.
    pub applying: bool,
}

/// A provider's answer to a plan request.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedChange {
    /// The attributes after apply, with `Value::Unknown` where only apply can tell.
    pub planned: Value,
    /// Attribute paths (`name`, `hyperparameters.epochCount`) whose change forces replacement.
    pub requires_replace: Vec<String>,
    /// Why the change happens, in words shown under the resource in the plan.
    pub reasons: Vec<String>,
    /// Facts about the change that are not reasons, shown under it too: token counts, cost
    /// and time estimates ("about 1.2M training tokens, est. $4.80").
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyAction {
    Create,
    Update,
    Delete,
}

/// What the engine asks a provider to do for one resource instance.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyRequest {
    pub type_name: String,
    pub address: String,
    pub action: ApplyAction,
    /// The attributes in state (`None` for a create).
    pub prior: Option<Value>,
    /// The planned attributes, now with every value the configuration needs known
    /// (`Value::Null` for a delete).
    pub planned: Value,
    pub config: Value,
    /// The resources that read this one. A provider whose create only starts a long job
    /// (model customization) can return at once when this is empty and wait for the job
    /// to finish when something downstream needs its result.
    pub dependents: Vec<String>,
}

/// Lets a long-running operation say what it is doing ("training step 40/100").
pub trait Progress: Send + Sync {
    fn message(&self, text: &str);
}

/// A provider: a set of resource and data source types behind one configuration.
pub trait Provider: Send + Sync {
    fn schema(&self) -> ProviderSchema;

    /// Receives the evaluated `provider "name" { ... }` block (an empty object when there is
    /// none) before any other call.
    fn configure(&mut self, config: &Value) -> Result<(), ProviderError> {
        let _ = config;
        Ok(())
    }

    /// Checks beyond the schema (value ranges, formats); the schema itself is checked by the
    /// engine. Unknown values must be accepted.
    fn validate_resource(&self, type_name: &str, config: &Value) -> Vec<AttributeIssue> {
        let _ = (type_name, config);
        Vec::new()
    }

    /// Plans one instance. The default follows the schema: see [`plan_from_schema`].
    /// When [`PlanRequest::applying`], decide the object's identity (e.g. the name generated
    /// for `name_prefix`): the engine records the planned attributes as a pending create before
    /// calling [`Provider::apply_resource`], and [`Provider::recover_pending`] finds the object
    /// by them after a crash.
    fn plan_resource(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        let schema = self.schema();
        let block = schema.resources.get(&request.type_name).ok_or_else(|| {
            ProviderError::new(format!("unsupported resource type {}", request.type_name))
        })?;
        Ok(plan_from_schema(
            block,
            request.prior.as_ref(),
            &request.config,
        ))
    }

    /// Creates, updates or deletes one instance; returns the new attributes (`Value::Null`
    /// after a delete).
    fn apply_resource(
        &self,
        request: &ApplyRequest,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError>;

    /// Reads an existing instance; `None` when it no longer exists.
    fn read_resource(&self, type_name: &str, state: &Value)
    -> Result<Option<Value>, ProviderError>;

    /// After a crash between recording a pending create and finishing it: looks the intended
    /// object up by its identity (its name) and returns its attributes if it exists, so the
    /// engine adopts it instead of creating a duplicate. The default answers that nothing can
    /// exist, which is right for providers whose objects only exist once apply returns.
    fn recover_pending(
        &self,
        type_name: &str,
        intended: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let _ = (type_name, intended);
        Ok(None)
    }

    fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError>;

    /// `lathe import ADDRESS ID`: the attributes of an existing object.
    fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError>;
}

/// Plans by the schema alone: configured values win, computed attributes keep their prior
/// value (or become unknown on create), and a changed force-new attribute forces replacement.
pub fn plan_from_schema(
    block: &BlockSchema,
    prior: Option<&Value>,
    config: &Value,
) -> PlannedChange {
    let prior_attribute = |name: &str| -> Value {
        prior
            .and_then(Value::as_object)
            .and_then(|object| object.get(name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let config_attribute = |name: &str| -> Value {
        match config {
            Value::Object(object) => object.get(name).cloned().unwrap_or(Value::Null),
            Value::Unknown => Value::Unknown,
            _ => Value::Null,
        }
    };
    let mut planned = BTreeMap::new();
    let mut requires_replace = Vec::new();
    let mut reasons = Vec::new();
    let mut changed = Vec::new();
    for attribute in &block.attributes {
        let configured = config_attribute(&attribute.name);
        let value = if attribute.is_settable() && !configured.is_null() {
            configured
        } else if attribute.computed {
            match prior {
                Some(_) => prior_attribute(&attribute.name),
                None => Value::Unknown,
            }
        } else {
            Value::Null
        };
        if prior.is_some() {
            let before = prior_attribute(&attribute.name);
            if before != value {
                changed.push(attribute.name.clone());
                let forces = attribute.force_new;
                if forces {
                    requires_replace.push(attribute.name.clone());
                }
                reasons.push(describe_change(&attribute.name, &before, &value, forces));
            }
        }
        planned.insert(attribute.name.clone(), value);
    }
    for nested in &block.blocks {
        let value = config_attribute(&nested.type_name);
        if prior.is_some() {
            let before = prior_attribute(&nested.type_name);
            if before != value {
                changed.push(nested.type_name.clone());
                if nested.force_new {
                    requires_replace.push(nested.type_name.clone());
                }
                reasons.push(describe_change(
                    &nested.type_name,
                    &before,
                    &value,
                    nested.force_new,
                ));
            }
        }
        planned.insert(nested.type_name.clone(), value);
    }
    // A replacement recomputes what the provider computes: the old values no longer hold.
    if !requires_replace.is_empty() {
        for attribute in &block.attributes {
            if attribute.computed
                && (!attribute.is_settable() || config_attribute(&attribute.name).is_null())
            {
                planned.insert(attribute.name.clone(), Value::Unknown);
            }
        }
    }
    PlannedChange {
        planned: Value::Object(planned),
        requires_replace,
        reasons,
        notes: Vec::new(),
    }
}

/// `name "old" → "new"`, with " forces replacement" when it does.
pub fn describe_change(
    name: &str,
    before: &Value,
    after: &Value,
    forces_replacement: bool,
) -> String {
    let after = if after.is_known() {
        after.to_string()
    } else {
        "(known after apply)".to_string()
    };
    let suffix = if forces_replacement {
        " forces replacement"
    } else {
        ""
    };
    format!("{name} {before} → {after}{suffix}")
}

/// Facts about a built-in provider, reported by `lathe init`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderInfo {
    /// The local name configs use: `aws`, `lathe`, `terraform`.
    pub name: String,
    /// The registry source it stands in for: `hashicorp/aws`.
    pub source: String,
    /// The version of the schema it follows: `6.0.0` for aws.
    pub version: String,
}

type ProviderFactory = Arc<dyn Fn() -> Box<dyn Provider> + Send + Sync>;

/// The providers a binary offers; `core` itself knows none.
#[derive(Clone, Default)]
pub struct ProviderRegistry {
    entries: BTreeMap<String, (ProviderInfo, ProviderFactory)>,
}

impl std::fmt::Debug for ProviderRegistry {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_list()
            .entries(self.entries.values().map(|(info, _)| info))
            .finish()
    }
}

impl ProviderRegistry {
    pub fn new() -> ProviderRegistry {
        ProviderRegistry::default()
    }

    /// Registers a provider; each `provider` block (and alias) gets its own instance.
    pub fn register(
        &mut self,
        info: ProviderInfo,
        factory: impl Fn() -> Box<dyn Provider> + Send + Sync + 'static,
    ) {
        self.entries
            .insert(info.name.clone(), (info, Arc::new(factory)));
    }

    pub fn info(&self, name: &str) -> Option<&ProviderInfo> {
        self.entries.get(name).map(|(info, _)| info)
    }

    pub fn infos(&self) -> impl Iterator<Item = &ProviderInfo> {
        self.entries.values().map(|(info, _)| info)
    }

    pub fn instantiate(&self, name: &str) -> Option<Box<dyn Provider>> {
        self.entries.get(name).map(|(_, factory)| factory())
    }
}

/// The fully qualified address of a provider source: `hashicorp/aws` becomes
/// `registry.terraform.io/hashicorp/aws`; a source naming its host (`terraform.io/builtin/terraform`)
/// stays as it is.
pub fn provider_address(source: &str) -> String {
    let host_given = source.split('/').count() == 3;
    if host_given {
        source.to_string()
    } else {
        format!("registry.terraform.io/{source}")
    }
}

/// The provider local name a resource type belongs to: the part before the first `_`.
pub fn provider_for_type(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}

#[cfg(test)]
mod tests {
    use super::provider_address;

    #[test]
    fn sources_get_the_default_registry_unless_they_name_a_host() {
        assert_eq!(
            provider_address("hashicorp/aws"),
            "registry.terraform.io/hashicorp/aws"
        );
        assert_eq!(
            provider_address("terraform.io/builtin/terraform"),
            "terraform.io/builtin/terraform"
        );
        assert_eq!(
            provider_address("registry.terraform.io/hashicorp/aws"),
            "registry.terraform.io/hashicorp/aws"
        );
    }
}
