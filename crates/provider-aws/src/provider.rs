//! The `aws` provider: configuration, then each call dispatched to its resource type.

use std::collections::BTreeMap;

use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{
    ApplyAction, ApplyRequest, AttributeIssue, PlanRequest, PlannedChange, Progress, Provider,
    ProviderError, ProviderInfo,
};
use lathe_core::schema::{
    AttributeSchema, BlockSchema, NestedBlockSchema, Nesting, ProviderSchema,
};

use crate::clients::Clients;
use crate::data_sources;
use crate::resources::{self, Resource, default_tags};
use crate::target::{ENDPOINT_SERVICES, ProviderSettings, Target};

/// What `lathe init` reports: the Terraform provider this one stands in for.
pub fn info() -> ProviderInfo {
    ProviderInfo {
        name: "aws".to_string(),
        source: "hashicorp/aws".to_string(),
        version: "6.0.0".to_string(),
    }
}

/// What a configured `provider "aws"` block tells the binary.
#[derive(Debug, Clone)]
pub struct Configured {
    /// The "Target: ..." line `lathe plan` prints.
    pub target_line: String,
    /// The block's `alias`; `None` for the default block.
    pub alias: Option<String>,
    pub settings: ProviderSettings,
}

/// Receives [`Configured`] once the provider is configured.
type ConfiguredReport = Box<dyn Fn(&Configured) + Send + Sync>;

/// One configured `provider "aws"` block.
pub struct AwsProvider {
    target: Target,
    settings: ProviderSettings,
    clients: Option<Clients>,
    module_directory: std::path::PathBuf,
    propagation: crate::propagation::Propagation,
    report: Option<ConfiguredReport>,
    resources: Vec<Box<dyn Resource>>,
}

