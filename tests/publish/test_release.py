"""Releases: layout, loading with `datasets` offline, reproducibility, immutability, diff, card, Hub plan."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cleaner import config as config_module
from cleaner.publish.diff import diff
from cleaner.publish.release import PublishError, publish
from cleaner.runner import output_dir, run
from tests.conftest import ROOT, read_table


@pytest.fixture(scope="module")
def config() -> config_module.Config:
    return config_module.load(ROOT / "cleaner.toml")


@pytest.fixture(scope="module")
def built(tmp_path_factory, config) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(ROOT / "raw", out, config, workers=1, validate=False)
    return output_dir(out, config)


@pytest.fixture(scope="module")
def released(built: Path, config) -> Path:
    return publish(built, config, release_version="1.0.0")


def test_layout_and_manifest(released: Path, built: Path):
    assert sorted(p.relative_to(released).as_posix() for p in released.rglob("*") if p.is_file()) == [
        "README.md", "data/train-00000-of-00001.parquet", "manifest.json", "report.html", "validation/result.json",
    ]  # fmt: skip
    manifest = json.loads((released / "manifest.json").read_text())
    [entry] = manifest["files"]
    shard = released / entry["path"]
    assert entry["bytes"] == shard.stat().st_size and entry["rows"] == 5
    import hashlib

    assert entry["sha256"] == hashlib.sha256(shard.read_bytes()).hexdigest()
    run_json = json.loads((built / "run.json").read_text())
    assert manifest["input_fingerprint"] == run_json["input"]["fingerprint"]
    assert manifest["config_fingerprint"] == run_json["config_fingerprint"]
    assert manifest["counts"]["read"] == 5 and manifest["validation"]["success"] is True
    assert manifest["schema"]["date"] == "date32[day]"


def test_load_dataset_offline_matches_the_source_tables(released: Path, built: Path):
    script = f"""
