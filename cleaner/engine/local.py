"""The local engine: tasks on this machine's cores, results in task order.

Workers are forked, so the configured pipeline (and whatever data its steps loaded) is shared copy-on-write
instead of being pickled to each worker. Results come back in task order whatever finishes first, which keeps
progress and summaries deterministic. Workers ignore Ctrl-C: the parent decides, and tears the pool down.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_job: Callable[[Any], Any] | None = None


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the parent dies, even by SIGKILL: orphaned workers would go on
    burning cores and writing into a staging folder that the next run is about to remove."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's cleanup has to do
        pass


def _init_worker(job: Callable[[Any], Any]) -> None:
    global _job
    _job = job
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _call(item: Any) -> Any:
    assert _job is not None
    return _job(item)


def run_ordered(
    job: Callable[[T], R], items: Iterable[T], workers: int, meanwhile: Callable[[], None] | None = None
) -> Iterator[R]:
    """``job(item)`` for every item, in order, on up to ``workers`` processes (in this process when 1).

    ``items`` may be a generator that reads as it goes (slices of a large file): it is drawn only as workers
    free up, at most ``2 * workers`` items ahead of the results, so what waits in memory stays bounded.
    ``meanwhile`` is called once the workers have their first items (all of them when ``items`` is a list),
    before the first result is awaited: this process works while they do."""
    if isinstance(items, Sized):
        workers = min(workers, len(items))
    workers = max(1, workers)
    if workers == 1:
        if meanwhile is not None:
            meanwhile()
        for item in items:
            yield job(item)
        return
    context = multiprocessing.get_context("fork")
    # Objects loaded before the fork (models, word lists, rules) are shared copy-on-write, but a garbage
    # collection in a worker writes to every object it scans, and the page of each is copied: each worker would
    # end up with its own copy of everything (270 MB each on the default pipeline, instead of ~40 MB). Frozen,
    # they stay out of the workers' collections; the parent unfreezes its own at once.
    frozen_already = gc.get_freeze_count() > 0  # by the caller, for as long as it needs (cleaner.jobs.remember)
    gc.freeze()
    try:
        pool = context.Pool(workers, initializer=_init_worker, initargs=(job,))
    finally:
        if not frozen_already:
            gc.unfreeze()
    pending: deque = deque()
    ahead = len(items) if meanwhile is not None and isinstance(items, Sized) else 2 * workers
    try:
        for item in items:
            pending.append(pool.apply_async(_call, (item,)))
            if meanwhile is not None and len(pending) >= ahead:
                meanwhile()
                meanwhile, ahead = None, 2 * workers
            if len(pending) >= ahead:
                yield pending.popleft().get()
        if meanwhile is not None:
            meanwhile()
        while pending:
            yield pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


class LocalEngine:
    """The :class:`~cleaner.engine.Engine` of one machine: a forked pool per map (see :func:`run_ordered`)."""

    name = "local"

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def map_ordered(
        self, job: Callable[[T], R], items: Iterable[T], meanwhile: Callable[[], None] | None = None
    ) -> Iterator[R]:
        return run_ordered(job, items, self.workers, meanwhile)

    def close(self) -> None:
        """Nothing to release: each map's pool is torn down when the map ends."""


def start(workers: int | None = None, address: str | None = None) -> LocalEngine:
    if address:
        from cleaner.engine import EngineError

        raise EngineError("--ray-address is for --engine ray; the local engine runs on this machine")
    return LocalEngine(workers or default_workers())
