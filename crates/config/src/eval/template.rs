//! String templates: interpolation, `%{if}` and `%{for}` directives, and `~` whitespace stripping.

use super::{EvalResult, Evaluator};
use crate::diagnostic::Diagnostic;
use crate::value::{Value, format_number};
use hcl_edit::template::{Directive, Element, Template};
use std::ops::Range;

/// Whether a template element strips whitespace from the literal before and after it.
fn strips(element: &Element) -> (bool, bool) {
    match element {
        Element::Literal(_) => (false, false),
        Element::Interpolation(interpolation) => (
            interpolation.strip.strip_start(),
            interpolation.strip.strip_end(),
        ),
        Element::Directive(directive) => match directive.as_ref() {
            Directive::If(if_directive) => (
                if_directive.if_expr.strip.strip_start(),
                if_directive.endif_expr.strip.strip_end(),
            ),
            Directive::For(for_directive) => (
                for_directive.for_expr.strip.strip_start(),
                for_directive.endfor_expr.strip.strip_end(),
            ),
        },
    }
}

/// A template result while it is being built: unknown as soon as one part is.
enum Rendered {
    Known(String),
    Unknown,
}

impl Rendered {
    fn push(&mut self, part: Rendered) {
        match (self, part) {
            (Rendered::Known(text), Rendered::Known(more)) => text.push_str(&more),
            (this, _) => *this = Rendered::Unknown,
        }
    }
}

impl Evaluator<'_> {
    pub(crate) fn eval_template_expression(
        &mut self,
        template: &Template,
        range: &Range<usize>,
    ) -> EvalResult {
        // A template that is exactly one interpolation yields the value itself, unconverted.
        if let Some(Element::Interpolation(interpolation)) = template.as_single_element() {
            return self.eval(&interpolation.expr, range);
        }
        Ok(match self.render(template, false, false, range)? {
            Rendered::Known(text) => Value::String(text),
            Rendered::Unknown => Value::Unknown,
        })
    }

    /// A directive's body. hcl-edit dedents only a heredoc's top-level text, so bodies are
    /// dedented here.
    fn render_body(
        &mut self,
        template: &Template,
        strip_leading: bool,
        strip_trailing: bool,
        range: &Range<usize>,
    ) -> Result<Rendered, Diagnostic> {
        self.directive_depth += 1;
        let result = self.render(template, strip_leading, strip_trailing, range);
        self.directive_depth -= 1;
        result
    }

    fn render(
        &mut self,
        template: &Template,
        strip_leading: bool,
        strip_trailing: bool,
        range: &Range<usize>,
    ) -> Result<Rendered, Diagnostic> {
        let elements: Vec<&Element> = template.iter().collect();
        let mut out = Rendered::Known(String::new());
        for (position, element) in elements.iter().enumerate() {
            match element {
                Element::Literal(text) => {
                    let strip_before = if position == 0 {
                        strip_leading
                    } else {
                        strips(elements[position - 1]).1
                    };
                    let strip_after = if position + 1 == elements.len() {
                        strip_trailing
                    } else {
                        strips(elements[position + 1]).0
                    };
                    let dedented = match (self.directive_depth, self.heredoc_indent) {
                        (1.., Some(indent)) => dedent_lines(text.value(), indent),
                        _ => text.value().to_string(),
                    };
                    let mut text: &str = &dedented;
                    if strip_before {
                        text = text.trim_start();
                    }
                    if strip_after {
                        text = text.trim_end();
                    }
                    out.push(Rendered::Known(text.to_string()));
                }
                Element::Interpolation(interpolation) => {
                    let value = self.eval(&interpolation.expr, range)?;
                    let inner = Self::range_of(&interpolation.expr, range);
                    out.push(self.stringify(value, &inner)?);
                }
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(if_directive) => {
                        let condition_range =
                            Self::range_of(&if_directive.if_expr.cond_expr, range);
                        let condition = self.eval(&if_directive.if_expr.cond_expr, range)?;
                        let then_trailing = if_directive
                            .else_expr
                            .as_ref()
                            .map_or(if_directive.endif_expr.strip.strip_start(), |e| {
                                e.strip.strip_start()
                            });
                        match self.expect_bool(condition, &condition_range, "condition")? {
                            Some(true) => {
                                let part = self.render_body(
                                    &if_directive.if_expr.template,
                                    if_directive.if_expr.strip.strip_end(),
                                    then_trailing,
                                    range,
                                )?;
                                out.push(part);
                            }
                            Some(false) => {
                                if let Some(else_expr) = &if_directive.else_expr {
                                    let part = self.render_body(
                                        &else_expr.template,
                                        else_expr.strip.strip_end(),
                                        if_directive.endif_expr.strip.strip_start(),
                                        range,
                                    )?;
                                    out.push(part);
                                }
                            }
                            None => out.push(Rendered::Unknown),
                        }
                    }
                    Directive::For(for_directive) => {
                        let intro = &for_directive.for_expr;
                        let collection = self.eval(&intro.collection_expr, range)?;
                        let collection_range = Self::range_of(&intro.collection_expr, range);
                        let Some(pairs) = self.iteration_pairs(collection, &collection_range)?
                        else {
                            out.push(Rendered::Unknown);
                            continue;
                        };
                        for (key, value) in pairs {
                            let depth = self.scopes.len();
                            if let Some(key_var) = &intro.key_var {
                                self.scopes.push((key_var.as_str().to_string(), key));
                            }
                            self.scopes
                                .push((intro.value_var.as_str().to_string(), value));
                            let part = self.render_body(
                                &intro.template,
                                intro.strip.strip_end(),
                                for_directive.endfor_expr.strip.strip_start(),
                                range,
                            );
                            self.scopes.truncate(depth);
                            out.push(part?);
                        }
                    }
                },
            }
        }
        Ok(out)
    }

    fn stringify(&self, value: Value, range: &Range<usize>) -> Result<Rendered, Diagnostic> {
        match value {
            Value::Unknown => Ok(Rendered::Unknown),
            Value::String(text) => Ok(Rendered::Known(text)),
            Value::Number(number) => Ok(Rendered::Known(format_number(&number))),
            Value::Bool(flag) => Ok(Rendered::Known(flag.to_string())),
            Value::Null => Err(self.error(range, "Invalid template interpolation value", "The expression result is null. Cannot include a null value in a string template.".into())),
            other => Err(self.error(range, "Invalid template interpolation value", format!("Cannot include the given value in a string template: string required, but have {}.", other.type_name()))
                .with_help("convert it first, e.g. with jsonencode(...) or join(\", \", ...)")),
        }
    }
}

/// Removes up to `indent` spaces at the start of every line after the first (the first continues
/// a line that began before the directive).
fn dedent_lines(text: &str, indent: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
            let spaces = line.len() - line.trim_start_matches(' ').len();
            out.push_str(&line[spaces.min(indent)..]);
        } else {
            out.push_str(line);
        }
    }
    out
}
