//! s3s's authentication and access hooks, backed by our key store and authorizer, so S3
//! shares the credentials and policies of every other service.

use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::path::S3Path;
use s3s::{S3Error, S3ErrorCode, S3Result};

use super::AuthError;
use super::authorize::{Authorizer, Denial};
use super::keys::{KeyStore, check_session_token};

#[derive(Debug, Clone)]
pub struct S3Hooks {
    keys: KeyStore,
    authorizer: Authorizer,
}

impl S3Hooks {
    pub fn new(keys: KeyStore, authorizer: Authorizer) -> Self {
        Self { keys, authorizer }
    }
}

/// The one place authentication failures take S3's error codes.
fn s3_auth_error(error: AuthError) -> S3Error {
    let (code, message) = match &error {
        AuthError::MissingAuthenticationToken => (S3ErrorCode::AccessDenied, error.to_string()),
        AuthError::UnknownAccessKey(_) => (
            S3ErrorCode::InvalidAccessKeyId,
            "The AWS Access Key Id you provided does not exist in our records.".to_string(),
        ),
        AuthError::SignatureDoesNotMatch(_) => {
            (S3ErrorCode::SignatureDoesNotMatch, error.to_string())
        }
        AuthError::IncompleteSignature(_) => {
            (S3ErrorCode::AuthorizationHeaderMalformed, error.to_string())
        }
        AuthError::ExpiredToken => (S3ErrorCode::ExpiredToken, error.to_string()),
        AuthError::InvalidToken => (S3ErrorCode::InvalidToken, error.to_string()),
        AuthError::Unavailable(_) => (S3ErrorCode::InternalError, error.to_string()),
    };
    S3Error::with_message(code, message)
}

#[async_trait::async_trait]
impl S3Auth for S3Hooks {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        let known = self.keys.lookup(access_key).await.map_err(s3_auth_error)?;
        Ok(SecretKey::from(known.secret))
    }
}

/// The IAM action an S3 operation needs, as AWS's service authorization reference maps it.
pub fn iam_action(operation: &str) -> String {
    let action = match operation {
        "HeadObject" => "GetObject",
        "HeadBucket" | "ListObjects" | "ListObjectsV2" => "ListBucket",
        "ListBuckets" => "ListAllMyBuckets",
        "ListObjectVersions" => "ListBucketVersions",
        "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload" | "CopyObject" => {
            "PutObject"
        }
        "ListParts" => "ListMultipartUploadParts",
        "ListMultipartUploads" => "ListBucketMultipartUploads",
        "DeleteObjects" => "DeleteObject",
        "DeleteBucketTagging" | "PutBucketTagging" => "PutBucketTagging",
        "UploadPartCopy" => "PutObject",
        other => other,
    };
    format!("s3:{action}")
}

pub fn resource_arn(path: &S3Path) -> String {
    match path {
        S3Path::Root => "*".to_string(),
        S3Path::Bucket { bucket } => format!("arn:aws:s3:::{bucket}"),
        S3Path::Object { bucket, key } => format!("arn:aws:s3:::{bucket}/{key}"),
    }
}

/// S3's request condition keys: the listing parameters, as IAM policies test them
/// (`"Condition": {"StringLike": {"s3:prefix": "data/*"}}`).
fn request_context(cx: &S3AccessContext<'_>) -> Vec<(String, String)> {
    let Some(query) = cx.uri().query() else {
        return Vec::new();
    };
    url::form_urlencoded::parse(query.as_bytes())
        .filter_map(|(key, value)| {
            let condition_key = match key.as_ref() {
                "prefix" => "s3:prefix",
                "delimiter" => "s3:delimiter",
                "max-keys" => "s3:max-keys",
                _ => return None,
            };
            Some((condition_key.to_string(), value.into_owned()))
        })
        .collect()
}

fn presented_token(cx: &S3AccessContext<'_>) -> Option<String> {
    if let Some(token) = cx
        .headers()
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok())
    {
        return Some(token.to_string());
    }
    let query = cx.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "X-Amz-Security-Token")
        .map(|(_, value)| value.into_owned())
}

#[async_trait::async_trait]
impl S3Access for S3Hooks {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(credentials) = cx.credentials() else {
            return Err(S3Error::with_message(
                S3ErrorCode::AccessDenied,
                "Anonymous access is not allowed: sign the request with the region's credentials \
                 (see `lathe server credentials`).",
            ));
        };
        let known = self
            .keys
            .lookup(&credentials.access_key)
            .await
            .map_err(s3_auth_error)?;
        check_session_token(&known, presented_token(cx).as_deref()).map_err(s3_auth_error)?;
        let action = iam_action(cx.s3_op().name());
        let resource = resource_arn(cx.s3_path());
        let context = request_context(cx);
        match self
            .authorizer
            .authorize(&known.caller, &action, &resource, context)
            .await
        {
            Ok(()) => Ok(()),
            Err(Denial::AccessDenied(message)) => {
                Err(S3Error::with_message(S3ErrorCode::AccessDenied, message))
            }
            Err(Denial::Unavailable(message)) => {
                Err(S3Error::with_message(S3ErrorCode::InternalError, message))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_map_to_their_iam_actions() {
        let cases = [
            ("GetObject", "s3:GetObject"),
            ("HeadObject", "s3:GetObject"),
            ("ListObjectsV2", "s3:ListBucket"),
            ("ListBuckets", "s3:ListAllMyBuckets"),
            ("UploadPart", "s3:PutObject"),
            ("DeleteObjects", "s3:DeleteObject"),
            ("DeleteBucket", "s3:DeleteBucket"),
        ];
        for (operation, action) in cases {
            assert_eq!(iam_action(operation), action, "{operation}");
        }
        assert_eq!(
            resource_arn(&S3Path::Object {
                bucket: "b".into(),
                key: "k/x".into()
            }),
            "arn:aws:s3:::b/k/x"
        );
    }
}
