//! Top-level blocks of a file: dispatch, `terraform`, `provider`, `locals` and `output`.

use super::body::Site;
use crate::diagnostic::Diagnostic;
use crate::model::{Local, Module, OutputConfig, ProviderConfig, RequiredProvider};
use crate::source::{FileId, Span};
use crate::suggest::did_you_mean;
use crate::value::Value;
use hcl_edit::Span as _;
use hcl_edit::structure::{Block as HclBlock, Body as HclBody};

const TOP_LEVEL_BLOCKS: &[&str] = &[
    "terraform",
    "provider",
    "variable",
    "locals",
    "resource",
    "data",
    "output",
];
/// Terraform blocks lathe knows but does not implement, with why and what to do instead.
const UNSUPPORTED_BLOCKS: &[(&str, &str)] = &[
    (
        "module",
        "module calls are not supported yet; put the resources in this folder",
    ),
    (
        "moved",
        "`moved` blocks are not supported; use `lathe state mv`",
    ),
    (
        "import",
        "`import` blocks are not supported; use `lathe import ADDRESS ID`",
    ),
    (
        "removed",
        "`removed` blocks are not supported; use `lathe state rm`",
    ),
    (
        "check",
        "`check` blocks are not supported; use a variable validation or an output precondition",
    ),
];

pub(super) fn add_file(
    module: &mut Module,
    body: &HclBody,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut site = Site { file, diagnostics };
    for attribute in body.attributes() {
        let span = site.span(
            attribute
                .key
                .span()
                .or_else(|| attribute.span())
                .unwrap_or(0..0),
        );
        site.push(
            Diagnostic::error("Unsupported argument")
                .with_span(span)
                .with_detail(format!("An argument named \"{}\" is not expected at the top level of a configuration file.", attribute.key.as_str()))
                .with_help("arguments belong inside a block; to name a value, put it in a `locals { ... }` block"),
        );
    }
    for block in body.blocks() {
        let kind = block.ident.as_str();
        match kind {
            "terraform" => terraform(module, block, &mut site),
            "provider" => provider(module, block, &mut site),
            "variable" => super::variable::variable(module, block, &mut site),
            "locals" => locals(module, block, &mut site),
            "resource" | "data" => super::resource::resource(module, block, &mut site),
            "output" => output(module, block, &mut site),
            _ => {
                let header = site.header_span(block);
                let diagnostic = match UNSUPPORTED_BLOCKS.iter().find(|(name, _)| *name == kind) {
                    Some((_, why)) => Diagnostic::error("Unsupported block type")
                        .with_span(header)
                        .with_detail(format!(
                            "Blocks of type \"{kind}\" are not supported by lathe."
                        ))
                        .with_help(*why),
                    None => {
                        let diagnostic = Diagnostic::error("Unsupported block type")
                            .with_span(header)
                            .with_detail(format!(
                                "Blocks of type \"{kind}\" are not expected here."
                            ));
                        match did_you_mean(kind, TOP_LEVEL_BLOCKS.iter().copied()) {
                            Some(suggestion) => {
                                diagnostic.with_help(format!("did you mean `{suggestion}`?"))
                            }
                            None => diagnostic.with_help(format!(
                                "the top-level blocks are: {}",
                                TOP_LEVEL_BLOCKS.join(", ")
                            )),
                        }
                    }
                };
                site.push(diagnostic);
            }
        }
    }
}

fn terraform(module: &mut Module, block: &HclBlock, site: &mut Site) {
    if site.labels(block, &[]).is_none() {
        return;
    }
    site.only(
        &block.body,
        "a terraform block",
        &["required_version", "experiments"],
        &["required_providers", "backend", "cloud"],
    );
    if let Some(attribute) = block.body.get_attribute("required_version")
        && let Some(version) = site.constant_string(attribute, "required_version")
    {
        let span = site.attribute_span(attribute);
        module.terraform.required_version = Some((version, span));
    }
    for required in block.body.get_blocks("required_providers") {
        site.only(
            &required.body,
            "a required_providers block",
            &required
                .body
                .attributes()
                .map(|a| a.key.as_str())
                .collect::<Vec<_>>(),
            &[],
        );
        for attribute in required.body.attributes() {
            let local_name = attribute.key.as_str().to_string();
            let span = site.attribute_span(attribute);
            let Some(value) = site.constant(attribute, "provider requirement") else {
                continue;
            };
            let (source, version) = match value {
                Value::String(version) => (None, Some(version)),
                Value::Object(map) => {
                    for key in map.keys().filter(|k| {
                        !matches!(k.as_str(), "source" | "version" | "configuration_aliases")
                    }) {
                        site.push(
                            Diagnostic::error("Invalid required_providers object")
                                .with_span(span.clone())
                                .with_detail(format!("The provider requirement for \"{local_name}\" has an unexpected attribute \"{key}\"."))
                                .with_help(match crate::suggest::did_you_mean(key, ["source", "version", "configuration_aliases"]) {
                                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                                    None => "a requirement is `{ source = \"hashicorp/aws\", version = \">= 5.0\" }`".to_string(),
                                })
                                                        );
                    }
                    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
                    (text("source"), text("version"))
                }
                other => {
                    site.push(
                        Diagnostic::error("Invalid required_providers object")
                            .with_span(span.clone())
                            .with_detail(format!("The provider requirement for \"{local_name}\" must be an object, but have {}.", other.type_name()))
                            .with_help("a requirement is `{ source = \"hashicorp/aws\", version = \">= 5.0\" }`"),
                    );
                    continue;
                }
            };
            module.terraform.required_providers.push(RequiredProvider {
                local_name,
                source,
                version,
                span,
            });
        }
    }
}

