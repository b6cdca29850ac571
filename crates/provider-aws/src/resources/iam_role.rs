//! `aws_iam_role`: a role with its trust policy, and optionally the managed policies attached
//! to it and its inline policies (`managed_policy_arns`, `inline_policy`).

use std::collections::{BTreeMap, BTreeSet};

use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{PlanRequest, PlannedChange, Progress, ProviderError};
use lathe_core::schema::{AttributeSchema, BlockSchema, NestedBlockSchema, Nesting};

use super::default_tags::{observed_tags, tags_all_attribute};
use super::iam_tags::{from_tags, tags, update_tags};
use super::{PlanRules, Resource, plan_with_rules};
use crate::clients::Clients;
use crate::error::{ApiError, api};
use crate::policy_text::{check_document, decode_document, keep_equivalent};
use crate::values::{
    ObjectBuilder, attribute, observed_integer, optional_bool, optional_integer, optional_string,
    required_string, set_value, string_list, string_map,
};

#[derive(Debug)]
pub struct IamRole;

const RULES: PlanRules<'static> = PlanRules {
    generated_name: Some(("name", "name_prefix")),
    policies: &["assume_role_policy"],
    defaults: &[
        ("path", || Value::string("/")),
        ("max_session_duration", || Value::integer(3600)),
        ("force_detach_policies", || Value::Bool(false)),
    ],
};

