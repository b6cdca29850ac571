//! Object and bucket tagging.

use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

use super::RegionS3;
use super::catalog;
use super::objects::public_version;

const MAX_OBJECT_TAGS: usize = 10;
const MAX_BUCKET_TAGS: usize = 50;

fn invalid_tag(message: String) -> S3Error {
    S3Error::with_message(S3ErrorCode::InvalidTag, message)
}

/// AWS's limits: keys 1-128 characters, values up to 256, keys unique.
pub(super) fn check_tags(tags: &[(String, String)]) -> S3Result<()> {
    for (index, (key, value)) in tags.iter().enumerate() {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(invalid_tag(format!(
                "The TagKey you have provided is invalid: tag {} key {key:?} must be 1 to 128 characters.",
                index + 1
            )));
        }
        if value.chars().count() > 256 {
            return Err(invalid_tag(format!(
                "The TagValue you have provided is invalid: tag {} value is longer than 256 characters.",
                index + 1
            )));
        }
        if tags[..index].iter().any(|(earlier, _)| earlier == key) {
            return Err(invalid_tag(format!(
                "Cannot provide multiple Tags with the same key: {key:?}."
            )));
        }
    }
    Ok(())
}

fn from_tag_set(tag_set: TagSet, limit: usize) -> S3Result<Vec<(String, String)>> {
    if tag_set.len() > limit {
        return Err(S3Error::with_message(
            S3ErrorCode::InvalidTag,
            format!(
                "Object tags cannot be greater than {limit}; got {}.",
                tag_set.len()
            ),
        ));
    }
    let tags: Vec<(String, String)> = tag_set
        .into_iter()
        .map(|tag| (tag.key.unwrap_or_default(), tag.value.unwrap_or_default()))
        .collect();
    check_tags(&tags)?;
    Ok(tags)
}

fn to_tag_set(tags: Vec<(String, String)>) -> TagSet {
    tags.into_iter()
        .map(|(key, value)| Tag {
            key: Some(key),
            value: Some(value),
        })
        .collect()
}

impl RegionS3 {
    pub(super) async fn put_object_tagging(
        &self,
        req: S3Request<PutObjectTaggingInput>,
    ) -> S3Result<S3Response<PutObjectTaggingOutput>> {
        let input = req.input;
        let tags = from_tag_set(input.tagging.tag_set, MAX_OBJECT_TAGS)?;
        let version = self
            .write_object_tags(input.bucket, input.key, input.version_id, tags)
            .await?;
        Ok(S3Response::new(PutObjectTaggingOutput {
            version_id: public_version(&version),
        }))
    }

    pub(super) async fn delete_object_tagging(
        &self,
        req: S3Request<DeleteObjectTaggingInput>,
    ) -> S3Result<S3Response<DeleteObjectTaggingOutput>> {
        let input = req.input;
        let version = self
            .write_object_tags(input.bucket, input.key, input.version_id, Vec::new())
            .await?;
        Ok(S3Response::new(DeleteObjectTaggingOutput {
            version_id: public_version(&version),
        }))
    }

    async fn write_object_tags(
        &self,
        bucket: String,
        key: String,
        version_id: Option<String>,
        tags: Vec<(String, String)>,
    ) -> S3Result<String> {
        self.catalog(move |c| {
            catalog::set_object_tags(c, &bucket, &key, version_id.as_deref(), &tags)
        })
        .await
    }

    pub(super) async fn get_object_tagging(
        &self,
        req: S3Request<GetObjectTaggingInput>,
    ) -> S3Result<S3Response<GetObjectTaggingOutput>> {
        let input = req.input;
        let (bucket, key, version) = (input.bucket, input.key, input.version_id);
        let record = self
            .catalog(move |c| catalog::find_object(c, &bucket, &key, version.as_deref()))
            .await?;
        if record.is_delete_marker {
            return Err(S3Error::with_message(
                S3ErrorCode::NoSuchKey,
                "The specified key does not exist.",
            ));
        }
        Ok(S3Response::new(GetObjectTaggingOutput {
            tag_set: to_tag_set(record.tags),
            version_id: public_version(&record.version_id),
        }))
    }

    pub(super) async fn put_bucket_tagging(
        &self,
        req: S3Request<PutBucketTaggingInput>,
    ) -> S3Result<S3Response<PutBucketTaggingOutput>> {
        let input = req.input;
        let tags = from_tag_set(input.tagging.tag_set, MAX_BUCKET_TAGS)?;
        let bucket = input.bucket;
        self.catalog(move |c| catalog::set_bucket_tags(c, &bucket, &tags))
            .await?;
        Ok(S3Response::new(PutBucketTaggingOutput {}))
    }

    pub(super) async fn get_bucket_tagging(
        &self,
        req: S3Request<GetBucketTaggingInput>,
    ) -> S3Result<S3Response<GetBucketTaggingOutput>> {
        let bucket = req.input.bucket;
        let tags = self
            .catalog(move |c| catalog::bucket_tags(c, &bucket))
            .await?;
        if tags.is_empty() {
            return Err(S3Error::with_message(
                S3ErrorCode::NoSuchTagSet,
                "The TagSet does not exist",
            ));
        }
        Ok(S3Response::new(GetBucketTaggingOutput {
            tag_set: to_tag_set(tags),
        }))
    }

    pub(super) async fn delete_bucket_tagging(
        &self,
        req: S3Request<DeleteBucketTaggingInput>,
    ) -> S3Result<S3Response<DeleteBucketTaggingOutput>> {
        let bucket = req.input.bucket;
        self.catalog(move |c| catalog::set_bucket_tags(c, &bucket, &[]))
            .await?;
        Ok(S3Response::new(DeleteBucketTaggingOutput {}))
    }
}
