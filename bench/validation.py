"""Validation time and memory on a large corpus, and the start-up cost of `cleaner --help`.

    python bench/validation.py [--docs 100000] [--scale 10]

Writes a build folder of --docs documents of ~5 KB (texts from the benchmark corpus, in Parquet parts of ~64 MB
as a run writes them), validates it with `cleaner validate` in a fresh process, and reports wall time and peak
RSS; then the same at --docs/--scale to show that memory does not grow with the corpus (shards are validated
one at a time). Targets (issue 6): 100,000 documents in under 30 s, peak memory under 2 GB; `cleaner --help`
under 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate
from measure import measure

ROOT = Path(__file__).resolve().parent.parent


def build(folder: Path, docs: int, texts: list[str]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cleaner import config as config_module
    from cleaner.document import Document
    from cleaner.pipeline import Pipeline, build_steps
    from cleaner.schema import document_row

    target = folder / f"build-{docs}"
    if (target / "run.json").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    (target / "documents").mkdir(parents=True)
    (target / "rejects").mkdir()
    pipeline = Pipeline(build_steps(config_module.load(ROOT / "cleaner.toml")))
    rows, part, size = [], 0, 0
    for i in range(docs):
        doc = Document(id=f"{i:08d}", text=texts[i % len(texts)] + f"\n\nDocument {i}.", source=f"{i}.txt")
        doc.metadata.update({"language": "en", "title": f"Title {i}"})
        rows.append(document_row(doc, pipeline.counter_columns))
        size += len(doc.text)
        if size > 64 << 20 or i == docs - 1:
            table = pa.Table.from_pylist(rows, schema=pipeline.document_schema)
            pq.write_table(table, target / "documents" / f"part-{part:05d}.parquet", compression="zstd")
            rows, part, size = [], part + 1, 0
    pq.write_table(__import__("cleaner.schema").schema.REJECT_SCHEMA.empty_table(), target / "rejects" / "p.parquet")
    (target / "run.json").write_text(json.dumps({"counts": {"read": docs}}))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench-validation")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    source = args.work / "texts"
    if not source.exists():
        generate(source, 2000)
    texts = [p.read_text(encoding="utf-8") for p in sorted(source.rglob("*.txt"))]
    texts = [t.encode("utf-8").decode("utf-8") for t in texts if "Ã" not in t and "â€" not in t]

    command = [sys.executable, "-m", "cleaner", "validate", "--config", str(ROOT / "cleaner.toml")]
    results = {}
    for docs in (args.docs // args.scale, args.docs):
        folder = build(args.work, docs, texts)
        mb = sum(p.stat().st_size for p in (folder / "documents").glob("*.parquet")) / 1e6
        m = measure([*command, str(folder)], cwd=ROOT, check=False)  # raw dumps: some expectations fail, as they should
        results[docs] = m
        verdict = "passed" if m.returncode == 0 else "failed"
        print(
            f"validate {docs:>8,} docs ({mb:,.0f} MB Parquet): {m.seconds:6.1f} s, peak RSS {m.peak_rss_mb:,.0f} MB, "
            f"suite {verdict}"
        )

    runs = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cleaner", "--help"], check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    python_only = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        python_only.append(time.perf_counter() - started)
    small, large = results[args.docs // args.scale], results[args.docs]
    print()
    print(f"validation of {args.docs:,} documents: {large.seconds:5.1f} s  [target < 30 s]")
    print(
        f"peak memory: {large.peak_rss_mb:,.0f} MB  [target < 2048 MB]; x{args.scale} corpus / x1 corpus: "
        f"{large.peak_rss_mb / small.peak_rss_mb:4.2f}x  [flat]"
    )
    print(f"cleaner --help: {min(runs):4.2f} s (python -c pass: {min(python_only):4.2f} s)  [target < 0.5 s]")


if __name__ == "__main__":
    main()
