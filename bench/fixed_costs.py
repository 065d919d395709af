"""What a run pays outside its cleaning steps, piece by piece: CPU seconds of each, in a fresh process, median of
several rounds (CPU time, not wall: on a shared machine the wall times stretch, the CPU times much less).

    python bench/fixed_costs.py BUILD [--rounds 3] [--checkout OTHER_CHECKOUT]

BUILD is a run's output (``DIR/<name>/build``, e.g. of ``cleaner run /tmp/cleaner-bench/jsonl-corpus-4000-1000``);
it is copied, never written. Measured, each in a process of its own:

- ``imports``: ``python -c "import cleaner.cli, cleaner.runner"`` (the driver's start-up before any stage);
- ``models``: every step's ``prepare()`` (word lists, language model, rules), as the driver loads them while the
  survey runs, per step;
- ``gx start``: the validation process up to a ready GX context (Python, pandas, GX, the checkpoints);
- ``gx check``: the checks and Data Docs of BUILD once GX is up;
- ``report``: ``report.html`` of BUILD, in the driver (the charts are drawn by a process of its own, measured apart:
  ``draw``).

The whole run's figures (bench/measure.py, bench/before_after.py) include what the workers spend reading,
surveying, writing and deduplicating, which this script does not separate.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each snippet prints a JSON object of CPU seconds (its own process's user + system time, threads included).
CPU = "import resource; cpu = lambda: (lambda r: r.ru_utime + r.ru_stime)(resource.getrusage(resource.RUSAGE_SELF))"
SNIPPETS = {
    "imports": CPU + "\nimport cleaner.cli, cleaner.runner\nimport json; print(json.dumps({'imports': cpu()}))",
    "models": CPU
    + """
import json
from cleaner import config
from cleaner.jobs import build_pipeline
pipeline = build_pipeline(config.load(None), prepare=False)
found = {}
for step in [*pipeline.steps, *pipeline.corpus_steps]:
    before = cpu()
    step.prepare()
    found[f"models: {step.name}"] = cpu() - before
print(json.dumps(found))
""",
    "gx": CPU
    + """
import json, sys
from pathlib import Path
from cleaner import config
from cleaner.validate import load_suites, parameters
try:
    from cleaner import validation_process as process
except ImportError:  # a checkout from before the validation process had a module of its own
    from cleaner import validate as process
    process.LazyModules, process.check = process._LazyModules, process._check
sys.meta_path.insert(0, process.LazyModules())
cfg = config.load(None)
suites = load_suites(cfg.root / cfg.validate.expectations, cfg.validate.suite)
context, checkpoints = process._gx_context(suites)
started = cpu()
params = parameters(cfg)
before = cpu()
process.check(Path(sys.argv[1]), cfg.validate.suite, suites, context, checkpoints, params)
print(json.dumps({"gx start": started, "gx check": cpu() - before}))
""",
    "report": CPU
    + """
import json, sys
from pathlib import Path
from cleaner.report import write_report
before = cpu()
write_report(Path(sys.argv[1]))
print(json.dumps({"report": cpu() - before, "_process": cpu()}))
""",
}


def run_snippet(code: str, build: Path | None, checkout: Path) -> dict[str, float]:
    command = [sys.executable, "-c", code, *([str(build)] if build else [])]
    env = {**os.environ, "PYTHONPATH": str(checkout), "GX_ANALYTICS_ENABLED": "False", "TQDM_DISABLE": "1"}
    done = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", type=Path, help="a run's output folder (DIR/<name>/build)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cleaner-fixed-"))
    found: dict[str, list[float]] = {}
    try:
        for _ in range(args.rounds):
            for name, code in SNIPPETS.items():
                copy = None
                if name in ("gx", "report"):  # each writes beside the data: a fresh copy of the build
                    copy = work / "build"
                    shutil.rmtree(copy, ignore_errors=True)
                    shutil.copytree(args.build, copy)
                before = children_cpu()
                measured = run_snippet(code, copy, args.checkout.resolve())
                if name == "report":  # the drawing process is the snippet's child: the tree's CPU less its own
                    measured["draw"] = children_cpu() - before - measured.pop("_process")
                for key, seconds in measured.items():
                    found.setdefault(key, []).append(seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(map(len, found))
    for key, values in found.items():
        print(f"{key:{width}}  median {statistics.median(values):6.2f} s CPU  (best {min(values):.2f})")


if __name__ == "__main__":
    main()
