"""The local engine: tasks on this machine's cores, results in task order.

Workers are forked, so the configured pipeline (and whatever data its steps loaded) is shared copy-on-write
instead of being pickled to each worker. Results come back in task order whatever finishes first, which keeps
progress and summaries deterministic. Workers ignore Ctrl-C: the parent decides, and tears them down.

The pool is a few forked processes of our own, each on its own connection, not ``multiprocessing.Pool``: a Pool
worker that dies (the kernel's out-of-memory killer, a SIGKILL, a crash in a native library) is replaced, but its
task dies with it and the Pool waits for that task's result forever, so the run hangs. Here the parent knows which
task each worker holds and watches each worker's exit (its sentinel). A task whose worker dies is run once more
in a fresh worker, which gets past a passing shortage of memory or a stray kill; when that worker dies too, the
map ends at once with :class:`~cleaner.engine.TaskLost`, naming the task and what to do. (``concurrent.futures``'
process pool does notice a death, but cannot say which task caused it and fails every task in flight.)
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from multiprocessing import connection
from multiprocessing.pool import RemoteTraceback
from typing import Any, TypeVar

from cleaner.engine import EngineError, TaskLost, describe

T = TypeVar("T")
R = TypeVar("R")

# How many more times a task runs after its worker died on it. Once: most deaths on one machine are the kernel's
# out-of-memory killer or a crash on the task's input, and both tend to come back, but a second attempt costs one
# task's time (seconds) and gets past a memory peak of another program or a stray kill.
RETRIES = 1
# The signals a worker handles its own way (SIGINT ignored, SIGTERM fatal), blocked while it is forked.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}

_END = object()


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the parent dies, even by SIGKILL: orphaned workers would go on
    burning cores and writing into a staging folder that the next run is about to remove."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's cleanup has to do
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _serve(conn: connection.Connection, job: Callable[[Any], Any], parent: int) -> None:
    """A worker's life: take an item, send back ``(True, result)`` or ``(False, exception, traceback)``, until the
    parent closes the connection."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked by the parent through the fork
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        try:
            reply: tuple = (True, job(item))
        except Exception as err:
            reply = (False, err, traceback.format_exc())
        try:
            conn.send(reply)
        except Exception as err:  # a result (or an exception) that cannot be pickled: pickled whole before sending
            conn.send((False, EngineError(f"the result of {describe(item)} cannot be sent back: {err!r}"), ""))


class _Worker:
    def __init__(self, process: Any, conn: connection.Connection) -> None:
        self.process = process
        self.conn = conn
        self.task: tuple[int, Any, int] | None = None  # (index, item, attempts before this one) it is working on


