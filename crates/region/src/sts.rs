//! STS over the query protocol: GetCallerIdentity and AssumeRole (temporary credentials
//! that the region accepts until they expire, confined to the role's policies).

use lathe_iam_policy::{Decision, Principal, may_assume_role};

use crate::auth::{Caller, KeyStore};
use crate::clock;
use crate::iam::store;
use crate::metadata::Metadata;
use crate::query::{ApiError, QueryParams, Xml};

const DEFAULT_DURATION_SECONDS: i64 = 3600;
const MIN_DURATION_SECONDS: i64 = 900;

#[derive(Debug, Clone)]
pub struct Sts {
    metadata: Metadata,
    keys: KeyStore,
}

impl Sts {
    pub fn new(metadata: Metadata, keys: KeyStore) -> Self {
        Self { metadata, keys }
    }

    pub async fn dispatch(
        &self,
        action: &str,
        params: &QueryParams,
        caller: &Caller,
    ) -> Result<Xml, ApiError> {
        match action {
            "GetCallerIdentity" => Ok(get_caller_identity(caller)),
            "AssumeRole" => self.assume_role(params, caller).await,
            other => Err(ApiError::sender(
                400,
                "InvalidAction",
                format!(
                    "The action {other} is not valid for this web service (STS in the lathe local region)."
                ),
            )),
        }
    }

    async fn assume_role(&self, params: &QueryParams, caller: &Caller) -> Result<Xml, ApiError> {
        let role_arn = params.required("RoleArn")?.to_string();
        let session_name = params.required("RoleSessionName")?.to_string();
        check_session_name(&session_name)?;
        if params.get("Policy").is_some() || !params.list("PolicyArns").is_empty() {
            return Err(ApiError::validation(
                "Session policies (Policy, PolicyArns) are not supported by the lathe local region; \
                 attach the permissions to the role instead.",
            ));
        }
        let role_name = role_name_from_arn(&role_arn, self.keys.account_id())?;
        let denied = || {
            ApiError::access_denied(format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                caller.arn()
            ))
        };
        let lookup_name = role_name.clone();
        let role = match self
            .metadata
            .run(move |c| store::role(c, &lookup_name))
            .await
        {
            Ok(role) => role,
            // AWS does not reveal whether a role exists to a caller who may not assume it.
            Err(error) if error.code == "NoSuchEntity" => return Err(denied()),
            Err(error) => return Err(error),
        };
        let duration = params
            .integer("DurationSeconds")?
            .unwrap_or(DEFAULT_DURATION_SECONDS);
        if !(MIN_DURATION_SECONDS..=role.max_session_duration).contains(&duration) {
            return Err(ApiError::validation(format!(
                "The requested DurationSeconds {duration} is outside the allowed range: \
                 {MIN_DURATION_SECONDS} to the role's MaxSessionDuration ({}).",
                role.max_session_duration
            )));
        }
        let trust = lathe_iam_policy::PolicyDocument::parse(&role.trust_policy).map_err(|e| {
            ApiError::internal(format!("stored trust policy no longer parses: {e}"))
        })?;
        let mut context = lathe_iam_policy::Context::new();
        context.insert("aws:PrincipalArn".into(), vec![caller.arn()]);
        context.insert(
            "aws:PrincipalAccount".into(),
            vec![caller.account_id().to_string()],
        );
        context.insert("sts:RoleSessionName".into(), vec![session_name.clone()]);
        if let Some(external_id) = params.get("ExternalId") {
            context.insert("sts:ExternalId".into(), vec![external_id.to_string()]);
        }
        let evaluation = may_assume_role(
            &trust,
            &role.arn(self.keys.account_id()),
            &Principal::Aws(caller.arn()),
            &context,
        );
        if evaluation.decision != Decision::Allow {
            return Err(denied());
        }
        let session = self
            .keys
            .issue_session(&role.name, &role.role_id, &session_name, duration)
            .await?;
        let mut xml = Xml::new();
        xml.open("Credentials")
            .text("AccessKeyId", &session.access_key_id)
            .text("SecretAccessKey", &session.secret_access_key)
            .text("SessionToken", &session.session_token)
            .text("Expiration", &clock::iso8601(session.expires_at))
            .close("Credentials")
            .open("AssumedRoleUser")
            .text("AssumedRoleId", &format!("{}:{session_name}", role.role_id))
            .text(
                "Arn",
                &format!(
                    "arn:aws:sts::{}:assumed-role/{}/{session_name}",
                    self.keys.account_id(),
                    role.name
                ),
            )
            .close("AssumedRoleUser")
            .text("PackedPolicySize", "0");
        Ok(xml)
    }
}

fn get_caller_identity(caller: &Caller) -> Xml {
    let mut xml = Xml::new();
    xml.text("Arn", &caller.arn())
        .text("UserId", &caller.user_id())
        .text("Account", caller.account_id());
    xml
}

fn check_session_name(name: &str) -> Result<(), ApiError> {
    let valid = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if valid {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint: \
             Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*"
        )))
    }
}

/// `arn:aws:iam::ACCOUNT:role/optional/path/NAME` → `NAME`, in this region's account.
pub fn role_name_from_arn(arn: &str, account_id: &str) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::validation(format!(
            "{arn:?} is not a role ARN: expected arn:aws:iam::{account_id}:role/NAME"
        ))
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, "iam", "", account, resource] = parts.as_slice() else {
        return Err(invalid());
    };
    if !partition.starts_with("aws") {
        return Err(invalid());
    }
    if *account != account_id {
        return Err(ApiError::access_denied(format!(
            "Role {arn} belongs to account {account}; this region is account {account_id}."
        )));
    }
    let path = resource.strip_prefix("role/").ok_or_else(invalid)?;
    let name = path
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .ok_or_else(invalid)?;
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_name_their_role() {
        let account = "000000000000";
        assert_eq!(
            role_name_from_arn("arn:aws:iam::000000000000:role/r", account).unwrap(),
            "r"
        );
        assert_eq!(
            role_name_from_arn("arn:aws:iam::000000000000:role/service-role/r", account).unwrap(),
            "r"
        );
        assert_eq!(
            role_name_from_arn("arn:aws:iam::000000000000:user/u", account)
                .unwrap_err()
                .code,
            "ValidationError"
        );
        assert_eq!(
            role_name_from_arn("arn:aws:iam::111111111111:role/r", account)
                .unwrap_err()
                .code,
            "AccessDenied"
        );
        assert_eq!(
            role_name_from_arn("nonsense", account).unwrap_err().code,
            "ValidationError"
        );
    }

    #[test]
    fn session_names_follow_sts_rules() {
        assert!(check_session_name("job-1@lathe").is_ok());
        assert!(check_session_name("x").is_err());
        assert!(check_session_name("has space").is_err());
    }
}
