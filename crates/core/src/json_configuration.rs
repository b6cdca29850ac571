//! The `configuration` part of Terraform's JSON plan representation: the module as written,
//! with each expression either a constant or the references it makes.

use serde_json::{Map, Value as Json, json};

use lathe_config::eval::EvalContext;
use lathe_config::expression::{Expression, Reference};
use lathe_config::model::{Body, Module, ResourceConfig, ResourceMode};
use lathe_config::value::{PathStep, Value};

use crate::applier::known_json;
use crate::graph::provider_key;

/// `configuration`: `provider_config` and `root_module`; `provider_address` turns a local
/// provider name into its address (`registry.terraform.io/hashicorp/aws`).
pub fn configuration_json(module: &Module, provider_address: &dyn Fn(&str) -> String) -> Json {
    json!({
        "provider_config": provider_config_json(module, provider_address),
        "root_module": {
            "outputs": outputs_json(module),
            "resources": module.resources.iter().map(|resource| resource_json(module, resource)).collect::<Vec<_>>(),
            "variables": variables_json(module),
        },
    })
}

/// Terraform's expression representation: `{"constant_value": ...}` for an expression that
/// refers to nothing, `{"references": [...]}` otherwise.
pub fn expression_json(module: &Module, expression: &Expression) -> Json {
    let references = expression.references();
    if references.is_empty() {
        let constant = expression
            .evaluate(&EvalContext::new(module.directory.clone()))
            .ok()
            .filter(Value::is_known);
        return match constant {
            Some(value) => json!({ "constant_value": known_json(&value) }),
            None => json!({}),
        };
    }
    let mut names: Vec<String> = Vec::new();
    for reference in &references {
        for name in reference_names(reference) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    json!({ "references": names })
}

/// A reference and its shorter prefixes down to the object it names, as Terraform lists
/// them: `aws_s3_bucket.b[0].arn`, `aws_s3_bucket.b[0]`, `aws_s3_bucket.b`.
fn reference_names(reference: &Reference) -> Vec<String> {
    let root = reference.target.address();
    let mut steps: Vec<String> = Vec::new();
    let mut names = vec![root.clone()];
    for step in &reference.path {
        steps.push(match step {
            PathStep::Attribute(name) => format!(".{name}"),
            PathStep::Index(Value::String(key)) => format!("[{}]", Json::String(key.clone())),
            PathStep::Index(index) => format!("[{index}]"),
        });
        names.push(format!("{root}{}", steps.concat()));
    }
    // Only resources list their attribute paths; other references are listed by subject.
    if !matches!(
        reference.target,
        lathe_config::expression::ReferenceTarget::Resource { .. }
    ) {
        names.truncate(1);
    }
    names.reverse();
    names
}

/// Every argument and nested block of a body: blocks as arrays of their bodies.
fn body_json(module: &Module, body: &Body) -> Json {
    let mut object = Map::new();
    for attribute in &body.attributes {
        object.insert(
            attribute.name.clone(),
            expression_json(module, &attribute.expression),
        );
    }
    for block in &body.blocks {
        let entry = object
            .entry(block.kind.clone())
            .or_insert_with(|| Json::Array(Vec::new()));
        if let Json::Array(items) = entry {
            items.push(body_json(module, &block.body));
        }
    }
    Json::Object(object)
}

/// `depends_on` as addresses.
fn addresses(references: &[Reference]) -> Json {
    json!(
        references
            .iter()
            .map(|reference| reference.target.address())
            .collect::<Vec<_>>()
    )
}

fn resource_json(module: &Module, resource: &ResourceConfig) -> Json {
    let mut object = Map::new();
    object.insert("address".into(), json!(resource.address()));
    object.insert(
        "mode".into(),
        json!(match resource.mode {
            ResourceMode::Managed => "managed",
            ResourceMode::Data => "data",
        }),
    );
    object.insert("type".into(), json!(resource.type_name));
    object.insert("name".into(), json!(resource.name));
    object.insert("provider_config_key".into(), json!(provider_key(resource)));
    object.insert("expressions".into(), body_json(module, &resource.body));
    object.insert("schema_version".into(), json!(0));
    if let Some(count) = &resource.count {
        object.insert("count_expression".into(), expression_json(module, count));
    }
    if let Some(for_each) = &resource.for_each {
        object.insert(
            "for_each_expression".into(),
            expression_json(module, for_each),
        );
    }
    if !resource.depends_on.is_empty() {
        object.insert("depends_on".into(), addresses(&resource.depends_on));
    }
    if !resource.provisioners.is_empty() {
        object.insert(
            "provisioners".into(),
            json!(
                resource
                    .provisioners
                    .iter()
                    .map(|provisioner| json!({
                        "type": provisioner.kind,
                        "expressions": body_json(module, &provisioner.body),
                    }))
                    .collect::<Vec<_>>()
            ),
        );
    }
    Json::Object(object)
}

fn provider_config_json(module: &Module, provider_address: &dyn Fn(&str) -> String) -> Json {
    let mut configs = Map::new();
    let version_constraint = |name: &str| {
        module
            .terraform
            .required_providers
            .iter()
            .find(|required| required.local_name == name)
            .and_then(|required| required.version.clone())
    };
    let mut entry = |name: &str, alias: Option<&str>, expressions: Option<Json>| {
        let key = match alias {
            Some(alias) => format!("{name}.{alias}"),
            None => name.to_string(),
        };
        if configs.contains_key(&key) {
            return;
        }
        let mut object = Map::new();
        object.insert("name".into(), json!(name));
        object.insert("full_name".into(), json!(provider_address(name)));
        if let Some(alias) = alias {
            object.insert("alias".into(), json!(alias));
        }
        if let Some(version) = version_constraint(name) {
            object.insert("version_constraint".into(), json!(version));
        }
        if let Some(expressions) = expressions {
            object.insert("expressions".into(), expressions);
        }
        configs.insert(key, Json::Object(object));
    };
    for provider in &module.providers {
        let mut body = provider.body.clone();
        body.attributes
            .retain(|attribute| attribute.name != "alias");
        entry(
            &provider.name,
            provider.alias.as_deref(),
            Some(body_json(module, &body)),
        );
    }
    // Providers used without a provider block are configured empty, and still listed.
    for resource in &module.resources {
        entry(resource.provider_name(), None, None);
    }
    Json::Object(configs)
}

fn variables_json(module: &Module) -> Json {
    Json::Object(
        module
            .variables
            .iter()
            .map(|variable| {
                let mut object = Map::new();
                if let Some(default) = &variable.default {
                    object.insert("default".into(), known_json(default));
                }
                if let Some(description) = &variable.description {
                    object.insert("description".into(), json!(description));
                }
                if variable.sensitive {
                    object.insert("sensitive".into(), json!(true));
                }
                (variable.name.clone(), Json::Object(object))
            })
            .collect(),
    )
}

fn outputs_json(module: &Module) -> Json {
    Json::Object(
        module
            .outputs
            .iter()
            .map(|output| {
                let mut object = Map::new();
                object.insert("expression".into(), expression_json(module, &output.value));
                if output.sensitive {
                    object.insert("sensitive".into(), json!(true));
                }
                if let Some(description) = &output.description {
                    object.insert("description".into(), json!(description));
                }
                if !output.depends_on.is_empty() {
                    object.insert("depends_on".into(), addresses(&output.depends_on));
                }
                (output.name.clone(), Json::Object(object))
            })
            .collect(),
    )
}
