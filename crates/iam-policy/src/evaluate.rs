use crate::context::Context;
use crate::document::{Effect, PolicyDocument, Scope, Statement};
use crate::glob::Glob;
use crate::principal::Principal;

/// What is being asked: who does what to which resource, and the request's condition keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// `None` for an anonymous caller.
    pub principal: Option<Principal>,
    /// `service:Action`, for example `s3:GetObject`; compared case-insensitively.
    pub action: String,
    /// The resource's ARN, for example `arn:aws:s3:::bucket/key`.
    pub resource: String,
    /// Condition keys and their values (`aws:SourceAccount`, `aws:username`, ...).
    pub context: Context,
}

/// The outcome of evaluating a request, in IAM's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Allow,
    /// A `Deny` statement matched; nothing can override it.
    ExplicitDeny,
    /// No statement allowed the request (the default).
    ImplicitDeny,
}

/// Which statement decided: the index of the policy in the list evaluated, the index of the
/// statement in that policy, and the statement's `Sid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRef {
    pub policy: usize,
    pub statement: usize,
    pub sid: Option<String>,
}

/// A decision and the statement behind it (none for an implicit deny).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    pub statement: Option<StatementRef>,
}

impl Evaluation {
    /// The end of AWS's AccessDenied message ("... because no identity-based policy allows
    /// the s3:GetObject action"), or `None` when the request is allowed.
    pub fn denial_reason(&self, request: &Request) -> Option<String> {
        match self.decision {
            Decision::Allow => None,
            Decision::ImplicitDeny => Some(format!(
                "because no policy allows the {} action",
                request.action
            )),
            Decision::ExplicitDeny => Some(
                match self.statement.as_ref().and_then(|s| s.sid.as_deref()) {
                    Some(sid) => format!("with an explicit deny in a policy (statement \"{sid}\")"),
                    None => "with an explicit deny in a policy".to_owned(),
                },
            ),
        }
    }
}

/// Evaluates `request` against identity-based `policies` with IAM's rules: an explicit deny
/// wins, otherwise any allow allows, otherwise the request is implicitly denied.
pub fn evaluate(policies: &[PolicyDocument], request: &Request) -> Decision {
    explain(policies, request).decision
}

/// [`evaluate`], also saying which statement decided.
pub fn explain(policies: &[PolicyDocument], request: &Request) -> Evaluation {
    decide(policies, request, PrincipalRule::Optional)
}

/// Whether a statement without `Principal` applies: it does in identity-based policies (the
/// principal is whoever the policy is attached to), not in resource-based ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalRule {
    Optional,
    Required,
}

pub(crate) fn decide(
    policies: &[PolicyDocument],
    request: &Request,
    rule: PrincipalRule,
) -> Evaluation {
    let mut allow = None;
    for (policy_index, policy) in policies.iter().enumerate() {
        for (statement_index, statement) in policy.statements.iter().enumerate() {
            if !applies(statement, request, rule) {
                continue;
            }
            let reference = StatementRef {
                policy: policy_index,
                statement: statement_index,
                sid: statement.sid.clone(),
            };
            match statement.effect {
                Effect::Deny => {
                    return Evaluation {
                        decision: Decision::ExplicitDeny,
                        statement: Some(reference),
                    };
                }
                Effect::Allow => {
                    allow.get_or_insert(reference);
                }
            }
        }
    }
    match allow {
        Some(reference) => Evaluation {
            decision: Decision::Allow,
            statement: Some(reference),
        },
        None => Evaluation {
            decision: Decision::ImplicitDeny,
            statement: None,
        },
    }
}

fn applies(statement: &Statement, request: &Request, rule: PrincipalRule) -> bool {
    principal_matches(statement, request, rule)
        && action_matches(&statement.actions, &request.action)
        && resource_matches(statement, request)
        && statement
            .conditions
            .iter()
            .all(|condition| condition.is_satisfied(&request.context))
}

fn principal_matches(statement: &Statement, request: &Request, rule: PrincipalRule) -> bool {
    let principal = request.principal.as_ref();
    match &statement.principals {
        None => rule == PrincipalRule::Optional,
        Some(Scope::Listed(set)) => set.contains(principal),
        Some(Scope::AllExcept(set)) => !set.contains(principal),
    }
}

fn action_matches(actions: &Scope<Vec<String>>, action: &str) -> bool {
    let any = |patterns: &Vec<String>| {
        patterns
            .iter()
            .any(|pattern| Glob::pattern(pattern).matches(action, true))
    };
    match actions {
        Scope::Listed(patterns) => any(patterns),
        Scope::AllExcept(patterns) => !any(patterns),
    }
}

fn resource_matches(statement: &Statement, request: &Request) -> bool {
    let any = |patterns: &Vec<crate::template::Template>| {
        patterns.iter().any(|pattern| {
            pattern.resolve(&request.context).is_some_and(|segments| {
                Glob::from_segments(&segments).matches(&request.resource, false)
            })
        })
    };
    match &statement.resources {
        None => true,
        Some(Scope::Listed(patterns)) => any(patterns),
        Some(Scope::AllExcept(patterns)) => !any(patterns),
    }
}
