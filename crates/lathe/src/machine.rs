//! Terraform's machine-readable UI for `plan -json` and `apply -json`: one JSON object per
//! line (`version`, `planned_change`, `change_summary`, `apply_start`, `apply_complete`,
//! `apply_errored`, `provision_output`, `outputs`, `diagnostic`).

use std::time::Duration;

use lathe_config::diagnostic::{Diagnostics, Severity};
use lathe_config::source::Sources;
use lathe_core::applier::{ApplyObserver, ApplySummary, Operation};
use lathe_core::plan::{Action, Plan};
use lathe_core::state::{IndexKey, InstanceAddress, State};
use serde_json::{Value as Json, json};

/// Prints one event.
fn emit(level: &str, message: &str, kind: &str, fields: Json) {
    let mut event = json!({
        "@level": level,
        "@message": message,
        "@module": "lathe.ui",
        "@timestamp": lathe_core::clock::now_rfc3339(),
        "type": kind,
    });
    if let (Json::Object(event), Json::Object(fields)) = (&mut event, fields) {
        event.extend(fields);
    }
    out!("{event}");
}

pub fn version() {
    let language = lathe_core::state::TERRAFORM_VERSION;
    emit(
        "info",
        &format!(
            "lathe {} (Terraform language {language})",
            env!("CARGO_PKG_VERSION")
        ),
        "version",
        json!({ "terraform": language, "ui": "1.2" }),
    );
}

fn resource(address: &InstanceAddress) -> Json {
    let (mode, type_name, name) = address.parts();
    let key = match &address.key {
        Some(IndexKey::Number(number)) => json!(number),
        Some(IndexKey::String(text)) => json!(text),
        None => Json::Null,
    };
    json!({
        "addr": address.to_string(),
        "module": "",
        "resource": address.to_string(),
        "implied_provider": lathe_core::provider::provider_for_type(type_name),
        "resource_type": type_name,
        "resource_name": name,
        "resource_key": key,
        "mode": mode,
    })
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::NoOp => "noop",
        Action::Create => "create",
        Action::Read => "read",
        Action::Update => "update",
        Action::Replace => "replace",
        Action::Delete => "delete",
    }
}

fn operation_name(operation: Operation) -> &'static str {
    match operation {
        Operation::Create => "create",
        Operation::Update => "update",
        Operation::Delete => "delete",
        Operation::Read => "read",
    }
}

/// The plan as events: each change with its reasons, then the summary.
pub fn plan(plan: &Plan) {
    for change in plan.actionable() {
        let verb = match change.action {
            Action::Create => "Plan to create",
            Action::Update => "Plan to update",
            Action::Replace => "Plan to replace",
            Action::Delete => "Plan to delete",
            Action::Read => "Plan to read",
            Action::NoOp => "No change",
        };
        emit(
            "info",
            &format!("{}: {verb}", change.address),
            "planned_change",
            json!({
                "change": {
                    "resource": resource(&change.address),
                    "action": action_name(change.action),
                    "reason": change.action_reason,
                    "lathe_reasons": change.reasons,
                    "lathe_notes": change.notes,
                }
            }),
        );
    }
    let (add, change, remove) = plan.counts();
    emit(
        "info",
        &format!("Plan: {add} to add, {change} to change, {remove} to destroy."),
        "change_summary",
        json!({ "changes": { "add": add, "change": change, "import": 0, "remove": remove, "operation": "plan" } }),
    );
}

/// What apply changed, as the closing summary event.
pub fn apply_summary(summary: &ApplySummary, destroying: bool) {
    let message = if destroying {
        format!(
            "Destroy complete! Resources: {} destroyed.",
            summary.destroyed
        )
    } else {
        format!(
            "Apply complete! Resources: {} added, {} changed, {} destroyed.",
            summary.added, summary.changed, summary.destroyed
        )
    };
    emit(
        "info",
        &message,
        "change_summary",
        json!({ "changes": {
            "add": summary.added,
            "change": summary.changed,
            "import": 0,
            "remove": summary.destroyed,
            "operation": if destroying { "destroy" } else { "apply" },
        } }),
    );
}