fn provider(module: &mut Module, block: &HclBlock, site: &mut Site) {
    let Some(labels) = site.labels(block, &["name"]) else {
        return;
    };
    site.check_duplicate_arguments(&block.body);
    let alias = block
        .body
        .get_attribute("alias")
        .and_then(|a| site.constant_string(a, "provider alias"));
    let span = site.header_span(block);
    let name = labels[0].clone();
    if let Some(previous) = module
        .providers
        .iter()
        .find(|p| p.name == name && p.alias == alias)
    {
        let previous = previous.span.clone();
        site.push(
            Diagnostic::error("Duplicate provider configuration")
                .with_span(span)
                .with_detail(format!("A default (non-aliased) configuration for provider \"{name}\" was already given."))
                .with_label(previous, "first configured here")
                .with_help("give the second one an `alias = \"...\"` and select it with `provider = <name>.<alias>`"),
        );
        return;
    }
    let mut body = site.body(&block.body, block.span().unwrap_or(0..0));
    body.attributes.retain(|a| a.name != "alias");
    module.providers.push(ProviderConfig {
        name,
        alias,
        body,
        span,
    });
}

fn locals(module: &mut Module, block: &HclBlock, site: &mut Site) {
    if site.labels(block, &[]).is_none() {
        return;
    }
    for nested in block.body.blocks() {
        let header = site.header_span(nested);
        site.push(
            Diagnostic::error("Unsupported block type")
                .with_span(header)
                .with_detail("A locals block holds only `name = expression` arguments.")
                .with_help(format!(
                    "write `{} = {{ ... }}` to make an object value",
                    nested.ident.as_str()
                )),
        );
    }
    for attribute in block.body.attributes() {
        let name = attribute.key.as_str().to_string();
        let span = site.attribute_span(attribute);
        if let Some(previous) = module.locals.iter().find(|l| l.name == name) {
            let previous = previous.span.clone();
            site.push(duplicate("Duplicate local value definition", &format!("A local value named \"{name}\" was already defined. Local value names must be unique within a module."), span, previous));
            continue;
        }
        module.locals.push(Local {
            name,
            expression: site.expression(attribute),
            span,
        });
    }
}

pub(super) fn duplicate(summary: &str, detail: &str, span: Span, previous: Span) -> Diagnostic {
    Diagnostic::error(summary)
        .with_span(span)
        .with_detail(detail)
        .with_label(previous, "first defined here")
        .with_help("rename or remove one of the two definitions")
}

fn output(module: &mut Module, block: &HclBlock, site: &mut Site) {
    let Some(labels) = site.labels(block, &["name"]) else {
        return;
    };
    let name = labels[0].clone();
    let span = site.header_span(block);
    site.only(
        &block.body,
        "an output block",
        &[
            "value",
            "description",
            "sensitive",
            "depends_on",
            "ephemeral",
        ],
        &["precondition"],
    );
    site.check_duplicate_arguments(&block.body);
    if let Some(previous) = module.outputs.iter().find(|o| o.name == name) {
        let previous = previous.span.clone();
        site.push(duplicate("Duplicate output definition", &format!("An output named \"{name}\" was already defined. Output names must be unique within a module."), span, previous));
        return;
    }
    let Some(value) = block.body.get_attribute("value") else {
        site.push(
            Diagnostic::error("Missing required argument")
                .with_span(span)
                .with_detail(format!("The argument \"value\" is required in output \"{name}\", but no definition was found."))
                .with_help("add `value = <expression>` to the output block"),
        );
        return;
    };
    let description = block
        .body
        .get_attribute("description")
        .and_then(|a| site.constant_string(a, "description"));
    let sensitive = block
        .body
        .get_attribute("sensitive")
        .and_then(|a| site.constant_bool(a, "sensitive flag"))
        .unwrap_or(false);
    let depends_on = block
        .body
        .get_attribute("depends_on")
        .map(|a| super::resource::depends_on(a, site))
        .unwrap_or_default();
    module.outputs.push(OutputConfig {
        name,
        value: site.expression(value),
        description,
        sensitive,
        depends_on,
        span,
    });
}
