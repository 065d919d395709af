"""CPU time of each step of the full pipeline, for this checkout and optionally another revision, run alternately.

    python bench/step_times.py [--docs 1000] [--against REV] [--rounds 3] [--work /tmp/cleaner-bench]

End-to-end throughput on a shared machine moves by tens of percent between runs (see bench/throughput.py); the CPU
time each step spends on the same documents, in one process, moves far less. With ``--against`` (a commit, a tag)
the revision is checked out in a temporary git worktree and both are measured in turns, ``--rounds`` times each;
the table shows the fastest round of each, per step, and their ratio. Documents come from the benchmark corpus
(bench/corpus.py), generated once in ``--work``.

Two figures per step. ``cold``: the first 200 documents of a fresh process, after every step's ``prepare()`` — what
each worker of a run pays at its start, since workers fork from the process that ran ``prepare()``: a model, a
word list or a parser's rules loaded lazily at the first document is paid there, once per worker. ``warm``: the
``--docs`` documents after those, with the caches filled. A step whose cold figure is far above its warm one loads
something per process that ``prepare()`` could load before the fork.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_DOCS = 200


def measure(root: str, corpus: str, docs: int) -> dict[str, dict[str, float]]:
    """Seconds of CPU per step over the first :data:`WARM_DOCS` documents (``cold``) and the ``docs`` after them
    (``warm``), with the ``cleaner`` package found under ``root``."""
    sys.path.insert(0, root)
    import time

    import cleaner
    from cleaner.config import load
    from cleaner.document import Reject
    from cleaner.pipeline import Pipeline, build_steps

    try:
        from cleaner.pipeline import BATCH_DOCS
        from cleaner.steps import Step
    except ImportError:  # a revision from before batches: one document at a time
        BATCH_DOCS, Step = 1, None
    from cleaner.readers import discover, read_file

    if not cleaner.__file__.startswith(root):
        raise SystemExit(f"imported cleaner from {cleaner.__file__}, not from {root}")
    config = load(Path(root) / "cleaner.toml")  # each revision with its own configuration
    pipeline = Pipeline(build_steps(config))  # corpus steps (dedup) are left out: they act after all documents
    for step in pipeline.steps:
        step.prepare()
    gc.freeze()  # as a run does before its workers fork (cleaner.jobs.remember): their collections skip the models
    files, _ = discover(Path(corpus))
    documents = [d for f in files[: docs + WARM_DOCS] for d in read_file(f) if not isinstance(d, Reject)]
    phases = {phase: dict.fromkeys((step.name for step in pipeline.steps), 0.0) for phase in ("cold", "warm")}
    seconds = phases["cold"]

    def timed(step, apply):  # through Pipeline.process_batch, so that a step run again in a later round counts too
        def run(*args):
            started = time.process_time()
            try:
                return apply(*args)
            finally:
                seconds[step.name] += time.process_time() - started

        return run

    for step in pipeline.steps:
        # A step with a batch path is timed there (its apply goes through it), any other at its apply.
        batched = Step is not None and type(step).apply_batch is not Step.apply_batch
        if batched:
            step.apply_batch = timed(step, step.apply_batch)
        else:
            step.apply = timed(step, step.apply)
    # In batches as a run cleans them (cleaner.pipeline.BATCH_DOCS), the cold ones apart.
    size = BATCH_DOCS if Step is not None else 1
    batches = [documents[:WARM_DOCS]] + [
        documents[start : start + size] for start in range(WARM_DOCS, len(documents), size)
    ]
    for number, batch in enumerate(batches):
        seconds = phases["cold" if number == 0 else "warm"]
        if Step is None:
            for doc in batch:
                pipeline.process(doc)
        else:
            pipeline.process_batch(batch)
    return phases


def run_measure(root: Path, corpus: Path, docs: int) -> dict[str, dict[str, float]]:
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
        best: dict[tuple[str, str], dict[str, float]] = {}
        for _ in range(max(1, args.rounds)):
            for name, root in roots.items():  # in turns, so that both meet the same moments of the machine
                for phase, times in run_measure(root, folder, args.docs).items():
                    column = best.setdefault((name, phase), {})
                    for step, seconds in times.items():
                        column[step] = min(seconds, column.get(step, seconds))
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
            shutil.rmtree(worktree.parent, ignore_errors=True)

    columns = [(name, phase) for phase in ("cold", "warm") for name in roots]
    counted = {"cold": WARM_DOCS, "warm": args.docs}
    first = best[columns[0]]
    steps = sorted({step for times in best.values() for step in times}, key=lambda step: list(first).index(step))
    print(f"CPU ms per document, best of {args.rounds} rounds: cold = the first {WARM_DOCS} documents of a process")
    print(f"after prepare(), warm = the {args.docs} after them")
    header = "".join(f"{f'{phase} {name}'[:22]:>23s}" for name, phase in columns)
    ratios = "".join(f"{f'ratio {phase}':>12s}" for phase in counted) if len(roots) == 2 else ""
    print(f"{'step':12s}{header}{ratios}")
    for step in [*steps, "total"]:
        values = {
            (name, phase): (sum(best[name, phase].values()) if step == "total" else best[name, phase].get(step, 0.0))
            / counted[phase]
            * 1000
            for name, phase in columns
        }
        line = "".join(f"{value:23.2f}" for value in values.values())
        if len(roots) == 2:
            for phase in counted:
                this, other = (values[name, phase] for name in roots)
                line += f"{this / other:11.2f}x" if other else " " * 12
        print(f"{step:12s}{line}")


if __name__ == "__main__":
    main()
