//! The data source's arguments, read from the JSON-like value the configuration evaluates to.

use serde_json::{Map, Value};

use super::decode::kind;
use super::error::PolicyDocumentError;

/// The arguments of one `aws_iam_policy_document` data source. Absent and `null` arguments
/// are the same, as in Terraform.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyDocumentArguments {
    pub version: Option<String>,
    pub policy_id: Option<String>,
    /// Documents whose statements come first; `None` and empty strings are skipped.
    pub source_policy_documents: Vec<Option<String>>,
    /// Documents merged last, replacing statements with the same Sid.
    pub override_policy_documents: Vec<Option<String>>,
    pub statements: Vec<StatementArguments>,
}

/// One `statement` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatementArguments {
    pub sid: Option<String>,
    /// `Allow` when absent.
    pub effect: Option<String>,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<String>,
    pub not_resources: Vec<String>,
    pub principals: Vec<PrincipalArguments>,
    pub not_principals: Vec<PrincipalArguments>,
    pub conditions: Vec<ConditionArguments>,
}

/// A `principals` or `not_principals` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrincipalArguments {
    pub principal_type: String,
    pub identifiers: Vec<String>,
}

/// A `condition` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConditionArguments {
    pub test: String,
    pub variable: String,
    pub values: Vec<String>,
}

const DOCUMENT_ARGUMENTS: [&str; 7] = [
    "version",
    "policy_id",
    "source_policy_documents",
    "override_policy_documents",
    "statement",
    "source_json",
    "override_json",
];

/// Arguments the provider still accepts but only empty, with what replaced them.
const RETIRED_ARGUMENTS: [(&str, &str); 2] = [
    ("source_json", "source_policy_documents"),
    ("override_json", "override_policy_documents"),
];
const STATEMENT_ARGUMENTS: [&str; 9] = [
    "sid",
    "effect",
    "actions",
    "not_actions",
    "resources",
    "not_resources",
    "principals",
    "not_principals",
    "condition",
];

impl PolicyDocumentArguments {
    /// Reads the arguments from their evaluated value, for example
    /// `{"statement": [{"actions": ["s3:GetObject"], "resources": ["*"]}]}`.
    pub fn from_value(value: &Value) -> Result<Self, PolicyDocumentError> {
        let object = object(value, "aws_iam_policy_document", &DOCUMENT_ARGUMENTS)?;
        for (retired, replacement) in RETIRED_ARGUMENTS {
            if let Some(text) = optional_string(object, retired, retired)?
                && !text.is_empty()
            {
                return Err(PolicyDocumentError::argument(
                    retired,
                    format!(
                        "is no longer used by the AWS provider and must be empty; put the document in {replacement} = [...] instead"
                    ),
                ));
            }
        }
        Ok(PolicyDocumentArguments {
            version: optional_string(object, "version", "version")?,
            policy_id: optional_string(object, "policy_id", "policy_id")?,
            source_policy_documents: documents(object, "source_policy_documents")?,
            override_policy_documents: documents(object, "override_policy_documents")?,
            statements: blocks(
                object,
                "statement",
                "statement",
                StatementArguments::from_value,
            )?,
        })
    }
}

impl StatementArguments {
    fn from_value(value: &Value, path: &str) -> Result<Self, PolicyDocumentError> {
        let object = object(value, path, &STATEMENT_ARGUMENTS)?;
        let strings = |name: &str| string_list(object, name, &format!("{path}.{name}"));
        Ok(StatementArguments {
            sid: optional_string(object, "sid", &format!("{path}.sid"))?,
            effect: optional_string(object, "effect", &format!("{path}.effect"))?,
            actions: strings("actions")?,
            not_actions: strings("not_actions")?,
            resources: strings("resources")?,
            not_resources: strings("not_resources")?,
            principals: blocks(
                object,
                "principals",
                &format!("{path}.principals"),
                PrincipalArguments::from_value,
            )?,
            not_principals: blocks(
                object,
                "not_principals",
                &format!("{path}.not_principals"),
                PrincipalArguments::from_value,
            )?,
            conditions: blocks(
                object,
                "condition",
                &format!("{path}.condition"),
                ConditionArguments::from_value,
            )?,
        })
    }
}

