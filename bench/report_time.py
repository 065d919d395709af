"""CPU and wall time of writing a build's report, for this checkout and optionally another revision, in turns.

    python bench/report_time.py BUILD [--against REV] [--rounds 5]

BUILD is a ``cleaner run`` output (``dist/NAME/build``), e.g. of the 4,000-document bench corpus:

    python bench/corpus.py /tmp/rs/corpus --docs 4000   # from /work/main: the dev-set pages beside it
    python -m cleaner run /tmp/rs/corpus --out /tmp/rs/out --workers 2 --no-validate

Two figures per revision, each from a fresh process, on a copy of BUILD of its own:

- ``in a run``: ``write_report(BUILD)`` in a process prepared as ``cleaner run``'s is when it writes the report
  (``cleaner.cli`` and ``cleaner.runner`` imported, pyarrow primed); what the report adds to a run;
- ``command``: ``python -m cleaner report BUILD``, start-up included.

CPU is of the whole process tree (the report may draw its charts in a process of its own). The machine is shared:
rounds alternate between the revisions, and the table shows the best and the median of each.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IN_A_RUN = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
import cleaner, cleaner.cli, cleaner.runner
assert cleaner.__file__.startswith({root!r}), cleaner.__file__
try:
    cleaner.writer.prime_pyarrow()
except AttributeError:  # a revision from before it
    pass
from pathlib import Path
from cleaner.report import write_report

def cpu():
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))

wall, used = time.perf_counter(), cpu()
write_report(Path({build!r}))
print(json.dumps({{"wall": time.perf_counter() - wall, "cpu": cpu() - used}}))
"""


def in_a_run(root: Path, build: Path) -> dict[str, float]:
    code = IN_A_RUN.format(root=str(root), build=str(build))
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def command(root: Path, build: Path) -> dict[str, float]:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(root)}  # and run from root: -m puts the working folder first on sys.path
    report = [sys.executable, "-m", "cleaner", "report", str(build)]
    subprocess.run(report, check=True, capture_output=True, env=env, cwd=root)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", type=Path)
    parser.add_argument("--against", help="a git revision to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not (args.build / "run.json").is_file():
        raise SystemExit(f"{args.build} is not a build (no run.json)")

    work = Path(tempfile.mkdtemp(prefix="cleaner-report-bench-"))
    roots = {"this checkout": ROOT}
    worktree = None
    if args.against:
        worktree = work / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", str(worktree), args.against], check=True)
        roots[args.against] = worktree
    builds = {}
    for index, name in enumerate(roots):
        builds[name] = work / str(index) / args.build.parent.name / "build"  # the page shows the last two names
        shutil.copytree(args.build, builds[name])
    runs: dict[tuple[str, str], list[dict[str, float]]] = {}
    try:
        for _ in range(max(1, args.rounds)):
            for name, root in roots.items():  # in turns, so that both meet the same moments of the machine
                runs.setdefault((name, "in a run"), []).append(in_a_run(root, builds[name]))
                runs.setdefault((name, "command"), []).append(command(root, builds[name]))
        same = len(roots) == 2 and len({(b / "report.html").read_bytes() for b in builds.values()}) == 1
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
        shutil.rmtree(work, ignore_errors=True)

    print(f"seconds, best / median of {args.rounds} rounds")
    print(f"{'revision':22s}{'what':12s}{'CPU best':>10s}{'CPU med':>10s}{'wall best':>11s}{'wall med':>10s}")
    for (name, what), measured in runs.items():
        cpu = [m["cpu"] for m in measured]
        wall = [m["wall"] for m in measured]
        print(
            f"{name[:21]:22s}{what:12s}{min(cpu):10.2f}{statistics.median(cpu):10.2f}"
            f"{min(wall):11.2f}{statistics.median(wall):10.2f}"
        )
    if len(roots) == 2:
        print(f"report.html the same bytes: {same}")


if __name__ == "__main__":
    main()