class _Pool:
    """Forked workers fed one item at a time from a backlog; replies by item index."""

    def __init__(self, job: Callable[[Any], Any], size: int, on_retry: Callable[[str], None] | None = None) -> None:
        self._job = job
        self._on_retry = on_retry
        self._context = multiprocessing.get_context("fork")
        self.size = size
        self.workers: list[_Worker] = []
        self.backlog: deque[tuple[int, Any, int]] = deque()
        self.replies: dict[int, tuple] = {}
        self.lost: TaskLost | None = None
        try:
            self._spawn()
        except BaseException:  # a fork refused (out of memory, too many processes): none of them may stay
            self.terminate()
            raise

    def _spawn(self) -> None:
        """Fork workers up to the pool's size (forks happen only in the thread that runs the map)."""
        # Objects loaded before the fork (models, word lists, rules) are shared copy-on-write, but a garbage
        # collection in a worker writes to every object it scans, and the page of each is copied: each worker
        # would end up with its own copy of everything (270 MB each on the default pipeline, instead of ~40 MB).
        # Frozen, they stay out of the workers' collections; the parent unfreezes its own at once, unless its
        # caller froze them first for as long as it needs (cleaner.jobs.remember).
        frozen_already = gc.get_freeze_count() > 0
        gc.freeze()
        # A Ctrl-C or a SIGTERM that reaches a worker before it sets its own handlers would run the parent's (the
        # runner's SIGTERM handler raises, with a traceback): the signals wait, blocked, until the worker is ready.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            while len(self.workers) < self.size:
                ours, theirs = self._context.Pipe()
                process = self._context.Process(target=_serve, args=(theirs, self._job, os.getpid()), daemon=True)
                process.start()
                theirs.close()
                self.workers.append(_Worker(process, ours))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            if not frozen_already:
                gc.unfreeze()

    def submit(self, index: int, item: Any) -> None:
        self.backlog.append((index, item, 0))
        self.dispatch()

    def dispatch(self, spawn: bool = True) -> None:
        """Hand the backlog's first items to idle workers (after forking replacements for dead ones, if allowed).
        An idle worker is waiting for its next item, so sending one does not block on a busy worker."""
        if spawn and self.backlog and len(self.workers) < self.size:
            self._spawn()
        for worker in self.workers:
            if not self.backlog:
                return
            if worker.task is None:
                task = self.backlog.popleft()
                try:
                    worker.conn.send(task[1])
                except OSError:  # it has just died: its sentinel will say so
                    self.backlog.appendleft(task)
                    continue
                worker.task = task

    def wait(self, stop: connection.Connection | None = None) -> None:
        """Wait until a worker replies or dies (or ``stop`` is signalled), and take that in."""
        busy = {w.conn: w for w in self.workers if w.task is not None}
        exits = {w.process.sentinel: w for w in self.workers}
        ready = connection.wait([*busy, *exits, *([stop] if stop else [])])
        for conn in ready:
            if conn in busy:
                self._receive(busy[conn])
        for sentinel in ready:
            if isinstance(sentinel, int) and sentinel in exits:
                self._bury(exits[sentinel])

    def _receive(self, worker: _Worker) -> None:
        try:
            reply = worker.conn.recv()
        except (EOFError, OSError):  # it died: its sentinel says so, and _bury settles its task
            return
        assert worker.task is not None
        self.replies[worker.task[0]] = reply
        worker.task = None

    def _bury(self, worker: _Worker) -> None:
        """A worker has exited: its task (unless it replied first) goes back to the backlog, or is lost."""
        if worker.task is not None and worker.conn.poll():
            self._receive(worker)
        worker.process.join()
        worker.conn.close()
        self.workers.remove(worker)
        if worker.task is None:
            return
        index, item, attempts = worker.task
        if attempts < RETRIES:
            self.backlog.appendleft((index, item, attempts + 1))
            if self._on_retry is not None:
                self._on_retry(_retried(item, worker.process.exitcode))
        elif self.lost is None:
            self.lost = TaskLost(_lost(item, worker.process.exitcode, attempts + 1))

    def result(self, index: int) -> Any:
        """The result of item ``index``, raised as the job's exception if it raised one."""
        while index not in self.replies:
            if self.lost is not None:
                raise self.lost
            self.dispatch()
            self.wait()
        reply = self.replies.pop(index)
        if reply[0]:
            return reply[1]
        raise reply[1] from (RemoteTraceback(reply[2]) if reply[2] else None)

    def pump_while(self, meanwhile: Callable[[], None]) -> None:
        """Call ``meanwhile`` in this thread while another keeps the workers fed from the backlog and takes their
        replies in. The two never touch the pool at the same time: this thread is in ``meanwhile`` throughout,
        and a worker that dies meanwhile is replaced only afterwards (no fork while two threads run)."""
        stop_reader, stop_writer = connection.Pipe(duplex=False)
        failed: list[BaseException] = []

        def pump() -> None:
            try:
                while self.lost is None and (self.backlog or any(w.task is not None for w in self.workers)):
                    self.dispatch(spawn=False)
                    self.wait(stop_reader)
                    if stop_reader.poll():
                        return
            except BaseException as err:  # raised in the map's thread once meanwhile is done
                failed.append(err)

        thread = threading.Thread(target=pump, name="cleaner-local-engine", daemon=True)
        thread.start()
        try:
            meanwhile()
        finally:
            stop_writer.send_bytes(b"stop")
            thread.join()
            stop_reader.close()
            stop_writer.close()
        if failed:
            raise failed[0]

    def terminate(self) -> None:
        """Stop every worker at once (SIGTERM, SIGKILL if that is ignored) and reap it: no orphan, no zombie."""
        workers, self.workers = list(self.workers), []
        for worker in workers:
            if worker.process.exitcode is None:
                worker.process.terminate()
        for worker in workers:
            worker.process.join(5)
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()
            worker.conn.close()