impl Resource for IamRole {
    fn type_name(&self) -> &'static str {
        "aws_iam_role"
    }

    fn schema(&self) -> BlockSchema {
        BlockSchema::new(vec![
            AttributeSchema::optional_computed("name", TypeConstraint::String).force_new(),
            AttributeSchema::optional("name_prefix", TypeConstraint::String).force_new(),
            AttributeSchema::optional("path", TypeConstraint::String).force_new(),
            AttributeSchema::optional("description", TypeConstraint::String),
            AttributeSchema::required("assume_role_policy", TypeConstraint::String),
            AttributeSchema::optional_computed(
                "managed_policy_arns",
                TypeConstraint::Set(Box::new(TypeConstraint::String)),
            ),
            AttributeSchema::optional("max_session_duration", TypeConstraint::Number),
            AttributeSchema::optional("force_detach_policies", TypeConstraint::Bool),
            AttributeSchema::optional("permissions_boundary", TypeConstraint::String),
            AttributeSchema::optional(
                "tags",
                TypeConstraint::Map(Box::new(TypeConstraint::String)),
            ),
            tags_all_attribute(),
            AttributeSchema::computed("id", TypeConstraint::String),
            AttributeSchema::computed("arn", TypeConstraint::String),
            AttributeSchema::computed("unique_id", TypeConstraint::String),
            AttributeSchema::computed("create_date", TypeConstraint::String),
        ])
        .with_block(NestedBlockSchema::new(
            "inline_policy",
            Nesting::Set,
            BlockSchema::new(vec![
                AttributeSchema::optional("name", TypeConstraint::String),
                AttributeSchema::optional("policy", TypeConstraint::String),
            ]),
        ))
    }

    fn plan(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        let mut request = request.clone();
        request.config = inline_like_prior(&request.config, request.prior.as_ref());
        let mut change = plan_with_rules(&self.schema(), &request, &RULES);
        // A set: the order the configuration lists ARNs in is not a change.
        if let (Some(prior), Value::Object(planned)) = (&request.prior, &mut change.planned) {
            let sorted = |value: &Value| -> Option<BTreeSet<String>> {
                value.as_list().map(|items| {
                    items
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_string))
                        .collect()
                })
            };
            let before = attribute(prior, "managed_policy_arns");
            let after = planned
                .get("managed_policy_arns")
                .cloned()
                .unwrap_or(Value::Null);
            if after.is_known() && sorted(before).is_some() && sorted(before) == sorted(&after) {
                planned.insert("managed_policy_arns".to_string(), before.clone());
                change
                    .reasons
                    .retain(|reason| !reason.starts_with("managed_policy_arns "));
            }
        }
        Ok(change)
    }

    fn create(
        &self,
        clients: &Clients,
        planned: &Value,
        _progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let name = required_string(planned, "name")?;
        let trust = required_string(planned, "assume_role_policy")?;
        check_document(&trust, "assume_role_policy")?;
        let role_tags = tags(&string_map(planned, "tags_all")?)?;
        let request = clients
            .iam
            .create_role()
            .role_name(&name)
            .path(optional_string(planned, "path")?.unwrap_or_else(|| "/".into()))
            .set_description(optional_string(planned, "description")?)
            .assume_role_policy_document(&trust)
            .set_max_session_duration(
                optional_integer(planned, "max_session_duration").map(|n| n as i32),
            )
            .set_permissions_boundary(optional_string(planned, "permissions_boundary")?)
            .set_tags((!role_tags.is_empty()).then_some(role_tags));
        // A principal in the trust policy created moments ago may not be accepted yet.
        clients.propagation.retry(|| {
            clients
                .block_on(request.clone().send())
                .map_err(api(format!("creating IAM role {name}")))
        })?;
        // Unknown here means not configured: the attribute is then computed from the role.
        if attribute(planned, "managed_policy_arns").is_known() {
            for arn in string_list(planned, "managed_policy_arns")? {
                attach(clients, &name, &arn)?;
            }
        }
        for (policy_name, document) in inline_policies(planned)? {
            put_inline(clients, &name, &policy_name, &document)?;
        }
        let created = clients
            .propagation
            .read_back(|| self.read(clients, planned))?;
        created.ok_or_else(|| {
            ProviderError::new(format!(
                "IAM role {name} was created but cannot be read back"
            ))
        })
    }

    fn read(&self, clients: &Clients, state: &Value) -> Result<Option<Value>, ProviderError> {
        let name = required_string(state, "name")?;
        let role = match clients.block_on(clients.iam.get_role().role_name(&name).send()) {
            Ok(output) => match output.role {
                Some(role) => role,
                None => return Ok(None),
            },
            Err(error) => {
                let error = ApiError::from_sdk(format!("reading IAM role {name}"), error);
                if error.is_not_found() {
                    return Ok(None);
                }
                return Err(error.into());
            }
        };
        let trust = decode_document(role.assume_role_policy_document().unwrap_or_default())?;
        let known_trust = optional_string(state, "assume_role_policy").ok().flatten();
        let (own_tags, tags_all) =
            observed_tags(state, &from_tags(role.tags()), &clients.default_tags);
        let mut object = ObjectBuilder::from(state)
            .string("id", name.clone())
            .string("name", name.clone())
            .string("arn", role.arn())
            .string("unique_id", role.role_id())
            .string("path", role.path())
            .string(
                "create_date",
                role.create_date()
                    .fmt(aws_sdk_iam::primitives::DateTimeFormat::DateTime)
                    .unwrap_or_default(),
            )
            .string(
                "assume_role_policy",
                keep_equivalent(known_trust.as_deref(), trust),
            )
            .set(
                "description",
                match role.description() {
                    Some(text) if !text.is_empty() => Value::string(text),
                    _ if optional_string(state, "description")?.is_some_and(|d| d.is_empty()) => {
                        Value::string("")
                    }
                    _ => Value::Null,
                },
            )
            .set(
                "max_session_duration",
                observed_integer(
                    attribute(state, "max_session_duration"),
                    i64::from(role.max_session_duration().unwrap_or(3600)),
                ),
            )
            .set(
                "permissions_boundary",
                match role.permissions_boundary() {
                    Some(boundary) => {
                        Value::string(boundary.permissions_boundary_arn().unwrap_or_default())
                    }
                    None => Value::Null,
                },
            )
            .set("tags", own_tags)
            .set("tags_all", tags_all);
        // Only what this resource manages is read back; attachments made by other resources
        // (aws_iam_role_policy_attachment) are theirs, as with the Terraform provider.
        if !attribute(state, "managed_policy_arns").is_null() {
            object = object.set("managed_policy_arns", set_value(attached(clients, &name)?));
        }
        let managed_inline = inline_policies(state)?;
        if !managed_inline.is_empty() {
            let mut observed = Vec::new();
            for (policy_name, known) in managed_inline {
                if let Some(document) = get_inline(clients, &name, &policy_name)? {
                    observed.push(inline_value(
                        &policy_name,
                        &keep_equivalent(Some(&known), document),
                    ));
                }
            }
            object = object.set("inline_policy", Value::List(observed));
        }
        Ok(Some(object.build()))
    }

    fn update(
        &self,
        clients: &Clients,
        prior: &Value,
        planned: &Value,
        _progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let name = required_string(prior, "name")?;
        let trust = required_string(planned, "assume_role_policy")?;
        if optional_string(prior, "assume_role_policy")?.as_deref() != Some(trust.as_str()) {
            check_document(&trust, "assume_role_policy")?;
            clients
                .block_on(
                    clients
                        .iam
                        .update_assume_role_policy()
                        .role_name(&name)
                        .policy_document(&trust)
                        .send(),
                )
                .map_err(api(format!("updating the trust policy of IAM role {name}")))?;
        }
        if attribute(prior, "description") != attribute(planned, "description")
            || attribute(prior, "max_session_duration")
                != attribute(planned, "max_session_duration")
        {
            clients
                .block_on(
                    clients
                        .iam
                        .update_role()
                        .role_name(&name)
                        .description(optional_string(planned, "description")?.unwrap_or_default())
                        .set_max_session_duration(
                            optional_integer(planned, "max_session_duration").map(|n| n as i32),
                        )
                        .send(),
                )
                .map_err(api(format!("updating IAM role {name}")))?;
        }
        if attribute(prior, "permissions_boundary") != attribute(planned, "permissions_boundary") {
            match optional_string(planned, "permissions_boundary")? {
                Some(boundary) => clients
                    .block_on(
                        clients
                            .iam
                            .put_role_permissions_boundary()
                            .role_name(&name)
                            .permissions_boundary(boundary)
                            .send(),
                    )
                    .map(|_| ())
                    .map_err(api(format!(
                        "setting the permissions boundary of IAM role {name}"
                    )))?,
                None => clients
                    .block_on(
                        clients
                            .iam
                            .delete_role_permissions_boundary()
                            .role_name(&name)
                            .send(),
                    )
                    .map(|_| ())
                    .map_err(api(format!(
                        "removing the permissions boundary of IAM role {name}"
                    )))?,
            }
        }
        let planned_arns = attribute(planned, "managed_policy_arns");
        if planned_arns.is_known() && !planned_arns.is_null() {
            let want: BTreeSet<String> = string_list(planned, "managed_policy_arns")?
                .into_iter()
                .collect();
            let have: BTreeSet<String> = attached(clients, &name)?.into_iter().collect();
            for arn in have.difference(&want) {
                detach(clients, &name, arn)?;
            }
            for arn in want.difference(&have) {
                attach(clients, &name, arn)?;
            }
        }
        let before = inline_policies(prior)?;
        let after = inline_policies(planned)?;
        for policy_name in before.keys().filter(|name| !after.contains_key(*name)) {
            delete_inline(clients, &name, policy_name)?;
        }
        for (policy_name, document) in &after {
            if before.get(policy_name) != Some(document) {
                put_inline(clients, &name, policy_name, document)?;
            }
        }
        update_tags(
            prior,
            planned,
            |removed| {
                clients
                    .block_on(
                        clients
                            .iam
                            .untag_role()
                            .role_name(&name)
                            .set_tag_keys(Some(removed))
                            .send(),
                    )
                    .map(drop)
                    .map_err(api(format!("untagging IAM role {name}")))
                    .map_err(ProviderError::from)
            },
            |tags| {
                clients
                    .block_on(
                        clients
                            .iam
                            .tag_role()
                            .role_name(&name)
                            .set_tags(Some(tags))
                            .send(),
                    )
                    .map(drop)
                    .map_err(api(format!("tagging IAM role {name}")))
                    .map_err(ProviderError::from)
            },
        )?;
        let state = ObjectBuilder::from(planned)
            .string("name", name.clone())
            .build();
        self.read(clients, &state)?
            .ok_or_else(|| ProviderError::new(format!("IAM role {name} disappeared during update")))
    }

    fn delete(&self, clients: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let name = required_string(prior, "name")?;
        let force = optional_bool(prior, "force_detach_policies").unwrap_or(false);
        let managed: Vec<String> = if force {
            attached(clients, &name)?
        } else {
            string_list(prior, "managed_policy_arns").unwrap_or_default()
        };
        for arn in managed {
            detach(clients, &name, &arn)?;
        }
        let inline: Vec<String> = if force {
            list_inline(clients, &name)?
        } else {
            inline_policies(prior)?.into_keys().collect()
        };
        for policy_name in inline {
            delete_inline(clients, &name, &policy_name)?;
        }
        match clients.block_on(clients.iam.delete_role().role_name(&name).send()) {
            Ok(_) => Ok(()),
            Err(error) => {
                let error = ApiError::from_sdk(format!("deleting IAM role {name}"), error);
                if error.is_not_found() {
                    Ok(())
                } else if error.is("DeleteConflict") {
                    Err(ProviderError::new(format!(
                        "{error}; detach its policies first, or set force_detach_policies = true and apply before destroying"
                    )))
                } else {
                    Err(error.into())
                }
            }
        }
    }

    fn import_state(&self, id: &str) -> Result<Value, ProviderError> {
        Ok(ObjectBuilder::default()
            .string("name", id)
            .set("force_detach_policies", Value::Bool(false))
            .set("inline_policy", Value::List(Vec::new()))
            .build())
    }
}

