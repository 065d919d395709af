"""The jobs a run hands its engine, as recipes that any worker can rebuild.

An engine may run a job in a forked child of this process (which inherits everything already loaded) or on
another machine (which gets only what can be pickled). A loaded pipeline does not travel well: language and
boilerplate models, compiled rules and warmed parsers are large, and some are not picklable at all. So a job
carries the *recipe* of its pipeline, the configuration and the survey's findings, and each worker process builds
the pipeline from it once and keeps it (:func:`pipeline_for`). The runner builds it first in the main process,
before the local engine forks, so local workers find it built and share it copy-on-write.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import json
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cleaner.config import Config
from cleaner.pipeline import Pipeline, TaskResult, build_steps, run_task
from cleaner.tasks import Task

# Pipelines built in this process, by recipe token: one per worker process and run.
_built: dict[str, Pipeline] = {}
# The modules first imported while steps were prepared (their word lists, models and parsers): see forget_steps.
_loaded_by_steps: set[str] = set()
_CACHED = type(functools.cache(len))  # what functools.cache and lru_cache make of a function


class StepError(Exception):
    """A step that refuses its settings or cannot load what it needs."""


@dataclass(frozen=True)
class PipelineRecipe:
    """What it takes to build a run's pipeline anywhere: its config, and the survey's findings per step."""

    config: Config
    survey: dict[str, frozenset[int]] = field(default_factory=dict)  # step name -> keys of recurring lines

    @cached_property
    def token(self) -> str:
        """Equal tokens, equal pipelines."""
        hasher = hashlib.sha256(self.config.fingerprint().encode())
        for name, keys in sorted(self.survey.items()):
            hasher.update(name.encode())
            hasher.update(json.dumps(sorted(keys)).encode())
        return hasher.hexdigest()


def build_pipeline(config: Config, prepare: bool = True) -> Pipeline:
    """The configured pipeline with every step prepared (unless ``prepare`` is false: :func:`prepare_pipeline`
    does it later); :class:`StepError` when a step refuses its settings or cannot start."""
    try:
        pipeline = Pipeline(build_steps(config), config.run.limits())
    except ValueError as err:  # a setting a step refuses ("steps.pii.action must be …")
        raise StepError(f"bad configuration: {err}") from err
    if prepare:
        prepare_pipeline(pipeline)
    return pipeline


def prepare_pipeline(pipeline: Pipeline) -> None:
    """Load what every step needs (its ``prepare``); :class:`StepError` when a step cannot start."""
    before = set(sys.modules)
    try:
        for step in [*pipeline.steps, *pipeline.corpus_steps]:
            try:
                step.prepare()
            except (OSError, ValueError) as err:  # a data file the config names is missing or does not fit
                raise StepError(f"step {step.name} cannot start: {err}") from err
    finally:
        _loaded_by_steps.update(set(sys.modules) - before)


def forget_steps() -> None:
    """Let go of everything the steps loaded in this process, once it cleans no more documents.

    The driver of a local run loads the steps' tables and models (~300 MB: word frequencies, the boilerplate rules
    and line model, py3langid, dateparser's languages) so that its forked workers share them; after the cleaning
    pass it only deduplicates, validates and writes the report, and that memory would stay resident (and be
    counted again in every process it forks for deduplication) through all of it. Module-level caches hold it,
    not the steps: the caches of cleaner's modules and of the modules first imported while the steps were
    prepared are emptied (a later run in this process fills them again), and the freed heap is handed back."""
    gc.unfreeze()  # what remember() froze is ordinary garbage again
    _built.clear()
    for name in sorted(_loaded_by_steps | {m for m in sys.modules if m.startswith("cleaner.")}):
        module = sys.modules.get(name)
        for value in list(vars(module).values()) if module is not None else []:
            if isinstance(value, _CACHED):
                value.cache_clear()
    release_memory()


def release_memory() -> None:
    """Collect what is garbage and hand the free pages of the C heap back to the system.

    glibc keeps the pages it freed inside its heap (only the top of the heap is ever returned unprompted), and a
    long-lived process that allocates and frees a task's worth of rows again and again leaves them scattered
    there: a worker's heap grew by ~3.5 MB per thousand documents, and so did its memory, however small its tasks.
    ``malloc_trim`` returns every wholly free page, whatever its place."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: its own allocator decides
        ctypes.CDLL(None).malloc_trim(0)


def remember(recipe: PipelineRecipe, pipeline: Pipeline) -> None:
    """Keep ``pipeline`` (built in this process) as the one ``recipe`` makes, for forked workers to inherit.

    Everything this process holds so far is frozen (kept out of its garbage collections) until :func:`forget_steps`:
    a full collection writes into the header of every object it scans, and each page it writes to is copied,
    here, out of the pages the forked workers share. The driver of a run reads and hands out records while the
    workers clean, and each of its full collections copied another ~20 MB of the models its workers share
    (its memory rose in steps through the cleaning pass: 167 -> 213 MB at 40,000 documents)."""
    _built.clear()  # one run at a time per process: an earlier run's pipeline is not needed again
    _built[recipe.token] = pipeline
    gc.freeze()


def pipeline_for(recipe: PipelineRecipe) -> Pipeline:
    """This process's pipeline of ``recipe``, built on first use."""
    token = recipe.token
    if token not in _built:
        pipeline = build_pipeline(recipe.config)
        for step in pipeline.steps:
            if step.name in recipe.survey:
                step.use_survey(recipe.survey[step.name])
        remember(recipe, pipeline)
    return _built[token]


@dataclass(frozen=True)
class CleanJob:
    """Clean one task into the staging folder, then record it as done (see :mod:`cleaner.progress`)."""

    recipe: PipelineRecipe
    staging: str

    def __call__(self, item: tuple[int, Task]) -> TaskResult:
        from cleaner.progress import record_task

        index, task = item
        staging = Path(self.staging)
        result = run_task(pipeline_for(self.recipe), index, task, staging)
        record_task(staging, result)
        release_memory()  # what the task freed, so that a worker's memory does not grow with the corpus
        return result
