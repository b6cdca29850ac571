//! `lathe init`: checks `required_version` and `required_providers` against what this build of
//! lathe offers, and prepares the working directory.

use lathe_config::diagnostic::{Diagnostic, Diagnostics};
use lathe_config::model::Module;

use crate::provider::{ProviderInfo, ProviderRegistry};
use crate::state::TERRAFORM_VERSION;
use crate::version::satisfies;

/// The folder `lathe init` creates in the working directory.
pub const WORKING_FOLDER: &str = ".lathe";

/// The providers a module requires (and uses), each checked; problems all at once.
pub fn check_requirements(
    module: &Module,
    registry: &ProviderRegistry,
) -> Result<Vec<ProviderInfo>, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    if let Some((constraint, span)) = &module.terraform.required_version {
        match satisfies(TERRAFORM_VERSION, constraint) {
            Ok(true) => {}
            Ok(false) => diagnostics.push(
                Diagnostic::error("Unsupported Terraform language version")
                    .with_span(span.clone())
                    .with_detail(format!(
                        "This configuration requires Terraform {constraint}; lathe follows the Terraform {TERRAFORM_VERSION} language."
                    ))
                    .with_help(format!("relax required_version so that {TERRAFORM_VERSION} satisfies it")),
            ),
            Err(message) => diagnostics.push(
                Diagnostic::error("Invalid required_version")
                    .with_span(span.clone())
                    .with_detail(message),
            ),
        }
    }
    let mut selected = Vec::new();
    for required in &module.terraform.required_providers {
        let Some(info) = registry.info(&required.local_name) else {
            let names: Vec<String> = registry.infos().map(|info| info.name.clone()).collect();
            diagnostics.push(
                Diagnostic::error(format!(
                    "Provider `{}` is not built into lathe",
                    required.local_name
                ))
                .with_span(required.span.clone())
                .with_detail(format!(
                    "lathe has the built-in providers {} and does not download others.",
                    names.join(", ")
                ))
                .with_help("remove it from required_providers, or use a built-in provider"),
            );
            continue;
        };
        if let Some(source) = &required.source {
            let normalized = crate::provider::provider_address(source).to_lowercase();
            let offered = crate::provider::provider_address(&info.source).to_lowercase();
            if normalized != offered {
                diagnostics.push(
                    Diagnostic::error(format!("Provider source `{source}` is not available"))
                        .with_span(required.span.clone())
                        .with_detail(format!(
                            "lathe's built-in `{}` provider stands in for `{}`.",
                            info.name, info.source
                        ))
                        .with_help(format!("set source = \"{}\"", info.source)),
                );
                continue;
            }
        }
        if let Some(constraint) = &required.version {
            match satisfies(&info.version, constraint) {
                Ok(true) => {}
                Ok(false) => diagnostics.push(
                    Diagnostic::error(format!("Provider `{}` does not match the version constraint", info.name))
                        .with_span(required.span.clone())
                        .with_detail(format!(
                            "The configuration requires {} {constraint}; lathe's built-in provider follows version {}.",
                            info.source, info.version
                        ))
                        .with_help(format!("use a constraint that {} satisfies, e.g. \">= {}\"", info.version, info.version)),
                ),
                Err(message) => diagnostics.push(
                    Diagnostic::error("Invalid provider version constraint")
                        .with_span(required.span.clone())
                        .with_detail(message),
                ),
            }
        }
        selected.push(info.clone());
    }
    for resource in &module.resources {
        let name = crate::graph::provider_key(resource);
        let name = name.split('.').next().unwrap_or_default().to_string();
        if selected.iter().any(|info| info.name == name) {
            continue;
        }
        match registry.info(&name) {
            Some(info) => selected.push(info.clone()),
            None => diagnostics.push(
                Diagnostic::error(format!("Provider `{name}` is not built into lathe"))
                    .with_span(resource.type_span.clone())
                    .with_help(format!(
                        "use a resource type of a built-in provider ({})",
                        registry
                            .infos()
                            .map(|info| info.name.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
            ),
        }
    }
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(selected)
    }
}
