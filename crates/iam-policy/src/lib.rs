//! IAM policy documents: parsing and evaluation with AWS semantics.
//!
//! [`PolicyDocument::parse`] reads a document and rejects what IAM would reject, naming the
//! element at fault. [`evaluate`] decides a [`Request`] against identity-based policies;
//! [`may_assume_role`] decides `sts:AssumeRole` against a role's trust policy, and
//! [`equivalent`] tells whether two policy texts differ only in form.
//! [`PolicyDocument::check_identity_policy`] and [`PolicyDocument::check_trust_policy`] apply
//! the rules of where a policy is used; [`PolicyDocument::lint`] finds what IAM accepts but
//! the author likely did not mean. Errors and warnings can point at their line and column.
//!
//! ```
//! use lathe_iam_policy::{Decision, PolicyDocument, Principal, Request, evaluate};
//!
//! let policy = PolicyDocument::parse(r#"{
//!   "Version": "2012-10-17",
//!   "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
//!                 "Resource": "arn:aws:s3:::training/${aws:username}/*"}
//! }"#)?;
//! let request = Request::new("s3:GetObject", "arn:aws:s3:::training/alice/data.jsonl")
//!     .with_principal(Principal::Aws("arn:aws:iam::111122223333:user/alice".into()))
//!     .with_context("aws:username", "alice");
//! assert_eq!(evaluate(&[policy], &request), Decision::Allow);
//! # Ok::<(), lathe_iam_policy::PolicyError>(())
//! ```

mod condition;
mod context;
mod document;
mod equivalent;
mod error;
mod evaluate;
mod glob;
mod global_keys;
mod json;
mod kind_rules;
mod lint;
mod locate;
mod principal;
mod size;
mod suggest;
mod template;
mod trust;

pub use condition::{Condition, Operator, OperatorKind, SetQualifier};
pub use context::Context;
pub use document::{Effect, PolicyDocument, Scope, Statement, Version};
pub use equivalent::equivalent;
pub use error::PolicyError;
pub use evaluate::{
    Decision, Evaluation, PolicyKind, Request, StatementLocation, evaluate, explain,
};
pub use lint::PolicyWarning;
pub use principal::{Principal, PrincipalSet, PrincipalType};
pub use size::{
    MANAGED_POLICY_SIZE_LIMIT, ROLE_INLINE_POLICIES_SIZE_LIMIT, TRUST_POLICY_SIZE_LIMIT,
    policy_size,
};
pub use template::Template;
pub use trust::{ASSUME_ROLE, explain_resource_policy, may_assume_role};
