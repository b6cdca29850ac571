//! The built-in `terraform` provider: the terraform_data resource.

use std::collections::BTreeMap;

use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{
    ApplyAction, ApplyRequest, PlanRequest, PlannedChange, Progress, Provider, ProviderError,
    ProviderInfo, plan_from_schema,
};
use lathe_core::schema::{AttributeSchema, BlockSchema, ProviderSchema};

pub const TERRAFORM_DATA: &str = "terraform_data";

/// What `lathe init` reports: this provider stands in for Terraform's built-in one.
pub fn info() -> ProviderInfo {
    ProviderInfo {
        name: "terraform".to_string(),
        source: "terraform.io/builtin/terraform".to_string(),
        version: "1.9.0".to_string(),
    }
}

/// The provider; it keeps nothing outside the state, so every object lives in state alone.
#[derive(Debug, Default)]
pub struct TerraformProvider;

fn terraform_data_schema() -> BlockSchema {
    BlockSchema::new(vec![
        AttributeSchema::computed("id", TypeConstraint::String)
            .described("A unique identifier, generated at create."),
        AttributeSchema::optional("input", TypeConstraint::Any).described(
            "A value to store; changing it changes `output` without replacing the resource.",
        ),
        AttributeSchema::computed("output", TypeConstraint::Any)
            .described("The value of `input` after apply."),
        AttributeSchema::optional("triggers_replace", TypeConstraint::Any)
            .force_new()
            .described("A value whose change replaces the resource."),
    ])
}

fn attribute(value: &Value, name: &str) -> Value {
    value
        .as_object()
        .and_then(|object| object.get(name))
        .cloned()
        .unwrap_or(Value::Null)
}

impl Provider for TerraformProvider {
    fn schema(&self) -> ProviderSchema {
        ProviderSchema {
            provider: BlockSchema::default(),
            resources: BTreeMap::from([(TERRAFORM_DATA.to_string(), terraform_data_schema())]),
            data_sources: BTreeMap::new(),
        }
    }

    fn plan_resource(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        if request.type_name != TERRAFORM_DATA {
            return Err(ProviderError::new(format!(
                "unsupported resource type {}",
                request.type_name
            )));
        }
        let mut change = plan_from_schema(
            &terraform_data_schema(),
            request.prior.as_ref(),
            &request.config,
        );
        let input = attribute(&request.config, "input");
        let input_changed = match &request.prior {
            None => true,
            Some(prior) => {
                attribute(prior, "input") != input || !change.requires_replace.is_empty()
            }
        };
        // Terraform's terraform_data: `output` takes the new input only at apply.
        if input_changed && let Value::Object(planned) = &mut change.planned {
            let output = if input.is_null() {
                Value::Null
            } else {
                Value::Unknown
            };
            planned.insert("output".to_string(), output);
        }
        Ok(change)
    }

    fn apply_resource(
        &self,
        request: &ApplyRequest,
        _progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        match request.action {
            ApplyAction::Delete => Ok(Value::Null),
            ApplyAction::Create | ApplyAction::Update => {
                let id = match request.prior.as_ref().map(|prior| attribute(prior, "id")) {
                    Some(Value::String(id)) => id,
                    _ => uuid::Uuid::new_v4().to_string(),
                };
                let input = attribute(&request.config, "input");
                Ok(Value::Object(BTreeMap::from([
                    ("id".to_string(), Value::String(id)),
                    ("input".to_string(), input.clone()),
                    ("output".to_string(), input),
                    (
                        "triggers_replace".to_string(),
                        attribute(&request.config, "triggers_replace"),
                    ),
                ])))
            }
        }
    }

    fn read_resource(
        &self,
        _type_name: &str,
        state: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        Ok(Some(state.clone()))
    }

    fn read_data_source(&self, type_name: &str, _config: &Value) -> Result<Value, ProviderError> {
        Err(ProviderError::new(format!(
            "the terraform provider has no data source {type_name}"
        )))
    }

    fn import_resource(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        if type_name != TERRAFORM_DATA {
            return Err(ProviderError::new(format!(
                "unsupported resource type {type_name}"
            )));
        }
        Ok(Value::Object(BTreeMap::from([
            ("id".to_string(), Value::string(id)),
            ("input".to_string(), Value::Null),
            ("output".to_string(), Value::Null),
            ("triggers_replace".to_string(), Value::Null),
        ])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(key, value)| (key.to_string(), value.clone()))
                .collect(),
        )
    }

    #[test]
    fn changed_trigger_forces_replacement_and_changed_input_does_not() {
        let provider = TerraformProvider;
        let prior = object(&[
            ("id", Value::string("a")),
            ("input", Value::string("x")),
            ("output", Value::string("x")),
            ("triggers_replace", Value::string("1")),
        ]);
        let plan = |config: Value| {
            provider
                .plan_resource(&PlanRequest {
                    type_name: TERRAFORM_DATA.to_string(),
                    address: "terraform_data.a".to_string(),
                    prior: Some(prior.clone()),
                    config,
                    applying: false,
                })
                .unwrap()
        };
        let same = plan(object(&[
            ("input", Value::string("x")),
            ("triggers_replace", Value::string("1")),
        ]));
        assert_eq!(same.planned, prior);
        assert!(same.reasons.is_empty());
        let new_input = plan(object(&[
            ("input", Value::string("y")),
            ("triggers_replace", Value::string("1")),
        ]));
        assert!(new_input.requires_replace.is_empty());
        assert_eq!(attribute(&new_input.planned, "output"), Value::Unknown);
        let new_trigger = plan(object(&[
            ("input", Value::string("x")),
            ("triggers_replace", Value::string("2")),
        ]));
        assert_eq!(
            new_trigger.requires_replace,
            vec!["triggers_replace".to_string()]
        );
        assert_eq!(
            new_trigger.reasons,
            vec!["triggers_replace \"1\" → \"2\" forces replacement".to_string()]
        );
        assert_eq!(attribute(&new_trigger.planned, "id"), Value::Unknown);
    }
}
