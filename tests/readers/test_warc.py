"""WARC archives cut short: never silent, the pages before kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zstandard

from cleaner import config as config_module
from cleaner.document import Document, Pending, Reject
from cleaner.readers import InputFile, read_file
from cleaner.runner import output_dir, run
from tests.conftest import PAGE_HTML, read_table
from tests.readers.test_readers import write_warc

PAGES = [
    ("https://news.example.org/1", "text/html", PAGE_HTML.encode()),
    ("https://news.example.org/logo.png", "image/png", b"\x89PNG" * 30),
    ("https://news.example.org/2", "text/html", PAGE_HTML.replace("budget", "plan").encode()),
]


def read(path: Path) -> list[Document | Reject]:
    file = InputFile(str(path), path.name, path.stat().st_size)
    return [r.resolve() if isinstance(r, Pending) else r for r in read_file(file)]


def record_ends(data: bytes) -> set[int]:
    """Where each record of an archive ends (in an uncompressed one, with the blank lines after it)."""
    from warcio.archiveiterator import ArchiveIterator

    ends, records = set(), ArchiveIterator(io.BytesIO(data))
    for _ in records:
        end = records.get_record_offset() + records.get_record_length()
        ends.update(range(end, end + (1 if data[:2] == b"\x1f\x8b" else 5)))  # "\r\n\r\n" closes a record
    return ends


def test_the_last_record_cut_in_half_is_a_warning_and_a_reject(tmp_path: Path):
    """The issue's row: the cut record vanished (read 1, no warning)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    write_warc(tmp_path / "whole.warc", [PAGES[0], PAGES[2]])
    data = (tmp_path / "whole.warc").read_bytes()
    (raw / "crawl.warc").write_bytes(data[: len(data) - len(PAGE_HTML) // 2])
    config = config_module.parse({"pipeline": ["whitespace"]})
    summary = run(raw, tmp_path / "out", config, workers=1)
    assert summary.read == 2 and summary.kept == 1
    assert summary.rejected == {"read.truncated": 1}
    [warning] = summary.read_errors
    assert warning.startswith("crawl.warc: ") and "cut short" in warning and "news.example.org/2" in warning
    [reject] = read_table(output_dir(tmp_path / "out", config) / "rejects")
    assert (reject["source"], reject["reason"]) == ("crawl.warc#1", "read.truncated")


@pytest.mark.parametrize("compression", ["", ".gz", ".zst"])
def test_every_cut_is_reported_and_the_pages_before_it_kept(tmp_path: Path, compression: str):
    write_warc(tmp_path / "whole.warc", PAGES)
    plain = (tmp_path / "whole.warc").read_bytes()
    if compression == ".gz":  # one gzip member per record, as crawlers write them
        write_warc(tmp_path / "whole.warc.gz", PAGES)
        data = (tmp_path / "whole.warc.gz").read_bytes()
    elif compression == ".zst":
        data = zstandard.ZstdCompressor().compress(plain)
    else:
        data = plain
    ends = record_ends(data) if compression != ".zst" else set()
    assert [r.source for r in read(tmp_path / "whole.warc")] == ["whole.warc#0", "whole.warc#1"]
    path = tmp_path / f"cut.warc{compression}"
    for cut in range(10, len(data), max(1, len(data) // 150)):
        path.write_bytes(data[:cut])
        records = read(path)
        if cut in ends:  # a cut between records leaves a shorter, whole archive
            assert all(isinstance(r, Document) for r in records) or records[-1].reason == "read.no_records"
            continue
        *before, last = records
        assert last.reason == "read.truncated", (cut, [getattr(r, "reason", "kept") for r in records])
        assert "cut.warc" in last.detail and "re-download" in last.detail
        assert all(isinstance(r, Document) for r in before), cut
        assert [r.source for r in records] == [f"{path.name}#{n}" for n in range(len(records))]


def test_a_page_over_the_limit_is_rejected_and_the_archive_read_on(tmp_path: Path):
    from cleaner.readers.limits import Limits

    write_warc(tmp_path / "crawl.warc", PAGES)
    file = InputFile(str(tmp_path / "crawl.warc"), "crawl.warc", (tmp_path / "crawl.warc").stat().st_size)
    records = list(read_file(file, limits=Limits(document_bytes=len(PAGE_HTML) - 50)))
    assert [r.reason for r in records] == ["read.too_large", "read.too_large"]
    assert [r.source for r in records] == ["crawl.warc#0", "crawl.warc#1"]
