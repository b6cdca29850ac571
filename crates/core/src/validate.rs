//! `lathe validate`: checks every resource body against its provider's schema and the
//! provider's own rules, with every variable and resource attribute unknown.

use lathe_config::diagnostic::{Diagnostic, Diagnostics};
use lathe_config::expression::ReferenceTarget;
use lathe_config::value::Value;

use crate::body::evaluate_body;
use crate::engine::{Engine, Known};
use crate::planner::instance_context;

impl Engine<'_> {
    /// Outputs that show a sensitive variable without `sensitive = true` (Terraform refuses
    /// them so secrets do not reach the terminal by accident).
    pub fn sensitive_output_diagnostics(&self) -> Diagnostics {
        let mut diagnostics = Diagnostics::default();
        for output in self
            .module
            .outputs
            .iter()
            .filter(|output| !output.sensitive)
        {
            let leaked = output.value.references().into_iter().find(|reference| {
                matches!(&reference.target, ReferenceTarget::Variable(name)
                    if self.module.variable(name).is_some_and(|variable| variable.sensitive))
            });
            if let Some(reference) = leaked {
                diagnostics.push(
                    Diagnostic::error("Output refers to sensitive values")
                        .with_span(reference.span.clone())
                        .with_detail(format!(
                            "The output `{}` shows {}, which is marked sensitive.",
                            output.name,
                            reference.target.address()
                        ))
                        .with_help("add `sensitive = true` to the output block"),
                );
            }
        }
        diagnostics
    }

    /// Every problem found, all at once.
    pub fn validate(&self) -> Diagnostics {
        let mut diagnostics = self.sensitive_output_diagnostics();
        let mut known = Known::default();
        for variable in &self.module.variables {
            known
                .variables
                .insert(variable.name.clone(), Value::Unknown);
        }
        let base = self.context(&known);
        for key in self.providers.keys() {
            self.provider_config(key, &base, &mut diagnostics);
        }
        // Locals and outputs: function calls and types are checked even with unknown inputs.
        for local in &self.module.locals {
            if let Err(errors) = local.expression.evaluate(&base) {
                diagnostics.extend(errors.0);
            }
        }
        for output in &self.module.outputs {
            if let Err(errors) = output.value.evaluate(&base) {
                diagnostics.extend(errors.0);
            }
        }
        for resource in &self.module.resources {
            let schema = match self.resource_schema(resource) {
                Ok(schema) => schema,
                Err(diagnostic) => {
                    diagnostics.push(diagnostic);
                    continue;
                }
            };
            let count_index = resource.count.as_ref().map(|_| 0);
            let each = resource
                .for_each
                .as_ref()
                .map(|_| (Value::Unknown, Value::Unknown));
            let context = instance_context(&base, count_index, each);
            let what = format!("resource \"{}\" \"{}\"", resource.type_name, resource.name);
            let config = evaluate_body(
                &resource.body,
                schema,
                &context,
                &what,
                &resource.span,
                &mut diagnostics,
            );
            for issue in self
                .provider(resource)
                .validate_resource(&resource.type_name, &config)
            {
                let span = resource
                    .body
                    .attribute(&issue.attribute)
                    .map(|attribute| attribute.expression.span())
                    .or_else(|| {
                        resource
                            .body
                            .blocks_of_kind(&issue.attribute)
                            .next()
                            .map(|block| block.span.clone())
                    })
                    .unwrap_or_else(|| resource.span.clone());
                let mut diagnostic = Diagnostic::error(issue.summary).with_span(span);
                if let Some(help) = issue.help {
                    diagnostic = diagnostic.with_help(help);
                }
                diagnostics.push(diagnostic);
            }
        }
        diagnostics
    }
}
