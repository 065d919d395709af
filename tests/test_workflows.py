"""The GitHub workflows: linted (actionlint, shellcheck), hardened, and their release logic run end to end."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is part of the test extra: pip install -e '.[test]'"
    return path


def test_actionlint_and_shellcheck():
    # actionlint runs shellcheck on every `run:` block when shellcheck is on the PATH
    result = subprocess.run([tool("actionlint"), *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    scripts = [ROOT / ".github" / "release.sh", ROOT / ".ci" / "run"]
    result = subprocess.run([tool("shellcheck"), *map(str, scripts)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_hardening(workflow: Path):
    spec = yaml.safe_load(workflow.read_text())
    assert "permissions" in spec, "top-level default permissions"
    for name, job in spec["jobs"].items():
        assert "permissions" in job, f"{name}: permissions"
        assert "timeout-minutes" in job, f"{name}: timeout"
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), f"{name}: {step['uses']} unpinned"
    if workflow.name == "release.yml":
        assert spec["concurrency"]["cancel-in-progress"] is False


def repository_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    for name in ("raw", "expectations", ".github"):
        shutil.copytree(ROOT / name, copy / name)
    shutil.copy(ROOT / "cleaner.toml", copy / "cleaner.toml")
    return copy


def test_release_script_produces_what_the_workflow_uploads(tmp_path: Path):
    repo = repository_copy(tmp_path)
    output = tmp_path / "github_output"
    env = {**os.environ, "GITHUB_OUTPUT": str(output)}
    result = subprocess.run(
        ["bash", ".github/release.sh", "v1.2.3"], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert values["release_dir"] == "dist/seed-articles/1.2.3"
    files = values["files"].split()
    assert files == sorted(files)
    assert set(files) == {
        "dist/seed-articles/1.2.3/README.md",
        "dist/seed-articles/1.2.3/data/train-00000-of-00001.parquet",
        "dist/seed-articles/1.2.3/manifest.json",
        "dist/seed-articles/1.2.3/validation/result.json",
    }
    assert all((repo / f).is_file() for f in files)


def test_release_script_publishes_nothing_when_validation_fails(tmp_path: Path):
    repo = repository_copy(tmp_path)
    config = (repo / "cleaner.toml").read_text()
    (repo / "cleaner.toml").write_text(config + "\n[validate]\nmin_title_share = 1.0\n")  # one seed has no title
    result = subprocess.run(
        ["bash", ".github/release.sh", "1.2.3"], cwd=repo, capture_output=True, text=True, timeout=600
    )
    assert result.returncode != 0
    assert "validation failed" in result.stderr
    assert not (repo / "dist" / "seed-articles" / "1.2.3").exists()


def test_ci_runs_the_readmes_test_commands_with_the_pinned_versions():
    """.ci/run and the CI workflow install and test exactly as the README says: with constraints.txt, whose pins
    fall in the ranges of pyproject.toml; the newest versions in a job of their own, as the README says too."""
    import tomllib

    from packaging.requirements import Requirement

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(pip install [^\n]*python -m pytest)\n```", readme)
    pinned, newest = commands
    assert pinned == 'pip install -e ".[test]" -c constraints.txt && python -m pytest'
    assert newest == 'pip install -U -e ".[test]" && python -m pytest'
    assert pinned in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))["jobs"]
    runs = {name: [step.get("run", "") for step in job["steps"]] for name, job in jobs.items()}
    assert pinned.split(" && ")[0] in runs["test"] and "bash .ci/run" in runs["test"]
    assert newest.split(" && ")[0] in runs["newest"] and "python -m pytest" in runs["newest"]
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(text)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} not in {text}"


def test_the_license_file_is_the_license_pyproject_names():
    import tomllib

    license_name = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]["text"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_name == "Apache-2.0"
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"] and "END OF TERMS AND CONDITIONS" in text
    assert len(text.splitlines()) == 202  # the whole text, appendix included, as apache.org gives it
