//! Role actions: create, get, update, delete, list, tags.

use super::records::RoleRecord;
use super::{Iam, finish_page, paginate, render, store, validate};
use crate::clock;
use crate::query::{ApiError, QueryParams, Xml};

impl Iam {
    pub(super) async fn create_role(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let name = params.required("RoleName")?.to_string();
        validate::role_name(&name)?;
        let trust_policy = params.required("AssumeRolePolicyDocument")?.to_string();
        validate::document(&trust_policy)?;
        let path = params.get("Path").unwrap_or("/").to_string();
        validate::path(&path)?;
        let description = params.get("Description").map(str::to_string);
        if let Some(description) = &description {
            validate::description(description)?;
        }
        let max_session_duration = params.integer("MaxSessionDuration")?.unwrap_or(3600);
        validate::max_session_duration(max_session_duration)?;
        let tags = params.tags("Tags");
        validate::tags(&tags)?;
        let record = RoleRecord {
            name,
            role_id: crate::ids::entity_id("AROA"),
            path,
            trust_policy,
            description,
            max_session_duration,
            created_at: clock::now(),
            tags,
        };
        let stored = record.clone();
        self.store(move |c| store::create_role(c, &stored)).await?;
        let mut xml = Xml::new();
        xml.open("Role");
        render::role(&mut xml, &record, &self.account_id);
        xml.close("Role");
        Ok(xml)
    }

    pub(super) async fn get_role(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let name = params.required("RoleName")?.to_string();
        let record = self.store(move |c| store::role(c, &name)).await?;
        let mut xml = Xml::new();
        xml.open("Role");
        render::role(&mut xml, &record, &self.account_id);
        xml.close("Role");
        Ok(xml)
    }

    pub(super) async fn delete_role(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let name = params.required("RoleName")?.to_string();
        self.store(move |c| store::delete_role(c, &name)).await?;
        Ok(Xml::new())
    }

    pub(super) async fn list_roles(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let path_prefix = params.get("PathPrefix").unwrap_or("/").to_string();
        let all = self.store(|c| store::roles(c)).await?;
        let matching: Vec<RoleRecord> = all
            .into_iter()
            .filter(|r| r.path.starts_with(&path_prefix))
            .collect();
        let page = paginate(matching, params, |r| r.name.clone())?;
        let mut xml = Xml::new();
        xml.members("Roles", &page.items, |xml, record| {
            render::role(xml, record, &self.account_id)
        });
        finish_page(&mut xml, page.next_marker);
        Ok(xml)
    }

    pub(super) async fn update_role(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let name = params.required("RoleName")?.to_string();
        let description = params.get("Description").map(str::to_string);
        if let Some(description) = &description {
            validate::description(description)?;
        }
        let max = params.integer("MaxSessionDuration")?;
        if let Some(max) = max {
            validate::max_session_duration(max)?;
        }
        self.store(move |c| store::update_role(c, &name, None, description.as_deref(), max))
            .await?;
        Ok(Xml::new())
    }

    pub(super) async fn update_assume_role_policy(
        &self,
        params: &QueryParams,
    ) -> Result<Xml, ApiError> {
        let name = params.required("RoleName")?.to_string();
        let document = params.required("PolicyDocument")?.to_string();
        validate::document(&document)?;
        self.store(move |c| store::update_role(c, &name, Some(&document), None, None))
            .await?;
        Ok(Xml::new())
    }

    pub(super) async fn tag_role(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let name = params.required("RoleName")?.to_string();
        let tags = params.tags("Tags");
        validate::tags(&tags)?;
        self.store(move |c| store::tag_role(c, &name, &tags))
            .await?;
        Ok(Xml::new())
    }

    pub(super) async fn untag_role(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let name = params.required("RoleName")?.to_string();
        let keys = params.list("TagKeys");
        self.store(move |c| store::untag_role(c, &name, &keys))
            .await?;
        Ok(Xml::new())
    }

    pub(super) async fn list_role_tags(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let name = params.required("RoleName")?.to_string();
        let record = self.store(move |c| store::role(c, &name)).await?;
        let page = paginate(record.tags, params, |(key, _)| key.clone())?;
        let mut xml = Xml::new();
        render::tags(&mut xml, &page.items);
        finish_page(&mut xml, page.next_marker);
        Ok(xml)
    }

    /// The local region has no instance profiles; the role must still exist (Terraform asks
    /// before deleting a role).
    pub(super) async fn list_instance_profiles_for_role(
        &self,
        params: &QueryParams,
    ) -> Result<Xml, ApiError> {
        let name = params.required("RoleName")?.to_string();
        self.store(move |c| store::role(c, &name)).await?;
        let mut xml = Xml::new();
        xml.empty("InstanceProfiles");
        finish_page(&mut xml, None);
        Ok(xml)
    }
}
