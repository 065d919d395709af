"""The local engine on real forked workers: order, look-ahead, ``meanwhile``, and workers that die."""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import functools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.engine import TaskLost
from cleaner.engine.local import LocalEngine, run_ordered
from cleaner.readers import InputFile
from cleaner.tasks import Slice


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail the test instead of hanging it: what a lost task did to the old engine."""

    def expire(signum, frame):
        raise TimeoutError(f"still waiting after {seconds} s: the map hangs")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _children() -> set[int]:
    """This process's living children (zombies too: a child not reaped is a leak as well)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        found.update(int(pid) for pid in task.read_text().split())
    return found


def _gone(pids: set[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _mark(folder: str, item: int) -> int:
    (Path(folder) / f"started-{item}").touch()
    return 2 * item


def _wait_for(folder: Path, count: int, seen: list[int]) -> None:
    """``meanwhile``: how many items the workers had started, waiting until all of them did (or 20 s)."""
    deadline = time.monotonic() + 20
    while len(list(folder.glob("started-*"))) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    seen.append(len(list(folder.glob("started-*"))))


def _wait_for_files(folder: Path, pattern: str, count: int, seen: list[int]) -> None:
    deadline = time.monotonic() + 20
    while len(list(folder.glob(pattern))) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    seen.append(len(list(folder.glob(pattern))))


def _kill_self_on(victims: tuple, folder: str, item) -> int:
    """SIGKILL the worker running it on every item in ``victims`` (as the out-of-memory killer would), noting
    each death in ``folder``."""
    key = item[0] if isinstance(item, tuple) else item
    if key in victims:
        with open(Path(folder) / f"died-{key}", "a") as deaths:
            deaths.write(f"{os.getpid()}\n")
        os.kill(os.getpid(), signal.SIGKILL)
    return key * 10


def _die_once(victims: tuple, folder: str, item: int) -> int:
    """SIGKILL the worker running it the first time it sees an item of ``victims``."""
    flag = Path(folder) / f"died-{item}"
    if item in victims and not flag.exists():
        flag.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    (Path(folder) / f"done-{item}").touch()
    return item * 10


def _segfault_on(victim: int, item: int) -> int:
    if item == victim:
        faulthandler.disable()  # pytest's: its dump of every thread would fill the test's output
        ctypes.string_at(0)  # reads address 0: SIGSEGV, as a crash in a native library
    return item


def _fail_on(victim: int, item: int) -> int:
    if item == victim:
        raise ValueError(f"bad item {item}")
    return item


def _echo_large(item: bytes) -> bytes:
    return item[::-1] * 2


def _slow(seconds: float, item: int) -> int:
    time.sleep(seconds)
    return item


def test_meanwhile_runs_while_the_workers_work_on_every_item_of_a_list(tmp_path: Path):
    seen: list[int] = []
    meanwhile = functools.partial(_wait_for, tmp_path, 6, seen)
    results = list(run_ordered(functools.partial(_mark, str(tmp_path)), list(range(6)), 2, meanwhile))
    assert results == [0, 2, 4, 6, 8, 10]
    assert seen == [6]  # called once, with all six items handed out and done by the workers meanwhile


def test_meanwhile_is_called_once_in_one_process_and_for_no_items(tmp_path: Path):
    calls: list[str] = []
    job = functools.partial(_mark, str(tmp_path))
    assert list(run_ordered(job, [1, 2], 1, lambda: calls.append("one worker"))) == [2, 4]
    assert list(run_ordered(job, iter([]), 2, lambda: calls.append("no items"))) == []
    assert list(run_ordered(job, iter(range(9)), 2, lambda: calls.append("generator"))) == list(range(0, 18, 2))
    assert calls == ["one worker", "no items", "generator"]


def test_a_task_whose_worker_is_killed_twice_ends_the_map_at_once_and_names_it(tmp_path: Path):
    before = _children()
    job = functools.partial(_kill_self_on, (5,), str(tmp_path))
    results: list[int] = []
    started = time.monotonic()
    with within(30), pytest.raises(TaskLost) as lost:
        results.extend(run_ordered(job, iter(range(40)), 2))
    assert time.monotonic() - started < 10
    assert str(lost.value).startswith("item 5 was lost: its worker process was killed (SIGKILL) on both attempts")
    assert "--resume" in str(lost.value) and "task_mb" in str(lost.value)
    assert results == [10 * i for i in range(len(results))]  # in order, up to the loss (raised at once)
    assert len((tmp_path / "died-5").read_text().split()) == 2  # tried once more, in another worker
    assert _children() == before  # every worker gone and reaped


def test_a_task_whose_worker_dies_once_is_run_again_and_the_map_completes(tmp_path: Path):
    engine = LocalEngine(2)
    with within(30):
        results = list(engine.map_ordered(functools.partial(_die_once, (1, 3, 5, 7, 9, 11), str(tmp_path)), range(12)))
    assert results == [10 * i for i in range(12)]
    assert sorted(int(p.name.split("-")[1]) for p in tmp_path.glob("died-*")) == [1, 3, 5, 7, 9, 11]
    # each retry is told, for the run's warnings
    expected = [f"item {i} was run again: its worker process was killed (SIGKILL)" for i in (1, 3, 5, 7, 9, 11)]
    assert sorted(engine.retried) == sorted(expected)


def test_a_worker_dying_while_this_process_works_meanwhile(tmp_path: Path):
    """During ``meanwhile`` a thread feeds the workers; a task whose worker died is run again there by the other
    worker, and the one lost on both attempts is raised once ``meanwhile`` returns."""
    done: list[int] = []
    meanwhile = functools.partial(_wait_for_files, tmp_path, "done-*", 6, done)
    with within(30):
        results = list(run_ordered(functools.partial(_die_once, (1,), str(tmp_path)), list(range(6)), 2, meanwhile))
    assert results == [0, 10, 20, 30, 40, 50]
    assert done == [6] and (tmp_path / "died-1").exists()  # item 1 run again (by the other worker) meanwhile
    lost = tmp_path / "lost"
    lost.mkdir()
    with within(30), pytest.raises(TaskLost, match=r"^item 2 was lost"):
        list(run_ordered(functools.partial(_kill_self_on, (2,), str(lost)), list(range(6)), 2, lambda: time.sleep(1)))
    assert len((lost / "died-2").read_text().split()) == 2


def test_a_lost_task_of_a_run_names_its_input_files_or_records(tmp_path: Path):
    files = [InputFile(path=f"/raw/{name}", rel=name, size=10) for name in ("a.txt", "b.txt", "c.txt")]
    big = InputFile(path="/raw/big.jsonl", rel="big.jsonl", size=10)
    records = Slice(big, [Document(id=str(i), text="text", source=f"big.jsonl#{i}") for i in range(3)], 10)
    job = functools.partial(_kill_self_on, (1,), str(tmp_path))
    with within(30), pytest.raises(TaskLost, match=r"^task 1 \(3 input files: a.txt to c.txt\) was lost"):
        list(run_ordered(job, [(0, files[:1]), (1, files), (2, records)], 2))
    job = functools.partial(_kill_self_on, (2,), str(tmp_path))
    with (
        within(30),
        pytest.raises(TaskLost, match=r"^task 2 \(3 records of big.jsonl: big.jsonl#0 to big.jsonl#2\) was"),
    ):
        list(run_ordered(job, [(0, files[:1]), (2, records)], 2))


def test_a_crash_in_native_code_is_reported_as_one(tmp_path: Path):
    with within(30), pytest.raises(TaskLost, match=r"^item 3 was lost: its worker process crashed \(SIGSEGV"):
        list(run_ordered(functools.partial(_segfault_on, 3), range(8), 2))


def test_an_error_in_a_job_is_raised_as_itself_in_its_turn():
    results: list[int] = []
    with within(30), pytest.raises(ValueError, match="bad item 4") as raised:
        results.extend(run_ordered(functools.partial(_fail_on, 4), iter(range(10)), 2))
    assert results == [0, 1, 2, 3]
    assert "_fail_on" in str(raised.value.__cause__)  # the worker's traceback comes with it


def test_items_and_results_larger_than_a_pipe_buffer_travel_whole():
    items = [bytes([i]) * (3 << 20) for i in range(6)]
    with within(60):
        assert list(run_ordered(_echo_large, items, 2)) == [item[::-1] * 2 for item in items]


def test_ctrl_c_in_the_parent_stops_every_worker(tmp_path: Path):
    """Workers ignore SIGINT (the terminal sends it to the whole process group); the parent tears them down."""
    before = _children()

    def interrupt() -> None:
        workers = _children() - before
        assert len(workers) == 2
        for pid in workers:
            os.kill(pid, signal.SIGINT)
        time.sleep(0.3)
        assert all(Path(f"/proc/{pid}").exists() for pid in workers)  # they took no notice
        raise KeyboardInterrupt

    with within(30), pytest.raises(KeyboardInterrupt):
        list(run_ordered(functools.partial(_slow, 0.2), list(range(8)), 2, interrupt))
    assert _children() == before


def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path: Path):
    script = (
        "import functools, sys\n"
        "from cleaner.engine.local import LocalEngine, run_ordered\n"
        "from tests.engine.test_local import _mark\n"
        "list(run_ordered(functools.partial(_mark, sys.argv[1]), iter(range(10_000)), 2))\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)])
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = {int(pid) for task in Path(f"/proc/{parent.pid}/task").glob("*/children") for pid in
                   task.read_text().split()}  # fmt: skip
        time.sleep(0.05)
    assert len(workers) == 2
    parent.kill()
    parent.wait(timeout=30)
    assert _gone(workers)  # PR_SET_PDEATHSIG: no orphan goes on working


def _start_run(root: Path, out: str) -> subprocess.Popen:
    """``cleaner run`` of the corpus below ``root`` on 2 workers, once it has finished 4 tasks (it has 20)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cleaner", "run", "big", "--out", out, "--workers", "2", "--no-validate"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    progress = root / out / "cleaner-corpus" / ".progress-build" / "_progress"
    deadline = time.monotonic() + 120
    while len(list(progress.glob("task-*.json"))) < 4:
        assert time.monotonic() < deadline and process.poll() is None, "the run never got going"
        time.sleep(0.02)
    return process


def _workers_of(pid: int) -> set[int]:
    return {int(child) for task in Path(f"/proc/{pid}/task").glob("*/children") for child in task.read_text().split()}


def _kill(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_a_run_whose_workers_are_killed_exits_2_and_resumes_to_the_same_bytes(tmp_path: Path):
    """The real thing: SIGKILL the workers of a `cleaner run` (as the out-of-memory killer does). Killed once, the
    task runs again and the run completes; killed again and again, the run stops with exit 2 and a one-line
    message instead of hanging, and --resume then finishes it with the bytes of an uninterrupted run."""
    from tests.conftest import parquet_bytes
    from tests.test_runner import big_corpus, cli

    big_corpus(tmp_path, files=200)
    (tmp_path / "cleaner.toml").write_text("[run]\ntask_files = 10\n", encoding="utf-8")
    assert cli("run", "big", "--out", "whole", "--no-validate", cwd=tmp_path).returncode == 0
    build = Path("cleaner-corpus") / "build"
    whole = parquet_bytes(tmp_path / "whole" / build)

    once = _start_run(tmp_path, "once")
    _kill(set(sorted(_workers_of(once.pid))[:1]))
    assert once.wait(timeout=120) == 0, once.stderr.read() if once.stderr else ""
    assert parquet_bytes(tmp_path / "once" / build) == whole

    again = _start_run(tmp_path, "out")
    deadline = time.monotonic() + 120
    while again.poll() is None and time.monotonic() < deadline:
        _kill(_workers_of(again.pid))  # every worker, as soon as it is forked: a task dies on both attempts
        time.sleep(0.01)
    stderr = again.communicate(timeout=30)[1]
    assert again.returncode == 2, stderr
    assert re.fullmatch(
        r"error: task \d+ \(10 input files: page-\d{4}\.html to page-\d{4}\.html\) was lost: its worker process was "
        r"killed \(SIGKILL\) on both attempts, .*; run again with --resume to keep the tasks already finished, .*\n",
        stderr,
    ), stderr
    resumed = cli("run", "big", "--out", "out", "--resume", "--no-validate", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert int(re.search(r"resuming: (\d+) finished tasks kept", resumed.stderr).group(1)) >= 4
    assert parquet_bytes(tmp_path / "out" / build) == whole
