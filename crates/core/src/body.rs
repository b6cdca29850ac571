//! Evaluates a resource (or provider) body into a value shaped by its schema, reporting every
//! unknown attribute, missing required attribute and wrong type as a diagnostic.

use std::collections::BTreeMap;

use lathe_config::diagnostic::{Diagnostic, Diagnostics};
use lathe_config::eval::EvalContext;
use lathe_config::model::Body;
use lathe_config::source::Span;
use lathe_config::value::Value;

use crate::schema::{BlockSchema, Nesting};

/// The closest name to `wanted` among `candidates`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(wanted, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|left, right| left.0.total_cmp(&right.0))
        .map(|(_, candidate)| candidate)
}

/// Evaluates `body` against `schema`. `what` names the block in messages
/// (`resource "terraform_data" "x"`); `header` is where "missing argument" errors point. Problems go to `diagnostics`; the value is still built
/// (with nulls where attributes were wrong) so callers can go on collecting errors.
pub fn evaluate_body(
    body: &Body,
    schema: &BlockSchema,
    context: &EvalContext,
    what: &str,
    header: &Span,
    diagnostics: &mut Diagnostics,
) -> Value {
    // `dynamic` blocks become the blocks they generate before the schema sees them.
    let expanded;
    let body = if body.blocks.iter().any(|block| block.kind == "dynamic") {
        match lathe_config::dynamic::expand_dynamic_blocks(body, context) {
            Ok(result) => {
                expanded = result;
                &expanded
            }
            Err(errors) => {
                diagnostics.extend(errors.0);
                return Value::Unknown;
            }
        }
    } else {
        body
    };
    let mut object = BTreeMap::new();
    for attribute in &body.attributes {
        let Some(attribute_schema) = schema.attribute(&attribute.name) else {
            diagnostics.push(unknown_name(
                &attribute.name,
                "argument",
                schema,
                what,
                attribute.name_span.clone(),
            ));
            continue;
        };
        if !attribute_schema.is_settable() {
            diagnostics.push(
                Diagnostic::error(format!("Value for unconfigurable attribute `{}`", attribute.name))
                    .with_span(attribute.name_span.clone())
                    .with_detail(format!(
                        "`{}` of {what} is computed by the provider; it cannot be set in configuration.",
                        attribute.name
                    ))
                    .with_help(format!("remove the `{}` argument", attribute.name)),
            );
            continue;
        }
        let value = match attribute.expression.evaluate(context) {
            Ok(value) => value,
            Err(errors) => {
                diagnostics.extend(errors.0);
                continue;
            }
        };
        if value.is_unknown() || value.is_null() {
            object.insert(attribute.name.clone(), value);
            continue;
        }
        match attribute_schema.type_constraint.convert(value) {
            Ok(converted) => {
                object.insert(attribute.name.clone(), converted);
            }
            Err(reason) => diagnostics.push(
                Diagnostic::error("Incorrect attribute value type")
                    .with_span(attribute.expression.span())
                    .with_detail(format!(
                        "Inappropriate value for attribute `{}`: {reason}.",
                        attribute.name
                    ))
                    .with_help(format!(
                        "give `{}` a value of type {}",
                        attribute.name,
                        type_description(&attribute_schema.type_constraint)
                    )),
            ),
        }
    }
    for block in &body.blocks {
        let kind = if block.kind == "dynamic" {
            block.labels.first().cloned().unwrap_or_default()
        } else {
            block.kind.clone()
        };
        if schema.block(&kind).is_none() {
            diagnostics.push(unknown_name(
                &kind,
                "block type",
                schema,
                what,
                block.span.clone(),
            ));
        }
    }
    for nested in &schema.blocks {
        let blocks: Vec<_> = body.blocks_of_kind(&nested.type_name).collect();
        let what_nested = format!("block `{}` of {what}", nested.type_name);
        let values: Vec<Value> = blocks
            .iter()
            .map(|block| {
                evaluate_body(
                    &block.body,
                    &nested.block,
                    context,
                    &what_nested,
                    &block.span,
                    diagnostics,
                )
            })
            .collect();
        if values.len() < nested.min_items || nested.max_items.is_some_and(|max| values.len() > max)
        {
            let expected = match nested.max_items {
                Some(max) if max == nested.min_items => format!("exactly {max}"),
                Some(max) => format!("between {} and {max}", nested.min_items),
                None => format!("at least {}", nested.min_items),
            };
            let span = blocks
                .get(nested.max_items.unwrap_or(0))
                .map(|block| block.span.clone());
            let mut diagnostic =
                Diagnostic::error(format!("Wrong number of `{}` blocks", nested.type_name))
                    .with_detail(format!(
                        "{what} needs {expected} `{}` block(s), and has {}.",
                        nested.type_name,
                        values.len()
                    ))
                    .with_help(format!(
                        "write {expected} `{} {{ ... }}` block(s)",
                        nested.type_name
                    ))
                    .with_span(span.unwrap_or_else(|| body.span.clone()));
            diagnostic.labels.clear();
            diagnostics.push(diagnostic);
        }
        let value = match nested.nesting {
            Nesting::Single => values.into_iter().next().unwrap_or(Value::Null),
            Nesting::List | Nesting::Set => Value::List(values),
        };
        object.insert(nested.type_name.clone(), value);
    }
    for attribute in &schema.attributes {
        if attribute.required && body.attribute(&attribute.name).is_none() {
            diagnostics.push(
                Diagnostic::error(format!("Missing required argument `{}`", attribute.name))
                    .with_span(header.clone())
                    .with_detail(format!(
                        "The argument `{}` is required in {what}, but it is not set.",
                        attribute.name
                    ))
                    .with_help(format!(
                        "add `{} = <{}>` to the block",
                        attribute.name,
                        type_description(&attribute.type_constraint)
                    )),
            );
        }
        object.entry(attribute.name.clone()).or_insert(Value::Null);
    }
    Value::Object(object)
}

fn unknown_name(
    name: &str,
    noun: &str,
    schema: &BlockSchema,
    what: &str,
    span: Span,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(format!("Unsupported {noun} `{name}`"))
        .with_span(span)
        .with_detail(format!(
            "{} {noun} named `{name}` is not expected in {what}.",
            if noun.starts_with('a') { "An" } else { "A" }
        ));
    diagnostic = match did_you_mean(name, schema.names()) {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        None => {
            let mut names = schema.names();
            names.sort_unstable();
            diagnostic.with_help(format!(
                "the arguments and blocks allowed here are: {}",
                names.join(", ")
            ))
        }
    };
    diagnostic
}

/// A type as the user would write it in a `type =` constraint.
pub fn type_description(constraint: &lathe_config::types::TypeConstraint) -> String {
    use lathe_config::types::TypeConstraint;
    match constraint {
        TypeConstraint::Any => "any".to_string(),
        TypeConstraint::String => "string".to_string(),
        TypeConstraint::Number => "number".to_string(),
        TypeConstraint::Bool => "bool".to_string(),
        TypeConstraint::List(inner) => format!("list({})", type_description(inner)),
        TypeConstraint::Set(inner) => format!("set({})", type_description(inner)),
        TypeConstraint::Map(inner) => format!("map({})", type_description(inner)),
        TypeConstraint::Tuple(items) => format!(
            "tuple([{}])",
            items
                .iter()
                .map(type_description)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TypeConstraint::Object(fields) => format!(
            "object({{ {} }})",
            fields
                .iter()
                .map(|(name, (field, _))| format!("{name} = {}", type_description(field)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
