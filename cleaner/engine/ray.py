"""The Ray engine: each task a Ray task, on a cluster or on a Ray instance started for the run.

``cleaner run RAW --engine ray`` connects to the cluster at ``--ray-address`` (``ray start --head`` prints it;
``auto`` finds one started on this machine) or, without an address, starts a private Ray instance on this
machine's cores and stops it at the end. Ray is an optional extra (``pip install "cleaner[ray]"``), imported only
here.

A job is shipped once into Ray's object store and each task receives it by reference; the pipeline it rebuilds
stays alive in the Ray worker process across tasks (see :mod:`cleaner.jobs`). A task whose worker dies (a killed
process, a lost node) is run again by Ray, up to :data:`RETRIES` times: a task's output files are a function of
the task alone, so a second attempt overwrites the first one's with the same bytes. A task lost that many times
raises :class:`~cleaner.engine.TaskLost`, as on the local engine.

Tasks read and write the run's staging folder, so on a cluster of several machines it must be on storage that
every node sees at the same path (a network file system); the input may be anywhere they can all read (a shared
folder, ``s3://…``).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from cleaner.engine import EngineError, TaskLost, describe

T = TypeVar("T")
R = TypeVar("R")

RETRIES = 3


def _call(job: Callable[[Any], Any], item: Any) -> Any:
    return job(item)


class RayEngine:
    """Runs jobs as Ray tasks, at most ``2 * workers`` in flight, results in item order."""

    name = "ray"

    def __init__(self, ray: Any, workers: int, owns_cluster: bool) -> None:
        self._ray = ray
        self.workers = workers
        self._owns_cluster = owns_cluster
        self.retried: list[str] = []  # Ray runs a task again out of our sight (max_retries): none are reported
        self._remote = ray.remote(num_cpus=1, max_retries=RETRIES)(_call)

    def map_ordered(
        self, job: Callable[[T], R], items: Iterable[T], meanwhile: Callable[[], None] | None = None
    ) -> Iterator[R]:
        ray = self._ray
        shipped = ray.put(job)
        pending: deque = deque()
        try:
            for item in items:
                pending.append((self._remote.remote(shipped, item), describe(item)))  # not the item: it may be MBs
                if len(pending) >= 2 * self.workers:
                    if meanwhile is not None:
                        meanwhile()
                        meanwhile = None
                    yield self._result(*pending.popleft())
            if meanwhile is not None:
                meanwhile()
            while pending:
                yield self._result(*pending.popleft())
        finally:
            for ref, _ in pending:  # the run failed or was stopped: do not leave its tasks running
                ray.cancel(ref, force=True)

    def _result(self, ref: Any, what: str) -> Any:
        errors = self._ray.exceptions
        try:
            return self._ray.get(ref)
        except errors.RayTaskError as err:  # the job raised: raise it here, as the local engine does
            raise err.as_instanceof_cause() from None
        except (errors.WorkerCrashedError, errors.OutOfMemoryError, errors.NodeDiedError) as err:
            # Ray ran it RETRIES more times first; without this, its own exception would end the run as a bug of ours
            why = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise TaskLost(
                f"{what} was lost on the Ray cluster, on all {RETRIES + 1} attempts ({why}); run again with"
                " --resume to keep the tasks already finished, with a smaller [run] task_mb if memory is short"
            ) from err

    def close(self) -> None:
        if self._owns_cluster and self._ray.is_initialized():
            self._ray.shutdown()


def start(workers: int | None = None, address: str | None = None) -> RayEngine:
    """Connect to the cluster at ``address``, or start a Ray instance of ``workers`` CPUs on this machine."""
    try:
        import ray
    except ImportError as err:
        raise EngineError('the ray engine needs Ray: pip install "cleaner[ray]"') from err
    import logging

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no prompt, no report home
    owns = not ray.is_initialized()
    if owns:
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
        try:
            if address:
                ray.init(address=address, **options)
            else:
                from cleaner.engine.local import default_workers

                ray.init(num_cpus=workers or default_workers(), **options)
        except (ConnectionError, RuntimeError, ValueError) as err:
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            raise EngineError(f"cannot start {where}: {err} (is `ray start --head` running there?)") from err
    cpus = int(ray.cluster_resources().get("CPU", 1))
    return RayEngine(ray, workers=min(workers, cpus) if workers else cpus, owns_cluster=owns)
