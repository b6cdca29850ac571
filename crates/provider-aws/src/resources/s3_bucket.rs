//! `aws_s3_bucket`: a bucket, its tags, and `force_destroy` emptying it on delete.

use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, Delete, ObjectIdentifier,
};
use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{PlanRequest, PlannedChange, Progress, ProviderError};
use lathe_core::schema::{AttributeSchema, BlockSchema};

use super::default_tags::{observed_tags, tags_all_attribute};
use super::s3_tags::{from_tag_set, tagging};
use super::{PlanRules, Resource, plan_with_rules};
use crate::clients::Clients;
use crate::data_sources::partition_of;
use crate::error::{ApiError, api};
use crate::values::{ObjectBuilder, optional_bool, required_string, string_map};

#[derive(Debug)]
pub struct S3Bucket;

const RULES: PlanRules<'static> = PlanRules {
    generated_name: Some(("bucket", "bucket_prefix")),
    policies: &[],
    defaults: &[("force_destroy", || Value::Bool(false))],
};

impl Resource for S3Bucket {
    fn type_name(&self) -> &'static str {
        "aws_s3_bucket"
    }

    fn schema(&self) -> BlockSchema {
        BlockSchema::new(vec![
            AttributeSchema::optional_computed("bucket", TypeConstraint::String).force_new(),
            AttributeSchema::optional("bucket_prefix", TypeConstraint::String).force_new(),
            AttributeSchema::optional("force_destroy", TypeConstraint::Bool)
                .described("Delete every object (and version) on destroy so the bucket can go."),
            AttributeSchema::optional(
                "tags",
                TypeConstraint::Map(Box::new(TypeConstraint::String)),
            ),
            tags_all_attribute(),
            AttributeSchema::computed("id", TypeConstraint::String),
            AttributeSchema::computed("arn", TypeConstraint::String),
            AttributeSchema::computed("bucket_domain_name", TypeConstraint::String),
            AttributeSchema::computed("bucket_regional_domain_name", TypeConstraint::String),
            AttributeSchema::computed("region", TypeConstraint::String),
        ])
    }

    fn plan(&self, request: &PlanRequest) -> Result<PlannedChange, ProviderError> {
        Ok(plan_with_rules(&self.schema(), request, &RULES))
    }

    fn create(
        &self,
        clients: &Clients,
        planned: &Value,
        _progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let bucket = required_string(planned, "bucket")?;
        let mut request = clients.s3.create_bucket().bucket(&bucket);
        // us-east-1 is the one region that refuses a location constraint naming itself.
        if clients.region != "us-east-1" {
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(clients.region.as_str()))
                    .build(),
            );
        }
        clients
            .block_on(request.send())
            .map_err(api(format!("creating S3 bucket {bucket}")))?;
        put_tags(clients, &bucket, planned)?;
        self.read(clients, planned)?.ok_or_else(|| {
            ProviderError::new(format!(
                "S3 bucket {bucket} was created but cannot be read back"
            ))
        })
    }

    fn read(&self, clients: &Clients, state: &Value) -> Result<Option<Value>, ProviderError> {
        let bucket = required_string(state, "bucket")?;
        let head = match clients.block_on(clients.s3.head_bucket().bucket(&bucket).send()) {
            Ok(head) => head,
            Err(error) => {
                let error = ApiError::from_sdk(format!("reading S3 bucket {bucket}"), error);
                if error.is_not_found() {
                    return Ok(None);
                }
                return Err(error.into());
            }
        };
        let region = head
            .bucket_region()
            .map(str::to_string)
            .unwrap_or_else(|| clients.region.clone());
        let tags = read_tags(clients, &bucket)?;
        let (partition, dns_suffix, _) = partition_of(&region);
        let (tags, tags_all) = observed_tags(state, &tags, &clients.default_tags);
        Ok(Some(
            ObjectBuilder::from(state)
                .string("id", bucket.clone())
                .string("arn", format!("arn:{partition}:s3:::{bucket}"))
                .string("bucket_domain_name", format!("{bucket}.s3.{dns_suffix}"))
                .string(
                    "bucket_regional_domain_name",
                    format!("{bucket}.s3.{region}.{dns_suffix}"),
                )
                .string("region", region)
                .set("tags", tags)
                .set("tags_all", tags_all)
                .set(
                    "force_destroy",
                    Value::Bool(optional_bool(state, "force_destroy").unwrap_or(false)),
                )
                .build(),
        ))
    }

    fn update(
        &self,
        clients: &Clients,
        prior: &Value,
        planned: &Value,
        _progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let bucket = required_string(prior, "bucket")?;
        if string_map(prior, "tags_all")? != string_map(planned, "tags_all")? {
            put_tags(clients, &bucket, planned)?;
        }
        let merged = ObjectBuilder::from(planned)
            .set("bucket", Value::string(bucket.clone()))
            .build();
        self.read(clients, &merged)?.ok_or_else(|| {
            ProviderError::new(format!("S3 bucket {bucket} disappeared during update"))
        })
    }

    fn delete(&self, clients: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let bucket = required_string(prior, "bucket")?;
        if optional_bool(prior, "force_destroy").unwrap_or(false) {
            empty_bucket(clients, &bucket)?;
        }
        match clients.block_on(clients.s3.delete_bucket().bucket(&bucket).send()) {
            Ok(_) => Ok(()),
            Err(error) => {
                let error = ApiError::from_sdk(format!("deleting S3 bucket {bucket}"), error);
                if error.is("NoSuchBucket") {
                    return Ok(());
                }
                if error.is("BucketNotEmpty") {
                    return Err(ProviderError::new(format!(
                        "{error}; delete its objects first, or set force_destroy = true and apply before destroying"
                    )));
                }
                Err(error.into())
            }
        }
    }

    fn import_state(&self, id: &str) -> Result<Value, ProviderError> {
        Ok(ObjectBuilder::default()
            .string("bucket", id)
            .set("force_destroy", Value::Bool(false))
            .build())
    }
}

