//! SQL over roles, managed policies, attachments, inline policies and tags; each change is
//! one transaction.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::records::{PolicyRecord, RoleRecord};
use crate::clock;
use crate::query::ApiError;

type Result<T> = std::result::Result<T, ApiError>;

fn role_from_row(row: &Row<'_>) -> rusqlite::Result<RoleRecord> {
    Ok(RoleRecord {
        name: row.get(0)?,
        role_id: row.get(1)?,
        path: row.get(2)?,
        trust_policy: row.get(3)?,
        description: row.get(4)?,
        max_session_duration: row.get(5)?,
        created_at: clock::from_text(&row.get::<_, String>(6)?),
        tags: Vec::new(),
    })
}

const ROLE_COLUMNS: &str =
    "name, role_id, path, trust_policy, description, max_session_duration, created_at";

fn tags(
    connection: &Connection,
    table: &str,
    column: &str,
    owner: &str,
) -> Result<Vec<(String, String)>> {
    let mut statement = connection.prepare(&format!(
        "SELECT key, value FROM {table} WHERE {column} = ?1 ORDER BY key"
    ))?;
    let rows = statement.query_map([owner], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn put_tags(
    connection: &Connection,
    table: &str,
    column: &str,
    owner: &str,
    new_tags: &[(String, String)],
) -> Result<()> {
    for (key, value) in new_tags {
        connection.execute(
            &format!(
                "INSERT INTO {table} ({column}, key, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT ({column}, key) DO UPDATE SET value = excluded.value"
            ),
            params![owner, key, value],
        )?;
    }
    let count: i64 = connection.query_row(
        &format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?1"),
        [owner],
        |row| row.get(0),
    )?;
    if count > 50 {
        return Err(ApiError::sender(
            409,
            "LimitExceeded",
            format!(
                "Cannot exceed quota for TagsPerResource: 50 (this request would make {count})."
            ),
        ));
    }
    Ok(())
}

fn remove_tags(
    connection: &Connection,
    table: &str,
    column: &str,
    owner: &str,
    keys: &[String],
) -> Result<()> {
    for key in keys {
        connection.execute(
            &format!("DELETE FROM {table} WHERE {column} = ?1 AND key = ?2"),
            params![owner, key],
        )?;
    }
    Ok(())
}

pub fn role(connection: &Connection, name: &str) -> Result<RoleRecord> {
    // Role names are unique case-insensitively in IAM.
    let mut record = connection
        .query_row(
            &format!("SELECT {ROLE_COLUMNS} FROM roles WHERE name = ?1 COLLATE NOCASE"),
            [name],
            role_from_row,
        )
        .optional()?
        .ok_or_else(|| {
            ApiError::no_such_entity(format!("The role with name {name} cannot be found."))
        })?;
    record.tags = tags(connection, "role_tags", "role", &record.name)?;
    Ok(record)
}

pub fn roles(connection: &Connection) -> Result<Vec<RoleRecord>> {
    let mut statement =
        connection.prepare(&format!("SELECT {ROLE_COLUMNS} FROM roles ORDER BY name"))?;
    let rows = statement.query_map([], role_from_row)?;
    let mut all: Vec<RoleRecord> = rows.collect::<rusqlite::Result<_>>()?;
    for record in &mut all {
        record.tags = tags(connection, "role_tags", "role", &record.name)?;
    }
    Ok(all)
}

pub fn create_role(connection: &mut Connection, record: &RoleRecord) -> Result<()> {
    let transaction = connection.transaction()?;
    let exists: bool = transaction.query_row(
        "SELECT EXISTS(SELECT 1 FROM roles WHERE name = ?1 COLLATE NOCASE)",
        [&record.name],
        |row| row.get(0),
    )?;
    if exists {
        return Err(ApiError::sender(
            409,
            "EntityAlreadyExists",
            format!("Role with name {} already exists.", record.name),
        ));
    }
    transaction.execute(
        &format!("INSERT INTO roles ({ROLE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            record.name,
            record.role_id,
            record.path,
            record.trust_policy,
            record.description,
            record.max_session_duration,
            clock::to_text(record.created_at)
        ],
    )?;
    put_tags(
        &transaction,
        "role_tags",
        "role",
        &record.name,
        &record.tags,
    )?;
    transaction.commit()?;
    Ok(())
}

/// Changes a role's trust policy, description or session limit; `None` leaves a field alone.
pub fn update_role(
    connection: &mut Connection,
    name: &str,
    trust_policy: Option<&str>,
    description: Option<&str>,
    max_session_duration: Option<i64>,
) -> Result<()> {
    let transaction = connection.transaction()?;
    let current = role(&transaction, name)?;
    transaction.execute(
        "UPDATE roles SET trust_policy = ?2, description = ?3, max_session_duration = ?4 WHERE name = ?1",
        params![
            current.name,
            trust_policy.unwrap_or(&current.trust_policy),
            description.or(current.description.as_deref()),
            max_session_duration.unwrap_or(current.max_session_duration)
        ],
    )?;
    transaction.commit()?;
    Ok(())
}

pub fn delete_role(connection: &mut Connection, name: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    let current = role(&transaction, name)?;
    let attached: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM role_attachments WHERE role = ?1",
        [&current.name],
        |row| row.get(0),
    )?;
    if attached > 0 {
        return Err(ApiError::sender(
            409,
            "DeleteConflict",
            "Cannot delete entity, must detach all policies first.",
        ));
    }
    let inline: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM role_inline_policies WHERE role = ?1",
        [&current.name],
        |row| row.get(0),
    )?;
    if inline > 0 {
        return Err(ApiError::sender(
            409,
            "DeleteConflict",
            "Cannot delete entity, must delete policies first.",
        ));
    }
    transaction.execute("DELETE FROM role_tags WHERE role = ?1", [&current.name])?;
    transaction.execute("DELETE FROM roles WHERE name = ?1", [&current.name])?;
    // Sessions of a deleted role lose every permission; dropping them ends them at once.
    transaction.execute("DELETE FROM sessions WHERE role_name = ?1", [&current.name])?;
    transaction.commit()?;
    Ok(())
}

