"""Resuming an interrupted run: only unfinished tasks run again, and the output is byte-identical."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cleaner.jobs
import cleaner.runner
from cleaner import config as config_module
from cleaner.runner import output_dir, run
from tests.conftest import parquet_bytes, varied_corpus


class Crash(Exception):
    """Stands for the power cut: raised from the progress callback, it stops the run where it is."""


def crash_after(tasks: int):
    seen = []

    def on_progress(result, files, total):
        seen.append(result.index)
        if len(seen) == tasks:
            raise Crash

    return on_progress


def count_tasks(monkeypatch) -> list[int]:
    ran: list[int] = []
    original = cleaner.jobs.run_task

    def counting(pipeline, index, task, staging):
        ran.append(index)
        return original(pipeline, index, task, staging)

    monkeypatch.setattr(cleaner.jobs, "run_task", counting)
    return ran


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return varied_corpus(tmp_path)


@pytest.fixture
def reference(corpus: Path, tmp_path: Path, defaults) -> dict[str, bytes]:
    summary = run(corpus, tmp_path / "whole", defaults, workers=1)
    assert summary.resume_note == ""
    return parquet_bytes(output_dir(tmp_path / "whole", defaults))


def tasks_of(corpus: Path) -> int:
    """How many tasks a run of the corpus has (its JSON Lines shard is cut into several)."""
    from cleaner.readers import discover
    from cleaner.tasks import plan_tasks, tasks

    plan, task_bytes = plan_tasks(discover(corpus)[0], 16 << 20, 4096)
    return sum(1 for _ in tasks(plan, task_bytes))


def test_resume_runs_only_the_unfinished_tasks(corpus, reference, tmp_path, defaults, monkeypatch):
    out = tmp_path / "out"
    with pytest.raises(Crash):
        run(corpus, out, defaults, workers=1, on_progress=crash_after(5))
    assert not output_dir(out, defaults).exists()  # nothing published
    ran = count_tasks(monkeypatch)
    summary = run(corpus, out, defaults, workers=1, resume=True)
    assert summary.resume_note == "resuming: 5 finished tasks kept"
    assert 0 not in ran and len(ran) == tasks_of(corpus) - 5 and ran == sorted(ran)
    assert parquet_bytes(output_dir(out, defaults)) == reference
    assert not (out / defaults.dataset.name / ".progress-build").exists()


def test_a_run_without_resume_starts_clean(corpus, reference, tmp_path, defaults, monkeypatch):
    out = tmp_path / "out"
    with pytest.raises(Crash):
        run(corpus, out, defaults, workers=1, on_progress=crash_after(3))
    ran = count_tasks(monkeypatch)
    assert run(corpus, out, defaults, workers=1).resume_note == ""
    assert len(ran) == tasks_of(corpus)
    assert parquet_bytes(output_dir(out, defaults)) == reference


def test_a_changed_config_or_input_makes_progress_unusable(corpus, tmp_path, defaults, monkeypatch):
    out = tmp_path / "out"
    with pytest.raises(Crash):
        run(corpus, out, defaults, workers=1, on_progress=crash_after(3))
    other = config_module.parse({"steps": {"length": {"min_words": 30}}})
    with pytest.raises(Crash):
        run(corpus, out, other, workers=1, on_progress=crash_after(3))  # ...and this one's progress stays
    (corpus / "pages" / "page-000.txt").write_text("A changed page, long enough to count. " * 10, encoding="utf-8")
    ran = count_tasks(monkeypatch)
    summary = run(corpus, out, other, workers=1, resume=True)
    assert summary.resume_note == "cannot resume: the input changed since the interrupted run; starting afresh"
    assert len(ran) == tasks_of(corpus)
    with pytest.raises(Crash):
        run(corpus, out, defaults, workers=1, on_progress=crash_after(3))
    resumed = run(corpus, out, other, workers=1, resume=True)
    assert resumed.resume_note == "cannot resume: the configuration changed since the interrupted run; starting afresh"


def test_resume_with_nothing_to_resume_says_so(corpus, reference, tmp_path, defaults):
    summary = run(corpus, tmp_path / "out", defaults, workers=1, resume=True)
    assert summary.resume_note == "nothing to resume (no interrupted run in this output): starting afresh"
    assert parquet_bytes(output_dir(tmp_path / "out", defaults)) == reference


def test_a_part_cut_short_is_cleaned_again(corpus, reference, tmp_path, defaults, monkeypatch):
    out = tmp_path / "out"
    with pytest.raises(Crash):
        run(corpus, out, defaults, workers=1, on_progress=crash_after(4))
    part = out / defaults.dataset.name / ".progress-build" / "documents" / "part-00002.parquet"
    part.write_bytes(part.read_bytes()[:-20])  # the tail, and so the footer, never reached the disk
    ran = count_tasks(monkeypatch)
    summary = run(corpus, out, defaults, workers=1, resume=True)
    assert summary.resume_note == "resuming: 3 finished tasks kept"
    assert ran[0] == 2
    assert parquet_bytes(output_dir(out, defaults)) == reference


def test_a_crash_while_deduplicating_is_resumed(corpus, reference, tmp_path, defaults, monkeypatch):
    """Deduplication rewrites the cleaned parts in place: a crash after it did must not make a resumed run
    decide over parts it already thinned out."""
    out = tmp_path / "out"
    original = cleaner.runner.apply_corpus_steps

    def crash_after_rewriting(*args):
        original(*args)
        raise Crash

    monkeypatch.setattr(cleaner.runner, "apply_corpus_steps", crash_after_rewriting)
    with pytest.raises(Crash):
        run(corpus, out, defaults, workers=1)
    monkeypatch.setattr(cleaner.runner, "apply_corpus_steps", original)
    ran = count_tasks(monkeypatch)
    summary = run(corpus, out, defaults, workers=1, resume=True)
    assert summary.resume_note == f"resuming: {tasks_of(corpus)} finished tasks kept" and ran == []
    assert parquet_bytes(output_dir(out, defaults)) == reference


def test_a_killed_run_resumes_to_the_same_bytes(tmp_path: Path):
    """The real thing: SIGKILL a run of the command line midway (workers die with it), then --resume."""
    from tests.test_runner import big_corpus, cli

    big_corpus(tmp_path, files=300)
    (tmp_path / "cleaner.toml").write_text("[run]\ntask_files = 10\n", encoding="utf-8")
    assert cli("run", "big", "--out", "whole", "--no-validate", cwd=tmp_path).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "cleaner", "run", "big", "--out", "out", "--workers", "2", "--no-validate"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    progress = tmp_path / "out" / "cleaner-corpus" / ".progress-build" / "_progress"
    deadline = time.monotonic() + 120
    while len(list(progress.glob("task-*.json"))) < 8:
        assert time.monotonic() < deadline and process.poll() is None, "the run never got going"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    resumed = cli("run", "big", "--out", "out", "--resume", "--no-validate", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    kept = int(re.search(r"resuming: (\d+) finished tasks kept", resumed.stderr).group(1))
    assert 8 <= kept < 30
    build = Path("cleaner-corpus") / "build"
    assert parquet_bytes(tmp_path / "out" / build) == parquet_bytes(tmp_path / "whole" / build)
