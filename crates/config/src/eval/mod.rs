//! The expression evaluator: hcl-edit's syntax tree to [`Value`], propagating unknowns.

mod collections;
mod operators;
mod template;
#[cfg(test)]
mod tests;
mod traversal;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::functions::{self, FunctionContext};
use crate::source::{FileId, Span};
use crate::value::Value;
use hcl_edit::Span as _;
use hcl_edit::expr::Expression as Ast;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

/// Everything an expression may refer to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvalContext {
    pub variables: BTreeMap<String, Value>,
    pub locals: BTreeMap<String, Value>,
    /// By address (`aws_s3_bucket.b`, `data.x.y`): an object; a list for `count`; an object keyed
    /// by `for_each` key; `Unknown` when not yet known.
    pub resources: BTreeMap<String, Value>,
    pub count_index: Option<i64>,
    /// `each.key` and `each.value`.
    pub each: Option<(Value, Value)>,
    pub self_value: Option<Value>,
    pub path_module: PathBuf,
    pub path_root: PathBuf,
    pub path_cwd: PathBuf,
    pub workspace: String,
}

impl EvalContext {
    /// A context rooted at `directory` (module, root and working directory alike) in the
    /// `default` workspace.
    pub fn new(directory: impl Into<PathBuf>) -> EvalContext {
        let directory = directory.into();
        EvalContext {
            path_module: directory.clone(),
            path_root: directory.clone(),
            path_cwd: directory,
            workspace: "default".into(),
            ..EvalContext::default()
        }
    }
}

pub(crate) type EvalResult = Result<Value, Diagnostic>;

pub(crate) fn evaluate_ast(
    ast: &Ast,
    file: FileId,
    fallback: &Range<usize>,
    context: &EvalContext,
    names: &[(String, Value)],
) -> Result<Value, Diagnostics> {
    let mut evaluator = Evaluator {
        context,
        file,
        scopes: names.to_vec(),
        depth: 0,
        heredoc_indent: None,
        directive_depth: 0,
        in_template_file: false,
        iterations: 0,
    };
    evaluator
        .eval(ast, fallback)
        .map_err(|diagnostic| Diagnostics::from(with_default_help(diagnostic)))
}

/// Every evaluation error says how to fix it: those raised without a specific hint get the
/// general one for their kind.
fn with_default_help(diagnostic: Diagnostic) -> Diagnostic {
    if diagnostic.help.is_some() {
        return diagnostic;
    }
    let help = match diagnostic.summary.as_str() {
        "Unsupported attribute" => {
            "check the attribute's name; try(expression, fallback) gives a default when it may be absent"
        }
        "Invalid index" => {
            "check the index or key; lookup(map, key, default) or try(expression, fallback) gives a default"
        }
        "Division by zero" => "guard the division, e.g. divisor == 0 ? 0 : value / divisor",
        "Attempt to get attribute from null value" | "Attempt to index null value" => {
            "check for null first, e.g. value == null ? fallback : value.name, or use try(...)"
        }
        "Invalid operand" => "convert the operand first, e.g. with tonumber(...) or tobool(...)",
        "Iteration over null value" => "iterate over a list or map, e.g. coalesce(collection, [])",
        "Iteration over non-iterable value" => "a 'for' iterates over a list, set, map or object",
        "Invalid template interpolation value" => "give a default, e.g. coalesce(value, \"\")",
        "Unknown variable" => {
            "refer to var.NAME, local.NAME, a resource address, or a 'for' variable in scope"
        }
        "Arithmetic overflow" => "the numbers involved are too large; check the operands",
        "Invalid object key" => "object keys are strings; convert with tostring(...)",
        "Invalid expanding argument value" => {
            "only a list may be expanded with ... as the last argument"
        }
        "Expression too deeply nested" => "split the expression into smaller local values",
        "Invalid reference" => "refer to an attribute of the object, e.g. var.NAME",
        summary if summary.starts_with("Invalid") && summary.ends_with("condition value") => {
            "a condition must be true or false; compare explicitly, e.g. value != null"
        }
        _ => return diagnostic,
    };
    diagnostic.with_help(help)
}

/// Deeply nested input must not overflow the stack; Terraform has no practical need past this.
const MAX_DEPTH: usize = 256;

pub(crate) struct Evaluator<'a> {
    pub(crate) context: &'a EvalContext,
    pub(crate) file: FileId,
    /// Names bound by `for` expressions and template `for` directives, innermost last.
    pub(crate) scopes: Vec<(String, Value)>,
    depth: usize,
    /// The indentation `<<-` removed from the heredoc being rendered.
    pub(crate) heredoc_indent: Option<usize>,
    /// How many template directives enclose the literal being rendered.
    pub(crate) directive_depth: usize,
    /// Inside `templatefile`, which may not call itself (the recursion could be endless).
    in_template_file: bool,
    /// `for` iterations so far, checked against a budget.
    iterations: usize,
}

