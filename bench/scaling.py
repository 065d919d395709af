"""Scaling: the Ray engine against the local one, the driver's memory as the corpus grows, the cost of a resume.

    python bench/scaling.py [--small /tmp/cleaner-bench/corpus-4000] [--large /tmp/cleaner-bench/corpus-40000]
                            [--rounds 3]

Prints, for the same corpus and 2 workers, runs interleaved (local, ray, local, ray…), best and median wall time:
- local vs ray wall time (target: ray's overhead on 2 cores at most 1.3x local);
- the driver's own peak RSS (the `cleaner` process only, not its workers or the Ray daemons) at 1x and at 10x the
  documents (target: flat, below 1.2x);
- a resume: a run killed (SIGKILL) when half its tasks are done, then `--resume`, against a whole run.
Validation is off throughout: it is the same work on both engines and is measured by bench/throughput.py.
Corpora are made by `python bench/corpus.py DIR --docs N` when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_corpus(folder: Path, docs: int) -> Path:
    if not folder.is_dir():
        make = [sys.executable, str(ROOT / "bench" / "corpus.py"), str(folder), "--docs", str(docs)]
        subprocess.run(make, check=True)
    return folder


def rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def cleaner(corpus: Path, out: Path, *extra: str) -> list[str]:
    run = [sys.executable, "-m", "cleaner", "run", str(corpus), "--out", str(out), "--workers", "2"]
    return [*run, "--no-validate", "--quiet", *extra]


def timed(command: list[str], kill_at_tasks: int = 0, progress: Path | None = None) -> tuple[float, float]:
    """Wall seconds and the driver's peak RSS in MB; with ``kill_at_tasks``, SIGKILL it once that many task
    markers are in ``progress``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, rss(process.pid))
        if kill_at_tasks and progress is not None and len(list(progress.glob("task-*.json"))) >= kill_at_tasks:
            process.send_signal(signal.SIGKILL)
            process.wait()
            break
        time.sleep(0.05)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if not kill_at_tasks and process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return time.perf_counter() - started, peak / (1 << 20)


def summary(name: str, walls: list[float]) -> str:
    return f"{name:<34} best {min(walls):7.1f} s   median {statistics.median(walls):7.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=Path, default=Path("/tmp/cleaner-bench/corpus-4000"))
    parser.add_argument("--large", type=Path, default=Path("/tmp/cleaner-bench/corpus-40000"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    small, large = ensure_corpus(args.small, 4000), ensure_corpus(args.large, 40000)
    work = Path(tempfile.mkdtemp(prefix="cleaner-scaling-"))
    try:
        walls: dict[str, list[float]] = {"local": [], "ray": []}
        peaks: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for engine in ("local", "ray"):
                wall, peak = timed(cleaner(small, work / engine, "--engine", engine))
                walls[engine].append(wall)
                peaks.setdefault(f"{engine} 1x", []).append(peak)
        for engine in ("local", "ray"):  # 10x once each: minutes per run
            _, peak = timed(cleaner(large, work / f"{engine}-large", "--engine", engine))
            peaks[f"{engine} 10x"] = [peak]
        progress = work / "resume" / "seed-articles" / ".progress-build" / "_progress"
        whole, _ = timed(cleaner(small, work / "whole"))
        record = json.loads((work / "whole" / "seed-articles" / "build" / "run.json").read_text(encoding="utf-8"))
        tasks = record["execution"]["tasks"]
        killed, _ = timed(cleaner(small, work / "resume"), kill_at_tasks=max(1, tasks // 2), progress=progress)
        resumed, _ = timed(cleaner(small, work / "resume", "--resume"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"corpus {small} (1x) and {large} (10x), 2 workers, {args.rounds} rounds interleaved\n")
    for engine in ("local", "ray"):
        print(summary(f"{engine}, 1x", walls[engine]))
    print()
    for name, values in peaks.items():
        print(f"driver peak RSS, {name:<14} {max(values):7.0f} MB")
    print(f"\nwhole run {whole:.1f} s; killed at half its {tasks} tasks after {killed:.1f} s; --resume {resumed:.1f} s")
    print("\nratios")
    overhead = min(walls["ray"]) / min(walls["local"])
    print(f"  ray / local wall (best)          {overhead:5.2f}x   target <= 1.30x")
    for engine in ("local", "ray"):
        growth = max(peaks[f"{engine} 10x"]) / max(peaks[f"{engine} 1x"])
        print(f"  driver peak 10x / 1x, {engine:<5}     {growth:5.2f}x   target <  1.20x")
    share = f"{resumed / whole:5.2f}x of a whole run (the killed run took {killed / whole:.2f}x)"
    print(f"  resume after a kill at 50 %      {share}")


if __name__ == "__main__":
    main()