/// Configured inline policies that mean the same as their prior text keep that text.
fn inline_like_prior(config: &Value, prior: Option<&Value>) -> Value {
    let (Some(prior), Value::Object(entries)) = (prior, config) else {
        return config.clone();
    };
    let Ok(before) = inline_policies(prior) else {
        return config.clone();
    };
    let Some(configured) = attribute(config, "inline_policy").as_list() else {
        return config.clone();
    };
    let adjusted = configured
        .iter()
        .map(|item| {
            let name = attribute(item, "name").as_str().unwrap_or_default();
            match (attribute(item, "policy").as_str(), before.get(name)) {
                (Some(text), Some(known)) if lathe_iam_policy::equivalent(text, known) => {
                    inline_value(name, known)
                }
                _ => item.clone(),
            }
        })
        .collect();
    let mut entries: BTreeMap<String, Value> = entries.clone();
    entries.insert("inline_policy".to_string(), Value::List(adjusted));
    Value::Object(entries)
}

fn inline_value(name: &str, policy: &str) -> Value {
    ObjectBuilder::default()
        .string("name", name)
        .string("policy", policy)
        .build()
}

/// Name to document for each `inline_policy` block that has both.
fn inline_policies(value: &Value) -> Result<BTreeMap<String, String>, ProviderError> {
    let mut policies = BTreeMap::new();
    if let Some(items) = attribute(value, "inline_policy").as_list() {
        for item in items {
            if let (Some(name), Some(policy)) = (
                optional_string(item, "name")?,
                optional_string(item, "policy")?,
            ) && !name.is_empty()
            {
                policies.insert(name, policy);
            }
        }
    }
    Ok(policies)
}

