use serde_json::{Map, Value};

use crate::condition::Condition;
use crate::error::PolicyError;
use crate::glob::Glob;
use crate::json::{describe, list_item_path, strings};
use crate::principal::PrincipalSet;
use crate::suggest::did_you_mean;
use crate::template::Template;

/// The policy language versions IAM knows. Policy variables exist only in 2012-10-17.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    V2008_10_17,
    V2012_10_17,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2008_10_17 => "2008-10-17",
            Version::V2012_10_17 => "2012-10-17",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// An element that either lists what it covers or, in its `Not` form, what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope<T> {
    /// `Action`, `Resource`, `Principal`.
    Listed(T),
    /// `NotAction`, `NotResource`, `NotPrincipal`.
    AllExcept(T),
}

/// One statement of a policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    /// Action patterns (`s3:Get*`), matched case-insensitively.
    pub actions: Scope<Vec<String>>,
    /// `None` when the statement has neither `Resource` nor `NotResource`, as in trust
    /// policies, where the resource is the role itself.
    pub resources: Option<Scope<Vec<Template>>>,
    pub principals: Option<Scope<PrincipalSet>>,
    pub conditions: Vec<Condition>,
    /// `actions` compiled once, in the same order.
    action_patterns: Vec<Glob>,
}

impl Statement {
    pub(crate) fn action_patterns(&self) -> &[Glob] {
        &self.action_patterns
    }
}

/// A parsed IAM policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// `None` when the document has no `Version`, which IAM reads as 2008-10-17.
    pub version: Option<Version>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// `Statement` was written as one object rather than a list, which error paths reflect.
    pub(crate) single_statement: bool,
}

const DOCUMENT_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

impl PolicyDocument {
    /// Parses a policy document's JSON text, rejecting anything IAM would reject with an error
    /// that names the element (`Statement[2].Condition: ...`).
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|error| PolicyError::from_json(&error))?;
        Self::from_value(&value)
    }

    /// Parses a document that is already JSON.
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        let Value::Object(document) = value else {
            return Err(PolicyError::invalid(
                "",
                format!(
                    "expected a JSON object with \"Version\" and \"Statement\", found {}",
                    describe(value)
                ),
            ));
        };
        reject_unknown(document, &DOCUMENT_ELEMENTS, "")?;
        let version = match document.get("Version") {
            None => None,
            Some(Value::String(text)) if text == "2012-10-17" => Some(Version::V2012_10_17),
            Some(Value::String(text)) if text == "2008-10-17" => Some(Version::V2008_10_17),
            Some(other) => {
                return Err(PolicyError::invalid(
                    "Version",
                    format!(
                        "{} is not a policy language version; use \"2012-10-17\" (or the older \"2008-10-17\")",
                        quoted(other)
                    ),
                ));
            }
        };
        let id = optional_string(document, "Id", "Id")?;
        let variables_enabled = version == Some(Version::V2012_10_17);
        let statements = match document.get("Statement") {
            None => {
                return Err(PolicyError::invalid(
                    "",
                    "missing required element \"Statement\"",
                ));
            }
            Some(Value::Object(statement)) => {
                vec![parse_statement(statement, variables_enabled, "Statement")?]
            }
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let path = format!("Statement[{index}]");
                    match item {
                        Value::Object(statement) => {
                            parse_statement(statement, variables_enabled, &path)
                        }
                        other => Err(PolicyError::invalid(
                            &path,
                            format!("expected a statement object, found {}", describe(other)),
                        )),
                    }
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(PolicyError::invalid(
                    "Statement",
                    format!(
                        "expected a statement object or a list of them, found {}",
                        describe(other)
                    ),
                ));
            }
        };
        let single = matches!(document.get("Statement"), Some(Value::Object(_)));
        reject_duplicate_sids(&statements, single)?;
        Ok(PolicyDocument {
            version,
            id,
            statements,
            single_statement: single,
        })
    }

    /// Whether policy variables (`${aws:username}`) are substituted in this document.
    pub fn variables_enabled(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }
}

/// Where statement `index` sits, as error messages name it.
pub(crate) fn statement_path(index: usize, single: bool) -> String {
    if single {
        "Statement".to_owned()
    } else {
        format!("Statement[{index}]")
    }
}

fn reject_duplicate_sids(statements: &[Statement], single: bool) -> Result<(), PolicyError> {
    for (index, statement) in statements.iter().enumerate() {
        let Some(sid) = statement.sid.as_deref().filter(|sid| !sid.is_empty()) else {
            continue;
        };
        if let Some(first) = statements[..index]
            .iter()
            .position(|earlier| earlier.sid.as_deref() == Some(sid))
        {
            return Err(PolicyError::invalid(
                &format!("{}.Sid", statement_path(index, single)),
                format!(
                    "\"{sid}\" is already the Sid of Statement[{first}]; statement ids in one policy must be unique"
                ),
            ));
        }
    }
    Ok(())
}

