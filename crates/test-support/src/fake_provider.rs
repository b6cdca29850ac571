//! A fake provider for engine tests: a small in-memory "cloud" with a realistic schema
//! (required, computed, sensitive and force-new attributes, a nested block), which records
//! every call and can be told to fail or to take time.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{
    ApplyAction, ApplyRequest, AttributeIssue, PlanRequest, PlannedChange, Progress, Provider,
    ProviderError, ProviderInfo, ProviderRegistry, plan_from_schema,
};
use lathe_core::schema::{
    AttributeSchema, BlockSchema, NestedBlockSchema, Nesting, ProviderSchema,
};

/// One recorded call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// `create`, `update`, `delete`, `read`, `recover`, `read_data`, `import`, `configure`.
    pub operation: String,
    pub address: String,
    pub started: Instant,
    pub finished: Instant,
}

/// The shared world every instance of the fake provider sees: objects by id, recorded calls,
/// failures and delays to inject.
#[derive(Debug, Default)]
pub struct FakeCloud {
    pub objects: Mutex<BTreeMap<String, Value>>,
    pub calls: Mutex<Vec<Call>>,
    /// Addresses whose create/update/delete fails.
    pub failing: Mutex<BTreeSet<String>>,
    /// How long each operation takes.
    pub delay: Mutex<Duration>,
    /// The dependents the engine named in each create or update, by address.
    pub dependents: Mutex<BTreeMap<String, Vec<String>>>,
    /// When set, the state file in this folder is read at the start of every create, update
    /// and delete, to show what the engine had made durable by then.
    pub watched_state: Mutex<Option<std::path::PathBuf>>,
    /// "operation address" to the instances ("address" or "address (status)") in the state
    /// file at that moment.
    pub state_seen: Mutex<BTreeMap<String, Vec<String>>>,
    /// Addresses that got a final plan (`applying`) right before being applied.
    pub final_plans: Mutex<BTreeSet<String>>,
    running: AtomicUsize,
    pub peak_running: AtomicUsize,
    next_id: AtomicUsize,
}

impl FakeCloud {
    pub fn new() -> Arc<FakeCloud> {
        Arc::new(FakeCloud::default())
    }

    pub fn fail(&self, address: &str) {
        self.failing
            .lock()
            .expect("not poisoned")
            .insert(address.to_string());
    }

    /// `operation` (`create`, `update`) on `address` does its work, then fails, reporting
    /// the object it made as partial state.
    pub fn fail_after(&self, operation: &str, address: &str) {
        self.failing
            .lock()
            .expect("not poisoned")
            .insert(format!("after {operation} {address}"));
    }

    /// Only `operation` (`create`, `update`, `delete`) on `address` fails.
    pub fn fail_operation(&self, operation: &str, address: &str) {
        self.failing
            .lock()
            .expect("not poisoned")
            .insert(format!("{operation} {address}"));
    }

    pub fn set_delay(&self, delay: Duration) {
        *self.delay.lock().expect("not poisoned") = delay;
    }

    /// The recorded calls of one operation, by address, in the order they started.
    pub fn operations(&self, operation: &str) -> Vec<String> {
        let mut calls: Vec<Call> = self
            .calls
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|call| call.operation == operation)
            .cloned()
            .collect();
        calls.sort_by_key(|call| call.started);
        calls.into_iter().map(|call| call.address).collect()
    }

    /// The call of `operation` on `address`.
    pub fn call(&self, operation: &str, address: &str) -> Option<Call> {
        self.calls
            .lock()
            .expect("not poisoned")
            .iter()
            .find(|call| call.operation == operation && call.address == address)
            .cloned()
    }

    /// Registers the `fake` provider on this cloud.
    pub fn registry(self: &Arc<FakeCloud>) -> ProviderRegistry {
        let mut registry = ProviderRegistry::new();
        let cloud = Arc::clone(self);
        registry.register(
            ProviderInfo {
                name: "fake".to_string(),
                source: "lathe/fake".to_string(),
                version: "1.2.0".to_string(),
            },
            move || {
                Box::new(FakeProvider {
                    cloud: Arc::clone(&cloud),
                })
            },
        );
        registry
    }

    fn record<T>(&self, operation: &str, address: &str, work: impl FnOnce() -> T) -> T {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak_running.fetch_max(now, Ordering::SeqCst);
        let started = Instant::now();
        let delay = *self.delay.lock().expect("not poisoned");
        if !delay.is_zero() && operation != "read" && operation != "recover" {
            std::thread::sleep(delay);
        }
        let result = work();
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.calls.lock().expect("not poisoned").push(Call {
            operation: operation.to_string(),
            address: address.to_string(),
            started,
            finished: Instant::now(),
        });
        result
    }
}

