//! Managed policy versions: create (up to five), read, list, delete, choose the default.

use rusqlite::{Connection, OptionalExtension, params};

use super::records::PolicyVersionRecord;
use super::{Iam, finish_page, paginate, render, store, validate};
use crate::clock;
use crate::query::{ApiError, QueryParams, Xml};

/// IAM keeps at most five versions of a managed policy.
const MAX_VERSIONS: usize = 5;

fn versions(connection: &Connection, arn: &str) -> Result<Vec<PolicyVersionRecord>, ApiError> {
    let policy = store::policy(connection, arn)?;
    let mut statement = connection.prepare(
        "SELECT version_id, document, created_at FROM policy_versions WHERE policy_arn = ?1",
    )?;
    let mut all = statement
        .query_map([arn], |row| {
            Ok(PolicyVersionRecord {
                version_id: row.get(0)?,
                document: row.get(1)?,
                is_default: false,
                created_at: clock::from_text(&row.get::<_, String>(2)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for version in &mut all {
        version.is_default = version.version_id == policy.default_version;
    }
    // Newest first, as IAM lists them (v10 after v9, not after v1).
    all.sort_by_key(|v| std::cmp::Reverse(version_number(&v.version_id)));
    Ok(all)
}

fn version_number(version_id: &str) -> u32 {
    version_id
        .strip_prefix('v')
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn no_such_version(arn: &str, version_id: &str) -> ApiError {
    ApiError::no_such_entity(format!(
        "Policy {arn} version {version_id} does not exist or is not attachable."
    ))
}

fn make_default(connection: &Connection, arn: &str, version_id: &str) -> Result<(), ApiError> {
    let document: String = connection
        .query_row(
            "SELECT document FROM policy_versions WHERE policy_arn = ?1 AND version_id = ?2",
            params![arn, version_id],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| no_such_version(arn, version_id))?;
    connection.execute(
        "UPDATE policies SET document = ?2, default_version = ?3 WHERE arn = ?1",
        params![arn, document, version_id],
    )?;
    Ok(())
}

fn create(
    connection: &mut Connection,
    arn: &str,
    document: &str,
    set_as_default: bool,
) -> Result<PolicyVersionRecord, ApiError> {
    let transaction = connection.transaction()?;
    let existing = versions(&transaction, arn)?;
    if existing.len() >= MAX_VERSIONS {
        return Err(ApiError::sender(
            409,
            "LimitExceeded",
            format!(
                "A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version."
            ),
        ));
    }
    let next = existing
        .iter()
        .map(|v| version_number(&v.version_id))
        .max()
        .unwrap_or(0)
        + 1;
    let version = PolicyVersionRecord {
        version_id: format!("v{next}"),
        document: document.to_string(),
        is_default: set_as_default,
        created_at: clock::now(),
    };
    transaction.execute(
        "INSERT INTO policy_versions (policy_arn, version_id, document, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![arn, version.version_id, version.document, clock::to_text(version.created_at)],
    )?;
    if set_as_default {
        make_default(&transaction, arn, &version.version_id)?;
    }
    transaction.commit()?;
    Ok(version)
}

fn delete(connection: &mut Connection, arn: &str, version_id: &str) -> Result<(), ApiError> {
    let transaction = connection.transaction()?;
    let policy = store::policy(&transaction, arn)?;
    if policy.default_version == version_id {
        return Err(ApiError::sender(
            409,
            "DeleteConflict",
            "Cannot delete the default version of a policy.",
        ));
    }
    let removed = transaction.execute(
        "DELETE FROM policy_versions WHERE policy_arn = ?1 AND version_id = ?2",
        params![arn, version_id],
    )?;
    if removed == 0 {
        return Err(no_such_version(arn, version_id));
    }
    transaction.commit()?;
    Ok(())
}

fn set_default(connection: &mut Connection, arn: &str, version_id: &str) -> Result<(), ApiError> {
    let transaction = connection.transaction()?;
    store::policy(&transaction, arn)?;
    make_default(&transaction, arn, version_id)?;
    transaction.commit()?;
    Ok(())
}

impl Iam {
    pub(super) async fn create_policy_version(
        &self,
        params: &QueryParams,
    ) -> Result<Xml, ApiError> {
        let arn = params.required("PolicyArn")?.to_string();
        let document = params.required("PolicyDocument")?.to_string();
        validate::document(&document)?;
        let set_as_default = params.boolean("SetAsDefault").unwrap_or(false);
        let version = self
            .store(move |c| create(c, &arn, &document, set_as_default))
            .await?;
        let mut xml = Xml::new();
        xml.open("PolicyVersion");
        render::policy_version(&mut xml, &version);
        xml.close("PolicyVersion");
        Ok(xml)
    }

    pub(super) async fn get_policy_version(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let arn = params.required("PolicyArn")?.to_string();
        let version_id = params.required("VersionId")?.to_string();
        let version = self
            .store(move |c| {
                versions(c, &arn)?
                    .into_iter()
                    .find(|v| v.version_id == version_id)
                    .ok_or_else(|| no_such_version(&arn, &version_id))
            })
            .await?;
        let mut xml = Xml::new();
        xml.open("PolicyVersion");
        render::policy_version(&mut xml, &version);
        xml.close("PolicyVersion");
        Ok(xml)
    }

    pub(super) async fn list_policy_versions(&self, params: &QueryParams) -> Result<Xml, ApiError> {
        let arn = params.required("PolicyArn")?.to_string();
        let all = self.store(move |c| versions(c, &arn)).await?;
        let page = paginate(all, params, |v| {
            format!("{:010}", u32::MAX - version_number(&v.version_id))
        })?;
        let mut xml = Xml::new();
        xml.members("Versions", &page.items, render::policy_version);
        finish_page(&mut xml, page.next_marker);
        Ok(xml)
    }

    pub(super) async fn delete_policy_version(
        &self,
        params: &QueryParams,
    ) -> Result<Xml, ApiError> {
        let arn = params.required("PolicyArn")?.to_string();
        let version_id = params.required("VersionId")?.to_string();
        self.store(move |c| delete(c, &arn, &version_id)).await?;
        Ok(Xml::new())
    }

    pub(super) async fn set_default_policy_version(
        &self,
        params: &QueryParams,
    ) -> Result<Xml, ApiError> {
        let arn = params.required("PolicyArn")?.to_string();
        let version_id = params.required("VersionId")?.to_string();
        self.store(move |c| set_default(c, &arn, &version_id))
            .await?;
        Ok(Xml::new())
    }
}
