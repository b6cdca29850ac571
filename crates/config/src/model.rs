//! The typed configuration of one module: every item keeps its spans for diagnostics.

use crate::expression::{Expression, Reference, ReferenceTarget};
use crate::source::{Sources, Span};
use crate::types::{TypeConstraint, TypeDefaults};
use crate::value::{PathStep, Value};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub directory: PathBuf,
    pub sources: Sources,
    pub terraform: TerraformSettings,
    pub providers: Vec<ProviderConfig>,
    pub variables: Vec<Variable>,
    pub locals: Vec<Local>,
    pub resources: Vec<ResourceConfig>,
    pub outputs: Vec<OutputConfig>,
}

impl Module {
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }

    pub fn local(&self, name: &str) -> Option<&Local> {
        self.locals.iter().find(|l| l.name == name)
    }

    /// Finds a resource by address (`aws_s3_bucket.b` or `data.aws_region.current`).
    pub fn resource(&self, address: &str) -> Option<&ResourceConfig> {
        // Compared by parts, not by formatting every address: modules can hold thousands.
        let (mode, rest) = match address.strip_prefix("data.") {
            Some(rest) => (ResourceMode::Data, rest),
            None => (ResourceMode::Managed, address),
        };
        let (type_name, name) = rest.split_once('.')?;
        self.resources
            .iter()
            .find(|r| r.mode == mode && r.type_name == type_name && r.name == name)
    }

    pub fn output(&self, name: &str) -> Option<&OutputConfig> {
        self.outputs.iter().find(|o| o.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TerraformSettings {
    pub required_version: Option<(String, Span)>,
    pub required_providers: Vec<RequiredProvider>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequiredProvider {
    pub local_name: String,
    pub source: Option<String>,
    pub version: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub type_constraint: Option<TypeConstraint>,
    /// Defaults of `optional(type, default)` attributes in the type, applied after conversion.
    pub type_defaults: TypeDefaults,
    pub default: Option<Value>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<VariableValidation>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariableValidation {
    pub condition: Expression,
    pub error_message: Expression,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Local {
    pub name: String,
    pub expression: Expression,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceMode {
    Managed,
    Data,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceConfig {
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
    /// `provider = aws.west` as `"aws.west"`.
    pub provider: Option<String>,
    /// The body without meta-arguments.
    pub body: Body,
    pub count: Option<Expression>,
    pub for_each: Option<Expression>,
    pub depends_on: Vec<Reference>,
    pub lifecycle: Lifecycle,
    pub provisioners: Vec<Provisioner>,
    /// The block header.
    pub span: Span,
    pub type_span: Span,
    pub name_span: Span,
}

impl ResourceConfig {
    pub fn address(&self) -> String {
        resource_address(self.mode, &self.type_name, &self.name)
    }

    /// The provider's local name: the explicit `provider` argument's first part, or the type's
    /// prefix before the first underscore, as Terraform infers it.
    pub fn provider_name(&self) -> &str {
        match &self.provider {
            Some(provider) => provider.split('.').next().unwrap_or(provider),
            None => self.type_name.split('_').next().unwrap_or(&self.type_name),
        }
    }
}

pub(crate) fn resource_address(mode: ResourceMode, type_name: &str, name: &str) -> String {
    match mode {
        ResourceMode::Managed => format!("{type_name}.{name}"),
        ResourceMode::Data => format!("data.{type_name}.{name}"),
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    pub create_before_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    pub replace_triggered_by: Vec<Reference>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    Attributes(Vec<(Vec<PathStep>, Span)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvisionerWhen {
    Create,
    Destroy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    Fail,
    Continue,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Provisioner {
    /// The provisioner type, e.g. `local-exec`.
    pub kind: String,
    pub when: ProvisionerWhen,
    pub on_failure: OnFailure,
    pub body: Body,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputConfig {
    pub name: String,
    pub value: Expression,
    pub description: Option<String>,
    pub sensitive: bool,
    pub depends_on: Vec<Reference>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
    pub span: Span,
}

impl Body {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn blocks_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }

    /// Every expression in this body, nested blocks included.
    pub fn expressions(&self) -> Vec<&Expression> {
        let mut expressions: Vec<&Expression> =
            self.attributes.iter().map(|a| &a.expression).collect();
        for block in &self.blocks {
            expressions.extend(block.body.expressions());
        }
        expressions
    }

    /// Every reference made anywhere in this body, nested blocks included.
    pub fn references(&self) -> Vec<Reference> {
        let mut references = Vec::new();
        for attribute in &self.attributes {
            references.extend(attribute.expression.references());
        }
        for block in &self.blocks {
            let nested = block.body.references();
            match block.dynamic_iterator() {
                // `setting.value` inside a dynamic block names its iterator, not a resource.
                Some(iterator) => references.extend(nested.into_iter().filter(|reference| {
                    !matches!(&reference.target, ReferenceTarget::Resource { mode: ResourceMode::Managed, type_name, .. } if *type_name == iterator)
                })),
                None => references.extend(nested),
            }
        }
        references
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub expression: Expression,
    pub span: Span,
    pub name_span: Span,
}

/// A nested block, `dynamic` blocks included unexpanded.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub span: Span,
}

impl Block {
    /// For a `dynamic` block, the name its content uses for the current element: the
    /// `iterator` argument, or else the block's label.
    pub fn dynamic_iterator(&self) -> Option<String> {
        if self.kind != "dynamic" {
            return None;
        }
        let named = self.body.attribute("iterator").and_then(|attribute| {
            match attribute.expression.as_static_traversal()?.as_slice() {
                [PathStep::Attribute(name)] => Some(name.clone()),
                _ => None,
            }
        });
        named.or_else(|| self.labels.first().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine walks resources on several threads, sharing the module between them.
    #[test]
    fn the_model_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Module>();
        shareable::<Expression>();
        shareable::<crate::diagnostic::Diagnostics>();
        shareable::<crate::eval::EvalContext>();
    }
}
