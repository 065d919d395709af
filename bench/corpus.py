"""Generate a realistic benchmark corpus: real page dumps (prose wrapped in site boilerplate, several languages),
cut to about 5 KB, some of them mis-decoded (mojibake), written as one ``.txt`` file per document.

The prose comes from the development set's page dumps when ``../shared/eval-dev`` is beside the repository, else
from ``raw/``. Each generated document is a window of a real dump with its paragraphs lightly reshuffled and a
numbered line added, so no two documents are identical (dedup must not make the benchmark trivially cheap).

    python bench/corpus.py OUT_DIR --docs 20000
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_DUMPS = ROOT.parent / "shared" / "eval-dev" / "boilerplate" / "text"
DOC_BYTES = 5000
MOJIBAKE_SHARE = 0.1


def load_templates() -> list[str]:
    folder = DEV_DUMPS if DEV_DUMPS.is_dir() else ROOT / "raw"
    if folder != DEV_DUMPS:  # a checkout elsewhere (a git worktree): say so, the corpus is not the usual one
        print(f"note: {DEV_DUMPS} not found; the corpus is made from {folder} instead", file=sys.stderr)
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    return [t for t in texts if len(t) > 1500]


def make_document(template: str, rng: random.Random, index: int) -> str:
    lines = template.splitlines()
    start = rng.randrange(0, max(1, len(lines) - 10))
    out: list[str] = []
    size = 0
    for line in lines[start:] + lines[:start]:
        out.append(line)
        size += len(line.encode("utf-8")) + 1
        if size >= DOC_BYTES:
            break
    middle = out[2:-2]
    rng.shuffle(middle)
    body = "\n".join([*out[:2], *middle, *out[-2:], f"Document {index} of the benchmark corpus."])
    if rng.random() < MOJIBAKE_SHARE:
        body = body.encode("utf-8").decode("cp1252", errors="replace")
    return body


def generate(out_dir: Path, docs: int, seed: int = 0) -> Path:
    """Write ``docs`` documents below ``out_dir`` (in subfolders of 1,000) and return ``out_dir``."""
    rng = random.Random(seed)
    templates = load_templates()
    for index in range(docs):
        folder = out_dir / f"{index // 1000:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = make_document(rng.choice(templates), rng, index)
        (folder / f"doc-{index:07d}.txt").write_text(text, encoding="utf-8")
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generate(args.out, args.docs, args.seed)


if __name__ == "__main__":
    main()
