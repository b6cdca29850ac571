//! Terraform's machine-readable JSON formats: plans (`show -json PLAN`, `plan -json`), state
//! (`show -json`), and outputs (`output -json`).

use serde_json::{Map, Value as Json, json};

use lathe_config::value::Value;

use crate::applier::known_json;
use crate::plan::{Action, Plan, ResourceChange};
use crate::state::{IndexKey, State, TERRAFORM_VERSION};

pub const FORMAT_VERSION: &str = "1.2";

/// A Terraform "unknown" mask: true where the value is unknown.
fn unknown_mask(value: &Value) -> Json {
    match value {
        Value::Unknown => Json::Bool(true),
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

fn resource_change_json(change: &ResourceChange, provider_name: String) -> Json {
    let (mode, type_name, name) = change.address.parts();
    let after = match change.action {
        Action::Delete => Json::Null,
        _ => known_json(&change.planned),
    };
    let mut object = Map::new();
    object.insert("address".into(), json!(change.address.to_string()));
    object.insert("mode".into(), json!(mode));
    object.insert("type".into(), json!(type_name));
    object.insert("name".into(), json!(name));
    if let Some(index) = index_json(&change.address.key) {
        object.insert("index".into(), index);
    }
    object.insert("provider_name".into(), json!(provider_name));
    object.insert(
        "change".into(),
        json!({
            "actions": change.action.json_actions(change.create_before_destroy),
            "before": change.prior.as_ref().map(known_json).unwrap_or(Json::Null),
            "after": after,
            "after_unknown": unknown_mask(&change.planned),
            "before_sensitive": false,
            "after_sensitive": Json::Object(change.sensitive.iter().map(|name| (name.clone(), json!(true))).collect()),
            "replace_paths": change.requires_replace.iter().map(|path| path.split('.').collect::<Vec<_>>()).collect::<Vec<_>>(),
        }),
    );
    if !change.reasons.is_empty() {
        object.insert("lathe_reasons".into(), json!(change.reasons));
    }
    if !change.notes.is_empty() {
        object.insert("lathe_notes".into(), json!(change.notes));
    }
    if let Some(reason) = &change.action_reason {
        object.insert("action_reason".into(), json!(reason));
    }
    Json::Object(object)
}

/// The plan in Terraform's JSON plan representation; `provider_name` turns a provider
/// configuration key (`aws`) into its address (`registry.terraform.io/hashicorp/aws`).
pub fn plan_json(plan: &Plan, state: &State, provider_name: &dyn Fn(&str) -> String) -> Json {
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
            let (mode, type_name, name) = change.address.parts();
            let mut object = json!({
                "address": change.address.to_string(),
                "mode": mode,
                "type": type_name,
                "name": name,
                "provider_name": provider_name(&change.provider_key),
                "schema_version": 0,
                "values": known_json(&change.planned),
            });
            if let Some(index) = index_json(&change.address.key) {
                object["index"] = index;
            }
            object
        })
        .collect();
    let output_changes: Map<String, Json> = plan
        .output_changes
        .iter()
        .map(|change| {
            let actions = match (&change.before, change.after.is_null()) {
                (None, _) => vec!["create"],
                (Some(_), true) => vec!["delete"],
                (Some(before), false) if *before == change.after => vec!["no-op"],
                _ => vec!["update"],
            };
            (
                change.name.clone(),
                json!({
                    "actions": actions,
                    "before": change.before.as_ref().map(known_json).unwrap_or(Json::Null),
                    "after": known_json(&change.after),
                    "after_unknown": !change.after.is_known(),
                    "before_sensitive": change.sensitive,
                    "after_sensitive": change.sensitive,
                }),
            )
        })
        .collect();
    json!({
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "variables": variables,
        "planned_values": { "root_module": { "resources": planned_resources } },
        "resource_drift": plan.drift.iter().map(|drift| json!({
            "address": drift.address.to_string(),
            "type": drift.type_name,
            "change": {
                "actions": [if drift.after.is_some() { "update" } else { "delete" }],
                "before": known_json(&drift.before),
                "after": drift.after.as_ref().map(known_json).unwrap_or(Json::Null),
            },
        })).collect::<Vec<_>>(),
        "resource_changes": plan
            .changes
            .iter()
            .map(|change| resource_change_json(change, provider_name(&change.provider_key)))
            .collect::<Vec<_>>(),
        "output_changes": output_changes,
        "prior_state": state_json(state),
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
                "sensitive_values": {},
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
