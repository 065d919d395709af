"""The two baselines `cleaner run` is measured against (bench/throughput.py), and a ceiling.

    python bench/baselines.py copy RAW OUT.parquet      # (a) read every file, write one Parquet file, 1 process
    python bench/baselines.py simple RAW OUT.parquet    # (b) ftfy + langdetect + a regex line filter, 2 processes
    python bench/baselines.py split RAW OUT.parquet [N] # (a)'s work split over N (2) processes: a ceiling, see split()

(b) is the straightforward script a corpus builder would write first: ``ftfy.fix_text`` on every document,
langdetect on its first 1,000 characters, a regular expression that drops obvious boilerplate lines.
"""

from __future__ import annotations

import re
import sys
from multiprocessing import Pool
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

BOILERPLATE = re.compile(
    r"^(share|follow us|subscribe|cookie|read more|all rights reserved|copyright|home\b|menu|login|sign in)",
    re.IGNORECASE,
)


def files(raw: Path) -> list[Path]:
    return sorted(p for p in raw.rglob("*.txt") if p.is_file())


def copy(raw: Path, out: Path) -> None:
    _copy_part(raw, files(raw), out)


def split(raw: Path, out: Path, workers: int = 2) -> None:
    """(a)'s work dealt over ``workers`` processes: each reads a consecutive share of the files and writes its own
    Parquet file (``OUT-0.parquet`` …).

    Not a baseline but a bound (bench/throughput.py prints it, against no target). Any pipeline that reads the files
    and writes them to Parquet does at least this work, so on as many processes it beats this run only if it reads
    and writes more cheaply than these few lines of pyarrow do: this run over (a) is the most such a pipeline can
    gain from its processes on this machine."""
    paths = files(raw)
    share = -(-len(paths) // workers)
    parts = [
        (raw, paths[k * share : (k + 1) * share], out.with_name(f"{out.stem}-{k}{out.suffix}")) for k in range(workers)
    ]
    with Pool(workers) as pool:
        pool.starmap(_copy_part, parts)


def _copy_part(raw: Path, paths: list[Path], out: Path) -> None:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    table = pa.table({"source": [str(p.relative_to(raw)) for p in paths], "text": texts})
    pq.write_table(table, out, compression="zstd")


def _simple_one(path: Path) -> tuple[str, str]:
    import ftfy
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    text = ftfy.fix_text(path.read_text(encoding="utf-8", errors="replace"))
    text = "\n".join(line for line in text.splitlines() if not BOILERPLATE.match(line.strip()))
    try:
        language = detect(text[:1000])
    except LangDetectException:
        language = "und"
    return text, language


def simple(raw: Path, out: Path) -> None:
    paths = files(raw)
    with Pool(2) as pool:
        results = pool.map(_simple_one, paths, chunksize=64)
    table = pa.table(
        {
            "source": [str(p.relative_to(raw)) for p in paths],
            "text": [t for t, _ in results],
            "language": [lang for _, lang in results],
        }
    )
    pq.write_table(table, out, compression="zstd")


if __name__ == "__main__":
    mode, raw, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if mode == "split":
        split(raw, out, int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    else:
        {"copy": copy, "simple": simple}[mode](raw, out)
