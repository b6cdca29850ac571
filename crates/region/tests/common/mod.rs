//! Clients of the AWS SDK for Rust pointed at an in-process region.

#![allow(dead_code)]

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use lathe_region::testing::TestRegion;

pub const REGION: &str = "us-east-1";

pub async fn region() -> TestRegion {
    TestRegion::start().await.expect("region starts")
}

pub fn http_client() -> aws_sdk_s3::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_http()
}

pub fn credentials(access_key_id: &str, secret: &str, token: Option<&str>) -> Credentials {
    Credentials::new(
        access_key_id,
        secret,
        token.map(str::to_string),
        None,
        "lathe-test",
    )
}

pub fn root(region: &TestRegion) -> Credentials {
    let root = region.credentials();
    credentials(&root.access_key_id, &root.secret_access_key, None)
}

pub fn s3_with(region: &TestRegion, credentials: Credentials) -> aws_sdk_s3::Client {
    s3_at(&region.endpoint_url(), credentials)
}

/// An S3 client for any endpoint (a region restarted on the same data directory).
pub fn s3_at(endpoint_url: &str, credentials: Credentials) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(credentials)
        .endpoint_url(endpoint_url)
        .force_path_style(true)
        .http_client(http_client())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

pub fn s3(region: &TestRegion) -> aws_sdk_s3::Client {
    s3_with(region, root(region))
}

pub fn iam_with(region: &TestRegion, credentials: Credentials) -> aws_sdk_iam::Client {
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new(REGION))
        .credentials_provider(credentials)
        .endpoint_url(region.endpoint_url())
        .http_client(http_client())
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

pub fn iam(region: &TestRegion) -> aws_sdk_iam::Client {
    iam_with(region, root(region))
}

pub fn sts_with(region: &TestRegion, credentials: Credentials) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new(REGION))
        .credentials_provider(credentials)
        .endpoint_url(region.endpoint_url())
        .http_client(http_client())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

pub fn sts(region: &TestRegion) -> aws_sdk_sts::Client {
    sts_with(region, root(region))
}

/// A region holding one empty bucket, with an S3 client of its root user.
pub async fn region_with_bucket(bucket: &str) -> (TestRegion, aws_sdk_s3::Client) {
    let region = region().await;
    let client = s3(&region);
    client.create_bucket().bucket(bucket).send().await.unwrap();
    (region, client)
}

/// Stores `body` at `bucket`/`key`; the upload must succeed.
pub async fn put(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: &[u8],
) -> aws_sdk_s3::operation::put_object::PutObjectOutput {
    put_request(client, bucket, key, body)
        .await
        .unwrap_or_else(|error| panic!("put {bucket}/{key}: {error:?}"))
}

/// The AWS error code of a PutObject that must fail.
pub async fn put_error_code(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: &[u8],
) -> String {
    let error = put_request(client, bucket, key, body)
        .await
        .expect_err("the upload must be refused");
    code(&error)
}

async fn put_request(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: &[u8],
) -> Result<
    aws_sdk_s3::operation::put_object::PutObjectOutput,
    aws_sdk_s3::error::SdkError<aws_sdk_s3::operation::put_object::PutObjectError>,
> {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from(body.to_vec()))
        .send()
        .await
}

/// The whole body of a successful GetObject.
pub async fn bytes_of(output: aws_sdk_s3::operation::get_object::GetObjectOutput) -> Vec<u8> {
    output.body.collect().await.unwrap().into_bytes().to_vec()
}

/// The AWS error code of a GetObject that must fail.
pub async fn get_error_code(client: &aws_sdk_s3::Client, bucket: &str, key: &str) -> String {
    let error = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect_err("the read must be refused");
    code(&error)
}

/// The keys and the common prefixes of one ListObjectsV2 page.
pub fn keys_and_prefixes(
    page: &aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output,
) -> (Vec<&str>, Vec<&str>) {
    (
        page.contents().iter().filter_map(|o| o.key()).collect(),
        page.common_prefixes()
            .iter()
            .filter_map(|p| p.prefix())
            .collect(),
    )
}

/// The AWS error code of a failed SDK call.
pub fn code<E, R>(error: &aws_sdk_s3::error::SdkError<E, R>) -> String
where
    E: aws_sdk_s3::error::ProvideErrorMetadata,
{
    error
        .as_service_error()
        .and_then(|e| e.code())
        .unwrap_or("<no service error>")
        .to_string()
}

/// Sends raw HTTP/1.1 to the region and returns (status, body): for requests no SDK sends.
pub async fn raw_http(region: &TestRegion, request: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(region.running.address)
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}
