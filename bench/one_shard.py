"""A corpus shipped as one large shard: does `cleaner run` still use every core?

    python bench/one_shard.py [--docs 20000] [--pipeline spine|full] [--format jsonl|warc] [--work /tmp/cleaner-bench]

Writes the benchmark corpus's documents (bench/corpus.py) into a single file, runs `cleaner run` on it with one
worker and with two, alternately (best of ``--repeat``), and prints the speed-up. Before large files were read in
slices this ratio was about 1.0: the whole file was one task, on one core. ``--format warc`` writes each document
as an HTML page in one ``.warc.gz``: the pages' text extraction, the costly part of reading them, must then run in
the workers too.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import measure
from throughput import SPINE_CONFIG, best, corpus, report


def shard(folder: Path, docs: int, work: Path, form: str = "jsonl") -> tuple[Path, int]:
    """The first ``docs`` documents of ``folder`` as one file (``form``: jsonl or warc), in a folder of its own."""
    target = work / f"shard-{form}-{docs}"
    path = target / ("corpus.jsonl" if form == "jsonl" else "corpus.warc.gz")
    if not path.exists():
        target.mkdir(parents=True, exist_ok=True)
        partial = target / "partial.tmp"  # no input suffix: a half-written shard is never read as input
        sources = sorted(folder.rglob("*.txt"))[:docs]
        (write_jsonl if form == "jsonl" else write_warc)(sources, partial)
        partial.rename(path)
    return target, path.stat().st_size


def write_jsonl(sources: list[Path], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for source in sources:
            record = {"id": source.stem, "text": source.read_text(encoding="utf-8")}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_warc(sources: list[Path], path: Path) -> None:
    """Each document as an HTML page (its lines as paragraphs), one response record each."""
    import html
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for source in sources:
            lines = [line for line in source.read_text(encoding="utf-8").split("\n") if line.strip()]
            body = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines)
            page = f"<html><head><title>{source.stem}</title></head><body>{body}</body></html>".encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            url = f"https://bench.example/{source.stem}"
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(page), http_headers=headers)
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--pipeline", choices=["spine", "full"], default="spine")
    parser.add_argument("--format", choices=["jsonl", "warc"], default="jsonl")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    source, _ = corpus(args.work, max(args.docs, 4000))
    folder, size = shard(source, args.docs, args.work, args.format)
    if args.pipeline == "spine":
        config = args.work / "spine.toml"
        config.write_text(SPINE_CONFIG)
    else:
        config = Path(__file__).resolve().parent.parent / "cleaner.toml"
    out = args.work / "out"
    command = [sys.executable, "-m", "cleaner", "run", "--quiet", "--no-validate", "--config", str(config)]
    runs: dict[int, list] = {1: [], 2: []}
    for _ in range(max(1, args.repeat)):
        for workers in runs:
            runs[workers].append(measure([*command, "--workers", str(workers), "--out", str(out), str(folder)]))
    print(f"one {args.format} shard: {args.docs:,} documents, {size / 1e6:.1f} MB, {args.pipeline} pipeline")
    rates = {
        workers: report(f"cleaner run, {workers} worker(s), best of {len(r)}", best(r), args.docs, size)
        for workers, r in runs.items()
    }
    print(f"2 workers / 1 worker on one shard:        {rates[2] / rates[1]:5.2f}x")


if __name__ == "__main__":
    main()
