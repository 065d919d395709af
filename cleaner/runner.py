"""One run, start to finish: find the inputs, run the tasks, account for every record, publish atomically.

The runner prints nothing; it reports progress through a callback and returns a :class:`RunSummary` that the CLI
renders. That keeps it usable from Python, tests and notebooks as well as the command line. What a run reads is
found by :mod:`cleaner.inputs`; its summary and ``run.json`` are :mod:`cleaner.run_summary`'s (their names are
importable from here too: ``from cleaner.runner import RunError, RunSummary, find_inputs``).

"""

from __future__ import annotations

import functools
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from cleaner.config import Config
from cleaner.corpus import apply_corpus_steps
from cleaner.engine import Engine, EngineError, start_engine
from cleaner.inputs import Inputs, find_inputs, run_identity
from cleaner.jobs import (
    CleanJob,
    PipelineRecipe,
    StepError,
    build_pipeline,
    forget_steps,
    prepare_pipeline,
    remember,
)
from cleaner.pipeline import Pipeline, TaskResult
from cleaner.progress import Progress, finish, keep_cleaned_parts, open_progress
from cleaner.readers import InputFile
from cleaner.readers.remote import redact
from cleaner.run_summary import (
    Interrupted,
    RunError,
    RunSummary,
    check_accounting,
    input_fingerprint,
    write_run_json,
)
from cleaner.survey import survey
from cleaner.tasks import LargeFile, Planned, files_of, plan_tasks, tasks
from cleaner.writer import prime_pyarrow, publish_staging, write_empty

if TYPE_CHECKING:
    from cleaner.validate import Validator

__all__ = [
    "PHASES",
    "Inputs",
    "Interrupted",
    "RunError",
    "RunSummary",
    "clean",
    "deduplicate",
    "find_inputs",
    "output_dir",
    "run",
    "survey_corpus",
]

# The stages of a run, in order, as ``on_phase`` names them (a stage a run does not need is not announced).
PHASES = ("loading the steps", "surveying recurring lines", "cleaning", "deduplicating", "validating")


def output_dir(out: Path, config: Config) -> Path:
    """Where a run writes: ``OUT/<dataset name>/build`` (releases go beside it, one folder per version)."""
    return out / config.dataset.name / "build"


def run(
    raw_dir: str | Path,
    out: Path,
    config: Config,
    workers: int | None = None,
    on_progress: Callable[[TaskResult, int, int], None] | None = None,
    validate: bool = False,
    on_phase: Callable[[str], None] | None = None,
    engine: str | None = None,
    ray_address: str | None = None,
    resume: bool = False,
    on_staged: Callable[[Path, Path], None] | None = None,
) -> RunSummary:
    """Clean everything below ``raw_dir`` (a folder, or a URL such as ``s3://bucket/prefix``) into
    ``output_dir(out, config)``; returns the summary.

    ``on_progress`` hears of every finished task of the cleaning pass; ``on_phase`` of each stage as it begins
    (one of :data:`PHASES`): the passes before and after cleaning take minutes on a large corpus. ``engine``
    names where the tasks run (:mod:`cleaner.engine`; default ``[run] engine``); with ``resume``, the tasks an
    interrupted run of the same input and config finished are kept (:mod:`cleaner.progress`). ``on_staged(staging,
    destination)`` is called once the tables and run.json are complete, before they are published: while the
    validation process checks them, so that what it writes beside them (the report) costs no time of its own."""
    started = time.perf_counter()
    phase = on_phase or _quiet
    raw = str(raw_dir)
    inputs = find_inputs(raw, out, config)
    destination = output_dir(out, config)
    plan, task_bytes = plan_tasks(inputs.files, int(config.run.task_mb * (1 << 20)), config.run.task_files)
    phase("loading the steps")
    try:
        pipeline = build_pipeline(config, prepare=False)  # its settings checked; its models loaded below
    except StepError as err:
        raise RunError(str(err)) from err
    validator = _validator(config) if validate else None
    prime_pyarrow()
    runner = _start_engine(engine or config.run.engine, workers or config.run.workers or None, ray_address)
    progress: Progress | None = None
    try:
        progress = open_progress(destination, run_identity(config, inputs, plan, task_bytes), resume)
        # The steps' models load while the survey's workers read the corpus (the survey needs none of them)
        load = functools.partial(_prepare, pipeline)
        recurring = survey_corpus(pipeline, plan, runner, phase, progress.staging / "_survey", load)
        recipe = PipelineRecipe(config, recurring)
        remember(recipe, pipeline)  # built here, before the local engine forks: its workers inherit it
        summary = _new_summary(raw, destination, inputs, plan, runner, progress)
        with _signals_raise_interrupted():
            staging = progress.staging
            try:
                done = clean(recipe, plan, task_bytes, runner, progress, summary, on_progress, phase)
                # What follows needs the corpus steps and the tables' schemas, not the cleaning steps' models
                if validator is not None:
                    validator.resolve_parameters()
                schemas, pipeline = pipeline.schemas, Pipeline(pipeline.corpus_steps, pipeline.limits)
                del recipe
                forget_steps()
                if validator is not None:
                    validator.start()  # GX starts up in its own process while we deduplicate (cleaner.validate)
                deduplicate(pipeline, staging, runner, summary, phase)
                check_accounting(summary)
                summary.retried = list(runner.retried)
                _complete_tables(schemas, staging)
                summary.seconds = time.perf_counter() - started
                write_run_json(staging / "run.json", summary, config, done)
                meanwhile = functools.partial(on_staged, staging, destination) if on_staged else None
                if validate:
                    _validate(staging, destination, config, summary, phase, validator, meanwhile)
                elif meanwhile:
                    meanwhile()
                finish(staging)
                publish_staging(staging, destination)
            except BaseException:
                if not progress.resumable:  # a private staging folder: nothing can resume it
                    shutil.rmtree(staging, ignore_errors=True)
                raise
    except EngineError as err:  # a task lost with its worker (cleaner.engine.TaskLost): the message says what to do
        raise RunError(str(err)) from err
    finally:
        if validator is not None:
            validator.close()  # no validation process outlives the run
        runner.close()
        if progress is not None:
            progress.release()
    return summary


