"""The spacing step on text that is not damaged: every space it puts in is a candidate false split.

    python bench/spacing_splits.py [--eval ../shared/eval-dev] [--work /tmp/cleaner-bench] [--docs 4000] [--show 40]

Text: the pages of the benchmark corpus (bench/corpus.py, made from the development page dumps; generated once in
--work), the original paragraphs of the mojibake set, the untouched ("negative") paragraphs of the spaces set, and
English written outside the development set: the topics of Python's own help (``pydoc_data``) and the long
descriptions of the installed packages, technical prose full of code names ("``pathlib.Path``", "docstring") that
a page of documentation holds too, with no missing space to repair but the authors' own.
Each document goes through repair, whitespace, language and spacing as cleaner.toml sets them (the steps spacing
depends on; boilerplate is left out so that every line is judged), and each space spacing put in (its edits) is
counted, by source and kind (``punctuation``: after a mark, ``glued``: inside a token), then the most frequent
distinct ones are listed with their language. Page dumps hold real glue too (menu items run together,
``articleButterfield``): a split is a candidate, to be read, not an error by itself. Run it on two checkouts to
compare.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval-dev")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-bench")
    parser.add_argument("--docs", type=int, default=4000, help="pages of the benchmark corpus")
    parser.add_argument("--show", type=int, default=40, help="distinct splits to list")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import tomllib

    from throughput import corpus

    from cleaner.config import parse
    from cleaner.document import Document
    from cleaner.pipeline import build_steps

    settings = tomllib.loads((ROOT / "cleaner.toml").read_text(encoding="utf-8"))  # the repository's settings
    settings["pipeline"] = ["repair", "whitespace", "language", "spacing"]
    steps = build_steps(parse(settings))
    for step in steps:
        step.prepare()

    texts: list[tuple[str, str]] = []
    folder, _ = corpus(args.work, max(4000, args.docs))
    texts += [("benchmark pages", p.read_text(encoding="utf-8")) for p in sorted(folder.rglob("*.txt"))[: args.docs]]
    for row in map(json.loads, (args.eval / "mojibake" / "gold.jsonl").read_text(encoding="utf-8").splitlines()):
        texts.append(("mojibake originals", "\n\n".join(p["original"] for p in row["paragraphs"])))
    for row in map(json.loads, (args.eval / "spaces" / "gold.jsonl").read_text(encoding="utf-8").splitlines()):
        negatives = [p["original"] for p in row["paragraphs"] if p.get("kind") == "negative"]
        texts.append(("spaces negatives", "\n\n".join(negatives)))

    texts += [("python help and package descriptions", text) for text in _python_texts()]

    counts: Counter[tuple[str, str]] = Counter()
    distinct: Counter[tuple[str, str, str, str]] = Counter()
    for source, text in texts:
        doc = Document(id="x", text=text, source="x")
        for step in steps:
            doc = step.apply(doc)
            if not isinstance(doc, Document):
                break
        else:
            for edit in doc.edits:
                if edit.step == "spacing":
                    counts[source, edit.kind] += 1
                    distinct[doc.metadata.get("language") or "?", edit.kind, edit.before, edit.after] += 1
    for source in dict.fromkeys(source for source, _ in texts):
        n = sum(1 for s, _ in texts if s == source)
        print(f"{source} ({n} documents): glued {counts[source, 'glued']}, punctuation {counts[source, 'punctuation']}")
    print(f"distinct splits: {len(distinct)}")
    for (language, kind, before, after), n in distinct.most_common(args.show):
        print(f"  {n:4}  {language}  {kind:11}  {before!r} -> {after!r}")


def _python_texts() -> list[str]:
    """Undamaged English from outside the development set that every Python installation has."""
    from importlib import metadata
    from pydoc_data.topics import topics

    descriptions = (dist.metadata.get_payload() or "" for dist in metadata.distributions())  # type: ignore[attr-defined]
    return list(topics.values()) + sorted(text for text in descriptions if text)


if __name__ == "__main__":
    main()
