//! Parsed expressions with their spans, and the references they make.

use crate::diagnostic::Diagnostics;
use crate::eval::EvalContext;
use crate::model::{ResourceMode, resource_address};
use crate::source::{FileId, Span};
use crate::value::{PathStep, Value};
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression as Ast, TraversalOperator};
use hcl_edit::template::{Directive, Element, Template};

/// An expression: either parsed from source or a literal value made by the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    kind: ExpressionKind,
    span: Span,
}

#[derive(Debug, Clone, PartialEq)]
enum ExpressionKind {
    Parsed(Box<Ast>),
    Literal(Value),
}

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReferenceTarget {
    Variable(String),
    Local(String),
    Resource {
        mode: ResourceMode,
        type_name: String,
        name: String,
    },
    CountIndex,
    EachKey,
    EachValue,
    PathModule,
    PathRoot,
    PathCwd,
    TerraformWorkspace,
    SelfObject,
}

impl ReferenceTarget {
    pub fn address(&self) -> String {
        match self {
            ReferenceTarget::Variable(name) => format!("var.{name}"),
            ReferenceTarget::Local(name) => format!("local.{name}"),
            ReferenceTarget::Resource {
                mode,
                type_name,
                name,
            } => resource_address(*mode, type_name, name),
            ReferenceTarget::CountIndex => "count.index".into(),
            ReferenceTarget::EachKey => "each.key".into(),
            ReferenceTarget::EachValue => "each.value".into(),
            ReferenceTarget::PathModule => "path.module".into(),
            ReferenceTarget::PathRoot => "path.root".into(),
            ReferenceTarget::PathCwd => "path.cwd".into(),
            ReferenceTarget::TerraformWorkspace => "terraform.workspace".into(),
            ReferenceTarget::SelfObject => "self".into(),
        }
    }
}

/// A reference such as `aws_s3_bucket.b.arn`: the target and what follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub target: ReferenceTarget,
    /// What follows the target, e.g. `["arn"]`.
    pub path: Vec<PathStep>,
    pub span: Span,
}

impl Expression {
    pub(crate) fn parsed(ast: Ast, file: FileId, fallback: std::ops::Range<usize>) -> Expression {
        let range = ast.span().unwrap_or(fallback);
        Expression {
            kind: ExpressionKind::Parsed(Box::new(ast)),
            span: Span::new(file, range),
        }
    }

    pub fn literal(value: Value, span: Span) -> Expression {
        Expression {
            kind: ExpressionKind::Literal(value),
            span,
        }
    }

    pub fn span(&self) -> Span {
        self.span.clone()
    }

    /// The value if the expression is a literal value made by the engine.
    pub fn as_literal(&self) -> Option<&Value> {
        match &self.kind {
            ExpressionKind::Literal(value) => Some(value),
            ExpressionKind::Parsed(_) => None,
        }
    }

    pub fn references(&self) -> Vec<Reference> {
        self.walk().references
    }

    /// Every function called, by name (namespaced as `provider::x::y`), with the call's span.
    pub fn function_calls(&self) -> Vec<(String, Span)> {
        self.walk().calls
    }

    fn walk(&self) -> ReferenceWalker {
        let mut walker = ReferenceWalker {
            file: self.span.file,
            scope: Vec::new(),
            references: Vec::new(),
            calls: Vec::new(),
        };
        if let ExpressionKind::Parsed(ast) = &self.kind {
            walker.expression(ast, &self.span.range);
        }
        walker
    }

    pub fn evaluate(&self, context: &EvalContext) -> Result<Value, Diagnostics> {
        self.evaluate_with_names(context, &[])
    }

