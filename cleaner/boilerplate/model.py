"""A learned decision for each line: keep it or not, from the signals the other modules compute.

The hand-made signals (jusText classes, the content regions, the title extension, the shape of the line) each see
one side of the question; a fixed rule combining them ("inside a region and not bad") is brittle where they
disagree: an author bio inside the region, an article paragraph cut off by an advertisement block. Here a logistic
regression weighs them, plus the context a region boundary cannot express (how much good text surrounds the line,
how much of the page's good text lies before and after it). Logistic regression, not a larger model: forty
multiply-adds per line cost nothing, the weights can be read, and it does not learn particular pages by heart.

The weights are data (``cleaner/data/boilerplate/line_model.json``), made by ``bench/train_boilerplate.py`` from
an evaluation set with gold snippets; the script prints the cross-validated figures beside the fixed rule's. Rule
matches and repeated lines are decided before the model is asked.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path

from cleaner.boilerplate.lines import BAD, GOOD, NEARGOOD, Line, heading_like

FEATURES = (
    "log_words", "log_chars", "stop_density", "terminal", "heading",
    "first_good", "first_neargood", "first_bad", "revised_good",
    "main_region", "extra_region", "title", "log_region_distance", "position",
    "uppercase", "digits", "separators", "capitalised_words", "ellipsis", "early_colon", "copyright", "bullet",
    "quote", "previous_good", "next_good", "previous_stop_density", "next_stop_density",
    "log_good_words_near", "word_share", "good_share_before", "good_share_after",
    "log_good_words_5", "log_bad_words_5", "good_ratio_5", "good_ratio_12",
    "log_lines_to_main_end", "log_lines_from_main_start", "after_main", "before_main",
)  # fmt: skip
SEPARATORS = frozenset("|»›·•>/–—")
NO_REGION_DISTANCE = 50


@dataclass
class Layout:
    """Where a document's content regions lie, per line: 0 outside, 1 the main region, 2 another region; and
    which lines were taken in as the title above a region."""

    region: list[int]
    title: list[bool]


def line_vectors(lines: list[Line], first_classes: list[str], layout: Layout) -> dict[int, list[float]]:
    """The feature vector (in ``FEATURES`` order) of every non-blank line, by line index."""
    kept = [line for line in lines if not line.blank]
    n = len(kept)
    # Lines already removed (rules, repetition) count as boilerplate around their neighbours, whatever their class.
    good = [line.words if _good(line) else 0 for line in kept]
    bad = [line.words if line.reason is not None or line.cls == BAD else 0 for line in kept]
    good_sums, bad_sums = [0, *accumulate(good)], [0, *accumulate(bad)]
    total_good = good_sums[-1] or 1
    total_words = sum(line.words for line in kept) or 1
    main = [k for k, line in enumerate(kept) if layout.region[line.index] == 1]
    main_first, main_last = (main[0], main[-1]) if main else (0, -1)
    distance = _region_distances([layout.region[line.index] > 0 for line in kept])

    def window(k: int, radius: int) -> tuple[int, int]:
        lo, hi = max(0, k - radius), min(n, k + radius + 1)
        return good_sums[hi] - good_sums[lo] - good[k], bad_sums[hi] - bad_sums[lo] - bad[k]

    vectors = {}
    for k, line in enumerate(kept):
        text = line.text.strip()
        letters = [c for c in text if c.isalpha()]
        tokens = text.split()
        previous = kept[k - 1] if k > 0 else None
        following = kept[k + 1] if k + 1 < n else None
        near_good, _ = window(k, 3)
        good5, bad5 = window(k, 5)
        good12, bad12 = window(k, 12)
        region = layout.region[line.index]
        first = first_classes[line.index]
        vectors[line.index] = [
            math.log1p(line.words),
            math.log1p(line.chars),
            line.stop_density,
            float(line.terminal),
            float(heading_like(line)),
            float(first == GOOD),
            float(first == NEARGOOD),
            float(first == BAD),
            float(line.cls == GOOD),
            float(region == 1),
            float(region == 2),
            float(layout.title[line.index]),
            math.log1p(distance[k]),
            k / n,
            sum(c.isupper() for c in letters) / len(letters) if letters else 0.0,
            sum(c.isdigit() for c in text) / len(text),
            sum(c in SEPARATORS for c in text) / len(text),
            sum(t[:1].isupper() for t in tokens) / len(tokens) if tokens else 0.0,
            float(text.endswith(("...", "…"))),
            float(":" in text[:40]),
            float("©" in text),
            float(text[:1] in "-•*·–"),
            float(text[:1] in "\"“„«'"),
            float(previous is not None and _good(previous)),
            float(following is not None and _good(following)),
            previous.stop_density if previous else 0.0,
            following.stop_density if following else 0.0,
            math.log1p(near_good),
            line.words / total_words,
            good_sums[k] / total_good,
            (total_good - good_sums[k + 1]) / total_good,
            math.log1p(good5),
            math.log1p(bad5),
            good5 / (good5 + bad5 + 1),
            good12 / (good12 + bad12 + 1),
            math.log1p(main_last - k) if region == 1 else 0.0,
            math.log1p(k - main_first) if region == 1 else 0.0,
            float(bool(main) and k > main_last),
            float(bool(main) and k < main_first),
        ]
    return vectors


def article_heading(line: Line, layout: Layout) -> bool:
    """A heading inside the main region that leads into good text (the context revision promoted it): most
    likely the article's own section heading, so it is kept on weaker evidence (``heading_threshold``). Titles
    taken in above a region are not asked at all: the metadata step reads the title from them.

    Gold snippets are mostly sentences, so the examples the model learns from hold few section headings and many
    teaser headlines; left to itself it drops short title-like lines."""
    return line.reason is None and layout.region[line.index] == 1 and line.cls == GOOD and heading_like(line)


def _good(line: Line) -> bool:
    return line.cls == GOOD and line.reason is None


def _region_distances(inside: list[bool]) -> list[int]:
    """For each line, how many lines away the nearest region line is (0 inside one); linear, two passes."""
    n = len(inside)
    distance = [NO_REGION_DISTANCE] * n
    last = None
    for k in range(n):
        if inside[k]:
            last = k
        if last is not None:
            distance[k] = min(distance[k], k - last)
    last = None
    for k in range(n - 1, -1, -1):
        if inside[k]:
            last = k
        if last is not None:
            distance[k] = min(distance[k], last - k)
    return distance


@dataclass(frozen=True)
class LineModel:
    """A logistic regression over ``FEATURES``, folded into one weight per feature and a bias.

    A line outside the content regions needs a higher probability to be kept (``outside_threshold``) than a line
    inside needs to stay: the regions are themselves good evidence, and rescuing a blurb from a sidebar costs
    precision that rescuing an article paragraph cut off by an advertisement does not repay. An article heading
    (:func:`article_heading`) needs less."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    outside_threshold: float
    heading_threshold: float

    def keep_probability(self, vector: list[float]) -> float:
        logit = self.bias + sum(w * x for w, x in zip(self.weights, vector, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))

    def keep(self, vector: list[float], inside: bool, heading: bool) -> bool:
        needed = self.heading_threshold if heading else self.threshold if inside else self.outside_threshold
        return self.keep_probability(vector) >= needed


def parse_model(record: dict, source: str) -> LineModel:
    """A model from its JSON record: standardisation (mean, scale) and coefficients per feature name."""
    names = record.get("features")
    if names != list(FEATURES):
        raise ValueError(f"{source}: the model's features do not match this version's; retrain it")
    weights, bias = [], float(record["intercept"])
    for coef, mean, scale in zip(record["coef"], record["mean"], record["scale"], strict=True):
        weights.append(coef / scale)
        bias -= coef * mean / scale
    threshold = float(record.get("threshold", 0.5))
    outside, heading = (float(record.get(key, threshold)) for key in ("outside_threshold", "heading_threshold"))
    return LineModel(tuple(weights), bias, threshold, outside, heading)


@lru_cache(maxsize=4)
def load_model(path: str = "") -> LineModel:
    """The packaged model, or the one at ``path``."""
    if path:
        text, source = Path(path).read_text(encoding="utf-8"), path
    else:
        text = (resources.files("cleaner") / "data" / "boilerplate" / "line_model.json").read_text(encoding="utf-8")
        source = "line_model.json"
    return parse_model(json.loads(text), source)
