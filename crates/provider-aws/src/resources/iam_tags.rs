//! IAM tag lists, shared by policies and roles.

use std::collections::BTreeMap;

use aws_sdk_iam::types::Tag;
use lathe_core::provider::ProviderError;

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
