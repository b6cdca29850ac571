"""S3 with boto3 and the AWS CLI, against lathe and moto alike: the same expectations hold
for both, which shows they test AWS's behaviour rather than lathe's."""

import base64
import hashlib
import os
import socket

import boto3
import botocore.config
import botocore.exceptions
import pytest

from conftest import error_code, status_code

MIB = 1024 * 1024


def make_bucket(target, unique):
    s3 = target.client("s3")
    name = unique("bucket")
    s3.create_bucket(Bucket=name)
    return s3, name


def test_bucket_lifecycle(target, unique):
    s3, name = make_bucket(target, unique)
    s3.head_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] in (None, "")
    s3.put_object(Bucket=name, Key="file", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        s3.delete_bucket(Bucket=name)
    assert error_code(refused) == "BucketNotEmpty"
    s3.delete_object(Bucket=name, Key="file")
    s3.delete_bucket(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        s3.head_bucket(Bucket=name)
    assert status_code(missing) == 404
    with pytest.raises(botocore.exceptions.ClientError) as late:
        s3.put_object(Bucket=name, Key="late", Body=b"x")
    assert error_code(late) == "NoSuchBucket"
    with pytest.raises(botocore.exceptions.ClientError) as listing:
        s3.list_objects_v2(Bucket=name)
    assert error_code(listing) == "NoSuchBucket"


def test_invalid_bucket_name(target):
    if not target.enforces_every_rule:
        pytest.skip("moto accepts bucket names AWS refuses")
    s3 = target.client("s3")
    with pytest.raises((botocore.exceptions.ClientError, botocore.exceptions.ParamValidationError)) as refused:
        s3.create_bucket(Bucket="Bad_Name")
    if isinstance(refused.value, botocore.exceptions.ClientError):
        assert error_code(refused) == "InvalidBucketName"


def test_object_round_trip(target, unique):
    s3, name = make_bucket(target, unique)
    body = b"hello, local region"
    put = s3.put_object(Bucket=name, Key="dir/hello.txt", Body=body, ContentType="text/plain", Metadata={"owner": "lathe"})
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket=name, Key="dir/hello.txt")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"owner": "lathe"}
    ranged = s3.get_object(Bucket=name, Key="dir/hello.txt", Range="bytes=7-11")
    assert ranged["Body"].read() == b"local"
    assert ranged["ContentRange"] == "bytes 7-11/19"
    assert ranged["ResponseMetadata"]["HTTPStatusCode"] == 206
    head = s3.head_object(Bucket=name, Key="dir/hello.txt")
    assert head["ContentLength"] == len(body)
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        s3.get_object(Bucket=name, Key="absent")
    assert error_code(missing) == "NoSuchKey"
    with pytest.raises(botocore.exceptions.ClientError) as bad_range:
        s3.get_object(Bucket=name, Key="dir/hello.txt", Range="bytes=100-200")
    assert error_code(bad_range) == "InvalidRange"
    s3.copy_object(Bucket=name, Key="copy.txt", CopySource={"Bucket": name, "Key": "dir/hello.txt"})
    assert s3.get_object(Bucket=name, Key="copy.txt")["Body"].read() == body
    deleted = s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "copy.txt"}, {"Key": "dir/hello.txt"}]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["copy.txt", "dir/hello.txt"]
    assert s3.list_objects_v2(Bucket=name)["KeyCount"] == 0


def test_content_md5_and_checksums_are_verified(target, unique):
    s3, name = make_bucket(target, unique)
    right = base64.b64encode(hashlib.md5(b"payload").digest()).decode()
    s3.put_object(Bucket=name, Key="k", Body=b"payload", ContentMD5=right)
    if not target.enforces_every_rule:
        return
    wrong = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        s3.put_object(Bucket=name, Key="bad-md5", Body=b"payload", ContentMD5=wrong)
    assert error_code(refused) == "BadDigest"
    sha = base64.b64encode(hashlib.sha256(b"payload").digest()).decode()
    stored = s3.put_object(Bucket=name, Key="k2", Body=b"payload", ChecksumSHA256=sha)
    assert stored["ChecksumSHA256"] == sha
    assert s3.head_object(Bucket=name, Key="k2", ChecksumMode="ENABLED")["ChecksumSHA256"] == sha
    bad_sha = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as mismatch:
        s3.put_object(Bucket=name, Key="k3", Body=b"payload", ChecksumSHA256=bad_sha)
    assert error_code(mismatch) == "BadDigest"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])]
    assert keys == ["k", "k2"]


UNUSUAL_KEYS = ["../escape", "../../etc/passwd", "a//b", "with space/and+plus", "ünïcödé/ключ", "k" * 1024]


