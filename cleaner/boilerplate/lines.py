"""Per-line features and a jusText-style classification, adapted from HTML paragraphs to lines of text.

jusText (Pomikálek 2011) classifies each paragraph of a page by length, link density and stop-word density, then
lets short and borderline paragraphs take the class of their neighbours. A text dump has no links or tags, but its
lines are the page's blocks, and the two strongest signals survive: article prose is long and dense in function
words (stop words), navigation and teasers are short and made of content words. Stop-word lists come from jusText's
own per-language lists (100 languages); the list is that of the language a language identifier finds in the page's
longest lines, or, when it is unsure, the list the page's words hit most.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from cleaner.language_id import detect_py3langid

WORD = re.compile(r"\w+(?:[-'’]\w+)*")
TERMINAL = (".", "!", "?", "…", '."', ".”", "?”", "!”", ".»", '."', ".'", ".)", "。", "！", "？", ":")

GOOD, NEARGOOD, SHORT, BAD = "good", "neargood", "short", "bad"


@dataclass(frozen=True)
class Thresholds:
    """jusText's defaults, in characters and stop-word shares."""

    length_low: int = 70
    length_high: int = 200
    stopwords_low: float = 0.30
    stopwords_high: float = 0.32


@dataclass(slots=True)
class Line:
    """One line of a document with the features the classifier and the structure analysis use."""

    index: int
    text: str
    words: int
    chars: int
    stop_density: float
    terminal: bool
    rule: str | None = None
    cls: str = SHORT
    reason: str | None = None  # set when the line is to be removed
    tokens: list[str] = field(default_factory=list)  # lower-cased words
    # The line model's features that depend on the line alone (see model.py), computed once and kept across
    # the repeated analysis of a document.
    shape: Any = None  # (matrix, row): the row of a matrix of such features
    heading: bool | None = None  # heading_like(), remembered: it is asked of every line in every pass
    content: frozenset[str] | None = None  # the line model's content words (model.content_words), remembered
    key: str | None = None  # the text as structure.mark_repeated compares it, remembered

    @property
    def blank(self) -> bool:
        return self.chars == 0


class StopWords:
    """jusText's stop-word lists, and a guess of a text's language from them."""

    def __init__(self) -> None:
        import justext

        self.names = sorted(justext.get_stoplists())
        self.lists = {name: frozenset(justext.get_stoplist(name)) for name in self.names}
        index: dict[str, list[int]] = {}
        for number, name in enumerate(self.names):
            for word in self.lists[name]:
                index.setdefault(word, []).append(number)
        self.index = {word: tuple(langs) for word, langs in index.items()}

    def guess(self, words: list[str]) -> frozenset[str]:
        """The stop-word list that covers the most of ``words`` (lower-cased)."""
        totals = [0] * len(self.names)
        index = self.index
        for word, count in Counter(words).items():  # counted in C first: far fewer distinct words than words
            for lang in index.get(word, ()):
                totals[lang] += count
        best = max(range(len(totals)), key=totals.__getitem__)  # the first of equals: the lowest number
        return self.lists[self.names[best]] if totals[best] else frozenset()

    def for_page(self, texts: list[str], words: list[str], sample_chars: int, min_score: float) -> frozenset[str]:
        """The stop-word list of the language the page's prose is written in.

        A page dump opens with menus, and :meth:`guess` on their words goes astray: short items, abbreviations and
        month names hit Kurdish, Finnish or Occitan more often than German or English (11 of the 306 dev pages of
        known language got a wrong list). The page's longest lines (``sample_chars`` characters of them) are its
        prose: a language identifier judges them, and the language names the list
        (``data/boilerplate/stoplists.toml``; none for a language without one). Only when the identifier is unsure
        (below ``min_score``), or with ``sample_chars`` 0, does :meth:`guess` decide."""
        if sample_chars > 0 and (sample := longest_lines(texts, sample_chars)):
            language, score = _identify(sample)
            if score >= min_score:
                name = stoplist_names().get(language)
                return self.lists[name] if name else frozenset()
        return self.guess(words)


@lru_cache(maxsize=1)
def stopwords() -> StopWords:
    return StopWords()


