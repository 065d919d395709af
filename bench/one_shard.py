"""A corpus shipped as one large JSON Lines shard: does `cleaner run` still use every core?

    python bench/one_shard.py [--docs 20000] [--pipeline spine|full] [--work /tmp/cleaner-bench]

Writes the benchmark corpus's documents (bench/corpus.py) into a single ``.jsonl`` file, runs `cleaner run` on it
with one worker and with two, alternately (best of ``--repeat``), and prints the speed-up. Before large files were
read in slices this ratio was about 1.0: the whole file was one task, on one core.
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


def shard(folder: Path, docs: int, work: Path) -> tuple[Path, int]:
    """The first ``docs`` documents of ``folder`` as one JSON Lines file, in a folder of its own."""
    target = work / f"shard-{docs}"
    path = target / "corpus.jsonl"
    if not path.exists():
        target.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        with partial.open("w", encoding="utf-8") as out:
            for source in sorted(folder.rglob("*.txt"))[:docs]:
                record = {"id": source.stem, "text": source.read_text(encoding="utf-8")}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        partial.rename(path)
    return target, path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--pipeline", choices=["spine", "full"], default="spine")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    source, _ = corpus(args.work, max(args.docs, 4000))
    folder, size = shard(source, args.docs, args.work)
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
    print(f"one JSON Lines shard: {args.docs:,} documents, {size / 1e6:.1f} MB, {args.pipeline} pipeline")
    rates = {
        workers: report(f"cleaner run, {workers} worker(s), best of {len(r)}", best(r), args.docs, size)
        for workers, r in runs.items()
    }
    print(f"2 workers / 1 worker on one shard:        {rates[2] / rates[1]:5.2f}x")


if __name__ == "__main__":
    main()
