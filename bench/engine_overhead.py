"""What the local engine's own machinery costs per task: CPU of the parent and of the workers around a job that
does nothing, for the three ways of running a forked pool in task order that were weighed for it.

- ``pool``: ``multiprocessing.Pool.apply_async``, the engine until the lost-worker change (hangs when a worker dies);
- ``own``: :func:`cleaner.engine.local.run_ordered`, forked workers on a connection each, sentinels watched;
- ``futures``: ``concurrent.futures.ProcessPoolExecutor`` (fork context), which raises BrokenProcessPool on a death
  but cannot say which task it was.

Two workloads, shaped like a run's: ``files`` (2,000 tasks that each name 10 input files and return 800 document
digests, as a task of small files does) and ``slices`` (200 tasks that each carry 4 MB of records, as a slice of a
large JSON Lines file does). CPU is from getrusage (the parent with all its threads; the workers once reaped),
interleaved rounds, best and median per task. Real tasks take seconds each (4 MB of text at ~3 ms a document),
so what matters is that the overhead is a small fraction of a millisecond.

    python bench/engine_overhead.py [--rounds 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import multiprocessing
import resource
import signal
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from cleaner.engine.local import run_ordered
from cleaner.readers import InputFile

_job: Callable | None = None


def _init(job: Callable) -> None:
    global _job
    _job = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call(item):
    assert _job is not None
    return _job(item)


def pool_ordered(job: Callable, items: Iterable, workers: int) -> Iterator:
    """The engine before the change, without its meanwhile: apply_async, 2 x workers ahead."""
    gc.freeze()
    try:
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_init, initargs=(job,))
    finally:
        gc.unfreeze()
    pending: deque = deque()
    try:
        for item in items:
            pending.append(pool.apply_async(_call, (item,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def futures_ordered(job: Callable, items: Iterable, workers: int) -> Iterator:
    context = multiprocessing.get_context("fork")
    executor = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(job,))
    pending: deque = deque()
    try:
        for item in items:
            pending.append(executor.submit(_call, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _digests(item) -> list[str]:
    return [f"{n:064x}" for n in range(800)]


def _count(item) -> int:
    return len(item[1])


def files_items() -> Iterator:
    files = [InputFile(path=f"/data/raw/site/page-{i:06d}.html", rel=f"site/page-{i:06d}.html", size=40_000)
             for i in range(10)]  # fmt: skip
    return ((index, files) for index in range(2000))


def slice_items() -> Iterator:
    records = [f"{n:06d}" + "x" * 3994 for n in range(1000)]  # distinct strings: pickled whole, 4 MB a task
    return ((index, records) for index in range(200))


WORKLOADS = {"files": (_digests, files_items, 2000), "slices": (_count, slice_items, 200)}
ENGINES = {"pool": pool_ordered, "own": run_ordered, "futures": futures_ordered}


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(engine: str, workload: str, workers: int) -> tuple[float, float, float]:
    """Parent CPU, workers' CPU and wall time, in microseconds per task."""
    job, items, count = WORKLOADS[workload]
    parent, children, started = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = sum(1 for _ in ENGINES[engine](job, items(), workers))
    assert done == count
    wall = time.perf_counter() - started
    per = 1e6 / count
    return (_cpu(resource.RUSAGE_SELF) - parent) * per, (_cpu(resource.RUSAGE_CHILDREN) - children) * per, wall * per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seen: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for _ in range(args.rounds):
        for workload in WORKLOADS:
            for engine in ENGINES:  # interleaved: a busy spell of the machine falls on all of them
                seen.setdefault((workload, engine), []).append(measure(engine, workload, args.workers))
    print(f"µs per task, {args.rounds} rounds, {args.workers} workers: best / median")
    print(f"{'workload':8} {'engine':8} {'parent CPU':>16} {'workers CPU':>16} {'total CPU':>16} {'wall':>16}")
    for (workload, engine), rows in seen.items():
        cells = []
        for values in (*zip(*rows, strict=True), [p + c for p, c, _ in rows]):
            cells.append(f"{min(values):7.0f} / {statistics.median(values):6.0f}")
        parent, children, wall, total = cells
        print(f"{workload:8} {engine:8} {parent:>16} {children:>16} {total:>16} {wall:>16}")


if __name__ == "__main__":
    main()
