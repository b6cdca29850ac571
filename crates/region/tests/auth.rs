//! Authentication on every route and authorization of temporary credentials by their role's
//! policies.

mod common;

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use common::{code, credentials, iam, raw_http, region, s3, s3_with, sts, sts_with};

const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}"#;
const READ_ALLOWED: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/allowed/*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::data","Condition":{"StringLike":{"s3:prefix":"allowed/*"}}}]}"#;
const DENY_SECRET: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::data/allowed/secret"}}"#;

#[tokio::test(flavor = "multi_thread")]
async fn bad_signatures_and_unknown_keys_are_refused_everywhere() {
    let region = region().await;
    let root = region.credentials().clone();
    let wrong_secret = credentials(&root.access_key_id, "not-the-secret", None);
    let s3_error = s3_with(&region, wrong_secret.clone())
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&s3_error), "SignatureDoesNotMatch");
    let sts_error = sts_with(&region, wrong_secret.clone())
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&sts_error), "SignatureDoesNotMatch");
    let iam_error = common::iam_with(&region, wrong_secret)
        .list_roles()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&iam_error), "SignatureDoesNotMatch");

    let unknown = credentials("AKIAUNKNOWNUNKNOWN00", "secret", None);
    let s3_error = s3_with(&region, unknown.clone())
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&s3_error), "InvalidAccessKeyId");
    let sts_error = sts_with(&region, unknown)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&sts_error), "InvalidClientTokenId");

    let (status, body) = raw_http(
        &region,
        "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
    let form = "Action=ListRoles&Version=2010-05-08";
    let (status, body) = raw_http(
        &region,
        &format!(
            "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        ),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("<Code>MissingAuthenticationToken</Code>")
            && body.contains("<Type>Sender</Type>"),
        "{body}"
    );
    let (status, body) = raw_http(
        &region,
        "GET /_lathe/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!((status, body.contains("\"ok\"")), (200, true));
}

#[tokio::test(flavor = "multi_thread")]
async fn presigned_urls_work_and_tampering_is_caught() {
    let region = region().await;
    let client = s3(&region);
    client
        .create_bucket()
        .bucket("shared")
        .send()
        .await
        .unwrap();
    client
        .put_object()
        .bucket("shared")
        .key("report.txt")
        .body(ByteStream::from_static(b"numbers"))
        .send()
        .await
        .unwrap();
    let presigned = client
        .get_object()
        .bucket("shared")
        .key("report.txt")
        .presigned(PresigningConfig::expires_in(std::time::Duration::from_secs(300)).unwrap())
        .await
        .unwrap();
    let uri: http::Uri = presigned.uri().parse().unwrap();
    let path_and_query = uri.path_and_query().unwrap().as_str();
    let request = |target: &str| {
        format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            uri.authority().unwrap()
        )
    };
    let (status, body) = raw_http(&region, &request(path_and_query)).await;
    assert_eq!((status, body.as_str()), (200, "numbers"));
    let tampered = path_and_query.replace("report.txt", "other.txt");
    let (status, body) = raw_http(&region, &request(&tampered)).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("SignatureDoesNotMatch"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn temporary_credentials_are_confined_to_their_role() {
    let region = region().await;
    let admin = s3(&region);
    admin.create_bucket().bucket("data").send().await.unwrap();
    for key in ["allowed/a.txt", "allowed/secret", "private/b.txt"] {
        admin
            .put_object()
            .bucket("data")
            .key(key)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .unwrap();
    }
    let iam = iam(&region);
    iam.create_role()
        .role_name("reader")
        .assume_role_policy_document(TRUST_ACCOUNT)
        .send()
        .await
        .unwrap();
    let policy = iam
        .create_policy()
        .policy_name("read-allowed")
        .policy_document(READ_ALLOWED)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("reader")
        .policy_arn(policy.policy().unwrap().arn().unwrap())
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("reader")
        .policy_name("deny-secret")
        .policy_document(DENY_SECRET)
        .send()
        .await
        .unwrap();
    let assumed = sts(&region)
        .assume_role()
        .role_arn("arn:aws:iam::000000000000:role/reader")
        .role_session_name("confined")
        .send()
        .await
        .unwrap();
    let temporary = assumed.credentials().unwrap();
    let reader = s3_with(
        &region,
        credentials(
            temporary.access_key_id(),
            temporary.secret_access_key(),
            Some(temporary.session_token()),
        ),
    );
    let got = reader
        .get_object()
        .bucket("data")
        .key("allowed/a.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"x"
    );
    let listed = reader
        .list_objects_v2()
        .bucket("data")
        .prefix("allowed/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(2));
    // ListBucket is allowed only under the prefix its condition names.
    for prefix in [None, Some("private/")] {
        let denied = reader
            .list_objects_v2()
            .bucket("data")
            .set_prefix(prefix.map(str::to_string))
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&denied), "AccessDenied", "{prefix:?}");
    }
    let denied = reader
        .get_object()
        .bucket("data")
        .key("private/b.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied), "AccessDenied");
    let explicit = reader
        .get_object()
        .bucket("data")
        .key("allowed/secret")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&explicit), "AccessDenied");
    let write = reader
        .put_object()
        .bucket("data")
        .key("allowed/new")
        .body(ByteStream::from_static(b"y"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&write), "AccessDenied");
    let iam_as_reader = common::iam_with(
        &region,
        credentials(
            temporary.access_key_id(),
            temporary.secret_access_key(),
            Some(temporary.session_token()),
        ),
    );
    let iam_denied = iam_as_reader.list_roles().send().await.unwrap_err();
    assert_eq!(code(&iam_denied), "AccessDenied");

    let without_token = s3_with(
        &region,
        credentials(
            temporary.access_key_id(),
            temporary.secret_access_key(),
            None,
        ),
    );
    let error = without_token
        .get_object()
        .bucket("data")
        .key("allowed/a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "InvalidToken");

    // Temporary credentials expire: one issued for a second is refused once it has passed.
    let short = region
        .running
        .keys
        .issue_session("reader", "AROAEXAMPLE", "short", 1)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = s3_with(
        &region,
        credentials(
            &short.access_key_id,
            &short.secret_access_key,
            Some(&short.session_token),
        ),
    );
    let error = expired
        .get_object()
        .bucket("data")
        .key("allowed/a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "ExpiredToken");
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_signed_an_hour_ago_are_refused() {
    let region = region().await;
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let clock = || aws_smithy_async::time::StaticTimeSource::new(an_hour_ago);
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new(common::REGION))
            .credentials_provider(common::root(&region))
            .endpoint_url(region.endpoint_url())
            .http_client(common::http_client())
            .time_source(clock())
            // Otherwise the SDK corrects its clock from the response's Date and retries.
            .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
            .build(),
    );
    let error = sts.get_caller_identity().send().await.unwrap_err();
    assert_eq!(code(&error), "SignatureDoesNotMatch");
    let message = error
        .as_service_error()
        .and_then(aws_sdk_s3::error::ProvideErrorMetadata::message)
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("15 minutes"), "{message}");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(common::REGION))
            .credentials_provider(common::root(&region))
            .endpoint_url(region.endpoint_url())
            .force_path_style(true)
            .http_client(common::http_client())
            .time_source(clock())
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
            .build(),
    );
    let error = s3.list_buckets().send().await.unwrap_err();
    assert_eq!(code(&error), "RequestTimeTooSkewed");
}
