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
