"""A learned decision for each line: keep it or not, from the signals the other modules compute.

The hand-made signals (jusText classes, the content regions, the title extension, the shape of the line) each see
one side of the question; a fixed rule combining them ("inside a region and not bad") is brittle where they
disagree: an author bio inside the region, an article paragraph cut off by an advertisement block. Here a logistic
regression weighs them, plus the context a region boundary cannot express (how much good text surrounds the line,
how much of the page's good text lies before and after it, whether it stands in a run of prose or between
headlines). Logistic regression, not a larger model: forty-six multiply-adds per line cost nothing, the weights
can be read, and it does not learn particular pages by heart.

The weights are data (``cleaner/data/boilerplate/line_model.json``), made by ``bench/train_boilerplate.py`` from
an evaluation set with gold snippets; the script prints the cross-validated figures beside the fixed rule's. Rule
matches and repeated lines are decided before the model is asked.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain, compress
from pathlib import Path

import numpy as np

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
    "furniture_words", "furniture_share",
    "log_good_run", "previous_heading", "next_heading", "headings_near",
    "topic_share",
)  # fmt: skip
NOT_LETTER = re.compile(r"[\W\d_]")
SEPARATOR_CODES = np.array([ord(c) for c in "|»›·•>/–—"], dtype=np.uint32)
BMP = 0x10000
NO_REGION_DISTANCE = 50


@dataclass
class Layout:
    """Where a document's content regions lie, per line: 0 outside, 1 the main region, 2 another region; and
    which lines were taken in as the title above a region."""

    region: list[int]
    title: list[bool]


def line_matrix(lines: list[Line], first_classes: list[str], layout: Layout) -> tuple[list[int], np.ndarray]:
    """The indices of the non-blank lines, and their features (one row per line, ``FEATURES`` order).

    Built column by column into one preallocated matrix, from one pass over the lines' attributes, and the
    per-character counts over the whole document at once: this runs on every line of every analysis pass."""
    kept = [line for line in lines if line.chars]
    n = len(kept)
    if n == 0:
        return [], np.zeros((0, len(FEATURES)))
    index = [line.index for line in kept]
    # Lines already removed (rules, repetition) count as boilerplate around their neighbours, whatever their class.
    attributes = np.array(
        [
            (
                line.words,
                line.chars,
                line.stop_density,
                line.terminal,
                line.cls == GOOD,
                line.cls == GOOD and line.reason is None,
                line.reason is not None or line.cls == BAD,
                first_classes[line.index] == GOOD,
                first_classes[line.index] == NEARGOOD,
                first_classes[line.index] == BAD,
                layout.region[line.index],
                layout.title[line.index],
            )
            for line in kept
        ],
        dtype=float,
    )
    words, stop = attributes[:, 0], attributes[:, 2]
    good_line = attributes[:, 5] > 0
    good, bad = words * attributes[:, 5], words * attributes[:, 6]
    good_sums, bad_sums = np.concatenate(([0.0], np.cumsum(good))), np.concatenate(([0.0], np.cumsum(bad)))
    total_good = good_sums[-1] or 1.0
    region = attributes[:, 10]
    positions = np.arange(n)
    in_main = region == 1
    main = np.flatnonzero(in_main)
    main_first, main_last = (main[0], main[-1]) if len(main) else (0, -1)
    shape = _shapes(kept)
    heading = shape[:, 0]
    near_good = _window_sum(good, 3, good_sums)
    good5, bad5 = _window_sum(good, 5, good_sums), _window_sum(bad, 5, bad_sums)
    good12, bad12 = _window_sum(good, 12, good_sums), _window_sum(bad, 12, bad_sums)
    matrix = np.empty((n, len(FEATURES)))
    matrix[:, 0:2] = np.log1p(attributes[:, 0:2])
    matrix[:, 2:4] = attributes[:, 2:4]
    matrix[:, 4] = heading
    matrix[:, 5:8] = attributes[:, 7:10]
    matrix[:, 8] = attributes[:, 4]
    matrix[:, 9] = in_main
    matrix[:, 10] = region == 2
    matrix[:, 11] = attributes[:, 11]
    matrix[:, 12] = np.log1p(_region_distances((region > 0).tolist()))
    matrix[:, 13] = positions / n
    matrix[:, 14:23] = shape[:, 1:10]
    matrix[:, 23:27] = 0.0
    matrix[1:, 23], matrix[:-1, 24] = attributes[:-1, 5], attributes[1:, 5]
    matrix[1:, 25], matrix[:-1, 26] = stop[:-1], stop[1:]
    matrix[:, 27] = np.log1p(near_good)
    matrix[:, 28] = words / (words.sum() or 1.0)
    matrix[:, 29] = good_sums[:-1] / total_good
    matrix[:, 30] = (total_good - good_sums[1:]) / total_good
    matrix[:, 31] = np.log1p(good5)
    matrix[:, 32] = np.log1p(bad5)
    matrix[:, 33] = good5 / (good5 + bad5 + 1)
    matrix[:, 34] = good12 / (good12 + bad12 + 1)
    matrix[:, 35] = np.where(in_main, np.log1p(np.maximum(0, main_last - positions)), 0.0)
    matrix[:, 36] = np.where(in_main, np.log1p(np.maximum(0, positions - main_first)), 0.0)
    matrix[:, 37] = (positions > main_last) & (len(main) > 0)
    matrix[:, 38] = (positions < main_first) & (len(main) > 0)
    matrix[:, 39:41] = shape[:, 10:]
    matrix[:, 41] = np.log1p(_run_lengths(good_line))
    matrix[:, 42:44] = 0.0
    matrix[1:, 42], matrix[:-1, 43] = heading[:-1], heading[1:]
    matrix[:, 44] = _window_sum(heading, 4)
    matrix[:, 45] = _topic_shares(kept, in_main & good_line)
    return index, matrix


def content_words(line: Line) -> frozenset[str]:
    """The words of four letters or more of ``line`` (lower-cased), computed once per line and kept on it."""
    if line.content is None:
        line.content = frozenset([token for token in line.tokens if len(token) >= 4 and token.isalpha()])
    return line.content


def _topic_shares(lines: list[Line], source: np.ndarray) -> np.ndarray:
    """For each line, the share of its content words that the main region's good lines other than itself also
    use: an article's paragraphs share its vocabulary, a teaser for another article, an author's bio or a
    promotion does not."""
    words = [line.content if line.content is not None else content_words(line) for line in lines]
    flags = source.tolist()
    counts = Counter(chain.from_iterable(compress(words, flags)))
    anywhere = set(counts)
    elsewhere = {word for word, count in counts.items() if count > 1}  # for the source lines themselves
    pairs = zip(words, flags, strict=True)
    return np.array([len(own & (elsewhere if use else anywhere)) / len(own) if own else 0.0 for own, use in pairs])


def _run_lengths(flags: np.ndarray) -> np.ndarray:
    """For each set flag, the length of the run of consecutive set flags it belongs to (0 where unset): article
    prose comes in long runs of good lines, a teaser's blurb alone between two headlines."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.astype(np.int8), [0]))))
    lengths = edges[1::2] - edges[::2]
    runs = np.zeros(len(flags))
    runs[flags.astype(bool)] = np.repeat(lengths, lengths)
    return runs