def _retried(item: Any, exitcode: int | None) -> str:
    """The one-line message of a task run again because its worker died on it."""
    return f"{describe(item)} was run again: its worker process {_death(exitcode)}"


def _lost(item: Any, exitcode: int | None, attempts: int) -> str:
    """The one-line message of a task whose worker died on every attempt."""
    tries = "on both attempts" if attempts == 2 else "" if attempts == 1 else f"on all {attempts} attempts"
    resume = "run again with --resume to keep the tasks already finished"
    if exitcode == -signal.SIGKILL:
        return (
            f"{describe(item)} was lost: its worker process {_death(exitcode)} {tries}, as the system does when"
            f" memory runs out; {resume}, with fewer --workers or a smaller [run] task_mb if memory is short"
        )
    return f"{describe(item)} was lost: its worker process {_death(exitcode)} {tries}; {resume}"


def _death(exitcode: int | None) -> str:
    """How a worker process ended, in words (a signal other than SIGKILL is a crash, most often native)."""
    if exitcode is None or exitcode >= 0:
        return f"exited with code {exitcode}"
    if exitcode == -signal.SIGKILL:
        return "was killed (SIGKILL)"
    name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else f"signal {-exitcode}"
    return f"crashed ({name}, most likely in a native library)"


def run_ordered(
    job: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    meanwhile: Callable[[], None] | None = None,
    on_retry: Callable[[str], None] | None = None,
) -> Iterator[R]:
    """``job(item)`` for every item, in order, on up to ``workers`` processes (in this process when 1).

    ``items`` may be a generator that reads as it goes (slices of a large file): it is drawn only as workers
    free up, at most ``2 * workers`` items ahead of the results, so what waits in memory stays bounded.
    ``meanwhile`` is called once the workers have their first items (all of them when ``items`` is a list),
    before the first result is awaited: this process works while they do. A job's exception is raised when its
    item's turn comes; a task whose worker died is run again (``on_retry`` is told why), and one whose worker died
    twice raises :class:`~cleaner.engine.TaskLost` at once."""
    if isinstance(items, Sized):
        workers = min(workers, len(items))
    workers = max(1, workers)
    if workers == 1:
        if meanwhile is not None:
            meanwhile()
        for item in items:
            yield job(item)
        return
    ahead = len(items) if meanwhile is not None and isinstance(items, Sized) else 2 * workers
    pool = _Pool(job, workers, on_retry)
    try:
        source = iter(items)
        drawn = returned = 0
        exhausted = False
        while True:
            while not exhausted and drawn - returned < ahead:
                item = next(source, _END)
                if item is _END:
                    exhausted = True
                else:
                    pool.submit(drawn, item)
                    drawn += 1
            if meanwhile is not None:
                pool.pump_while(meanwhile)
                meanwhile, ahead = None, 2 * workers
            if returned == drawn:
                return
            result = pool.result(returned)
            returned += 1
            yield result
    finally:
        pool.terminate()


class LocalEngine:
    """The :class:`~cleaner.engine.Engine` of one machine: a forked pool per map (see :func:`run_ordered`)."""

    name = "local"

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self.retried: list[str] = []

    def map_ordered(
        self, job: Callable[[T], R], items: Iterable[T], meanwhile: Callable[[], None] | None = None
    ) -> Iterator[R]:
        return run_ordered(job, items, self.workers, meanwhile, self.retried.append)

    def close(self) -> None:
        """Nothing to release: each map's pool is torn down when the map ends."""


def start(workers: int | None = None, address: str | None = None) -> LocalEngine:
    if address:
        raise EngineError("--ray-address is for --engine ray; the local engine runs on this machine")
    return LocalEngine(workers or default_workers())
