"""No secret given through the environment is ever printed or written: a Hub token and S3 credentials set to
recognisable values go through run and publish (both validate), report, push and a run on Ray, and appear in none of
their output, files (Parquet read back, since it compresses what it holds) or logs. tests/readers/test_remote.py
does the same for an s3:// input, and tests/publish/test_release.py for a push that fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT

SECRETS = {
    "HF_TOKEN": "hf_SECRETrunTOKEN0123456789abcdef",
    "HUGGING_FACE_HUB_TOKEN": "hf_SECRETlegacyTOKEN0123456789",
    "AWS_SECRET_ACCESS_KEY": "SECRETaws/key+0123456789abcdefABCDEF",
    "AWS_SESSION_TOKEN": "SECRETsessionTOKEN0123456789",
    "AWS_ACCESS_KEY_ID": "AKIASECRETKEYID0123",
}


def environment(tmp_path: Path, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        **SECRETS,
        "HF_HUB_OFFLINE": "1",  # no network here: the push fails, after reading the token
        "HF_HOME": str(tmp_path / "hf-home"),
        "RAY_USAGE_STATS_ENABLED": "0",
        **more,
    }


def cleaner(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cleaner", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def leaks(texts: list[str], folders: list[Path]) -> list[str]:
    """Where any secret (or a recognisable part of one) appears: in the texts, in a file's bytes, or in the values
    of a Parquet file."""
    found = []
    needles = [*SECRETS.values(), *(value[:16] for value in SECRETS.values())]
    for index, text in enumerate(texts):
        found += [f"output {index}: {needle}" for needle in needles if needle in text]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            content = path.read_bytes().decode("latin-1")
            if path.suffix == ".parquet":
                content += str(pq.read_table(path).to_pylist())
            found += [f"{path}: {needle}" for needle in needles if needle in content]
    return found


def project(tmp_path: Path) -> Path:
    """The repository's corpus, config and suites in a folder of its own."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "raw", repo / "raw")
    shutil.copytree(ROOT / "expectations", repo / "expectations")
    shutil.copy(ROOT / "cleaner.toml", repo / "cleaner.toml")
    return repo


def test_no_secret_in_the_outputs_of_run_publish_report_and_push(tmp_path: Path):
    repo = project(tmp_path)
    env = environment(tmp_path)
    results = [
        cleaner("run", "raw", "--workers", "2", cwd=repo, env=env),
        cleaner("publish", "--version", "1.0.0", cwd=repo, env=env),
        cleaner("report", "dist", cwd=repo, env=env),
        cleaner("push", "1.0.0", "--to", "hf://acme/articles", cwd=repo, env=env),
    ]
    assert [r.returncode for r in results[:3]] == [0, 0, 0], [r.stderr for r in results]
    assert results[3].returncode == 1 and results[3].stderr.startswith("error: cannot push")  # offline: it cannot be
    assert "Traceback" not in results[3].stderr
    release = repo / "dist" / "seed-articles" / "1.0.0"
    assert (release / "manifest.json").is_file() and (release / "README.md").is_file()
    assert (release / "report.html").is_file() and (repo / "dist" / "seed-articles" / "build" / "run.json").is_file()
    outputs = [text for r in results for text in (r.stdout, r.stderr)]
    assert leaks(outputs, [tmp_path]) == []
    # the test can fail: a secret that is written is found
    (release / "notes.txt").write_text(f"token={SECRETS['HF_TOKEN']}", encoding="utf-8")
    assert leaks([], [release]) == [
        f"{release / 'notes.txt'}: {SECRETS['HF_TOKEN']}",
        f"{release / 'notes.txt'}: hf_SECRETrunTOKE",
    ]


def test_no_secret_in_the_output_or_the_logs_of_a_run_on_ray(tmp_path: Path):
    pytest.importorskip("ray", reason='the Ray engine needs Ray: pip install -e ".[test]"')
    repo = project(tmp_path)
    # Ray keeps its logs in RAY_TMPDIR; a short path, as Ray's socket names must fit in 107 characters
    ray_dir = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    try:
        env = environment(tmp_path, RAY_TMPDIR=str(ray_dir))
        result = cleaner("run", "raw", "--engine", "ray", "--workers", "2", "--no-validate", cwd=repo, env=env)
        assert result.returncode == 0, result.stderr
        assert any(ray_dir.rglob("*.log")) or any(ray_dir.rglob("*.out")), "Ray wrote no logs where expected"
        assert leaks([result.stdout, result.stderr], [tmp_path, ray_dir]) == []
    finally:
        shutil.rmtree(ray_dir, ignore_errors=True)