pub fn tag_role(
    connection: &mut Connection,
    name: &str,
    new_tags: &[(String, String)],
) -> Result<()> {
    let transaction = connection.transaction()?;
    let current = role(&transaction, name)?;
    put_tags(&transaction, "role_tags", "role", &current.name, new_tags)?;
    transaction.commit()?;
    Ok(())
}

pub fn untag_role(connection: &mut Connection, name: &str, keys: &[String]) -> Result<()> {
    let transaction = connection.transaction()?;
    let current = role(&transaction, name)?;
    remove_tags(&transaction, "role_tags", "role", &current.name, keys)?;
    transaction.commit()?;
    Ok(())
}

const POLICY_COLUMNS: &str =
    "arn, name, policy_id, path, description, document, created_at, default_version";

fn policy_from_row(row: &Row<'_>) -> rusqlite::Result<PolicyRecord> {
    Ok(PolicyRecord {
        arn: row.get(0)?,
        name: row.get(1)?,
        policy_id: row.get(2)?,
        path: row.get(3)?,
        description: row.get(4)?,
        document: row.get(5)?,
        created_at: clock::from_text(&row.get::<_, String>(6)?),
        default_version: row.get(7)?,
        attachment_count: 0,
        tags: Vec::new(),
    })
}

fn complete_policy(connection: &Connection, mut record: PolicyRecord) -> Result<PolicyRecord> {
    record.attachment_count = connection.query_row(
        "SELECT COUNT(*) FROM role_attachments WHERE policy_arn = ?1",
        [&record.arn],
        |row| row.get(0),
    )?;
    record.tags = tags(connection, "policy_tags", "policy", &record.arn)?;
    Ok(record)
}

pub fn policy(connection: &Connection, arn: &str) -> Result<PolicyRecord> {
    let record = connection
        .query_row(
            &format!("SELECT {POLICY_COLUMNS} FROM policies WHERE arn = ?1"),
            [arn],
            policy_from_row,
        )
        .optional()?
        .ok_or_else(|| {
            ApiError::no_such_entity(format!("Policy {arn} does not exist or is not attachable."))
        })?;
    complete_policy(connection, record)
}

pub fn policies(connection: &Connection) -> Result<Vec<PolicyRecord>> {
    let mut statement = connection.prepare(&format!(
        "SELECT {POLICY_COLUMNS} FROM policies ORDER BY name"
    ))?;
    let rows = statement.query_map([], policy_from_row)?;
    let all: Vec<PolicyRecord> = rows.collect::<rusqlite::Result<_>>()?;
    all.into_iter()
        .map(|record| complete_policy(connection, record))
        .collect()
}

pub fn create_policy(connection: &mut Connection, record: &PolicyRecord) -> Result<()> {
    let transaction = connection.transaction()?;
    let exists: bool = transaction.query_row(
        "SELECT EXISTS(SELECT 1 FROM policies WHERE name = ?1 COLLATE NOCASE)",
        [&record.name],
        |row| row.get(0),
    )?;
    if exists {
        return Err(ApiError::sender(
            409,
            "EntityAlreadyExists",
            format!(
                "A policy called {} already exists. Duplicate names are not allowed.",
                record.name
            ),
        ));
    }
    transaction.execute(
        &format!("INSERT INTO policies ({POLICY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![
            record.arn,
            record.name,
            record.policy_id,
            record.path,
            record.description,
            record.document,
            clock::to_text(record.created_at),
            record.default_version
        ],
    )?;
    transaction.execute(
        "INSERT INTO policy_versions (policy_arn, version_id, document, created_at) \
         VALUES (?1, ?2, ?3, ?4)",
        params![
            record.arn,
            record.default_version,
            record.document,
            clock::to_text(record.created_at)
        ],
    )?;
    put_tags(
        &transaction,
        "policy_tags",
        "policy",
        &record.arn,
        &record.tags,
    )?;
    transaction.commit()?;
    Ok(())
}

