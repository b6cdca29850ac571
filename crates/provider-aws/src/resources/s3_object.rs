//! `aws_s3_object`: an object from `content`, `content_base64` or a `source` file; `etag` or
//! `source_hash` notice a changed file, and large files go up in parts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_sdk_s3::types::Delete;
use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{PlanRequest, PlannedChange, Progress, ProviderError};
use lathe_core::schema::{AttributeSchema, BlockSchema};

use super::default_tags::{observed_tags, tags_all_attribute};
use super::s3_tags::{from_tag_set, tagging};
use super::upload::{Body, ObjectHeaders, put};
use super::{PlanRules, Resource, plan_with_rules};
use crate::clients::Clients;
use crate::error::{ApiError, api};
use crate::values::{
    ObjectBuilder, attribute, observed_map, optional_bool, optional_string, optional_string_value,
    required_string, settable_string, string_map,
};

#[derive(Debug)]
pub struct S3Object;

/// Attributes whose change means uploading the body again.
const BODY_ATTRIBUTES: [&str; 11] = [
    "source",
    "content",
    "content_base64",
    "etag",
    "source_hash",
    "content_type",
    "cache_control",
    "content_disposition",
    "content_encoding",
    "content_language",
    "metadata",
];

const HEADER_ATTRIBUTES: [&str; 4] = [
    "cache_control",
    "content_disposition",
    "content_encoding",
    "content_language",
];

const RULES: PlanRules<'static> = PlanRules {
    generated_name: None,
    policies: &[],
    defaults: &[("force_destroy", || Value::Bool(false))],
};

fn string_map_type() -> TypeConstraint {
    TypeConstraint::Map(Box::new(TypeConstraint::String))
}