/// The `fake` provider: `fake_bucket`, `fake_job` and the `fake_region` data source.
#[derive(Debug)]
pub struct FakeProvider {
    pub cloud: Arc<FakeCloud>,
}

fn bucket_schema() -> BlockSchema {
    BlockSchema::new(vec![
        AttributeSchema::computed("id", TypeConstraint::String),
        AttributeSchema::required("name", TypeConstraint::String).force_new(),
        AttributeSchema::computed("arn", TypeConstraint::String),
        AttributeSchema::optional(
            "tags",
            TypeConstraint::Map(Box::new(TypeConstraint::String)),
        ),
        AttributeSchema::optional("secret", TypeConstraint::String).sensitive(),
        AttributeSchema::optional_computed("region", TypeConstraint::String),
    ])
    .with_block(NestedBlockSchema::new(
        "versioning",
        Nesting::Single,
        BlockSchema::new(vec![AttributeSchema::required(
            "enabled",
            TypeConstraint::Bool,
        )]),
    ))
}

fn job_schema() -> BlockSchema {
    BlockSchema::new(vec![
        AttributeSchema::computed("id", TypeConstraint::String),
        AttributeSchema::required("model", TypeConstraint::String).force_new(),
        AttributeSchema::optional("epochs", TypeConstraint::Number),
        AttributeSchema::optional(
            "hyperparameters",
            TypeConstraint::Map(Box::new(TypeConstraint::String)),
        )
        .force_new(),
        AttributeSchema::optional("input", TypeConstraint::String).force_new(),
        AttributeSchema::computed("status", TypeConstraint::String),
    ])
}

fn region_schema() -> BlockSchema {
    BlockSchema::new(vec![
        AttributeSchema::optional("filter", TypeConstraint::String),
        AttributeSchema::computed("name", TypeConstraint::String),
    ])
}

fn attribute(value: &Value, name: &str) -> Value {
    value
        .as_object()
        .and_then(|object| object.get(name))
        .cloned()
        .unwrap_or(Value::Null)
}

