//! Shared test scenarios: each runs the provider against any AWS-compatible endpoint (the
//! in-process local region or moto_server), so both implementations face the same checks.

#![allow(dead_code)]

pub mod faulty_peer;
pub mod moto;
pub mod region;
pub mod scenarios;

use lathe_config::value::Value;
use lathe_core::provider::{
    ApplyAction, ApplyRequest, PlanRequest, PlannedChange, Progress, Provider,
};
use lathe_provider_aws::{AwsProvider, LocalRegion, Propagation, Target};
use std::sync::{Arc, Mutex};

/// Records progress messages, so tests can check what a long operation reported.
#[derive(Debug, Default)]
pub struct Recorded {
    pub messages: Mutex<Vec<String>>,
}

impl Progress for Recorded {
    fn message(&self, text: &str) {
        self.messages.lock().unwrap().push(text.to_string());
    }
}

/// A configured provider and the SDK clients a test uses to act behind its back.
pub struct Harness {
    pub provider: AwsProvider,
    pub s3: aws_sdk_s3::Client,
    pub iam: aws_sdk_iam::Client,
    pub runtime: tokio::runtime::Runtime,
    pub module_directory: tempfile::TempDir,
    /// What differs between implementations (see each test's comments).
    pub flavor: Flavor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    LocalRegion,
    Moto,
}

pub fn json(value: serde_json::Value) -> Value {
    Value::from_json(value)
}

impl Harness {
    pub fn new(endpoint: &str, access_key: &str, secret_key: &str, flavor: Flavor) -> Harness {
        Harness::with_propagation(
            endpoint,
            access_key,
            secret_key,
            flavor,
            Propagation::default(),
        )
    }

    /// A harness whose provider waits for IAM propagation as `propagation` says.
    pub fn with_propagation(
        endpoint: &str,
        access_key: &str,
        secret_key: &str,
        flavor: Flavor,
        propagation: Propagation,
    ) -> Harness {
        let module_directory = tempfile::tempdir().unwrap();
        let local = LocalRegion {
            endpoint: endpoint.to_string(),
            access_key_id: access_key.to_string(),
            secret_access_key: secret_key.to_string(),
        };
        let mut provider = AwsProvider::new(Target::Local(Arc::new(local)))
            .with_module_directory(module_directory.path())
            .with_propagation(propagation);
        provider
            .configure(&json(serde_json::json!({"region": "us-east-1"})))
            .expect("the provider configures");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let credentials =
            aws_credential_types::Credentials::new(access_key, secret_key, None, None, "test");
        let config = runtime.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .credentials_provider(credentials)
                .endpoint_url(endpoint)
                .load(),
        );
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        let iam = aws_sdk_iam::Client::new(&config);
        Harness {
            provider,
            s3,
            iam,
            runtime,
            module_directory,
            flavor,
        }
    }

    /// Configures the provider again, as a new `provider "aws"` block would.
    pub fn configure(&mut self, config: serde_json::Value) {
        self.provider
            .configure(&json(config))
            .expect("the provider configures");
    }

    /// A plan that is only shown (`lathe plan`).
    pub fn plan(&self, type_name: &str, prior: Option<&Value>, config: &Value) -> PlannedChange {
        self.plan_as(type_name, prior, config, false)
    }

    /// The final plan the engine makes right before apply.
    pub fn final_plan(
        &self,
        type_name: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> PlannedChange {
        self.plan_as(type_name, prior, config, true)
    }

    fn plan_as(
        &self,
        type_name: &str,
        prior: Option<&Value>,
        config: &Value,
        applying: bool,
    ) -> PlannedChange {
        self.provider
            .plan_resource(&PlanRequest {
                type_name: type_name.to_string(),
                address: format!("{type_name}.test"),
                prior: prior.cloned(),
                config: config.clone(),
                applying,
            })
            .expect("plan succeeds")
    }

    pub fn try_apply(
        &self,
        type_name: &str,
        action: ApplyAction,
        prior: Option<&Value>,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, lathe_core::provider::ProviderError> {
        self.provider.apply_resource(
            &ApplyRequest {
                type_name: type_name.to_string(),
                address: format!("{type_name}.test"),
                action,
                prior: prior.cloned(),
                planned: planned.clone(),
                config: config.clone(),
                dependents: Vec::new(),
            },
            &Recorded::default(),
        )
    }

    /// Plans and creates; returns the state.
    pub fn create(&self, type_name: &str, config: serde_json::Value) -> Value {
        let config = json(config);
        let change = self.final_plan(type_name, None, &config);
        self.try_apply(
            type_name,
            ApplyAction::Create,
            None,
            &change.planned,
            &config,
        )
        .unwrap_or_else(|error| panic!("creating {type_name}: {error}"))
    }

    /// Plans against the state and, if anything changes in place, updates; returns the plan
    /// and the new state.
    pub fn update(
        &self,
        type_name: &str,
        prior: &Value,
        config: serde_json::Value,
    ) -> (PlannedChange, Value) {
        let config = json(config);
        let change = self.final_plan(type_name, Some(prior), &config);
        assert!(
            change.requires_replace.is_empty(),
            "{type_name} would be replaced: {:?}",
            change.reasons
        );
        let state = self
            .try_apply(
                type_name,
                ApplyAction::Update,
                Some(prior),
                &change.planned,
                &config,
            )
            .unwrap_or_else(|error| panic!("updating {type_name}: {error}"));
        (change, state)
    }

    pub fn delete(
        &self,
        type_name: &str,
        prior: &Value,
    ) -> Result<(), lathe_core::provider::ProviderError> {
        self.try_apply(
            type_name,
            ApplyAction::Delete,
            Some(prior),
            &Value::Null,
            &Value::Null,
        )
        .map(|_| ())
    }

    pub fn read(&self, type_name: &str, state: &Value) -> Option<Value> {
        self.provider
            .read_resource(type_name, state)
            .unwrap_or_else(|error| panic!("reading {type_name}: {error}"))
    }

    pub fn data(&self, type_name: &str, config: serde_json::Value) -> Value {
        self.provider
            .read_data_source(type_name, &json(config))
            .unwrap_or_else(|error| panic!("reading data {type_name}: {error}"))
    }
}

pub fn string(value: &Value, name: &str) -> String {
    value
        .as_object()
        .and_then(|object| object.get(name))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{name} is not a string in {value}"))
        .to_string()
}
