"""One run, start to finish: find the inputs, run the tasks, account for every record, publish atomically.

The runner prints nothing; it reports progress through a callback and returns a :class:`RunSummary` that the CLI
renders. That keeps it usable from Python, tests and notebooks as well as the command line.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from cleaner import __version__
from cleaner.config import Config
from cleaner.corpus import apply_corpus_steps
from cleaner.engine.local import default_workers, run_ordered
from cleaner.pipeline import TABLES, Counts, Pipeline, TaskResult, build_steps, run_task
from cleaner.readers import discover
from cleaner.schema import AUDIT_SCHEMA, REJECT_SCHEMA
from cleaner.survey import survey
from cleaner.tasks import LargeFile, Task, files_of, plan_tasks, tasks
from cleaner.writer import make_staging, publish_staging, write_empty

# The stages of a run, in order, as ``on_phase`` names them (a stage a run does not need is not announced).
PHASES = ("loading the steps", "surveying recurring lines", "cleaning", "deduplicating", "validating")


class RunError(Exception):
    """A run that cannot start or produced nothing; the message says what to do."""


class Interrupted(Exception):
    """The run was stopped by a signal; nothing was published."""


@dataclass
class RunSummary(Counts):
    raw_dir: str = ""
    output: str = ""
    files: int = 0
    hidden: list[str] = field(default_factory=list)
    skipped_output: str = ""  # the output folder, relative to the input folder, when it lies inside it
    seconds: float = 0.0
    input_fingerprint: str = ""
    workers: int = 1
    validation: Any = None  # a cleaner.validate.Report when the run validated its output
    validation_skipped: str = ""

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def readable(self) -> int:
        """Records that could be read at all (kept, or rejected by a step rather than by the reader)."""
        return self.read - sum(n for reason, n in self.rejected.items() if reason.startswith("read."))


def output_dir(out: Path, config: Config) -> Path:
    """Where a run writes: ``OUT/<dataset name>/build`` (releases go beside it, one folder per version)."""
    return out / config.dataset.name / "build"


def _task(pipeline: Pipeline, staging: Path, item: tuple[int, Task]) -> TaskResult:
    index, task = item
    return run_task(pipeline, index, task, staging)


def run(
    raw_dir: Path,
    out: Path,
    config: Config,
    workers: int | None = None,
    on_progress: Callable[[TaskResult, int, int], None] | None = None,
    validate: bool = False,
    on_phase: Callable[[str], None] | None = None,
) -> RunSummary:
    """Clean everything below ``raw_dir`` into ``output_dir(out, config)``; returns the summary.

    ``on_progress`` hears of every finished task of the cleaning pass; ``on_phase`` of each stage as it begins
    (one of :data:`PHASES`): the passes before and after cleaning take minutes on a large corpus."""
    started = time.perf_counter()
    phase = on_phase or _quiet
    if not raw_dir.is_dir():
        raise RunError(f"input folder {raw_dir} does not exist (or is not a folder)")
    own_output = _output_inside(raw_dir, out, config)
    files, hidden = discover(raw_dir, skip=own_output)
    if not files:
        raise RunError(f"no input files in {raw_dir}: put .txt, .html, .jsonl, .parquet or .warc files there")
    destination = output_dir(out, config)
    workers = workers or config.run.workers or default_workers()
    try:
        pipeline = Pipeline(build_steps(config))
    except ValueError as err:  # a setting a step refuses ("steps.pii.action must be …")
        raise RunError(f"bad configuration: {err}") from err
    plan, task_bytes = plan_tasks(files, int(config.run.task_mb * (1 << 20)), config.run.task_files)
    phase("loading the steps")
    for step in [*pipeline.steps, *pipeline.corpus_steps]:
        try:
            step.prepare()
        except (OSError, ValueError) as err:  # a data file the config names is missing or does not fit
            raise RunError(f"step {step.name} cannot start: {err}") from err
    _prime_pyarrow()
    for step in pipeline.steps:  # first pass: what recurs across the corpus (before forking the workers)
        if getattr(step, "survey_min_docs", 0):
            phase("surveying recurring lines")
            file_runs = [files_of(planned) for planned in plan]
            share = getattr(step, "survey_min_share", 0.0)
            step.frequent_lines = survey(file_runs, step.survey_candidate, step.survey_min_docs, workers, share)
    summary = RunSummary(raw_dir=str(raw_dir), output=str(destination), files=len(files), hidden=hidden)
    if own_output is not None:
        summary.skipped_output = str(own_output.relative_to(raw_dir.resolve()))
    sliced = any(isinstance(planned, LargeFile) for planned in plan)
    summary.workers = workers if sliced else min(workers, len(plan))
    total_bytes = sum(f.size for f in files)

    staging = make_staging(destination)
    previous = {sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        digests: list[tuple[str, int, str]] = []
        job = functools.partial(_task, pipeline, staging)
        done = 0
        phase("cleaning")
        for result in run_ordered(job, enumerate(tasks(plan, task_bytes)), summary.workers):
            done += 1
            summary.add(result)
            digests.extend(result.digests)
            if on_progress:
                on_progress(result, len(files), total_bytes)
        if pipeline.corpus_steps:
            phase("deduplicating")
        moved = apply_corpus_steps(pipeline, staging)
        summary.rejected.update(moved)
        summary.kept -= sum(moved.values())
        summary.rows["documents"] -= sum(moved.values())
        summary.rows["rejects"] += sum(moved.values())
        _check_accounting(summary)
        for table, table_schema in zip(TABLES, (pipeline.document_schema, REJECT_SCHEMA, AUDIT_SCHEMA), strict=True):
            if not any((staging / table).glob("*.parquet")):
                write_empty(staging / table / "part-00000.parquet", table_schema)
        summary.input_fingerprint = _fingerprint(digests)
        summary.seconds = time.perf_counter() - started
        _write_run_json(staging / "run.json", summary, config, done)
        suites = config.root / config.validate.expectations
        if validate and not suites.is_dir():
            summary.validation_skipped = f"no expectations folder at {suites}"
        elif validate:
            phase("validating")
            from cleaner.validate import ValidationError
            from cleaner.validate import validate as run_suite

            try:
                report = run_suite(staging, config)
            except ValidationError as err:
                raise RunError(f"cannot validate the output: {err} (or run with --no-validate)") from err
            report.dataset = str(destination)
            report.docs = report.docs.replace(str(staging), str(destination))
            summary.validation = report
            _relocate_docs(staging, destination)
        publish_staging(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return summary


def _quiet(phase: str) -> None:
    """The default ``on_phase``: say nothing."""


def _output_inside(raw_dir: Path, out: Path, config: Config) -> Path | None:
    """The folder this run writes into, when it lies inside the input folder (``cleaner run .``): its tables and
    releases are the last run's output, and reading them as input would clean the corpus into itself."""
    raw, folder = raw_dir.resolve(), out.resolve()
    if folder == raw:  # --out is the input folder itself: only the dataset's own folder is output
        folder = folder / config.dataset.name
    return folder if folder.is_relative_to(raw) else None