fn parse_statement(
    statement: &Map<String, Value>,
    variables_enabled: bool,
    path: &str,
) -> Result<Statement, PolicyError> {
    reject_unknown(statement, &STATEMENT_ELEMENTS, path)?;
    let sid = optional_string(statement, "Sid", &format!("{path}.Sid"))?;
    let effect = match statement.get("Effect") {
        Some(Value::String(text)) if text == "Allow" => Effect::Allow,
        Some(Value::String(text)) if text == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(PolicyError::invalid(
                &format!("{path}.Effect"),
                format!(
                    "{} is not an effect; use \"Allow\" or \"Deny\"",
                    quoted(other)
                ),
            ));
        }
        None => {
            return Err(PolicyError::invalid(
                path,
                "missing required element \"Effect\" (\"Allow\" or \"Deny\")",
            ));
        }
    };
    let actions = match exclusive_pair(statement, "Action", "NotAction", path)? {
        Some((negated, value, element)) => {
            let element_path = format!("{path}.{element}");
            let actions = strings(value, &element_path)?;
            for (index, action) in actions.iter().enumerate() {
                validate_action(action, &element_path, index, actions.len())?;
            }
            scope(negated, actions)
        }
        None => {
            return Err(PolicyError::invalid(
                path,
                "missing required element \"Action\" (or \"NotAction\"), for example \"s3:GetObject\"",
            ));
        }
    };
    let resources = exclusive_pair(statement, "Resource", "NotResource", path)?
        .map(|(negated, value, element)| {
            let element_path = format!("{path}.{element}");
            let texts = strings(value, &element_path)?;
            for (index, text) in texts.iter().enumerate() {
                validate_resource(text, &element_path, index, texts.len())?;
            }
            let patterns = texts
                .iter()
                .map(|text| Template::parse(text, variables_enabled))
                .collect();
            Ok::<_, PolicyError>(scope(negated, patterns))
        })
        .transpose()?;
    let principals = exclusive_pair(statement, "Principal", "NotPrincipal", path)?
        .map(|(negated, value, element)| {
            let set = PrincipalSet::parse(value, &format!("{path}.{element}"))?;
            Ok::<_, PolicyError>(scope(negated, set))
        })
        .transpose()?;
    let conditions = match statement.get("Condition") {
        Some(value) => {
            Condition::parse_block(value, variables_enabled, &format!("{path}.Condition"))?
        }
        None => Vec::new(),
    };
    let action_patterns = match &actions {
        Scope::Listed(patterns) | Scope::AllExcept(patterns) => patterns
            .iter()
            .map(|pattern| Glob::pattern(pattern))
            .collect(),
    };
    Ok(Statement {
        action_patterns,
        sid,
        effect,
        actions,
        resources,
        principals,
        conditions,
    })
}

fn scope<T>(negated: bool, value: T) -> Scope<T> {
    if negated {
        Scope::AllExcept(value)
    } else {
        Scope::Listed(value)
    }
}

/// The one of `listed`/`negated` that is present, as (is_negated, value, element name).
fn exclusive_pair<'a>(
    statement: &'a Map<String, Value>,
    listed: &'static str,
    negated: &'static str,
    path: &str,
) -> Result<Option<(bool, &'a Value, &'static str)>, PolicyError> {
    match (statement.get(listed), statement.get(negated)) {
        (Some(_), Some(_)) => Err(PolicyError::invalid(
            path,
            format!("has both \"{listed}\" and \"{negated}\"; a statement may have only one"),
        )),
        (Some(value), None) => Ok(Some((false, value, listed))),
        (None, Some(value)) => Ok(Some((true, value, negated))),
        (None, None) => Ok(None),
    }
}

fn validate_action(
    action: &str,
    path: &str,
    index: usize,
    count: usize,
) -> Result<(), PolicyError> {
    if action == "*" {
        return Ok(());
    }
    let valid = action.split_once(':').is_some_and(|(service, name)| {
        !service.is_empty()
            && !name.is_empty()
            && service
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if valid {
        return Ok(());
    }
    Err(PolicyError::invalid(
        &list_item_path(path, index, count),
        format!(
            "\"{action}\" is not an action; actions are \"*\" or prefixed by a service, as in \"s3:GetObject\" or \"bedrock:*\""
        ),
    ))
}

/// IAM accepts `*` or an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, any part
/// possibly a wildcard) and rejects, for example, a bare bucket name.
fn validate_resource(
    resource: &str,
    path: &str,
    index: usize,
    count: usize,
) -> Result<(), PolicyError> {
    if resource == "*" || (resource.starts_with("arn:") && resource.splitn(6, ':').count() == 6) {
        return Ok(());
    }
    let advice = if resource.starts_with("arn:") {
        "an ARN has six parts: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, some possibly empty, as in \"arn:aws:s3:::bucket/*\"".to_owned()
    } else {
        format!("write resources as ARNs, such as \"arn:aws:s3:::{resource}\" for a bucket")
    };
    Err(PolicyError::invalid(
        &list_item_path(path, index, count),
        format!("\"{resource}\" is neither an ARN nor \"*\"; {advice}"),
    ))
}

fn optional_string(
    object: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, PolicyError> {
    match object.get(key) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(PolicyError::invalid(
            path,
            format!("expected a string, found {}", describe(other)),
        )),
    }
}

fn reject_unknown(
    object: &Map<String, Value>,
    known: &[&'static str],
    path: &str,
) -> Result<(), PolicyError> {
    match object.keys().find(|key| !known.contains(&key.as_str())) {
        Some(key) => Err(PolicyError::invalid(
            path,
            format!(
                "unknown element \"{key}\"{}",
                did_you_mean(key, known.iter().copied())
            ),
        )),
        None => Ok(()),
    }
}

fn quoted(value: &Value) -> String {
    match value {
        Value::String(text) => format!("\"{text}\""),
        other => describe(other).to_owned(),
    }
}
