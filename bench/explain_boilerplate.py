"""Explain boilerplate errors on an evaluation set: for every gold snippet that was lost (``with``) or kept
(``without``), the line that holds it, its class and the reason it was removed or kept.

    python bench/explain_boilerplate.py ../shared/eval-dev/boilerplate [--limit 40] [--kind fn|fp]

A tuning aid: it shows which signal is wrong, so that fixes are made to the signal, not to the pages.
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

from cleaner import config as config_module
from cleaner.pipeline import build_steps


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--kind", choices=["fn", "fp"], default="fn")
    args = parser.parse_args()
    config = config_module.parse({})
    steps = {s.name: s for s in build_steps(config)}
    whitespace, boilerplate = steps["whitespace"], steps["boilerplate"]
    from cleaner.document import Document

    tally: Counter[str] = Counter()
    shown = 0
    for row in map(json.loads, (args.folder / "gold.jsonl").read_text().splitlines()):
        path = args.folder / "text" / f"{row['name']}.txt"
        doc = whitespace.apply(Document(id="x", text=path.read_text(encoding="utf-8"), source=path.name))
        lines = boilerplate.analyse(doc.text.split("\n"))
        snippets = row["with"] if args.kind == "fn" else row["without"]
        for snippet in snippets:
            target = norm(snippet)
            holder = next((ln for ln in lines if target in norm(ln.text)), None)
            if holder is None:
                continue
            removed = holder.reason is not None
            if removed != (args.kind == "fn"):
                continue
            key = holder.reason if removed else f"kept:{holder.cls}"
            tally[key] += 1
            if shown < args.limit:
                shown += 1
                print(
                    f"[{key}] {row['name'][:30]} L{holder.index} w={holder.words} sd={holder.stop_density:.2f} "
                    f"| {holder.text[:150]}"
                )
    print(tally.most_common())


if __name__ == "__main__":
    main()
