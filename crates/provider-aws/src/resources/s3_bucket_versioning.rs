//! `aws_s3_bucket_versioning`: a bucket's versioning state (Enabled, Suspended, Disabled).

use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use lathe_config::types::TypeConstraint;
use lathe_config::value::Value;
use lathe_core::provider::{Progress, ProviderError};
use lathe_core::schema::{AttributeSchema, BlockSchema, NestedBlockSchema, Nesting};

use super::Resource;
use crate::clients::Clients;
use crate::error::{ApiError, api};
use crate::values::{ObjectBuilder, attribute, optional_string, required_string};

#[derive(Debug)]
pub struct S3BucketVersioning;

const STATUSES: [&str; 3] = ["Enabled", "Suspended", "Disabled"];

fn configured_status(value: &Value) -> Result<String, ProviderError> {
    let block = attribute(value, "versioning_configuration");
    let status = required_string(block, "status").map_err(|_| {
        ProviderError::at_attribute(
            "`versioning_configuration { status = ... }` is required: Enabled, Suspended or Disabled",
            "versioning_configuration",
        )
    })?;
    if !STATUSES.contains(&status.as_str()) {
        return Err(ProviderError::at_attribute(
            format!("versioning status `{status}` is not one of Enabled, Suspended, Disabled"),
            "versioning_configuration",
        ));
    }
    Ok(status)
}

fn put_status(clients: &Clients, bucket: &str, status: &str) -> Result<(), ProviderError> {
    let configuration = VersioningConfiguration::builder()
        .status(BucketVersioningStatus::from(status))
        .build();
    clients
        .block_on(
            clients
                .s3
                .put_bucket_versioning()
                .bucket(bucket)
                .versioning_configuration(configuration)
                .send(),
        )
        .map_err(api(format!(
            "setting versioning of S3 bucket {bucket} to {status}"
        )))?;
    Ok(())
}

impl Resource for S3BucketVersioning {
    fn type_name(&self) -> &'static str {
        "aws_s3_bucket_versioning"
    }

    fn schema(&self) -> BlockSchema {
        BlockSchema::new(vec![
            AttributeSchema::required("bucket", TypeConstraint::String).force_new(),
            AttributeSchema::optional("expected_bucket_owner", TypeConstraint::String).force_new(),
            AttributeSchema::computed("id", TypeConstraint::String),
        ])
        .with_block(
            NestedBlockSchema::new(
                "versioning_configuration",
                Nesting::Single,
                BlockSchema::new(vec![
                    AttributeSchema::required("status", TypeConstraint::String),
                    AttributeSchema::optional("mfa_delete", TypeConstraint::String),
                ]),
            )
            .items(1, Some(1)),
        )
    }

    fn create(
        &self,
        clients: &Clients,
        planned: &Value,
        _progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let bucket = required_string(planned, "bucket")?;
        let status = configured_status(planned)?;
        // A bucket that never had versioning cannot be set to Disabled; there is nothing to do.
        if status != "Disabled" {
            put_status(clients, &bucket, &status)?;
        }
        self.read(clients, planned)?
            .ok_or_else(|| ProviderError::new(format!("S3 bucket {bucket} does not exist")))
    }

    fn read(&self, clients: &Clients, state: &Value) -> Result<Option<Value>, ProviderError> {
        let bucket = required_string(state, "bucket")?;
        let output = match clients
            .block_on(clients.s3.get_bucket_versioning().bucket(&bucket).send())
        {
            Ok(output) => output,
            Err(error) => {
                let error =
                    ApiError::from_sdk(format!("reading versioning of S3 bucket {bucket}"), error);
                if error.is_not_found() {
                    return Ok(None);
                }
                return Err(error.into());
            }
        };
        let status = output
            .status()
            .map(|status| status.as_str().to_string())
            .unwrap_or_else(|| "Disabled".to_string());
        let before = attribute(state, "versioning_configuration");
        let mfa_delete = match output.mfa_delete() {
            Some(mfa) if optional_string(before, "mfa_delete")?.is_some() => {
                Value::string(mfa.as_str())
            }
            _ => attribute(before, "mfa_delete").clone(),
        };
        Ok(Some(
            ObjectBuilder::from(state)
                .string("id", bucket)
                .set(
                    "versioning_configuration",
                    ObjectBuilder::default()
                        .string("status", status)
                        .set("mfa_delete", mfa_delete)
                        .build(),
                )
                .set(
                    "expected_bucket_owner",
                    attribute(state, "expected_bucket_owner").clone(),
                )
                .build(),
        ))
    }

    fn update(
        &self,
        clients: &Clients,
        _prior: &Value,
        planned: &Value,
        progress: &dyn Progress,
    ) -> Result<Value, ProviderError> {
        let bucket = required_string(planned, "bucket")?;
        let status = configured_status(planned)?;
        // Once enabled, a bucket can only be suspended; Disabled means the same to S3.
        let status = if status == "Disabled" {
            "Suspended".to_string()
        } else {
            status
        };
        put_status(clients, &bucket, &status)?;
        let _ = progress;
        let mut value = self
            .read(clients, planned)?
            .ok_or_else(|| ProviderError::new(format!("S3 bucket {bucket} does not exist")))?;
        if let Value::Object(entries) = &mut value {
            entries.insert(
                "versioning_configuration".to_string(),
                attribute(planned, "versioning_configuration").clone(),
            );
        }
        Ok(value)
    }

    fn delete(&self, clients: &Clients, prior: &Value) -> Result<(), ProviderError> {
        let bucket = required_string(prior, "bucket")?;
        // Versioning cannot be switched off, only suspended, which is what Terraform does too.
        if configured_status(prior)? == "Enabled" {
            match clients.block_on(
                clients
                    .s3
                    .put_bucket_versioning()
                    .bucket(&bucket)
                    .versioning_configuration(
                        VersioningConfiguration::builder()
                            .status(BucketVersioningStatus::Suspended)
                            .build(),
                    )
                    .send(),
            ) {
                Ok(_) => {}
                Err(error) => {
                    let error = ApiError::from_sdk(
                        format!("suspending versioning of S3 bucket {bucket}"),
                        error,
                    );
                    if !error.is_not_found() {
                        return Err(error.into());
                    }
                }
            }
        }
        Ok(())
    }

    fn import_state(&self, id: &str) -> Result<Value, ProviderError> {
        Ok(ObjectBuilder::default()
            .string("bucket", id)
            .set(
                "versioning_configuration",
                ObjectBuilder::default()
                    .string("status", "Disabled")
                    .set("mfa_delete", Value::Null)
                    .build(),
            )
            .build())
    }
}