def test_unusual_keys_are_stored_as_opaque_names(target, unique):
    s3, name = make_bucket(target, unique)
    for key in UNUSUAL_KEYS:
        s3.put_object(Bucket=name, Key=key, Body=key.encode())
    for key in UNUSUAL_KEYS:
        assert s3.get_object(Bucket=name, Key=key)["Body"].read() == key.encode(), key
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]]
    assert listed == sorted(UNUSUAL_KEYS, key=lambda k: k.encode())
    if target.enforces_every_rule:
        with pytest.raises(botocore.exceptions.ClientError) as too_long:
            s3.put_object(Bucket=name, Key="k" * 1025, Body=b"x")
        assert error_code(too_long) == "KeyTooLongError"


@pytest.mark.lathe_only
def test_traversal_keys_never_touch_the_file_system(lathe, unique):
    s3, name = make_bucket(lathe, unique)
    data_dir = lathe.server.data_dir
    outside = os.path.join(os.path.dirname(data_dir), "escape")
    s3.put_object(Bucket=name, Key="../escape", Body=b"x")
    s3.put_object(Bucket=name, Key="../../../../../../tmp/lathe-escape", Body=b"x")
    assert not os.path.exists(outside)
    assert not os.path.exists("/tmp/lathe-escape")
    for root, _, files in os.walk(data_dir):
        for file in files:
            assert "escape" not in file, os.path.join(root, file)


def test_listing_prefix_delimiter_and_pages(target, unique):
    s3, name = make_bucket(target, unique)
    for key in ["a.txt", "dir/1", "dir/2", "dir/sub/3", "e", "f/x"]:
        s3.put_object(Bucket=name, Key=key, Body=b"")
    page = s3.list_objects_v2(Bucket=name, Delimiter="/", MaxKeys=2)
    assert [o["Key"] for o in page["Contents"]] == ["a.txt"]
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["dir/"]
    assert page["IsTruncated"]
    rest = s3.list_objects_v2(Bucket=name, Delimiter="/", MaxKeys=2, ContinuationToken=page["NextContinuationToken"])
    assert [o["Key"] for o in rest["Contents"]] == ["e"]
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["f/"]
    assert not rest["IsTruncated"]
    under = s3.list_objects_v2(Bucket=name, Prefix="dir/", Delimiter="/")
    assert [o["Key"] for o in under["Contents"]] == ["dir/1", "dir/2"]
    assert [p["Prefix"] for p in under["CommonPrefixes"]] == ["dir/sub/"]
    paginator = s3.get_paginator("list_objects_v2")
    keys = [o["Key"] for p in paginator.paginate(Bucket=name, PaginationConfig={"PageSize": 1}) for o in p.get("Contents", [])]
    assert keys == ["a.txt", "dir/1", "dir/2", "dir/sub/3", "e", "f/x"]
    after = s3.list_objects_v2(Bucket=name, StartAfter="dir/2")
    assert [o["Key"] for o in after["Contents"]] == ["dir/sub/3", "e", "f/x"]


def test_multipart_upload(target, unique):
    s3, name = make_bucket(target, unique)
    upload = s3.create_multipart_upload(Bucket=name, Key="big", ContentType="application/octet-stream")
    upload_id = upload["UploadId"]
    first, second = os.urandom(5 * MIB), os.urandom(1000)
    parts = []
    for number, body in [(1, first), (2, second)]:
        part = s3.upload_part(Bucket=name, Key="big", UploadId=upload_id, PartNumber=number, Body=body)
        parts.append({"PartNumber": number, "ETag": part["ETag"]})
    listed = s3.list_parts(Bucket=name, Key="big", UploadId=upload_id)
    assert [p["Size"] for p in listed["Parts"]] == [5 * MIB, 1000]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=name)["Uploads"]] == [upload_id]
    done = s3.complete_multipart_upload(Bucket=name, Key="big", UploadId=upload_id, MultipartUpload={"Parts": parts})
    expected = hashlib.md5(hashlib.md5(first).digest() + hashlib.md5(second).digest()).hexdigest() + "-2"
    assert done["ETag"] == f'"{expected}"'
    assert s3.get_object(Bucket=name, Key="big")["Body"].read() == first + second
    with pytest.raises(botocore.exceptions.ClientError) as gone:
        s3.list_parts(Bucket=name, Key="big", UploadId=upload_id)
    assert error_code(gone) == "NoSuchUpload"

    small = s3.create_multipart_upload(Bucket=name, Key="small")["UploadId"]
    tiny = [
        {"PartNumber": n, "ETag": s3.upload_part(Bucket=name, Key="small", UploadId=small, PartNumber=n, Body=b"tiny")["ETag"]}
        for n in (1, 2)
    ]
    with pytest.raises(botocore.exceptions.ClientError) as too_small:
        s3.complete_multipart_upload(Bucket=name, Key="small", UploadId=small, MultipartUpload={"Parts": tiny})
    assert error_code(too_small) == "EntityTooSmall"
    with pytest.raises(botocore.exceptions.ClientError) as wrong_etag:
        s3.complete_multipart_upload(
            Bucket=name, Key="small", UploadId=small, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"0000"'}]}
        )
    assert error_code(wrong_etag) == "InvalidPart"
    s3.abort_multipart_upload(Bucket=name, Key="small", UploadId=small)
    assert not s3.list_multipart_uploads(Bucket=name).get("Uploads")


