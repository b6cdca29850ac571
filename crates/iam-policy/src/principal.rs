use serde_json::Value;

use crate::error::PolicyError;
use crate::json::{describe, strings};
use crate::suggest::did_you_mean;

/// Who makes a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    /// An IAM identity by ARN (`arn:aws:iam::111122223333:user/alice`,
    /// `arn:aws:sts::111122223333:assumed-role/Role/session`) or an account's root
    /// (`arn:aws:iam::111122223333:root`).
    Aws(String),
    /// An AWS service, such as `bedrock.amazonaws.com`.
    Service(String),
    /// A web identity or SAML provider.
    Federated(String),
    /// An S3 canonical user id.
    CanonicalUser(String),
}

/// The principal types a policy may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

const TYPE_NAMES: [(PrincipalType, &str); 4] = [
    (PrincipalType::Aws, "AWS"),
    (PrincipalType::Service, "Service"),
    (PrincipalType::Federated, "Federated"),
    (PrincipalType::CanonicalUser, "CanonicalUser"),
];

impl PrincipalType {
    pub fn name(self) -> &'static str {
        TYPE_NAMES
            .iter()
            .find(|(kind, _)| *kind == self)
            .map_or("", |(_, name)| name)
    }
}

/// The principals named by a `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalSet {
    /// `"*"`: everyone, including anonymous callers.
    Everyone,
    /// `{"AWS": [...], "Service": ...}` in the order written.
    Listed(Vec<(PrincipalType, String)>),
}

impl PrincipalSet {
    pub(crate) fn parse(value: &Value, path: &str) -> Result<Self, PolicyError> {
        match value {
            Value::String(text) if text == "*" => Ok(PrincipalSet::Everyone),
            Value::String(text) => Err(PolicyError::invalid(
                path,
                format!(
                    "\"{text}\" is not a principal; write \"*\" or an object such as {{\"AWS\": \"{text}\"}} or {{\"Service\": \"{text}\"}}"
                ),
            )),
            Value::Object(entries) => {
                let mut listed = Vec::new();
                for (type_name, identifiers) in entries {
                    let entry_path = format!("{path}.{type_name}");
                    let Some(kind) = TYPE_NAMES
                        .iter()
                        .find(|(_, name)| name == type_name)
                        .map(|(kind, _)| *kind)
                    else {
                        return Err(PolicyError::invalid(
                            path,
                            format!(
                                "unknown principal type \"{type_name}\"{}; expected AWS, Service, Federated or CanonicalUser",
                                did_you_mean(type_name, TYPE_NAMES.iter().map(|(_, name)| *name))
                            ),
                        ));
                    };
                    for identifier in strings(identifiers, &entry_path)? {
                        if identifier.is_empty() {
                            return Err(PolicyError::invalid(
                                &entry_path,
                                "a principal identifier is empty",
                            ));
                        }
                        listed.push((kind, identifier));
                    }
                }
                if listed.is_empty() {
                    return Err(PolicyError::invalid(
                        path,
                        "names no principal; write \"*\" or an object such as {\"Service\": \"bedrock.amazonaws.com\"}",
                    ));
                }
                Ok(PrincipalSet::Listed(listed))
            }
            other => Err(PolicyError::invalid(
                path,
                format!(
                    "expected \"*\" or an object of principal types, found {}",
                    describe(other)
                ),
            )),
        }
    }

    /// Whether `principal` (`None` for an anonymous caller) is in the set.
    pub fn contains(&self, principal: Option<&Principal>) -> bool {
        match (self, principal) {
            (PrincipalSet::Everyone, _) => true,
            (PrincipalSet::Listed(listed), Some(principal)) => listed
                .iter()
                .any(|(kind, identifier)| names(*kind, identifier, principal)),
            // IAM documents {"AWS": "*"} as equivalent to "*", anonymous callers included.
            (PrincipalSet::Listed(listed), None) => listed
                .iter()
                .any(|(kind, identifier)| *kind == PrincipalType::Aws && identifier == "*"),
        }
    }
}

impl PrincipalSet {
    /// Whether a `NotPrincipal` naming this set leaves `principal` out. IAM checks every
    /// identity a request carries (an assumed-role session is also its role and its account),
    /// so each must be named exactly: naming the session alone still leaves its account in
    /// (IAM user guide, "NotPrincipal with Deny").
    pub fn exempts(&self, principal: Option<&Principal>) -> bool {
        match (self, principal) {
            (PrincipalSet::Everyone, _) => true,
            (PrincipalSet::Listed(listed), None) => listed
                .iter()
                .any(|(kind, identifier)| *kind == PrincipalType::Aws && identifier == "*"),
            (PrincipalSet::Listed(listed), Some(principal)) => {
                identities(principal)
                    .iter()
                    .all(|(identity_kind, identity)| {
                        listed.iter().any(|(kind, identifier)| {
                            kind == identity_kind && names_exactly(identifier, identity)
                        })
                    })
            }
        }
    }
}

