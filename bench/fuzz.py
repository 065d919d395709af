"""The fuzz properties of the suite with a longer budget, and a coverage-guided run with atheris.

    python bench/fuzz.py [--examples 500] [--seed N] [--only readers|names|tasks|steps|pipeline ...]
    python bench/fuzz.py --atheris 300 [--target readers|steps]     # pip install atheris (Linux wheels)

The properties are those of tests/readers/test_fuzz.py and tests/steps/test_fuzz.py: every reader on arbitrary
bytes (raw, in gzip, in zstd; each format), any file name, a task of damaged files through the writer, every step
of the default pipeline and the whole pipeline on arbitrary text. The suite runs each with a small derandomized
budget; here each gets ``--examples`` random ones (a new seed every run unless ``--seed``), and the script prints,
per property, the examples run, the time, what the readers made of them (documents, reject reasons) and the
shrunk failing example if there is one. Exit status 1 when any property failed.

``--atheris SECONDS`` runs libFuzzer's coverage-guided search instead (in a child process, as libFuzzer exits
when done) over one target: ``readers`` (the first two bytes pick the format and container, the rest is the file)
or ``steps`` (the first byte picks a step or the whole pipeline, the rest is UTF-8 text). The instrumented code is
cleaner's and the readers' libraries (warcio, charset-normalizer, ftfy). A crash prints its traceback and leaves
its input in ``--work``; the seed corpus is made of examples of the hypothesis strategies.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KINDS = ("readers", "names", "tasks", "steps", "pipeline")


def properties(kinds: tuple[str, ...]) -> list[tuple[str, object, Callable, Counter]]:
    """(name, strategy, check, outcomes) of each property to run: ``check(example)`` raises when it fails."""
    from hypothesis import strategies as st

    from tests.readers import test_fuzz as readers
    from tests.steps import test_fuzz as steps

    found: list[tuple[str, object, Callable, Counter]] = []
    if "readers" in kinds:
        for suffix in readers.FORMATS:
            for container in readers.CONTAINERS:
                outcomes: Counter = Counter()
                name = f"input{suffix}{container}"

                def check(data: bytes, name: str = name, outcomes: Counter = outcomes) -> None:
                    outcomes.update(readers.check_reader(data, name))

                found.append((f"reader {suffix}{container}", readers.input_file(suffix, container), check, outcomes))
    if "names" in kinds:
        names = st.tuples(readers.NAMES, st.sampled_from([*readers.FORMATS, ".png", ""]))
        found.append(("file names", names, lambda pair: readers.check_name(*pair), Counter()))
    if "tasks" in kinds:
        found.append(("task of damaged files", readers.TASK_FILES, readers.check_task, Counter()))
    if "steps" in kinds:
        for step in steps.steps():
            found.append(
                (f"step {step.name}", steps.TEXTS, lambda text, step=step: steps.check_step(step, text), Counter())
            )
    if "pipeline" in kinds:
        found.append(("default pipeline", steps.TEXTS, steps.check_pipeline, Counter()))
    return found


def run_property(strategy, check: Callable, examples: int, seed: int | None) -> tuple[int, str | None]:
    """Run ``check`` on ``examples`` examples; returns how many ran and the failure report (None when it held)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as with_seed

    ran = 0

    def test(example) -> None:
        nonlocal ran
        ran += 1
        check(example)

    test = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )(given(strategy)(test))
    if seed is not None:
        test = with_seed(seed)(test)
    try:
        test()
    except Exception as err:  # the property failed: hypothesis has shrunk the example
        notes = "\n".join(getattr(err, "__notes__", []))
        return ran, f"{type(err).__name__}: {str(err)[:500]}\n{notes}"
    return ran, None


def hypothesis_main(args: argparse.Namespace) -> int:
    failed = 0
    print(f"{'property':<28} {'examples':>8} {'seconds':>8}  outcome")
    for name, strategy, check, outcomes in properties(tuple(args.only)):
        started = time.perf_counter()
        ran, failure = run_property(strategy, check, args.examples, args.seed)
        seconds = time.perf_counter() - started
        seen = ", ".join(f"{reason} {n}" for reason, n in outcomes.most_common(6))
        print(f"{name:<28} {ran:>8} {seconds:>8.1f}  {'FAILED' if failure else 'ok'}  {seen}", flush=True)
        if failure:
            failed += 1
            print("    " + failure.replace("\n", "\n    "), flush=True)
    print(f"{failed} of the properties failed" if failed else "every property held")
    return 1 if failed else 0


