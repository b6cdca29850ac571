"""`lathe server start | status | credentials | stop` as a user runs them."""

import configparser
import os
import subprocess
import tempfile

import boto3
import pytest

from conftest import free_port, lathe_binary

pytestmark = pytest.mark.lathe_only


def lathe(*args, check=True):
    result = subprocess.run([lathe_binary(), "server", *args], capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"lathe server {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


def test_background_server_lifecycle():
    with tempfile.TemporaryDirectory(prefix="lathe-command-") as data_dir:
        port = str(free_port())
        not_yet = lathe("credentials", "--data-dir", data_dir, check=False)
        assert not_yet.returncode != 0 and "start the region once" in not_yet.stderr
        started = lathe("start", "--port", port, "--data-dir", data_dir)
        assert f"http://127.0.0.1:{port}" in started.stdout
        again = lathe("start", "--port", port, "--data-dir", data_dir)
        assert "already running" in again.stdout
        status = lathe("status", "--data-dir", data_dir)
        assert status.stdout.startswith("running: ")
        assert oct(os.stat(os.path.join(data_dir, "credentials")).st_mode & 0o777) == "0o600"

        shared = lathe("credentials", "--data-dir", data_dir).stdout
        parser = configparser.ConfigParser()
        parser.read_string(shared)
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id=parser["default"]["aws_access_key_id"],
            aws_secret_access_key=parser["default"]["aws_secret_access_key"],
        )
        s3.create_bucket(Bucket="from-the-command")
        env = lathe("credentials", "--env", "--data-dir", data_dir).stdout
        assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in env
        assert f"export AWS_ACCESS_KEY_ID={parser['default']['aws_access_key_id']}" in env

        assert "stopped" in lathe("stop", "--data-dir", data_dir).stdout
        stopped = lathe("status", "--data-dir", data_dir, check=False)
        assert stopped.returncode != 0 and "not running" in stopped.stderr
        assert "not running" in lathe("stop", "--data-dir", data_dir).stdout

        # Data and credentials survive a restart.
        lathe("start", "--port", port, "--data-dir", data_dir)
        try:
            assert "from-the-command" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
        finally:
            lathe("stop", "--data-dir", data_dir)


def test_bad_settings_are_explained():
    with tempfile.TemporaryDirectory(prefix="lathe-command-") as data_dir:
        refused = lathe("--account-id", "12", "--data-dir", data_dir, check=False)
        assert refused.returncode != 0 and "must be exactly 12 digits" in refused.stderr
