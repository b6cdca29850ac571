//! Checks that every reference names something declared, with "did you mean" suggestions, and
//! that `count`, `each` and `self` appear only where they exist.

use crate::diagnostic::Diagnostic;
use crate::expression::{Expression, Reference, ReferenceTarget};
use crate::model::{Body, Module, ResourceConfig, ResourceMode};
use crate::reference_errors;
use crate::suggest::did_you_mean;
use std::collections::HashSet;

/// Where an expression sits, which decides whether `count`, `each` and `self` are available.
#[derive(Clone, Copy)]
struct Place {
    count: bool,
    each: bool,
    self_object: bool,
}

const NOWHERE: Place = Place {
    count: false,
    each: false,
    self_object: false,
};

pub(super) fn check(module: &Module, diagnostics: &mut Vec<Diagnostic>) {
    check_functions(module, diagnostics);
    check_provider_aliases(module, diagnostics);
    let checker = Checker::new(module);
    let mut check_references = |references: Vec<Reference>, place: Place| {
        for reference in references {
            if let Some(diagnostic) = checker.check(&reference, place)
                && !diagnostics.contains(&diagnostic)
            {
                diagnostics.push(diagnostic);
            }
        }
    };
    for local in &module.locals {
        check_references(local.expression.references(), NOWHERE);
    }
    for validation in module.variables.iter().flat_map(|v| &v.validations) {
        check_references(validation.condition.references(), NOWHERE);
        check_references(validation.error_message.references(), NOWHERE);
    }
    for provider in &module.providers {
        check_references(provider.body.references(), NOWHERE);
    }
    for output in &module.outputs {
        check_references(output.value.references(), NOWHERE);
        check_references(output.depends_on.clone(), NOWHERE);
    }
    for resource in &module.resources {
        let place = Place {
            count: resource.count.is_some(),
            each: resource.for_each.is_some(),
            self_object: false,
        };
        check_references(resource_references(resource), place);
        check_references(
            connection_references(&resource.body),
            Place {
                self_object: true,
                ..place
            },
        );
        for expression in resource.count.iter().chain(&resource.for_each) {
            check_references(expression.references(), NOWHERE);
        }
        for provisioner in &resource.provisioners {
            check_references(
                provisioner.body.references(),
                Place {
                    self_object: true,
                    ..place
                },
            );
        }
    }
    for resource in &module.resources {
        for expression in resource.count.iter().chain(&resource.for_each) {
            for reference in expression.references() {
                if reference.target == resource_target(resource) {
                    diagnostics.push(
                        Diagnostic::error("Self-referential block")
                            .with_span(reference.span.clone())
                            .with_detail(format!("Configuration for {} may not refer to itself in count or for_each.", resource.address()))
                            .with_help("the number of instances must be known before the resource exists"),
                    );
                }
            }
        }
    }
}

/// Every expression of the module, for checks that apply everywhere alike.
fn all_expressions(module: &Module) -> Vec<&Expression> {
    let mut expressions: Vec<&Expression> = module.locals.iter().map(|l| &l.expression).collect();
    expressions.extend(module.outputs.iter().map(|o| &o.value));
    for provider in &module.providers {
        expressions.extend(provider.body.expressions());
    }
    for variable in &module.variables {
        for validation in &variable.validations {
            expressions.extend([&validation.condition, &validation.error_message]);
        }
    }
    for resource in &module.resources {
        expressions.extend(resource.body.expressions());
        expressions.extend(resource.count.iter().chain(&resource.for_each));
        for provisioner in &resource.provisioners {
            expressions.extend(provisioner.body.expressions());
        }
    }
    expressions
}

/// `provider = aws.west` needs a `provider "aws"` block with `alias = "west"`.
fn check_provider_aliases(module: &Module, diagnostics: &mut Vec<Diagnostic>) {
    for resource in &module.resources {
        let Some((name, alias)) = resource.provider.as_deref().and_then(|p| p.split_once('.'))
        else {
            continue;
        };
        let configured =
            |p: &&crate::model::ProviderConfig| p.name == name && p.alias.as_deref() == Some(alias);
        if module.providers.iter().any(|p| configured(&p)) {
            continue;
        }
        let aliases: Vec<String> = module
            .providers
            .iter()
            .filter_map(|p| p.alias.as_ref().map(|a| format!("{}.{a}", p.name)))
            .collect();
        let wanted = format!("{name}.{alias}");
        let diagnostic = Diagnostic::error("Provider configuration not present")
            .with_span(resource.span.clone())
            .with_detail(format!(
                "{} refers to the provider configuration {wanted}, which is not declared.",
                resource.address()
            ));
        diagnostics.push(match did_you_mean(&wanted, aliases.iter().map(String::as_str)) {
            Some(suggestion) => diagnostic.with_help(format!("did you mean `provider = {suggestion}`?")),
            None => diagnostic.with_help(format!("add `provider \"{name}\" {{ alias = \"{alias}\" }}`, or remove the provider argument")),
        });
    }
}

