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
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path

import numpy as np

from cleaner.boilerplate.characters import shape_flags, whole_word_matches
from cleaner.boilerplate.lines import BAD, GOOD, NEARGOOD, WORD
from cleaner.boilerplate.page import Pages
from cleaner.boilerplate.segments import Segments, cumulative

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
SPACE_CODES = np.array([32, 9, 10, 0xA0], dtype=np.uint32)  # what separates a line's tokens for the shape features
# Bits of a character's kind for the shape features (_character_bits).
LETTER, SEPARATOR, DIGIT, SPACE, UPPER = 1, 2, 4, 8, 16
BMP = 0x10000
NO_REGION_DISTANCE = 50
# What the characters of each of a list of texts say (text_shapes): one row of nine features per text.
TextShapes = Callable[[list[str]], np.ndarray]


@dataclass
class Layout:
    """Where a document's content regions lie, per line: 0 outside, 1 the main region, 2 another region; and
    which lines were taken in as the title above a region."""

    region: np.ndarray  # int8 per line
    title: np.ndarray  # bool per line


def line_matrix(
    pages: Pages,
    rows: np.ndarray,
    segments: Segments,
    stop: np.ndarray,
    cls: np.ndarray,
    decided: np.ndarray,
    first_cls: np.ndarray,
    region: np.ndarray,
    title: np.ndarray,
    shapes_of: TextShapes | None = None,
) -> np.ndarray:
    """The features of the lines ``rows`` (the non-blank lines of one pass, as line numbers of ``pages``, each
    page's in order, ``segments`` telling where each page's begin), one row per line in ``FEATURES`` order;
    ``stop`` … ``title`` are what the pass found about those lines (their stop-word densities by their page's
    list, classes, whether a rule or the repetition removes them, classes before the context revision, regions,
    title lines); ``shapes_of`` gives what the characters of a line say (:func:`text_shapes`, or a memory of it).

    Built column by column into one preallocated matrix, for all the pages of a batch at once: this runs on every
    analysis pass of every document."""
    n = len(rows)
    if n == 0:
        return np.zeros((0, len(FEATURES)))
    words = pages.words[rows].astype(float)
    good_line = (cls == GOOD) & ~decided
    # Lines already removed (rules, repetition) count as boilerplate around their neighbours, whatever their class.
    good, bad = words * good_line, words * (decided | (cls == BAD))
    good_sums, bad_sums = cumulative(good), cumulative(bad)
    # Per page, from the cumulative sums over the whole batch: exact, as the sums are of whole numbers.
    before_page = good_sums[segments.start]
    total_good = good_sums[segments.end] - before_page
    total_good[total_good == 0] = 1.0
    positions, length = segments.position, segments.length
    in_main = region == 1
    main_first = segments.first_flagged(in_main)[segments.page]
    main_last = segments.last_flagged(in_main)[segments.page]
    has_main = main_last >= 0
    main_last = np.where(has_main, main_last, -1)
    main_first = np.where(has_main, main_first, 0)
    shape = pages.shapes(partial(_shapes, text_shapes=shapes_of or text_shapes))[rows]
    heading = shape[:, 0]
    near_good = segments.window_sum(good, 3, good_sums)
    good5, bad5 = segments.window_sum(good, 5, good_sums), segments.window_sum(bad, 5, bad_sums)
    good12, bad12 = segments.window_sum(good, 12, good_sums), segments.window_sum(bad, 12, bad_sums)
    page_words = segments.sum(words)[segments.page]
    page_words[page_words == 0] = 1.0
    matrix = np.empty((n, len(FEATURES)))
    matrix[:, 0] = np.log1p(words)
    matrix[:, 1] = np.log1p(pages.chars[rows].astype(float))
    matrix[:, 2] = stop
    matrix[:, 3] = pages.terminal[rows]
    matrix[:, 4] = heading
    matrix[:, 5] = first_cls == GOOD
    matrix[:, 6] = first_cls == NEARGOOD
    matrix[:, 7] = first_cls == BAD
    matrix[:, 8] = cls == GOOD
    matrix[:, 9] = in_main
    matrix[:, 10] = region == 2
    matrix[:, 11] = title
    matrix[:, 12] = np.log1p(segments.distances(region > 0, NO_REGION_DISTANCE))
    matrix[:, 13] = positions / length
    matrix[:, 14:23] = shape[:, 1:10]
    matrix[:, 23] = segments.shift_previous(good_line)
    matrix[:, 24] = segments.shift_next(good_line)
    matrix[:, 25] = segments.shift_previous(stop)
    matrix[:, 26] = segments.shift_next(stop)
    matrix[:, 27] = np.log1p(near_good)
    matrix[:, 28] = words / page_words
    matrix[:, 29] = (good_sums[:-1] - before_page) / total_good
    matrix[:, 30] = (total_good - (good_sums[1:] - before_page)) / total_good
    matrix[:, 31] = np.log1p(good5)
    matrix[:, 32] = np.log1p(bad5)
    matrix[:, 33] = good5 / (good5 + bad5 + 1)
    matrix[:, 34] = good12 / (good12 + bad12 + 1)
    matrix[:, 35] = np.where(in_main, np.log1p(np.maximum(0, main_last - positions)), 0.0)
    matrix[:, 36] = np.where(in_main, np.log1p(np.maximum(0, positions - main_first)), 0.0)
    matrix[:, 37] = (positions > main_last) & has_main
    matrix[:, 38] = (positions < main_first) & has_main
    matrix[:, 39:41] = shape[:, 10:]
    matrix[:, 41] = np.log1p(segments.run_lengths(good_line))
    matrix[:, 42] = segments.shift_previous(heading)
    matrix[:, 43] = segments.shift_next(heading)
    matrix[:, 44] = segments.window_sum(heading, 4)
    matrix[:, 45] = _topic_shares(pages, rows, in_main & good_line)
    return matrix


