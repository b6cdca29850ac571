//! The plan: what will change, per resource instance, and why.

use std::collections::{BTreeMap, BTreeSet};

use lathe_config::value::Value;

use crate::state::InstanceAddress;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    Replace,
    Delete,
}

impl Action {
    /// Terraform's JSON `actions` list.
    pub fn json_actions(self, create_before_destroy: bool) -> Vec<&'static str> {
        match self {
            Action::NoOp => vec!["no-op"],
            Action::Create => vec!["create"],
            Action::Read => vec!["read"],
            Action::Update => vec!["update"],
            Action::Replace if create_before_destroy => vec!["create", "delete"],
            Action::Replace => vec!["delete", "create"],
            Action::Delete => vec!["delete"],
        }
    }

    /// Parses what [`Action::json_actions`] writes.
    pub fn from_json_actions(actions: &[String]) -> Option<Action> {
        let names: Vec<&str> = actions.iter().map(String::as_str).collect();
        Some(match names.as_slice() {
            ["no-op"] => Action::NoOp,
            ["create"] => Action::Create,
            ["read"] => Action::Read,
            ["update"] => Action::Update,
            ["create", "delete"] | ["delete", "create"] => Action::Replace,
            ["delete"] => Action::Delete,
            _ => return None,
        })
    }
}

/// The planned change of one resource instance.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceChange {
    pub address: InstanceAddress,
    pub type_name: String,
    /// The provider configuration: `aws` or `aws.west`.
    pub provider_key: String,
    pub action: Action,
    pub create_before_destroy: bool,
    pub prior: Option<Value>,
    pub planned: Value,
    pub requires_replace: Vec<String>,
    pub reasons: Vec<String>,
    /// The provider's notes: estimates and counts that are not reasons.
    pub notes: Vec<String>,
    /// Why the action itself was chosen when it is not the attributes: "tainted",
    /// "replace requested", "no longer in the configuration".
    pub action_reason: Option<String>,
    pub sensitive: BTreeSet<String>,
    /// Resource addresses this instance depends on, recorded in state.
    pub dependencies: Vec<String>,
    /// What the object in state depended on when it was last applied.
    pub prior_dependencies: Vec<String>,
    /// `count.index` or `each.key`/`each.value` of this instance.
    pub count_index: Option<i64>,
    pub each: Option<(Value, Value)>,
    /// The deposed key when this destroys an object set aside by create_before_destroy.
    pub deposed: Option<String>,
}

/// An object whose attributes changed outside lathe, found by refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub address: InstanceAddress,
    pub type_name: String,
    pub before: Value,
    /// `None` when the object no longer exists.
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    pub name: String,
    pub before: Option<Value>,
    pub after: Value,
    pub sensitive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanMode {
    Normal,
    Destroy,
    RefreshOnly,
}

/// What `lathe plan` computes and `lathe apply` carries out.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub mode: PlanMode,
    /// Every instance the configuration or the state mentions, no-ops included, by address.
    pub changes: Vec<ResourceChange>,
    pub drift: Vec<Drift>,
    pub output_changes: Vec<OutputChange>,
    /// Objects that follow their resource to a new address: `x` to `x[0]` when `count` or
    /// `for_each` was added, and back when it was removed.
    pub moves: Vec<(InstanceAddress, InstanceAddress)>,
    /// Data sources read while planning: written to state by apply.
    pub data_reads: Vec<(InstanceAddress, String, Value)>,
    pub variables: BTreeMap<String, Value>,
    /// The state the plan was made from (after refresh).
    pub prior_lineage: String,
    pub prior_serial: u64,
}

impl Plan {
    pub fn actionable(&self) -> impl Iterator<Item = &ResourceChange> {
        self.changes
            .iter()
            .filter(|change| change.action != Action::NoOp)
    }

    /// (to add, to change, to destroy), counted as Terraform counts them.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for change in &self.changes {
            match change.action {
                Action::Create => counts.0 += 1,
                Action::Update => counts.1 += 1,
                Action::Replace => {
                    counts.0 += 1;
                    counts.2 += 1;
                }
                Action::Delete => counts.2 += 1,
                Action::NoOp | Action::Read => {}
            }
        }
        counts
    }

    /// Whether applying would change anything at all (resources, outputs or refreshed state).
    pub fn has_changes(&self) -> bool {
        match self.mode {
            PlanMode::RefreshOnly => !self.drift.is_empty() || self.has_output_changes(),
            _ => {
                self.actionable().next().is_some()
                    || self.has_output_changes()
                    || !self.moves.is_empty()
            }
        }
    }

    pub fn has_output_changes(&self) -> bool {
        self.output_changes
            .iter()
            .any(|change| change.before.as_ref() != Some(&change.after))
    }

    pub fn change(&self, address: &InstanceAddress) -> Option<&ResourceChange> {
        self.changes
            .iter()
            .find(|change| &change.address == address)
    }
}
