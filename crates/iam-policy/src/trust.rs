use crate::context::Context;
use crate::document::PolicyDocument;
use crate::evaluate::{Evaluation, PrincipalRule, Request, decide};
use crate::principal::Principal;

/// The action a trust policy must allow for AssumeRole.
pub const ASSUME_ROLE: &str = "sts:AssumeRole";

/// Evaluates a resource-based policy (a role's trust policy, a bucket policy): unlike identity
/// policies, a statement applies only when its `Principal` (or `NotPrincipal`) admits the
/// request's principal.
pub fn explain_resource_policy(policy: &PolicyDocument, request: &Request) -> Evaluation {
    decide(
        std::slice::from_ref(policy),
        request,
        PrincipalRule::Required,
    )
}

/// Whether `principal` may call `sts:AssumeRole` on the role `role_arn` whose trust policy is
/// `trust_policy`, given the request's condition keys (`aws:SourceAccount`,
/// `aws:SourceArn`, ...).
pub fn may_assume_role(
    trust_policy: &PolicyDocument,
    role_arn: &str,
    principal: &Principal,
    context: &Context,
) -> Evaluation {
    let request = Request {
        principal: Some(principal.clone()),
        action: ASSUME_ROLE.to_owned(),
        resource: role_arn.to_owned(),
        context: context.clone(),
    };
    explain_resource_policy(trust_policy, &request)
}
