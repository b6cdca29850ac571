//! `variable` blocks and type constraint expressions.

use super::blocks::duplicate;
use super::body::Site;
use crate::diagnostic::Diagnostic;
use crate::model::{Module, Variable, VariableValidation};
use crate::types::{TypeConstraint, TypeDefaults};
use crate::value::Value;
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression as Ast, ObjectKey};
use hcl_edit::structure::Block as HclBlock;
use std::collections::BTreeMap;

/// Names that Terraform reserves for module-call arguments.
const RESERVED_NAMES: &[&str] = &[
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "lifecycle",
    "depends_on",
    "locals",
];

pub(super) fn variable(module: &mut Module, block: &HclBlock, site: &mut Site) {
    let Some(labels) = site.labels(block, &["name"]) else {
        return;
    };
    let name = labels[0].clone();
    let span = site.header_span(block);
    if RESERVED_NAMES.contains(&name.as_str()) {
        site.push(
            Diagnostic::error("Invalid variable name")
                .with_span(span.clone())
                .with_detail(format!("The variable name \"{name}\" is reserved due to its special meaning inside module blocks."))
                .with_help("choose another name"),
        );
        return;
    }
    site.only(
        &block.body,
        "a variable block",
        &[
            "type",
            "default",
            "description",
            "sensitive",
            "nullable",
            "ephemeral",
        ],
        &["validation"],
    );
    site.check_duplicate_arguments(&block.body);
    if let Some(previous) = module.variables.iter().find(|v| v.name == name) {
        let previous = previous.span.clone();
        site.push(duplicate("Duplicate variable declaration", &format!("A variable named \"{name}\" was already declared. Variable names must be unique within a module."), span, previous));
        return;
    }
    let parsed_type = block.body.get_attribute("type").and_then(|attribute| match parse_type_with_defaults(&attribute.value) {
        Ok(parsed) => Some(parsed),
        Err(message) => {
            let range = attribute.value.span().or_else(|| attribute.span()).unwrap_or(0..0);
            site.push(
                Diagnostic::error("Invalid type specification")
                    .with_span(site.span(range))
                    .with_detail(message)
                    .with_help("use string, number, bool, any, list(T), set(T), map(T), tuple([...]) or object({...})"),
            );
            None
        }
    });
    let (type_constraint, type_defaults) = match parsed_type {
        Some((kind, defaults)) => (Some(kind), defaults),
        None => (None, TypeDefaults::default()),
    };
    let default_attribute = block.body.get_attribute("default");
    let mut default = default_attribute.and_then(|a| site.constant(a, "default value"));
    if let (Some(kind), Some(attribute)) = (&type_constraint, default_attribute)
        && let Some(value) = default.take()
    {
        match kind.convert(value) {
            Ok(converted) => default = Some(type_defaults.apply(converted)),
            Err(message) => {
                let range = attribute
                    .value
                    .span()
                    .or_else(|| attribute.span())
                    .unwrap_or(0..0);
                site.push(
                    Diagnostic::error("Invalid default value for variable")
                        .with_span(site.span(range))
                        .with_detail(format!("This default value is not compatible with the variable's type constraint {kind}: {message}."))
                        .with_help(format!("change the default to a {kind} value, or change the type")),
                );
            }
        }
    }
    let description = block
        .body
        .get_attribute("description")
        .and_then(|a| site.constant_string(a, "description"));
    let sensitive = block
        .body
        .get_attribute("sensitive")
        .and_then(|a| site.constant_bool(a, "sensitive flag"))
        .unwrap_or(false);
    let nullable = block
        .body
        .get_attribute("nullable")
        .and_then(|a| site.constant_bool(a, "nullable flag"))
        .unwrap_or(true);
    let mut validations = Vec::new();
    for validation in block.body.get_blocks("validation") {
        let validation_span = site.header_span(validation);
        if site.labels(validation, &[]).is_none() {
            continue;
        }
        site.only(
            &validation.body,
            "a validation block",
            &["condition", "error_message"],
            &[],
        );
        let (Some(condition), Some(error_message)) = (
            validation.body.get_attribute("condition"),
            validation.body.get_attribute("error_message"),
        ) else {
            site.push(
                Diagnostic::error("Missing required argument")
                    .with_span(validation_span)
                    .with_detail(
                        "A validation block needs both \"condition\" and \"error_message\".",
                    )
                    .with_help("add `condition = <bool expression>` and `error_message = \"...\"`"),
            );
            continue;
        };
        let condition = site.expression(condition);
        let error_message = site.expression(error_message);
        // As in Terraform 1.9, a validation may use other input variables. Variables are
        // validated before anything else is evaluated, so locals and resources are out of reach.
        for reference in condition
            .references()
            .into_iter()
            .chain(error_message.references())
        {
            if !matches!(
                reference.target,
                crate::expression::ReferenceTarget::Variable(_)
            ) {
                site.push(
                    Diagnostic::error("Invalid reference in variable validation")
                        .with_span(reference.span.clone())
                        .with_detail(format!("The validation of variable \"{name}\" refers to `{}`, but validations are checked before locals and resources exist.", reference.target.address()))
                        .with_help(format!("refer only to input variables here, such as var.{name}")),
                );
            }
        }
        validations.push(VariableValidation {
            condition,
            error_message,
            span: validation_span,
        });
    }
    module.variables.push(Variable {
        name,
        type_constraint,
        type_defaults,
        default,
        description,
        sensitive,
        nullable,
        validations,
        span,
    });
}

