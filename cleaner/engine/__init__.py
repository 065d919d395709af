"""Engines execute a run's tasks, and nothing else.

The runner plans the tasks, keeps the accounting, makes the corpus decisions and publishes; an engine is only
asked to apply a job to a stream of items and hand the results back in item order. That is the whole seam, so a
new engine (Dask, Spark, Slurm) is one module here that implements :class:`Engine` and one entry in
:data:`ENGINES`.

A job given to an engine must be picklable (a module-level function, or ``functools.partial`` of one over
picklable arguments): the local engine forks and never pickles it, but a cluster ships it to other machines. Jobs
exchange data through files in the run's staging folder, so items and results stay small.
"""

from __future__ import annotations

import importlib
import reprlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Engine name -> the module that defines it, imported only when chosen (``ray`` is an optional extra).
ENGINES = {"local": "cleaner.engine.local", "ray": "cleaner.engine.ray"}


class EngineError(Exception):
    """An engine that cannot start (its library is missing, its cluster cannot be reached); says what to do."""


class TaskLost(EngineError):
    """A task whose worker process died (killed, out of memory, crashed) on every attempt the engine gives it.

    Finished tasks are not lost with it: a run's tasks record themselves as they finish (:mod:`cleaner.progress`),
    so a run stopped by this error resumes from them."""


def describe(item: object) -> str:
    """What an item of a map covers, for a message: the input files or the records of a run's task."""
    from cleaner.readers import InputFile
    from cleaner.tasks import Slice

    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int):  # (index, task): a run's tasks
        return f"task {item[0]} ({describe(item[1])})"
    if isinstance(item, Slice):
        sources = [record.source for record in item.records]
        return f"{len(sources)} records of {item.file.rel}" + (f": {sources[0]} to {sources[-1]}" if sources else "")
    if isinstance(item, list) and item and all(isinstance(file, InputFile) for file in item):
        if len(item) == 1:
            return f"input file {item[0].rel}"
        return f"{len(item)} input files: {item[0].rel} to {item[-1].rel}"
    return f"item {reprlib.repr(item)}"


class Engine(Protocol):
    """Runs jobs over items, results in item order."""

    name: str
    workers: int  # the parallelism the engine offers (cores of this machine, CPUs of the cluster)
    # Tasks run again because their worker died, one message each, for the run's warnings. An engine whose
    # library retries out of sight (Ray) leaves it empty.
    retried: list[str]

    def map_ordered(
        self, job: Callable[[T], R], items: Iterable[T], meanwhile: Callable[[], None] | None = None
    ) -> Iterator[R]:
        """``job(item)`` for every item, yielded in item order. ``items`` may be a generator that reads as it
        goes: it is drawn only as workers free up, a bounded number of items ahead of the results.
        ``meanwhile`` is called once, in this process, after the first items are handed out and before the
        first result is awaited (the caller's own work, done while the workers start on theirs). A job's exception
        is raised as itself when its item's turn comes; a task whose worker dies is run again (how often is the
        engine's), and one lost on every attempt raises :class:`TaskLost` at once, never a hang."""
        ...

    def close(self) -> None:
        """Release what the engine holds (worker processes, a cluster connection it opened)."""
        ...


def start_engine(name: str, workers: int | None = None, address: str | None = None) -> Engine:
    """The engine called ``name``, ready to run tasks; :class:`EngineError` when it cannot start."""
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
    module: Any = importlib.import_module(ENGINES[name])
    return module.start(workers=workers, address=address)
