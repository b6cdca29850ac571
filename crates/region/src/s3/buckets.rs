//! Bucket operations: create, head, list, delete, location, versioning.

use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

use super::RegionS3;
use super::catalog;
use super::names::check_bucket_name;

impl RegionS3 {
    pub(super) async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        let input = req.input;
        check_bucket_name(&input.bucket)?;
        let requested = input
            .create_bucket_configuration
            .as_ref()
            .and_then(|c| c.location_constraint.as_ref())
            .map(|l| l.as_str().to_string());
        // As in AWS: a location constraint must name this region (us-east-1 takes none).
        if let Some(requested) = &requested
            && requested != &self.region
        {
            return Err(S3Error::with_message(
                S3ErrorCode::IllegalLocationConstraintException,
                format!(
                    "The {requested} location constraint is incompatible for the region specific endpoint this request was sent to ({}).",
                    self.region
                ),
            ));
        }
        if requested.is_none() && self.region != "us-east-1" {
            return Err(S3Error::with_message(
                S3ErrorCode::IllegalLocationConstraintException,
                format!(
                    "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to ({}); pass LocationConstraint={}.",
                    self.region, self.region
                ),
            ));
        }
        let (name, region) = (input.bucket.clone(), self.region.clone());
        self.catalog(move |c| catalog::create_bucket(c, &name, &region))
            .await?;
        Ok(S3Response::new(CreateBucketOutput {
            location: Some(format!("/{}", input.bucket)),
        }))
    }

    pub(super) async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        let bucket = self.require_bucket(&req.input.bucket).await?;
        Ok(S3Response::new(HeadBucketOutput {
            bucket_region: Some(bucket.region),
            ..Default::default()
        }))
    }

    pub(super) async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let input = req.input;
        let all = self.catalog(|c| catalog::buckets(c)).await?;
        let max = input.max_buckets.unwrap_or(10_000).clamp(1, 10_000) as usize;
        let mut selected: Vec<_> = all
            .into_iter()
            .filter(|b| {
                input
                    .prefix
                    .as_deref()
                    .is_none_or(|p| b.name.starts_with(p))
            })
            .filter(|b| {
                input
                    .continuation_token
                    .as_deref()
                    .is_none_or(|after| b.name.as_str() > after)
            })
            .collect();
        let truncated = selected.len() > max;
        selected.truncate(max);
        let continuation_token = truncated
            .then(|| selected.last().map(|b| b.name.clone()))
            .flatten();
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(
                selected
                    .into_iter()
                    .map(|b| Bucket {
                        name: Some(b.name),
                        creation_date: Some(Timestamp::from(b.created_at)),
                        bucket_region: Some(b.region),
                    })
                    .collect(),
            ),
            continuation_token,
            owner: Some(Owner {
                display_name: Some("lathe".to_string()),
                id: Some(owner_id()),
            }),
            prefix: input.prefix,
        }))
    }

    pub(super) async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        let name = req.input.bucket;
        self.catalog(move |c| catalog::delete_bucket(c, &name))
            .await?;
        Ok(S3Response::new(DeleteBucketOutput {}))
    }

    pub(super) async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        let bucket = self.require_bucket(&req.input.bucket).await?;
        // AWS reports us-east-1 as an empty location constraint.
        let location_constraint =
            (bucket.region != "us-east-1").then(|| BucketLocationConstraint::from(bucket.region));
        Ok(S3Response::new(GetBucketLocationOutput {
            location_constraint,
        }))
    }

    pub(super) async fn put_bucket_versioning(
        &self,
        req: S3Request<PutBucketVersioningInput>,
    ) -> S3Result<S3Response<PutBucketVersioningOutput>> {
        let input = req.input;
        let status = input
            .versioning_configuration
            .status
            .as_ref()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        if status != "Enabled" && status != "Suspended" {
            return Err(S3Error::with_message(
                S3ErrorCode::MalformedXML,
                format!("Versioning status must be Enabled or Suspended, not {status:?}."),
            ));
        }
        let name = input.bucket;
        self.catalog(move |c| catalog::set_versioning(c, &name, &status))
            .await?;
        Ok(S3Response::new(PutBucketVersioningOutput {}))
    }

    pub(super) async fn get_bucket_versioning(
        &self,
        req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        let bucket = self.require_bucket(&req.input.bucket).await?;
        Ok(S3Response::new(GetBucketVersioningOutput {
            status: bucket.versioning.map(BucketVersioningStatus::from),
            ..Default::default()
        }))
    }
}

/// The canonical user id listings show as owner; stable for one installation.
pub(super) fn owner_id() -> String {
    "6c617468652d6c6f63616c2d726567696f6e2d6f776e65722d69642d30303030".to_string()
}
