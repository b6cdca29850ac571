//! The provider's in-memory policy document (`iamPolicyDoc` in policy_model.go) and how
//! documents merge.

use super::go_json::GoValue;

/// Principal identifiers keep the shape they arrived in: the encoder treats one string and a
/// list of one string differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identifiers {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Principal {
    pub(crate) kind: String,
    pub(crate) identifiers: Identifiers,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Condition {
    pub(crate) test: String,
    pub(crate) variable: String,
    pub(crate) values: Vec<String>,
}

/// Empty strings and `None` are "absent": the provider's JSON tags all say `omitempty`.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Statement {
    pub(crate) sid: String,
    pub(crate) effect: String,
    pub(crate) actions: Option<GoValue>,
    pub(crate) not_actions: Option<GoValue>,
    pub(crate) resources: Option<GoValue>,
    pub(crate) not_resources: Option<GoValue>,
    pub(crate) principals: Vec<Principal>,
    pub(crate) not_principals: Vec<Principal>,
    pub(crate) conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Document {
    pub(crate) version: String,
    pub(crate) id: String,
    pub(crate) statements: Vec<Statement>,
}

impl Document {
    /// Adopts `other`'s Id, upgrades the Version, and adds its statements: one with a Sid
    /// already present replaces that statement in place, the rest are appended.
    pub(crate) fn merge(&mut self, other: Document) {
        if !other.id.is_empty() {
            self.id = other.id;
        }
        if other.version > self.version {
            self.version = other.version;
        }
        for statement in other.statements {
            let existing = if statement.sid.is_empty() {
                None
            } else {
                self.statements
                    .iter_mut()
                    .find(|existing| existing.sid == statement.sid)
            };
            match existing {
                Some(existing) => *existing = statement,
                None => self.statements.push(statement),
            }
        }
    }
}
