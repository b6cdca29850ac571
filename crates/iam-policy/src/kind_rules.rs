//! The extra rules IAM applies by where a policy is used: identity-based policies name
//! resources but no principal; a role's trust policy names principals but no resource.

use crate::document::{PolicyDocument, statement_path};
use crate::error::PolicyError;

impl PolicyDocument {
    /// Checks a policy meant for CreatePolicy, PutRolePolicy and the like.
    pub fn check_identity_policy(&self) -> Result<(), PolicyError> {
        self.check_each(|statement| {
            if statement.principals.is_some() {
                return Some(
                    "has prohibited element \"Principal\" (or \"NotPrincipal\"): an identity-based policy applies to whoever it is attached to; remove it",
                );
            }
            if statement.resources.is_none() {
                return Some(
                    "must contain \"Resource\" (or \"NotResource\"), for example \"arn:aws:s3:::bucket/*\" or \"*\"",
                );
            }
            None
        })
    }

    /// Checks a policy meant as a role's trust policy (CreateRole's AssumeRolePolicyDocument).
    pub fn check_trust_policy(&self) -> Result<(), PolicyError> {
        self.check_each(|statement| {
            if statement.resources.is_some() {
                return Some(
                    "has prohibited element \"Resource\" (or \"NotResource\"): a trust policy's resource is the role itself; remove it",
                );
            }
            if statement.principals.is_none() {
                return Some(
                    "must contain \"Principal\", for example {\"Service\": \"bedrock.amazonaws.com\"}",
                );
            }
            None
        })
    }

    fn check_each(
        &self,
        rule: impl Fn(&crate::document::Statement) -> Option<&'static str>,
    ) -> Result<(), PolicyError> {
        for (index, statement) in self.statements.iter().enumerate() {
            if let Some(message) = rule(statement) {
                return Err(PolicyError::invalid(
                    &statement_path(index, self.single_statement),
                    message,
                ));
            }
        }
        Ok(())
    }
}
