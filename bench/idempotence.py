"""Idempotence: does cleaning the cleaner's own output change it? Counted on real and generated pages.

    python bench/idempotence.py [--docs 1000] [--eval ../shared/eval-dev] [--work /tmp/cleaner-bench]

Runs the repository's pipeline (cleaner.toml, per-document steps; dedup judges the corpus, not a document) on the
development set's page dumps and on --docs pages of the benchmark corpus (bench/corpus.py), then again on each
output, and prints how many outputs the second run changes, with the lines it added or removed for the first few.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000, help="pages of the benchmark corpus")
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval-dev")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench")
    parser.add_argument("--show", type=int, default=5, help="changed documents to show")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from throughput import corpus

    from cleaner.config import load
    from cleaner.document import Document, Reject
    from cleaner.pipeline import Pipeline, build_steps

    pipeline = Pipeline(build_steps(load(ROOT / "cleaner.toml")))
    for step in pipeline.steps:
        step.prepare()
    folder, _ = corpus(args.work, max(4000, args.docs))
    sets = {
        "dev page dumps": sorted((args.eval / "boilerplate" / "text").glob("*.txt")),
        "benchmark pages": sorted(folder.rglob("*.txt"))[: args.docs],
    }
    shown = 0
    for name, files in sets.items():
        changed = cleaned = 0
        for path in files:
            first = pipeline.process(Document(id="x", text=path.read_text(encoding="utf-8"), source=path.name))
            if isinstance(first, Reject):
                continue
            cleaned += 1
            second = pipeline.process(Document(id="x", text=first.text, source=path.name))
            if isinstance(second, Reject) or second.text != first.text:
                changed += 1
                if shown < args.show:
                    shown += 1
                    after = second.reason if isinstance(second, Reject) else second.text
                    diff = difflib.unified_diff(first.text.split("\n"), after.split("\n"), lineterm="", n=0)
                    lines = [line[:100] for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
                    print(f"  {path.name}: {lines[:4]}")
        print(f"{name}: {changed} of {cleaned} cleaned documents change when cleaned again")


if __name__ == "__main__":
    main()
