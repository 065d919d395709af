"""``python -m cleaner`` that logs when each stage of a run begins and ends, for bench/measure.py's timeline.

    CLEANER_PHASES=/tmp/phases.tsv python bench/phases.py run --workers 2 --out OUT RAW

Each line of the file is ``<seconds since the epoch>\\t<what began>``: the start of Python, the commands imported,
each stage the runner announces (``on_phase``), the report written meanwhile, the run's return, the exit. Nothing of
the run is changed: the runner's callbacks are wrapped, not replaced.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = os.environ.get("CLEANER_PHASES")


def mark(what: str) -> None:
    if LOG:
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(f"{time.time():.3f}\t{what}\n")


def _mark_maps() -> None:
    """Each map of the local engine logged as it begins and ends, by its job's name (which pass of a stage)."""
    from cleaner.engine import local

    original = local.LocalEngine.map_ordered

    def map_ordered(self, job, items, meanwhile=None):
        name = getattr(getattr(job, "func", job), "__name__", type(job).__name__)
        mark(f"  map {name}")
        yield from original(self, job, items, meanwhile)
        mark(f"  map {name} done")

    local.LocalEngine.map_ordered = map_ordered


def main() -> None:
    mark("python started")
    sys.path.insert(0, str(ROOT))
    from cleaner import cli, runner

    mark("cli imported")
    original_run = runner.run

    def run(*args, **kwargs):
        announce = kwargs.get("on_phase")

        def on_phase(name: str) -> None:
            mark(name)
            if announce:
                announce(name)

        kwargs["on_phase"] = on_phase
        staged = kwargs.get("on_staged")
        if staged:

            def on_staged(staging, destination):
                mark("report (beside validation)")
                staged(staging, destination)
                mark("report written")

            kwargs["on_staged"] = on_staged
        try:
            return original_run(*args, **kwargs)
        finally:
            mark("run returned")

    runner.run = run
    _mark_maps()
    atexit.register(mark, "exit")
    sys.argv[0] = "cleaner"
    cli.main()


if __name__ == "__main__":
    main()