def survey_corpus(
    pipeline: Pipeline,
    plan: list[Planned],
    engine: Engine,
    phase: Callable[[str], None],
    scratch: Path,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, frozenset[int]]:
    """First pass, for the steps that declare they need it: what recurs across the corpus, counted in bucketed
    engine tasks that keep their files in ``scratch``. Returns the keys of the recurring lines, by step name.
    ``meanwhile`` is called once, while the survey's first tasks run (or first, when there is no survey)."""
    found: dict[str, frozenset[int]] = {}
    for step in pipeline.steps:
        request = step.survey_request()
        if request is None:
            continue
        phase("surveying recurring lines")
        file_runs = [files_of(planned) for planned in plan]
        keys = survey(
            file_runs,
            request.candidate,
            request.min_docs,
            engine.workers,
            request.min_share,
            map_ordered=_calling_once(engine.map_ordered, meanwhile) if meanwhile else engine.map_ordered,
            scratch=scratch / step.name,
            limits=pipeline.limits,
        )
        meanwhile = None
        shutil.rmtree(scratch, ignore_errors=True)
        found[step.name] = frozenset(keys)
        step.use_survey(found[step.name])
    if meanwhile is not None:
        meanwhile()
    return found


def _calling_once(map_ordered: Callable, meanwhile: Callable[[], None]) -> Callable:
    """``map_ordered`` whose first map calls ``meanwhile`` while its tasks run (see :meth:`Engine.map_ordered`)."""
    pending = [meanwhile]

    def mapped(job: Callable, items: Any) -> Iterator:
        return map_ordered(job, items, meanwhile=pending.pop()) if pending else map_ordered(job, items)

    return mapped


def _prepare(pipeline: Pipeline) -> None:
    """Load the steps' models and tables; :class:`RunError` when a step cannot start."""
    try:
        prepare_pipeline(pipeline)
    except StepError as err:
        raise RunError(str(err)) from err


def clean(
    recipe: PipelineRecipe,
    plan: list[Planned],
    task_bytes: int,
    engine: Engine,
    progress: Progress,
    summary: RunSummary,
    on_progress: Callable[[TaskResult, int, int], None] | None,
    phase: Callable[[str], None],
) -> int:
    """The cleaning pass: every task not finished already, on the engine. Returns the number of tasks."""
    phase("cleaning")
    total_bytes = sum(f.size for f in _planned_files(plan))
    results = dict(progress.finished)
    for result in progress.finished.values():
        if on_progress:
            on_progress(result, summary.files, total_bytes)
    indexed = enumerate(tasks(plan, task_bytes, recipe.config.run.limits()))
    todo = ((index, task) for index, task in indexed if index not in progress.finished)
    job = CleanJob(recipe, str(progress.staging))
    for result in engine.map_ordered(job, todo):
        results[result.index] = result
        if on_progress:
            on_progress(result, summary.files, total_bytes)
    for index in sorted(results):  # summed in task order, whichever finished first (or in an earlier run)
        summary.add(results[index])
        summary.digests.extend(results[index].digests)
    summary.input_fingerprint = input_fingerprint(summary.digests)
    return len(results)


