"""Authentication and authorization (lathe only: moto does not check signatures)."""

import json
import time
import urllib.error
import urllib.request

import botocore.exceptions
import pytest

from conftest import error_code, status_code

pytestmark = pytest.mark.lathe_only

TRUST_ACCOUNT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole"}]}
)

# One harmless read per service.
CALLS = {
    "s3": lambda client: client.list_buckets(),
    "iam": lambda client: client.list_roles(),
    "sts": lambda client: client.get_caller_identity(),
}


@pytest.mark.parametrize("service", ["s3", "iam", "sts"])
def test_wrong_secret_is_signature_does_not_match(lathe, service):
    client = lathe.client(service, secret_key="not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        CALLS[service](client)
    assert error_code(refused) == "SignatureDoesNotMatch"
    assert status_code(refused) == 403


@pytest.mark.parametrize("service,expected", [("s3", "InvalidAccessKeyId"), ("sts", "InvalidClientTokenId"), ("iam", "InvalidClientTokenId")])
def test_unknown_access_key(lathe, service, expected):
    client = lathe.client(service, access_key="AKIAUNKNOWNUNKNOWN00", secret_key="secret")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        CALLS[service](client)
    assert error_code(refused) == expected
    assert status_code(refused) == 403


def test_unsigned_requests_are_refused(lathe):
    with pytest.raises(urllib.error.HTTPError) as s3:
        urllib.request.urlopen(f"{lathe.endpoint}/")
    assert s3.value.code == 403
    assert b"<Code>AccessDenied</Code>" in s3.value.read()
    request = urllib.request.Request(
        f"{lathe.endpoint}/",
        data=b"Action=GetCallerIdentity&Version=2011-06-15",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as query:
        urllib.request.urlopen(request)
    assert query.value.code == 403
    body = query.value.read()
    assert b"<Code>MissingAuthenticationToken</Code>" in body and b"<Type>Sender</Type>" in body


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_presigned_urls(lathe, unique, signature_version):
    """Presigned URLs in SigV4 and in boto3's default (SigV2 query) form."""
    presigner = lathe.client("s3", signature_version=signature_version)
    s3 = lathe.client("s3")
    bucket = unique("presign")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="report.txt", Body=b"numbers")
    url = presigner.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "report.txt"}, ExpiresIn=300)
    with urllib.request.urlopen(url) as response:
        assert response.read() == b"numbers"
    with pytest.raises(urllib.error.HTTPError) as tampered:
        urllib.request.urlopen(url.replace("report.txt", "other.txt"))
    assert tampered.value.code == 403
    assert b"SignatureDoesNotMatch" in tampered.value.read()
    put_url = presigner.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "upload.txt"}, ExpiresIn=300)
    # The URL was signed without a Content-Type; urllib would otherwise add a form one.
    upload = urllib.request.Request(put_url, data=b"uploaded", method="PUT", headers={"Content-Type": ""})
    urllib.request.urlopen(upload).read()
    assert s3.get_object(Bucket=bucket, Key="upload.txt")["Body"].read() == b"uploaded"


def test_assumed_role_is_confined_to_its_policies(lathe, unique):
    s3 = lathe.client("s3")
    bucket = unique("confined")
    s3.create_bucket(Bucket=bucket)
    for key in ["allowed/a.txt", "allowed/secret", "private/b.txt"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    iam = lathe.client("iam")
    role = unique("reader")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_ACCOUNT)
    allow = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/allowed/*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
        ],
    }
    policy = iam.create_policy(PolicyName=unique("read"), PolicyDocument=json.dumps(allow))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=policy)
    deny = {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": f"arn:aws:s3:::{bucket}/allowed/secret"}}
    iam.put_role_policy(RoleName=role, PolicyName="deny-secret", PolicyDocument=json.dumps(deny))
    credentials = lathe.client("sts").assume_role(RoleArn=f"arn:aws:iam::000000000000:role/{role}", RoleSessionName="confined")["Credentials"]
    reader = lathe.client(
        "s3", access_key=credentials["AccessKeyId"], secret_key=credentials["SecretAccessKey"], session_token=credentials["SessionToken"]
    )
    assert reader.get_object(Bucket=bucket, Key="allowed/a.txt")["Body"].read() == b"x"
    assert reader.list_objects_v2(Bucket=bucket)["KeyCount"] == 3
    for call in [
        lambda: reader.get_object(Bucket=bucket, Key="private/b.txt"),
        lambda: reader.get_object(Bucket=bucket, Key="allowed/secret"),
        lambda: reader.put_object(Bucket=bucket, Key="allowed/new", Body=b"y"),
        lambda: reader.delete_object(Bucket=bucket, Key="allowed/a.txt"),
        lambda: reader.list_buckets(),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as denied:
            call()
        assert error_code(denied) == "AccessDenied"
        assert status_code(denied) == 403
    iam_reader = lathe.client(
        "iam", access_key=credentials["AccessKeyId"], secret_key=credentials["SecretAccessKey"], session_token=credentials["SessionToken"]
    )
    with pytest.raises(botocore.exceptions.ClientError) as iam_denied:
        iam_reader.list_roles()
    assert error_code(iam_denied) == "AccessDenied"
    tokenless = lathe.client("s3", access_key=credentials["AccessKeyId"], secret_key=credentials["SecretAccessKey"])
    with pytest.raises(botocore.exceptions.ClientError) as no_token:
        tokenless.get_object(Bucket=bucket, Key="allowed/a.txt")
    assert error_code(no_token) == "InvalidToken"


def test_trust_policy_decides_who_may_assume(lathe, unique):
    iam = lathe.client("iam")
    role = unique("bedrock-only")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        lathe.client("sts").assume_role(RoleArn=f"arn:aws:iam::000000000000:role/{role}", RoleSessionName="nope")
    assert error_code(refused) == "AccessDenied"


def test_presigned_query_requests_to_sts(lathe):
    """SigV4 in the query string for a query-protocol service (as `aws eks get-token` does)."""
    sts = lathe.client("sts")
    url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url) as response:
        body = response.read()
    assert b"<Arn>arn:aws:iam::000000000000:root</Arn>" in body
    with pytest.raises(urllib.error.HTTPError) as tampered:
        urllib.request.urlopen(url.replace("GetCallerIdentity", "GetSessionToken"))
    assert tampered.value.code == 403
    assert b"SignatureDoesNotMatch" in tampered.value.read()
    expiring = sts.generate_presigned_url("get_caller_identity", ExpiresIn=1, HttpMethod="GET")
    time.sleep(2)
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(expiring)
    assert expired.value.code == 403
    assert b"expired" in expired.value.read()
