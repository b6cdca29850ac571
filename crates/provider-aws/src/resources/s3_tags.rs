//! S3 tag sets, shared by buckets and objects.

use std::collections::BTreeMap;

use aws_sdk_s3::types::{Tag, Tagging};
use lathe_core::provider::ProviderError;

pub fn tagging(tags: &BTreeMap<String, String>) -> Result<Tagging, ProviderError> {
    let tag_set = tags
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
        .collect::<Result<Vec<_>, _>>()?;
    Tagging::builder()
        .set_tag_set(Some(tag_set))
        .build()
        .map_err(|error| ProviderError::at_attribute(error.to_string(), "tags"))
}

pub fn from_tag_set(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|tag| (tag.key().to_string(), tag.value().to_string()))
        .collect()
}
