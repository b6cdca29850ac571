//! The diagnostics for references that cannot be resolved, shared by the load-time checks and
//! the evaluator so both explain the same problem the same way.

use crate::diagnostic::Diagnostic;
use crate::expression::ReferenceTarget;
use crate::model::ResourceMode;
use crate::source::Span;
use crate::suggest::did_you_mean;

/// A reference to a variable, local value or resource that is not declared. `declared` lists
/// what is declared of the same kind: names for variables and locals, addresses for resources.
pub(crate) fn undeclared<'a>(
    target: &ReferenceTarget,
    span: Span,
    declared: impl IntoIterator<Item = &'a str>,
) -> Diagnostic {
    let (summary, detail, wanted, prefix, declare) = match target {
        ReferenceTarget::Variable(name) => (
            "Reference to undeclared input variable".to_string(),
            format!("An input variable with the name \"{name}\" has not been declared."),
            name.clone(),
            "var.",
            format!("declare it with a `variable \"{name}\" {{}}` block"),
        ),
        ReferenceTarget::Local(name) => (
            "Reference to undeclared local value".to_string(),
            format!("A local value with the name \"{name}\" has not been declared."),
            name.clone(),
            "local.",
            format!("define it in a `locals {{ {name} = ... }}` block"),
        ),
        ReferenceTarget::Resource {
            mode,
            type_name,
            name,
        } => {
            let (kind, keyword) = match mode {
                ResourceMode::Managed => ("resource", "resource"),
                ResourceMode::Data => ("data source", "data"),
            };
            (
                format!("Reference to undeclared {kind}"),
                format!(
                    "A {kind} \"{type_name}\" \"{name}\" has not been declared in the root module."
                ),
                target.address(),
                "",
                format!("declare it with a `{keyword} \"{type_name}\" \"{name}\" {{ ... }}` block"),
            )
        }
        other => (
            "Invalid reference".to_string(),
            format!("`{}` cannot be resolved here.", other.address()),
            other.address(),
            "",
            "remove the reference".to_string(),
        ),
    };
    let diagnostic = Diagnostic::error(summary)
        .with_span(span)
        .with_detail(detail);
    match did_you_mean(&wanted, declared) {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{prefix}{suggestion}`?")),
        None => diagnostic.with_help(declare),
    }
}

/// `count`, `each` or `self` used where the block provides none.
pub(crate) fn unavailable(target: &ReferenceTarget, span: Span) -> Diagnostic {
    let (summary, detail, help) = match target {
        ReferenceTarget::CountIndex => (
            "Reference to \"count\" in non-counted context",
            "The \"count\" object can only be used in \"resource\" and \"data\" blocks, and only when the \"count\" argument is set.",
            "set `count = N` on this block, or remove the reference",
        ),
        ReferenceTarget::EachKey | ReferenceTarget::EachValue => (
            "Reference to \"each\" in context without for_each",
            "The \"each\" object can be used only in \"resource\" and \"data\" blocks, and only when the \"for_each\" argument is set.",
            "set `for_each = ...` on this block, or remove the reference",
        ),
        _ => (
            "Invalid \"self\" reference",
            "The \"self\" object is only available in provisioner and connection blocks, where it refers to the resource being provisioned.",
            "refer to the resource by its address instead",
        ),
    };
    Diagnostic::error(summary)
        .with_span(span)
        .with_detail(detail)
        .with_help(help)
}