impl Provider for FakeProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: BlockSchema::new(vec![AttributeSchema::optional(
                "region",
                TypeConstraint::String,
            )]),
            resources: BTreeMap::from([
                ("fake_bucket".to_string(), bucket_schema()),
                ("fake_job".to_string(), job_schema()),
            ]),
            data_sources: BTreeMap::from([("fake_region".to_string(), region_schema())]),
        }
    }

    fn validate_resource(&self, type_name: &str, config: &Value) -> Vec<AttributeIssue> {
        let mut issues = Vec::new();
        if type_name == "fake_job"
            && let Some(epochs) = attribute(config, "epochs").as_f64()
            && !(1.0..=10.0).contains(&epochs)
        {
            issues.push(AttributeIssue {
                attribute: "epochs".to_string(),
                summary: format!("epochs must be between 1 and 10, not {epochs}"),
                help: Some("set epochs to a whole number from 1 to 10".to_string()),
            });
        }
        issues
    }

    /// Plans by the schema; a job also gets a note with its estimated training tokens, as a
    /// real provider reports cost estimates.
    fn plan_resource(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        let schema = self.schema();
        let block = schema.resources.get(&request.type_name).ok_or_else(|| {
            ProviderError::new(format!("unsupported resource type {}", request.type_name))
        })?;
        if request.applying {
            self.cloud
                .final_plans
                .lock()
                .expect("not poisoned")
                .insert(request.address.clone());
        }
        let mut change = plan_from_schema(block, request.prior.as_ref(), &request.config);
        if request.type_name == "fake_job"
            && let Some(epochs) = attribute(&request.config, "epochs").as_f64()
        {
            change
                .notes
                .push(format!("about {} training tokens", epochs * 1000.0));
        }
        Ok(change)
    }

    fn apply_resource(
        &self,
        request: &ApplyRequest,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let operation = match request.action {
            ApplyAction::Create => "create",
            ApplyAction::Update => "update",
            ApplyAction::Delete => "delete",
        };
        let watched = self
            .cloud
            .watched_state
            .lock()
            .expect("not poisoned")
            .clone();
        if let Some(directory) = watched {
            let seen = std::fs::read_to_string(directory.join(lathe_core::state::STATE_FILE))
                .ok()
                .and_then(|text| lathe_core::state::State::parse(&directory, &text).ok())
                .map(|state| {
                    state
                        .instances()
                        .into_iter()
                        .map(|(address, _, instance)| match &instance.status {
                            Some(status) => format!("{address} ({status})"),
                            None => address.to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            self.cloud
                .state_seen
                .lock()
                .expect("not poisoned")
                .insert(format!("{operation} {}", request.address), seen);
        }
        if request.action != ApplyAction::Delete {
            self.cloud
                .dependents
                .lock()
                .expect("not poisoned")
                .insert(request.address.clone(), request.dependents.clone());
        }
        self.cloud.record(operation, &request.address, || {
            let fails = {
                let failing = self.cloud.failing.lock().expect("not poisoned");
                failing.contains(&request.address)
                    || failing.contains(&format!("{operation} {}", request.address))
            };
            if fails {
                return Err(ProviderError::new(format!(
                    "injected failure of {operation}"
                )));
            }
            progress.message(&format!("{operation} in progress"));
            let mut objects = self.cloud.objects.lock().expect("not poisoned");
            match request.action {
                ApplyAction::Delete => {
                    if let Value::String(id) =
                        attribute(request.prior.as_ref().unwrap_or(&Value::Null), "id")
                    {
                        objects.remove(&id);
                    }
                    Ok(Value::Null)
                }
                ApplyAction::Create | ApplyAction::Update => {
                    let id = match attribute(request.prior.as_ref().unwrap_or(&Value::Null), "id") {
                        Value::String(id) => id,
                        _ => format!(
                            "fake-{}",
                            self.cloud.next_id.fetch_add(1, Ordering::SeqCst) + 1
                        ),
                    };
                    let mut object = match &request.planned {
                        Value::Object(map) => map.clone(),
                        _ => BTreeMap::new(),
                    };
                    object.insert("id".to_string(), Value::String(id.clone()));
                    if request.type_name == "fake_bucket" {
                        let name = attribute(&request.config, "name");
                        object.insert(
                            "arn".to_string(),
                            Value::String(format!(
                                "arn:fake:bucket:{}",
                                name.as_str().unwrap_or_default()
                            )),
                        );
                        if attribute(&request.config, "region").is_null() {
                            object.insert("region".to_string(), Value::string("fake-region-1"));
                        }
                    } else {
                        object.insert("status".to_string(), Value::string("Completed"));
                    }
                    let value = Value::Object(object);
                    objects.insert(id, value.clone());
                    let fails_after = self
                        .cloud
                        .failing
                        .lock()
                        .expect("not poisoned")
                        .contains(&format!("after {operation} {}", request.address));
                    if fails_after {
                        return Err(ProviderError::with_partial_state(
                            format!("injected failure after {operation}"),
                            value,
                        ));
                    }
                    Ok(value)
                }
            }
        })
    }

    fn read_resource(
        &self,
        _type_name: &str,
        state: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let address = attribute(state, "id")
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.cloud.record("read", &address, || {
            let objects = self.cloud.objects.lock().expect("not poisoned");
            Ok(objects.get(&address).cloned())
        })
    }

    fn recover_pending(
        &self,
        type_name: &str,
        intended: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let name = attribute(intended, "name");
        self.cloud
            .record("recover", &format!("{type_name}:{name}"), || {
                let objects = self.cloud.objects.lock().expect("not poisoned");
                Ok(objects
                    .values()
                    .find(|object| !name.is_null() && attribute(object, "name") == name)
                    .cloned())
            })
    }

    fn read_data_source(&self, type_name: &str, config: &Value) -> Result<Value, ProviderError> {
        self.cloud.record("read_data", type_name, || {
            let filter = attribute(config, "filter");
            Ok(Value::Object(BTreeMap::from([
                ("filter".to_string(), filter),
                ("name".to_string(), Value::string("fake-region-1")),
            ])))
        })
    }

    fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        self.cloud
            .record("import", &format!("{type_name}:{id}"), || {
                let objects = self.cloud.objects.lock().expect("not poisoned");
                objects.get(id).cloned().ok_or_else(|| {
                    ProviderError::new(format!("no {type_name} with id {id} exists"))
                })
            })
    }
}
