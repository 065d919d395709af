"""Per-line features and a jusText-style classification, adapted from HTML paragraphs to lines of text.

jusText (Pomikálek 2011) classifies each paragraph of a page by length, link density and stop-word density, then
lets short and borderline paragraphs take the class of their neighbours. A text dump has no links or tags, but its
lines are the page's blocks, and the two strongest signals survive: article prose is long and dense in function
words (stop words), navigation and teasers are short and made of content words. Stop-word lists come from jusText's
own per-language lists (100 languages); the list is that of the language a language identifier finds in the page's
longest lines, or, when it is unsure, the list the page's words hit most.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from cleaner.boilerplate.segments import Segments
from cleaner.cache import cached_value
from cleaner.language_id import detect_py3langid_many

# A word, with its inner hyphens and apostrophes ("e-mail", "isn't"). Possessive quantifiers: what may follow a run of
# word characters (a hyphen, an apostrophe) is no word character, so the engine never has to give any back, and
# without its backtracking records the scan is a sixth faster (it runs over every line, and every document's text).
WORD = re.compile(r"\w++(?:[-'’]\w++)*+")
TERMINAL = (".", "!", "?", "…", '."', ".”", "?”", "!”", ".»", '."', ".'", ".)", "。", "！", "？", ":")

# Line classes as small integers, so that a pass compares arrays, not strings (CLASS_NAMES: jusText's names).
BAD, SHORT, NEARGOOD, GOOD = 0, 1, 2, 3
# The list of a language without one (one object: the stop-word densities are remembered per list).
NO_STOPWORDS: frozenset[str] = frozenset()
CLASS_NAMES = ("bad", "short", "neargood", "good")


@dataclass(frozen=True)
class Thresholds:
    """jusText's defaults, in characters and stop-word shares."""

    length_low: int = 70
    length_high: int = 200
    stopwords_low: float = 0.30
    stopwords_high: float = 0.32


@dataclass(slots=True)
class Line:
    """One line as a pass of the analysis saw it, for inspection and tests (the analysis itself works on arrays,
    see :mod:`cleaner.boilerplate.page`)."""

    index: int
    text: str
    words: int
    chars: int
    stop_density: float
    terminal: bool
    rule: str | None = None
    cls: str = CLASS_NAMES[SHORT]
    reason: str | None = None  # set when the line is to be removed
    tokens: list[str] = field(default_factory=list)  # lower-cased words

    @property
    def blank(self) -> bool:
        return self.chars == 0


class StopWords:
    """jusText's stop-word lists, and a guess of a text's language from them."""

    def __init__(self) -> None:
        self.names, self.lists, self.index = _stop_words()

    def guess(self, words: list[str]) -> frozenset[str]:
        """The stop-word list that covers the most of ``words`` (lower-cased)."""
        totals = [0] * len(self.names)
        index = self.index
        for word, count in Counter(words).items():  # counted in C first: far fewer distinct words than words
            for lang in index.get(word, ()):
                totals[lang] += count
        best = max(range(len(totals)), key=totals.__getitem__)  # the first of equals: the lowest number
        return self.lists[self.names[best]] if totals[best] else NO_STOPWORDS

    def for_sample(self, sample: str, words: list[str], min_score: float) -> frozenset[str]:
        """The stop-word list of the language a page's prose is written in, ``sample`` being its longest lines
        (:func:`longest_lines`; empty for none) and ``words`` its first words.

        A page dump opens with menus, and :meth:`guess` on their words goes astray: short items, abbreviations and
        month names hit Kurdish, Finnish or Occitan more often than German or English (11 of the 306 dev pages of
        known language got a wrong list). The page's longest lines are its prose: a language identifier judges
        them, and the language names the list (``data/boilerplate/stoplists.toml``; none for a language without
        one). Only when the identifier is unsure (below ``min_score``), or without a sample, does :meth:`guess`
        decide."""
        found = self.by_language(sample, min_score)
        return self.guess(words) if found is None else found

    def by_language(self, sample: str, min_score: float) -> frozenset[str] | None:
        """:meth:`for_sample`'s list when the identifier is sure of ``sample``'s language, else None (then the
        words decide: :meth:`guess`)."""
        return self.by_languages([sample], min_score)[0]

    def by_languages(self, samples: list[str], min_score: float) -> list[frozenset[str] | None]:
        """:meth:`by_language` of each of ``samples``, identified together: the samples of a batch's pages, whose
        walk of py3langid's automaton costs a fourth of one per page (``detect_py3langid_many``)."""
        asked = [sample for sample in samples if sample]
        verdicts = dict(zip(asked, detect_py3langid_many(asked), strict=True))  # remembered: later passes ask again
        names = stoplist_names()
        found: list[frozenset[str] | None] = []
        for sample in samples:
            language, score = verdicts[sample] if sample else ("", 0.0)
            if not sample or score < min_score:
                found.append(None)
            else:
                name = names.get(language)
                found.append(self.lists[name] if name else NO_STOPWORDS)
        return found