@lru_cache(maxsize=1)
def stoplist_names() -> dict[str, str]:
    """jusText's list name for each language code an identifier gives (``data/boilerplate/stoplists.toml``)."""
    text = (resources.files("cleaner") / "data" / "boilerplate" / "stoplists.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["lists"]


def longest_lines(texts: list[str], chars: int) -> str:
    """The longest lines of ``texts``, longest first, until they hold ``chars`` characters: a page's prose."""
    taken, total = [], 0
    for text in sorted((text.strip() for text in texts), key=len, reverse=True):
        if not text or total >= chars:
            break
        taken.append(text)
        total += len(text)
    return "\n".join(taken)


@lru_cache(maxsize=1024)
def _identify(sample: str) -> tuple[str, float]:
    """The language of ``sample``, remembered: the analysis of a page repeats, and its longest lines stay."""
    return detect_py3langid(sample)


def tokenize(texts: list[str]) -> list[list[str]]:
    """The lower-cased words of each line."""
    return [WORD.findall(text.lower()) for text in texts]


def features(texts: list[str], stoplist: frozenset[str], words: list[list[str]] | None = None) -> list[Line]:
    """Lines with their length, stop-word density and final punctuation (``words``: :func:`tokenize`'s)."""
    words = words if words is not None else tokenize(texts)
    lines = []
    for index, (text, tokens) in enumerate(zip(texts, words, strict=True)):
        stripped = text.strip()
        stops = sum(map(stoplist.__contains__, tokens))
        lines.append(
            Line(
                index=index,
                text=text,
                words=len(tokens),
                chars=len(stripped),
                stop_density=stops / len(tokens) if tokens else 0.0,
                terminal=stripped.endswith(TERMINAL),
                tokens=tokens,
            )
        )
    return lines


def fresh(line: Line, index: int) -> Line:
    """A copy of ``line`` at a new position with only its context-free features (text, counts, rule match): for
    analysing a document again once some of its lines are gone."""
    return Line(
        index,
        line.text,
        line.words,
        line.chars,
        line.stop_density,
        line.terminal,
        line.rule,
        tokens=line.tokens,
        shape=line.shape,
        heading=line.heading,
        content=line.content,
        key=line.key,
    )


def classify(lines: list[Line], t: Thresholds) -> None:
    """Context-free classes (jusText's first pass): good, neargood, short or bad."""
    for line in lines:
        if line.blank:
            continue
        if line.rule is not None:
            line.cls = BAD
        elif line.chars < t.length_low:
            line.cls = SHORT
        elif line.stop_density >= t.stopwords_high:
            line.cls = GOOD if line.chars > t.length_high or line.terminal else NEARGOOD
        elif line.stop_density >= t.stopwords_low:
            line.cls = NEARGOOD
        else:
            line.cls = BAD


def _nearest(classes: list[str | None], accepted: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """For every line, the class of the nearest line before and after it whose class is in ``accepted`` (blank
    lines are ``None`` and skipped); the document's edges count as boilerplate, as in jusText. One pass each way
    instead of a walk per line, which made long pages quadratic."""
    before, after = [BAD] * len(classes), [BAD] * len(classes)
    last = BAD
    for i, cls in enumerate(classes):
        before[i] = last
        if cls in accepted:
            last = cls
    last = BAD
    for i in range(len(classes) - 1, -1, -1):
        after[i] = last
        if classes[i] in accepted:
            last = classes[i]
    return before, after


def heading_like(line: Line) -> bool:
    """A short line without final punctuation that starts like a title: the text stand-in for ``<h1>``–``<h6>``.
    (Asked once the line's rule match is known; the answer is kept on the line.)"""
    if line.heading is None:
        first = line.text.lstrip()[:1]
        line.heading = (
            0 < line.words <= 15 and not line.terminal and line.rule is None and (first.isupper() or first.isdigit())
        )
    return line.heading


def _good_ahead(lines: list[Line], max_distance: int) -> list[bool]:
    """For every line, whether a good line follows it with at most ``max_distance`` characters of other lines in
    between. One backward pass: the next good line and the characters before it, instead of a walk per line."""
    ahead = [False] * len(lines)
    next_good = None  # characters between the line after i and the next good line, when there is one
    for i in range(len(lines) - 1, -1, -1):
        ahead[i] = next_good is not None and next_good <= max_distance
        line = lines[i]
        next_good = 0 if line.cls == GOOD else None if next_good is None else next_good + line.chars
    return ahead


def revise(lines: list[Line], max_heading_distance: int = 200) -> None:
    """jusText's context-sensitive pass: headings before good text are promoted, short lines take the class of
    their surroundings, near-good lines are good unless boilerplate lies on both sides."""
    headings = [heading_like(line) for line in lines]
    good_ahead = _good_ahead(lines, max_heading_distance)  # promoting short lines to near-good does not change it
    for i, line in enumerate(lines):
        if line.cls == SHORT and headings[i] and good_ahead[i]:
            line.cls = NEARGOOD
    classes: list[str | None] = [None if line.blank else line.cls for line in lines]
    shorts = [i for i, cls in enumerate(classes) if cls == SHORT]
    if shorts:
        prev_gb, next_gb = _nearest(classes, (GOOD, BAD))
        prev_any, next_any = _nearest(classes, (GOOD, BAD, NEARGOOD))
    for i in shorts:  # short lines, all judged on the classes before this pass (as jusText)
        line = lines[i]
        prev, nxt = prev_gb[i], next_gb[i]
        if prev == nxt:
            line.cls = prev
        elif (prev == BAD and prev_any[i] == NEARGOOD) or (nxt == BAD and next_any[i] == NEARGOOD):
            line.cls = GOOD
        else:
            line.cls = BAD
    # Near-good lines, in order: a line already revised counts as the previous neighbour of the next one.
    classes = [None if line.blank else line.cls for line in lines]
    if NEARGOOD in classes:
        _, next_gb = _nearest(classes, (GOOD, BAD))
        last = BAD
        for i, line in enumerate(lines):
            if classes[i] == NEARGOOD:
                line.cls = BAD if (last, next_gb[i]) == (BAD, BAD) else GOOD
            if not line.blank and line.cls in (GOOD, BAD):
                last = line.cls
    # jusText promotes only headings that were not bad to begin with; in text, a long title has the low stop-word
    # density of a bad line, so any heading-like line (never a rule match) that leads into good text is taken.
    # A promotion only changes what lies ahead of the lines before it, which this forward loop has passed.
    candidates = [i for i, heading in enumerate(headings) if heading and lines[i].cls == BAD]
    if candidates:
        good_ahead = _good_ahead(lines, max_heading_distance)
        for i in candidates:
            if good_ahead[i]:
                lines[i].cls = GOOD
