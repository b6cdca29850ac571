//! `resource` and `data` blocks with their meta-arguments: count, for_each, provider,
//! depends_on, lifecycle and provisioners.

use super::blocks::duplicate;
use super::body::Site;
use crate::diagnostic::Diagnostic;
use crate::expression::{Reference, reference_target};
use crate::model::{
    IgnoreChanges, Lifecycle, Module, OnFailure, Provisioner, ProvisionerWhen, ResourceConfig,
    ResourceMode,
};
use crate::value::PathStep;
use hcl_edit::Span as _;
use hcl_edit::expr::{Expression as Ast, TraversalOperator};
use hcl_edit::structure::{Attribute as HclAttribute, Block as HclBlock};

const META_ARGUMENTS: &[&str] = &["count", "for_each", "provider", "depends_on"];
const LIFECYCLE_ARGUMENTS: &[&str] = &[
    "create_before_destroy",
    "prevent_destroy",
    "ignore_changes",
    "replace_triggered_by",
];
const PROVISIONER_TYPES: &[&str] = &["local-exec"];

pub(super) fn resource(module: &mut Module, block: &HclBlock, site: &mut Site) {
    let mode = if block.ident.as_str() == "data" {
        ResourceMode::Data
    } else {
        ResourceMode::Managed
    };
    let Some(labels) = site.labels(block, &["type", "name"]) else {
        return;
    };
    let span = site.header_span(block);
    let label_span = |index: usize| {
        block
            .labels
            .get(index)
            .and_then(|l| l.span())
            .map_or_else(|| span.clone(), |r| site.span(r))
    };
    let (type_span, name_span) = (label_span(0), label_span(1));
    let kind = if mode == ResourceMode::Data {
        "data source"
    } else {
        "resource"
    };
    site.check_duplicate_arguments(&block.body);
    let address = crate::model::resource_address(mode, &labels[0], &labels[1]);
    if let Some(previous) = module.resource(&address) {
        let previous = previous.span.clone();
        let detail = format!(
            "A {kind} named \"{}\" of type \"{}\" was already declared. {} names must be unique per type in each module.",
            labels[1],
            labels[0],
            if mode == ResourceMode::Data {
                "Data source"
            } else {
                "Resource"
            }
        );
        site.push(duplicate(
            &format!("Duplicate {kind} \"{}\" configuration", labels[0]),
            &detail,
            span,
            previous,
        ));
        return;
    }
    let count = block
        .body
        .get_attribute("count")
        .map(|a| site.expression(a));
    let for_each = block
        .body
        .get_attribute("for_each")
        .map(|a| site.expression(a));
    if let (Some(_), Some(for_each_attribute)) = (&count, block.body.get_attribute("for_each")) {
        let for_each_span = site.attribute_span(for_each_attribute);
        let count_span = block
            .body
            .get_attribute("count")
            .map(|a| site.attribute_span(a))
            .unwrap_or_else(|| span.clone());
        site.push(
            Diagnostic::error("Invalid combination of \"count\" and \"for_each\"")
                .with_span(for_each_span)
                .with_detail("The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.")
                .with_label(count_span, "count is also set here")
                .with_help("keep one of the two: count for N identical instances, for_each for one per key"),
        );
    }
    let provider = block
        .body
        .get_attribute("provider")
        .and_then(|attribute| provider_reference(attribute, site));
    let depends_on = block
        .body
        .get_attribute("depends_on")
        .map(|a| depends_on(a, site))
        .unwrap_or_default();
    let mut lifecycle = Lifecycle::default();
    let mut provisioners = Vec::new();
    for nested in block.body.blocks() {
        match nested.ident.as_str() {
            "lifecycle" => lifecycle = parse_lifecycle(nested, site, mode),
            "provisioner" if mode == ResourceMode::Managed => {
                if let Some(provisioner) = parse_provisioner(nested, site) {
                    provisioners.push(provisioner);
                }
            }
            "provisioner" => {
                let header = site.header_span(nested);
                site.push(
                    Diagnostic::error("Unsupported block type")
                        .with_span(header)
                        .with_detail("Provisioners are not allowed in data blocks.")
                        .with_help("move the provisioner to a resource, e.g. terraform_data"),
                );
            }
            _ => {}
        }
    }
    let mut body = site.body(&block.body, block.span().unwrap_or(0..0));
    body.attributes
        .retain(|a| !META_ARGUMENTS.contains(&a.name.as_str()));
    body.blocks
        .retain(|b| !matches!(b.kind.as_str(), "lifecycle" | "provisioner"));
    module.resources.push(ResourceConfig {
        mode,
        type_name: labels[0].clone(),
        name: labels[1].clone(),
        provider,
        body,
        count,
        for_each,
        depends_on,
        lifecycle,
        provisioners,
        span,
        type_span,
        name_span,
    });
}

