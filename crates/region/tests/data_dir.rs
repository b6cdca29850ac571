//! One region per data directory; a restart finds everything that was there.

mod common;

use aws_sdk_s3::primitives::ByteStream;
use lathe_region::testing::TestRegion;
use lathe_region::{Region, RegionConfig, RegionError};

#[tokio::test(flavor = "multi_thread")]
async fn a_second_region_on_the_same_directory_is_refused_until_the_first_stops() {
    let dir = tempfile::tempdir().unwrap();
    let first = TestRegion::start_in(dir.path()).await.unwrap();
    let second = Region::open(RegionConfig::new(dir.path()).with_port(0));
    let error = second.unwrap_err();
    assert!(matches!(error, RegionError::InUse(_)), "{error}");
    assert!(error.to_string().contains("lathe server stop"), "{error}");
    first.stop().await.unwrap();
    let again = TestRegion::start_in(dir.path()).await.unwrap();
    again.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn objects_credentials_and_roles_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = TestRegion::start_in(dir.path()).await.unwrap();
    let credentials = first.credentials.clone();
    let root = common::credentials(
        &credentials.access_key_id,
        &credentials.secret_access_key,
        None,
    );
    {
        let s3 = common::s3_at(&first.endpoint_url(), root.clone());
        s3.create_bucket().bucket("kept").send().await.unwrap();
        s3.put_object()
            .bucket("kept")
            .key("k")
            .body(ByteStream::from_static(b"v"))
            .send()
            .await
            .unwrap();
    }
    first.stop().await.unwrap();
    let second = TestRegion::start_in(dir.path()).await.unwrap();
    assert_eq!(second.credentials, credentials);
    let s3 = common::s3_at(&second.endpoint_url(), root);
    let got = s3
        .get_object()
        .bucket("kept")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        b"v"
    );
    second.stop().await.unwrap();
}
