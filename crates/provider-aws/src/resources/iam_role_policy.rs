//! `aws_iam_role_policy`: one inline policy of a role; id `ROLE:NAME`.

use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{PlanRequest, PlannedChange, Progress, ProviderError};
use lathe_core::schema::{AttributeSchema, BlockSchema};

use super::iam_role::{delete_inline, get_inline, put_inline};
use super::{PlanRules, Resource, plan_with_rules};
use crate::clients::Clients;
use crate::policy_text::keep_equivalent;
use crate::values::{ObjectBuilder, optional_string, required_string};

#[derive(Debug)]
pub struct IamRolePolicy;

const RULES: PlanRules<'static> = PlanRules {
    generated_name: Some(("name", "name_prefix")),
    policies: &["policy"],
    defaults: &[],
};

impl Resource for IamRolePolicy {
    fn type_name(&self) -> &'static str {
        "aws_iam_role_policy"
    }

    fn schema(&self) -> BlockSchema {
        BlockSchema::new(vec![
            AttributeSchema::optional_computed("name", TypeConstraint::String).force_new(),
            AttributeSchema::optional("name_prefix", TypeConstraint::String).force_new(),
            AttributeSchema::required("role", TypeConstraint::String).force_new(),
            AttributeSchema::required("policy", TypeConstraint::String),
            AttributeSchema::computed("id", TypeConstraint::String),
        ])
    }

    fn plan(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        Ok(plan_with_rules(&self.schema(), request, &RULES))
    }

    fn create(
        &self,
        clients: &Clients,
        planned: &Value,
        _progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let (role, name) = identity(planned)?;
        put_inline(clients, &role, &name, &required_string(planned, "policy")?)?;
        let created = clients
            .propagation
            .read_back(|| self.read(clients, planned))?;
        created.ok_or_else(|| {
            ProviderError::new(format!(
                "inline policy {name} of IAM role {role} cannot be read back"
            ))
        })
    }

    fn read(&self, clients: &Clients, state: &Value) -> Result<Option<Value>, ProviderError> {
        let (role, name) = identity(state)?;
        let Some(document) = get_inline(clients, &role, &name)? else {
            return Ok(None);
        };
        let known = optional_string(state, "policy").ok().flatten();
        Ok(Some(
            ObjectBuilder::from(state)
                .string("id", format!("{role}:{name}"))
                .string("role", role)
                .string("name", name)
                .string("policy", keep_equivalent(known.as_deref(), document))
                .build(),
        ))
    }

    fn update(
        &self,
        clients: &Clients,
        _prior: &Value,
        planned: &Value,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        // PutRolePolicy replaces the document in place.
        self.create(clients, planned, progress)
    }

    fn delete(&self, clients: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let (role, name) = identity(prior)?;
        delete_inline(clients, &role, &name)
    }

    fn import_state(&self, id: &str) -> Result<Value, ProviderError> {
        let Some((role, name)) = id
            .split_once(':')
            .filter(|(r, n)| !r.is_empty() && !n.is_empty())
        else {
            return Err(ProviderError::new(format!(
                "cannot import aws_iam_role_policy `{id}`: write the id as ROLE_NAME:POLICY_NAME"
            )));
        };
        Ok(ObjectBuilder::default()
            .string("role", role)
            .string("name", name)
            .build())
    }
}

fn identity(value: &Value) -> Result<(String, String), ProviderError> {
    Ok((
        required_string(value, "role")?,
        required_string(value, "name")?,
    ))
}
