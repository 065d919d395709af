"""Explain boilerplate errors on an evaluation set: for every gold snippet that was lost (``with``) or kept
(``without``), the line that holds it, the reason it was removed, and the line model's keep probability.

    python bench/explain_boilerplate.py ../shared/eval-dev/boilerplate [--limit 40] [--kind fn|fp]

A tuning aid: it shows which signal is wrong, so that fixes are made to the signal, not to the pages.

    python bench/explain_boilerplate.py ../shared/eval-dev/boilerplate --compare BEFORE AFTER

compares two outputs of the whole pipeline on the set (``bench/evaluate.py --work DIR`` leaves them in
``DIR/boilerplate``): the pages whose counts changed, and a bootstrap interval of the F1 difference that resamples
sites (the gold's ``site``), each site's pages paired before and after: a gain must hold across sites, not come
from one page.
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
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"), help="two outputs to compare")
    parser.add_argument("--rounds", type=int, default=10000, help="bootstrap rounds for --compare")
    args = parser.parse_args()
    if args.compare:
        compare(args.folder, *args.compare, args.rounds)
        return
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


def page_counts(folder: Path, output: Path) -> dict[str, tuple[str, int, int, int]]:
    """Per page of the set: its site and (tp, fp, fn), scored as the set's scorer scores (NFC, whitespace runs
    collapsed; a page without output loses its ``with`` snippets)."""
    import pyarrow.parquet as pq

    texts: dict[str, list[str]] = {}
    for part in sorted(output.rglob("documents/*.parquet")):
        for row in pq.read_table(part, columns=["source", "text"]).to_pylist():
            texts.setdefault(row["source"].rsplit(".", 1)[0], []).append(row["text"])
    counts = {}
    for row in map(json.loads, (folder / "gold.jsonl").read_text().splitlines()):
        text = norm("\n".join(texts[row["name"]])) if row["name"] in texts else None
        found = [text is not None and norm(snippet) in text for snippet in row["with"]]
        kept = sum(text is not None and norm(snippet) in text for snippet in row["without"])
        counts[row["name"]] = (row.get("site") or row["name"], sum(found), kept, len(found) - sum(found))
    return counts


def compare(folder: Path, before: Path, after: Path, rounds: int, seed: int = 0) -> None:
    """The pages whose counts differ, the totals, and a per-site paired bootstrap of the F1 difference."""
    import numpy as np

    old, new = page_counts(folder, before), page_counts(folder, after)
    sites = sorted({site for site, *_ in old.values()})
    where = {site: i for i, site in enumerate(sites)}
    totals = np.zeros((2, len(sites), 3))
    for name, (site, *counts) in old.items():
        totals[0, where[site]] += counts
        totals[1, where[site]] += new[name][1:]
        if tuple(counts) != new[name][1:]:
            print(f"  {name}: (tp, fp, fn) {tuple(counts)} -> {new[name][1:]}")

    def f1(tp_fp_fn: np.ndarray) -> np.ndarray:
        tp, fp, fn = np.moveaxis(tp_fp_fn, -1, 0)
        return 2 * tp / np.maximum(2 * tp + fp + fn, 1)

    for label, side in (("before", totals[0]), ("after", totals[1])):
        tp, fp, fn = side.sum(axis=0)
        print(f"{label:6} P {tp / max(tp + fp, 1):.4f} R {tp / max(tp + fn, 1):.4f} F1 {f1(side.sum(axis=0)):.4f}"
              f" (tp {tp:.0f} fp {fp:.0f} fn {fn:.0f})")  # fmt: skip
    draws = np.random.default_rng(seed).integers(0, len(sites), size=(rounds, len(sites)))
    weights = np.stack([np.bincount(draw, minlength=len(sites)) for draw in draws]).astype(float)
    differences = f1(weights @ totals[1]) - f1(weights @ totals[0])
    low, high = np.percentile(differences, [2.5, 97.5])
    point = f1(totals[1].sum(axis=0)) - f1(totals[0].sum(axis=0))
    print(
        f"per-site bootstrap ({len(sites)} sites, {rounds} rounds) F1 difference {point:+.4f} [{low:+.4f}, {high:+.4f}]"
    )


if __name__ == "__main__":
    main()
