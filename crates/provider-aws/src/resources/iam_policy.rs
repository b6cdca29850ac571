//! `aws_iam_policy`: a customer-managed policy; a new document becomes its default version.

use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{PlanRequest, PlannedChange, Progress, ProviderError};
use lathe_core::schema::{AttributeSchema, BlockSchema};

use super::default_tags::{observed_tags, tags_all_attribute};
use super::iam_tags::{from_tags, tags, update_tags};
use super::{PlanRules, Resource, plan_with_rules};
use crate::clients::Clients;
use crate::data_sources::partition_of;
use crate::error::{ApiError, api};
use crate::policy_text::{check_document, decode_document, keep_equivalent};
use crate::values::{ObjectBuilder, attribute, optional_string, required_string, string_map};

#[derive(Debug)]
pub struct IamPolicy;

/// IAM keeps at most five versions of a policy.
const MAX_VERSIONS: usize = 5;

const RULES: PlanRules<'static> = PlanRules {
    generated_name: Some(("name", "name_prefix")),
    policies: &["policy"],
    defaults: &[("path", || Value::string("/"))],
};

impl Resource for IamPolicy {
    fn type_name(&self) -> &'static str {
        "aws_iam_policy"
    }

    fn schema(&self) -> BlockSchema {
        BlockSchema::new(vec![
            AttributeSchema::optional_computed("name", TypeConstraint::String).force_new(),
            AttributeSchema::optional("name_prefix", TypeConstraint::String).force_new(),
            AttributeSchema::optional("path", TypeConstraint::String).force_new(),
            AttributeSchema::optional("description", TypeConstraint::String).force_new(),
            AttributeSchema::required("policy", TypeConstraint::String),
            AttributeSchema::optional(
                "tags",
                TypeConstraint::Map(Box::new(TypeConstraint::String)),
            ),
            tags_all_attribute(),
            AttributeSchema::computed("id", TypeConstraint::String),
            AttributeSchema::computed("arn", TypeConstraint::String),
            AttributeSchema::computed("policy_id", TypeConstraint::String),
            AttributeSchema::computed("attachment_count", TypeConstraint::Number),
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
        let name = required_string(planned, "name")?;
        let document = required_string(planned, "policy")?;
        check_document(&document, "policy")?;
        let output = clients
            .block_on(
                clients
                    .iam
                    .create_policy()
                    .policy_name(&name)
                    .path(optional_string(planned, "path")?.unwrap_or_else(|| "/".into()))
                    .set_description(optional_string(planned, "description")?)
                    .policy_document(&document)
                    .set_tags(non_empty(tags(&string_map(planned, "tags_all")?)?))
                    .send(),
            )
            .map_err(api(format!("creating IAM policy {name}")))?;
        let arn = output
            .policy()
            .and_then(|policy| policy.arn())
            .unwrap_or_default()
            .to_string();
        let state = ObjectBuilder::from(planned).string("arn", arn).build();
        let created = clients
            .propagation
            .read_back(|| self.read(clients, &state))?;
        created.ok_or_else(|| {
            ProviderError::new(format!(
                "IAM policy {name} was created but cannot be read back"
            ))
        })
    }

    fn read(&self, clients: &Clients, state: &Value) -> Result<Option<Value>, ProviderError> {
        let arn = match optional_string(state, "arn").ok().flatten() {
            Some(arn) => arn,
            // A pending create knows only the intended name and path.
            None => {
                let name = required_string(state, "name")?;
                let path = optional_string(state, "path")?.unwrap_or_else(|| "/".into());
                let (partition, _, _) = partition_of(&clients.region);
                format!(
                    "arn:{partition}:iam::{}:policy{path}{name}",
                    clients.account_id()?
                )
            }
        };
        let policy = match clients.block_on(clients.iam.get_policy().policy_arn(&arn).send()) {
            Ok(output) => output
                .policy
                .unwrap_or_else(|| aws_sdk_iam::types::Policy::builder().build()),
            Err(error) => {
                let error = ApiError::from_sdk(format!("reading IAM policy {arn}"), error);
                if error.is_not_found() {
                    return Ok(None);
                }
                return Err(error.into());
            }
        };
        let version_id = policy.default_version_id().unwrap_or("v1").to_string();
        let version = clients
            .block_on(
                clients
                    .iam
                    .get_policy_version()
                    .policy_arn(&arn)
                    .version_id(&version_id)
                    .send(),
            )
            .map_err(api(format!(
                "reading version {version_id} of IAM policy {arn}"
            )))?;
        let document = decode_document(
            version
                .policy_version()
                .and_then(|version| version.document())
                .unwrap_or_default(),
        )?;
        let known = optional_string(state, "policy").ok().flatten();
        let (own_tags, tags_all) =
            observed_tags(state, &from_tags(policy.tags()), &clients.default_tags);
        Ok(Some(
            ObjectBuilder::from(state)
                .string("id", arn.clone())
                .string("arn", arn)
                .string("name", policy.policy_name().unwrap_or_default())
                .string("path", policy.path().unwrap_or("/"))
                .set(
                    "description",
                    match policy.description() {
                        Some(text) if !text.is_empty() => Value::string(text),
                        _ => attribute(state, "description").clone(),
                    },
                )
                .string("policy", keep_equivalent(known.as_deref(), document))
                .string("policy_id", policy.policy_id().unwrap_or_default())
                .set(
                    "attachment_count",
                    Value::integer(i64::from(policy.attachment_count().unwrap_or(0))),
                )
                .set("tags", own_tags)
                .set("tags_all", tags_all)
                .build(),
        ))
    }

    fn update(
        &self,
        clients: &Clients,
        prior: &Value,
        planned: &Value,
        _progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let arn = required_string(prior, "arn")?;
        let document = required_string(planned, "policy")?;
        if optional_string(prior, "policy")?.as_deref() != Some(document.as_str()) {
            check_document(&document, "policy")?;
            make_room_for_a_version(clients, &arn)?;
            clients
                .block_on(
                    clients
                        .iam
                        .create_policy_version()
                        .policy_arn(&arn)
                        .policy_document(&document)
                        .set_as_default(true)
                        .send(),
                )
                .map_err(api(format!("updating the document of IAM policy {arn}")))?;
        }
        update_tags(
            prior,
            planned,
            |removed| {
                clients
                    .block_on(
                        clients
                            .iam
                            .untag_policy()
                            .policy_arn(&arn)
                            .set_tag_keys(Some(removed))
                            .send(),
                    )
                    .map(drop)
                    .map_err(api(format!("untagging IAM policy {arn}")))
                    .map_err(ProviderError::from)
            },
            |tags| {
                clients
                    .block_on(
                        clients
                            .iam
                            .tag_policy()
                            .policy_arn(&arn)
                            .set_tags(Some(tags))
                            .send(),
                    )
                    .map(drop)
                    .map_err(api(format!("tagging IAM policy {arn}")))
                    .map_err(ProviderError::from)
            },
        )?;
        let state = ObjectBuilder::from(planned)
            .string("arn", arn.clone())
            .build();
        self.read(clients, &state)?.ok_or_else(|| {
            ProviderError::new(format!("IAM policy {arn} disappeared during update"))
        })
    }

    fn delete(&self, clients: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let arn = required_string(prior, "arn")?;
        for version in policy_versions(clients, &arn)? {
            if !version.is_default_version() {
                delete_version(clients, &arn, version.version_id().unwrap_or_default())?;
            }
        }
        match clients.block_on(clients.iam.delete_policy().policy_arn(&arn).send()) {
            Ok(_) => Ok(()),
            Err(error) => {
                let error = ApiError::from_sdk(format!("deleting IAM policy {arn}"), error);
                if error.is_not_found() {
                    Ok(())
                } else {
                    Err(error.into())
                }
            }
        }
    }

    fn import_state(&self, id: &str) -> Result<Value, ProviderError> {
        if !id.starts_with("arn:") {
            return Err(ProviderError::new(format!(
                "cannot import aws_iam_policy `{id}`: the id is the policy's ARN (arn:aws:iam::ACCOUNT:policy/NAME)"
            )));
        }
        Ok(ObjectBuilder::default().string("arn", id).build())
    }
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

fn policy_versions(
    clients: &Clients,
    arn: &str,
) -> Result<Vec<aws_sdk_iam::types::PolicyVersion>, ProviderError> {
    match clients.block_on(clients.iam.list_policy_versions().policy_arn(arn).send()) {
        Ok(output) => Ok(output.versions().to_vec()),
        Err(error) => {
            let error = ApiError::from_sdk(format!("listing versions of IAM policy {arn}"), error);
            if error.is_not_found() {
                Ok(Vec::new())
            } else {
                Err(error.into())
            }
        }
    }
}

fn delete_version(clients: &Clients, arn: &str, version_id: &str) -> Result<(), ProviderError> {
    clients
        .block_on(
            clients
                .iam
                .delete_policy_version()
                .policy_arn(arn)
                .version_id(version_id)
                .send(),
        )
        .map_err(api(format!(
            "deleting version {version_id} of IAM policy {arn}"
        )))?;
    Ok(())
}

/// At five versions, the oldest non-default one goes, as the Terraform provider does.
fn make_room_for_a_version(clients: &Clients, arn: &str) -> Result<(), ProviderError> {
    let versions = policy_versions(clients, arn)?;
    if versions.len() < MAX_VERSIONS {
        return Ok(());
    }
    let oldest = versions
        .iter()
        .filter(|version| !version.is_default_version())
        .min_by_key(|version| version.create_date().map(|date| date.as_nanos()));
    if let Some(oldest) = oldest {
        delete_version(clients, arn, oldest.version_id().unwrap_or_default())?;
    }
    Ok(())
}
