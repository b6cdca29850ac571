//! S3 reads for the rest of lathe (`lathe_dataset`'s `s3://` sources), through the same target,
//! provider settings and SDK client as the aws provider's resources.

use std::io::Write;
use std::path::Path;

use lathe_core::provider::ProviderError;

use crate::clients::Clients;
use crate::error::{ApiError, api};
use crate::target::{ProviderSettings, Target};

/// One object: its key and its ETag without quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSummary {
    pub key: String,
    pub etag: String,
}

/// A connected S3 client for reading objects.
#[derive(Debug)]
pub struct ObjectReader {
    clients: Clients,
}

fn unquoted(etag: Option<&str>) -> String {
    etag.unwrap_or_default().trim_matches('"').to_string()
}

impl ObjectReader {
    /// Connects as a `provider "aws"` block with `settings` would (for the local target this
    /// finds or starts the project's region).
    pub fn connect(
        target: &Target,
        settings: &ProviderSettings,
    ) -> Result<ObjectReader, ProviderError> {
        Ok(ObjectReader {
            clients: Clients::connect(target, settings)?,
        })
    }

    /// Every object under `prefix`, a page of up to 1,000 at a time, in key order.
    pub fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectSummary>, ProviderError> {
        let mut objects = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let output = self
                .clients
                .block_on(
                    self.clients
                        .s3
                        .list_objects_v2()
                        .bucket(bucket)
                        .prefix(prefix)
                        .set_continuation_token(token.clone())
                        .send(),
                )
                .map_err(api(format!("listing s3://{bucket}/{prefix}")))?;
            objects.extend(output.contents().iter().filter_map(|object| {
                object.key().map(|key| ObjectSummary {
                    key: key.to_string(),
                    etag: unquoted(object.e_tag()),
                })
            }));
            match output.next_continuation_token() {
                Some(next) if output.is_truncated() == Some(true) => token = Some(next.to_string()),
                _ => return Ok(objects),
            }
        }
    }

    /// The object at `key`; `None` when it does not exist.
    pub fn head(&self, bucket: &str, key: &str) -> Result<Option<ObjectSummary>, ProviderError> {
        match self
            .clients
            .block_on(self.clients.s3.head_object().bucket(bucket).key(key).send())
        {
            Ok(head) => Ok(Some(ObjectSummary {
                key: key.to_string(),
                etag: unquoted(head.e_tag()),
            })),
            Err(error) => {
                let error = ApiError::from_sdk(format!("reading s3://{bucket}/{key}"), error);
                if error.is_not_found() {
                    Ok(None)
                } else {
                    Err(error.into())
                }
            }
        }
    }

    /// Streams the object into `destination` and syncs it to disk.
    pub fn download(
        &self,
        bucket: &str,
        key: &str,
        destination: &Path,
    ) -> Result<(), ProviderError> {
        let written = |error: std::io::Error| {
            ProviderError::new(format!("writing {}: {error}", destination.display()))
        };
        let mut file = std::fs::File::create(destination).map_err(written)?;
        self.clients.block_on(async {
            let output = self
                .clients
                .s3
                .get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map_err(api(format!("downloading s3://{bucket}/{key}")))?;
            let mut body = output.body;
            while let Some(chunk) = body.try_next().await.map_err(|error| {
                ProviderError::new(format!("downloading s3://{bucket}/{key}: {error}"))
            })? {
                file.write_all(&chunk).map_err(written)?;
            }
            Ok::<(), ProviderError>(())
        })?;
        file.sync_all().map_err(written)
    }
}
