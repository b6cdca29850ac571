//! Multipart uploads and large streaming bodies (constant memory) through the Rust SDK.

mod common;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use common::{code, region, s3};

const MIB: usize = 1024 * 1024;

fn pattern(length: usize, seed: u8) -> Vec<u8> {
    (0..length)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn multipart_upload_completes_lists_and_aborts() {
    let region = region().await;
    let client = s3(&region);
    client.create_bucket().bucket("parts").send().await.unwrap();
    let upload = client
        .create_multipart_upload()
        .bucket("parts")
        .key("big")
        .send()
        .await
        .unwrap();
    let upload_id = upload.upload_id().unwrap();
    let first = pattern(5 * MIB, 1);
    let second = pattern(1234, 2);
    let mut completed = Vec::new();
    for (number, body) in [(1, &first), (2, &second)] {
        let part = client
            .upload_part()
            .bucket("parts")
            .key("big")
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(body.clone()))
            .send()
            .await
            .unwrap();
        completed.push(
            CompletedPart::builder()
                .part_number(number)
                .e_tag(part.e_tag().unwrap())
                .build(),
        );
    }
    let listed = client
        .list_parts()
        .bucket("parts")
        .key("big")
        .upload_id(upload_id)
        .send()
        .await
        .unwrap();
    let sizes: Vec<_> = listed.parts().iter().map(|p| p.size()).collect();
    assert_eq!(sizes, [Some(5 * MIB as i64), Some(1234)]);
    let uploads = client
        .list_multipart_uploads()
        .bucket("parts")
        .send()
        .await
        .unwrap();
    assert_eq!(uploads.uploads().len(), 1);

    let out_of_order = client
        .complete_multipart_upload()
        .bucket("parts")
        .key("big")
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(completed[1].clone())
                .parts(completed[0].clone())
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&out_of_order), "InvalidPartOrder");

    let done = client
        .complete_multipart_upload()
        .bucket("parts")
        .key("big")
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(
        done.e_tag().unwrap().ends_with("-2\""),
        "{:?}",
        done.e_tag()
    );
    let got = client
        .get_object()
        .bucket("parts")
        .key("big")
        .send()
        .await
        .unwrap();
    let bytes = got.body.collect().await.unwrap().into_bytes();
    assert_eq!(bytes.len(), first.len() + second.len());
    assert!(bytes[..first.len()] == first[..] && bytes[first.len()..] == second[..]);
    let gone = client
        .list_parts()
        .bucket("parts")
        .key("big")
        .upload_id(upload_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "NoSuchUpload");

    let small = client
        .create_multipart_upload()
        .bucket("parts")
        .key("small")
        .send()
        .await
        .unwrap();
    let small_id = small.upload_id().unwrap();
    let mut parts = Vec::new();
    for number in 1..=2 {
        let part = client
            .upload_part()
            .bucket("parts")
            .key("small")
            .upload_id(small_id)
            .part_number(number)
            .body(ByteStream::from_static(b"tiny"))
            .send()
            .await
            .unwrap();
        parts.push(
            CompletedPart::builder()
                .part_number(number)
                .e_tag(part.e_tag().unwrap())
                .build(),
        );
    }
    let too_small = client
        .complete_multipart_upload()
        .bucket("parts")
        .key("small")
        .upload_id(small_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&too_small), "EntityTooSmall");
    client
        .abort_multipart_upload()
        .bucket("parts")
        .key("small")
        .upload_id(small_id)
        .send()
        .await
        .unwrap();
    let uploads = client
        .list_multipart_uploads()
        .bucket("parts")
        .send()
        .await
        .unwrap();
    assert!(uploads.uploads().is_empty());
}

fn peak_resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Uploads and downloads an object of `LATHE_STREAM_MIB` MiB (default 64) through the SDK
/// with the region in this process: peak memory must not grow with the object.
#[tokio::test(flavor = "multi_thread")]
async fn large_objects_stream_in_constant_memory() {
    let size_mib: usize = std::env::var("LATHE_STREAM_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let region = region().await;
    let client = s3(&region);
    client
        .create_bucket()
        .bucket("stream")
        .send()
        .await
        .unwrap();
    let source = tempfile::NamedTempFile::new().unwrap();
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(source.as_file());
        let chunk = pattern(MIB, 7);
        for _ in 0..size_mib {
            file.write_all(&chunk).unwrap();
        }
    }
    let before = peak_resident_bytes();
    client
        .put_object()
        .bucket("stream")
        .key("large")
        .body(ByteStream::from_path(source.path()).await.unwrap())
        .send()
        .await
        .unwrap();
    let got = client
        .get_object()
        .bucket("stream")
        .key("large")
        .send()
        .await
        .unwrap();
    let mut body = got.body;
    let mut total = 0usize;
    let expected = pattern(MIB, 7);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.unwrap();
        for (offset, byte) in chunk.iter().enumerate() {
            assert_eq!(
                *byte,
                expected[(total + offset) % MIB],
                "byte {}",
                total + offset
            );
        }
        total += chunk.len();
    }
    assert_eq!(total, size_mib * MIB);
    let growth = peak_resident_bytes().saturating_sub(before);
    eprintln!(
        "{size_mib} MiB round trip: peak resident memory grew by {} MiB",
        growth / MIB as u64
    );
    assert!(
        growth < 48 * MIB as u64,
        "peak memory grew by {} MiB for a {size_mib} MiB object",
        growth / MIB as u64
    );
}