def _window_sum(values: np.ndarray, radius: int, sums: np.ndarray | None = None) -> np.ndarray:
    """The sum of ``values`` over the ``radius`` lines on each side of every line, the line itself left out
    (``sums``: the cumulative sums of ``values`` with a leading 0, when the caller has them already)."""
    n = len(values)
    if sums is None:
        sums = np.concatenate(([0.0], np.cumsum(values)))
    positions = np.arange(n)
    lo, hi = np.maximum(0, positions - radius), np.minimum(n, positions + radius + 1)
    return sums[hi] - sums[lo] - values


def line_vectors(lines: list[Line], first_classes: list[str], layout: Layout) -> dict[int, list[float]]:
    """The feature vector of every non-blank line, by line index (for training and inspection)."""
    index, matrix = line_matrix(lines, first_classes, layout)
    return dict(zip(index, matrix.tolist(), strict=True))


def main_share(lines: list[Line], layout: Layout) -> float:
    """The share of the page's good words (good lines no rule removed) that stand in the main region; 1.0 for a
    page without any."""
    good = [(line.words, layout.region[line.index] == 1) for line in lines if _good(line)]
    total = sum(words for words, _ in good)
    return sum(words for words, main in good if main) / total if total else 1.0


def article_heading(line: Line, layout: Layout) -> bool:
    """A heading (or a lead-in ending with a colon) inside the main region that leads into good text (the
    context revision promoted it): most likely the article's own, so it is kept on weaker evidence
    (``heading_threshold``). Titles taken in above a region are not asked at all: the metadata step reads the
    title from them.

    Gold snippets are mostly sentences, so the examples the model learns from hold few section headings and many
    teaser headlines; left to itself it drops short title-like lines."""
    if line.reason is not None or layout.region[line.index] != 1 or line.cls != GOOD:
        return False
    return heading_like(line) or _lead_in(line)


