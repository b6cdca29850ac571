"""Durability: kill -9 the region during a stream of uploads; after a restart every
acknowledged object is intact and no half-written object is visible."""

import hashlib
import os
import random
import shutil
import tempfile
import threading
import time

import boto3
import botocore.config
import pytest

from conftest import LatheServer

pytestmark = pytest.mark.lathe_only


def client(server):
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def test_kill_during_uploads_loses_nothing_acknowledged():
    data_dir = tempfile.mkdtemp(prefix="lathe-durability-")
    server = LatheServer(data_dir).start()
    try:
        s3 = client(server)
        s3.create_bucket(Bucket="durable")
        acknowledged = []
        stop = threading.Event()
        generator = random.Random(42)

        def put(key, body):
            s3.put_object(Bucket="durable", Key=key, Body=body)

        def multipart(key, body):
            # Every fifth object goes up in two parts, so completion is cut off too.
            upload_id = s3.create_multipart_upload(Bucket="durable", Key=key)["UploadId"]
            parts = []
            for number, chunk in ((1, body[: 5 * 1024 * 1024]), (2, body[5 * 1024 * 1024 :])):
                etag = s3.upload_part(Bucket="durable", Key=key, UploadId=upload_id, PartNumber=number, Body=chunk)["ETag"]
                parts.append({"PartNumber": number, "ETag": etag})
            s3.complete_multipart_upload(Bucket="durable", Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})

        def upload():
            index = 0
            while not stop.is_set():
                if index % 5 == 4:
                    body, send = generator.randbytes(5 * 1024 * 1024 + 4096), multipart
                else:
                    body, send = generator.randbytes(generator.choice([1024, 256 * 1024, 3 * 1024 * 1024])), put
                key = f"object-{index:05d}-{hashlib.sha256(body).hexdigest()}"
                try:
                    send(key, body)
                except Exception:
                    return
                acknowledged.append(key)
                index += 1

        uploader = threading.Thread(target=upload)
        uploader.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 25 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()
        stop.set()
        uploader.join(timeout=30)
        assert len(acknowledged) >= 25, "uploads were too slow to test anything"

        server.start()
        s3 = client(server)
        for key in acknowledged:
            body = s3.get_object(Bucket="durable", Key=key)["Body"].read()
            assert hashlib.sha256(body).hexdigest() == key.rsplit("-", 1)[1], key
        listed = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket="durable") for o in page.get("Contents", [])]
        assert set(acknowledged) <= set(listed)
        # An upload cut off by the kill is either absent or whole: never a torn object.
        for key in set(listed) - set(acknowledged):
            body = s3.get_object(Bucket="durable", Key=key)["Body"].read()
            assert hashlib.sha256(body).hexdigest() == key.rsplit("-", 1)[1], key
        assert os.listdir(os.path.join(data_dir, "tmp")) == []
        # Every object file on disk belongs to a visible object or a pending upload's part.
        files = sum(len(f) for _, _, f in os.walk(os.path.join(data_dir, "objects")))
        pending = s3.list_multipart_uploads(Bucket="durable").get("Uploads", [])
        parts = sum(len(s3.list_parts(Bucket="durable", Key=u["Key"], UploadId=u["UploadId"]).get("Parts", [])) for u in pending)
        assert files == len(listed) + parts
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
