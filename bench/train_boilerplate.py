"""Train the boilerplate line model (``cleaner/boilerplate/model.py``) on an evaluation set with gold snippets.

    pip install -e ".[train]"
    python bench/train_boilerplate.py ../shared/eval-dev/boilerplate [--write]

Each page dump goes through the steps that run before boilerplate removal (repair, whitespace, pii). A line
holding a ``with`` snippet is an example of a line to keep, one holding a ``without`` snippet of a line to remove;
lines that rules, repetition or the title rule decide are left out (the model is not asked about them).

The step analyses a page again after each removal until nothing more goes, so the model also meets pages that
are already partly cleaned: after a first fit on the first pass, the lines as the later passes see them are added
and the model is fitted again. Five-fold cross-validation by page runs the real step, with each fold's model, on
the pages that fold did not train on, and prints snippet-level precision, recall and F1 beside the fixed rule the
model replaces (``decision = "regions"``), then F1 per fold and a 95 % interval over pages drawn with replacement:
how much of a difference between two runs is only the sample. ``--write`` fits on every page and writes the
weights to ``cleaner/data/boilerplate/line_model.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from cleaner import config as config_module
from cleaner.boilerplate.model import FEATURES, LineModel, parse_model
from cleaner.document import Document
from cleaner.pipeline import build_steps
from cleaner.steps.boilerplate import Boilerplate, BoilerplateConfig

ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = ROOT / "cleaner" / "data" / "boilerplate" / "line_model.json"
FOLDS = 5
BEFORE = ["repair", "whitespace", "pii"]  # the steps that run before boilerplate in the default pipeline


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@dataclass
class Page:
    texts: list[str]
    snippets: list[tuple[int, list[int]]]  # (1 keep / 0 remove, the lines holding the snippet)

    @property
    def labels(self) -> dict[int, int]:
        return {i: label for label, holders in self.snippets for i in holders}


def load_pages(folder: Path) -> list[Page]:
    steps = build_steps(config_module.parse({"pipeline": BEFORE}))
    pages = []
    rows = sorted(map(json.loads, (folder / "gold.jsonl").read_text().splitlines()), key=lambda r: r["name"])
    for row in rows:
        path = folder / "text" / f"{row['name']}.txt"
        doc = Document(id="x", text=path.read_text(encoding="utf-8"), source=path.name)
        for step in steps:
            doc = step.apply(doc)
        texts = doc.text.split("\n")
        normed = [norm(text) for text in texts]
        snippets = []
        for label, key in ((1, "with"), (0, "without")):
            for snippet in row[key]:
                target = norm(snippet)
                snippets.append((label, [i for i, text in enumerate(normed) if target and target in text]))
        pages.append(Page(texts, snippets))
    return pages


THRESHOLDS: dict[str, float] = {}  # overrides of the step's model_* thresholds, from the command line


def step_with(model: LineModel | None, decision: str = "model") -> Boilerplate:
    step = Boilerplate(BoilerplateConfig(decision=decision, **THRESHOLDS))
    if model is not None:
        step.__dict__["model"] = replace(  # the cached property, set directly
            model,
            threshold=step.config.model_threshold,
            outside_threshold=step.config.model_outside_threshold,
            heading_threshold=step.config.model_heading_threshold,
        )
    return step


def examples(pages: list[Page], step: Boilerplate, first_pass_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """The labelled lines the model is asked about, as the step's passes see them."""
    x, y = [], []
    for page in pages:
        labels = page.labels
        trace: list = []
        if first_pass_only:
            trace.append(step.model_input(step.signals(page.texts)))
        else:
            step.removals(page.texts, True, "", trace)
        for index, matrix, asked in trace:
            for row, (i, ask) in enumerate(zip(index, asked, strict=True)):
                if ask and i in labels:
                    x.append(matrix[row])
                    y.append(labels[i])
    return np.array(x), np.array(y)


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[LineModel, dict]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    regression = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x), y)
    record = {
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scaler.scale_],
        "coef": [round(float(v), 6) for v in regression.coef_[0]],
        "intercept": round(float(regression.intercept_[0]), 6),
    }
    return parse_model(record, "training"), record


def train(pages: list[Page], c: float) -> tuple[LineModel, dict, int]:
    """Fit on the first pass, then again with the lines of every pass the first model's step makes."""
    first, _ = fit(*examples(pages, step_with(None, "regions"), first_pass_only=True), c)
    x, y = examples(pages, step_with(first), first_pass_only=False)
    model, record = fit(x, y, c)
    return model, record, len(y)


def kept_lines(page: Page, step: Boilerplate) -> set[int]:
    reasons = step.removals(page.texts, True, "").reasons
    return {i for i, text in enumerate(page.texts) if text.strip() and i not in reasons}


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


def _spread(pages: list[Page], kept: list[set[int]], draws: int = 1000) -> str:
    """How far the CV figure would move on another sample of pages: F1 on each fold's pages, and the 95 %
    interval of F1 over pages drawn with replacement. A change smaller than this spread is not shown to help."""
    folds = [
        snippet_scores([pages[n] for n in members], [kept[n] for n in members])[2]
        for members in (range(fold, len(pages), FOLDS) for fold in range(FOLDS))
    ]
    rng = np.random.default_rng(0)
    sampled = []
    for _ in range(draws):
        members = rng.integers(0, len(pages), len(pages))
        sampled.append(snippet_scores([pages[n] for n in members], [kept[n] for n in members])[2])
    low, high = np.percentile(sampled, [2.5, 97.5])
    per_fold = " ".join(f"{f1:.3f}" for f1 in folds)
    return f"  F1 per fold: {per_fold}; 95 % interval over resampled pages: {low:.3f}-{high:.3f}"


def _figures(scores: tuple[float, float, float]) -> str:
    return "P {:.3f} R {:.3f} F1 {:.3f}".format(*scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--threshold", type=float, help="override model_threshold (inside the regions)")
    parser.add_argument("--outside-threshold", type=float, help="override model_outside_threshold")
    parser.add_argument("--heading-threshold", type=float, help="override model_heading_threshold")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    for name in ("threshold", "outside_threshold", "heading_threshold"):
        if getattr(args, name) is not None:
            THRESHOLDS[f"model_{name}"] = getattr(args, name)
    pages = load_pages(args.folder)
    regions = step_with(None, "regions")
    print("fixed rule (regions):  " + _figures(snippet_scores(pages, [kept_lines(p, regions) for p in pages])))
    kept: list[set[int]] = [set()] * len(pages)
    for fold in range(FOLDS):
        model, _, _ = train([p for n, p in enumerate(pages) if n % FOLDS != fold], args.c)
        step = step_with(model)
        for n, page in enumerate(pages):
            if n % FOLDS == fold:
                kept[n] = kept_lines(page, step)
    print(f"line model, {FOLDS}-fold CV: " + _figures(snippet_scores(pages, kept)))
    print(_spread(pages, kept))
    if not args.write:
        return
    _, record, lines = train(pages, args.c)
    defaults = BoilerplateConfig(**THRESHOLDS)
    record = {
        "about": "Boilerplate line model: logistic regression, trained by bench/train_boilerplate.py",
        "training": {"pages": len(pages), "lines": lines, "C": args.c},
        **record,
        "threshold": defaults.model_threshold,
        "outside_threshold": defaults.model_outside_threshold,
        "heading_threshold": defaults.model_heading_threshold,
    }
    MODEL_PATH.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({lines} line observations from {len(pages)} pages)")


if __name__ == "__main__":
    main()