impl Evaluator<'_> {
    pub(crate) fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    pub(crate) fn range_of(ast: &Ast, parent: &Range<usize>) -> Range<usize> {
        ast.span().unwrap_or_else(|| parent.clone())
    }

    pub(crate) fn error(&self, range: &Range<usize>, summary: &str, detail: String) -> Diagnostic {
        Diagnostic::error(summary)
            .with_span(self.span(range.clone()))
            .with_detail(detail)
    }

    pub(crate) fn eval(&mut self, ast: &Ast, parent: &Range<usize>) -> EvalResult {
        let range = Self::range_of(ast, parent);
        if self.depth >= MAX_DEPTH {
            return Err(self.error(
                &range,
                "Expression too deeply nested",
                format!("Expressions may nest at most {MAX_DEPTH} levels deep."),
            ));
        }
        self.depth += 1;
        let result = self.eval_inner(ast, &range);
        self.depth -= 1;
        result
    }

    fn eval_inner(&mut self, ast: &Ast, range: &Range<usize>) -> EvalResult {
        match ast {
            Ast::Null(_) => Ok(Value::Null),
            Ast::Bool(flag) => Ok(Value::Bool(*flag.value())),
            Ast::Number(number) => {
                let number = number.value();
                Ok(match number.as_i64() {
                    Some(integer) => Value::integer(integer),
                    None => Value::number(number.as_f64().unwrap_or(0.0)),
                })
            }
            Ast::String(text) => Ok(Value::String(text.value().clone())),
            Ast::Array(array) => {
                let mut items = Vec::with_capacity(array.len());
                for item in array.iter() {
                    items.push(self.eval(item, range)?);
                }
                Ok(Value::List(items))
            }
            Ast::Object(object) => self.eval_object(object, range),
            Ast::StringTemplate(template) => self.eval_template_expression(template, range),
            Ast::HeredocTemplate(heredoc) => {
                let outer = (self.heredoc_indent, self.directive_depth);
                self.heredoc_indent = heredoc.indent();
                self.directive_depth = 0;
                let result = self.eval_template_expression(&heredoc.template, range);
                (self.heredoc_indent, self.directive_depth) = outer;
                result
            }
            Ast::Parenthesis(inner) => self.eval(inner.inner(), range),
            Ast::Variable(name) => self.eval_variable(name.as_str(), range),
            Ast::Conditional(conditional) => self.eval_conditional(conditional, range),
            Ast::FuncCall(call) => self.eval_call(call, range),
            Ast::Traversal(traversal) => self.eval_traversal(traversal, range),
            Ast::UnaryOp(operation) => {
                let operand = self.eval(&operation.expr, range)?;
                self.unary(*operation.operator.value(), operand, range)
            }
            Ast::BinaryOp(operation) => {
                let left = self.eval(&operation.lhs_expr, range)?;
                let right = self.eval(&operation.rhs_expr, range)?;
                self.binary(*operation.operator.value(), left, right, range)
            }
            Ast::ForExpr(for_expr) => self.eval_for(for_expr, range),
        }
    }

    /// As in HCL, only the chosen branch's errors count (none while the condition is unknown),
    /// and a primitive result takes the type both branches unify to: a number or bool chosen
    /// against a string branch becomes a string.
    fn eval_conditional(
        &mut self,
        conditional: &hcl_edit::expr::Conditional,
        range: &Range<usize>,
    ) -> EvalResult {
        let condition = self.eval(&conditional.cond_expr, range)?;
        let condition_range = Self::range_of(&conditional.cond_expr, range);
        let (chosen, other) = match self.expect_bool(condition, &condition_range, "condition")? {
            None => return Ok(Value::Unknown),
            Some(true) => (&conditional.true_expr, &conditional.false_expr),
            Some(false) => (&conditional.false_expr, &conditional.true_expr),
        };
        let value = self.eval(chosen, range)?;
        let unify_to_string = matches!(value, Value::Number(_) | Value::Bool(_))
            && matches!(self.eval(other, range), Ok(Value::String(_)));
        if unify_to_string {
            return crate::types::TypeConstraint::String
                .convert(value)
                .map_err(|message| {
                    self.error(range, "Inconsistent conditional result types", message)
                });
        }
        Ok(value)
    }

    /// A condition's truth: `None` when unknown. Strings "true"/"false" convert as in Terraform.
    pub(crate) fn expect_bool(
        &self,
        value: Value,
        range: &Range<usize>,
        what: &str,
    ) -> Result<Option<bool>, Diagnostic> {
        match crate::types::TypeConstraint::Bool.convert(value) {
            Ok(Value::Bool(flag)) => Ok(Some(flag)),
            Ok(Value::Unknown) => Ok(None),
            Ok(Value::Null) => Err(self.error(
                range,
                &format!("Invalid {what} value"),
                format!("The {what} value is null. Conditions must either be true or false."),
            )),
            Ok(other) => Err(self.error(
                range,
                &format!("Invalid {what} value"),
                format!("A bool is required, but have {}.", other.type_name()),
            )),
            Err(message) => Err(self.error(
                range,
                &format!("Invalid {what} value"),
                format!("The {what} must be a bool: {message}."),
            )),
        }
    }

    fn eval_call(&mut self, call: &hcl_edit::expr::FuncCall, range: &Range<usize>) -> EvalResult {
        let name = if call.name.is_namespaced() {
            let mut parts: Vec<&str> = call.name.namespace.iter().map(|p| p.as_str()).collect();
            parts.push(call.name.name.as_str());
            parts.join("::")
        } else {
            call.name.name.as_str().to_string()
        };
        let arguments: Vec<&Ast> = call.args.iter().collect();
        if name == "templatefile" && self.in_template_file {
            return Err(self.error(
                range,
                "Error in function call",
                "Call to function \"templatefile\" failed: templatefile cannot be called from inside a template file.".into(),
            )
            .with_help("render the inner template first and pass its text in as a variable"));
        }
        if name == "try" || name == "can" {
            return self.eval_try_or_can(&name, &arguments, range);
        }
        let mut values = Vec::with_capacity(arguments.len());
        for argument in &arguments {
            values.push(self.eval(argument, range)?);
        }
        if call.args.expand_final() {
            match values.pop() {
                Some(Value::List(items)) => values.extend(items),
                Some(Value::Unknown) => return Ok(Value::Unknown),
                Some(other) => {
                    let last_range = arguments
                        .last()
                        .map_or_else(|| range.clone(), |a| Self::range_of(a, range));
                    return Err(self.error(
                        &last_range,
                        "Invalid expanding argument value",
                        format!(
                            "The expanding argument (indicated by ...) must be a list, but have {}.",
                            other.type_name()
                        ),
                    ));
                }
                None => {}
            }
        }
        // Terraform resolves relative paths in file functions against the working directory;
        // configurations use "${path.module}/..." to be independent of it.
        let function_context = FunctionContext {
            base_directory: &self.context.path_cwd,
        };
        functions::call(&name, values, &function_context)
            .map_err(|error| error.into_diagnostic(&name, self.span(range.clone())))
    }

    /// `try` and `can` evaluate their arguments lazily: an argument's error is the signal.
    fn eval_try_or_can(
        &mut self,
        name: &str,
        arguments: &[&Ast],
        range: &Range<usize>,
    ) -> EvalResult {
        let signature = if name == "try" {
            "try(expressions...)"
        } else {
            "can(expression)"
        };
        let arity_ok = if name == "try" {
            !arguments.is_empty()
        } else {
            arguments.len() == 1
        };
        if !arity_ok {
            return Err(self
                .error(
                    range,
                    "Wrong number of function arguments",
                    format!(
                        "Function \"{name}\" expects {}: {signature}.",
                        if name == "try" {
                            "at least one argument"
                        } else {
                            "exactly one argument"
                        }
                    ),
                )
                .with_help(format!("call it as {signature}")));
        }
        let mut last_error = None;
        for argument in arguments {
            match self.eval(argument, range) {
                Ok(value) if !value.is_known() => return Ok(Value::Unknown),
                Ok(value) => {
                    return Ok(if name == "can" {
                        Value::Bool(true)
                    } else {
                        value
                    });
                }
                Err(error) => last_error = Some(error),
            }
        }
        if name == "can" {
            return Ok(Value::Bool(false));
        }
        let detail = last_error.map_or_else(String::new, |e| {
            format!(
                "The last expression failed: {}{}",
                e.summary,
                e.detail.map(|d| format!(": {d}")).unwrap_or_default()
            )
        });
        Err(self.error(
            range,
            "Error in function call",
            format!("Call to function \"try\" failed: no expression succeeded. {detail}"),
        ))
    }
}

/// Renders a template file's text (for `templatefile`) with `variables` as its only names.
pub(crate) fn render_template_text(
    text: &str,
    variables: &BTreeMap<String, Value>,
    base_directory: &std::path::Path,
) -> Result<Value, String> {
    let template = hcl_edit::parser::parse_template(text).map_err(|error| {
        format!(
            "line {}, column {}: {}",
            error.location().line(),
            error.location().column(),
            error.message()
        )
    })?;
    let context = EvalContext::new(base_directory);
    let mut evaluator = Evaluator {
        context: &context,
        file: FileId(0),
        scopes: variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        depth: 0,
        heredoc_indent: None,
        directive_depth: 0,
        in_template_file: true,
        iterations: 0,
    };
    evaluator
        .eval_template_expression(&template, &(0..text.len()))
        .map_err(|diagnostic| {
            let location = diagnostic.span.as_ref().map(|span| {
                let offset = crate::source::clamp_to_char_boundary(text, span.range.start);
                let line = text[..offset].matches('\n').count() + 1;
                format!("line {line}: ")
            });
            format!(
                "{}{}: {}",
                location.unwrap_or_default(),
                diagnostic.summary,
                diagnostic.detail.unwrap_or_default()
            )
        })
}