/// The outputs in state.
pub fn outputs(state: &State) {
    let outputs: serde_json::Map<String, Json> = state
        .outputs
        .iter()
        .map(|(name, output)| {
            let mut value = json!({ "sensitive": output.sensitive, "type": output.type_json });
            if !output.sensitive {
                value["value"] = output.value.clone();
            }
            (name.clone(), value)
        })
        .collect();
    emit(
        "info",
        &format!("Outputs: {}", outputs.len()),
        "outputs",
        json!({ "outputs": outputs }),
    );
}

/// Diagnostics as events, in Terraform's diagnostic shape.
pub fn diagnostics(diagnostics: &Diagnostics, sources: &Sources) {
    for diagnostic in diagnostics.iter() {
        let level = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warn",
        };
        let prefix = if level == "error" { "Error" } else { "Warning" };
        emit(
            level,
            &format!("{prefix}: {}", diagnostic.summary),
            "diagnostic",
            json!({ "diagnostic": diagnostic.to_json(sources) }),
        );
    }
}

/// An error that is not a configuration diagnostic (a failed step, a refused plan file).
pub fn error(message: &str) {
    emit(
        "error",
        &format!("Error: {message}"),
        "diagnostic",
        json!({ "diagnostic": { "severity": "error", "summary": message, "detail": "" } }),
    );
}

/// Apply progress as events.
#[derive(Debug, Default)]
pub struct JsonProgress {
    pub interrupted: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl ApplyObserver for JsonProgress {
    fn interrupted(&self) -> bool {
        self.interrupted.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn started(&self, address: &InstanceAddress, operation: Operation, id: Option<&str>) {
        let verb = match operation {
            Operation::Create => "Creating...",
            Operation::Update => "Modifying...",
            Operation::Delete => "Destroying...",
            Operation::Read => "Reading...",
        };
        let mut hook =
            json!({ "resource": resource(address), "action": operation_name(operation) });
        if let Some(id) = id {
            hook["id_key"] = json!("id");
            hook["id_value"] = json!(id);
        }
        emit(
            "info",
            &format!("{address}: {verb}"),
            "apply_start",
            json!({ "hook": hook }),
        );
    }

    fn progress(&self, address: &InstanceAddress, message: &str) {
        emit(
            "info",
            &format!("{address}: {message}"),
            "apply_progress",
            json!({ "hook": { "resource": resource(address), "message": message } }),
        );
    }

    fn output(&self, address: &InstanceAddress, line: &str) {
        emit(
            "info",
            &format!("{address} (local-exec): {line}"),
            "provision_output",
            json!({ "hook": { "resource": resource(address), "provisioner": "local-exec", "output": line } }),
        );
    }

    fn finished(
        &self,
        address: &InstanceAddress,
        operation: Operation,
        result: Result<Option<String>, String>,
        elapsed: Duration,
    ) {
        let mut hook = json!({
            "resource": resource(address),
            "action": operation_name(operation),
            "elapsed_seconds": elapsed.as_secs(),
        });
        match result {
            Ok(id) => {
                if let Some(id) = &id {
                    hook["id_key"] = json!("id");
                    hook["id_value"] = json!(id);
                }
                emit(
                    "info",
                    &format!(
                        "{address}: {} complete after {}s",
                        operation_name(operation),
                        elapsed.as_secs()
                    ),
                    "apply_complete",
                    json!({ "hook": hook }),
                );
            }
            Err(message) => emit(
                "error",
                &format!(
                    "{address}: {} errored after {}s: {message}",
                    operation_name(operation),
                    elapsed.as_secs()
                ),
                "apply_errored",
                json!({ "hook": hook }),
            ),
        }
    }
}
