//! Terraform's machine-readable JSON formats: plans (`show -json PLAN`, `plan -json`), state
//! (`show -json`), and outputs (`output -json`).

use serde_json::{Map, Value as Json, json};

use lathe_config::marks::sensitivity_mask;
use lathe_config::model::Module;
use lathe_config::value::{PathStep, Value};

use crate::applier::known_json;
use crate::json_configuration::configuration_json;
use crate::plan::{Action, Drift, OutputChange, Plan, ResourceChange};
use crate::state::{IndexKey, InstanceAddress, State, TERRAFORM_VERSION};

pub const FORMAT_VERSION: &str = "1.2";

/// A Terraform "unknown" mask: true where the value is unknown.
fn unknown_mask(value: &Value) -> Json {
    match value {
        Value::Unknown => Json::Bool(true),
        Value::Sensitive(inner) => unknown_mask(inner),
        Value::List(items) => Json::Array(items.iter().map(unknown_mask).collect()),
        Value::Object(map) => Json::Object(
            map.iter()
                .filter(|(_, value)| !value.is_known())
                .map(|(key, value)| (key.clone(), unknown_mask(value)))
                .collect(),
        ),
        _ => Json::Bool(false),
    }
}

fn index_json(key: &Option<IndexKey>) -> Option<Json> {
    key.as_ref().map(|key| match key {
        IndexKey::Number(number) => json!(number),
        IndexKey::String(text) => json!(text),
    })
}

/// Terraform's `action_reason` code for why an action was chosen, when one applies.
fn action_reason_code(change: &ResourceChange) -> Option<&'static str> {
    let reason = change.action_reason.as_deref().unwrap_or_default();
    Some(match change.action {
        Action::Replace if reason.starts_with("is tainted") => "replace_because_tainted",
        Action::Replace if reason.starts_with("will be replaced, as requested") => {
            "replace_by_request"
        }
        Action::Replace if reason.contains("replace_triggered_by") => "replace_by_triggers",
        Action::Replace => "replace_because_cannot_update",
        Action::Delete if change.deposed.is_some() => return None,
        Action::Delete if reason.ends_with("its index is out of range") => {
            match change.address.key {
                Some(IndexKey::String(_)) => "delete_because_each_key",
                _ => "delete_because_count_index",
            }
        }
        Action::Delete if reason.starts_with("is not in the configuration") => {
            "delete_because_no_resource_config"
        }
        Action::Read if !change.reasons.is_empty() => "read_because_dependency_pending",
        Action::Read => "read_because_config_unknown",
        _ => return None,
    })
}

/// A path as Terraform's JSON writes one: attribute names and indexes in order.
fn path_json(path: &str) -> Json {
    Json::Array(
        path.split('.')
            .map(|step| match step.parse::<u64>() {
                Ok(index) => json!(index),
                Err(_) => json!(step),
            })
            .collect(),
    )
}

/// The common head of a resource change, a drift entry and a planned resource.
fn resource_head(address: &InstanceAddress, provider_name: &str) -> Map<String, Json> {
    let (mode, type_name, name) = address.parts();
    let mut object = Map::new();
    object.insert("address".into(), json!(address.to_string()));
    object.insert("mode".into(), json!(mode));
    object.insert("type".into(), json!(type_name));
    object.insert("name".into(), json!(name));
    if let Some(index) = index_json(&address.key) {
        object.insert("index".into(), index);
    }
    object.insert("provider_name".into(), json!(provider_name));
    object
}

/// `before_sensitive` / `after_sensitive` of a value that may be absent (`false` then).
fn mask_of(value: Option<&Value>) -> Json {
    value.map(sensitivity_mask).unwrap_or(Json::Bool(false))
}

fn resource_change_json(change: &ResourceChange, provider_name: String, plan: &Plan) -> Json {
    let after = match change.action {
        Action::Delete => None,
        _ => Some(&change.planned),
    };
    let mut object = resource_head(&change.address, &provider_name);
    if let Some((from, _)) = plan.moves.iter().find(|(_, to)| *to == change.address) {
        object.insert("previous_address".into(), json!(from.to_string()));
    }
    if let Some(deposed) = &change.deposed {
        object.insert("deposed".into(), json!(deposed));
    }
    let mut body = json!({
        "actions": change.action.json_actions(change.create_before_destroy),
        "before": change.prior.as_ref().map(known_json).unwrap_or(Json::Null),
        "after": after.map(known_json).unwrap_or(Json::Null),
        "after_unknown": after.map(unknown_mask).unwrap_or(Json::Bool(false)),
        "before_sensitive": mask_of(change.prior.as_ref()),
        "after_sensitive": mask_of(after),
    });
    if change.action == Action::Replace && !change.requires_replace.is_empty() {
        body["replace_paths"] = Json::Array(
            change
                .requires_replace
                .iter()
                .map(|path| path_json(path))
                .collect(),
        );
    }
    object.insert("change".into(), body);
    if let Some(code) = action_reason_code(change) {
        object.insert("action_reason".into(), json!(code));
    }
    // lathe's own explanations ride along under names Terraform's readers ignore.
    if !change.reasons.is_empty() {
        object.insert("lathe_reasons".into(), json!(change.reasons));
    }
    if !change.notes.is_empty() {
        object.insert("lathe_notes".into(), json!(change.notes));
    }
    Json::Object(object)
}

fn drift_json(drift: &Drift, provider_name: String) -> Json {
    let mut object = resource_head(&drift.address, &provider_name);
    object.insert(
        "change".into(),
        json!({
            "actions": [if drift.after.is_some() { "update" } else { "delete" }],
            "before": known_json(&drift.before),
            "after": drift.after.as_ref().map(known_json).unwrap_or(Json::Null),
            "after_unknown": false,
            "before_sensitive": sensitivity_mask(&drift.before),
            "after_sensitive": mask_of(drift.after.as_ref()),
        }),
    );
    Json::Object(object)
}

