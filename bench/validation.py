"""What validation costs: its share of a whole run, and `cleaner validate` alone on a large build.

    python bench/validation.py share [--docs 4000 40000] [--rounds 3] [--against CHECKOUT]
    python bench/validation.py standalone [--docs 100000] [--scale 10]

share (issue 21): `cleaner run --workers 2` on generated corpora (bench/corpus.py, cached in --work) with
validation and with `--no-validate`, one after the other in every round, so that a busy machine weighs on both
alike. Validation's share of a run is (on - off) / on, from the best runs and from the medians; beside it the CPU
seconds of the whole process tree and its peak resident memory (bench/measure.py). With --against, another
checkout (`git worktree add /tmp/cleaner-before f022160`) runs in the same rounds: the share before and after.
Targets: validation <= 10 % of the run's wall time; peak memory <= 1.0 GB at 2 workers.

standalone (issue 6): a build folder of --docs documents of ~5 KB (texts from the benchmark corpus, in Parquet
parts of ~64 MB as a run writes them) validated with `cleaner validate` in a fresh process: wall time and peak
RSS, then the same at --docs/--scale to show that memory does not grow with the corpus. Targets: 100,000 documents
in under 30 s, peak memory under 2 GB; `cleaner --help` under 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate
from measure import Measurement, measure

ROOT = Path(__file__).resolve().parent.parent


def corpus(work: Path, docs: int) -> Path:
    folder = work / f"corpus-{docs}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, docs)
        (folder / ".complete").write_text("ok")
    return folder


def timed_run(checkout: Path, raw: Path, out: Path, validate: bool) -> tuple[Measurement, float]:
    """One `cleaner run` of ``checkout``: its measurement and the CPU seconds of its whole process tree."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "cleaner", "run", "--workers", "2", "--quiet", "--out", str(out), str(raw)]
    if not validate:
        command.append("--no-validate")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    m = measure(command, cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    shutil.rmtree(out, ignore_errors=True)
    return m, cpu


def share(args: argparse.Namespace) -> None:
    checkouts = {"after": ROOT} | ({"before": args.against.resolve()} if args.against else {})
    corpora = {docs: corpus(args.work, docs) for docs in args.docs}
    runs: dict[tuple, list[tuple[Measurement, float]]] = {}
    out = Path(tempfile.mkdtemp(prefix="cleaner-validation-"))
    try:
        for round_ in range(args.rounds):
            for docs, raw in corpora.items():
                for name, checkout in checkouts.items():
                    for validate in (True, False) if round_ % 2 == 0 else (False, True):
                        m, cpu = timed_run(checkout, raw, out / "run", validate)
                        runs.setdefault((docs, name, validate), []).append((m, cpu))
                        state = "on " if validate else "off"
                        print(f"  round {round_ + 1} {docs:>6,} docs {name:6} validation {state}: {m.seconds:7.1f} s")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print()
    print(f"{'docs':>6} {'checkout':8} {'':14} {'wall best':>9} {'median':>7} {'tree CPU':>8} {'peak RSS':>9}")
    lines = []
    for docs in corpora:
        for name in checkouts:
            walls = {}
            for validate in (True, False):
                measured = runs[(docs, name, validate)]
                seconds = [m.seconds for m, _ in measured]
                walls[validate] = (min(seconds), statistics.median(seconds))
                cpu = statistics.median(c for _, c in measured)
                peak = max(m.peak_rss_mb for m, _ in measured)
                label = "validation on" if validate else "--no-validate"
                print(
                    f"{docs:>6,} {name:8} {label:14} {walls[validate][0]:8.1f}s {walls[validate][1]:6.1f}s "
                    f"{cpu:7.1f}s {peak:7,.0f} MB"
                )
            best = (walls[True][0] - walls[False][0]) / walls[True][0]
            median = (walls[True][1] - walls[False][1]) / walls[True][1]
            lines.append(f"{docs:>6,} docs, {name:6}: validation {best:6.1%} of the run (best), {median:6.1%} (median)")
    print()
    print("\n".join(lines) + "   [target <= 10 %]")


def build(folder: Path, docs: int, texts: list[str]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cleaner import config as config_module
    from cleaner.document import Document
    from cleaner.pipeline import Pipeline, build_steps
    from cleaner.schema import REJECT_SCHEMA, document_row

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
    pq.write_table(REJECT_SCHEMA.empty_table(), target / "rejects" / "p.parquet")
    (target / "run.json").write_text(json.dumps({"counts": {"read": docs}}))
    return target


def standalone(args: argparse.Namespace) -> None:
    work = args.work / "validation"
    work.mkdir(parents=True, exist_ok=True)
    source = work / "texts"
    if not source.exists():
        generate(source, 2000)
    texts = [p.read_text(encoding="utf-8") for p in sorted(source.rglob("*.txt"))]
    texts = [t for t in texts if "Ã" not in t and "â€" not in t]

    command = [sys.executable, "-m", "cleaner", "validate", "--config", str(ROOT / "cleaner.toml")]
    results = {}
    for docs in (args.docs // args.scale, args.docs):
        folder = build(work, docs, texts)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench")
    commands = parser.add_subparsers(dest="command", required=True)
    run_share = commands.add_parser("share", help="validation's share of a whole run")
    run_share.add_argument("--docs", type=int, nargs="+", default=[4000, 40000])
    run_share.add_argument("--rounds", type=int, default=3)
    run_share.add_argument("--against", type=Path, help="another checkout, measured in the same rounds")
    alone = commands.add_parser("standalone", help="`cleaner validate` on a large build")
    alone.add_argument("--docs", type=int, default=100_000)
    alone.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    share(args) if args.command == "share" else standalone(args)


if __name__ == "__main__":
    main()
