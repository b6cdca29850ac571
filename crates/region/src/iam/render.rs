//! IAM entities as their XML shapes (botocore's `iam` service model names).

use super::records::{PolicyRecord, PolicyVersionRecord, RoleRecord};
use crate::auth::uri;
use crate::clock;
use crate::query::Xml;

/// IAM returns policy documents URL-encoded.
pub fn encoded_document(document: &str) -> String {
    uri::encode(document, true)
}

pub fn tags(xml: &mut Xml, tags: &[(String, String)]) {
    xml.members("Tags", tags, |xml, (key, value)| {
        xml.text("Key", key).text("Value", value);
    });
}

pub fn role(xml: &mut Xml, record: &RoleRecord, account_id: &str) {
    xml.text("Path", &record.path)
        .text("RoleName", &record.name)
        .text("RoleId", &record.role_id)
        .text("Arn", &record.arn(account_id))
        .text("CreateDate", &clock::iso8601(record.created_at))
        .text(
            "AssumeRolePolicyDocument",
            &encoded_document(&record.trust_policy),
        )
        .optional("Description", record.description.as_deref())
        .text(
            "MaxSessionDuration",
            &record.max_session_duration.to_string(),
        );
    if !record.tags.is_empty() {
        tags(xml, &record.tags);
    }
    xml.empty("RoleLastUsed");
}

pub fn policy(xml: &mut Xml, record: &PolicyRecord) {
    let created = clock::iso8601(record.created_at);
    xml.text("PolicyName", &record.name)
        .text("PolicyId", &record.policy_id)
        .text("Arn", &record.arn)
        .text("Path", &record.path)
        .text("DefaultVersionId", &record.default_version)
        .text("AttachmentCount", &record.attachment_count.to_string())
        .text("PermissionsBoundaryUsageCount", "0")
        .text("IsAttachable", "true")
        .optional("Description", record.description.as_deref())
        .text("CreateDate", &created)
        .text("UpdateDate", &created);
    if !record.tags.is_empty() {
        tags(xml, &record.tags);
    }
}

pub fn policy_version(xml: &mut Xml, version: &PolicyVersionRecord) {
    xml.text("Document", &encoded_document(&version.document))
        .text("VersionId", &version.version_id)
        .text(
            "IsDefaultVersion",
            if version.is_default { "true" } else { "false" },
        )
        .text("CreateDate", &clock::iso8601(version.created_at));
}