def _topic_shares(pages: Pages, rows: np.ndarray, source: np.ndarray) -> np.ndarray:
    """For each line, the share of its content words that the main region's good lines other than itself also
    use: an article's paragraphs share its vocabulary, a teaser for another article, an author's bio or a
    promotion does not. (Words are numbered per page, so pages do not share vocabularies.)"""
    entry_lines, entry_words, sizes = pages.content_words()
    row_of = np.full(len(pages), -1)
    row_of[rows] = np.arange(len(rows))
    entry_rows = row_of[entry_lines]
    taken = entry_rows >= 0
    entry_rows, entry_words = entry_rows[taken], entry_words[taken]
    from_source = source[entry_rows]
    counts = np.bincount(entry_words[from_source], minlength=int(entry_words.max(initial=-1)) + 1)
    # A source line's own words count once already: another source line must use them too.
    shared = counts[entry_words] - from_source >= 1
    hits = np.bincount(entry_rows, weights=shared, minlength=len(rows))
    own = sizes[rows]
    return np.divide(hits, own, out=np.zeros(len(rows)), where=own > 0)


def main_share(words: np.ndarray, good: np.ndarray, region: np.ndarray, segments: Segments) -> np.ndarray:
    """The share of each page's good words (``good``: good lines no rule removed) that stand in its main region;
    1.0 for a page without any."""
    counted = words.astype(float)
    total = segments.sum(counted * good)
    main = segments.sum(counted * (good & (region == 1)))
    return np.divide(main, total, out=np.ones(len(total)), where=total > 0)


def _shapes(pages: Pages, lines: np.ndarray, text_shapes: TextShapes) -> np.ndarray:
    """The features of each of the non-blank ``lines`` that depend on its text alone (``FEATURES``' "heading",
    "uppercase" … "quote", "furniture_words", "furniture_share"), in one pass over their text."""
    words = np.maximum(1, pages.words[lines]).astype(float)
    furniture = furniture_counts(pages)[lines]
    rows = np.empty((len(lines), 12))
    rows[:, 0] = pages.heading[lines]
    rows[:, 1:10] = text_shapes([pages.stripped[i] for i in lines.tolist()])
    rows[:, 10] = np.log1p(furniture)
    rows[:, 11] = furniture / words
    return rows


