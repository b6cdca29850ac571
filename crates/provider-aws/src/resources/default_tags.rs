//! `tags_all` and the provider's `default_tags`, as in the Terraform AWS provider: an object
//! carries the provider's default tags merged with its own `tags` (its own win); `tags_all`
//! shows all of them, `tags` only what the resource itself manages.

use std::collections::BTreeMap;

use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{PlannedChange, describe_change};
use lathe_core::schema::{AttributeSchema, BlockSchema};

use crate::values::{attribute, map_value, observed_map, string_map};

/// The attribute every taggable resource type adds to its schema.
pub fn tags_all_attribute() -> AttributeSchema {
    AttributeSchema::computed(
        "tags_all",
        TypeConstraint::Map(Box::new(TypeConstraint::String)),
    )
    .described("Every tag on the object: the provider's default_tags merged with `tags`.")
}

pub fn is_taggable(schema: &BlockSchema) -> bool {
    schema.attribute("tags_all").is_some()
}

/// The tags an object should carry: the defaults, then the resource's own.
fn merged(defaults: &BTreeMap<String, String>, own: &Value) -> Value {
    match string_map(&crate::values::single("tags", own.clone()), "tags") {
        Ok(own) => {
            let mut all = defaults.clone();
            all.extend(own);
            map_value(&all)
        }
        Err(_) => Value::Unknown,
    }
}

/// Plans `tags_all` from the planned `tags`; a change of the defaults alone is a change too.
pub fn plan_tags_all(
    change: &mut PlannedChange,
    prior: Option<&Value>,
    defaults: &BTreeMap<String, String>,
) {
    let own = attribute(&change.planned, "tags").clone();
    let after = if own.is_known() {
        merged(defaults, &own)
    } else {
        Value::Unknown
    };
    if let Some(prior) = prior {
        let before = attribute(prior, "tags_all");
        let tags_already_explained = change
            .reasons
            .iter()
            .any(|reason| reason.starts_with("tags "));
        if before != &after && !tags_already_explained {
            change
                .reasons
                .push(describe_change("tags_all", before, &after, false));
        }
    }
    if let Value::Object(planned) = &mut change.planned {
        planned.insert("tags_all".to_string(), after);
    }
}

/// `(tags, tags_all)` as read back from the object's `observed` tags: `tags` leaves out the
/// default tags the provider put there, unless the resource sets that key itself.
pub fn observed_tags(
    state: &Value,
    observed: &BTreeMap<String, String>,
    defaults: &BTreeMap<String, String>,
) -> (Value, Value) {
    let managed = string_map(state, "tags").unwrap_or_default();
    let own: BTreeMap<String, String> = observed
        .iter()
        .filter(|(key, value)| managed.contains_key(*key) || defaults.get(*key) != Some(*value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    (
        observed_map(attribute(state, "tags"), &own),
        map_value(observed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn own_tags_win_over_defaults_and_reads_split_them_again() {
        let defaults = map(&[("Environment", "dev"), ("team", "platform")]);
        let own = map_value(&map(&[("team", "ml")]));
        let all = merged(&defaults, &own);
        assert_eq!(
            all,
            map_value(&map(&[("Environment", "dev"), ("team", "ml")]))
        );

        let state = crate::values::single("tags", own.clone());
        let observed = map(&[("Environment", "dev"), ("team", "ml"), ("owner", "someone")]);
        let (tags, tags_all) = observed_tags(&state, &observed, &defaults);
        assert_eq!(
            tags,
            map_value(&map(&[("owner", "someone"), ("team", "ml")]))
        );
        assert_eq!(tags_all, map_value(&observed));

        // A default tag changed behind lathe's back shows up as the resource's own.
        let observed = map(&[("Environment", "prod")]);
        let (tags, _) = observed_tags(&Value::Object(Default::default()), &observed, &defaults);
        assert_eq!(tags, map_value(&observed));
        // Nothing at all stays null when the configuration had no tags.
        let (tags, tags_all) = observed_tags(
            &Value::Object(Default::default()),
            &BTreeMap::new(),
            &defaults,
        );
        assert_eq!(tags, Value::Null);
        assert_eq!(tags_all, map_value(&BTreeMap::new()));
    }
}