fn put_tags(clients: &Clients, bucket: &str, planned: &Value) -> Result<(), ProviderError> {
    let tags = string_map(planned, "tags_all")?;
    if tags.is_empty() {
        clients
            .block_on(clients.s3.delete_bucket_tagging().bucket(bucket).send())
            .map_err(api(format!("removing the tags of S3 bucket {bucket}")))?;
    } else {
        clients
            .block_on(
                clients
                    .s3
                    .put_bucket_tagging()
                    .bucket(bucket)
                    .tagging(tagging(&tags)?)
                    .send(),
            )
            .map_err(api(format!("tagging S3 bucket {bucket}")))?;
    }
    Ok(())
}

fn read_tags(
    clients: &Clients,
    bucket: &str,
) -> Result<std::collections::BTreeMap<String, String>, ProviderError> {
    match clients.block_on(clients.s3.get_bucket_tagging().bucket(bucket).send()) {
        Ok(output) => Ok(from_tag_set(output.tag_set())),
        Err(error) => {
            let error =
                ApiError::from_sdk(format!("reading the tags of S3 bucket {bucket}"), error);
            if error.is_not_found() {
                Ok(Default::default())
            } else {
                Err(error.into())
            }
        }
    }
}

/// Deletes every object version and delete marker, a page (up to 1,000) at a time.
fn empty_bucket(clients: &Clients, bucket: &str) -> Result<(), ProviderError> {
    loop {
        let listing = clients
            .block_on(clients.s3.list_object_versions().bucket(bucket).send())
            .map_err(api(format!("listing the objects of S3 bucket {bucket}")))?;
        let mut identifiers = Vec::new();
        for version in listing.versions() {
            identifiers.push((version.key(), version.version_id()));
        }
        for marker in listing.delete_markers() {
            identifiers.push((marker.key(), marker.version_id()));
        }
        let identifiers = identifiers
            .into_iter()
            .filter_map(|(key, version)| {
                ObjectIdentifier::builder()
                    .set_key(key.map(str::to_string))
                    .set_version_id(version.filter(|id| *id != "null").map(str::to_string))
                    .build()
                    .ok()
            })
            .collect::<Vec<_>>();
        if identifiers.is_empty() {
            return Ok(());
        }
        let delete = Delete::builder()
            .set_objects(Some(identifiers))
            .quiet(true)
            .build()
            .map_err(|error| ProviderError::new(error.to_string()))?;
        let output = clients
            .block_on(
                clients
                    .s3
                    .delete_objects()
                    .bucket(bucket)
                    .delete(delete)
                    .send(),
            )
            .map_err(api(format!("emptying S3 bucket {bucket}")))?;
        if let Some(failure) = output.errors().first() {
            return Err(ProviderError::new(format!(
                "emptying S3 bucket {bucket}: could not delete {}: {} {}",
                failure.key().unwrap_or_default(),
                failure.code().unwrap_or_default(),
                failure.message().unwrap_or_default()
            )));
        }
    }
}
