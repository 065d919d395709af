import functools
import time
from pathlib import Path

from cleaner.engine.local import run_ordered


def _mark(folder: str, item: int) -> int:
    (Path(folder) / f"started-{item}").touch()
    return 2 * item


def _wait_for(folder: Path, count: int, seen: list[int]) -> None:
    """``meanwhile``: how many items the workers had started, waiting until all of them did (or 20 s)."""
    deadline = time.monotonic() + 20
    while len(list(folder.glob("started-*"))) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    seen.append(len(list(folder.glob("started-*"))))


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
