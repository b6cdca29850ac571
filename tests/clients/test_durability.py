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

        def upload():
            index = 0
            while not stop.is_set():
                body = generator.randbytes(generator.choice([1024, 256 * 1024, 3 * 1024 * 1024]))
                key = f"object-{index:05d}-{hashlib.sha256(body).hexdigest()}"
                try:
                    s3.put_object(Bucket="durable", Key=key, Body=body)
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
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