@lru_cache(maxsize=1)
def stopwords() -> StopWords:
    return StopWords()


# Part of the cache key of the lists: a change of what is derived from jusText's files must not meet an older copy.
STOP_WORDS_FORMAT = "1"


def _stop_words() -> tuple[list[str], dict[str, frozenset[str]], dict[str, tuple[int, ...]]]:
    """jusText's list names, their words, and the numbers of the lists holding each word.

    Reading and indexing the 100 lists took a third of a second at every start (in the boilerplate step's
    ``prepare()``): they are kept in the user's cache (:mod:`cleaner.cache`), named by jusText's version and its
    list files' names, sizes and times."""
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - an installation without lists
        return _read_stop_words()
    files = sorted(Path(next(iter(spec.submodule_search_locations)), "stoplists").glob("*.txt"))
    listing = "\n".join(f"{path.name} {(stat := path.stat()).st_size} {stat.st_mtime_ns}" for path in files)
    digest = hashlib.sha256(listing.encode()).hexdigest()[:16]
    key = f"{importlib.metadata.version('justext')}-{digest}-{STOP_WORDS_FORMAT}"
    return cached_value("justext-stopwords", key, _read_stop_words)


def _read_stop_words() -> tuple[list[str], dict[str, frozenset[str]], dict[str, tuple[int, ...]]]:
    import justext

    names = sorted(justext.get_stoplists())
    lists = {name: frozenset(justext.get_stoplist(name)) for name in names}
    index: dict[str, list[int]] = {}
    for number, name in enumerate(names):
        for word in lists[name]:
            index.setdefault(word, []).append(number)
    return names, lists, {word: tuple(langs) for word, langs in index.items()}