fn output_change_json(change: &OutputChange) -> Json {
    let actions = match (&change.before, change.after.is_null()) {
        (None, _) => vec!["create"],
        (Some(_), true) => vec!["delete"],
        (Some(before), false) if *before == change.after => vec!["no-op"],
        _ => vec!["update"],
    };
    json!({
        "actions": actions,
        "before": change.before.as_ref().map(known_json).unwrap_or(Json::Null),
        "after": known_json(&change.after),
        "after_unknown": !change.after.is_known(),
        "before_sensitive": change.sensitive || change.before.as_ref().is_some_and(Value::contains_sensitive),
        "after_sensitive": change.sensitive || change.after.contains_sensitive(),
    })
}

/// Which attributes of drifted resources the configuration reads: Terraform's hint of
/// which outside changes matter to the plan.
fn relevant_attributes(plan: &Plan, module: &Module) -> Json {
    let drifted: Vec<&str> = plan
        .drift
        .iter()
        .map(|drift| drift.address.resource.as_str())
        .collect();
    let mut relevant: Vec<Json> = Vec::new();
    for reference in crate::relevance::configuration_references(module) {
        let address = reference.target.address();
        if !drifted.contains(&address.as_str()) {
            continue;
        }
        let attribute: Vec<Json> = reference
            .path
            .iter()
            .map(|step| match step {
                PathStep::Attribute(name) => json!(name),
                PathStep::Index(index) => known_json(index),
            })
            .collect();
        let entry = json!({ "resource": address, "attribute": attribute });
        if !relevant.contains(&entry) {
            relevant.push(entry);
        }
    }
    Json::Array(relevant)
}

/// The plan in Terraform's JSON plan representation (`show -json PLAN`); `provider_name`
/// turns a provider configuration key (`aws`) into its address
/// (`registry.terraform.io/hashicorp/aws`).
pub fn plan_json(
    plan: &Plan,
    state: &State,
    module: &Module,
    provider_name: &dyn Fn(&str) -> String,
) -> Json {
    let variables: Map<String, Json> = plan
        .variables
        .iter()
        .map(|(name, value)| (name.clone(), json!({ "value": known_json(value) })))
        .collect();
    let planned_resources: Vec<Json> = plan
        .changes
        .iter()
        .filter(|change| change.action != Action::Delete)
        .map(|change| {
            let mut object = resource_head(&change.address, &provider_name(&change.provider_key));
            object.insert("schema_version".into(), json!(0));
            object.insert("values".into(), known_json(&change.planned));
            object.insert("sensitive_values".into(), sensitivity_mask(&change.planned));
            Json::Object(object)
        })
        .collect();
    let planned_outputs: Map<String, Json> = plan
        .output_changes
        .iter()
        .filter(|change| !change.after.is_null())
        .map(|change| {
            let sensitive = change.sensitive || change.after.contains_sensitive();
            let mut object = json!({ "sensitive": sensitive });
            if change.after.is_known() {
                object["value"] = known_json(&change.after);
            }
            (change.name.clone(), object)
        })
        .collect();
    let output_changes: Map<String, Json> = plan
        .output_changes
        .iter()
        .map(|change| (change.name.clone(), output_change_json(change)))
        .collect();
    json!({
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "variables": variables,
        "planned_values": {
            "outputs": planned_outputs,
            "root_module": { "resources": planned_resources },
        },
        "resource_drift": plan.drift.iter().map(|drift| {
            drift_json(drift, provider_name(crate::provider::provider_for_type(&drift.type_name)))
        }).collect::<Vec<_>>(),
        "resource_changes": plan
            .changes
            .iter()
            .map(|change| resource_change_json(change, provider_name(&change.provider_key), plan))
            .collect::<Vec<_>>(),
        "output_changes": output_changes,
        "prior_state": state_json(state),
        "configuration": configuration_json(module, provider_name),
        "relevant_attributes": relevant_attributes(plan, module),
        "applyable": plan.has_changes(),
        "complete": true,
        "errored": false,
    })
}

/// The state in Terraform's JSON state representation (`show -json`).
pub fn state_json(state: &State) -> Json {
    let resources: Vec<Json> = state
        .instances()
        .into_iter()
        .map(|(address, resource, instance)| {
            let mut object = json!({
                "address": address.to_string(),
                "mode": resource.mode,
                "type": resource.type_name,
                "name": resource.name,
                "provider_name": resource.provider,
                "schema_version": instance.schema_version,
                "values": instance.attributes,
                "sensitive_values": sensitivity_mask(&instance.value()),
            });
            if let Some(index) = index_json(&address.key) {
                object["index"] = index;
            }
            if !instance.dependencies.is_empty() {
                object["depends_on"] = json!(instance.dependencies);
            }
            if let Some(status) = &instance.status {
                object[status.as_str()] = json!(true);
            }
            object
        })
        .collect();
    json!({
        "format_version": "1.0",
        "terraform_version": state.terraform_version,
        "values": {
            "outputs": outputs_json(state),
            "root_module": { "resources": resources },
        },
    })
}

/// Outputs as `output -json` prints them: `{ name: { sensitive, type, value } }`.
pub fn outputs_json(state: &State) -> Json {
    Json::Object(
        state
            .outputs
            .iter()
            .map(|(name, output)| {
                (
                    name.clone(),
                    json!({ "sensitive": output.sensitive, "type": output.type_json, "value": output.value }),
                )
            })
            .collect(),
    )
}