fn attached(clients: &Clients, role: &str) -> Result<Vec<String>, ProviderError> {
    let mut arns = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let output = clients
            .block_on(
                clients
                    .iam
                    .list_attached_role_policies()
                    .role_name(role)
                    .set_marker(marker.clone())
                    .send(),
            )
            .map_err(api(format!(
                "listing the policies attached to IAM role {role}"
            )))?;
        arns.extend(
            output
                .attached_policies()
                .iter()
                .filter_map(|policy| policy.policy_arn().map(str::to_string)),
        );
        match output.marker() {
            Some(next) if output.is_truncated() => marker = Some(next.to_string()),
            _ => return Ok(arns),
        }
    }
}

/// Attaches a managed policy; a role or policy created moments ago may not be visible yet.
pub fn attach(clients: &Clients, role: &str, arn: &str) -> Result<(), ProviderError> {
    clients.propagation.retry(|| {
        clients
            .block_on(
                clients
                    .iam
                    .attach_role_policy()
                    .role_name(role)
                    .policy_arn(arn)
                    .send(),
            )
            .map_err(api(format!("attaching {arn} to IAM role {role}")))
    })?;
    Ok(())
}

pub fn detach(clients: &Clients, role: &str, arn: &str) -> Result<(), ProviderError> {
    match clients.block_on(
        clients
            .iam
            .detach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send(),
    ) {
        Ok(_) => Ok(()),
        Err(error) => {
            let error = ApiError::from_sdk(format!("detaching {arn} from IAM role {role}"), error);
            if error.is_not_found() {
                Ok(())
            } else {
                Err(error.into())
            }
        }
    }
}

fn list_inline(clients: &Clients, role: &str) -> Result<Vec<String>, ProviderError> {
    let output = clients
        .block_on(clients.iam.list_role_policies().role_name(role).send())
        .map_err(api(format!(
            "listing the inline policies of IAM role {role}"
        )))?;
    Ok(output.policy_names().to_vec())
}

pub fn put_inline(
    clients: &Clients,
    role: &str,
    name: &str,
    document: &str,
) -> Result<(), ProviderError> {
    check_document(document, "policy")?;
    // The role may have been created moments ago.
    clients.propagation.retry(|| {
        clients
            .block_on(
                clients
                    .iam
                    .put_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .policy_document(document)
                    .send(),
            )
            .map_err(api(format!(
                "putting inline policy {name} on IAM role {role}"
            )))
    })?;
    Ok(())
}

/// The decoded document of an inline policy; `None` when the role or policy is gone.
pub fn get_inline(
    clients: &Clients,
    role: &str,
    name: &str,
) -> Result<Option<String>, ProviderError> {
    match clients.block_on(
        clients
            .iam
            .get_role_policy()
            .role_name(role)
            .policy_name(name)
            .send(),
    ) {
        Ok(output) => Ok(Some(decode_document(output.policy_document())?)),
        Err(error) => {
            let error = ApiError::from_sdk(
                format!("reading inline policy {name} of IAM role {role}"),
                error,
            );
            if error.is_not_found() {
                Ok(None)
            } else {
                Err(error.into())
            }
        }
    }
}

pub fn delete_inline(clients: &Clients, role: &str, name: &str) -> Result<(), ProviderError> {
    match clients.block_on(
        clients
            .iam
            .delete_role_policy()
            .role_name(role)
            .policy_name(name)
            .send(),
    ) {
        Ok(_) => Ok(()),
        Err(error) => {
            let error = ApiError::from_sdk(
                format!("deleting inline policy {name} of IAM role {role}"),
                error,
            );
            if error.is_not_found() {
                Ok(())
            } else {
                Err(error.into())
            }
        }
    }
}