/// `provider = aws.west` to `"aws.west"`.
fn provider_reference(attribute: &HclAttribute, site: &mut Site) -> Option<String> {
    let steps = crate::expression::static_traversal(&attribute.value);
    let names: Option<Vec<String>> = steps.and_then(|steps| {
        steps
            .into_iter()
            .map(|step| match step {
                PathStep::Attribute(name) => Some(name),
                PathStep::Index(_) => None,
            })
            .collect()
    });
    match names {
        Some(names) if (1..=2).contains(&names.len()) => Some(names.join(".")),
        _ => {
            let span = site.attribute_span(attribute);
            site.push(
                Diagnostic::error("Invalid provider reference")
                    .with_span(span)
                    .with_detail("The provider argument must be a provider name or a name and alias, without quotes.")
                    .with_help("write `provider = aws` or `provider = aws.west`"),
            );
            None
        }
    }
}

/// References in a list such as `depends_on = [aws_s3_bucket.b, var.x]`.
fn reference_list(attribute: &HclAttribute, site: &mut Site, what: &str) -> Vec<Reference> {
    let items: Vec<&Ast> = match &attribute.value {
        Ast::Array(array) => array.iter().collect(),
        _ => {
            let span = site.attribute_span(attribute);
            site.push(
                Diagnostic::error(format!("Invalid {what} value"))
                    .with_span(span)
                    .with_detail(format!("The {what} argument must be a list of references."))
                    .with_help(format!("write `{what} = [aws_s3_bucket.example]`")),
            );
            return Vec::new();
        }
    };
    let mut references = Vec::new();
    for item in items {
        let range = item.span().or_else(|| attribute.span()).unwrap_or(0..0);
        let reference = match item {
            Ast::Traversal(traversal) => match &traversal.expr {
                Ast::Variable(root) => {
                    let operators: Vec<&TraversalOperator> =
                        traversal.operators.iter().map(|o| o.value()).collect();
                    reference_target(root.as_str(), &operators).map(|(target, _)| target)
                }
                _ => None,
            },
            _ => None,
        };
        match reference {
            Some(target) => {
                let expression = crate::expression::Expression::parsed(item.clone(), site.file, range.clone());
                let path = expression.references().into_iter().next().map(|r| r.path).unwrap_or_default();
                references.push(Reference { target, path, span: site.span(range) });
            }
            None => site.push(
                Diagnostic::error(format!("Invalid {what} reference"))
                    .with_span(site.span(range))
                    .with_detail(format!("Each {what} item must be a static reference to a resource, data source, variable or local value, without quotes or computation."))
                    .with_help("write the address without quotes, e.g. aws_s3_bucket.example"),
            ),
        }
    }
    references
}

pub(super) fn depends_on(attribute: &HclAttribute, site: &mut Site) -> Vec<Reference> {
    reference_list(attribute, site, "depends_on")
}

fn parse_lifecycle(block: &HclBlock, site: &mut Site, mode: ResourceMode) -> Lifecycle {
    let mut lifecycle = Lifecycle::default();
    if site.labels(block, &[]).is_none() {
        return lifecycle;
    }
    let (arguments, context): (&[&str], &str) = match mode {
        ResourceMode::Managed => (LIFECYCLE_ARGUMENTS, "a lifecycle block"),
        ResourceMode::Data => (&[], "a data source's lifecycle block"),
    };
    site.only(
        &block.body,
        context,
        arguments,
        &["precondition", "postcondition"],
    );
    site.check_duplicate_arguments(&block.body);
    if mode == ResourceMode::Data {
        return lifecycle;
    }
    if let Some(attribute) = block.body.get_attribute("create_before_destroy") {
        lifecycle.create_before_destroy = site
            .constant_bool(attribute, "create_before_destroy flag")
            .unwrap_or(false);
    }
    if let Some(attribute) = block.body.get_attribute("prevent_destroy") {
        lifecycle.prevent_destroy = site
            .constant_bool(attribute, "prevent_destroy flag")
            .unwrap_or(false);
    }
    if let Some(attribute) = block.body.get_attribute("ignore_changes") {
        lifecycle.ignore_changes = ignore_changes(attribute, site);
    }
    if let Some(attribute) = block.body.get_attribute("replace_triggered_by") {
        lifecycle.replace_triggered_by = reference_list(attribute, site, "replace_triggered_by");
    }
    lifecycle
}