impl Resource for S3Object {
    fn type_name(&self) -> &'static str {
        "aws_s3_object"
    }

    fn schema(&self) -> BlockSchema {
        BlockSchema::new(vec![
            AttributeSchema::required("bucket", TypeConstraint::String).force_new(),
            AttributeSchema::required("key", TypeConstraint::String).force_new(),
            AttributeSchema::optional("source", TypeConstraint::String),
            AttributeSchema::optional("content", TypeConstraint::String),
            AttributeSchema::optional("content_base64", TypeConstraint::String),
            AttributeSchema::optional_computed("content_type", TypeConstraint::String),
            AttributeSchema::optional("cache_control", TypeConstraint::String),
            AttributeSchema::optional("content_disposition", TypeConstraint::String),
            AttributeSchema::optional("content_encoding", TypeConstraint::String),
            AttributeSchema::optional("content_language", TypeConstraint::String),
            AttributeSchema::optional_computed("etag", TypeConstraint::String).described(
                "Set to filemd5(source) so a changed file is uploaded again (not for multipart uploads).",
            ),
            AttributeSchema::optional("source_hash", TypeConstraint::String).described(
                "Any value that changes with the file (filesha256(source)); a change uploads again.",
            ),
            AttributeSchema::optional("metadata", string_map_type()),
            AttributeSchema::optional("tags", string_map_type()),
            AttributeSchema::optional("force_destroy", TypeConstraint::Bool),
            tags_all_attribute(),
            AttributeSchema::computed("id", TypeConstraint::String),
            AttributeSchema::computed("arn", TypeConstraint::String),
            AttributeSchema::computed("version_id", TypeConstraint::String),
        ])
    }

    fn validate(&self, config: &Value) -> Vec<(String, String)> {
        let given: Vec<&str> = ["source", "content", "content_base64"]
            .into_iter()
            .filter(|name| !attribute(config, name).is_null())
            .collect();
        if given.len() > 1 {
            return vec![(
                given[1].to_string(),
                format!(
                    "only one of source, content and content_base64 may be set; this object sets {}",
                    given.join(" and ")
                ),
            )];
        }
        Vec::new()
    }

    fn plan(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        let mut change = plan_with_rules(&self.schema(), request, &RULES);
        let Some(prior) = &request.prior else {
            return Ok(change);
        };
        let body_changed = BODY_ATTRIBUTES
            .iter()
            .any(|name| attribute(&change.planned, name) != attribute(prior, name));
        if body_changed
            && change.requires_replace.is_empty()
            && let Value::Object(planned) = &mut change.planned
        {
            // A new upload gets a new ETag and version unless the configuration says which.
            if attribute(&request.config, "etag").is_null() {
                planned.insert("etag".to_string(), Value::Unknown);
            }
            planned.insert("version_id".to_string(), Value::Unknown);
        }
        Ok(change)
    }

    fn create(
        &self,
        clients: &Clients,
        planned: &Value,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        upload(clients, planned, progress)?;
        let (bucket, key) = location(planned)?;
        self.read(clients, &without_unknowns(planned))?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "s3://{bucket}/{key} was uploaded but cannot be read back"
                ))
            })
    }

    fn read(&self, clients: &Clients, state: &Value) -> Result<Option<Value>, ProviderError> {
        let (bucket, key) = location(state)?;
        let head = match clients.block_on(clients.s3.head_object().bucket(&bucket).key(&key).send())
        {
            Ok(head) => head,
            Err(error) => {
                let error = ApiError::from_sdk(format!("reading s3://{bucket}/{key}"), error);
                if error.is_not_found() {
                    return Ok(None);
                }
                return Err(error.into());
            }
        };
        let tags = match clients.block_on(
            clients
                .s3
                .get_object_tagging()
                .bucket(&bucket)
                .key(&key)
                .send(),
        ) {
            Ok(output) => from_tag_set(output.tag_set()),
            Err(error) => {
                let error =
                    ApiError::from_sdk(format!("reading the tags of s3://{bucket}/{key}"), error);
                if error.is_not_found() {
                    BTreeMap::new()
                } else {
                    return Err(error.into());
                }
            }
        };
        let metadata: BTreeMap<String, String> = head
            .metadata()
            .map(|entries| {
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let (own_tags, tags_all) = observed_tags(state, &tags, &clients.default_tags);
        let mut object = ObjectBuilder::from(state)
            .string("id", key.clone())
            .string("arn", format!("arn:aws:s3:::{bucket}/{key}"))
            .string(
                "etag",
                head.e_tag()
                    .unwrap_or_default()
                    .trim_matches('"')
                    .to_string(),
            )
            .set(
                "content_type",
                optional_string_value(head.content_type().map(str::to_string)),
            )
            .set(
                "version_id",
                optional_string_value(head.version_id().map(str::to_string)),
            )
            .set(
                "metadata",
                observed_map(attribute(state, "metadata"), &metadata),
            )
            .set("tags", own_tags)
            .set("tags_all", tags_all);
        let observed_headers = [
            head.cache_control(),
            head.content_disposition(),
            head.content_encoding(),
            head.content_language(),
        ];
        for (name, observed) in HEADER_ATTRIBUTES.iter().zip(observed_headers) {
            // Only what the configuration manages is compared, as the Terraform provider does.
            if !attribute(state, name).is_null() {
                object = object.set(name, optional_string_value(observed.map(str::to_string)));
            }
        }
        Ok(Some(object.build()))
    }

    fn update(
        &self,
        clients: &Clients,
        prior: &Value,
        planned: &Value,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let (bucket, key) = location(planned)?;
        let body_changed = BODY_ATTRIBUTES
            .iter()
            .any(|name| attribute(prior, name) != attribute(planned, name));
        if body_changed {
            upload(clients, planned, progress)?;
        } else {
            let tags = string_map(planned, "tags_all")?;
            let result = if tags.is_empty() {
                clients
                    .block_on(
                        clients
                            .s3
                            .delete_object_tagging()
                            .bucket(&bucket)
                            .key(&key)
                            .send(),
                    )
                    .map(|_| ())
                    .map_err(api(format!("removing the tags of s3://{bucket}/{key}")))
            } else {
                clients
                    .block_on(
                        clients
                            .s3
                            .put_object_tagging()
                            .bucket(&bucket)
                            .key(&key)
                            .tagging(tagging(&tags)?)
                            .send(),
                    )
                    .map(|_| ())
                    .map_err(api(format!("tagging s3://{bucket}/{key}")))
            };
            result?;
        }
        self.read(clients, &without_unknowns(planned))?
            .ok_or_else(|| {
                ProviderError::new(format!("s3://{bucket}/{key} disappeared during update"))
            })
    }

    fn delete(&self, clients: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let (bucket, key) = location(prior)?;
        if optional_bool(prior, "force_destroy").unwrap_or(false) {
            return delete_every_version(clients, &bucket, &key);
        }
        match clients.block_on(clients.s3.delete_object().bucket(&bucket).key(&key).send()) {
            Ok(_) => Ok(()),
            Err(error) => {
                let error = ApiError::from_sdk(format!("deleting s3://{bucket}/{key}"), error);
                if error.is_not_found() {
                    Ok(())
                } else {
                    Err(error.into())
                }
            }
        }
    }

    fn import_state(&self, id: &str) -> Result<Value, ProviderError> {
        let trimmed = id.strip_prefix("s3://").unwrap_or(id);
        let Some((bucket, key)) = trimmed
            .split_once('/')
            .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        else {
            return Err(ProviderError::new(format!(
                "cannot import aws_s3_object `{id}`: write the id as BUCKET/KEY (or s3://BUCKET/KEY)"
            )));
        };
        Ok(ObjectBuilder::default()
            .string("bucket", bucket)
            .string("key", key)
            .set("force_destroy", Value::Bool(false))
            .build())
    }
}

fn location(value: &Value) -> Result<(String, String), ProviderError> {
    Ok((
        required_string(value, "bucket")?,
        required_string(value, "key")?,
    ))
}

/// The planned value with its unknowns (the ETag and version id the upload decides) cleared.
fn without_unknowns(planned: &Value) -> Value {
    match planned {
        Value::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(name, value)| {
                    let value = if value.is_unknown() {
                        Value::Null
                    } else {
                        value.clone()
                    };
                    (name.clone(), value)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn upload(
    clients: &Clients,
    planned: &Value,
    progress: &dyn Progress,
) -> Result<(), ProviderError> {
    let (bucket, key) = location(planned)?;
    let tags = string_map(planned, "tags_all")?;
    let tagging = (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|(name, value)| format!("{}={}", query_encode(name), query_encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    });
    let headers = ObjectHeaders {
        content_type: settable_string(planned, "content_type")?,
        cache_control: optional_string(planned, "cache_control")?,
        content_disposition: optional_string(planned, "content_disposition")?,
        content_encoding: optional_string(planned, "content_encoding")?,
        content_language: optional_string(planned, "content_language")?,
        metadata: string_map(planned, "metadata")?,
        tagging,
    };
    let source_path: PathBuf;
    let body = if let Some(source) = optional_string(planned, "source")? {
        source_path = clients.module_directory.join(source);
        Body::File(&source_path)
    } else if let Some(encoded) = optional_string(planned, "content_base64")? {
        Body::Bytes(decode_base64(&encoded)?)
    } else {
        Body::Bytes(
            optional_string(planned, "content")?
                .unwrap_or_default()
                .into_bytes(),
        )
    };
    put(clients, &bucket, &key, body, &headers, progress)
}

fn query_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn decode_base64(encoded: &str) -> Result<Vec<u8>, ProviderError> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|error| {
            ProviderError::at_attribute(
                format!("`content_base64` is not valid base64: {error}"),
                "content_base64",
            )
        })
}

fn delete_every_version(clients: &Clients, bucket: &str, key: &str) -> Result<(), ProviderError> {
    let listing = clients
        .block_on(
            clients
                .s3
                .list_object_versions()
                .bucket(bucket)
                .prefix(key)
                .send(),
        )
        .map_err(api(format!("listing the versions of s3://{bucket}/{key}")))?;
    let mut identifiers = Vec::new();
    let versions = listing
        .versions()
        .iter()
        .map(|version| (version.key(), version.version_id()))
        .chain(
            listing
                .delete_markers()
                .iter()
                .map(|marker| (marker.key(), marker.version_id())),
        );
    for (found, version) in versions {
        if found == Some(key)
            && let Ok(identifier) = aws_sdk_s3::types::ObjectIdentifier::builder()
                .key(key)
                .set_version_id(version.map(str::to_string))
                .build()
        {
            identifiers.push(identifier);
        }
    }
    if identifiers.is_empty() {
        return Ok(());
    }
    let delete = Delete::builder()
        .set_objects(Some(identifiers))
        .quiet(true)
        .build()
        .map_err(|error| ProviderError::new(error.to_string()))?;
    clients
        .block_on(
            clients
                .s3
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send(),
        )
        .map_err(api(format!("deleting the versions of s3://{bucket}/{key}")))?;
    Ok(())
}