impl std::fmt::Debug for AwsProvider {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("AwsProvider")
            .field("target", &self.target)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl AwsProvider {
    pub fn new(target: Target) -> AwsProvider {
        AwsProvider {
            target,
            settings: ProviderSettings::default(),
            clients: None,
            module_directory: std::path::PathBuf::from("."),
            propagation: crate::propagation::Propagation::default(),
            report: None,
            resources: resources::all(),
        }
    }

    /// Where relative `source` paths are read from: the configuration's folder.
    pub fn with_module_directory(
        mut self,
        directory: impl Into<std::path::PathBuf>,
    ) -> AwsProvider {
        self.module_directory = directory.into();
        self
    }

    /// How long calls right after an IAM create retry while it propagates.
    pub fn with_propagation(mut self, propagation: crate::propagation::Propagation) -> AwsProvider {
        self.propagation = propagation;
        self
    }

    /// The line `lathe plan` prints about where requests go.
    pub fn describe_target(&self) -> String {
        let local = self
            .clients
            .as_ref()
            .and_then(|clients| clients.local.as_ref());
        self.target.describe(&self.settings, local)
    }

    /// Called once configured, so the binary can say where requests go and reach the same
    /// target with the same settings elsewhere (`lathe_dataset`'s `s3://` sources).
    pub fn on_configured(
        mut self,
        report: impl Fn(&Configured) + Send + Sync + 'static,
    ) -> AwsProvider {
        self.report = Some(Box::new(report));
        self
    }

    fn clients(&self) -> Result<&Clients, ProviderError> {
        self.clients
            .as_ref()
            .ok_or_else(|| ProviderError::new("the aws provider was used before it was configured"))
    }

    fn resource(&self, type_name: &str) -> Result<&dyn Resource, ProviderError> {
        self.resources
            .iter()
            .find(|resource| resource.type_name() == type_name)
            .map(|resource| resource.as_ref())
            .ok_or_else(|| {
                ProviderError::new(format!("the aws provider has no resource type {type_name}"))
            })
    }
}

fn provider_block_schema() -> BlockSchema {
    let mut schema = BlockSchema::new(vec![
        AttributeSchema::optional("region", TypeConstraint::String),
        AttributeSchema::optional("profile", TypeConstraint::String),
        AttributeSchema::optional("access_key", TypeConstraint::String).sensitive(),
        AttributeSchema::optional("secret_key", TypeConstraint::String).sensitive(),
        AttributeSchema::optional("token", TypeConstraint::String).sensitive(),
        AttributeSchema::optional("s3_use_path_style", TypeConstraint::Bool),
        AttributeSchema::optional("skip_credentials_validation", TypeConstraint::Bool)
            .described("Accepted for compatibility; lathe checks credentials only for real AWS."),
        AttributeSchema::optional("skip_requesting_account_id", TypeConstraint::Bool)
            .described("Accepted for compatibility."),
        AttributeSchema::optional("skip_metadata_api_check", TypeConstraint::Any)
            .described("Accepted for compatibility."),
        AttributeSchema::optional("skip_region_validation", TypeConstraint::Bool)
            .described("Accepted for compatibility."),
    ]);
    schema = schema.with_block(NestedBlockSchema::new(
        "default_tags",
        Nesting::List,
        BlockSchema::new(vec![AttributeSchema::optional(
            "tags",
            TypeConstraint::Map(Box::new(TypeConstraint::String)),
        )]),
    ));
    schema = schema.with_block(NestedBlockSchema::new(
        "endpoints",
        Nesting::List,
        BlockSchema::new(
            ENDPOINT_SERVICES
                .iter()
                .map(|service| AttributeSchema::optional(service, TypeConstraint::String))
                .collect(),
        ),
    ));
    schema
}

impl Provider for AwsProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: provider_block_schema(),
            resources: self
                .resources
                .iter()
                .map(|resource| (resource.type_name().to_string(), resource.schema()))
                .collect::<BTreeMap<_, _>>(),
            data_sources: data_sources::schemas(),
        }
    }

    fn configure(&mut self, config: &Value) -> Result<(), ProviderError> {
        self.settings = ProviderSettings::from_value(config)?;
        let mut clients = Clients::connect(&self.target, &self.settings)?;
        clients.module_directory = self.module_directory.clone();
        clients.propagation = self.propagation;
        clients.default_tags = self.settings.default_tags.clone();
        self.clients = Some(clients);
        if let Some(report) = &self.report {
            report(&Configured {
                target_line: self.describe_target(),
                alias: crate::values::optional_string(config, "alias")?,
                settings: self.settings.clone(),
            });
        }
        Ok(())
    }

    fn validate_resource(&self, type_name: &str, config: &Value) -> Vec<AttributeIssue> {
        let Ok(resource) = self.resource(type_name) else {
            return Vec::new();
        };
        resource
            .validate(config)
            .into_iter()
            .map(|(attribute, summary)| AttributeIssue {
                attribute,
                summary,
                help: None,
            })
            .collect()
    }

    fn plan_resource(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        let resource = self.resource(&request.type_name)?;
        let mut change = resource.plan(request)?;
        if default_tags::is_taggable(&resource.schema()) {
            default_tags::plan_tags_all(
                &mut change,
                request.prior.as_ref(),
                &self.settings.default_tags,
            );
        }
        Ok(change)
    }

    fn apply_resource(
        &self,
        request: &ApplyRequest,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let resource = self.resource(&request.type_name)?;
        let clients = self.clients()?;
        match (request.action, &request.prior) {
            (ApplyAction::Create, _) | (ApplyAction::Update, None) => {
                resource.create(clients, &request.planned, progress)
            }
            (ApplyAction::Update, Some(prior)) => {
                resource.update(clients, prior, &request.planned, progress)
            }
            (ApplyAction::Delete, Some(prior)) => {
                resource.delete(clients, prior)?;
                Ok(Value::Null)
            }
            (ApplyAction::Delete, None) => Ok(Value::Null),
        }
    }

    fn read_resource(
        &self,
        type_name: &str,
        state: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        self.resource(type_name)?.read(self.clients()?, state)
    }

    fn recover_pending(
        &self,
        type_name: &str,
        intended: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        // The intended identity (bucket, name, key) was recorded before create, so reading
        // it finds the object if the create went through before the crash.
        let resource = self.resource(type_name)?;
        match resource.read(self.clients()?, intended) {
            Ok(found) => Ok(found),
            Err(_) if !intended.is_known() => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        data_sources::read(self.clients()?, type_name, config)
    }

    fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let resource = self.resource(type_name)?;
        let state = resource.import_state(id)?;
        resource.read(self.clients()?, &state)?.ok_or_else(|| {
            ProviderError::new(format!(
                "cannot import {type_name} `{id}`: it does not exist (check the id and the target)"
            ))
        })
    }
}