/// Calls to functions that do not exist, caught before anything is evaluated.
fn check_functions(module: &Module, diagnostics: &mut Vec<Diagnostic>) {
    for expression in all_expressions(module) {
        for (name, span) in expression.function_calls() {
            if crate::functions::signature(name.strip_prefix("core::").unwrap_or(&name)).is_some() {
                continue;
            }
            let diagnostic = Diagnostic::error("Call to unknown function")
                .with_span(span)
                .with_detail(format!("There is no function named \"{name}\"."));
            diagnostics.push(match did_you_mean(&name, crate::functions::names()) {
                Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
                None => diagnostic.with_help("see the list of Terraform's built-in functions"),
            });
        }
    }
}

fn resource_target(resource: &ResourceConfig) -> ReferenceTarget {
    ReferenceTarget::Resource {
        mode: resource.mode,
        type_name: resource.type_name.clone(),
        name: resource.name.clone(),
    }
}

/// References of a resource outside its `connection` blocks (where `self` is allowed).
fn resource_references(resource: &ResourceConfig) -> Vec<Reference> {
    let mut references = without_connections(&resource.body).references();
    references.extend(resource.depends_on.iter().cloned());
    references.extend(resource.lifecycle.replace_triggered_by.iter().cloned());
    references
}

fn without_connections(body: &Body) -> Body {
    Body {
        attributes: body.attributes.clone(),
        blocks: body
            .blocks
            .iter()
            .filter(|b| b.kind != "connection")
            .cloned()
            .collect(),
        span: body.span.clone(),
    }
}

fn connection_references(body: &Body) -> Vec<Reference> {
    body.blocks_of_kind("connection")
        .flat_map(|block| block.body.references())
        .collect()
}

/// The module and an index of its declared names, so each check is a lookup, not a scan.
struct Checker<'a> {
    module: &'a Module,
    variables: HashSet<&'a str>,
    locals: HashSet<&'a str>,
    resources: HashSet<(ResourceMode, &'a str, &'a str)>,
}

impl<'a> Checker<'a> {
    fn new(module: &'a Module) -> Self {
        Checker {
            module,
            variables: module.variables.iter().map(|v| v.name.as_str()).collect(),
            locals: module.locals.iter().map(|l| l.name.as_str()).collect(),
            resources: module
                .resources
                .iter()
                .map(|r| (r.mode, r.type_name.as_str(), r.name.as_str()))
                .collect(),
        }
    }
}

impl Checker<'_> {
    fn check(&self, reference: &Reference, place: Place) -> Option<Diagnostic> {
        let module = self.module;
        let span = reference.span.clone();
        match &reference.target {
            ReferenceTarget::Variable(name) if !self.variables.contains(name.as_str()) => {
                Some(reference_errors::undeclared(
                    &reference.target,
                    span,
                    module.variables.iter().map(|v| v.name.as_str()),
                ))
            }
            ReferenceTarget::Local(name) if !self.locals.contains(name.as_str()) => {
                Some(reference_errors::undeclared(
                    &reference.target,
                    span,
                    module.locals.iter().map(|l| l.name.as_str()),
                ))
            }
            ReferenceTarget::Resource {
                mode,
                type_name,
                name,
            } if !self
                .resources
                .contains(&(*mode, type_name.as_str(), name.as_str())) =>
            {
                let addresses: Vec<String> = module
                    .resources
                    .iter()
                    .filter(|r| r.mode == *mode)
                    .map(ResourceConfig::address)
                    .collect();
                Some(reference_errors::undeclared(
                    &reference.target,
                    span,
                    addresses.iter().map(String::as_str),
                ))
            }
            ReferenceTarget::CountIndex if !place.count => {
                Some(reference_errors::unavailable(&reference.target, span))
            }
            ReferenceTarget::EachKey | ReferenceTarget::EachValue if !place.each => {
                Some(reference_errors::unavailable(&reference.target, span))
            }
            ReferenceTarget::SelfObject if !place.self_object => {
                Some(reference_errors::unavailable(&reference.target, span))
            }
            _ => None,
        }
    }
}