pub fn delete_policy(connection: &mut Connection, arn: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    let current = policy(&transaction, arn)?;
    if current.attachment_count > 0 {
        return Err(ApiError::sender(
            409,
            "DeleteConflict",
            "Cannot delete a policy attached to entities.",
        ));
    }
    let versions: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM policy_versions WHERE policy_arn = ?1",
        [arn],
        |row| row.get(0),
    )?;
    if versions > 1 {
        return Err(ApiError::sender(
            409,
            "DeleteConflict",
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions.",
        ));
    }
    transaction.execute("DELETE FROM policy_tags WHERE policy = ?1", [arn])?;
    transaction.execute("DELETE FROM policies WHERE arn = ?1", [arn])?;
    transaction.commit()?;
    Ok(())
}

pub fn tag_policy(
    connection: &mut Connection,
    arn: &str,
    new_tags: &[(String, String)],
) -> Result<()> {
    let transaction = connection.transaction()?;
    policy(&transaction, arn)?;
    put_tags(&transaction, "policy_tags", "policy", arn, new_tags)?;
    transaction.commit()?;
    Ok(())
}

pub fn untag_policy(connection: &mut Connection, arn: &str, keys: &[String]) -> Result<()> {
    let transaction = connection.transaction()?;
    policy(&transaction, arn)?;
    remove_tags(&transaction, "policy_tags", "policy", arn, keys)?;
    transaction.commit()?;
    Ok(())
}

pub fn attach(connection: &mut Connection, role_name: &str, arn: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    let current = role(&transaction, role_name)?;
    policy(&transaction, arn)?;
    transaction.execute(
        "INSERT OR IGNORE INTO role_attachments (role, policy_arn) VALUES (?1, ?2)",
        params![current.name, arn],
    )?;
    transaction.commit()?;
    Ok(())
}

pub fn detach(connection: &mut Connection, role_name: &str, arn: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    let current = role(&transaction, role_name)?;
    let removed = transaction.execute(
        "DELETE FROM role_attachments WHERE role = ?1 AND policy_arn = ?2",
        params![current.name, arn],
    )?;
    if removed == 0 {
        return Err(ApiError::no_such_entity(format!(
            "Policy {arn} was not found."
        )));
    }
    transaction.commit()?;
    Ok(())
}

/// The managed policies attached to a role, by name.
pub fn attached(connection: &Connection, role_name: &str) -> Result<Vec<PolicyRecord>> {
    let current = role(connection, role_name)?;
    let mut statement = connection.prepare(&format!(
        "SELECT {} FROM policies p JOIN role_attachments a ON a.policy_arn = p.arn \
         WHERE a.role = ?1 ORDER BY p.name",
        POLICY_COLUMNS
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    let rows = statement.query_map([&current.name], policy_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn put_inline(
    connection: &mut Connection,
    role_name: &str,
    name: &str,
    document: &str,
) -> Result<()> {
    let transaction = connection.transaction()?;
    let current = role(&transaction, role_name)?;
    transaction.execute(
        "INSERT INTO role_inline_policies (role, name, document) VALUES (?1, ?2, ?3) \
         ON CONFLICT (role, name) DO UPDATE SET document = excluded.document",
        params![current.name, name, document],
    )?;
    transaction.commit()?;
    Ok(())
}

pub fn inline(connection: &Connection, role_name: &str, name: &str) -> Result<String> {
    let current = role(connection, role_name)?;
    connection
        .query_row(
            "SELECT document FROM role_inline_policies WHERE role = ?1 AND name = ?2",
            params![current.name, name],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            ApiError::no_such_entity(format!("The role policy with name {name} cannot be found."))
        })
}

pub fn delete_inline(connection: &mut Connection, role_name: &str, name: &str) -> Result<()> {
    let transaction = connection.transaction()?;
    let current = role(&transaction, role_name)?;
    let removed = transaction.execute(
        "DELETE FROM role_inline_policies WHERE role = ?1 AND name = ?2",
        params![current.name, name],
    )?;
    if removed == 0 {
        return Err(ApiError::no_such_entity(format!(
            "The role policy with name {name} cannot be found."
        )));
    }
    transaction.commit()?;
    Ok(())
}

/// Inline policies of a role as (name, document), by name.
pub fn inline_policies(connection: &Connection, role_name: &str) -> Result<Vec<(String, String)>> {
    let current = role(connection, role_name)?;
    let mut statement = connection
        .prepare("SELECT name, document FROM role_inline_policies WHERE role = ?1 ORDER BY name")?;
    let rows = statement.query_map([&current.name], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every policy document that governs a role's sessions: attached, then inline.
pub fn role_documents(connection: &Connection, role_name: &str) -> Result<Vec<String>> {
    let mut documents: Vec<String> = attached(connection, role_name)?
        .into_iter()
        .map(|p| p.document)
        .collect();
    documents.extend(
        inline_policies(connection, role_name)?
            .into_iter()
            .map(|(_, d)| d),
    );
    Ok(documents)
}