def text_shapes(texts: list[str]) -> np.ndarray:
    """Of :func:`_shapes`' features, those read off the characters of each of ``texts`` (stripped lines): "uppercase"
    … "capitalised_words", then (ellipsis, early colon, copyright, bullet, quote). Each text's row is the same among
    any other texts (see ``memory.KnownRows``)."""
    chars = np.maximum(1, np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))).astype(float)
    letters, upper, digits, separators, tokens, capitalised = _character_counts(texts)
    rows = np.empty((len(texts), 9))
    rows[:, 0] = np.divide(upper, letters, out=np.zeros(len(texts)), where=letters > 0)
    rows[:, 1] = digits / chars
    rows[:, 2] = separators / chars
    rows[:, 3] = np.divide(capitalised, tokens, out=np.zeros(len(texts)), where=tokens > 0)
    rows[:, 4:9] = shape_flags(texts)
    return rows


def furniture_counts(pages: Pages) -> np.ndarray:
    """Per line, how many whole words of the furniture vocabulary it holds: the matches of
    :func:`furniture_automaton` in the lower-cased line that neither begin nor end inside a word.

    Read from the line's words instead of searching its text: a vocabulary word is one word as ``lines.WORD``
    reads them, so such a match lies within one of the line's words, and within a word without joiners it is that
    word (a set look-up). Only the compound words ("sign-in", "share-button") are searched, all in one pass. The
    search over whole lines found every vocabulary word inside other words ("in" in "within") and cost several
    times more."""
    words, vocabulary = pages.words_flat, furniture_vocabulary()
    places, distinct, where = pages.vocabulary  # each distinct word of a page looked up once
    found_at = np.zeros(len(words))
    for page_words, at in zip(distinct, where, strict=True):
        found_at[at] = np.fromiter(map(vocabulary.__contains__, page_words), dtype=bool, count=len(page_words))
    hits = found_at[places]
    compound = np.flatnonzero(pages.compound)
    if len(compound):
        parts = [words[i] for i in compound.tolist()]
        starts = np.cumsum([0] + [len(part) + 1 for part in parts[:-1]])
        found = whole_word_matches("\n".join(parts), furniture_automaton())
        hits[compound] = np.bincount(np.searchsorted(starts, found, side="right") - 1, minlength=len(parts))
    running = cumulative(hits)
    return running[pages.word_offsets[1:]] - running[pages.word_offsets[:-1]]


def _character_counts(texts: list[str]) -> tuple[np.ndarray, ...]:
    """Per line: letters, upper-case letters, ASCII digits, separator characters, tokens, and tokens that
    start with a capital. One pass over the lines' code points instead of a Python loop per character (the lines
    of a whole batch of documents at once: nothing here looks across a line's end)."""
    joined = "\n".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    if not len(codes):
        return tuple(np.zeros(len(texts), dtype=np.int64) for _ in range(6))
    # One table lookup per character; the rare ones beyond the BMP (emoji) are asked of the regex one by one.
    beyond = codes >= BMP
    bits = _character_bits()[np.where(beyond, 0, codes) if beyond.any() else codes]
    if beyond.any():
        outside = codes[beyond]
        bits[beyond] = (
            np.fromiter((NOT_LETTER.match(chr(code)) is None for code in outside.tolist()), bool, len(outside)) * LETTER
            | np.isin(outside, SEPARATOR_CODES) * SEPARATOR
            | ((outside >= 48) & (outside <= 57)) * DIGIT
            | np.isin(outside, SPACE_CODES) * SPACE
            | np.fromiter(map(_lowers, map(chr, outside.tolist())), bool, len(outside)) * UPPER
        )
    is_upper = bits & UPPER > 0
    is_space = bits & SPACE > 0
    token_start = ~is_space
    token_start[1:] &= is_space[:-1]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.cumsum(lengths + 1) - lengths - 1
    capitalised = token_start & is_upper
    # As 0 and 1 in bytes, summed into int64 by the reduction itself: no copy of each as int64 first.
    flags = (bits & LETTER, (bits & UPPER) >> 4, (bits & DIGIT) >> 2, (bits & SEPARATOR) >> 1, token_start, capitalised)
    # One reduction per count: a single one over the six stacked is slower on a large batch (its strides).
    return tuple(np.add.reduceat(flag.view(np.uint8), starts, dtype=np.int64) for flag in flags)


