"""[run] max_document_bytes and max_file_bytes: from the config to every reader, and the rejects they make."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cleaner import config as config_module
from cleaner.config import ConfigError
from cleaner.document import Document, Pending, Reject
from cleaner.readers import InputFile, discover, read_file
from cleaner.readers.limits import MAX_DOCUMENT_BYTES, MAX_FILE_BYTES, Limits, describe
from cleaner.runner import output_dir, run
from cleaner.tasks import slices
from tests.conftest import ARTICLE, ARTICLE_DE, PAGE_HTML, read_table
from tests.readers.test_readers import write_warc

SMALL = Limits(document_bytes=2_000)


def read(path: Path, limits: Limits) -> list[Document | Reject | Pending]:
    file = InputFile(path=str(path), rel=path.name, size=path.stat().st_size)
    return [r.resolve() if isinstance(r, Pending) else r for r in read_file(file, limits=limits)]


def reasons(records: list) -> list[str]:
    return [r.reason if isinstance(r, Reject) else "kept" for r in records]


def test_the_run_section_holds_the_limits_and_checks_them():
    config = config_module.parse({"run": {"max_document_bytes": 1_000_000, "max_file_bytes": 0}})
    assert config.run.limits() == Limits(document_bytes=1_000_000, file_bytes=0)
    assert config_module.parse({}).run.limits() == Limits(MAX_DOCUMENT_BYTES, MAX_FILE_BYTES)
    for bad in ({"max_document_bytes": 0}, {"max_file_bytes": -1}):
        with pytest.raises(ConfigError, match="max_document_bytes must be"):
            config_module.parse({"run": bad})
    with pytest.raises(ConfigError, match="expected int"):
        config_module.parse({"run": {"max_document_bytes": "8 MB"}})


def test_the_limits_change_the_fingerprint_the_workers_do_not():
    base = config_module.parse({"run": {"workers": 1}})
    assert base.fingerprint() == config_module.parse({"run": {"workers": 4, "task_mb": 2}}).fingerprint()
    assert base.fingerprint() != config_module.parse({"run": {"max_document_bytes": 1 << 20}}).fingerprint()
    assert base.fingerprint() != config_module.parse({"run": {"max_file_bytes": 1 << 30}}).fingerprint()


def test_every_reader_rejects_a_document_over_the_limit_and_reads_on(tmp_path: Path):
    big = "word " * 1_000  # 5,000 bytes
    (tmp_path / "big.txt").write_text(big, encoding="utf-8")
    (tmp_path / "page.html").write_text(PAGE_HTML.replace("</article>", f"<p>{big}</p></article>"), encoding="utf-8")
    lines = [json.dumps({"text": ARTICLE}), json.dumps({"text": big}), json.dumps({"text": ARTICLE_DE})]
    (tmp_path / "lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "lines.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    pq.write_table(pa.table({"text": [ARTICLE, big, ARTICLE_DE]}), tmp_path / "rows.parquet")
    (tmp_path / "rows.parquet.gz").write_bytes(gzip.compress((tmp_path / "rows.parquet").read_bytes()))
    write_warc(
        tmp_path / "crawl.warc",
        [
            ("https://a.example/1", "text/html", PAGE_HTML.encode()),
            ("https://a.example/2", "text/html", PAGE_HTML.replace("</article>", f"<p>{big}</p></article>").encode()),
            ("https://a.example/3", "text/html", PAGE_HTML.encode()),
        ],
    )
    for name in ("big.txt", "page.html"):
        [reject] = read(tmp_path / name, SMALL)
        assert reject.reason == "read.too_large" and name in reject.detail and "max_document_bytes" in reject.detail
        assert reject.detail.startswith(f"{name}: ") and "2,000 bytes" in reject.detail
    for name in ("lines.jsonl", "lines.jsonl.gz", "rows.parquet", "rows.parquet.gz", "crawl.warc"):
        records = read(tmp_path / name, SMALL)
        assert reasons(records) == ["kept", "read.too_large", "kept"], name
        assert records[1].source == f"{name}#1"
        assert records[2].source == f"{name}#2"
    # the default limit takes them all
    assert all(isinstance(r, Document) for r in read(tmp_path / "crawl.warc", Limits()))


def test_a_large_json_list_is_read_one_item_at_a_time(tmp_path: Path):
    items = [{"text": f"{ARTICLE} ({n})", "n": n} for n in range(40)]
    items[7] = {"text": "x" * 3_000}
    (tmp_path / "list.json").write_text(json.dumps(items, indent=1), encoding="utf-8")
    records = read(tmp_path / "list.json", SMALL)  # the file is ~20 KB: ten times the limit
    assert len(records) == 40
    assert reasons(records)[7] == "read.too_large"
    assert [r.metadata["extra"]["n"] for r in records if isinstance(r, Document)] == [n for n in range(40) if n != 7]
    # one object larger than a document, written over many lines: one reject, not one per line
    (tmp_path / "one.json").write_text(json.dumps({"text": "x " * 2_000, "n": 1}, indent=1), encoding="utf-8")
    assert reasons(read(tmp_path / "one.json", SMALL)) == ["read.too_large"]
    # a small file is one value, as before; JSON Lines named .json are JSON Lines
    (tmp_path / "lines.json").write_text("\n".join(json.dumps(i) for i in items[:3]) + "\n", encoding="utf-8")
    assert len(read(tmp_path / "lines.json", Limits())) == 3


def test_the_file_limit_keeps_the_records_before_and_rejects_the_rest(tmp_path: Path):
    lines = "".join(json.dumps({"text": f"{ARTICLE} {n}"}) + "\n" for n in range(100))
    (tmp_path / "many.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    cap = len(lines) // 2
    records = read(tmp_path / "many.jsonl.gz", Limits(file_bytes=cap))
    kept = [r for r in records if isinstance(r, Document)]
    assert len(kept) == lines[:cap].count("\n")  # every whole line within the limit, and nothing of the next
    assert [r.source for r in kept] == [f"many.jsonl.gz#{n}" for n in range(len(kept))]
    [stop] = [r for r in records if isinstance(r, Reject)]
    assert stop.reason == "read.file_too_large" and stop.source == "many.jsonl.gz"
    assert "max_file_bytes" in stop.detail and "records before are kept" in stop.detail
    assert records[-1] is stop


def test_the_run_threads_its_limits_to_files_and_to_slices_of_large_files(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    big = "word " * 1_000
    (raw / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (raw / "b.txt").write_text(big, encoding="utf-8")
    lines = [json.dumps({"text": big if n % 50 == 0 else f"{ARTICLE} {n}"}) for n in range(300)]
    (raw / "shard.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = config_module.parse(
        {"pipeline": ["whitespace"], "run": {"max_document_bytes": 2_000, "task_mb": 0.05, "task_files": 1}}
    )
    summary = run(raw, tmp_path / "out", config, workers=2)
    rejects = read_table(output_dir(tmp_path / "out", config) / "rejects")
    assert sorted(r["source"] for r in rejects) == sorted(["b.txt", *(f"shard.jsonl#{n}" for n in range(0, 300, 50))])
    assert {r["reason"] for r in rejects} == {"read.too_large"}
    assert summary.read == 302 and summary.kept == 295
    # the shard was read in slices, in the main process: with the run's limit there too
    shard = InputFile(str(raw / "shard.jsonl"), "shard.jsonl", (raw / "shard.jsonl").stat().st_size)
    cut = list(slices(shard, 50_000, config.run.limits()))
    assert len(cut) > 1
    assert sum(isinstance(r, Reject) for s in cut for r in s.records) == 6


def test_describe_sizes():
    assert describe(8 << 20) == "8 MiB"
    assert describe(64 << 30) == "64 GiB"
    assert describe(1536) == "1,536 bytes"
    assert describe(100) == "100 bytes"


def test_a_discovered_corpus_reads_the_same_with_the_default_limits(tmp_path: Path):
    """The defaults are far above real documents: nothing of an ordinary corpus is rejected for its size."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": ARTICLE_DE}) + "\n", encoding="utf-8")
    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": [ARTICLE]}), buffer)
    (tmp_path / "c.parquet").write_bytes(buffer.getvalue())
    files, _ = discover(tmp_path)
    assert all(isinstance(r, Document) for f in files for r in read_file(f))