impl PrincipalArguments {
    fn from_value(value: &Value, path: &str) -> Result<Self, PolicyDocumentError> {
        let object = object(value, path, &["type", "identifiers"])?;
        Ok(PrincipalArguments {
            principal_type: required_string(object, "type", path)?,
            identifiers: required_list(object, "identifiers", path)?,
        })
    }
}

impl ConditionArguments {
    fn from_value(value: &Value, path: &str) -> Result<Self, PolicyDocumentError> {
        let object = object(value, path, &["test", "variable", "values"])?;
        Ok(ConditionArguments {
            test: required_string(object, "test", path)?,
            variable: required_string(object, "variable", path)?,
            values: required_list(object, "values", path)?,
        })
    }
}

fn object<'a>(
    value: &'a Value,
    path: &str,
    known: &[&str],
) -> Result<&'a Map<String, Value>, PolicyDocumentError> {
    let Value::Object(object) = value else {
        return Err(PolicyDocumentError::argument(
            path,
            format!("expected a block of arguments, found {}", kind(value)),
        ));
    };
    if let Some(unknown) = object.keys().find(|key| !known.contains(&key.as_str())) {
        return Err(PolicyDocumentError::argument(
            path,
            format!(
                "unsupported argument \"{unknown}\"; expected one of {}",
                known.join(", ")
            ),
        ));
    }
    Ok(object)
}

/// A string argument's value, with Terraform's conversions: a number or a boolean given
/// where the schema wants a string becomes its text (`10` -> "10", `true` -> "true").
fn as_string(value: &Value, path: &str) -> Result<String, PolicyDocumentError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        other => Err(PolicyDocumentError::argument(
            path,
            format!("expected a string, found {}", kind(other)),
        )),
    }
}

fn optional_string(
    object: &Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<String>, PolicyDocumentError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => as_string(value, path).map(Some),
    }
}

fn required_string(
    object: &Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<String, PolicyDocumentError> {
    optional_string(object, name, &format!("{path}.{name}"))?.ok_or_else(|| {
        PolicyDocumentError::argument(path, format!("the argument \"{name}\" is required"))
    })
}

fn required_list(
    object: &Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Vec<String>, PolicyDocumentError> {
    match object.get(name) {
        None | Some(Value::Null) => Err(PolicyDocumentError::argument(
            path,
            format!("the argument \"{name}\" is required"),
        )),
        Some(_) => string_list(object, name, &format!("{path}.{name}")),
    }
}

fn string_list(
    object: &Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Vec<String>, PolicyDocumentError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| as_string(item, &format!("{path}[{index}]")))
            .collect(),
        Some(other) => Err(PolicyDocumentError::argument(
            path,
            format!("expected a list of strings, found {}", kind(other)),
        )),
    }
}

fn documents(
    object: &Map<String, Value>,
    name: &str,
) -> Result<Vec<Option<String>>, PolicyDocumentError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::Null => Ok(None),
                Value::String(text) => Ok(Some(text.clone())),
                other => Err(PolicyDocumentError::argument(
                    format!("{name}[{index}]"),
                    format!(
                        "expected a JSON policy document as a string, found {}",
                        kind(other)
                    ),
                )),
            })
            .collect(),
        Some(other) => Err(PolicyDocumentError::argument(
            name,
            format!("expected a list of JSON documents, found {}", kind(other)),
        )),
    }
}

fn blocks<T>(
    object: &Map<String, Value>,
    name: &str,
    path: &str,
    read: impl Fn(&Value, &str) -> Result<T, PolicyDocumentError>,
) -> Result<Vec<T>, PolicyDocumentError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| read(item, &format!("{path}[{index}]")))
            .collect(),
        Some(single @ Value::Object(_)) => Ok(vec![read(single, &format!("{path}[0]"))?]),
        Some(other) => Err(PolicyDocumentError::argument(
            path,
            format!("expected {name} blocks, found {}", kind(other)),
        )),
    }
}
