"""Fixtures for the real-client tests: a lathe region (the binary in LATHE_BIN, on an
ephemeral port with a temporary data directory) and, for comparison, moto_server.

Every test that takes `target` runs against both; tests marked `lathe_only` (authentication,
durability, memory) run against lathe alone, since moto does not check signatures."""

import configparser
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore.config
import pytest

REGION = "us-east-1"


def pytest_configure(config):
    config.addinivalue_line("markers", "lathe_only: runs against the lathe region only")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready within {timeout}s")


def lathe_binary():
    binary = os.environ.get("LATHE_BIN")
    if not binary or not os.path.exists(binary):
        pytest.skip("LATHE_BIN does not name a built lathe binary")
    return binary


class LatheServer:
    """`lathe server` in the foreground on a free port, in a data directory that outlives
    restarts (the durability test kills and restarts it)."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.process = None
        self.port = None

    def start(self):
        self.port = free_port()
        self.log = open(os.path.join(self.data_dir, "test-server.log"), "ab")
        self.process = subprocess.Popen(
            [lathe_binary(), "server", "--port", str(self.port), "--data-dir", self.data_dir],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self.healthy, 30, "lathe server")
        parser = configparser.ConfigParser()
        parser.read(os.path.join(self.data_dir, "credentials"))
        self.access_key = parser["default"]["aws_access_key_id"]
        self.secret_key = parser["default"]["aws_secret_access_key"]
        return self

    def healthy(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"lathe server exited with {self.process.returncode}")
        try:
            with urllib.request.urlopen(f"{self.endpoint}/_lathe/health", timeout=1) as response:
                return json.load(response)["status"] == "ok"
        except OSError:
            return False

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


class MotoServer:
    def __init__(self):
        executable = shutil.which("moto_server") or os.path.join(os.path.dirname(sys.executable), "moto_server")
        if not os.path.exists(executable):
            pytest.skip("moto_server is not installed")
        self.port = free_port()
        self.process = subprocess.Popen(
            [executable, "-p", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.access_key = "testing"
        self.secret_key = "testing"

        def up():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                return False

        wait_until(up, 30, "moto_server")

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)


class Target:
    """One server under test plus clients for it."""

    def __init__(self, kind, server):
        self.kind = kind
        self.server = server

    @property
    def endpoint(self):
        return self.server.endpoint

    @property
    def enforces_every_rule(self):
        """moto skips some of AWS's checks (Content-MD5, key length, bucket names, deleting an
        attached policy); those assertions run against lathe only."""
        return self.kind == "lathe"

    def client(self, service, access_key=None, secret_key=None, session_token=None, **config):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=access_key or self.server.access_key,
            aws_secret_access_key=secret_key or self.server.secret_key,
            aws_session_token=session_token,
            config=botocore.config.Config(retries={"max_attempts": 1}, **config),
        )

    def cli(self, *args, check=True):
        """Runs the AWS CLI against this target; returns parsed JSON output (or text)."""
        env = dict(os.environ)
        env.update(
            AWS_ACCESS_KEY_ID=self.server.access_key,
            AWS_SECRET_ACCESS_KEY=self.server.secret_key,
            AWS_DEFAULT_REGION=REGION,
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_MAX_ATTEMPTS="1",
        )
        env.pop("AWS_SESSION_TOKEN", None)
        aws = shutil.which("aws") or os.path.join(os.path.dirname(sys.executable), "aws")
        result = subprocess.run(
            [aws, "--endpoint-url", self.endpoint, "--output", "json", *args],
            env=env,
            capture_output=True,
            text=True,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        if not check:
            return result
        try:
            return json.loads(result.stdout) if result.stdout.strip() else None
        except json.JSONDecodeError:
            return result.stdout


@pytest.fixture(scope="session")
def lathe_server():
    data_dir = tempfile.mkdtemp(prefix="lathe-region-test-")
    server = LatheServer(data_dir).start()
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def moto_server():
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture(params=["lathe", "moto"])
def target(request):
    if request.param == "lathe":
        return Target("lathe", request.getfixturevalue("lathe_server"))
    return Target("moto", request.getfixturevalue("moto_server"))


@pytest.fixture
def lathe(lathe_server):
    return Target("lathe", lathe_server)


@pytest.fixture
def unique():
    """A name no other test uses (targets are shared across a session)."""
    counter = iter(range(1_000_000))
    stamp = f"{int(time.time() * 1000) % 10**9}-{os.getpid()}"
    return lambda prefix: f"{prefix}-{stamp}-{next(counter)}"


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def status_code(excinfo):
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]
