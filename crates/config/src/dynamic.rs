//! Expanding `dynamic` blocks: each one becomes a block per element of its `for_each`, with the
//! content's arguments evaluated while the iterator is in scope.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::eval::EvalContext;
use crate::expression::Expression;
use crate::model::{Attribute, Block, Body};
use crate::value::Value;
use std::collections::BTreeMap;

/// Returns `body` with every `dynamic "kind"` block (at any depth) replaced by the `kind` blocks
/// it generates. Arguments inside generated blocks become literal expressions holding their
/// evaluated values (unknown where the inputs are); everything else is kept as written.
pub fn expand_dynamic_blocks(body: &Body, context: &EvalContext) -> Result<Body, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let expanded = expand(body, context, &mut Vec::new(), &mut diagnostics);
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(expanded)
    }
}

fn expand(
    body: &Body,
    context: &EvalContext,
    names: &mut Vec<(String, Value)>,
    diagnostics: &mut Diagnostics,
) -> Body {
    let attributes = body
        .attributes
        .iter()
        .map(|attribute| {
            if names.is_empty() {
                return attribute.clone();
            }
            let value = attribute
                .expression
                .evaluate_with_names(context, names)
                .unwrap_or_else(|errors| {
                    diagnostics.extend(errors);
                    Value::Unknown
                });
            Attribute {
                expression: Expression::literal(value, attribute.expression.span()),
                ..attribute.clone()
            }
        })
        .collect();
    let mut blocks = Vec::new();
    for block in &body.blocks {
        if block.kind == "dynamic" {
            blocks.extend(expand_dynamic(block, context, names, diagnostics));
        } else {
            blocks.push(Block {
                body: expand(&block.body, context, names, diagnostics),
                ..block.clone()
            });
        }
    }
    Body {
        attributes,
        blocks,
        span: body.span.clone(),
    }
}

