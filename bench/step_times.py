"""CPU time of each step of the full pipeline, for this checkout and optionally another revision, run alternately.

    python bench/step_times.py [--docs 1000] [--against REV] [--rounds 3] [--work /tmp/cleaner-bench]

End-to-end throughput on a shared machine moves by tens of percent between runs (see bench/throughput.py); the CPU
time each step spends on the same documents, in one process, moves far less. With ``--against`` (a commit, a tag)
the revision is checked out in a temporary git worktree and both are measured in turns, ``--rounds`` times each;
the table shows the fastest round of each, per step, and their ratio. Documents come from the benchmark corpus
(bench/corpus.py), generated once in ``--work``; the first 200 warm the caches and are not counted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_DOCS = 200


def measure(root: str, corpus: str, docs: int) -> dict[str, float]:
    """Seconds of CPU per step over ``docs`` documents, with the ``cleaner`` package found under ``root``."""
    sys.path.insert(0, root)
    import time

    import cleaner
    from cleaner.config import load
    from cleaner.document import Reject
    from cleaner.pipeline import Pipeline, build_steps
    from cleaner.readers import discover, read_file

    if not cleaner.__file__.startswith(root):
        raise SystemExit(f"imported cleaner from {cleaner.__file__}, not from {root}")
    config = load(Path(root) / "cleaner.toml")  # each revision with its own configuration
    pipeline = Pipeline(build_steps(config))  # corpus steps (dedup) are left out: they act after all documents
    for step in pipeline.steps:
        step.prepare()
    files, _ = discover(Path(corpus))
    documents = [d for f in files[: docs + WARM_DOCS] for d in read_file(f) if not isinstance(d, Reject)]
    seconds = dict.fromkeys((step.name for step in pipeline.steps), 0.0)
    counting = False

    def timed(step, apply):  # through Pipeline.process, so that a step run again in a later round counts too
        def run(doc):
            started = time.process_time()
            try:
                return apply(doc)
            finally:
                if counting:
                    seconds[step.name] += time.process_time() - started

        return run

    for step in pipeline.steps:
        step.apply = timed(step, step.apply)
    for number, doc in enumerate(documents):
        counting = number >= WARM_DOCS
        pipeline.process(doc)
    return seconds


def run_measure(root: Path, corpus: Path, docs: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", str(root), str(corpus), str(docs)]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--against", help="a git revision to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench")
    parser.add_argument("--measure", nargs=3, metavar=("ROOT", "CORPUS", "DOCS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        root, corpus, docs = args.measure
        print(json.dumps(measure(root, corpus, int(docs))))
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from throughput import corpus

    folder, _ = corpus(args.work, max(4000, args.docs + WARM_DOCS))
    roots = {"this checkout": ROOT}
    worktree = None
    if args.against:
        worktree = Path(tempfile.mkdtemp(prefix="cleaner-rev-")) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", str(worktree), args.against], check=True)
        roots[args.against] = worktree
    try:
        best: dict[str, dict[str, float]] = {name: {} for name in roots}
        for _ in range(max(1, args.rounds)):
            for name, root in roots.items():  # in turns, so that both meet the same moments of the machine
                for step, seconds in run_measure(root, folder, args.docs).items():
                    best[name][step] = min(seconds, best[name].get(step, seconds))
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
            shutil.rmtree(worktree.parent, ignore_errors=True)

    names = list(roots)
    steps = sorted({step for times in best.values() for step in times}, key=list(best[names[0]]).index)
    print(f"CPU ms per document, best of {args.rounds} rounds, {args.docs} documents")
    print(f"{'step':12s}" + "".join(f"{name:>16s}" for name in names) + ("       ratio" if len(names) == 2 else ""))
    for step in [*steps, "total"]:
        values = [
            (sum(best[name].values()) if step == "total" else best[name].get(step, 0.0)) / args.docs * 1000
            for name in names
        ]
        ratio = f"{values[0] / values[1]:11.2f}x" if len(values) == 2 and values[1] else ""
        print(f"{step:12s}" + "".join(f"{value:16.2f}" for value in values) + ratio)


if __name__ == "__main__":
    main()