@lru_cache(maxsize=1)
def _character_bits() -> np.ndarray:
    """For every code point of the Basic Multilingual Plane, as bits: is it a letter (``NOT_LETTER`` does not match
    it), a separator, an ASCII digit, a space (``SPACE_CODES``), upper case (:func:`_lowers`). Made with the regex
    and the lower-casing that judge the characters beyond it, once (a few milliseconds)."""
    codes = np.arange(BMP, dtype=np.uint32)
    codes[0xD800:0xE000] = 0  # lone surrogates cannot be encoded; they are no letters either
    every = codes.astype("<u4").tobytes().decode("utf-32-le")
    letters = np.frombuffer(NOT_LETTER.sub("\0", every).encode("utf-32-le"), dtype=np.uint32) != 0
    # Lower-cased in blocks, a block with a character that lower-cases to two ("İ") character by character.
    blocks = (every[start : start + 256] for start in range(0, BMP, 256))
    lowered = "".join(
        low if len(low := block.lower()) == len(block) else "".join(map(_first_lower, block)) for block in blocks
    )
    upper = codes != np.frombuffer(lowered.encode("utf-32-le"), dtype=np.uint32)
    every_code = np.arange(BMP)
    return (
        letters * LETTER
        | np.isin(every_code, SEPARATOR_CODES) * SEPARATOR
        | ((every_code >= 48) & (every_code <= 57)) * DIGIT
        | np.isin(every_code, SPACE_CODES) * SPACE
        | upper * UPPER
    ).astype(np.uint8)


def _first_lower(character: str) -> str:
    return character.lower()[0]


def _lowers(character: str) -> bool:
    """Whether lower-casing changes ``character``: an upper-case letter for the shape features. Per character, as
    the table holds it: in a text, lower-casing a character may depend on its neighbours (a final sigma), but not
    whether it changes it."""
    return character.lower()[0] != character


@dataclass(frozen=True)
class LineModel:
    """A logistic regression over ``FEATURES``, folded into one weight per feature and a bias.

    A line outside the content regions needs a higher probability to be kept (``outside_threshold``) than a line
    inside needs to stay: the regions are themselves good evidence, and rescuing a blurb from a sidebar costs
    precision that rescuing an article paragraph cut off by an advertisement does not repay. An article heading
    (a heading or lead-in of the main region that leads into good text; see ``Analysis.decide``) needs less."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    outside_threshold: float
    heading_threshold: float

    def keep_probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """The probability that each row's line is to be kept.

        Each row's products are summed by numpy along the row, the same way wherever the row stands: a BLAS
        ``matrix @ weights`` sums a row in an order that depends on its place in the matrix, and a line's
        verdict must not depend on the other pages of its batch."""
        logits = np.clip((matrix * np.asarray(self.weights)).sum(axis=1) + self.bias, -30.0, 30.0)
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
    """Words with which a site talks about itself (``data/boilerplate/vocabulary.toml``), all languages together.

    Each must be one lower-case word as ``lines.WORD`` reads words: the lines' words are looked up in it."""
    text = (resources.files("cleaner") / "data" / "boilerplate" / "vocabulary.toml").read_text(encoding="utf-8")
    vocabulary = frozenset(word for words in tomllib.loads(text)["words"].values() for word in words)
    if odd := sorted(word for word in vocabulary if not WORD.fullmatch(word) or word != word.lower()):
        raise ValueError(f"vocabulary.toml: not one lower-case word: {', '.join(odd)}")
    return vocabulary


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
