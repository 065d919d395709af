"""Input from object storage: a real S3 server (moto's, on 127.0.0.1) read through s3fs, as a user's bucket is."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.readers.remote import is_remote, redact
from tests.conftest import SEEDS, parquet_bytes

moto_server = pytest.importorskip("moto.server", reason='the S3 tests need moto: pip install -e ".[test]"')
boto3 = pytest.importorskip("boto3")
pytest.importorskip("s3fs")

SECRET = "never-print-this-secret-4711"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """A running S3 server, and the environment that points the AWS libraries at it."""
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id="test-key",
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="corpus")
    for path in sorted(SEEDS.rglob("*")):
        if path.is_file():
            client.upload_file(str(path), "corpus", f"raw/{path.relative_to(SEEDS)}")
    client.put_object(Bucket="corpus", Key="raw/.hidden.txt", Body=b"not input")
    yield env
    server.stop()


def cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )


def test_a_bucket_gives_the_same_bytes_as_a_folder(s3, tmp_path: Path):
    remote = cli("run", "s3://corpus/raw", "--out", "from-s3", "--no-validate", cwd=tmp_path, env=s3)
    assert remote.returncode == 0, remote.stderr
    assert "read 5 documents" in remote.stdout
    local = cli("run", str(SEEDS), "--out", "from-disk", "--no-validate", cwd=tmp_path, env=s3)
    assert local.returncode == 0, local.stderr
    build = Path("cleaner-corpus") / "build"
    assert parquet_bytes(tmp_path / "from-s3" / build) == parquet_bytes(tmp_path / "from-disk" / build)
    run_json = (tmp_path / "from-s3" / build / "run.json").read_text(encoding="utf-8")
    assert '"folder": "s3://corpus/raw"' in run_json and ".hidden.txt" in run_json
    everything = (
        remote.stdout
        + remote.stderr
        + "".join(p.read_bytes().decode("latin-1") for p in (tmp_path / "from-s3").rglob("*") if p.is_file())
    )
    assert SECRET not in everything and "test-key" not in everything


def test_a_missing_bucket_is_a_clear_error(s3, tmp_path: Path):
    result = cli("run", "s3://no-such-bucket/raw", "--out", "out", cwd=tmp_path, env=s3)
    assert result.returncode == 2
    assert "s3://no-such-bucket/raw" in result.stderr and "credentials" in result.stderr
    assert "Traceback" not in result.stderr and SECRET not in result.stderr


def test_urls_are_told_from_paths_and_lose_their_passwords():
    assert is_remote("s3://bucket/x") and is_remote("hf://datasets/org/name")
    assert not is_remote("raw/pages") and not is_remote("file:///tmp/raw")
    assert redact("https://user:token@example.org/dump") == "https://example.org/dump"
    assert redact("http://me:pw@127.0.0.1:9000/x") == "http://127.0.0.1:9000/x"
    assert redact("s3://bucket/prefix") == "s3://bucket/prefix"
