"""The full default pipeline (validation on, 2 workers) of two checkouts, interleaved, best and median.

    git worktree add /tmp/cleaner-base f4fd843
    python bench/before_after.py /tmp/cleaner-base [--corpus /tmp/cleaner-bench/corpus-4000] [--rounds 2]

Each run is a separate process importing its own checkout (PYTHONPATH); wall time, CPU time and peak memory (PSS, and
RSS summed) of the whole process tree come from bench/measure.py. Prints the speed ratios of this checkout over the
other one last, by wall time and by CPU time (on a loaded machine the wall times stretch, the CPU times much less).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from measure import measure

ROOT = Path(__file__).resolve().parent.parent


def documents_read(out: Path) -> int:
    """The documents a run read, from its run.json (0 when the run left none)."""
    for run in out.rglob("run.json"):
        return json.loads(run.read_text(encoding="utf-8"))["counts"]["read"]
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", type=Path, help="the other checkout (before)")
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/cleaner-bench/corpus-4000"))
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    walls: dict[str, list[float]] = {"before": [], "after": []}
    cpus: dict[str, list[float]] = {"before": [], "after": []}
    peaks: dict[str, list[float]] = {"before": [], "after": []}
    pss: dict[str, list[float]] = {"before": [], "after": []}
    work = Path(tempfile.mkdtemp(prefix="cleaner-ab-"))
    for _ in range(args.rounds):
        for name, root in (("before", args.base.resolve()), ("after", ROOT)):
            shutil.rmtree(work / name, ignore_errors=True)
            command = [sys.executable, "-m", "cleaner", "run", "--workers", "2", "--quiet"]
            command += ["--out", str(work / name), str(args.corpus)]
            m = measure(command, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, check=False)
            walls[name].append(m.seconds)
            cpus[name].append(m.cpu_seconds)
            peaks[name].append(m.peak_rss_mb)
            pss[name].append(m.peak_pss_mb)
    docs = documents_read(work / "after")  # a JSON Lines file holds many: count what the run read, not files
    shutil.rmtree(work, ignore_errors=True)
    for name in walls:
        best = min(walls[name])
        print(
            f"{name:6} wall best {best:6.1f} s  median {statistics.median(walls[name]):6.1f} s  "
            f"{docs / best:5.0f} docs/s  CPU median {statistics.median(cpus[name]):6.1f} s  "
            f"peak PSS {max(pss[name]):5.0f} MB  RSS summed {max(peaks[name]):5.0f} MB"
        )
    print(f"after / before speed (best wall): {min(walls['before']) / min(walls['after']):.2f}x")
    cpu_ratio = statistics.median(cpus["before"]) / statistics.median(cpus["after"])
    print(f"after / before speed (median CPU): {cpu_ratio:.2f}x")


if __name__ == "__main__":
    main()