fn ignore_changes(attribute: &HclAttribute, site: &mut Site) -> IgnoreChanges {
    let invalid = |site: &mut Site, range: std::ops::Range<usize>| {
        site.push(
            Diagnostic::error("Invalid ignore_changes value")
                .with_span(site.span(range))
                .with_detail("ignore_changes must be `all` or a list of attribute names of this resource, such as [tags, tags[\"Owner\"]].")
                .with_help("write attribute names without quotes and without the resource address"),
        );
    };
    let whole = attribute
        .value
        .span()
        .or_else(|| attribute.span())
        .unwrap_or(0..0);
    match &attribute.value {
        Ast::Variable(name) if name.as_str() == "all" => IgnoreChanges::All,
        Ast::String(text) if text.value() == "all" => IgnoreChanges::All,
        Ast::Array(items) => {
            let mut paths = Vec::new();
            for item in items.iter() {
                let range = item.span().unwrap_or_else(|| whole.clone());
                match crate::expression::static_traversal(item) {
                    Some(path) => paths.push((path, site.span(range))),
                    None => invalid(site, range),
                }
            }
            IgnoreChanges::Attributes(paths)
        }
        _ => {
            invalid(site, whole);
            IgnoreChanges::None
        }
    }
}

fn parse_provisioner(block: &HclBlock, site: &mut Site) -> Option<Provisioner> {
    let labels = site.labels(block, &["type"])?;
    let kind = labels[0].clone();
    let span = site.header_span(block);
    if !PROVISIONER_TYPES.contains(&kind.as_str()) {
        let mut diagnostic = Diagnostic::error("Unsupported provisioner")
            .with_span(span)
            .with_detail(format!("The provisioner \"{kind}\" is not supported; lathe runs \"local-exec\" provisioners."));
        diagnostic = match crate::suggest::did_you_mean(&kind, PROVISIONER_TYPES.iter().copied()) {
            Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
            None => diagnostic.with_help(
                "run the step with a local-exec provisioner, e.g. over ssh from a script",
            ),
        };
        site.push(diagnostic);
        return None;
    }
    site.only(
        &block.body,
        "a local-exec provisioner",
        &[
            "command",
            "working_dir",
            "interpreter",
            "environment",
            "when",
            "on_failure",
            "quiet",
        ],
        &[],
    );
    site.check_duplicate_arguments(&block.body);
    if block.body.get_attribute("command").is_none() {
        site.push(
            Diagnostic::error("Missing required argument")
                .with_span(span.clone())
                .with_detail("The argument \"command\" is required in a local-exec provisioner.")
                .with_help("add `command = \"...\"`"),
        );
    }
    let keyword = |attribute: &HclAttribute, site: &mut Site, allowed: &[&str]| -> Option<String> {
        let word = match &attribute.value {
            Ast::Variable(name) => Some(name.as_str().to_string()),
            Ast::String(text) => Some(text.value().clone()),
            _ => None,
        };
        match word {
            Some(word) if allowed.contains(&word.as_str()) => Some(word),
            _ => {
                let span = site.attribute_span(attribute);
                site.push(
                    Diagnostic::error(format!("Invalid \"{}\" keyword", attribute.key.as_str()))
                        .with_span(span)
                        .with_detail(format!(
                            "The \"{}\" argument must be one of: {}.",
                            attribute.key.as_str(),
                            allowed.join(", ")
                        ))
                        .with_help(format!(
                            "write `{} = {}`",
                            attribute.key.as_str(),
                            allowed[0]
                        )),
                );
                None
            }
        }
    };
    let when = match block
        .body
        .get_attribute("when")
        .and_then(|a| keyword(a, site, &["destroy", "create"]))
    {
        Some(word) if word == "destroy" => ProvisionerWhen::Destroy,
        _ => ProvisionerWhen::Create,
    };
    let on_failure = match block
        .body
        .get_attribute("on_failure")
        .and_then(|a| keyword(a, site, &["continue", "fail"]))
    {
        Some(word) if word == "continue" => OnFailure::Continue,
        _ => OnFailure::Fail,
    };
    let mut body = site.body(&block.body, block.span().unwrap_or(0..0));
    body.attributes
        .retain(|a| !matches!(a.name.as_str(), "when" | "on_failure"));
    Some(Provisioner {
        kind,
        when,
        on_failure,
        body,
        span,
    })
}