def _prime_pyarrow() -> None:
    """Convert one Python list to Arrow before the workers fork, with pyarrow told that pandas is absent.

    pyarrow imports pandas (about 0.3 s, longer than the spine takes to clean a thousand documents) the first
    time it converts a Python list, only to ask whether the list is a pandas object. The rows we write are plain
    lists, so the answer is always no. pyarrow's lazy shim remembers the failed import and tries again at the
    first call that really needs pandas (``Table.to_pandas``, in validation), so nothing else changes."""
    if "pandas" in sys.modules:  # already paid for (a notebook, the tests): nothing to save
        pa.array(["warm"], pa.string()).to_pylist()
        return
    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array(["warm"], pa.string()).to_pylist()
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """An import hook under which ``import pandas`` fails at once, as it does where pandas is not installed."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("pandas is not needed to write Python lists", name=name)


def _relocate_docs(staging: Path, destination: Path) -> None:
    """The validation report names the staging folder; after the rename it lives at the destination."""
    result = staging / "validation" / "result.json"
    if result.is_file():
        result.write_text(result.read_text(encoding="utf-8").replace(str(staging), str(destination)), encoding="utf-8")


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise Interrupted(signal.Signals(signum).name)


def _check_accounting(summary: RunSummary) -> None:
    """Every record read is either kept or rejected, and each table holds exactly what the counts say."""
    if summary.read != summary.kept + summary.rejected_total:
        raise RuntimeError(
            f"accounting: read {summary.read} != kept {summary.kept} + rejected {summary.rejected_total}"
        )
    if summary.rows["documents"] != summary.kept or summary.rows["rejects"] != summary.rejected_total:
        raise RuntimeError(f"accounting: tables hold {dict(summary.rows)}, counts say kept {summary.kept}")


def _fingerprint(digests: list[tuple[str, int, str]]) -> str:
    """A hash of every input file's name, size and content: equal fingerprints, equal inputs."""
    hasher = hashlib.sha256()
    for rel, size, digest in sorted(digests):
        hasher.update(f"{rel}\t{size}\t{digest}\n".encode())
    return hasher.hexdigest()


def _write_run_json(path: Path, summary: RunSummary, config: Config, tasks: int) -> None:
    record = {
        "tool": {"name": "cleaner", "version": __version__, "python": platform.python_version()},
        "input": {
            "folder": summary.raw_dir,
            "files": summary.files,
            "bytes": summary.bytes_in,
            "fingerprint": summary.input_fingerprint,
            "hidden_files_ignored": summary.hidden,
            "output_folder_ignored": summary.skipped_output or None,
        },
        "counts": {
            "read": summary.read,
            "kept": summary.kept,
            "rejected": summary.rejected_total,
            "rejected_by_reason": dict(sorted(summary.rejected.items())),
            "removed_lines_by_reason": dict(sorted(summary.removed_lines.items())),
            "words_kept": summary.words_kept,
            "audit_rows": summary.rows["audit"],
        },
        "config": config.to_dict(),
        "config_source": config.source,
        "config_fingerprint": config.fingerprint(),
        "execution": {"workers": summary.workers, "tasks": tasks, "seconds": round(summary.seconds, 3)},
    }
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
