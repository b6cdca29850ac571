//! S3 buckets and objects through the AWS SDK for Rust, including the cases where a naive
//! storage backend (s3s-fs) gets AWS's semantics wrong.

mod common;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketVersioningStatus, Delete, ObjectIdentifier, Tag, Tagging, VersioningConfiguration,
};
use common::{code, region, s3};

#[tokio::test(flavor = "multi_thread")]
async fn bucket_lifecycle_follows_aws() {
    let region = region().await;
    let client = s3(&region);
    client.create_bucket().bucket("alpha").send().await.unwrap();
    let again = client
        .create_bucket()
        .bucket("alpha")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "BucketAlreadyOwnedByYou");
    client.head_bucket().bucket("alpha").send().await.unwrap();
    let listed = client.list_buckets().send().await.unwrap();
    let names: Vec<_> = listed.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names, ["alpha"]);
    let location = client
        .get_bucket_location()
        .bucket("alpha")
        .send()
        .await
        .unwrap();
    assert!(
        location
            .location_constraint()
            .is_none_or(|l| l.as_str().is_empty())
    );

    client
        .put_object()
        .bucket("alpha")
        .key("file")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    let refused = client
        .delete_bucket()
        .bucket("alpha")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "BucketNotEmpty");
    client
        .delete_object()
        .bucket("alpha")
        .key("file")
        .send()
        .await
        .unwrap();
    client.delete_bucket().bucket("alpha").send().await.unwrap();

    let missing = client
        .head_bucket()
        .bucket("alpha")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        missing.raw_response().map(|r| r.status().as_u16()),
        Some(404)
    );
    let put = client
        .put_object()
        .bucket("alpha")
        .key("late")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&put), "NoSuchBucket");
    let invalid = client
        .create_bucket()
        .bucket("Bad_Name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&invalid), "InvalidBucketName");
    let message =
        aws_sdk_s3::error::ProvideErrorMetadata::message(invalid.as_service_error().unwrap());
    assert!(
        message.is_some_and(|m| m.contains("lowercase letters")),
        "{message:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn objects_round_trip_with_metadata_ranges_and_etags() {
    let region = region().await;
    let client = s3(&region);
    client.create_bucket().bucket("data").send().await.unwrap();
    let body = b"hello, local region".to_vec();
    let put = client
        .put_object()
        .bucket("data")
        .key("dir/hello.txt")
        .content_type("text/plain")
        .metadata("owner", "lathe")
        .body(ByteStream::from(body.clone()))
        .send()
        .await
        .unwrap();
    let md5 = format!("\"{:x}\"", md5_of(&body));
    assert_eq!(put.e_tag(), Some(md5.as_str()));

    let got = client
        .get_object()
        .bucket("data")
        .key("dir/hello.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("text/plain"));
    assert_eq!(
        got.metadata().unwrap().get("owner").map(String::as_str),
        Some("lathe")
    );
    assert_eq!(got.e_tag(), Some(md5.as_str()));
    assert_eq!(
        got.body.collect().await.unwrap().into_bytes().as_ref(),
        body.as_slice()
    );

    let ranged = client
        .get_object()
        .bucket("data")
        .key("dir/hello.txt")
        .range("bytes=7-11")
        .send()
        .await
        .unwrap();
    assert_eq!(ranged.content_range(), Some("bytes 7-11/19"));
    assert_eq!(
        ranged.body.collect().await.unwrap().into_bytes().as_ref(),
        b"local"
    );
    let unsatisfiable = client
        .get_object()
        .bucket("data")
        .key("dir/hello.txt")
        .range("bytes=100-200")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unsatisfiable), "InvalidRange");

    let head = client
        .head_object()
        .bucket("data")
        .key("dir/hello.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(19));
    let first_part = client
        .get_object()
        .bucket("data")
        .key("dir/hello.txt")
        .part_number(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first_part.content_length(), Some(19));
    let second_part = client
        .get_object()
        .bucket("data")
        .key("dir/hello.txt")
        .part_number(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&second_part), "InvalidArgument");
    let missing = client
        .get_object()
        .bucket("data")
        .key("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "NoSuchKey");

    client
        .copy_object()
        .bucket("data")
        .key("copy.txt")
        .copy_source("data/dir/hello.txt")
        .send()
        .await
        .unwrap();
    let copied = client
        .get_object()
        .bucket("data")
        .key("copy.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        copied.metadata().unwrap().get("owner").map(String::as_str),
        Some("lathe")
    );
    assert_eq!(
        copied.body.collect().await.unwrap().into_bytes().as_ref(),
        body.as_slice()
    );

    let deleted = client
        .delete_objects()
        .bucket("data")
        .delete(
            Delete::builder()
                .objects(ObjectIdentifier::builder().key("copy.txt").build().unwrap())
                .objects(
                    ObjectIdentifier::builder()
                        .key("dir/hello.txt")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.deleted().len(), 2);
    let listed = client
        .list_objects_v2()
        .bucket("data")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn digests_are_checked() {
    let region = region().await;
    let client = s3(&region);
    client
        .create_bucket()
        .bucket("digests")
        .send()
        .await
        .unwrap();
    let wrong_md5 = client
        .put_object()
        .bucket("digests")
        .key("k")
        .content_md5("1B2M2Y8AsgTpgAmY7PhCfg==")
        .body(ByteStream::from_static(b"not empty"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&wrong_md5), "BadDigest");
    let wrong_crc = client
        .put_object()
        .bucket("digests")
        .key("k")
        .checksum_crc32("AAAAAA==")
        .body(ByteStream::from_static(b"not empty"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&wrong_crc), "BadDigest");
    let nothing = client
        .list_objects_v2()
        .bucket("digests")
        .send()
        .await
        .unwrap();
    assert_eq!(
        nothing.key_count(),
        Some(0),
        "a refused upload leaves no object"
    );
    // The SDK's default: a CRC32 sent as an aws-chunked trailer, verified by the region.
    let ok = client
        .put_object()
        .bucket("digests")
        .key("k")
        .body(ByteStream::from_static(b"not empty"))
        .send()
        .await
        .unwrap();
    assert!(ok.e_tag().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_are_opaque_and_never_become_paths() {
    let region = region().await;
    let client = s3(&region);
    client.create_bucket().bucket("keys").send().await.unwrap();
    let long = "k".repeat(1024);
    let keys = [
        "../escape",
        "../../etc/passwd",
        "/abs",
        "a//b",
        "./dot",
        "ünï cödé+%",
        long.as_str(),
    ];
    for key in keys {
        client
            .put_object()
            .bucket("keys")
            .key(key)
            .body(ByteStream::from(key.as_bytes().to_vec()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{key}: {e:?}"));
    }
    for key in keys {
        let got = client
            .get_object()
            .bucket("keys")
            .key(key)
            .send()
            .await
            .unwrap();
        assert_eq!(
            got.body.collect().await.unwrap().into_bytes().as_ref(),
            key.as_bytes(),
            "{key}"
        );
    }
    let listed = client
        .list_objects_v2()
        .bucket("keys")
        .send()
        .await
        .unwrap();
    let mut expected: Vec<&str> = keys.to_vec();
    expected.sort();
    let names: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(names, expected);
    let too_long = client
        .put_object()
        .bucket("keys")
        .key("k".repeat(1025))
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&too_long), "KeyTooLongError");

    // Nothing outside the data directory; inside, only our own file names.
    let parent = region.data_dir().parent().unwrap();
    assert!(!parent.join("escape").exists());
    for entry in walk(region.data_dir()) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !keys
                .iter()
                .any(|k| k.contains(name.as_str()) && name.len() > 3),
            "a file is named after a key: {}",
            entry.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn listings_page_and_roll_up_prefixes() {
    let region = region().await;
    let client = s3(&region);
    client.create_bucket().bucket("list").send().await.unwrap();
    for key in ["a.txt", "dir/1", "dir/2", "dir/sub/3", "e", "f/x"] {
        client
            .put_object()
            .bucket("list")
            .key(key)
            .body(ByteStream::from_static(b""))
            .send()
            .await
            .unwrap();
    }
    let page = client
        .list_objects_v2()
        .bucket("list")
        .delimiter("/")
        .max_keys(2)
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = page.contents().iter().filter_map(|o| o.key()).collect();
    let prefixes: Vec<_> = page
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!((keys, prefixes), (vec!["a.txt"], vec!["dir/"]));
    assert_eq!(page.is_truncated(), Some(true));
    let next = client
        .list_objects_v2()
        .bucket("list")
        .delimiter("/")
        .max_keys(2)
        .continuation_token(page.next_continuation_token().unwrap())
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = next.contents().iter().filter_map(|o| o.key()).collect();
    let prefixes: Vec<_> = next
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!((keys, prefixes), (vec!["e"], vec!["f/"]));
    assert_eq!(next.is_truncated(), Some(false));
    let under = client
        .list_objects_v2()
        .bucket("list")
        .prefix("dir/")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = under.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["dir/1", "dir/2"]);
    // A StartAfter outside the prefix (or not even UTF-8-aligned with it) is just a position.
    for start_after in ["a", "ü", "zzz"] {
        let listed = client
            .list_objects_v2()
            .bucket("list")
            .prefix("dir/")
            .start_after(start_after)
            .send()
            .await
            .unwrap();
        let expected = if start_after == "a" { 3 } else { 0 };
        assert_eq!(listed.key_count(), Some(expected), "{start_after}");
    }
    let bad_token = client
        .list_objects_v2()
        .bucket("list")
        .continuation_token("%%%not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_token), "InvalidArgument");
    let missing = client
        .list_objects_v2()
        .bucket("absent")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "NoSuchBucket");
}

#[tokio::test(flavor = "multi_thread")]
async fn versioning_keeps_old_versions_and_delete_markers() {
    let region = region().await;
    let client = s3(&region);
    client
        .create_bucket()
        .bucket("versions")
        .send()
        .await
        .unwrap();
    client
        .put_bucket_versioning()
        .bucket("versions")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let status = client
        .get_bucket_versioning()
        .bucket("versions")
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), Some(&BucketVersioningStatus::Enabled));
    let first = client
        .put_object()
        .bucket("versions")
        .key("k")
        .body(ByteStream::from_static(b"one"))
        .send()
        .await
        .unwrap();
    let second = client
        .put_object()
        .bucket("versions")
        .key("k")
        .body(ByteStream::from_static(b"two"))
        .send()
        .await
        .unwrap();
    assert_ne!(first.version_id(), second.version_id());
    let old = client
        .get_object()
        .bucket("versions")
        .key("k")
        .version_id(first.version_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        old.body.collect().await.unwrap().into_bytes().as_ref(),
        b"one"
    );
    let deleted = client
        .delete_object()
        .bucket("versions")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.delete_marker(), Some(true));
    let gone = client
        .get_object()
        .bucket("versions")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "NoSuchKey");
    let marker_header = gone
        .raw_response()
        .and_then(|r| r.headers().get("x-amz-delete-marker"));
    assert_eq!(marker_header, Some("true"));
    let versions = client
        .list_object_versions()
        .bucket("versions")
        .send()
        .await
        .unwrap();
    assert_eq!(versions.versions().len(), 2);
    assert_eq!(versions.delete_markers().len(), 1);
    client
        .delete_object()
        .bucket("versions")
        .key("k")
        .version_id(deleted.version_id().unwrap())
        .send()
        .await
        .unwrap();
    let restored = client
        .get_object()
        .bucket("versions")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(
        restored.body.collect().await.unwrap().into_bytes().as_ref(),
        b"two"
    );
    let refused = client
        .delete_bucket()
        .bucket("versions")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "BucketNotEmpty");
}

