"""Explain boilerplate errors on an evaluation set: for every gold snippet that was lost (``with``) or kept
(``without``), the line that holds it, the reason it was removed, and the line model's keep probability.

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
    before = [steps[name] for name in ("repair", "whitespace", "pii")]  # what runs before boilerplate
    boilerplate = steps["boilerplate"]
    from cleaner.document import Document

    tally: Counter[str] = Counter()
    shown = 0
    for row in map(json.loads, (args.folder / "gold.jsonl").read_text().splitlines()):
        path = args.folder / "text" / f"{row['name']}.txt"
        doc = Document(id="x", text=path.read_text(encoding="utf-8"), source=path.name)
        for step in before:
            doc = step.apply(doc)
        texts = doc.text.split("\n")
        trace: list = []
        reasons = boilerplate.removals(texts, True, "", trace).reasons
        probability: dict[int, float] = {}  # the line model's keep probability, at the last pass that asked it
        for index, matrix, asked in trace:
            for i, ask, p in zip(index, asked, boilerplate.model.keep_probabilities(matrix).tolist(), strict=True):
                if ask:
                    probability[i] = p
        snippets = row["with"] if args.kind == "fn" else row["without"]
        for snippet in snippets:
            target = norm(snippet)
            holder = next((i for i, text in enumerate(texts) if target in norm(text)), None)
            if holder is None:
                continue
            removed = holder in reasons
            if removed != (args.kind == "fn"):
                continue
            key = reasons[holder] if removed else "kept"
            tally[key] += 1
            if shown < args.limit:
                shown += 1
                p = f"{probability[holder]:.2f}" if holder in probability else "-"
                print(f"[{key}] {row['name'][:30]} L{holder} p(keep)={p} | {texts[holder].strip()[:150]}")
    print(tally.most_common())


if __name__ == "__main__":
    main()