def test_versioning(target, unique):
    s3, name = make_bucket(target, unique)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    first = s3.put_object(Bucket=name, Key="k", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=name, Key="k", Body=b"two")["VersionId"]
    assert first != second
    assert s3.get_object(Bucket=name, Key="k", VersionId=first)["Body"].read() == b"one"
    marker = s3.delete_object(Bucket=name, Key="k")
    assert marker["DeleteMarker"]
    with pytest.raises(botocore.exceptions.ClientError) as gone:
        s3.get_object(Bucket=name, Key="k")
    assert error_code(gone) == "NoSuchKey"
    versions = s3.list_object_versions(Bucket=name)
    assert sorted(v["VersionId"] for v in versions["Versions"]) == sorted([first, second])
    assert len(versions["DeleteMarkers"]) == 1
    s3.delete_object(Bucket=name, Key="k", VersionId=marker["VersionId"])
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"two"
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Suspended"


def test_tagging(target, unique):
    s3, name = make_bucket(target, unique)
    s3.put_object(Bucket=name, Key="k", Body=b"x", Tagging="team=ml&stage=dev")
    tags = s3.get_object_tagging(Bucket=name, Key="k")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("stage", "dev"), ("team", "ml")]
    s3.put_object_tagging(Bucket=name, Key="k", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]})
    assert s3.get_object_tagging(Bucket=name, Key="k")["TagSet"] == [{"Key": "only", "Value": "one"}]
    s3.delete_object_tagging(Bucket=name, Key="k")
    assert s3.get_object_tagging(Bucket=name, Key="k")["TagSet"] == []
    with pytest.raises(botocore.exceptions.ClientError) as none:
        s3.get_bucket_tagging(Bucket=name)
    assert error_code(none) == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "env", "Value": "test"}]})
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "env", "Value": "test"}]


@pytest.mark.lathe_only
def test_virtual_hosted_style(lathe, unique, monkeypatch):
    s3, name = make_bucket(lathe, unique)
    # Resolve BUCKET.localhost as systemd-resolved and browsers do (glibc alone does not).
    resolve = socket.getaddrinfo
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, *rest, **kw: resolve("127.0.0.1" if host.endswith(".localhost") else host, *rest, **kw)
    )
    # botocore puts the bucket in the host name: BUCKET.localhost:PORT
    virtual = boto3.client(
        "s3",
        endpoint_url=lathe.endpoint.replace("127.0.0.1", "localhost"),
        region_name="us-east-1",
        aws_access_key_id=lathe.server.access_key,
        aws_secret_access_key=lathe.server.secret_key,
        config=botocore.config.Config(s3={"addressing_style": "virtual"}),
    )
    virtual.put_object(Bucket=name, Key="vh", Body=b"virtual")
    assert s3.get_object(Bucket=name, Key="vh")["Body"].read() == b"virtual"
    assert virtual.get_object(Bucket=name, Key="vh")["Body"].read() == b"virtual"
    assert [o["Key"] for o in virtual.list_objects_v2(Bucket=name)["Contents"]] == ["vh"]


def test_aws_cli(target, unique, tmp_path):
    name = unique("cli")
    target.cli("s3", "mb", f"s3://{name}")
    source = tmp_path / "upload.bin"
    source.write_bytes(os.urandom(9 * MIB))
    target.cli("s3", "cp", str(source), f"s3://{name}/folder/upload.bin")
    target.cli("s3api", "put-object", "--bucket", name, "--key", "notes/a b+c.txt", "--body", str(source))
    listing = target.cli("s3", "ls", f"s3://{name}/folder/")
    assert "upload.bin" in listing
    objects = target.cli("s3api", "list-objects-v2", "--bucket", name)
    assert sorted(o["Key"] for o in objects["Contents"]) == ["folder/upload.bin", "notes/a b+c.txt"]
    back = tmp_path / "download.bin"
    target.cli("s3", "cp", f"s3://{name}/folder/upload.bin", str(back))
    assert back.read_bytes() == source.read_bytes()
    head = target.cli("s3api", "head-object", "--bucket", name, "--key", "notes/a b+c.txt")
    assert head["ContentLength"] == 9 * MIB
    refused = target.cli("s3", "rb", f"s3://{name}", check=False)
    assert refused.returncode != 0 and "BucketNotEmpty" in refused.stderr
    target.cli("s3", "rb", f"s3://{name}", "--force")
    missing = target.cli("s3api", "head-bucket", "--bucket", name, check=False)
    assert missing.returncode != 0 and "404" in missing.stderr
