"""End-to-end throughput and memory of `cleaner run`, against two baselines run in the same benchmark.

    python bench/throughput.py [--docs 4000] [--scale 10] [--workers 2] [--work /tmp/cleaner-bench]

Generates (once, cached in --work) a corpus of --docs documents and one --scale times larger (bench/corpus.py;
the defaults, 4,000 and 40,000 documents, take about ten minutes in all),
then measures, each as a separate process with wall time and peak RSS of its whole process tree:

- baseline (a): read every file and write one Parquet file with pyarrow, in one process;
- baseline (b): ftfy.fix_text + langdetect on 1,000 characters + a regex line filter over 2 processes, writing
  Parquet (on a sample of at most --baseline-docs documents: it is slow, and its rate does not depend on size);
- `cleaner run` with only the spine's steps (whitespace, length), and with the full default pipeline;
- `cleaner run` with no steps at all: reading, ids, hashes and writing, the floor under any pipeline (printed, not
  a target: when it is no faster than baseline (a), no choice of steps can make the spine reach its target);
- baseline (a)'s own work split over --workers processes (printed, not a target): every pipeline does at least
  this work, and the spine more, so the spine beats it on as many processes only by reading and writing more
  cheaply than (a)'s few lines of pyarrow. It is the ceiling for the spine's ratio;
- the four short runs above again on the larger corpus, where start-up costs weigh less (printed, not targets);
- the full pipeline again on the larger corpus, for memory growth.

Baseline (a), its split and the spine runs take seconds, where the noise of a shared machine is tens of percent:
they are run --repeat times, alternately, and the best run of each counts (as timeit does). Baseline (b) and the full
pipeline take half a minute each, long enough for the machine to change pace in between (the same code measured
twice has differed by a fifth): they are run --repeat-slow times, alternately, best of each. The last lines print
the ratios the project tracks (targets in brackets).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate
from measure import Measurement, measure

SPINE_CONFIG = 'pipeline = ["whitespace", "length"]\n'
NO_STEPS_CONFIG = "pipeline = []\n"


def corpus(work: Path, docs: int) -> tuple[Path, int]:
    folder = work / f"corpus-{docs}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, docs)
        (folder / ".complete").write_text("ok")
    size = sum(p.stat().st_size for p in folder.rglob("*.txt"))
    return folder, size


def sample(folder: Path, docs: int, work: Path) -> Path:
    target = work / f"sample-{docs}"
    if not target.exists():
        target.mkdir()
        for path in sorted(folder.rglob("*.txt"))[:docs]:
            shutil.copy(path, target / path.name)
    return target


def best(runs: list[Measurement]) -> Measurement:
    """The fastest of several runs of one command (its peak memory is the highest seen)."""
    fastest = min(runs, key=lambda m: m.seconds)
    return Measurement(fastest.seconds, max(m.peak_rss_mb for m in runs), fastest.returncode)


def report(name: str, m: Measurement, docs: int, size: int) -> float:
    rate = docs / m.seconds
    print(
        f"{name:42s} {docs:>8,} docs {m.seconds:8.2f} s {rate:9,.0f} docs/s {size / m.seconds / 1e6:7.1f} MB/s "
        f"peak {m.peak_rss_mb:7.0f} MB"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=4000, help="documents in the small corpus (about 5 KB each)")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-docs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the two short measurements; the best counts")
    parser.add_argument("--repeat-slow", type=int, default=2, help="runs of baseline (b) and the full pipeline")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    baselines = str(Path(__file__).resolve().parent / "baselines.py")

    small, small_size = corpus(args.work, args.docs)
    large, large_size = corpus(args.work, args.docs * args.scale)
    few = sample(small, args.baseline_docs, args.work)
    few_size = sum(p.stat().st_size for p in few.iterdir())
    spine = args.work / "spine.toml"
    spine.write_text(SPINE_CONFIG)
    no_steps = args.work / "no-steps.toml"
    no_steps.write_text(NO_STEPS_CONFIG)
    full = Path(__file__).resolve().parent.parent / "cleaner.toml"
    out = args.work / "out"
    out.mkdir(exist_ok=True)
    # Validation is measured on its own (bench/validation.py): here, cleaning only.
    cleaner = [
        python,
        "-m",
        "cleaner",
        "run",
        "--quiet",
        "--no-validate",
        "--workers",
        str(args.workers),
        "--out",
        str(out),
    ]

    print(f"corpus: {args.docs:,} documents, {small_size / 1e6:.1f} MB; x{args.scale}: {large_size / 1e6:.1f} MB")
    copy_runs, split_runs, spine_runs, floor_runs = [], [], [], []
    for _ in range(max(1, args.repeat)):  # alternately, so that all meet the same moments of the machine
        copy_runs.append(measure([python, baselines, "copy", str(small), str(out / "a.pq")]))
        split_runs.append(measure([python, baselines, "split", str(small), str(out / "a.pq"), str(args.workers)]))
        spine_runs.append(measure([*cleaner, "--config", str(spine), str(small)]))
        floor_runs.append(measure([*cleaner, "--config", str(no_steps), str(small)]))
    rate_a = report(f"baseline (a) read + Parquet, best of {len(copy_runs)}", best(copy_runs), args.docs, small_size)
    name_split = f"(a) split over {args.workers} processes, best of {len(split_runs)}"
    rate_split = report(name_split, best(split_runs), args.docs, small_size)
    simple_runs, full_runs = [], []
    for _ in range(max(1, args.repeat_slow)):  # alternately as well
        simple_runs.append(measure([python, baselines, "simple", str(few), str(out / "b.pq")]))
        full_runs.append(measure([*cleaner, "--config", str(full), str(small)]))
    name_b = f"baseline (b) ftfy+langdetect, best of {len(simple_runs)}"
    rate_b = report(name_b, best(simple_runs), args.baseline_docs, few_size)
    rate_spine = report(f"cleaner run, spine steps, best of {len(spine_runs)}", best(spine_runs), args.docs, small_size)
    rate_floor = report(f"cleaner run, no steps, best of {len(floor_runs)}", best(floor_runs), args.docs, small_size)
    # At the larger size the start-up costs (interpreter, imports, worker pool) weigh less on both sides. These
    # runs take seconds each, and one run of them has moved by a third: alternately and best of --repeat as well.
    large_runs: dict[str, list[Measurement]] = {"copy": [], "split": [], "spine": [], "floor": []}
    for _ in range(max(1, args.repeat)):
        large_runs["copy"].append(measure([python, baselines, "copy", str(large), str(out / "a.pq")]))
        split = [python, baselines, "split", str(large), str(out / "a.pq"), str(args.workers)]
        large_runs["split"].append(measure(split))
        large_runs["spine"].append(measure([*cleaner, "--config", str(spine), str(large)]))
        large_runs["floor"].append(measure([*cleaner, "--config", str(no_steps), str(large)]))
    copy_large, split_large, spine_large, floor_large = (best(runs) for runs in large_runs.values())
    large_docs = args.docs * args.scale
    rate_a_large = report(
        f"baseline (a) read + Parquet, x{args.scale}, best of {args.repeat}", copy_large, large_docs, large_size
    )
    rate_split_large = report(
        f"(a) split over {args.workers} processes, x{args.scale}, best of {args.repeat}",
        split_large,
        large_docs,
        large_size,
    )
    rate_spine_large = report(
        f"cleaner run, spine steps, x{args.scale}, best of {args.repeat}", spine_large, large_docs, large_size
    )
    rate_floor_large = report(
        f"cleaner run, no steps, x{args.scale}, best of {args.repeat}", floor_large, large_docs, large_size
    )
    full_small = best(full_runs)
    rate_full = report(f"cleaner run, full pipeline, best of {len(full_runs)}", full_small, args.docs, small_size)
    full_large = measure([*cleaner, "--config", str(full), str(large)])
    report(f"cleaner run, full pipeline, x{args.scale}", full_large, large_docs, large_size)

    print()
    print(f"spine throughput / baseline (a):        {rate_spine / rate_a:5.2f}x  [target >= 1.6]")
    print(f"  the same at x{args.scale} (start-up amortised):  {rate_spine_large / rate_a_large:5.2f}x")
    print(
        f"  no steps at all / baseline (a):          {rate_floor / rate_a:5.2f}x, at x{args.scale} "
        f"{rate_floor_large / rate_a_large:.2f}x  (the spine's steps only add to this)"
    )
    print(
        f"  (a)'s own work on {args.workers} processes / (a):     {rate_split / rate_a:5.2f}x, at x{args.scale} "
        f"{rate_split_large / rate_a_large:.2f}x  (the ceiling for the spine: it does this work and more)"
    )
    print(f"full pipeline throughput / baseline (b): {rate_full / rate_b:5.2f}x  [target >= 3]")
    print(
        f"peak RSS x{args.scale} corpus / x1 corpus:          {full_large.peak_rss_mb / full_small.peak_rss_mb:5.2f}x  "
        "[target < 1.5]"
    )


if __name__ == "__main__":
    main()