#[tokio::test(flavor = "multi_thread")]
async fn object_and_bucket_tags() {
    let region = region().await;
    let client = s3(&region);
    client.create_bucket().bucket("tags").send().await.unwrap();
    client
        .put_object()
        .bucket("tags")
        .key("k")
        .tagging("team=ml&stage=dev")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    let tags = client
        .get_object_tagging()
        .bucket("tags")
        .key("k")
        .send()
        .await
        .unwrap();
    let mut pairs: Vec<_> = tags
        .tag_set()
        .iter()
        .map(|t| (t.key(), t.value()))
        .collect();
    pairs.sort();
    assert_eq!(pairs, [("stage", "dev"), ("team", "ml")]);
    let tagging = Tagging::builder()
        .tag_set(Tag::builder().key("only").value("one").build().unwrap())
        .build()
        .unwrap();
    client
        .put_object_tagging()
        .bucket("tags")
        .key("k")
        .tagging(tagging.clone())
        .send()
        .await
        .unwrap();
    let tags = client
        .get_object_tagging()
        .bucket("tags")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_set().len(), 1);
    let none = client
        .get_bucket_tagging()
        .bucket("tags")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&none), "NoSuchTagSet");
    client
        .put_bucket_tagging()
        .bucket("tags")
        .tagging(tagging)
        .send()
        .await
        .unwrap();
    let bucket_tags = client
        .get_bucket_tagging()
        .bucket("tags")
        .send()
        .await
        .unwrap();
    assert_eq!(bucket_tags.tag_set()[0].key(), "only");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn md5_of(bytes: &[u8]) -> u128 {
    use s3s::crypto::Checksum;
    u128::from_be_bytes(s3s::crypto::Md5::checksum(bytes))
}
