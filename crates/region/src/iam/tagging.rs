//! Tags on roles and managed policies: TagRole and TagPolicy, UntagRole and UntagPolicy,
//! ListRoleTags and ListPolicyTags differ only in what they name.

use rusqlite::Connection;

use super::{Iam, finish_page, paginate, render, store, validate};
use crate::query::{ApiError, QueryParams, Xml};

type Tags = Vec<(String, String)>;

/// What IAM tags here: a role (by name) or a managed policy (by ARN).
#[derive(Debug, Clone, Copy)]
pub(super) enum Tagged {
    Role,
    Policy,
}

impl Tagged {
    /// The request parameter that names the tagged resource.
    fn parameter(self) -> &'static str {
        match self {
            Tagged::Role => "RoleName",
            Tagged::Policy => "PolicyArn",
        }
    }

    fn tags(self, connection: &Connection, id: &str) -> Result<Tags, ApiError> {
        match self {
            Tagged::Role => store::role(connection, id).map(|role| role.tags),
            Tagged::Policy => store::policy(connection, id).map(|policy| policy.tags),
        }
    }

    fn tag(
        self,
        connection: &mut Connection,
        id: &str,
        tags: &[(String, String)],
    ) -> Result<(), ApiError> {
        match self {
            Tagged::Role => store::tag_role(connection, id, tags),
            Tagged::Policy => store::tag_policy(connection, id, tags),
        }
    }

    fn untag(self, connection: &mut Connection, id: &str, keys: &[String]) -> Result<(), ApiError> {
        match self {
            Tagged::Role => store::untag_role(connection, id, keys),
            Tagged::Policy => store::untag_policy(connection, id, keys),
        }
    }
}

impl Iam {
    pub(super) async fn tag(&self, tagged: Tagged, params: &QueryParams) -> Result<Xml, ApiError> {
        let id = params.required(tagged.parameter())?.to_string();
        let tags = params.tags("Tags");
        validate::tags(&tags)?;
        self.store(move |c| tagged.tag(c, &id, &tags)).await?;
        Ok(Xml::new())
    }

    pub(super) async fn untag(
        &self,
        tagged: Tagged,
        params: &QueryParams,
    ) -> Result<Xml, ApiError> {
        let id = params.required(tagged.parameter())?.to_string();
        let keys = params.list("TagKeys");
        self.store(move |c| tagged.untag(c, &id, &keys)).await?;
        Ok(Xml::new())
    }

    pub(super) async fn list_tags(
        &self,
        tagged: Tagged,
        params: &QueryParams,
    ) -> Result<Xml, ApiError> {
        let id = params.required(tagged.parameter())?.to_string();
        let tags = self.store(move |c| tagged.tags(c, &id)).await?;
        let page = paginate(tags, params, |(key, _)| key.clone())?;
        let mut xml = Xml::new();
        render::tags(&mut xml, &page.items);
        finish_page(&mut xml, page.next_marker);
        Ok(xml)
    }
}