    /// Evaluates with extra bare names in scope, such as a `dynamic` block's iterator; they
    /// shadow references of the same name.
    pub fn evaluate_with_names(
        &self,
        context: &EvalContext,
        names: &[(String, Value)],
    ) -> Result<Value, Diagnostics> {
        match &self.kind {
            ExpressionKind::Literal(value) => Ok(value.clone()),
            ExpressionKind::Parsed(ast) => {
                crate::eval::evaluate_ast(ast, self.span.file, &self.span.range, context, names)
            }
        }
    }

    /// The steps of a static traversal such as `tags["a"].b` or `aws_s3_bucket.b`, with the root
    /// as the first `Attribute` step; `None` for anything computed.
    pub fn as_static_traversal(&self) -> Option<Vec<PathStep>> {
        match &self.kind {
            ExpressionKind::Parsed(ast) => static_traversal(ast),
            ExpressionKind::Literal(_) => None,
        }
    }
}

pub(crate) fn static_traversal(ast: &Ast) -> Option<Vec<PathStep>> {
    match ast {
        Ast::Variable(name) => Some(vec![PathStep::Attribute(name.as_str().to_string())]),
        Ast::Traversal(traversal) => {
            let Ast::Variable(root) = &traversal.expr else {
                return None;
            };
            let mut steps = vec![PathStep::Attribute(root.as_str().to_string())];
            for operator in &traversal.operators {
                steps.push(static_step(operator.value())?);
            }
            Some(steps)
        }
        _ => None,
    }
}

fn static_step(operator: &TraversalOperator) -> Option<PathStep> {
    match operator {
        TraversalOperator::GetAttr(name) => Some(PathStep::Attribute(name.as_str().to_string())),
        TraversalOperator::LegacyIndex(index) => Some(PathStep::Index(Value::integer(
            i64::try_from(*index.value()).ok()?,
        ))),
        TraversalOperator::Index(Ast::Number(number)) => {
            Some(PathStep::Index(Value::number(number.value().as_f64()?)))
        }
        TraversalOperator::Index(Ast::String(text)) => {
            Some(PathStep::Index(Value::string(text.value().clone())))
        }
        _ => None,
    }
}

/// Resolves the root of a traversal (`var.x`, `aws_s3_bucket.b`, `count.index`) to a target and
/// the number of operators that target consumed.
pub(crate) fn reference_target(
    root: &str,
    operators: &[&TraversalOperator],
) -> Option<(ReferenceTarget, usize)> {
    let attribute = |index: usize| match operators.get(index) {
        Some(TraversalOperator::GetAttr(name)) => Some(name.as_str().to_string()),
        _ => None,
    };
    Some(match root {
        "var" => (ReferenceTarget::Variable(attribute(0)?), 1),
        "local" => (ReferenceTarget::Local(attribute(0)?), 1),
        "count" => match attribute(0)?.as_str() {
            "index" => (ReferenceTarget::CountIndex, 1),
            _ => return None,
        },
        "each" => match attribute(0)?.as_str() {
            "key" => (ReferenceTarget::EachKey, 1),
            "value" => (ReferenceTarget::EachValue, 1),
            _ => return None,
        },
        "path" => match attribute(0)?.as_str() {
            "module" => (ReferenceTarget::PathModule, 1),
            "root" => (ReferenceTarget::PathRoot, 1),
            "cwd" => (ReferenceTarget::PathCwd, 1),
            _ => return None,
        },
        "terraform" => match attribute(0)?.as_str() {
            "workspace" => (ReferenceTarget::TerraformWorkspace, 1),
            _ => return None,
        },
        "self" => (ReferenceTarget::SelfObject, 0),
        "data" => (
            ReferenceTarget::Resource {
                mode: ResourceMode::Data,
                type_name: attribute(0)?,
                name: attribute(1)?,
            },
            2,
        ),
        _ => (
            ReferenceTarget::Resource {
                mode: ResourceMode::Managed,
                type_name: root.to_string(),
                name: attribute(0)?,
            },
            1,
        ),
    })
}

