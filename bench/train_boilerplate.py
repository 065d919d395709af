"""Train the boilerplate line model (``cleaner/boilerplate/model.py``) on an evaluation set with gold snippets.

    pip install -e ".[train]"
    python bench/train_boilerplate.py ../shared/eval-dev/boilerplate [--write]

Each page dump goes through the steps that run before boilerplate removal (repair, whitespace, pii). A line
holding a ``with`` snippet is an example of a line to keep, one holding a ``without`` snippet of a line to remove;
lines that rules, repetition or the title rule decide are left out (the model is not asked about them).

The step analyses a page again after each removal until nothing more goes, so the model also meets pages that
are already partly cleaned: after a first fit on the first pass, the lines as the later passes see them are added
and the model is fitted again.

Cross-validation is grouped by site (the URL's host, as the held-out set is split): pages of one site share their
template, so a fold whose test pages had siblings in training would measure memory, not generalisation. Five folds
run the real step, with each fold's model, on the sites that fold did not train on, and print snippet-level
precision, recall and F1 beside the fixed rule the model replaces (``decision = "regions"``), each with its 95 %
interval over sites drawn with replacement (``--by-page`` gives the old page-wise folds, for comparison). Which
sites share a fold moves F1 by about 0.01 on its own (0.886-0.898 over four draws on the development set), so the
CV is repeated over ``--repeats`` draws of the folds (default 3) and the counts summed.
Besides the overall figures it prints F1 per fold with their mean and spread, and precision and recall per language
(the gold's ``lang``; "und" where the page declares none). ``--errors FILE`` writes every snippet the first repeat got
wrong (a ``with`` snippet lost: fn, a ``without`` snippet kept: fp) with its line, the reason it went, the fold
model's keep probability on the first pass and the lines around it, to read the errors by kind.
``--sweep "0.5,0.7,0.25;…"`` scores each fold's model with other thresholds too (inside a region, outside, an
article heading), each with its paired difference to the configured ones.
``--save FILE`` keeps the per-page counts; ``--baseline FILE`` prints the paired difference to a saved run, with its
interval over the same resampled sites: a change is shown to help only when that interval lies above zero.
``--fold-models FILE`` keeps each fold's model, named by its training pages, ``C`` and the thresholds (read from
FILE when it holds it, else trained and added there): a change to the rules or the structure, scored with the fold
models trained before it, shows its own effect, without the noise of retraining on the examples it changes (about
±0.002 F1 on pages it does not touch).
``--write`` fits on every page and writes the weights to ``cleaner/data/boilerplate/line_model.json``
(``--repeats 0 --write``: without the CV), with the commit of the code that trained them (``training.code``; "-dirty"
when the checkout had changes). The fit is deterministic, but its examples are the lines the step asks the model
about, so every change to the rules, the steps before boilerplate or the features changes them: a model is
reproduced byte for byte only by the code it names (the shipped model, trained at e373029 from 2,922 observations,
is; the code of 5be7609 makes 2,900 of the same pages, the rules and the soft-hyphen handling having changed since).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from cleaner import config as config_module
from cleaner.boilerplate.model import FEATURES, LineModel, parse_model
from cleaner.document import Document
from cleaner.pipeline import build_steps
from cleaner.steps.boilerplate import Boilerplate, BoilerplateConfig
from cleaner.survey import SOFT_HYPHEN

ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = ROOT / "cleaner" / "data" / "boilerplate" / "line_model.json"
FOLDS = 5
BEFORE = ["repair", "whitespace", "pii"]  # the steps that run before boilerplate in the default pipeline


def norm(text: str) -> str:
    """A line or snippet as matched: NFC, whitespace runs collapsed, soft hyphens out. The gold is written without
    them, while the text keeps them (the whitespace step's default since soft hyphens are kept): matched as it
    stands, every line of a hyphenated page lost its label, and the model its examples."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).replace(SOFT_HYPHEN, "")).strip()


@dataclass
class Page:
    name: str
    texts: list[str]
    site: str
    snippets: list[tuple[int, list[int]]]  # (1 keep / 0 remove, the lines holding the snippet)
    lang: str = ""

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
        pages.append(Page(row["name"], texts, site_of(row), snippets, row.get("lang") or "und"))
    return pages


THRESHOLDS: dict[str, float] = {}  # overrides of the step's model_* thresholds, from the command line


def step_with(model: LineModel | None, decision: str = "model") -> Boilerplate:
    step = Boilerplate(BoilerplateConfig(decision=decision, **THRESHOLDS))
    # Without a model (the fixed rule, which asks none), a blank one: the shipped model may be of other features
    # (the very change being trained), and must not stop its own retraining.
    model = model or LineModel((0.0,) * len(FEATURES), 0.0, 0.5, 0.5, 0.5)
    step.__dict__["model"] = replace(  # the cached property, set directly
        model,
        threshold=step.config.model_threshold,
        outside_threshold=step.config.model_outside_threshold,
        heading_threshold=step.config.model_heading_threshold,
    )
    return step


def sweep_step(model: LineModel, triple: tuple[float, float, float]) -> Boilerplate:
    """The step with ``model`` and other thresholds (inside a region, outside, for an article heading)."""
    inside, outside, heading = triple
    config = BoilerplateConfig(model_threshold=inside, model_outside_threshold=outside, model_heading_threshold=heading)
    step = Boilerplate(replace(config, **{k: v for k, v in THRESHOLDS.items() if not k.startswith("model_")}))
    step.__dict__["model"] = replace(model, threshold=inside, outside_threshold=outside, heading_threshold=heading)
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


def kept_lines(page: Page, step: Boilerplate, reasons: dict[int, str] | None = None) -> set[int]:
    """The non-blank lines ``step`` keeps of ``page``; ``reasons`` receives why each other line went."""
    removed = step.removals(page.texts, True, "").reasons
    if reasons is not None:
        reasons.update(removed)
    return {i for i, text in enumerate(page.texts) if text.strip() and i not in removed}


def snippet_outcomes(page: Page, keep: set[int], reasons: dict[int, str], lang: str, step: Boilerplate) -> list[dict]:
    """One record per gold snippet of ``page`` that the step got wrong: a ``with`` snippet lost (fn) or a ``without``
    snippet kept (fp), with the line holding it, why it went, the keep probability ``step``'s model gave it on the
    first pass (None for a line it was not asked about: a rule, the repetition or the title decided it) and the
    ``CONTEXT`` non-blank lines on either side, each as "kept" or its reason, its gold label and its text. The
    errors left are of layouts (a teaser's blurb, a spec table, a bio under its heading): read alone, a line says
    little of which it is."""
    wrong = []
    probabilities: dict[int, float] | None = None
    for label, holders in page.snippets:
        found = any(i in keep for i in holders)
        if holders and found != bool(label):
            if probabilities is None:
                index, matrix, asked = step.model_input(step.signals(page.texts))
                chances = step.model.keep_probabilities(matrix).tolist()
                probabilities = {i: p for i, p, ask in zip(index, chances, asked, strict=True) if ask}
            line = next((i for i in holders if (i in keep) == found), holders[0])
            wrong.append(
                {
                    "page": page.name,
                    "site": page.site,
                    "lang": lang,
                    "error": "fp" if found else "fn",
                    "reason": reasons.get(line, "kept"),
                    "line": line,
                    "text": page.texts[line].strip()[:200],
                    "keep_probability": round(probabilities[line], 3) if line in probabilities else None,
                    "context": _context(page, line, keep, reasons),
                }
            )
    return wrong


CONTEXT = 4  # the non-blank lines on either side of a wrong snippet's line that --errors writes


def _context(page: Page, line: int, keep: set[int], reasons: dict[int, str]) -> list[list]:
    """The ``CONTEXT`` non-blank lines above and below ``line`` as ``[offset, "kept" or the reason it went, gold
    label (1 keep, 0 remove, None), text]``, the line itself at offset 0."""
    labels = page.labels
    filled = [i for i, text in enumerate(page.texts) if text.strip()]
    at = filled.index(line) if line in filled else 0
    return [
        [i - line, "kept" if i in keep else reasons.get(i, "?"), labels.get(i), page.texts[i].strip()[:120]]
        for i in filled[max(0, at - CONTEXT) : at + CONTEXT + 1]
    ]


def page_counts(page: Page, keep: set[int]) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of one page's snippets."""
    tp = fp = fn = 0
    for label, holders in page.snippets:
        found = any(i in keep for i in holders)
        tp += label and found
        fn += label and not found
        fp += (not label) and found
    return tp, fp, fn


def scores(counts: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 from summed (tp, fp, fn)."""
    tp, fp, fn = counts
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


def snippet_scores(pages: list[Page], kept: list[set[int]]) -> tuple[float, float, float]:
    return scores(np.sum([page_counts(page, keep) for page, keep in zip(pages, kept, strict=True)], axis=0))


def site_draws(pages: list[Page], draws: int = 1000) -> list[np.ndarray]:
    """``draws`` resamples of the sites with replacement, each as the page indices of the sites drawn (seeded: two
    runs compared on the same draws)."""
    by_site: dict[str, list[int]] = {}
    for n, page in enumerate(pages):
        by_site.setdefault(page.site, []).append(n)
    members = [np.array(by_site[site]) for site in sorted(by_site)]
    rng = np.random.default_rng(0)
    return [np.concatenate([members[k] for k in rng.integers(0, len(members), len(members))]) for _ in range(draws)]


def interval(counts: np.ndarray, draws: list[np.ndarray], baseline: np.ndarray | None = None) -> np.ndarray:
    """95 % interval of (P, R, F1) over the resampled sites (rows: low, high); of the difference to ``baseline``'s
    figures on the same draws when given."""
    sampled = []
    for members in draws:
        figures = np.array(scores(counts[members].sum(axis=0)))
        if baseline is not None:
            figures -= np.array(scores(baseline[members].sum(axis=0)))
        sampled.append(figures)
    return np.percentile(np.array(sampled), [2.5, 97.5], axis=0)


def site_of(row: dict) -> str:
    """The host a page comes from (``www.`` dropped; an archived page's original host), else the gold's site, else
    the host its name starts with (``pcgamer.com.skyrim``, ``elheraldo.hn-JOH``)."""
    url = row.get("url") or ""
    archived = re.match(r"https?://web\.archive\.org/web/[^/]+/(.+)", url)
    host = urlsplit(archived.group(1) if archived else url).hostname or row.get("site") or ""
    if not host:
        labels = row["name"].split("-")[0].split(".")
        while len(labels) > 2 and not (labels[-1].isalpha() and labels[-1].islower() and len(labels[-1]) <= 3):
            labels.pop()  # a word of the title after the host
        host = ".".join(labels)
    return host.lower().removeprefix("www.")


def folds_by(pages: list[Page], by_page: bool, repeat: int = 0) -> list[int]:
    """Each page's fold: grouped by site (the sites shuffled with seed ``repeat``, then dealt to the folds in turn,
    so no site is in two folds), or page by page in name order (the old, optimistic split)."""
    if by_page:
        return [n % FOLDS for n in range(len(pages))]
    sites = sorted({page.site for page in pages})
    order = np.random.default_rng(repeat).permutation(len(sites))
    fold_of_site = {sites[k]: rank % FOLDS for rank, k in enumerate(order)}
    return [fold_of_site[page.site] for page in pages]


def _figures(values, low, high, sign: str = "") -> str:
    """``P 0.900 (0.880 to 0.920) R …``: each figure with its interval."""
    rows = zip(("P", "R", "F1"), values, low, high, strict=True)
    return " ".join(f"{name} {v:{sign}.3f} ({lo:{sign}.3f} to {hi:{sign}.3f})" for name, v, lo, hi in rows)


def fold_key(training: list[Page], c: float) -> str:
    """What names a fold's model among kept ones: the pages it was trained on, ``C`` and the thresholds (the second
    fit learns from the lines the first model's step, with those thresholds, leaves to it). A changed set of pages
    deals other folds, and a model kept from before would then be tested on pages it was trained on."""
    names = "\n".join([*sorted(page.name for page in training), *map(str, sorted(THRESHOLDS.items()))])
    return f"C={c} " + hashlib.blake2b(names.encode(), digest_size=8).hexdigest()


def code_version() -> str:
    """The commit of this checkout ("-dirty" with uncommitted changes), "unknown" outside a git checkout."""
    import subprocess

    try:
        found = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=7"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return found.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--threshold", type=float, help="override model_threshold (inside the regions)")
    parser.add_argument("--outside-threshold", type=float, help="override model_outside_threshold")
    parser.add_argument("--heading-threshold", type=float, help="override model_heading_threshold")
    parser.add_argument("--by-page", action="store_true", help="folds by page, not by site (the old, optimistic CV)")
    parser.add_argument(
        "--repeats", type=int, default=3, help="site-grouped CV repeated with other fold draws (0: no CV, with --write)"
    )
    parser.add_argument("--save", type=Path, help="write the CV's per-page counts here (JSON)")
    parser.add_argument("--baseline", type=Path, help="a --save file: print the paired difference to it")
    parser.add_argument(
        "--sweep",
        help='other thresholds to score each fold\'s model with: "inside,outside,heading;…" (e.g. "0.5,0.7,0.25")',
    )
    parser.add_argument("--errors", type=Path, help="write the CV's wrong snippets here (JSON Lines, first repeat)")
    parser.add_argument("--fold-models", type=Path, help="fold models: read if the file exists, else written")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    for name in ("threshold", "outside_threshold", "heading_threshold"):
        if getattr(args, name) is not None:
            THRESHOLDS[f"model_{name}"] = getattr(args, name)
    pages = load_pages(args.folder)
    draws = site_draws(pages)
    regions = step_with(None, "regions")
    fixed = np.array([page_counts(page, kept_lines(page, regions)) for page in pages])
    sites = len({page.site for page in pages})
    print(f"{len(pages)} pages from {sites} sites; 95 % intervals over {len(draws)} resamples of the sites")
    print("fixed rule (regions):   " + _figures(scores(fixed.sum(axis=0)), *interval(fixed, draws)))
    if args.by_page or args.repeats > 0:  # --repeats 0 --write: retrain without the CV
        counts = np.zeros((len(pages), 3), dtype=int)  # summed over the repeats: each page is tested once per repeat
        per_fold = []
        wrong: list[dict] = []
        triples = [tuple(map(float, t.split(","))) for t in args.sweep.split(";")] if args.sweep else []
        sweeps = {triple: np.zeros((len(pages), 3), dtype=int) for triple in triples}
        reused = args.fold_models is not None and args.fold_models.exists()
        fold_records = json.loads(args.fold_models.read_text()) if reused else {}
        added = False
        for repeat in range(1 if args.by_page else args.repeats):
            fold_of = folds_by(pages, args.by_page, repeat)
            for fold in range(FOLDS):
                training = [p for n, p in enumerate(pages) if fold_of[n] != fold]
                key = fold_key(training, args.c)
                if key in fold_records:
                    model = parse_model(fold_records[key], f"{args.fold_models}: {key}")
                else:
                    model, fold_records[key], _ = train(training, args.c)
                    added = True
                step = step_with(model)
                tested = [n for n in range(len(pages)) if fold_of[n] == fold]
                found = []
                for n in tested:
                    reasons: dict[int, str] = {}
                    keep = kept_lines(pages[n], step, reasons)
                    found.append(page_counts(pages[n], keep))
                    if repeat == 0:
                        wrong += snippet_outcomes(pages[n], keep, reasons, pages[n].lang, step)
                found = np.array(found)
                counts[tested] += found
                for triple, swept in sweeps.items():
                    other = sweep_step(model, triple)
                    swept[tested] += [page_counts(pages[n], kept_lines(pages[n], other)) for n in tested]
                per_fold.append(scores(found.sum(axis=0))[2])
        if args.fold_models is not None and added:
            args.fold_models.write_text(json.dumps(fold_records) + "\n", encoding="utf-8")
        split = "page" if args.by_page else f"site, {args.repeats} repeat(s)"
        split += f", fold models of {args.fold_models.name}" if reused and not added else ""
        print(
            f"line model, {FOLDS}-fold CV by {split}: " + _figures(scores(counts.sum(axis=0)), *interval(counts, draws))
        )
        print("  F1 per fold: " + " ".join(f"{f1:.3f}" for f1 in per_fold))
        print(
            f"  F1 over folds: mean {np.mean(per_fold):.3f}, sd {np.std(per_fold, ddof=1):.3f}"
            if len(per_fold) > 1
            else ""
        )
        by_lang: dict[str, np.ndarray] = {}
        for n, page in enumerate(pages):
            by_lang[page.lang] = by_lang.get(page.lang, np.zeros(3, dtype=int)) + counts[n]
        print(
            "  per language: "
            + "; ".join(
                f"{lang} ({int(c.sum() // max(1, len(per_fold) // FOLDS))}) P {scores(c)[0]:.3f} R {scores(c)[1]:.3f}"
                for lang, c in sorted(by_lang.items(), key=lambda item: -item[1].sum())
            )
        )
        for (inside, outside, heading), swept in sweeps.items():
            delta = np.array(scores(swept.sum(axis=0))) - np.array(scores(counts.sum(axis=0)))
            print(
                f"  thresholds {inside} / {outside} / {heading}: "
                + _figures(scores(swept.sum(axis=0)), *interval(swept, draws))
            )
            print("    against the above: " + _figures(delta, *interval(swept, draws, counts), sign="+"))
        if args.errors:
            args.errors.write_text("".join(json.dumps(w, ensure_ascii=False) + "\n" for w in wrong), encoding="utf-8")
        if args.baseline:
            saved = json.loads(args.baseline.read_text())
            base = np.array([saved["counts"][page.name] for page in pages])
            delta = np.array(scores(counts.sum(axis=0))) - np.array(scores(base.sum(axis=0)))
            print(f"  against {args.baseline.name}: " + _figures(delta, *interval(counts, draws, base), sign="+"))
        if args.save:
            record = {"split": split, "counts": {page.name: counts[n].tolist() for n, page in enumerate(pages)}}
            args.save.write_text(json.dumps(record, indent=0) + "\n", encoding="utf-8")
    if not args.write:
        return
    _, record, lines = train(pages, args.c)
    defaults = BoilerplateConfig(**THRESHOLDS)
    record = {
        "about": "Boilerplate line model: logistic regression, trained by bench/train_boilerplate.py",
        "training": {"pages": len(pages), "lines": lines, "C": args.c, "code": code_version()},
        **record,
        "threshold": defaults.model_threshold,
        "outside_threshold": defaults.model_outside_threshold,
        "heading_threshold": defaults.model_heading_threshold,
    }
    MODEL_PATH.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({lines} line observations from {len(pages)} pages)")


if __name__ == "__main__":
    main()
