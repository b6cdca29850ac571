use crate::context::Context;
use crate::document::{Effect, PolicyDocument, Scope, Statement};
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

impl Request {
    /// An anonymous request with no condition keys; see [`Request::with_principal`] and
    /// [`Request::with_context`].
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Self {
        Request {
            principal: None,
            action: action.into(),
            resource: resource.into(),
            context: Context::new(),
        }
    }

    pub fn with_principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }

    /// Adds one value of a condition key (call again for a multivalued key).
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context
            .entry(key.into())
            .or_default()
            .push(value.into());
        self
    }
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
pub struct StatementLocation {
    pub policy: usize,
    pub statement: usize,
    pub sid: Option<String>,
}

/// Which kind of policy was evaluated; AWS names it in AccessDenied messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Attached to the caller (user or role policies).
    IdentityBased,
    /// Attached to the resource (a role's trust policy, a bucket policy).
    ResourceBased,
}

impl PolicyKind {
    fn description(self) -> &'static str {
        match self {
            PolicyKind::IdentityBased => "identity-based policy",
            PolicyKind::ResourceBased => "resource-based policy",
        }
    }
}

/// A decision and the statement behind it (none for an implicit deny).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    pub statement: Option<StatementLocation>,
    pub policy_kind: PolicyKind,
}

impl Evaluation {
    /// The end of AWS's AccessDenied message ("... because no identity-based policy allows
    /// the s3:GetObject action"), or `None` when the request is allowed.
    pub fn denial_reason(&self, request: &Request) -> Option<String> {
        let kind = self.policy_kind.description();
        match self.decision {
            Decision::Allow => None,
            Decision::ImplicitDeny => Some(format!(
                "because no {kind} allows the {} action",
                request.action
            )),
            Decision::ExplicitDeny => Some(
                match self.statement.as_ref().and_then(|s| s.sid.as_deref()) {
                    Some(sid) => {
                        format!("with an explicit deny in an {kind} (statement \"{sid}\")")
                    }
                    None => format!("with an explicit deny in an {kind}"),
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
    let policy_kind = match rule {
        PrincipalRule::Optional => PolicyKind::IdentityBased,
        PrincipalRule::Required => PolicyKind::ResourceBased,
    };
    let mut allow = None;
    for (policy_index, policy) in policies.iter().enumerate() {
        for (statement_index, statement) in policy.statements.iter().enumerate() {
            if !applies(statement, request, rule) {
                continue;
            }
            let reference = StatementLocation {
                policy: policy_index,
                statement: statement_index,
                sid: statement.sid.clone(),
            };
            match statement.effect {
                Effect::Deny => {
                    return Evaluation {
                        decision: Decision::ExplicitDeny,
                        statement: Some(reference),
                        policy_kind,
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
            policy_kind,
        },
        None => Evaluation {
            decision: Decision::ImplicitDeny,
            statement: None,
            policy_kind,
        },
    }
}

/// The action is checked first: it rules out most statements at the least cost.
fn applies(statement: &Statement, request: &Request, rule: PrincipalRule) -> bool {
    action_matches(statement, &request.action)
        && resource_matches(statement, request)
        && principal_matches(statement, request, rule)
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
        Some(Scope::AllExcept(set)) => !set.exempts(principal),
    }
}

fn action_matches(statement: &Statement, action: &str) -> bool {
    let any = statement
        .action_patterns()
        .iter()
        .any(|pattern| pattern.matches(action, true));
    match statement.actions {
        Scope::Listed(_) => any,
        Scope::AllExcept(_) => !any,
    }
}

fn resource_matches(statement: &Statement, request: &Request) -> bool {
    let any = |patterns: &Vec<crate::template::Template>| {
        patterns
            .iter()
            .any(|pattern| pattern.matches(&request.resource, &request.context))
    };
    match &statement.resources {
        None => true,
        Some(Scope::Listed(patterns)) => any(patterns),
        Some(Scope::AllExcept(patterns)) => !any(patterns),
    }
}