struct ReferenceWalker {
    file: FileId,
    /// Names bound by enclosing `for` expressions and directives, which shadow references.
    scope: Vec<String>,
    references: Vec<Reference>,
    calls: Vec<(String, Span)>,
}

impl ReferenceWalker {
    fn push_reference(
        &mut self,
        root: &str,
        operators: &[&TraversalOperator],
        range: std::ops::Range<usize>,
    ) {
        if self.scope.iter().any(|name| name == root) {
            return;
        }
        let Some((target, consumed)) = reference_target(root, operators) else {
            return;
        };
        let path = operators[consumed..]
            .iter()
            .map_while(|operator| static_step(operator))
            .collect();
        self.references.push(Reference {
            target,
            path,
            span: Span::new(self.file, range),
        });
    }

    fn expression(&mut self, ast: &Ast, parent: &std::ops::Range<usize>) {
        let range = ast.span().unwrap_or_else(|| parent.clone());
        match ast {
            Ast::Null(_) | Ast::Bool(_) | Ast::Number(_) | Ast::String(_) => {}
            Ast::Variable(name) => self.push_reference(name.as_str(), &[], range),
            Ast::Array(array) => {
                for item in array.iter() {
                    self.expression(item, &range);
                }
            }
            Ast::Object(object) => {
                for (key, value) in object.iter() {
                    if let Some(key) = key.as_expr() {
                        self.expression(key, &range);
                    }
                    self.expression(value.expr(), &range);
                }
            }
            Ast::StringTemplate(template) => self.template(template, &range),
            Ast::HeredocTemplate(heredoc) => self.template(&heredoc.template, &range),
            Ast::Parenthesis(inner) => self.expression(inner.inner(), &range),
            Ast::Conditional(conditional) => {
                self.expression(&conditional.cond_expr, &range);
                self.expression(&conditional.true_expr, &range);
                self.expression(&conditional.false_expr, &range);
            }
            Ast::FuncCall(call) => {
                let mut name: Vec<&str> = call.name.namespace.iter().map(|p| p.as_str()).collect();
                name.push(call.name.name.as_str());
                self.calls
                    .push((name.join("::"), Span::new(self.file, range.clone())));
                for argument in call.args.iter() {
                    self.expression(argument, &range);
                }
            }
            Ast::Traversal(traversal) => {
                let operators: Vec<&TraversalOperator> =
                    traversal.operators.iter().map(|o| o.value()).collect();
                if let Ast::Variable(root) = &traversal.expr {
                    self.push_reference(root.as_str(), &operators, range.clone());
                } else {
                    self.expression(&traversal.expr, &range);
                }
                for operator in operators {
                    if let TraversalOperator::Index(index) = operator {
                        self.expression(index, &range);
                    }
                }
            }
            Ast::UnaryOp(operation) => self.expression(&operation.expr, &range),
            Ast::BinaryOp(operation) => {
                self.expression(&operation.lhs_expr, &range);
                self.expression(&operation.rhs_expr, &range);
            }
            Ast::ForExpr(for_expr) => {
                self.expression(&for_expr.intro.collection_expr, &range);
                let depth = self.scope.len();
                if let Some(key) = &for_expr.intro.key_var {
                    self.scope.push(key.as_str().to_string());
                }
                self.scope
                    .push(for_expr.intro.value_var.as_str().to_string());
                if let Some(key) = &for_expr.key_expr {
                    self.expression(key, &range);
                }
                self.expression(&for_expr.value_expr, &range);
                if let Some(condition) = &for_expr.cond {
                    self.expression(&condition.expr, &range);
                }
                self.scope.truncate(depth);
            }
        }
    }