@lru_cache(maxsize=1)
def stoplist_names() -> dict[str, str]:
    """jusText's list name for each language code an identifier gives (``data/boilerplate/stoplists.toml``)."""
    text = (resources.files("cleaner") / "data" / "boilerplate" / "stoplists.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["lists"]


def longest_lines(texts: list[str], chars: int) -> str:
    """The longest lines of ``texts``, longest first, until they hold ``chars`` characters: a page's prose."""
    return join_longest(sorted((text.strip() for text in texts), key=len, reverse=True), chars)


def join_longest(ordered: list[str], chars: int) -> str:
    """Lines already ordered longest first (stripped), taken until they hold ``chars`` characters; a line longer
    than ``chars`` is cut there (at a space), so that the sample stays under twice that size and identifying the
    language of a page whose prose is one huge line costs what any page costs."""
    taken, total = [], 0
    for text in ordered:
        if not text or total >= chars:
            break
        if len(text) > chars:
            space = text.rfind(" ", 0, chars + 1)
            text = text[: space if space > chars // 2 else chars]
        taken.append(text)
        total += len(text)
    return "\n".join(taken)


def tokenize(texts: list[str]) -> list[list[str]]:
    """The lower-cased words of each line."""
    return [WORD.findall(text.lower()) for text in texts]


def classify(
    chars: np.ndarray,
    ruled: np.ndarray,
    stop: np.ndarray,
    terminal: np.ndarray,
    t: Thresholds,
    stop_low: np.ndarray | float | None = None,
    stop_high: np.ndarray | float | None = None,
) -> np.ndarray:
    """Context-free classes (jusText's first pass): good, neargood, short or bad, one code per line (blank lines
    are ``SHORT`` and stay out of every later judgement). ``stop_low``/``stop_high``: the stop-word thresholds
    per line, when they differ by page (else ``t``'s)."""
    low = t.stopwords_low if stop_low is None else stop_low
    high = t.stopwords_high if stop_high is None else stop_high
    cls = np.full(len(chars), SHORT, dtype=np.int8)
    judged = (chars > 0) & ~ruled & (chars >= t.length_low)
    dense = judged & (stop >= high)
    cls[dense] = np.where((chars > t.length_high) | terminal, GOOD, NEARGOOD)[dense]
    cls[judged & (stop < high) & (stop >= low)] = NEARGOOD
    cls[judged & (stop < low)] = BAD
    cls[(chars > 0) & ruled] = BAD
    return cls


def _good_ahead(good: np.ndarray, chars: np.ndarray, pages: Segments, max_distance: int) -> np.ndarray:
    """For every line, whether a good line of its page follows it with at most ``max_distance`` characters of
    other lines in between."""
    after = pages.following_index(good)
    cumulative = np.concatenate(([0], np.cumsum(chars)))
    between = cumulative[after] - cumulative[np.minimum(np.arange(1, len(good) + 1), after)]
    return (after < pages.end) & (between <= max_distance)


def revise(
    cls: np.ndarray, chars: np.ndarray, heading: np.ndarray, pages: Segments, max_heading_distance: int = 200
) -> np.ndarray:
    """jusText's context-sensitive pass, on a copy of ``cls``: headings before good text are promoted, short lines
    take the class of their surroundings, near-good lines are good unless boilerplate lies on both sides. A page's
    edges count as boilerplate, as in jusText."""
    cls = cls.copy()
    filled = chars > 0
    cls[(cls == SHORT) & heading & _good_ahead(cls == GOOD, chars, pages, max_heading_distance)] = NEARGOOD
    shorts = filled & (cls == SHORT)
    if shorts.any():  # all judged on the classes before this step, as jusText
        good_or_bad = filled & ((cls == GOOD) | (cls == BAD))
        previous, following = pages.previous(cls, good_or_bad, BAD), pages.following(cls, good_or_bad, BAD)
        any_class = good_or_bad | (filled & (cls == NEARGOOD))
        previous_any, following_any = pages.previous(cls, any_class, BAD), pages.following(cls, any_class, BAD)
        between_near = ((previous == BAD) & (previous_any == NEARGOOD)) | (
            (following == BAD) & (following_any == NEARGOOD)
        )
        judged = np.where(previous == following, previous, np.where(between_near, GOOD, BAD))
        cls[shorts] = judged[shorts]
    # Near-good lines are bad only between two bad ones. (jusText walks them in order, a revised line counting as
    # the previous neighbour of the next; but near-good lines between the same two neighbours all get the same
    # verdict, so the nearest good or bad line that was not near-good decides.)
    near = filled & (cls == NEARGOOD)
    if near.any():
        good_or_bad = filled & ((cls == GOOD) | (cls == BAD))
        bad_before = pages.previous(cls, good_or_bad, BAD) == BAD
        bad_after = pages.following(cls, good_or_bad, BAD) == BAD
        cls[near] = np.where(bad_before & bad_after, BAD, GOOD)[near]
    # jusText promotes only headings that were not bad to begin with; in text, a long title has the low stop-word
    # density of a bad line, so any heading-like line (never a rule match) that leads into good text is taken.
    # Whether good text lies ahead is judged before any of these promotions.
    candidates = heading & (cls == BAD)
    if candidates.any():
        cls[candidates & _good_ahead(cls == GOOD, chars, pages, max_heading_distance)] = GOOD
    return cls
