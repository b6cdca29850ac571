//! The data source's own `statement` blocks as the provider turns them into the model: sets
//! in the plugin SDK's order, one value as a string, several sorted in reverse, `&{...}`
//! turned into policy variables.

use std::collections::BTreeSet;

use super::arguments::{
    ConditionArguments, PolicyDocumentArguments, PrincipalArguments, StatementArguments,
};
use super::error::PolicyDocumentError;
use super::go_json::GoValue;
use super::model::{Condition, Document, Identifiers, Principal, Statement};
use super::schema_set;

const DEFAULT_VERSION: &str = "2012-10-17";
const OLD_VERSION: &str = "2008-10-17";

pub(crate) fn configured_document(
    arguments: &PolicyDocumentArguments,
) -> Result<Document, PolicyDocumentError> {
    let version = arguments
        .version
        .clone()
        .unwrap_or_else(|| DEFAULT_VERSION.to_owned());
    if version != DEFAULT_VERSION && version != OLD_VERSION {
        return Err(PolicyDocumentError::argument(
            "version",
            format!(
                "\"{version}\" is not a policy language version; use \"{DEFAULT_VERSION}\" (or \"{OLD_VERSION}\")"
            ),
        ));
    }
    let mut sids = BTreeSet::new();
    let statements = arguments
        .statements
        .iter()
        .enumerate()
        .map(|(index, statement)| {
            let path = format!("statement[{index}]");
            let built = configured_statement(statement, &version, &path)?;
            if !built.sid.is_empty() && !sids.insert(built.sid.clone()) {
                return Err(PolicyDocumentError::DuplicateSid {
                    path: format!("{path}.sid"),
                    sid: built.sid,
                });
            }
            Ok(built)
        })
        .collect::<Result<_, _>>()?;
    Ok(Document {
        version,
        id: arguments.policy_id.clone().unwrap_or_default(),
        statements,
    })
}

fn configured_statement(
    statement: &StatementArguments,
    version: &str,
    path: &str,
) -> Result<Statement, PolicyDocumentError> {
    let sid = statement.sid.clone().unwrap_or_default();
    if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(PolicyDocumentError::argument(
            format!("{path}.sid"),
            format!("\"{sid}\" must only include alphanumeric characters"),
        ));
    }
    let effect = statement
        .effect
        .clone()
        .unwrap_or_else(|| "Allow".to_owned());
    if effect != "Allow" && effect != "Deny" {
        return Err(PolicyDocumentError::argument(
            format!("{path}.effect"),
            format!("\"{effect}\" is not an effect; use \"Allow\" or \"Deny\""),
        ));
    }
    let resources = |values: &[String], name: &str| {
        string_set(values)
            .map(|set| substitute(set, version, &format!("{path}.{name}")))
            .transpose()
    };
    Ok(Statement {
        sid,
        effect,
        actions: string_set(&statement.actions).map(identifiers_value),
        not_actions: string_set(&statement.not_actions).map(identifiers_value),
        resources: resources(&statement.resources, "resources")?.map(identifiers_value),
        not_resources: resources(&statement.not_resources, "not_resources")?.map(identifiers_value),
        principals: principals(
            &statement.principals,
            version,
            &format!("{path}.principals"),
        )?,
        not_principals: principals(
            &statement.not_principals,
            version,
            &format!("{path}.not_principals"),
        )?,
        conditions: conditions(&statement.conditions, version, &format!("{path}.condition"))?,
    })
}

/// A set of strings as the provider decodes it: one element stays a string, several are
/// sorted in reverse. `None` for an empty set, which the JSON leaves out.
fn string_set(values: &[String]) -> Option<Identifiers> {
    if values.is_empty() {
        return None;
    }
    Some(decode_strings(schema_set::strings(values)))
}

fn decode_strings(mut values: Vec<String>) -> Identifiers {
    if let [only] = values.as_slice() {
        return Identifiers::One(only.clone());
    }
    values.sort();
    values.reverse();
    Identifiers::Many(values)
}

fn identifiers_value(identifiers: Identifiers) -> GoValue {
    match identifiers {
        Identifiers::One(value) => GoValue::String(value),
        Identifiers::Many(values) => GoValue::strings(&values),
    }
}

/// Terraform reserves `${...}` for its own interpolation, so policies write policy variables
/// as `&{...}`; the provider turns them back into `${...}`.
fn substitute_variables(
    value: String,
    version: &str,
    path: &str,
) -> Result<String, PolicyDocumentError> {
    if version == OLD_VERSION && value.contains("&{") {
        return Err(PolicyDocumentError::argument(
            path,
            format!(
                "found &{{ sequence in ({value}), which is not supported in document version {OLD_VERSION}; use version \"{DEFAULT_VERSION}\" for policy variables"
            ),
        ));
    }
    Ok(value.replace("&{", "${"))
}

fn substitute(
    identifiers: Identifiers,
    version: &str,
    path: &str,
) -> Result<Identifiers, PolicyDocumentError> {
    Ok(match identifiers {
        Identifiers::One(value) => Identifiers::One(substitute_variables(value, version, path)?),
        Identifiers::Many(values) => Identifiers::Many(
            values
                .into_iter()
                .map(|value| substitute_variables(value, version, path))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn principals(
    blocks: &[PrincipalArguments],
    version: &str,
    path: &str,
) -> Result<Vec<Principal>, PolicyDocumentError> {
    let ordered = schema_set::ordered(blocks.iter().collect(), |block| {
        let mut buffer = String::from("identifiers:");
        schema_set::serialize_string_set(&mut buffer, &block.identifiers);
        buffer.push_str("type:");
        schema_set::serialize_string(&mut buffer, &block.principal_type);
        buffer
    });
    ordered
        .into_iter()
        .map(|block| {
            let identifiers = decode_strings(schema_set::strings(&block.identifiers));
            Ok(Principal {
                kind: block.principal_type.clone(),
                identifiers: substitute(identifiers, version, &format!("{path}.identifiers"))?,
            })
        })
        .collect()
}

fn conditions(
    blocks: &[ConditionArguments],
    version: &str,
    path: &str,
) -> Result<Vec<Condition>, PolicyDocumentError> {
    let ordered = schema_set::ordered(blocks.iter().collect(), |block| {
        let mut buffer = String::from("test:");
        schema_set::serialize_string(&mut buffer, &block.test);
        buffer.push_str("values:");
        schema_set::serialize_string_list(&mut buffer, &block.values);
        buffer.push_str("variable:");
        schema_set::serialize_string(&mut buffer, &block.variable);
        buffer
    });
    ordered
        .into_iter()
        .map(|block| {
            let values = block
                .values
                .iter()
                .map(|value| {
                    substitute_variables(value.clone(), version, &format!("{path}.values"))
                })
                .collect::<Result<_, _>>()?;
            Ok(Condition {
                test: block.test.clone(),
                variable: block.variable.clone(),
                values,
            })
        })
        .collect()
}
