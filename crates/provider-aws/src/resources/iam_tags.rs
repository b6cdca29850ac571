//! IAM tag lists, shared by policies and roles.

use std::collections::BTreeMap;

use aws_sdk_iam::types::Tag;
use lathe_config::value::Value;
use lathe_core::provider::ProviderError;

use crate::values::string_map;

pub fn tags(entries: &BTreeMap<String, String>) -> Result<Vec<Tag>, ProviderError> {
    entries
        .iter()
        .map(|(key, value)| {
            Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|error| {
                    ProviderError::at_attribute(format!("tag `{key}`: {error}"), "tags")
                })
        })
        .collect()
}

pub fn from_tags(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|tag| (tag.key().to_string(), tag.value().to_string()))
        .collect()
}

/// What to tag and untag to get from `before` to `after`.
pub fn difference(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let set = after
        .iter()
        .filter(|(key, value)| before.get(*key) != Some(*value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let removed = before
        .keys()
        .filter(|key| !after.contains_key(*key))
        .cloned()
        .collect();
    (set, removed)
}

/// Brings an IAM object's tags (`tags_all`: its own and the provider's defaults) from
/// `prior`'s to `planned`'s: untags the removed keys, then tags what was added or changed. `untag` and `tag` make the one SDK call of that object type.
pub fn update_tags(
    prior: &Value,
    planned: &Value,
    untag: impl FnOnce(Vec<String>) -> Result<(), ProviderError>,
    tag: impl FnOnce(Vec<Tag>) -> Result<(), ProviderError>,
) -> Result<(), ProviderError> {
    let (set, removed) = difference(
        &string_map(prior, "tags_all")?,
        &string_map(planned, "tags_all")?,
    );
    if !removed.is_empty() {
        untag(removed)?;
    }
    if !set.is_empty() {
        tag(tags(&set)?)?;
    }
    Ok(())
}
