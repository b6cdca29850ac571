//! Authorization: the region's own credentials may do everything; temporary credentials may
//! do only what their role's attached and inline policies allow (evaluated with iam-policy).

use lathe_iam_policy::{Decision, PolicyDocument, Principal, Request, explain};

use super::Caller;
use crate::metadata::Metadata;
use crate::query::ApiError;

#[derive(Debug, Clone)]
pub struct Authorizer {
    metadata: Metadata,
}

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// AWS's AccessDenied message, naming the caller, action and resource.
    AccessDenied(String),
    /// The role's policies could not be read (a server fault).
    Unavailable(String),
}

impl Authorizer {
    pub fn new(metadata: Metadata) -> Self {
        Self { metadata }
    }

    /// Decides `action` on `resource`; `request_context` adds the request's own condition keys
    /// (`s3:prefix`, ...) to the global ones.
    pub async fn authorize(
        &self,
        caller: &Caller,
        action: &str,
        resource: &str,
        request_context: Vec<(String, String)>,
    ) -> Result<(), Denial> {
        let Caller::AssumedRole {
            account_id,
            role_name,
            role_id,
            session_name,
        } = caller
        else {
            return Ok(());
        };
        let role = role_name.clone();
        let documents = self
            .metadata
            .run(move |c| match crate::iam::store::role_documents(c, &role) {
                Ok(documents) => Ok(documents),
                // A deleted role's sessions keep no permissions.
                Err(error) if error.code == "NoSuchEntity" => Ok(Vec::new()),
                Err(error) => Err(error),
            })
            .await
            .map_err(|e: ApiError| Denial::Unavailable(e.message))?;
        // Documents were validated when stored; one that no longer parses grants nothing.
        let policies: Vec<PolicyDocument> = documents
            .iter()
            .filter_map(|text| PolicyDocument::parse(text).ok())
            .collect();
        let now = crate::clock::now();
        let mut context: lathe_iam_policy::Context = [
            (
                "aws:PrincipalArn",
                format!("arn:aws:iam::{account_id}:role/{role_name}"),
            ),
            ("aws:PrincipalAccount", account_id.clone()),
            ("aws:PrincipalType", "AssumedRole".to_string()),
            ("aws:userid", format!("{role_id}:{session_name}")),
            ("aws:CurrentTime", crate::clock::iso8601(now)),
            ("aws:EpochTime", now.unix_timestamp().to_string()),
            ("aws:SecureTransport", "false".to_string()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_string(), vec![value]))
        .collect();
        for (key, value) in request_context {
            context.entry(key).or_default().push(value);
        }
        let request = Request {
            principal: Some(Principal::Aws(caller.arn())),
            action: action.to_string(),
            resource: resource.to_string(),
            context,
        };
        let evaluation = explain(&policies, &request);
        match evaluation.decision {
            Decision::Allow => Ok(()),
            Decision::ExplicitDeny | Decision::ImplicitDeny => {
                let reason = evaluation
                    .denial_reason(&request)
                    .unwrap_or_else(|| "because no policy allows it".to_string());
                Err(Denial::AccessDenied(format!(
                    "User: {} is not authorized to perform: {action} on resource: {resource} {reason}",
                    caller.arn()
                )))
            }
        }
    }
}
