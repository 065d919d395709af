"""The issue's memory rows, through a real `cleaner run` with 2 workers: rejected, in bounded memory.

A 60 MB single-line text made a 2.8 GB process tree, a gzip bomb 13.1 GB, a 1 GB file of zeros 2.2 GB. The inputs are
built streaming (the bombs never exist uncompressed; the zeros are a sparse file) and the run's whole process tree
is sampled from /proc (bench/measure.py). The pipeline is the spine: what is measured is reading, which happens
before any step."""

from __future__ import annotations

import json
import os
import sys
import zlib
from pathlib import Path

import zstandard

from bench.measure import measure
from tests.conftest import ARTICLE

MB = 1 << 20


def compressed(path: Path, chunk: bytes, count: int) -> None:
    """``chunk`` ``count`` times, compressed as written: one gzip member or one zstd frame."""
    gz = path.suffix == ".gz"
    packer = zlib.compressobj(1, zlib.DEFLATED, 31) if gz else zstandard.ZstdCompressor(level=1).compressobj()
    with path.open("wb") as out:
        for _ in range(count):
            out.write(packer.compress(chunk))
        out.write(packer.flush())


def test_huge_documents_and_bombs_are_rejected_in_bounded_memory(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "article.txt").write_text(ARTICLE, encoding="utf-8")
    with (raw / "line.txt").open("wb") as out:  # 60 MB, one line
        for _ in range(60):
            out.write(b"word " * (MB // 5))
    compressed(raw / "bomb.txt.gz", b"a " * (MB // 2), 500)  # 'a ' x 250 M: 500 MB of text
    compressed(raw / "bomb.txt.zst", b"a " * (MB // 2), 500)
    compressed(raw / "bomb.jsonl.zst", b"a " * (MB // 2), 500)  # one endless line of JSON Lines
    with (raw / "zeros.txt").open("wb") as out:
        out.truncate(1 << 30)  # 1 GiB of zeros, sparse
    assert sum(p.stat().st_size for p in raw.iterdir() if p.name != "zeros.txt") < 70 * MB
    (tmp_path / "cleaner.toml").write_text('pipeline = ["whitespace", "length"]\n', encoding="utf-8")
    command = [sys.executable, "-m", "cleaner", "run", "raw", "--out", "out", "--workers", "2", "--no-validate"]
    result = measure(command, cwd=tmp_path, env={**os.environ}, check=False)
    assert result.returncode == 0
    run = json.loads((tmp_path / "out" / "cleaner-corpus" / "build" / "run.json").read_text())
    assert run["counts"]["read"] == 6 and run["counts"]["kept"] == 1
    assert run["counts"]["rejected_by_reason"] == {"read.too_large": 5}
    assert result.peak_rss_mb < 1000, f"peak RSS of the run's process tree: {result.peak_rss_mb:.0f} MB"
    print(f"peak {result.peak_rss_mb:.0f} MB in {result.seconds:.1f} s")