/// Every identity a request by `principal` carries.
fn identities(principal: &Principal) -> Vec<(PrincipalType, String)> {
    match principal {
        Principal::Aws(arn) => {
            let mut identities = vec![(PrincipalType::Aws, arn.clone())];
            if let Some(parts) = ArnParts::parse(arn) {
                if parts.service == "sts"
                    && let Some(session) = parts.resource.strip_prefix("assumed-role/")
                    && let Some((role, _)) = session.split_once('/')
                {
                    identities.push((
                        PrincipalType::Aws,
                        format!("arn:{}:iam::{}:role/{role}", parts.partition, parts.account),
                    ));
                }
                let root = format!("arn:{}:iam::{}:root", parts.partition, parts.account);
                if root != *arn {
                    identities.push((PrincipalType::Aws, root));
                }
            }
            identities
        }
        Principal::Service(name) => vec![(PrincipalType::Service, name.clone())],
        Principal::Federated(name) => vec![(PrincipalType::Federated, name.clone())],
        Principal::CanonicalUser(name) => vec![(PrincipalType::CanonicalUser, name.clone())],
    }
}

/// Exact naming: `*`, the identity itself, or an account id for that account's root ARN.
fn names_exactly(identifier: &str, identity: &str) -> bool {
    identifier == "*"
        || identifier == identity
        || ArnParts::parse(identity).is_some_and(|parts| {
            parts.service == "iam" && parts.resource == "root" && parts.account == identifier
        })
}

/// Whether a policy's identifier of type `kind` names `principal`.
fn names(kind: PrincipalType, identifier: &str, principal: &Principal) -> bool {
    match (kind, principal) {
        (PrincipalType::Aws, Principal::Aws(arn)) => aws_names(identifier, arn),
        (PrincipalType::Service, Principal::Service(name)) => {
            identifier == "*" || identifier.eq_ignore_ascii_case(name)
        }
        (PrincipalType::Federated, Principal::Federated(name))
        | (PrincipalType::CanonicalUser, Principal::CanonicalUser(name)) => {
            identifier == "*" || identifier == name
        }
        _ => false,
    }
}

/// An AWS identifier names a principal when it is `*`, the principal's ARN, its account (as
/// an id or a `:root` ARN), or the role whose session the principal is.
fn aws_names(identifier: &str, arn: &str) -> bool {
    if identifier == "*" || identifier == arn {
        return true;
    }
    let Some(principal) = ArnParts::parse(arn) else {
        return false;
    };
    if identifier.len() == 12 && identifier.bytes().all(|byte| byte.is_ascii_digit()) {
        return principal.account == identifier;
    }
    let Some(named) = ArnParts::parse(identifier) else {
        return false;
    };
    if named.partition != principal.partition || named.account != principal.account {
        return false;
    }
    if named.service == "iam" && named.resource == "root" {
        return true;
    }
    // A role ARN names the sessions of that role: arn:aws:sts::A:assumed-role/NAME/SESSION.
    if named.service == "iam"
        && principal.service == "sts"
        && let (Some(role_path), Some(session)) = (
            named.resource.strip_prefix("role/"),
            principal.resource.strip_prefix("assumed-role/"),
        )
    {
        let role_name = role_path.rsplit('/').next().unwrap_or(role_path);
        return session
            .split_once('/')
            .is_some_and(|(session_role, _)| session_role == role_name);
    }
    false
}

struct ArnParts<'a> {
    partition: &'a str,
    service: &'a str,
    account: &'a str,
    resource: &'a str,
}

impl<'a> ArnParts<'a> {
    fn parse(arn: &'a str) -> Option<Self> {
        let mut parts = arn.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?;
        let service = parts.next()?;
        let _region = parts.next()?;
        let account = parts.next()?;
        let resource = parts.next()?;
        Some(ArnParts {
            partition,
            service,
            account,
            resource,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::aws_names;

    #[test]
    fn aws_identifiers_name_principals() {
        let user = "arn:aws:iam::111122223333:user/alice";
        let session = "arn:aws:sts::111122223333:assumed-role/BedrockCM-1/job-42";
        let cases = [
            ("*", user, true),
            (user, user, true),
            ("111122223333", user, true),
            ("444455556666", user, false),
            ("arn:aws:iam::111122223333:root", user, true),
            ("arn:aws:iam::444455556666:root", user, false),
            ("arn:aws:iam::111122223333:user/bob", user, false),
            ("arn:aws:iam::111122223333:role/BedrockCM-1", session, true),
            (
                "arn:aws:iam::111122223333:role/service/BedrockCM-1",
                session,
                true,
            ),
            ("arn:aws:iam::111122223333:role/Other", session, false),
            ("arn:aws:iam::444455556666:role/BedrockCM-1", session, false),
            ("arn:aws-cn:iam::111122223333:root", user, false),
        ];
        for (identifier, arn, expected) in cases {
            assert_eq!(
                aws_names(identifier, arn),
                expected,
                "{identifier} vs {arn}"
            );
        }
    }
}