def atheris_main(args: argparse.Namespace) -> int:
    """Seed a corpus from the hypothesis strategies, then run libFuzzer in a child for ``--atheris`` seconds."""
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: pip install atheris (wheels for Linux on x86-64 and arm64)", file=sys.stderr)
        return 2
    work = Path(args.work) / f"atheris-{args.target}"
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for index, data in enumerate(seeds(args.target, 200)):
        (corpus / f"seed-{index:04d}").write_bytes(data)
    command = [
        sys.executable,
        __file__,
        "--atheris-child",
        args.target,
        f"-max_total_time={args.atheris}",
        f"-artifact_prefix={work}/",
        "-rss_limit_mb=4096",
        "-timeout=60",
        str(corpus),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    crashes = sorted(work.glob("crash-*")) + sorted(work.glob("timeout-*")) + sorted(work.glob("oom-*"))
    print(f"atheris {args.target}: {time.perf_counter() - started:.0f} s, corpus {len(list(corpus.iterdir()))} inputs,"
          f" {len(crashes)} crash(es){': ' + ', '.join(map(str, crashes)) if crashes else ''}")  # fmt: skip
    return 1 if crashes or result.returncode not in (0,) else 0


def seeds(target: str, count: int) -> list[bytes]:
    """Inputs for the coverage-guided search to start from: examples of the hypothesis strategies, with the bytes
    that pick the target's branch in front."""
    from hypothesis import HealthCheck, given, settings

    from tests.readers import test_fuzz as readers
    from tests.steps import test_fuzz as steps

    made: list[bytes] = []
    if target == "readers":
        kinds = [(s, c) for s in readers.FORMATS for c in readers.CONTAINERS]
        for index, (suffix, container) in enumerate(kinds):
            head = bytes([index // len(readers.CONTAINERS), index % len(readers.CONTAINERS)])
            examples = settings(
                max_examples=max(1, count // len(kinds)), database=None, suppress_health_check=list(HealthCheck)
            )
            examples(given(readers.input_file(suffix, container))(collector(made, head)))()
    else:

        @settings(max_examples=count, database=None, suppress_health_check=list(HealthCheck))
        @given(steps.TEXTS)
        def collect(text: str) -> None:
            made.append(bytes([len(made) % 11]) + text.encode("utf-8", "surrogatepass"))

        collect()
    return made


def collector(made: list[bytes], head: bytes) -> Callable[[bytes], None]:
    """A function that keeps each example it is given, behind ``head``."""

    def collect(data: bytes) -> None:
        made.append(head + data)

    return collect


def atheris_child(target: str, argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["cleaner", "warcio", "charset_normalizer", "ftfy", "trafilatura"]):
        from tests.readers import test_fuzz as readers
        from tests.steps import test_fuzz as steps

    if target == "readers":
        kinds = [(s, c) for s in readers.FORMATS for c in readers.CONTAINERS]

        def one_input(data: bytes) -> None:
            if len(data) < 2:
                return
            suffix = readers.FORMATS[data[0] % len(readers.FORMATS)]
            container = readers.CONTAINERS[data[1] % len(readers.CONTAINERS)]
            readers.check_reader(data[2:], f"input{suffix}{container}")

        del kinds
    else:
        chosen = [*steps.steps(), None]

        def one_input(data: bytes) -> None:
            if not data:
                return
            text = data[1:].decode("utf-8", "replace")
            step = chosen[data[0] % len(chosen)]
            steps.check_step(step, text) if step is not None else steps.check_pipeline(text)

    atheris.Setup([sys.argv[0], *argv], one_input)
    atheris.Fuzz()


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--atheris-child":
        atheris_child(sys.argv[2], sys.argv[3:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=500, help="examples per property (the suite: 25-40)")
    parser.add_argument("--seed", type=int, default=None, help="replay a run (default: a new random seed)")
    parser.add_argument("--only", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--atheris", type=int, default=0, metavar="SECONDS", help="coverage-guided run instead")
    parser.add_argument("--target", choices=("readers", "steps"), default="readers")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "cleaner-fuzz"))
    args = parser.parse_args()
    return atheris_main(args) if args.atheris else hypothesis_main(args)


if __name__ == "__main__":
    sys.exit(main())
