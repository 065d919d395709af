"""What a run reads: the visible input files, what is passed over, and the identity a resumed run must match."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cleaner import config as config_module
from cleaner.inputs import find_inputs, run_identity
from cleaner.run_summary import RunError
from cleaner.tasks import plan_tasks


@pytest.fixture
def config() -> config_module.Config:
    return config_module.parse({"pipeline": ["whitespace"]})


def test_hidden_files_and_the_own_output_folder_are_passed_over(tmp_path: Path, config):
    (tmp_path / "a.txt").write_text("one", encoding="utf-8")
    (tmp_path / ".secret.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "dist" / config.dataset.name / "build").mkdir(parents=True)
    (tmp_path / "dist" / config.dataset.name / "build" / "run.json").write_text("{}", encoding="utf-8")
    inputs = find_inputs(str(tmp_path), tmp_path / "dist", config)
    assert [file.rel for file in inputs.files] == ["a.txt"]
    assert inputs.hidden == [".secret.txt"]
    assert inputs.own_output == (tmp_path / "dist").resolve()
    assert len(inputs.stamps) == 1


def test_no_folder_and_no_files_are_errors_that_say_what_to_do(tmp_path: Path, config):
    with pytest.raises(RunError, match="does not exist"):
        find_inputs(str(tmp_path / "missing"), tmp_path / "out", config)
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunError, match="no input files in"):
        find_inputs(str(tmp_path / "empty"), tmp_path / "out", config)


def test_the_identity_changes_with_a_file_and_with_the_config(tmp_path: Path, config):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.txt").write_text("one", encoding="utf-8")

    def identity(cfg: config_module.Config) -> dict[str, str]:
        inputs = find_inputs(str(tmp_path / "raw"), tmp_path / "out", cfg)
        plan, task_bytes = plan_tasks(inputs.files, 1 << 20, 100)
        return run_identity(cfg, inputs, plan, task_bytes)

    before = identity(config)
    assert identity(config) == before
    os.utime(tmp_path / "raw" / "a.txt", ns=(1, 1))  # touched: it may have changed
    touched = identity(config)
    assert touched["input"] != before["input"] and touched["config"] == before["config"]
    other = config_module.parse({"pipeline": ["whitespace", "length"]})
    assert identity(other)["config"] != touched["config"]