    fn template(&mut self, template: &Template, range: &std::ops::Range<usize>) {
        for element in template.iter() {
            match element {
                Element::Literal(_) => {}
                Element::Interpolation(interpolation) => {
                    self.expression(&interpolation.expr, range)
                }
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(if_directive) => {
                        self.expression(&if_directive.if_expr.cond_expr, range);
                        self.template(&if_directive.if_expr.template, range);
                        if let Some(else_expr) = &if_directive.else_expr {
                            self.template(&else_expr.template, range);
                        }
                    }
                    Directive::For(for_directive) => {
                        let intro = &for_directive.for_expr;
                        self.expression(&intro.collection_expr, range);
                        let depth = self.scope.len();
                        if let Some(key) = &intro.key_var {
                            self.scope.push(key.as_str().to_string());
                        }
                        self.scope.push(intro.value_var.as_str().to_string());
                        self.template(&intro.template, range);
                        self.scope.truncate(depth);
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn parse(text: &str) -> Expression {
        let ast = hcl_edit::parser::parse_expr(text).unwrap();
        Expression::parsed(ast, FileId(0), 0..text.len())
    }

    #[test]
    fn references_name_their_targets_and_paths() {
        let cases: &[(&str, &[&str])] = &[
            ("var.region", &["var.region"]),
            ("aws_s3_bucket.b.arn", &["aws_s3_bucket.b .arn"]),
            (
                "data.aws_region.current.name",
                &["data.aws_region.current .name"],
            ),
            ("local.tags[\"Owner\"]", &["local.tags [\"Owner\"]"]),
            ("aws_instance.x[0].id", &["aws_instance.x [0].id"]),
            ("aws_instance.x[*].id", &["aws_instance.x"]),
            ("count.index + each.key", &["count.index", "each.key"]),
            (
                "\"${path.module}/${terraform.workspace}\"",
                &["path.module", "terraform.workspace"],
            ),
            (
                "[for v in var.list : v.name if local.keep]",
                &["var.list", "local.keep"],
            ),
            ("{ for k, v in var.m : k => v... }", &["var.m"]),
            (
                "\"%{ for x in var.xs }${x}${y.z}%{ endfor }\"",
                &["var.xs", "y.z"],
            ),
            (
                "upper(var.a) == var.b ? self.id : null",
                &["var.a", "var.b", "self .id"],
            ),
        ];
        for (text, expected) in cases {
            let actual: Vec<String> = parse(text)
                .references()
                .iter()
                .map(|r| {
                    let path = crate::value::path_to_string(&r.path);
                    if r.path.is_empty() {
                        r.target.address()
                    } else if matches!(r.path[0], PathStep::Index(_)) {
                        format!("{} {path}", r.target.address())
                    } else {
                        format!("{} .{path}", r.target.address())
                    }
                })
                .collect();
            assert_eq!(&actual, expected, "{text}");
        }
    }

    #[test]
    fn reference_spans_cover_the_traversal() {
        let text = "1 + aws_s3_bucket.b.arn";
        let references = parse(text).references();
        assert_eq!(
            &text[references[0].span.range.clone()],
            "aws_s3_bucket.b.arn"
        );
    }

    #[test]
    fn static_traversals_and_function_calls() {
        assert_eq!(
            parse("tags[\"Name\"].value").as_static_traversal(),
            Some(vec![
                PathStep::Attribute("tags".into()),
                PathStep::Index(Value::string("Name")),
                PathStep::Attribute("value".into()),
            ])
        );
        assert_eq!(parse("tags[var.x]").as_static_traversal(), None);
        assert_eq!(parse("\"tags\"").as_static_traversal(), None);
        let calls: Vec<String> =
            parse("join(\",\", [upper(\"a\"), provider::aws::arn_parse(\"x\")])")
                .function_calls()
                .into_iter()
                .map(|(name, _)| name)
                .collect();
        assert_eq!(calls, ["join", "upper", "provider::aws::arn_parse"]);
        let literal = Expression::literal(Value::integer(3), Span::default());
        assert_eq!(
            literal.evaluate(&EvalContext::default()),
            Ok(Value::integer(3))
        );
        assert!(literal.references().is_empty());
    }
}