def _lead_in(line: Line) -> bool:
    """A short line ending with a colon that introduces what follows ("What the budget does:")."""
    return 0 < line.words <= 15 and line.text.rstrip().endswith(":")


def _shapes(lines: list[Line]) -> np.ndarray:
    """The features of each line that depend on its text alone (``FEATURES``' "heading", "uppercase" …
    "quote", "furniture_words", "furniture_share"): computed for the lines that do not have them yet, in one
    pass over their text, and kept on the line for the next analysis of the same document."""
    missing = [line for line in lines if line.shape is None]
    if missing:
        texts = [line.text.strip() for line in missing]
        chars = np.array([max(1, len(text)) for text in texts], dtype=float)
        words = np.array([max(1, line.words) for line in missing], dtype=float)
        letters, upper, digits, separators, tokens, capitalised = _character_counts(texts)
        furniture = _furniture_counts(texts)
        # The features read off the text itself, in one pass: (heading, ellipsis, early colon, copyright,
        # bullet, quote).
        flags = np.array(
            [
                (
                    heading_like(line),
                    text.endswith(("...", "…")),
                    ":" in text[:40],
                    "©" in text,
                    text[:1] in "-•*·–",
                    text[:1] in "\"“„«'",
                )
                for line, text in zip(missing, texts, strict=True)
            ],
            dtype=float,
        )
        rows = np.empty((len(texts), 12))
        rows[:, 0] = flags[:, 0]
        rows[:, 1] = np.divide(upper, letters, out=np.zeros(len(texts)), where=letters > 0)
        rows[:, 2] = digits / chars
        rows[:, 3] = separators / chars
        rows[:, 4] = np.divide(capitalised, tokens, out=np.zeros(len(texts)), where=tokens > 0)
        rows[:, 5:10] = flags[:, 1:]
        rows[:, 10] = np.log1p(furniture)
        rows[:, 11] = furniture / words
        for number, line in enumerate(missing):
            line.shape = (rows, number)  # the matrix and the row: the next pass gathers its rows in one call
    matrices = [line.shape[0] for line in lines]
    first = matrices[0]
    if all(matrix is first for matrix in matrices):  # nearly always: the lines of one document's first pass
        return first[[line.shape[1] for line in lines]]
    return np.array([matrix[row] for matrix, row in (line.shape for line in lines)], dtype=float)


def _furniture_counts(texts: list[str]) -> np.ndarray:
    """Per text, how many whole words of the furniture vocabulary it holds (one automaton pass over them all)."""
    joined = "\n".join(texts).lower()
    starts = np.cumsum([0] + [len(text) + 1 for text in texts[:-1]])
    hits = []
    for end, length in furniture_automaton().iter(joined):
        start = end - length + 1
        before = joined[start - 1] if start else " "
        after = joined[end + 1] if end + 1 < len(joined) else " "
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            hits.append(start)
    counts = np.zeros(len(texts))
    if hits:
        np.add.at(counts, np.searchsorted(starts, hits, side="right") - 1, 1)
    return counts