def _planned_files(plan: list[Planned]) -> list[InputFile]:
    return [file for planned in plan for file in files_of(planned)]


def deduplicate(
    pipeline: Pipeline, staging: Path, engine: Engine, summary: RunSummary, phase: Callable[[str], None]
) -> None:
    """The corpus steps' decisions over everything cleaned; the rejected documents move from kept to rejected."""
    if not pipeline.corpus_steps:
        return
    phase("deduplicating")
    keep_cleaned_parts(staging)
    moved = apply_corpus_steps(pipeline, staging, engine.map_ordered)
    count = sum(moved.rejected.values())
    summary.rejected.update(moved.rejected)
    summary.kept -= count
    summary.words_kept -= moved.words
    summary.rows["documents"] -= count
    summary.rows["rejects"] += count


def _validator(config: Config) -> Validator | None:
    """The suite, loaded before any cleaning: a missing or broken one stops the run at once. None when there is
    no expectations folder (the run says that it skipped validation)."""
    if not (config.root / config.validate.expectations).is_dir():
        return None
    from cleaner.validate import ValidationError, Validator

    try:
        return Validator(config)
    except ValidationError as err:
        raise RunError(f"cannot validate the output: {err} (or run with --no-validate)") from err


def _validate(
    staging: Path,
    destination: Path,
    config: Config,
    summary: RunSummary,
    phase,
    validator: Validator | None,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Validate the staged output (``meanwhile`` runs while the validation process checks it)."""
    if validator is None:
        summary.validation_skipped = f"no expectations folder at {config.root / config.validate.expectations}"
        if meanwhile:
            meanwhile()
        return
    phase("validating")
    from cleaner.validate import ValidationError

    try:
        validator.submit(staging)
        if meanwhile:
            meanwhile()
        report = validator.result()
    except ValidationError as err:
        raise RunError(f"cannot validate the output: {err} (or run with --no-validate)") from err
    report.dataset = str(destination)
    report.docs = report.docs.replace(str(staging), str(destination))
    summary.validation = report
    _relocate_docs(staging, destination)


def _start_engine(name: str, workers: int | None, address: str | None) -> Engine:
    try:
        return start_engine(name, workers=workers, address=address)
    except EngineError as err:
        raise RunError(str(err)) from err


def _new_summary(
    raw: str, destination: Path, inputs: Inputs, plan: list[Planned], engine: Engine, progress: Progress
) -> RunSummary:
    summary = RunSummary(raw_dir=redact(raw), output=str(destination), files=len(inputs.files), hidden=inputs.hidden)
    if inputs.own_output is not None:
        summary.skipped_output = str(inputs.own_output.relative_to(Path(raw).resolve()))
    sliced = any(isinstance(planned, LargeFile) for planned in plan)
    summary.workers = engine.workers if sliced else min(engine.workers, len(plan))
    summary.engine = engine.name
    summary.resume_note = progress.note
    return summary


def _complete_tables(schemas: dict[str, pa.Schema], staging: Path) -> None:
    """A table with no rows still gets an empty part, so that it exists and can be opened."""
    for table, table_schema in schemas.items():
        if not any((staging / table).glob("*.parquet")):
            write_empty(staging / table / "part-00000.parquet", table_schema)


@contextmanager
def _signals_raise_interrupted() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the run as Ctrl-C does (an exception, so that cleanup runs)."""
    previous = {sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _quiet(phase: str) -> None:
    """The default ``on_phase``: say nothing."""


def _relocate_docs(staging: Path, destination: Path) -> None:
    """The validation report names the staging folder; after the rename it lives at the destination."""
    result = staging / "validation" / "result.json"
    if result.is_file():
        result.write_text(result.read_text(encoding="utf-8").replace(str(staging), str(destination)), encoding="utf-8")


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise Interrupted(signal.Signals(signum).name)
