//! Shared helpers for building the model: spans, bodies, constant values and argument checks.

use crate::diagnostic::Diagnostic;
use crate::eval::EvalContext;
use crate::expression::Expression;
use crate::model::{Attribute, Block, Body};
use crate::source::{FileId, Span};
use crate::suggest::did_you_mean;
use crate::value::Value;
use hcl_edit::Span as _;
use hcl_edit::structure::{Attribute as HclAttribute, Block as HclBlock, Body as HclBody};
use std::ops::Range;

/// The place being built: the file and the diagnostics found so far.
pub(super) struct Site<'a> {
    pub file: FileId,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl Site<'_> {
    pub fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The block's header: its type and labels, where diagnostics about the block point.
    pub fn header_span(&self, block: &HclBlock) -> Span {
        let whole = block.span().unwrap_or(0..0);
        let start = block.ident.span().map_or(whole.start, |r| r.start);
        let end = block
            .labels
            .last()
            .and_then(|label| label.span())
            .or_else(|| block.ident.span())
            .map_or(whole.end, |r| r.end);
        self.span(start..end)
    }

    pub fn attribute_span(&self, attribute: &HclAttribute) -> Span {
        self.span(attribute.span().unwrap_or(0..0))
    }

    pub fn expression(&self, attribute: &HclAttribute) -> Expression {
        let fallback = attribute.span().unwrap_or(0..0);
        Expression::parsed(attribute.value.clone(), self.file, fallback)
    }

    pub fn body(&self, body: &HclBody, fallback: Range<usize>) -> Body {
        let span = self.span(body.span().unwrap_or(fallback));
        Body {
            attributes: body
                .attributes()
                .map(|attribute| self.attribute(attribute))
                .collect(),
            blocks: body
                .blocks()
                .map(|block| Block {
                    kind: block.ident.as_str().to_string(),
                    labels: block
                        .labels
                        .iter()
                        .map(|l| l.as_str().to_string())
                        .collect(),
                    body: self.body(&block.body, block.span().unwrap_or(0..0)),
                    span: self.header_span(block),
                })
                .collect(),
            span,
        }
    }

    pub fn attribute(&self, attribute: &HclAttribute) -> Attribute {
        Attribute {
            name: attribute.key.as_str().to_string(),
            expression: self.expression(attribute),
            span: self.attribute_span(attribute),
            name_span: self.span(
                attribute
                    .key
                    .span()
                    .or_else(|| attribute.span())
                    .unwrap_or(0..0),
            ),
        }
    }

    /// Evaluates an argument that must not refer to anything (a default, a lifecycle flag).
    pub fn constant(&mut self, attribute: &HclAttribute, what: &str) -> Option<Value> {
        let expression = self.expression(attribute);
        if let Some(reference) = expression.references().first() {
            self.push(
                Diagnostic::error("Variables not allowed")
                    .with_span(reference.span.clone())
                    .with_detail(format!(
                        "The {what} must be a constant value; it cannot refer to `{}`.",
                        reference.target.address()
                    ))
                    .with_help("write a literal value here"),
            );
            return None;
        }
        match expression.evaluate(&EvalContext::default()) {
            Ok(value) => Some(value),
            Err(diagnostics) => {
                self.diagnostics.extend(diagnostics);
                None
            }
        }
    }

    pub fn constant_bool(&mut self, attribute: &HclAttribute, what: &str) -> Option<bool> {
        match self.constant(attribute, what)? {
            Value::Bool(flag) => Some(flag),
            other => {
                let span = self.attribute_span(attribute);
                self.push(
                    Diagnostic::error("Incorrect attribute value type")
                        .with_span(span)
                        .with_detail(format!(
                            "The {what} must be a bool, but have {}.",
                            other.type_name()
                        ))
                        .with_help(format!(
                            "write `{} = true` or `{} = false`",
                            attribute.key.as_str(),
                            attribute.key.as_str()
                        )),
                );
                None
            }
        }
    }

    pub fn constant_string(&mut self, attribute: &HclAttribute, what: &str) -> Option<String> {
        match self.constant(attribute, what)? {
            Value::String(text) => Some(text),
            other => {
                let span = self.attribute_span(attribute);
                self.push(
                    Diagnostic::error("Incorrect attribute value type")
                        .with_span(span)
                        .with_detail(format!(
                            "The {what} must be a string, but have {}.",
                            other.type_name()
                        ))
                        .with_help(format!(
                            "quote the value: `{} = \"...\"`",
                            attribute.key.as_str()
                        )),
                );
                None
            }
        }
    }

    /// Reports arguments and blocks of `body` that are not in `arguments` / `block_kinds`.
    pub fn only(
        &mut self,
        body: &HclBody,
        context: &str,
        arguments: &[&str],
        block_kinds: &[&str],
    ) {
        for attribute in body.attributes() {
            let name = attribute.key.as_str();
            if !arguments.contains(&name) {
                let span = self.span(
                    attribute
                        .key
                        .span()
                        .or_else(|| attribute.span())
                        .unwrap_or(0..0),
                );
                let mut diagnostic = Diagnostic::error("Unsupported argument")
                    .with_span(span)
                    .with_detail(format!(
                        "An argument named \"{name}\" is not expected in {context}."
                    ));
                diagnostic = match did_you_mean(name, arguments.iter().copied()) {
                    Some(suggestion) => {
                        diagnostic.with_help(format!("did you mean `{suggestion}`?"))
                    }
                    None => diagnostic.with_help(format!(
                        "the arguments allowed here are: {}",
                        list_or_none(arguments)
                    )),
                };
                self.push(diagnostic);
            }
        }
        for block in body.blocks() {
            let kind = block.ident.as_str();
            if !block_kinds.contains(&kind) {
                let span = self.header_span(block);
                let mut diagnostic = Diagnostic::error("Unsupported block type")
                    .with_span(span)
                    .with_detail(format!(
                        "Blocks of type \"{kind}\" are not expected in {context}."
                    ));
                diagnostic = match did_you_mean(kind, block_kinds.iter().copied()) {
                    Some(suggestion) => {
                        diagnostic.with_help(format!("did you mean `{suggestion}`?"))
                    }
                    None if arguments.contains(&kind) => diagnostic.with_help(format!(
                        "\"{kind}\" is an argument here: write `{kind} = ...`"
                    )),
                    None => diagnostic.with_help(format!(
                        "the blocks allowed here are: {}",
                        list_or_none(block_kinds)
                    )),
                };
                self.push(diagnostic);
            }
        }
    }

    /// Reports a second argument of the same name in one body.
    pub fn check_duplicate_arguments(&mut self, body: &HclBody) {
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for attribute in body.attributes() {
            let name = attribute.key.as_str();
            let span = self.attribute_span(attribute);
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                let first = first.clone();
                self.push(
                    Diagnostic::error("Attribute redefined")
                        .with_span(span)
                        .with_detail(format!("The argument \"{name}\" was already set. Each argument may be set only once."))
                        .with_label(first, "first set here")
                        .with_help("remove one of the two definitions"),
                );
            } else {
                seen.push((name, span));
            }
        }
    }

    /// Checks a block's label count and that each label is a valid name.
    pub fn labels(&mut self, block: &HclBlock, names: &[&str]) -> Option<Vec<String>> {
        let kind = block.ident.as_str();
        let labels: Vec<String> = block
            .labels
            .iter()
            .map(|l| l.as_str().to_string())
            .collect();
        let header = self.header_span(block);
        if labels.len() < names.len() {
            let missing = names[labels.len()];
            self.push(
                Diagnostic::error(format!("Missing {missing} for {kind}"))
                    .with_span(header)
                    .with_detail(format!(
                        "All \"{kind}\" blocks must have {} label(s): {}.",
                        names.len(),
                        names.join(", ")
                    ))
                    .with_help(format!(
                        "write it as `{kind} {} {{ ... }}`",
                        names
                            .iter()
                            .map(|n| format!("\"{n}\""))
                            .collect::<Vec<_>>()
                            .join(" ")
                    )),
            );
            return None;
        }
        if labels.len() > names.len() {
            let extra = block
                .labels
                .get(names.len())
                .and_then(|l| l.span())
                .map_or(header, |r| self.span(r));
            self.push(
                Diagnostic::error(format!("Extraneous label for {kind}"))
                    .with_span(extra)
                    .with_detail(format!(
                        "Only {} label(s) are expected for {kind} blocks{}.",
                        names.len(),
                        if names.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", names.join(", "))
                        }
                    ))
                    .with_help("remove the extra label"),
            );
            return None;
        }
        for (label, hcl_label) in labels.iter().zip(&block.labels) {
            if !is_valid_name(label) {
                let span = hcl_label
                    .span()
                    .map_or_else(|| self.header_span(block), |r| self.span(r));
                self.push(
                    Diagnostic::error("Invalid name")
                        .with_span(span)
                        .with_detail(format!("\"{label}\" is not a valid name: a name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes."))
                        .with_help("rename it, e.g. using underscores instead of other punctuation"),
                );
                return None;
            }
        }
        Some(labels)
    }
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

pub(super) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}
