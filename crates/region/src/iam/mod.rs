//! IAM over the query protocol: roles, managed and inline policies, attachments, tags.

mod policies;
pub mod records;
mod render;
mod roles;
pub mod store;
mod validate;
mod versions;

use crate::metadata::Metadata;
use crate::query::{ApiError, QueryParams, Xml};

#[derive(Debug, Clone)]
pub struct Iam {
    metadata: Metadata,
    account_id: String,
}

impl Iam {
    pub fn new(metadata: Metadata, account_id: String) -> Self {
        Self {
            metadata,
            account_id,
        }
    }

    /// Runs one IAM action; returns the `<ActionResult>` body.
    pub async fn dispatch(&self, action: &str, params: &QueryParams) -> Result<Xml, ApiError> {
        match action {
            "CreateRole" => self.create_role(params).await,
            "GetRole" => self.get_role(params).await,
            "DeleteRole" => self.delete_role(params).await,
            "ListRoles" => self.list_roles(params).await,
            "UpdateRole" => self.update_role(params).await,
            "UpdateAssumeRolePolicy" => self.update_assume_role_policy(params).await,
            "TagRole" => self.tag_role(params).await,
            "UntagRole" => self.untag_role(params).await,
            "ListRoleTags" => self.list_role_tags(params).await,
            "ListInstanceProfilesForRole" => self.list_instance_profiles_for_role(params).await,
            "CreatePolicy" => self.create_policy(params).await,
            "GetPolicy" => self.get_policy(params).await,
            "GetPolicyVersion" => self.get_policy_version(params).await,
            "ListPolicyVersions" => self.list_policy_versions(params).await,
            "CreatePolicyVersion" => self.create_policy_version(params).await,
            "DeletePolicyVersion" => self.delete_policy_version(params).await,
            "SetDefaultPolicyVersion" => self.set_default_policy_version(params).await,
            "DeletePolicy" => self.delete_policy(params).await,
            "ListPolicies" => self.list_policies(params).await,
            "TagPolicy" => self.tag_policy(params).await,
            "UntagPolicy" => self.untag_policy(params).await,
            "ListPolicyTags" => self.list_policy_tags(params).await,
            "AttachRolePolicy" => self.attach_role_policy(params).await,
            "DetachRolePolicy" => self.detach_role_policy(params).await,
            "ListAttachedRolePolicies" => self.list_attached_role_policies(params).await,
            "PutRolePolicy" => self.put_role_policy(params).await,
            "GetRolePolicy" => self.get_role_policy(params).await,
            "DeleteRolePolicy" => self.delete_role_policy(params).await,
            "ListRolePolicies" => self.list_role_policies(params).await,
            other => Err(ApiError::sender(
                400,
                "InvalidAction",
                format!(
                    "The action {other} is not valid for this web service (IAM in the lathe local region)."
                ),
            )),
        }
    }

    async fn store<R, F>(&self, work: F) -> Result<R, ApiError>
    where
        F: FnOnce(&mut rusqlite::Connection) -> Result<R, ApiError> + Send + 'static,
        R: Send + 'static,
    {
        self.metadata.run(work).await
    }
}

/// One page of a listing ordered by `key`, resuming after `Marker`, at most `MaxItems` long.
struct Page<T> {
    items: Vec<T>,
    next_marker: Option<String>,
}

fn paginate<T>(
    all: Vec<T>,
    params: &QueryParams,
    key: impl Fn(&T) -> String,
) -> Result<Page<T>, ApiError> {
    let max_items = params.integer("MaxItems")?.unwrap_or(100);
    if !(1..=1000).contains(&max_items) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{max_items}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"
        )));
    }
    let marker = params.get("Marker");
    let mut items: Vec<T> = all
        .into_iter()
        .filter(|item| marker.is_none_or(|marker| key(item).as_str() > marker))
        .collect();
    let truncated = items.len() > max_items as usize;
    items.truncate(max_items as usize);
    let next_marker = truncated.then(|| items.last().map(&key)).flatten();
    Ok(Page { items, next_marker })
}

fn finish_page(xml: &mut Xml, next_marker: Option<String>) {
    xml.text(
        "IsTruncated",
        if next_marker.is_some() {
            "true"
        } else {
            "false"
        },
    );
    xml.optional("Marker", next_marker.as_deref());
}