fn expand_dynamic(
    block: &Block,
    context: &EvalContext,
    names: &mut Vec<(String, Value)>,
    diagnostics: &mut Diagnostics,
) -> Vec<Block> {
    let problem = |summary: &str, detail: &str, help: &str| {
        Diagnostic::error(summary)
            .with_span(block.span.clone())
            .with_detail(detail)
            .with_help(help)
    };
    let [kind] = block.labels.as_slice() else {
        diagnostics.push(problem(
            "Invalid dynamic block",
            "A dynamic block has exactly one label: the type of the blocks it generates.",
            "write `dynamic \"setting\" { ... }`",
        ));
        return Vec::new();
    };
    for attribute in &block.body.attributes {
        if !matches!(attribute.name.as_str(), "for_each" | "iterator" | "labels") {
            diagnostics.push(
                Diagnostic::error("Unsupported argument")
                    .with_span(attribute.name_span.clone())
                    .with_detail(format!("An argument named \"{}\" is not expected in a dynamic block.", attribute.name))
                    .with_help("a dynamic block takes for_each, iterator and labels; put the block's own arguments inside `content { ... }`"),
            );
        }
    }
    let Some(for_each) = block.body.attribute("for_each") else {
        diagnostics.push(problem(
            "Missing required argument",
            "The argument \"for_each\" is required in a dynamic block.",
            "add `for_each = <collection>`",
        ));
        return Vec::new();
    };
    let contents: Vec<&Block> = block.body.blocks_of_kind("content").collect();
    let [content] = contents.as_slice() else {
        diagnostics.push(problem(
            "Invalid dynamic block",
            &format!(
                "A dynamic block needs exactly one content block, but has {}.",
                contents.len()
            ),
            "put the generated block's arguments in one `content { ... }` block",
        ));
        return Vec::new();
    };
    let iterator = block.dynamic_iterator().unwrap_or_else(|| kind.clone());
    let collection = match for_each.expression.evaluate_with_names(context, names) {
        Ok(value) => value,
        Err(errors) => {
            diagnostics.extend(errors);
            return Vec::new();
        }
    };
    let elements: Vec<(Value, Value)> = match collection {
        Value::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(index, item)| (Value::integer(index as i64), item))
            .collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(key, value)| (Value::String(key), value))
            .collect(),
        // Not known yet: one block stands for the unknown number of them, its values unknown.
        Value::Unknown => vec![(Value::Unknown, Value::Unknown)],
        Value::Null => Vec::new(),
        other => {
            diagnostics.push(
                Diagnostic::error("Invalid dynamic for_each value")
                    .with_span(for_each.expression.span())
                    .with_detail(format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        other.type_name()
                    ))
                    .with_help("use a list, set or map"),
            );
            return Vec::new();
        }
    };
    let mut generated = Vec::with_capacity(elements.len());
    for (key, value) in elements {
        let element = Value::Object(BTreeMap::from([
            ("key".to_string(), key),
            ("value".to_string(), value),
        ]));
        names.push((iterator.clone(), element));
        let labels = match block.body.attribute("labels") {
            Some(labels) => match labels.expression.evaluate_with_names(context, names) {
                Ok(Value::List(items)) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map_or_else(|| item.to_string(), str::to_string)
                    })
                    .collect(),
                Ok(other) => {
                    diagnostics.push(
                        Diagnostic::error("Invalid dynamic block labels")
                            .with_span(labels.expression.span())
                            .with_help(
                                "write labels = [\"first\", \"second\"], one string per label",
                            )
                            .with_detail(format!(
                                "labels must be a list of strings, but have {}.",
                                other.type_name()
                            )),
                    );
                    Vec::new()
                }
                Err(errors) => {
                    diagnostics.extend(errors);
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        let body = expand(&content.body, context, names, diagnostics);
        names.pop();
        generated.push(Block {
            kind: kind.clone(),
            labels,
            body,
            span: block.span.clone(),
        });
    }
    generated
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_module_source;
    use std::path::Path;

    fn first_resource_body(text: &str) -> Body {
        let loaded = parse_module_source(Path::new("main.tf"), text)
            .unwrap_or_else(|(sources, d)| panic!("{}", d.render(&sources, false)));
        loaded.module.resources[0].body.clone()
    }

    fn shape(body: &Body, context: &EvalContext) -> Vec<String> {
        body.blocks
            .iter()
            .map(|block| {
                let attributes: Vec<String> = block
                    .body
                    .attributes
                    .iter()
                    .map(|a| format!("{}={}", a.name, a.expression.evaluate(context).unwrap()))
                    .collect();
                format!("{}{:?}[{}]", block.kind, block.labels, attributes.join(" "))
            })
            .collect()
    }

    #[test]
    fn dynamic_blocks_expand_per_element_with_their_iterator() {
        let body = first_resource_body(
            r#"
variable "ports" {
  default = [80, 443]
}

resource "aws_security_group" "web" {
  name = "web"

  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port = ingress.value
      note      = "rule ${ingress.key}"
    }
  }

  dynamic "tag" {
    for_each = { a = "x" }
    iterator = t
    labels   = [t.key]
    content {
      value = upper(t.value)
    }
  }

  static {
    kept = true
  }
}
"#,
        );
        let mut context = EvalContext::new(".");
        context.variables.insert(
            "ports".into(),
            Value::List(vec![Value::integer(80), Value::integer(443)]),
        );
        let expanded = expand_dynamic_blocks(&body, &context).unwrap();
        assert_eq!(
            shape(&expanded, &context),
            [
                "ingress[][from_port=80 note=\"rule 0\"]",
                "ingress[][from_port=443 note=\"rule 1\"]",
                "tag[\"a\"][value=\"X\"]",
                "static[][kept=true]",
            ]
        );
        context.variables.insert("ports".into(), Value::Unknown);
        let expanded = expand_dynamic_blocks(&body, &context).unwrap();
        assert_eq!(
            shape(&expanded, &context)[0],
            "ingress[][from_port=(known after apply) note=(known after apply)]"
        );
    }

    #[test]
    fn malformed_dynamic_blocks_are_diagnosed() {
        let body = first_resource_body(
            "resource \"x\" \"y\" {\n  dynamic \"a\" {\n    content {}\n  }\n  dynamic \"b\" {\n    for_each = 3\n    content {}\n  }\n}\n",
        );
        let errors = expand_dynamic_blocks(&body, &EvalContext::new(".")).unwrap_err();
        let summaries: Vec<&str> = errors.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "Missing required argument",
                "Invalid dynamic for_each value"
            ]
        );
    }
}