/// Parses a type constraint expression such as `map(object({ name = string }))`.
pub fn parse_type(expression: &Ast) -> Result<TypeConstraint, String> {
    parse_type_with_defaults(expression).map(|(kind, _)| kind)
}

/// Parses a type constraint and the defaults of its `optional(type, default)` attributes.
pub fn parse_type_with_defaults(
    expression: &Ast,
) -> Result<(TypeConstraint, TypeDefaults), String> {
    parse_type_at(expression, 0)
}

const MAX_TYPE_DEPTH: usize = 64;

fn parse_type_at(expression: &Ast, depth: usize) -> Result<(TypeConstraint, TypeDefaults), String> {
    if depth > MAX_TYPE_DEPTH {
        return Err("The type constraint is nested too deeply.".into());
    }
    let plain = |kind: TypeConstraint| Ok((kind, TypeDefaults::default()));
    match expression {
        Ast::Variable(name) => match name.as_str() {
            "string" => plain(TypeConstraint::String),
            "number" => plain(TypeConstraint::Number),
            "bool" => plain(TypeConstraint::Bool),
            "any" => plain(TypeConstraint::Any),
            "list" => plain(TypeConstraint::List(Box::new(TypeConstraint::Any))),
            "set" => plain(TypeConstraint::Set(Box::new(TypeConstraint::Any))),
            "map" => plain(TypeConstraint::Map(Box::new(TypeConstraint::Any))),
            other => Err(format!(
                "The keyword \"{other}\" is not a valid type constraint."
            )),
        },
        Ast::String(text) => Err(format!(
            "A type is written as a keyword, not a string: write {} instead of \"{}\".",
            text.value(),
            text.value()
        )),
        Ast::FuncCall(call) => {
            let name = call.name.name.as_str();
            let arguments: Vec<&Ast> = call.args.iter().collect();
            let single = || -> Result<&Ast, String> {
                match arguments.as_slice() {
                    [only] => Ok(only),
                    _ => Err(format!(
                        "The {name} type constructor requires exactly one argument."
                    )),
                }
            };
            let collection = |wrap: fn(Box<TypeConstraint>) -> TypeConstraint| -> Result<(TypeConstraint, TypeDefaults), String> {
                let (element, defaults) = parse_type_at(single()?, depth + 1)?;
                Ok((wrap(Box::new(element)), TypeDefaults::for_elements(defaults)))
            };
            match name {
                "list" => collection(TypeConstraint::List),
                "set" => collection(TypeConstraint::Set),
                "map" => collection(TypeConstraint::Map),
                "tuple" => match single()? {
                    Ast::Array(items) => {
                        let kinds = items.iter().map(|item| parse_type_at(item, depth + 1).map(|(kind, _)| kind)).collect::<Result<_, _>>()?;
                        plain(TypeConstraint::Tuple(kinds))
                    }
                    _ => Err("The tuple type constructor requires a list of element types, as in tuple([string, number]).".into()),
                },
                "object" => match single()? {
                    Ast::Object(object) => {
                        let mut attributes = BTreeMap::new();
                        let mut defaults = TypeDefaults::default();
                        for (key, value) in object.iter() {
                            let key = match key {
                                ObjectKey::Ident(ident) => ident.as_str().to_string(),
                                ObjectKey::Expression(Ast::String(text)) => text.value().clone(),
                                ObjectKey::Expression(_) => return Err("Object type attribute names must be plain names.".into()),
                            };
                            let (kind, optional, default, nested) = parse_attribute_type(value.expr(), depth + 1)?;
                            if default.is_some() || !nested.is_empty() {
                                defaults.attributes.insert(key.clone(), (default, nested));
                            }
                            attributes.insert(key, (kind, optional));
                        }
                        Ok((TypeConstraint::Object(attributes), defaults))
                    }
                    _ => Err("The object type constructor requires an object of attribute types, as in object({ name = string }).".into()),
                },
                "optional" => Err("optional(...) is allowed only for an attribute inside object({...}).".into()),
                other => Err(format!("\"{other}\" is not a type constructor; use list, set, map, tuple or object.")),
            }
        }
        _ => Err(
            "A type constraint is a type keyword or constructor, such as string or list(number)."
                .into(),
        ),
    }
}

