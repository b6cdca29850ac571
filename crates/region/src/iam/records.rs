//! What IAM stores about roles and managed policies.

use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct RoleRecord {
    pub name: String,
    pub role_id: String,
    pub path: String,
    pub trust_policy: String,
    pub description: Option<String>,
    pub max_session_duration: i64,
    pub created_at: OffsetDateTime,
    pub tags: Vec<(String, String)>,
}

impl RoleRecord {
    pub fn arn(&self, account_id: &str) -> String {
        format!("arn:aws:iam::{account_id}:role{}{}", self.path, self.name)
    }
}

#[derive(Debug, Clone)]
pub struct PolicyRecord {
    pub arn: String,
    pub name: String,
    pub policy_id: String,
    pub path: String,
    pub description: Option<String>,
    /// The default version's document.
    pub document: String,
    pub default_version: String,
    pub created_at: OffsetDateTime,
    pub attachment_count: i64,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct PolicyVersionRecord {
    pub version_id: String,
    pub document: String,
    pub is_default: bool,
    pub created_at: OffsetDateTime,
}

pub fn policy_arn(account_id: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account_id}:policy{path}{name}")
}
