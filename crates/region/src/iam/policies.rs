//! Managed policies, their attachment to roles, and roles' inline policies.

use super::records::{PolicyRecord, policy_arn};
use super::{Iam, finish_page, paginate, render, store, validate};
use crate::clock;
use crate::query::{ApiError, QueryParams, Xml};

impl Iam {
    pub(super) async fn create_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let name = params.required("PolicyName")?.to_string();
        validate::policy_name("policyName", &name)?;
        let document = params.required("PolicyDocument")?.to_string();
        validate::document(&document)?;
        let path = params.get("Path").unwrap_or("/").to_string();
        validate::path(&path)?;
        let description = params.get("Description").map(str::to_string);
        if let Some(description) = &description {
            validate::description(description)?;
        }
        let tags = params.tags("Tags");
        validate::tags(&tags)?;
        let record = PolicyRecord {
            arn: policy_arn(&self.account_id, &path, &name),
            name,
            policy_id: crate::ids::entity_id("ANPA"),
            path,
            description,
            document,
            default_version: "v1".to_string(),
            created_at: clock::now(),
            attachment_count: 0,
            tags,
        };
        let stored = record.clone();
        self.store(move |c| store::create_policy(c, &stored))
            .await?;
        let mut xml = Xml::new();
        xml.open("Policy");
        render::policy(&mut xml, &record);
        xml.close("Policy");
        Ok(xml)
    }

    pub(super) async fn named_policy(
        &self,
        params: &QueryParams,
    ) -> Result<PolicyRecord, ApiError> {
        let arn = params.required("PolicyArn")?.to_string();
        self.store(move |c| store::policy(c, &arn)).await
    }

    pub(super) async fn get_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let record = self.named_policy(params).await?;
        let mut xml = Xml::new();
        xml.open("Policy");
        render::policy(&mut xml, &record);
        xml.close("Policy");
        Ok(xml)
    }

    pub(super) async fn delete_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let arn = params.required("PolicyArn")?.to_string();
        self.store(move |c| store::delete_policy(c, &arn)).await?;
        Ok(Xml::new())
    }

    pub(super) async fn list_policies(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let scope = params.get("Scope").unwrap_or("All");
        if !matches!(scope, "All" | "AWS" | "Local") {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"
            )));
        }
        let only_attached = params.boolean("OnlyAttached").unwrap_or(false);
        let path_prefix = params.get("PathPrefix").unwrap_or("/").to_string();
        // Every policy here is customer managed: the AWS scope is empty.
        let all = if scope == "AWS" {
            Vec::new()
        } else {
            self.store(|c| store::policies(c)).await?
        };
        let matching: Vec<PolicyRecord> = all
            .into_iter()
            .filter(|p| p.path.starts_with(&path_prefix))
            .filter(|p| !only_attached || p.attachment_count > 0)
            .collect();
        let page = paginate(matching, params, |p| p.name.clone())?;
        let mut xml = Xml::new();
        xml.members("Policies", &page.items, |xml, record| {
            render::policy(xml, record)
        });
        finish_page(&mut xml, page.next_marker);
        Ok(xml)
    }

    pub(super) async fn tag_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let arn = params.required("PolicyArn")?.to_string();
        let tags = params.tags("Tags");
        validate::tags(&tags)?;
        self.store(move |c| store::tag_policy(c, &arn, &tags))
            .await?;
        Ok(Xml::new())
    }

    pub(super) async fn untag_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let arn = params.required("PolicyArn")?.to_string();
        let keys = params.list("TagKeys");
        self.store(move |c| store::untag_policy(c, &arn, &keys))
            .await?;
        Ok(Xml::new())
    }

    pub(super) async fn list_policy_tags(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let record = self.named_policy(params).await?;
        let page = paginate(record.tags, params, |(key, _)| key.clone())?;
        let mut xml = Xml::new();
        render::tags(&mut xml, &page.items);
        finish_page(&mut xml, page.next_marker);
        Ok(xml)
    }

    pub(super) async fn attach_role_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let role = params.required("RoleName")?.to_string();
        let arn = params.required("PolicyArn")?.to_string();
        self.store(move |c| store::attach(c, &role, &arn)).await?;
        Ok(Xml::new())
    }

    pub(super) async fn detach_role_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let role = params.required("RoleName")?.to_string();
        let arn = params.required("PolicyArn")?.to_string();
        self.store(move |c| store::detach(c, &role, &arn)).await?;
        Ok(Xml::new())
    }

    pub(super) async fn list_attached_role_policies(
        &self,
        params: &QueryParams,
    ) -> Result<Xml, ApiError> {
        let role = params.required("RoleName")?.to_string();
        let path_prefix = params.get("PathPrefix").unwrap_or("/").to_string();
        let attached = self.store(move |c| store::attached(c, &role)).await?;
        let matching: Vec<PolicyRecord> = attached
            .into_iter()
            .filter(|p| p.path.starts_with(&path_prefix))
            .collect();
        let page = paginate(matching, params, |p| p.name.clone())?;
        let mut xml = Xml::new();
        xml.members("AttachedPolicies", &page.items, |xml, record| {
            xml.text("PolicyName", &record.name)
                .text("PolicyArn", &record.arn);
        });
        finish_page(&mut xml, page.next_marker);
        Ok(xml)
    }

    pub(super) async fn put_role_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let role = params.required("RoleName")?.to_string();
        let name = params.required("PolicyName")?.to_string();
        validate::policy_name("policyName", &name)?;
        let document = params.required("PolicyDocument")?.to_string();
        validate::document(&document)?;
        self.store(move |c| store::put_inline(c, &role, &name, &document))
            .await?;
        Ok(Xml::new())
    }

    pub(super) async fn get_role_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let role = params.required("RoleName")?.to_string();
        let name = params.required("PolicyName")?.to_string();
        let (role_for_store, name_for_store) = (role.clone(), name.clone());
        let document = self
            .store(move |c| store::inline(c, &role_for_store, &name_for_store))
            .await?;
        let mut xml = Xml::new();
        xml.text("RoleName", &role)
            .text("PolicyName", &name)
            .text("PolicyDocument", &render::encoded_document(&document));
        Ok(xml)
    }

    pub(super) async fn delete_role_policy(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let role = params.required("RoleName")?.to_string();
        let name = params.required("PolicyName")?.to_string();
        self.store(move |c| store::delete_inline(c, &role, &name))
            .await?;
        Ok(Xml::new())
    }

    pub(super) async fn list_role_policies(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let role = params.required("RoleName")?.to_string();
        let inline = self
            .store(move |c| store::inline_policies(c, &role))
            .await?;
        let page = paginate(inline, params, |(name, _)| name.clone())?;
        let mut xml = Xml::new();
        xml.members("PolicyNames", &page.items, |xml, (name, _)| {
            // PolicyNames members are bare strings: undo the member wrapper's nesting.
            xml.append(text_only(name));
        });
        finish_page(&mut xml, page.next_marker);
        Ok(xml)
    }
}

fn text_only(text: &str) -> Xml {
    let mut xml = Xml::new();
    xml.raw_text(text);
    xml
}
