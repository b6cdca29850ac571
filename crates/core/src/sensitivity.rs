//! Where sensitivity marks leave the language and come back: providers receive plain values,
//! and what they return is marked again where the configuration or the schema said.

use lathe_config::diagnostic::Diagnostic;
use lathe_config::model::OutputConfig;
use lathe_config::value::{PathStep, Value};

use crate::schema::BlockSchema;

/// What to mark on the values a provider returns for one instance.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// Where the configuration was marked, and the attributes the schema declares sensitive.
    paths: Vec<Vec<PathStep>>,
    /// The sensitive strings the configuration gave the provider: a provider may hand one
    /// back under another name (`terraform_data` copies `input` to `output`), and it must
    /// stay hidden there too.
    secrets: Vec<String>,
}

impl Marks {
    pub fn apply(&self, value: Value) -> Value {
        echoes_marked(value.mark_paths(&self.paths), &self.secrets)
    }
}

/// Splits a (possibly marked) configuration into the plain value a provider receives and the
/// marks to put on what it returns.
pub fn split(config: Value, schema: &BlockSchema) -> (Value, Marks) {
    let (plain, mut paths) = config.unmark_with_paths();
    let mut secrets = Vec::new();
    for path in &paths {
        if let Some(value) = plain.get_path(path) {
            collect_strings(value, &mut secrets);
        }
    }
    paths.extend(
        schema
            .attributes
            .iter()
            .filter(|attribute| attribute.sensitive)
            .map(|attribute| vec![PathStep::Attribute(attribute.name.clone())]),
    );
    (plain, Marks { paths, secrets })
}

fn collect_strings(value: &Value, strings: &mut Vec<String>) {
    match value.unmarked() {
        Value::String(text) if !text.is_empty() && !strings.contains(text) => {
            strings.push(text.clone())
        }
        Value::List(items) => items.iter().for_each(|item| collect_strings(item, strings)),
        Value::Object(map) => map.values().for_each(|item| collect_strings(item, strings)),
        _ => {}
    }
}

/// Marks every string equal to one of `secrets`.
fn echoes_marked(value: Value, secrets: &[String]) -> Value {
    if secrets.is_empty() {
        return value;
    }
    match value {
        Value::String(text) if secrets.contains(&text) => Value::String(text).mark_sensitive(),
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|item| echoes_marked(item, secrets))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, item)| (key, echoes_marked(item, secrets)))
                .collect(),
        ),
        other => other,
    }
}

/// A copy without any marks: what a provider may see.
pub fn plain(value: &Value) -> Value {
    value.clone().unmark_with_paths().0
}

/// Terraform refuses a root module output that shows a sensitive value unless the output
/// says `sensitive = true`, so secrets do not reach the terminal by accident.
pub fn output_error(output: &OutputConfig, value: &Value) -> Option<Diagnostic> {
    if output.sensitive || !value.contains_sensitive() {
        return None;
    }
    Some(
        Diagnostic::error("Output refers to sensitive values")
            .with_span(output.value.span())
            .with_detail(format!(
                "The output `{}` shows a value derived from a sensitive one (a sensitive variable, a sensitive resource attribute or sensitive()). To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, lathe requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.",
                output.name
            ))
            .with_help(
                "if you do intend to export this data, annotate the output value as sensitive by adding `sensitive = true` to the output block",
            ),
    )
}

/// Providers describe changes from plain values (`secret "old" → "new"`); a reason about an
/// attribute that is sensitive before or after keeps its subject and hides its values.
pub fn redact_reasons(reasons: Vec<String>, prior: Option<&Value>, planned: &Value) -> Vec<String> {
    let sensitive = |name: &str| {
        [prior, Some(planned)].into_iter().flatten().any(|value| {
            value
                .as_object()
                .and_then(|object| object.get(name))
                .is_some_and(Value::contains_sensitive)
        })
    };
    reasons
        .into_iter()
        .map(|reason| {
            let subject = reason.split(' ').next().unwrap_or_default();
            let attribute = subject.split(['.', '[']).next().unwrap_or_default();
            if attribute.is_empty() || !sensitive(attribute) {
                return reason;
            }
            let forces = if reason.ends_with(" forces replacement") {
                " forces replacement"
            } else {
                ""
            };
            format!("{subject} (sensitive value) changed{forces}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn reasons_about_sensitive_attributes_hide_their_values() {
        let planned = Value::Object(BTreeMap::from([
            ("secret".to_string(), Value::string("new").mark_sensitive()),
            ("name".to_string(), Value::string("n")),
        ]));
        let reasons = vec![
            "secret \"old\" → \"new\" forces replacement".to_string(),
            "name \"m\" → \"n\"".to_string(),
            "upstream fake_bucket.a changed".to_string(),
        ];
        assert_eq!(
            redact_reasons(reasons, None, &planned),
            [
                "secret (sensitive value) changed forces replacement",
                "name \"m\" → \"n\"",
                "upstream fake_bucket.a changed",
            ]
        );
    }
}
