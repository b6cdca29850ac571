//! Whether two policy texts say the same thing, by the rules Terraform's AWS provider uses to
//! decide that a policy read back from AWS needs no change (hashicorp/awspolicyequivalence):
//! whitespace, key order, statement order and the order of list members are ignored, a single
//! string equals a list holding only it, and an account id equals that account's root ARN
//! as a principal.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// `true` when `a` and `b` are equivalent policy documents. Text that is not a JSON policy
/// document (an object whose `Statement` is an object or a list of them) is equivalent to
/// nothing.
pub fn equivalent(a: &str, b: &str) -> bool {
    match (Normalized::parse(a), Normalized::parse(b)) {
        (Some(left), Some(right)) => left.equals(&right),
        _ => false,
    }
}

#[derive(Debug)]
struct Normalized {
    version: String,
    id: String,
    statements: Vec<NormalizedStatement>,
}

#[derive(Debug)]
struct NormalizedStatement {
    sid: String,
    effect: String,
    actions: Vec<String>,
    not_actions: Vec<String>,
    resources: Vec<String>,
    not_resources: Vec<String>,
    principals: Option<Principals>,
    not_principals: Option<Principals>,
    conditions: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

#[derive(Debug)]
enum Principals {
    Text(String),
    ByType(BTreeMap<String, Vec<String>>),
}

impl Normalized {
    fn parse(text: &str) -> Option<Self> {
        let value: Value = serde_json::from_str(text).ok()?;
        let object = value.as_object()?;
        let statements = match object.get("Statement")? {
            Value::Array(items) => items
                .iter()
                .map(|item| NormalizedStatement::parse(item.as_object()?))
                .collect::<Option<Vec<_>>>()?,
            Value::Object(single) => vec![NormalizedStatement::parse(single)?],
            _ => return None,
        };
        Some(Normalized {
            version: text_or_empty(object.get("Version"))?,
            id: text_or_empty(object.get("Id"))?,
            statements,
        })
    }

    /// Statements match one to one, in any order.
    fn equals(&self, other: &Normalized) -> bool {
        if self.version != other.version
            || self.id != other.id
            || self.statements.len() != other.statements.len()
        {
            return false;
        }
        let mut unmatched: Vec<&NormalizedStatement> = other.statements.iter().collect();
        self.statements.iter().all(|statement| {
            match unmatched
                .iter()
                .position(|candidate| statement.equals(candidate))
            {
                Some(index) => {
                    unmatched.swap_remove(index);
                    true
                }
                None => false,
            }
        })
    }
}

impl NormalizedStatement {
    fn parse(object: &Map<String, Value>) -> Option<Self> {
        let set = |name: &str| string_set(object.get(name));
        Some(NormalizedStatement {
            sid: text_or_empty(object.get("Sid"))?,
            effect: text_or_empty(object.get("Effect"))?.to_ascii_lowercase(),
            actions: set("Action")?,
            not_actions: set("NotAction")?,
            resources: set("Resource")?,
            not_resources: set("NotResource")?,
            principals: principals(object.get("Principal"))?,
            not_principals: principals(object.get("NotPrincipal"))?,
            conditions: conditions(object.get("Condition"))?,
        })
    }

    fn equals(&self, other: &NormalizedStatement) -> bool {
        self.sid == other.sid
            && self.effect == other.effect
            && self.actions == other.actions
            && self.not_actions == other.not_actions
            && self.resources == other.resources
            && self.not_resources == other.not_resources
            && principals_equal(self.principals.as_ref(), other.principals.as_ref())
            && principals_equal(self.not_principals.as_ref(), other.not_principals.as_ref())
            && self.conditions == other.conditions
    }
}

fn text_or_empty(value: Option<&Value>) -> Option<String> {
    match value {
        None | Some(Value::Null) => Some(String::new()),
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => None,
    }
}

/// A scalar as IAM reads it: condition values `true` and `"true"` are the same.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A string or list of strings as a sorted list (absent means empty).
fn string_set(value: Option<&Value>) -> Option<Vec<String>> {
    let mut values = match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(scalar_text).collect::<Option<Vec<_>>>()?,
        Some(other) => vec![scalar_text(other)?],
    };
    values.sort();
    Some(values)
}

fn principals(value: Option<&Value>) -> Option<Option<Principals>> {
    match value {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(text)) => Some(Some(Principals::Text(text.clone()))),
        Some(Value::Object(entries)) => {
            let mut by_type = BTreeMap::new();
            for (kind, identifiers) in entries {
                let identifiers = string_set(Some(identifiers))?;
                // An empty list names nobody, as if the type were absent.
                if !identifiers.is_empty() {
                    by_type.insert(kind.clone(), identifiers);
                }
            }
            Some(Some(Principals::ByType(by_type)))
        }
        Some(_) => None,
    }
}

fn principals_equal(left: Option<&Principals>, right: Option<&Principals>) -> bool {
    match (left, right) {
        (None, None) => true,
        (Some(Principals::Text(left)), Some(Principals::Text(right))) => {
            principal_equal(left, right)
        }
        (Some(Principals::ByType(left)), Some(Principals::ByType(right))) => {
            left.len() == right.len()
                && left.iter().all(|(kind, ours)| {
                    right.get(kind).is_some_and(|theirs| {
                        ours.len() == theirs.len()
                            && ours
                                .iter()
                                .all(|our| theirs.iter().any(|their| principal_equal(our, their)))
                            && theirs
                                .iter()
                                .all(|their| ours.iter().any(|our| principal_equal(our, their)))
                    })
                })
        }
        _ => false,
    }
}

/// IAM stores an account id principal as that account's root ARN.
fn principal_equal(left: &str, right: &str) -> bool {
    left == right || account_root(left, right) || account_root(right, left)
}

fn account_root(account: &str, arn: &str) -> bool {
    if account.len() != 12 || !account.bytes().all(|byte| byte.is_ascii_digit()) {
        return false;
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", _, "iam", _, id, "root"] if *id == account)
}

fn conditions(value: Option<&Value>) -> Option<BTreeMap<String, BTreeMap<String, Vec<String>>>> {
    let mut normalized = BTreeMap::new();
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Object(operators)) => {
            for (operator, keys) in operators {
                let keys = keys.as_object()?;
                let mut normalized_keys = BTreeMap::new();
                for (key, values) in keys {
                    let mut values = string_set(Some(values))?;
                    values.dedup();
                    normalized_keys.insert(key.clone(), values);
                }
                normalized.insert(operator.clone(), normalized_keys);
            }
        }
        Some(_) => return None,
    }
    Some(normalized)
}
