"""End-to-end throughput and memory of `cleaner run` against a naive script and datatrove, in one sitting (issue 21).

    python bench/throughput.py [--docs 4000] [--scale 10] [--rounds 3] [--rounds-large 3] [--skip-large]
                               [--workers 2] [--work /tmp/cleaner-bench]

Generates (once, cached in --work) a corpus of --docs documents and one --scale times larger (bench/corpus.py), their
copies as JSON Lines (shards of 1,000 documents; converted once, not timed) and a venv with datatrove
(bench/datatrove_peer.py; made once, from the package registry). Then, at each size, every contender runs once per
round, in an order rotated each round (so that all meet the same moments of a shared machine), each a separate
process with the wall time and peak RSS of its whole process tree (bench/measure.py):

- full: `cleaner run --workers 2 --config cleaner.toml` on the JSONL, validation on (what a user runs);
- no-validate: the same with `--no-validate`, so that validation's share of the wall time can be printed;
- full .txt: the full pipeline with validation on the .txt files (the corpus as generated; --no-txt skips it, and it
  runs at the larger size only with --txt-large);
- (b): bench/baselines.py simple: ftfy + a regex line filter + langdetect on 1,000 characters, 2 processes (.txt);
- datatrove: JSONL -> FTFYFormatter -> LanguageFilter (fastText lid.176) -> ParquetWriter, datatrove 0.10.1,
  LocalPipelineExecutor with tasks = workers = --workers, on the same JSONL as `full`;
- bounds, not targets: `cleaner run` with no steps at all (reading, ids, hashes, writing: the floor under any
  pipeline), baseline (a) (read every .txt file, write one Parquet file, 1 process) and (a)'s work split over
  --workers processes (the most a pipeline that reads and writes the same can gain from them).

Each contender's best and median wall time, documents/s and MB/s (of the .txt corpus, the same documents in either
form) and its highest peak RSS are printed per size, and the ratios the issue tracks last, with their targets. A
quick check: --docs 1000 --rounds 1 --skip-large (a few minutes).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datatrove_peer
from corpus import generate
from measure import Measurement, measure

ROOT = Path(__file__).resolve().parent.parent
NO_STEPS_CONFIG = "pipeline = []\n"


@dataclass
class Contender:
    name: str
    command: list[str]
    out: Path  # emptied before each run (not timed)
    runs: list[Measurement] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(m.seconds for m in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(m.seconds for m in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(m.peak_rss_mb for m in self.runs)

    @property
    def peak_pss_mb(self) -> float:
        """The highest PSS of the tree: shared pages counted once (see bench/measure.py)."""
        return max(m.peak_pss_mb for m in self.runs)

    @property
    def cpu(self) -> float:
        """Median CPU seconds of the whole process tree: what a loaded machine changes least (bench/measure.py)."""
        return statistics.median(m.cpu_seconds for m in self.runs)


@dataclass
class Size:
    docs: int
    mb: float
    shards: int
    contenders: dict[str, Contender]


def corpus(work: Path, docs: int) -> tuple[Path, float]:
    folder = work / f"corpus-{docs}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, docs)
        (folder / ".complete").write_text("ok")
    return folder, sum(p.stat().st_size for p in folder.rglob("*.txt")) / 1e6


def contenders(args: argparse.Namespace, docs: int, peer_python: Path, with_txt: bool) -> Size:
    """The commands measured at one size, by name (their order is the first round's)."""
    txt, mb = corpus(args.work, docs)
    jsonl = datatrove_peer.to_jsonl(txt, args.work, args.workers)
    out = args.runs
    python, baselines = sys.executable, str(ROOT / "bench" / "baselines.py")
    no_steps = out / "no-steps.toml"
    no_steps.write_text(NO_STEPS_CONFIG)
    full = ROOT / "cleaner.toml"

    def cleaner(name: str, config: Path, raw: Path, *flags: str) -> Contender:
        command = [python, "-m", "cleaner", "run", "--quiet", "--workers", str(args.workers), *flags]
        return Contender(name, [*command, "--out", str(out / name), "--config", str(config), str(raw)], out / name)

    def baseline(name: str, mode: str, *extra: str) -> Contender:
        return Contender(name, [python, baselines, mode, str(txt), str(out / name / "out.parquet"), *extra], out / name)

    chosen = [
        cleaner("full", full, jsonl),
        cleaner("no-validate", full, jsonl, "--no-validate"),
        *([cleaner("full .txt", full, txt)] if with_txt else []),
        baseline("(b)", "simple"),
        Contender(
            "datatrove",
            datatrove_peer.command(peer_python, jsonl, out / "datatrove", args.workers, args.workers),
            out / "datatrove",
        ),
        cleaner("no steps", no_steps, txt),
        baseline("(a)", "copy"),
        baseline("(a) split", "split", str(args.workers)),
    ]
    return Size(docs, mb, len(list(jsonl.glob("*.jsonl"))), {c.name: c for c in chosen})


def measure_rounds(size: Size, rounds: int) -> None:
    """Every contender once per round, the order rotated by one each round; a run's output is emptied before it."""
    order = list(size.contenders.values())
    for r in range(rounds):
        for contender in order[r % len(order) :] + order[: r % len(order)]:
            shutil.rmtree(contender.out, ignore_errors=True)
            contender.out.mkdir(parents=True)
            contender.runs.append(measure(contender.command, cwd=ROOT))
            print(f"  round {r + 1}: {contender.name:12s} {contender.runs[-1].seconds:7.1f} s", file=sys.stderr)
            shutil.rmtree(contender.out, ignore_errors=True)


def table(size: Size) -> None:
    rounds = len(next(iter(size.contenders.values())).runs)
    print(f"\n{size.docs:,} documents, {size.mb:.1f} MB of .txt ({size.shards} JSONL shards); {rounds} round(s)")
    print(
        f"{'':14s} {'best s':>8s} {'median s':>9s} {'docs/s':>8s} {'(median)':>9s} {'MB/s':>6s} {'peak RSS MB':>12s} "
        f"{'PSS MB':>7s} {'CPU s':>7s}"
    )
    for c in size.contenders.values():
        print(
            f"{c.name:14s} {c.best:8.2f} {c.median:9.2f} {size.docs / c.best:8.0f} {size.docs / c.median:9.0f} "
            f"{size.mb / c.best:6.2f} {c.peak_mb:12.0f} {c.peak_pss_mb:7.0f} {c.cpu:7.1f}"
        )


def megabytes(value: float) -> str:
    return f"{value:8,.0f} MB      "


def ratios(sizes: list[Size]) -> None:
    """The issue's ratios at each size, from the best runs (medians in brackets), targets last on each line."""

    def speed(size: Size, a: str, b: str) -> str:  # how many times as fast a is as b
        if a not in size.contenders:
            return "-"
        c, d = size.contenders[a], size.contenders[b]
        return f"{d.best / c.best:5.2f}x ({d.median / c.median:4.2f}x)"

    def cpu(size: Size, a: str, b: str) -> str:  # the same by CPU time: under load, wall time favours more processes
        return f"{size.contenders[b].cpu / size.contenders[a].cpu:5.2f}x        "

    def share(size: Size) -> str:
        full, bare = size.contenders["full"], size.contenders["no-validate"]
        return f"{(full.best - bare.best) / full.best:5.0%}  ({(full.median - bare.median) / full.median:4.0%})"

    def cpu_share(size: Size) -> str:
        full, bare = size.contenders["full"].cpu, size.contenders["no-validate"].cpu
        return f"{(full - bare) / full:5.0%}        "

    rows = [
        ("full (validation on) / baseline (b)", lambda s: speed(s, "full", "(b)"), ">= 3x, aim 5x"),
        ("  by CPU seconds (median)", lambda s: cpu(s, "full", "(b)"), "(a loaded machine's check)"),
        ("full / datatrove light", lambda s: speed(s, "full", "datatrove"), ">= 1.2x, aim 2x"),
        ("  by CPU seconds (median)", lambda s: cpu(s, "full", "datatrove"), ""),
        ("validation's share of the full run", share, "<= 10 %"),
        ("  of its CPU seconds (median)", cpu_share, ""),
        (
            "peak memory (PSS) of the full run",
            lambda s: f"{s.contenders['full'].peak_pss_mb:8,.0f} MB      ",
            "<= 1,000 MB",
        ),
        (
            "  RSS summed (shared pages counted",
            lambda s: f"{s.contenders['full'].peak_mb:8,.0f} MB      ",
            "(once per process)",
        ),
    ]
    if "full .txt" in sizes[0].contenders:
        rows.append(("  full on .txt / full on JSONL", lambda s: speed(s, "full .txt", "full"), "(the input's form)"))
    rows += [
        ("bound: no steps / (a)", lambda s: speed(s, "no steps", "(a)"), "(floor of any pipeline)"),
        ("bound: (a) split / (a)", lambda s: speed(s, "(a) split", "(a)"), "(ceiling of splitting)"),
    ]
    print("\nratios: best runs (medians in brackets)")
    print(f"{'':40s}" + "".join(f"{f'{s.docs:,} docs':>20s}" for s in sizes) + "   target")
    for label, cell, target in rows:
        print(f"{label:40s}" + "".join(f"{cell(s):>20s}" for s in sizes) + f"   {target}")
    if len(sizes) == 2:
        growth = sizes[1].contenders["full"].peak_pss_mb / sizes[0].contenders["full"].peak_pss_mb
        label = f"peak PSS of the full run, {sizes[1].docs:,} / {sizes[0].docs:,}"
        print(f"{label:40s}{growth:>19.2f}x   < 1.2x")


def uptime() -> str:
    """The load averages (a shared machine's pace moves with them)."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average: ")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=4000, help="documents in the small corpus (about 5 KB each)")
    parser.add_argument("--scale", type=int, default=10, help="the larger corpus is this many times the small one")
    parser.add_argument("--rounds", type=int, default=3, help="rounds at the small size (each contender once)")
    parser.add_argument("--rounds-large", type=int, help="rounds at the larger size (default: --rounds)")
    parser.add_argument("--skip-large", action="store_true", help="measure the small corpus only")
    parser.add_argument("--no-txt", action="store_true", help="do not also run the full pipeline on the .txt files")
    parser.add_argument("--txt-large", action="store_true", help="run the full pipeline on .txt at the larger size too")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each size's table as soon as it is measured, even into a file
    args.work.mkdir(parents=True, exist_ok=True)
    peer_python = datatrove_peer.ensure_venv(args.work)
    plan = [(args.docs, args.rounds, not args.no_txt)]
    if not args.skip_large:
        rounds_large = args.rounds_large if args.rounds_large is not None else args.rounds
        plan.append((args.docs * args.scale, rounds_large, args.txt_large and not args.no_txt))
    # The runs' outputs in a folder of this process's own: two benchmarks sharing --work (its corpora and venv) must
    # not empty each other's output folders mid-run.
    args.runs = Path(tempfile.mkdtemp(prefix="runs-", dir=args.work))
    try:
        sizes = [contenders(args, docs, peer_python, with_txt) for docs, _, with_txt in plan]  # corpora made first
        print(f"workers: {args.workers}; cleaner and datatrove read the same JSONL shards, (a), (b), no-steps the .txt")
        for size, (_, rounds, _) in zip(sizes, plan, strict=True):
            before = uptime()
            measure_rounds(size, rounds)
            table(size)
            print(f"machine load before: {before}\n             after:  {uptime()}")
        ratios(sizes)
    finally:
        shutil.rmtree(args.runs, ignore_errors=True)


if __name__ == "__main__":
    main()
