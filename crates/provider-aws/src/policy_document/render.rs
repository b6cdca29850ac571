//! Turning the arguments into the JSON Terraform stores, step for step as the provider's
//! `dataSourcePolicyDocumentRead` does: sources, then the statements, then overrides.

use std::collections::BTreeSet;

use super::arguments::PolicyDocumentArguments;
use super::checksum::crc32;
use super::configured::configured_document;
use super::error::PolicyDocumentError;
use super::model::Document;

/// The data source's computed attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPolicyDocument {
    /// `json`: indented with two spaces.
    pub json: String,
    /// `minified_json`.
    pub minified_json: String,
    /// `id`: the CRC-32 of `json` in decimal, as the provider computes it.
    pub id: String,
}

/// Renders the document exactly as the Terraform AWS provider does.
pub fn render(
    arguments: &PolicyDocumentArguments,
) -> Result<RenderedPolicyDocument, PolicyDocumentError> {
    let mut merged = Document::default();
    let mut source_sids = BTreeSet::new();
    for (index, text) in present(&arguments.source_policy_documents) {
        let document = read_document("source_policy_documents", index, text)?;
        for (statement_index, statement) in document.statements.iter().enumerate() {
            if !statement.sid.is_empty() && !source_sids.insert(statement.sid.clone()) {
                return Err(PolicyDocumentError::DuplicateSourceSid {
                    document: index,
                    statement: statement_index,
                    sid: statement.sid.clone(),
                });
            }
        }
        merged.merge(document);
    }

    merged.merge(configured_document(arguments)?);

    for (index, text) in present(&arguments.override_policy_documents) {
        merged.merge(read_document("override_policy_documents", index, text)?);
    }

    let value = merged.to_go_value();
    let json = value.to_indented();
    Ok(RenderedPolicyDocument {
        id: crc32(json.as_bytes()).to_string(),
        minified_json: value.to_compact(),
        json,
    })
}

/// Documents that are neither null nor empty strings, with their positions.
fn present(documents: &[Option<String>]) -> impl Iterator<Item = (usize, &str)> {
    documents
        .iter()
        .enumerate()
        .filter_map(|(index, text)| match text.as_deref() {
            Some(text) if !text.is_empty() => Some((index, text)),
            _ => None,
        })
}

fn read_document(
    argument: &'static str,
    index: usize,
    text: &str,
) -> Result<Document, PolicyDocumentError> {
    let invalid = |message: String| PolicyDocumentError::InvalidDocument {
        argument,
        index,
        message,
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
        invalid(format!(
            "invalid JSON at line {}, column {}: {error}",
            error.line(),
            error.column()
        ))
    })?;
    Document::from_json(&value).map_err(invalid)
}
