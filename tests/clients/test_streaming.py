"""Large objects stream through the region in constant memory. The size is a parameter:
LATHE_STREAM_MIB (CI: 512). Peak resident memory of the server process (VmHWM) must stay
flat however large the object."""

import hashlib
import os
import shutil
import tempfile

import boto3
import botocore.config
import pytest

from conftest import LatheServer

pytestmark = pytest.mark.lathe_only

MIB = 1024 * 1024
SIZE_MIB = int(os.environ.get("LATHE_STREAM_MIB", "512"))
# Allowed growth of the server's peak memory during the round trip.
FLAT_MIB = 64


def peak_resident_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def test_large_object_round_trip_in_constant_memory(tmp_path):
    data_dir = tempfile.mkdtemp(prefix="lathe-stream-")
    server = LatheServer(data_dir).start()
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id=server.access_key,
            aws_secret_access_key=server.secret_key,
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )
        s3.create_bucket(Bucket="stream")
        source = tmp_path / "large.bin"
        digest = hashlib.sha256()
        block = os.urandom(MIB)
        with open(source, "wb") as out:
            for index in range(SIZE_MIB):
                chunk = block[index % 256 :] + block[: index % 256]
                digest.update(chunk)
                out.write(chunk)
        baseline = peak_resident_mib(server.process.pid)
        with open(source, "rb") as body:
            s3.put_object(Bucket="stream", Key="large", Body=body)
        after_upload = peak_resident_mib(server.process.pid)
        downloaded = hashlib.sha256()
        response = s3.get_object(Bucket="stream", Key="large")
        for chunk in response["Body"].iter_chunks(chunk_size=MIB):
            downloaded.update(chunk)
        after_download = peak_resident_mib(server.process.pid)
        print(
            f"{SIZE_MIB} MiB: server VmHWM {baseline:.0f} MiB before, {after_upload:.0f} after upload, "
            f"{after_download:.0f} after download"
        )
        assert downloaded.hexdigest() == digest.hexdigest()
        assert after_download - baseline < FLAT_MIB, f"server peak memory grew {after_download - baseline:.0f} MiB"
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
