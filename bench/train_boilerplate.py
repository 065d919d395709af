"""Train the boilerplate line model (``cleaner/boilerplate/model.py``) on an evaluation set with gold snippets.

    pip install -e ".[train]"
    python bench/train_boilerplate.py ../shared/eval-dev/boilerplate [--write]

Each page dump goes through the whitespace step and the boilerplate step's signals. A line holding a ``with``
snippet is an example of a line to keep, one holding a ``without`` snippet of a line to remove; lines that rules or
repetition already remove are left out (the model is not asked about them). Five-fold cross-validation by page
prints snippet-level precision, recall and F1 on the pages each fold did not train on, beside the fixed rule the
model replaces (``decision = "regions"``), so the figure that matters is the one on unseen pages. ``--write`` fits
on every page and writes the weights to ``cleaner/data/boilerplate/line_model.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleaner import config as config_module
from cleaner.boilerplate.model import FEATURES, article_heading, line_vectors
from cleaner.document import Document
from cleaner.pipeline import build_steps
from cleaner.steps.boilerplate import BoilerplateConfig

ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = ROOT / "cleaner" / "data" / "boilerplate" / "line_model.json"
FOLDS = 5
INSIDE = (FEATURES.index("main_region"), FEATURES.index("extra_region"))


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@dataclass
class Page:
    vectors: dict[int, list[float]]
    decided: set[int]  # lines decided before the model is asked (rules, repetition, titles)
    titles: set[int]  # of those, the ones kept
    headings: set[int]  # headings inside the main region: kept on weaker evidence
    regions_kept: set[int]  # lines the fixed rule keeps
    snippets: list[tuple[int, list[int]]]  # (1 keep / 0 remove, the lines holding the snippet)


def load_pages(folder: Path) -> list[Page]:
    config = config_module.parse({"steps": {"boilerplate": {"decision": "regions"}}})
    steps = {s.name: s for s in build_steps(config)}
    whitespace, boilerplate = steps["whitespace"], steps["boilerplate"]
    pages = []
    rows = sorted(map(json.loads, (folder / "gold.jsonl").read_text().splitlines()), key=lambda r: r["name"])
    for row in rows:
        path = folder / "text" / f"{row['name']}.txt"
        texts = whitespace.apply(Document(id="x", text=path.read_text(encoding="utf-8"), source=path.name)).text
        found = boilerplate.signals(texts.split("\n"))
        # Removed by rules or repetition, or kept as a title: the model is not asked about these lines.
        decided = {line.index for line in found.lines if line.reason is not None or found.layout.title[line.index]}
        titles = {i for i, title in enumerate(found.layout.title) if title and found.lines[i].reason is None}
        vectors = line_vectors(found.lines, found.first_classes, found.layout)
        headings = {line.index for line in found.lines if not line.blank and article_heading(line, found.layout)}
        regions = boilerplate.analyse(texts.split("\n"))
        kept = {line.index for line in regions if not line.blank and line.reason is None}
        normed = [norm(line.text) for line in found.lines]
        snippets = []
        for label, key in ((1, "with"), (0, "without")):
            for snippet in row[key]:
                target = norm(snippet)
                snippets.append((label, [i for i, text in enumerate(normed) if target and target in text]))
        pages.append(Page(vectors, decided, titles, headings, kept, snippets))
    return pages


def examples(pages: list[Page]) -> tuple[np.ndarray, np.ndarray]:
    x, y = [], []
    for page in pages:
        for label, holders in page.snippets:
            for i in holders:
                if i not in page.decided and i in page.vectors:
                    x.append(page.vectors[i])
                    y.append(label)
    return np.array(x), np.array(y)


def snippet_scores(pages: list[Page], kept: list[set[int]]) -> tuple[float, float, float]:
    tp = fn = fp = 0
    for page, keep in zip(pages, kept, strict=True):
        for label, holders in page.snippets:
            found = any(i in keep for i in holders)
            tp += label and found
            fn += label and not found
            fp += (not label) and found
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


def fit(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    return scaler, LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x), y)


def model_kept(page: Page, scaler, model, thresholds: tuple[float, float, float]) -> set[int]:
    lines = [i for i in page.vectors if i not in page.decided]
    if not lines:
        return set(page.titles)
    probability = model.predict_proba(scaler.transform(np.array([page.vectors[i] for i in lines])))[:, 1]
    inside, outside, heading = thresholds

    def needed(i: int) -> float:
        return heading if i in page.headings else inside if _inside(page, i) else outside

    return page.titles | {i for i, p in zip(lines, probability, strict=True) if p >= needed(i)}


def _inside(page: Page, line: int) -> bool:
    vector = page.vectors[line]
    return bool(vector[INSIDE[0]] or vector[INSIDE[1]])


def _figures(scores: tuple[float, float, float]) -> str:
    return "P {:.3f} R {:.3f} F1 {:.3f}".format(*scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    defaults = BoilerplateConfig()
    parser.add_argument("--threshold", type=float, default=defaults.model_threshold)
    parser.add_argument("--outside-threshold", type=float, default=defaults.model_outside_threshold)
    parser.add_argument("--heading-threshold", type=float, default=defaults.model_heading_threshold)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    pages = load_pages(args.folder)
    print("fixed rule (regions):  " + _figures(snippet_scores(pages, [p.regions_kept for p in pages])))
    thresholds = (args.threshold, args.outside_threshold, args.heading_threshold)
    kept: list[set[int]] = [set()] * len(pages)
    for fold in range(FOLDS):
        train = [p for n, p in enumerate(pages) if n % FOLDS != fold]
        scaler, model = fit(*examples(train), args.c)
        for n, page in enumerate(pages):
            if n % FOLDS == fold:
                kept[n] = model_kept(page, scaler, model, thresholds)
    print(f"line model, {FOLDS}-fold CV: " + _figures(snippet_scores(pages, kept)))
    if not args.write:
        return
    x, y = examples(pages)
    scaler, model = fit(x, y, args.c)
    record = {
        "about": "Boilerplate line model: logistic regression, trained by bench/train_boilerplate.py",
        "training": {"pages": len(pages), "lines": len(y), "keep_share": round(float(y.mean()), 4), "C": args.c},
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scaler.scale_],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": args.threshold,
        "outside_threshold": args.outside_threshold,
        "heading_threshold": args.heading_threshold,
    }
    MODEL_PATH.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({len(y)} lines from {len(pages)} pages)")


if __name__ == "__main__":
    main()
