//! IAM policy documents: parsing and evaluation with AWS semantics.
//!
//! [`PolicyDocument::parse`] reads a document and rejects what IAM would reject, naming the
//! element at fault. [`evaluate`] decides a [`Request`] against identity-based policies;
//! [`may_assume_role`] decides `sts:AssumeRole` against a role's trust policy, and
//! [`equivalent`] tells whether two policy texts differ only in form.

mod condition;
mod context;
mod document;
mod equivalent;
mod error;
mod evaluate;
mod glob;
mod json;
mod kind_rules;
mod principal;
mod suggest;
mod template;
mod trust;

pub use condition::{Condition, Operator, OperatorKind, SetQualifier};
pub use context::Context;
pub use document::{Effect, PolicyDocument, Scope, Statement, Version};
pub use equivalent::equivalent;
pub use error::PolicyError;
pub use evaluate::{Decision, Evaluation, PolicyKind, Request, StatementRef, evaluate, explain};
pub use principal::{Principal, PrincipalSet, PrincipalType};
pub use template::Template;
pub use trust::{ASSUME_ROLE, explain_resource_policy, may_assume_role};