def _character_counts(texts: list[str]) -> tuple[np.ndarray, ...]:
    """Per line: letters, upper-case letters, ASCII digits, separator characters, tokens, and tokens that
    start with a capital. One pass over the document's code points instead of a Python loop per character."""
    joined = "\n".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    lowered = joined.lower()
    if len(lowered) != len(joined):  # "İ" lower-cases to two code points: compare letter by letter instead
        lowered = "".join(c.lower()[0] for c in joined)
    is_upper = codes != np.frombuffer(lowered.encode("utf-32-le"), dtype=np.uint32)
    if len(codes) and codes.max() < BMP:  # nearly every text: two table lookups per character
        letters, separators = _character_tables()
        is_letter, is_separator = letters[codes], separators[codes]
    else:  # characters beyond the BMP (emoji): every other character replaced by NUL, which keeps the positions
        is_letter = np.frombuffer(NOT_LETTER.sub("\0", joined).encode("utf-32-le"), dtype=np.uint32) != 0
        is_separator = np.isin(codes, SEPARATOR_CODES)
    is_digit = (codes >= 48) & (codes <= 57)
    is_space = (codes == 32) | (codes == 9) | (codes == 10) | (codes == 0xA0)
    token_start = ~is_space & np.concatenate(([True], is_space[:-1]))
    starts = np.cumsum([0] + [len(text) + 1 for text in texts[:-1]])

    def per_line(flags: np.ndarray) -> np.ndarray:
        return np.add.reduceat(flags.astype(np.int64), starts) if len(flags) else np.zeros(len(texts))

    return tuple(
        per_line(flags) for flags in (is_letter, is_upper, is_digit, is_separator, token_start, token_start & is_upper)
    )


@lru_cache(maxsize=1)
def _character_tables() -> tuple[np.ndarray, np.ndarray]:
    """For every code point of the Basic Multilingual Plane: is it a letter (``NOT_LETTER`` does not match it),
    is it a separator. Made with the same regex as the per-document path, once (a few milliseconds)."""
    codes = np.arange(BMP, dtype=np.uint32)
    codes[0xD800:0xE000] = 0  # lone surrogates cannot be encoded; they are no letters either
    every = codes.astype("<u4").tobytes().decode("utf-32-le")
    letters = np.frombuffer(NOT_LETTER.sub("\0", every).encode("utf-32-le"), dtype=np.uint32) != 0
    return letters, np.isin(np.arange(BMP), SEPARATOR_CODES)


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

    def keep_probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """The probability that each row's line is to be kept."""
        logits = np.clip(matrix @ np.asarray(self.weights) + self.bias, -30.0, 30.0)
        return 1.0 / (1.0 + np.exp(-logits))

    def keep_probability(self, vector: list[float]) -> float:
        return float(self.keep_probabilities(np.asarray([vector], dtype=float))[0])

    def needed(self, inside: bool, heading: bool) -> float:
        """The probability a line must reach to be kept, by its place."""
        return self.heading_threshold if heading else self.threshold if inside else self.outside_threshold


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


@lru_cache(maxsize=1)
def furniture_vocabulary() -> frozenset[str]:
    """Words with which a site talks about itself (``data/boilerplate/vocabulary.toml``), all languages together."""
    text = (resources.files("cleaner") / "data" / "boilerplate" / "vocabulary.toml").read_text(encoding="utf-8")
    return frozenset(word for words in tomllib.loads(text)["words"].values() for word in words)


@lru_cache(maxsize=1)
def furniture_automaton():
    """An Aho-Corasick automaton of the vocabulary, each word stored with its length."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for word in furniture_vocabulary():
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=4)
def load_model(path: str = "") -> LineModel:
    """The packaged model, or the one at ``path``."""
    if path:
        text, source = Path(path).read_text(encoding="utf-8"), path
    else:
        text = (resources.files("cleaner") / "data" / "boilerplate" / "line_model.json").read_text(encoding="utf-8")
        source = "line_model.json"
    return parse_model(json.loads(text), source)