import json, datasets
latest = datasets.load_dataset({str(released.parent)!r}, split="train")
pinned = datasets.load_dataset({str(released.parent)!r}, "1.0.0", split="train")
direct = datasets.load_dataset({str(released)!r}, split="train")
print(json.dumps([[r["id"], r["text"], str(r["date"]), str(type(r["date"]).__name__)] for r in latest]))
print(len(pinned), len(direct), latest.features["date"].dtype)
"""
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(released.parent / ".hf")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    rows_line, counts_line = result.stdout.strip().splitlines()[-2:]
    loaded = json.loads(rows_line)
    source = read_table(built / "documents")
    assert [[r[0], r[1]] for r in loaded] == [[r["id"], r["text"]] for r in source]
    assert [r[2] for r in loaded] == [str(r["date"]) for r in source]
    assert {r[3] for r in loaded if r[2] != "None"} == {"date"}  # dates come back as dates, not strings
    assert counts_line == "5 5 date32"
    shutil.rmtree(released.parent / ".hf", ignore_errors=True)


def test_card_front_matter(released: Path):
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(released / "README.md")
    data = card.data.to_dict()
    assert data["pretty_name"] == "seed-articles" and data["license"] == "other"
    assert data["language"] == ["en"] and data["size_categories"] == ["n<1K"]
    assert data["configs"][0]["data_files"][0]["path"] == "data/*.parquet"
    assert data["dataset_info"]["splits"][0]["num_examples"] == 5
    assert {"name": "date", "dtype": "date32"} in data["dataset_info"]["features"]
    assert "## Changelog" in card.text and "1.0.0: first release, 5 documents" in card.text
    assert 'load_dataset("dist/seed-articles/1.0.0", split="train")' in card.text and "path/to" not in card.text
    assert "[report.html](report.html)" in card.text
    collection = DatasetCard.load(released.parent / "README.md").data.to_dict()
    assert [c["config_name"] for c in collection["configs"]] == ["default", "1.0.0"]


def test_existing_version_is_refused(released: Path, built: Path, config):
    before = {p: p.read_bytes() for p in released.rglob("*") if p.is_file()}
    with pytest.raises(PublishError, match="already released"):
        publish(built, config, release_version="1.0.0")
    assert {p: p.read_bytes() for p in released.rglob("*") if p.is_file()} == before


def test_release_command_refuses_an_existing_version_before_running(released: Path, built: Path):
    """On a large corpus the run takes hours: a version that cannot be released must be refused first."""
    run_json = (built / "run.json").stat().st_mtime_ns
    result = subprocess.run(
        [sys.executable, "-m", "cleaner", "release", "raw", "--out", str(built.parent.parent), "--version", "v1.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1 and "already released" in result.stderr
    assert "read " not in result.stdout  # no run happened
    assert (built / "run.json").stat().st_mtime_ns == run_json


def test_reproducible_bytes(built: Path, config, tmp_path: Path):
    copies = []
    for name in ("a", "b"):
        target = tmp_path / name / built.parent.name / "build"
        shutil.copytree(built, target)
        release = publish(target, config, release_version="2.0.0")
        copies.append({p.relative_to(release).as_posix(): p.read_bytes() for p in release.rglob("*") if p.is_file()})
    assert copies[0].keys() == copies[1].keys()
    different = [name for name in copies[0] if copies[0][name] != copies[1][name]]
    assert different == ["validation/result.json"]  # only the report names its own folder


def test_bump_diff_and_changelog(built: Path, config, tmp_path: Path):
    target = tmp_path / built.parent.name / "build"
    shutil.copytree(built, target)
    first = publish(target, config, release_version="1.0.0")
    import pyarrow as pa

    table = pa.concat_tables([pq.read_table(p) for p in sorted((target / "documents").glob("*.parquet"))])
    rows = table.to_pylist()
    rows[0]["text"] += "\n\nA correction was added."
    rows[0]["content_sha256"] = "changed"
    removed_id = rows.pop()["id"]
    for part in (target / "documents").glob("*.parquet"):
        part.unlink()
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), target / "documents" / "part-00000.parquet")
    second = publish(target, config, bump="minor", allow_invalid=True)
    assert second.name == "1.1.0"
    result = diff(first, second)
    assert result.removed == [removed_id] and result.changed == [rows[0]["id"]] and result.added == []
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["changelog"][0] == "1.1.0 (from 1.0.0): documents 0 added, 1 removed, 1 changed"
    assert manifest["changelog"][1].startswith("1.0.0: first release")
    assert manifest["validation"]["allowed_invalid"] is True  # the accounting no longer adds up
    report = (second / "report.html").read_text()  # the changes against 1.0.0, an example of each kind
    assert 'id="changes"' in report and f"An example removed: {removed_id}" in report
    assert f"An example changed: {rows[0]['id']}" in report and "+A correction was added." in report
    assert "published anyway with `--allow-invalid`" in (second / "README.md").read_text()


def test_invalid_build_is_refused(built: Path, config, tmp_path: Path):
    target = tmp_path / built.parent.name / "build"
    shutil.copytree(built, target)
    run_json = json.loads((target / "run.json").read_text())
    run_json["counts"]["read"] += 1
    (target / "run.json").write_text(json.dumps(run_json))
    with pytest.raises(PublishError, match="validation failed"):
        publish(target, config, release_version="1.0.0")
    assert not (target.parent / "1.0.0").exists()


def test_build_without_suites_is_released_unvalidated_only_when_allowed(built: Path, tmp_path: Path):
    # A project of its own (a config outside this repository) has no expectations/ folder beside its config.
    (tmp_path / "cleaner.toml").write_text((ROOT / "cleaner.toml").read_text(encoding="utf-8"), encoding="utf-8")
    config = config_module.load(tmp_path / "cleaner.toml")
    target = tmp_path / "dist" / built.parent.name / "build"
    shutil.copytree(built, target)
    with pytest.raises(PublishError, match=r"no expectations folder .*--allow-invalid to publish without validation"):
        publish(target, config, release_version="1.0.0")
    assert not (target.parent / "1.0.0").exists()

    release = publish(target, config, release_version="1.0.0", allow_invalid=True)
    validation = json.loads((release / "manifest.json").read_text())["validation"]
    assert validation["success"] is False and validation["allowed_invalid"] is True
    assert "no expectations folder" in validation["not_run"]
    assert not (release / "validation").exists()
    assert "**Not validated**: the suites could not be run" in (release / "README.md").read_text()


def test_hub_token_never_printed(released: Path, tmp_path: Path):
    """With no network the push fails; neither its output nor any file may contain the token."""
    secret = "hf_SECRETtoken1234567890"
    env = {**os.environ, "HF_TOKEN": secret, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    code = (
        f"from pathlib import Path; from cleaner.publish import hub; hub.push(Path({str(released)!r}), 'hf://acme/x')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert secret not in result.stdout + result.stderr
    assert not any(secret in p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())
