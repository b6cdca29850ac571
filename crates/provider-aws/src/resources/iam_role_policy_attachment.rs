//! `aws_iam_role_policy_attachment`: one managed policy attached to one role.

use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{Progress, ProviderError};
use lathe_core::schema::{AttributeSchema, BlockSchema};

use super::Resource;
use super::iam_role::{attach, detach};
use crate::clients::Clients;
use crate::error::ApiError;
use crate::naming::prefixed_unique_id;
use crate::values::{ObjectBuilder, attribute, required_string};

#[derive(Debug)]
pub struct IamRolePolicyAttachment;

impl Resource for IamRolePolicyAttachment {
    fn type_name(&self) -> &'static str {
        "aws_iam_role_policy_attachment"
    }

    fn schema(&self) -> BlockSchema {
        BlockSchema::new(vec![
            AttributeSchema::required("role", TypeConstraint::String).force_new(),
            AttributeSchema::required("policy_arn", TypeConstraint::String).force_new(),
            AttributeSchema::computed("id", TypeConstraint::String),
        ])
    }

    fn create(
        &self,
        clients: &Clients,
        planned: &Value,
        _progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let (role, arn) = identity(planned)?;
        attach(clients, &role, &arn)?;
        // The Terraform provider's id: the role name, a dash, and a unique suffix.
        let state = ObjectBuilder::from(planned)
            .string("id", prefixed_unique_id(&format!("{role}-")))
            .build();
        let created = clients
            .propagation
            .read_back(|| self.read(clients, &state))?;
        created.ok_or_else(|| {
            ProviderError::new(format!(
                "{arn} was attached to IAM role {role} but is not listed"
            ))
        })
    }

    fn read(&self, clients: &Clients, state: &Value) -> Result<Option<Value>, ProviderError> {
        let (role, arn) = identity(state)?;
        let mut marker: Option<String> = None;
        loop {
            let output = match clients.block_on(
                clients
                    .iam
                    .list_attached_role_policies()
                    .role_name(&role)
                    .set_marker(marker.clone())
                    .send(),
            ) {
                Ok(output) => output,
                Err(error) => {
                    let error = ApiError::from_sdk(
                        format!("listing the policies attached to IAM role {role}"),
                        error,
                    );
                    if error.is_not_found() {
                        return Ok(None);
                    }
                    return Err(error.into());
                }
            };
            if output
                .attached_policies()
                .iter()
                .any(|policy| policy.policy_arn() == Some(arn.as_str()))
            {
                let id = match attribute(state, "id") {
                    Value::String(id) => id.clone(),
                    _ => prefixed_unique_id(&format!("{role}-")),
                };
                return Ok(Some(ObjectBuilder::from(state).string("id", id).build()));
            }
            match output.marker() {
                Some(next) if output.is_truncated() => marker = Some(next.to_string()),
                _ => return Ok(None),
            }
        }
    }

    fn update(
        &self,
        clients: &Clients,
        _prior: &Value,
        planned: &Value,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        // Both arguments force replacement: nothing can change in place.
        let _ = progress;
        self.read(clients, planned)?
            .ok_or_else(|| ProviderError::new("the attachment disappeared during update"))
    }

    fn delete(&self, clients: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let (role, arn) = identity(prior)?;
        detach(clients, &role, &arn)
    }

    fn import_state(&self, id: &str) -> Result<Value, ProviderError> {
        let Some((role, arn)) = id
            .split_once('/')
            .filter(|(r, a)| !r.is_empty() && a.starts_with("arn:"))
        else {
            return Err(ProviderError::new(format!(
                "cannot import aws_iam_role_policy_attachment `{id}`: write the id as ROLE_NAME/POLICY_ARN"
            )));
        };
        Ok(ObjectBuilder::default()
            .string("role", role)
            .string("policy_arn", arn)
            .build())
    }
}

fn identity(value: &Value) -> Result<(String, String), ProviderError> {
    Ok((
        required_string(value, "role")?,
        required_string(value, "policy_arn")?,
    ))
}
