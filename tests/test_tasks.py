from __future__ import annotations

import gzip
import json
import pickle
from pathlib import Path

from cleaner.document import Pending
from cleaner.engine.local import run_ordered
from cleaner.readers import InputFile, discover, read_file
from cleaner.tasks import LargeFile, Slice, files_of, plan_tasks, slices, tasks
from tests.conftest import ARTICLE, ARTICLE_DE, PAGE_HTML
from tests.readers.test_readers import write_warc


def write_jsonl(path: Path, records: int, compress: bool = False) -> Path:
    lines = "\n".join(json.dumps({"id": i, "text": f"{ARTICLE}\n\nRecord {i}."}) for i in range(records)) + "\n"
    path.write_bytes(gzip.compress(lines.encode()) if compress else lines.encode())
    return path


def input_file(path: Path) -> InputFile:
    return InputFile(path=str(path), rel=path.name, size=path.stat().st_size)


def test_a_large_file_of_records_is_planned_alone_and_a_large_text_file_stays_whole(tmp_path: Path):
    write_jsonl(tmp_path / "b-shard.jsonl", 200)
    write_warc(tmp_path / "e-crawl.warc", [("https://a.example/", "text/html", PAGE_HTML.encode() * 40)])
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "c-long.txt").write_text(ARTICLE * 200, encoding="utf-8")  # one document, however long
    (tmp_path / "d.txt").write_text(ARTICLE_DE, encoding="utf-8")
    files, _ = discover(tmp_path)
    plan, task_bytes = plan_tasks(files, max_bytes=20_000, max_files=10, min_tasks=1)
    assert task_bytes == 20_000
    names = [files_of(planned)[0].rel for planned in plan]
    assert names == ["a.txt", "b-shard.jsonl", "c-long.txt", "d.txt", "e-crawl.warc"]
    assert isinstance(plan[1], LargeFile) and isinstance(plan[4], LargeFile)
    assert [type(planned) for planned in (plan[0], plan[2], plan[3])] == [list, list, list]


def test_compressed_files_are_planned_by_the_text_they_hold(tmp_path: Path):
    path = write_jsonl(tmp_path / "shard.jsonl.gz", 300, compress=True)
    size = path.stat().st_size
    plan, _ = plan_tasks([input_file(path)], max_bytes=size * 2, max_files=10, min_tasks=1)
    assert isinstance(plan[0], LargeFile)  # small on disk, several times larger once decompressed


def test_slices_hold_every_record_in_order_and_the_last_one_the_digest(tmp_path: Path):
    file = input_file(write_jsonl(tmp_path / "shard.jsonl", 120))
    whole = list(read_file(file))
    cut = list(slices(file, max_bytes=5_000))
    assert len(cut) > 5
    assert [r.id for s in cut for r in s.records] == [r.id for r in whole]
    assert all(sum(len(r.text) + 1 for r in s.records[:-1]) < 5_000 for s in cut)
    assert [s.digest is not None for s in cut] == [False] * (len(cut) - 1) + [True]
    assert sum(s.bytes_in for s in cut) == file.size
    assert all(s.bytes_in >= 0 for s in cut)


def test_warc_pages_are_extracted_by_whoever_cleans_them_not_by_the_main_process(tmp_path: Path):
    pages = [
        (f"https://news.example.org/{i}", "text/html", PAGE_HTML.replace("Tuesday", f"day {i}").encode())
        for i in range(12)
    ]
    write_warc(tmp_path / "crawl.warc.gz", pages)
    file = input_file(tmp_path / "crawl.warc.gz")
    cut = list(slices(file, max_bytes=3 * len(PAGE_HTML)))
    assert len(cut) > 2
    pending = [record for s in cut for record in s.records]
    assert all(isinstance(record, Pending) for record in pending)  # slicing read the archive, extracted nothing
    made = [pickle.loads(pickle.dumps(record)).resolve() for record in pending]  # as a worker receives them
    assert [(d.id, d.text, d.metadata) for d in made] == [(d.id, d.text, d.metadata) for d in read_file(file)]
    assert "approved the new budget on day 7" in made[7].text


def test_a_plan_becomes_tasks_in_order(tmp_path: Path):
    write_jsonl(tmp_path / "b.jsonl", 60)
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    files, _ = discover(tmp_path)
    plan, task_bytes = plan_tasks(files, max_bytes=4_000, max_files=10, min_tasks=1)
    made = list(tasks(plan, task_bytes))
    assert made[0] == [files[0]]
    assert all(isinstance(task, Slice) and task.file.rel == "b.jsonl" for task in made[1:])
    assert sum(len(task.records) for task in made[1:]) == 60


def test_run_ordered_draws_a_generator_only_as_workers_free_up():
    drawn: list[int] = []

    def items():
        for i in range(40):
            drawn.append(i)
            yield i

    ahead = []
    for done, result in enumerate(run_ordered(_square, items(), workers=2), 1):
        assert result == (done - 1) ** 2
        ahead.append(len(drawn) - done)
    assert max(ahead) <= 4  # never more than 2 x workers waiting: a large file is not read into memory at once


def _square(x: int) -> int:
    return x * x
