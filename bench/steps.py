"""Throughput of each step, single core, in MB/s, against plain ``ftfy.fix_text`` on the same text; and the
dedup corpus step at 1x and 10x, to show that its time and memory grow near-linearly.

    python bench/steps.py [--docs 2000]

The text is the benchmark corpus (bench/corpus.py: real page dumps, some mojibake), after the steps before the
one measured have run, so each step sees what it sees in a real run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate

from cleaner import config as config_module
from cleaner.document import Document
from cleaner.pipeline import build_steps
from cleaner.steps import CorpusStep

ROOT = Path(__file__).resolve().parent.parent


def load(docs: int) -> list[str]:
    folder = Path(tempfile.gettempdir()) / f"cleaner-steps-{docs}"
    if not folder.exists():
        generate(folder, docs)
    return [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    args = parser.parse_args()
    texts = load(args.docs)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6

    import ftfy

    started = time.perf_counter()
    for text in texts:
        ftfy.fix_text(text)
    ftfy_rate = megabytes / (time.perf_counter() - started)
    print(f"{'ftfy.fix_text (defaults)':28s} {ftfy_rate:8.2f} MB/s  1.00x")

    config = config_module.load(ROOT / "cleaner.toml")
    docs = [Document(id=str(i), text=t, source=f"{i}.txt") for i, t in enumerate(texts)]
    for step in build_steps(config):
        if isinstance(step, CorpusStep):
            continue
        step.apply(Document(id="warm", text=texts[0], source="warm"))  # load models and lists outside the clock
        size = sum(len(d.text.encode()) for d in docs) / 1e6
        started = time.perf_counter()
        survivors = []
        for doc in docs:
            result = step.apply(doc)
            if isinstance(result, Document):
                survivors.append(result)
        rate = size / (time.perf_counter() - started)
        print(f"{step.name:28s} {rate:8.2f} MB/s  {rate / ftfy_rate:5.2f}x")
        docs = survivors

    dedup = next(s for s in build_steps(config) if isinstance(s, CorpusStep))
    import pyarrow as pa

    for scale in (1, 10):
        corpus = [Document(id=f"{k}-{d.id}", text=d.text + f"\n{k}", source="x") for k in range(scale) for d in docs]
        size = sum(len(d.text.encode()) for d in corpus) / 1e6
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        rows = [dedup.sign(d) for d in corpus]
        signed = time.perf_counter() - started
        decisions = dedup.decide(pa.Table.from_pylist(rows, schema=dedup.signature_schema))
        total = time.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(
            f"dedup x{scale:<3d} {len(corpus):7,} docs: sign {size / signed:6.2f} MB/s, sign+decide {total:6.1f} s "
            f"({len(corpus) / total:,.0f} docs/s), {sum(1 for d in decisions.values() if d.reason):,} duplicates, "
            f"peak RSS +{grown:,.0f} MB"
        )


if __name__ == "__main__":
    main()