/// An object attribute's type: whether it is optional, its default, and defaults inside it.
fn parse_attribute_type(
    expression: &Ast,
    depth: usize,
) -> Result<(TypeConstraint, bool, Option<Value>, TypeDefaults), String> {
    let Ast::FuncCall(call) = expression else {
        let (kind, nested) = parse_type_at(expression, depth)?;
        return Ok((kind, false, None, nested));
    };
    if call.name.name.as_str() != "optional" {
        let (kind, nested) = parse_type_at(expression, depth)?;
        return Ok((kind, false, None, nested));
    }
    let arguments: Vec<&Ast> = call.args.iter().collect();
    let (kind_expression, default_expression) = match arguments.as_slice() {
        [kind] => (*kind, None),
        [kind, default] => (*kind, Some(*default)),
        _ => return Err("optional(...) takes a type and at most one default value.".into()),
    };
    let (kind, nested) = parse_type_at(kind_expression, depth)?;
    let default = match default_expression {
        None => None,
        Some(expression) => {
            let parsed = crate::expression::Expression::parsed(
                expression.clone(),
                crate::source::FileId(0),
                0..0,
            );
            if let Some(reference) = parsed.references().first() {
                return Err(format!(
                    "The default of an optional attribute must be a constant; it refers to `{}`.",
                    reference.target.address()
                ));
            }
            let value = parsed
                .evaluate(&crate::eval::EvalContext::default())
                .map_err(|d| format!("The default of an optional attribute is invalid: {d}"))?;
            let value = kind.convert(value).map_err(|message| format!("The default of an optional attribute does not match its type {kind}: {message}."))?;
            Some(nested.apply(value))
        }
    };
    Ok((kind, true, default, nested))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_attribute_defaults_fill_nulls_at_any_depth() {
        let text = "list(object({ name = string, size = optional(number, 8), tags = optional(map(string), {}), inner = optional(object({ on = optional(bool, true) }), {}) }))";
        let ast = hcl_edit::parser::parse_expr(text).unwrap();
        let (kind, defaults) = parse_type_with_defaults(&ast).unwrap();
        let value = Value::from_json(
            serde_json::json!([{ "name": "a" }, { "name": "b", "size": "16", "inner": { "on": false } }]),
        );
        let converted = defaults.apply(kind.convert(value).unwrap());
        assert_eq!(
            converted.to_json().unwrap(),
            serde_json::json!([
                { "name": "a", "size": 8, "tags": {}, "inner": { "on": true } },
                { "name": "b", "size": 16, "tags": {}, "inner": { "on": false } },
            ])
        );
    }

    #[test]
    fn type_expressions_parse() {
        let cases = [
            ("string", Ok("string")),
            ("list", Ok("list(any)")),
            ("map(list(number))", Ok("map(list(number))")),
            ("tuple([string, bool])", Ok("tuple([string, bool])")),
            (
                "object({ name = string, size = optional(number, 1) })",
                Ok("object({name = string, size = optional(number)})"),
            ),
            ("\"string\"", Err("not a string")),
            ("strin", Err("not a valid type constraint")),
            ("list(string, number)", Err("exactly one argument")),
            ("optional(string)", Err("only for an attribute")),
            (
                "object({ a = optional(number, \"x\") })",
                Err("does not match its type number"),
            ),
            (
                "object({ a = optional(string, var.x) })",
                Err("must be a constant"),
            ),
        ];
        for (text, expected) in cases {
            let ast = hcl_edit::parser::parse_expr(text).unwrap();
            match (parse_type(&ast), expected) {
                (Ok(kind), Ok(shown)) => assert_eq!(kind.to_string(), shown),
                (Err(message), Err(fragment)) => {
                    assert!(message.contains(fragment), "{text}: {message}")
                }
                (other, _) => panic!("{text}: {other:?}"),
            }
        }
    }
}
