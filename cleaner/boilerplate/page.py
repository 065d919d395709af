"""Pages' lines as arrays: what each line is on its own, computed once per document.

The step analyses a page again after each removal until nothing more goes (two or three passes on most pages).
What a line is by itself -- its words, its length, its final punctuation, its rule match, its shape, whether it
recurs across the site -- does not change from one pass to the next; only its surroundings do. So these facts are
computed once, as numpy arrays over the lines, and each pass takes the rows of the lines still standing instead
of reading the text again. The lines of several documents are kept end to end (:class:`Pages`), so that a pass
over a batch of documents is a few dozen array operations in all (see :mod:`cleaner.boilerplate.segments`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain

import numpy as np

from cleaner.boilerplate.lines import TERMINAL, join_longest, tokenize

# The end of a sentence: its punctuation, then any closing quotes or brackets ("…stellen?«", "…ist?“").
SENTENCE_END = re.compile(r"[.!?…:;。！？।][\"'»«”“’)\]]*$")
Recurring = Callable[[str], bool]  # asked of a line lower-cased, its spaces collapsed


@dataclass
class Pages:
    """The context-free facts of every line of a batch of documents, their lines end to end (a line's number is
    its index in ``texts``; page ``k`` holds lines ``offsets[k]`` to ``offsets[k + 1]``)."""

    texts: list[str]
    stripped: list[str]
    tokens: list[list[str]]  # lower-cased words
    offsets: np.ndarray  # int64, one more than there are pages
    words: np.ndarray  # words per line (int64)
    chars: np.ndarray  # characters of the stripped line (0: a blank line)
    terminal: np.ndarray  # ends with final punctuation
    rules: np.ndarray  # object: the rule category a line matches, or None
    heading: np.ndarray  # heading-like: short, no final punctuation, starts like a title, no rule match
    lead_in: np.ndarray  # a short line ending with a colon ("What the budget does:")
    sentence_like: np.ndarray  # ends like a sentence, or starts in lower case (see SENTENCE_END)
    repeat_codes: np.ndarray  # the normalised text as a number (distinct across pages), -1 for lines not counted
    recurring: np.ndarray  # found on many pages of the site by the corpus survey (and not a rule match)
    _stop_density: dict[tuple[int, frozenset[str]], np.ndarray] = field(default_factory=dict)
    _shapes: np.ndarray | None = None
    _content: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def count(self) -> int:
        """The number of pages."""
        return len(self.offsets) - 1

    @cached_property
    def page_of(self) -> np.ndarray:
        """The page of each line."""
        return np.repeat(np.arange(self.count), np.diff(self.offsets))

    def lines(self, page: int) -> range:
        return range(int(self.offsets[page]), int(self.offsets[page + 1]))

    def stop_density(self, page: int, stoplist: frozenset[str]) -> np.ndarray:
        """The share of each line's words of ``page`` that are in ``stoplist`` (0 for a line without words),
        remembered per list: a page's list rarely changes between passes."""
        key = (page, stoplist)  # a frozenset's hash is computed once, then kept
        if key not in self._stop_density:
            lines = self.lines(page)
            words = self.words[lines.start : lines.stop]
            flat = list(chain.from_iterable(self.tokens[lines.start : lines.stop]))
            hits = np.fromiter(map(stoplist.__contains__, flat), dtype=np.int64, count=len(flat))
            density = np.zeros(len(lines))
            if len(flat):
                starts = np.concatenate(([0], np.cumsum(words)[:-1]))
                sums = np.add.reduceat(np.append(hits, 0), starts)
                has = words > 0
                density[has] = sums[has] / words[has]
            self._stop_density[key] = density
        return self._stop_density[key]

    def longest(self, rows: np.ndarray, chars: int) -> str:
        """The longest of the lines ``rows``, longest first, until they hold ``chars`` characters: the page's
        prose (as :func:`~cleaner.boilerplate.lines.longest_lines` finds it in their texts, one line over ``chars``
        cut there)."""
        lengths = self.chars[rows]
        order = np.argsort(-lengths, kind="stable")  # as sorted(..., reverse=True): equals keep their order
        ordered = lengths[order]
        taken = int(np.count_nonzero((ordered > 0) & (np.cumsum(ordered) - ordered < chars)))
        return join_longest([self.stripped[i] for i in rows[order[:taken]].tolist()], chars)

    def shapes(self, compute: Callable[[list[str], np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
        """The model's features that depend on a line's text alone, one row per line, made by ``compute`` (given
        the stripped texts, word counts and heading flags of the non-blank lines) once for all the pages."""
        if self._shapes is None:
            rows = np.zeros((len(self.texts), 12))
            filled = np.flatnonzero(self.chars)
            if len(filled):
                texts = [self.stripped[i] for i in filled.tolist()]
                rows[filled] = compute(texts, self.words[filled], self.heading[filled].astype(float))
            self._shapes = rows
        return self._shapes

    def content_words(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each line's distinct words of four letters or more, as (line of each entry, word of each entry as a
        number, distinct across pages; number of such words per line): the vocabulary the topic share compares."""
        if self._content is None:
            codes: dict[tuple[int, str], int] = {}
            lines, words, sizes = [], [], []
            page_of = self.page_of.tolist()
            for number, (page, tokens) in enumerate(zip(page_of, self.tokens, strict=True)):
                own = {token for token in tokens if len(token) >= 4 and token.isalpha()}
                sizes.append(len(own))
                for word in own:
                    lines.append(number)
                    words.append(codes.setdefault((page, word), len(codes)))
            self._content = (
                np.array(lines, dtype=np.int64),
                np.array(words, dtype=np.int64),
                np.array(sizes, dtype=np.int64),
            )
        return self._content


def read_pages(
    documents: list[list[str]],
    match_rule: Callable[[str], str | None],
    repeated_max_words: int,
    recurring: list[Recurring | None],
) -> Pages:
    """The facts of every line of ``documents`` (each a list of lines): ``match_rule`` gives a line's rule
    category, ``recurring[k]`` whether the corpus survey found a line of document ``k`` on many pages of its site
    (asked of the normalised text of non-blank lines that match no rule; None: the survey found nothing)."""
    texts = list(chain.from_iterable(documents))
    offsets = np.concatenate(([0], np.cumsum([len(lines) for lines in documents]))).astype(np.int64)
    stripped = [text.strip() for text in texts]
    tokens = tokenize(texts)
    n = len(texts)
    words = np.fromiter(map(len, tokens), dtype=np.int64, count=n)
    chars = np.fromiter(map(len, stripped), dtype=np.int64, count=n)
    terminal = np.fromiter((text.endswith(TERMINAL) for text in stripped), dtype=bool, count=n)
    matched = [match_rule(text) if strip else None for text, strip in zip(texts, stripped, strict=True)]
    rules = np.empty(n, dtype=object)
    rules[:] = matched
    ruled = np.fromiter((rule is not None for rule in matched), dtype=bool, count=n)
    starts_like_title = np.fromiter(
        ((first := text.lstrip()[:1]).isupper() or first.isdigit() for text in texts), dtype=bool, count=n
    )
    short = (words > 0) & (words <= 15)
    heading = short & ~terminal & ~ruled & starts_like_title
    lead_in = short & np.fromiter((text.rstrip().endswith(":") for text in texts), dtype=bool, count=n)
    # A list item continuing a sentence starts in lower case; menus and headlines start with a capital.
    sentence_like = np.fromiter(
        (SENTENCE_END.search(strip) is not None or strip[:1].islower() for strip in stripped), dtype=bool, count=n
    )
    # Each non-blank line's text as repetition and the survey compare it: lower-cased, spaces collapsed.
    normal = [" ".join(text.lower().split()) if strip else "" for text, strip in zip(texts, stripped, strict=True)]
    counted = ((chars > 0) & (words <= repeated_max_words)).tolist()
    page_of = np.repeat(np.arange(len(documents)), np.diff(offsets)).tolist()
    codes: dict[tuple[int, str], int] = {}
    repeat = [
        codes.setdefault((page, line), len(codes)) if count else -1
        for line, count, page in zip(normal, counted, page_of, strict=True)
    ]
    found = np.zeros(n, dtype=bool)
    for page, asks in enumerate(recurring):
        if asks is not None:
            for number in range(int(offsets[page]), int(offsets[page + 1])):
                found[number] = matched[number] is None and bool(normal[number]) and asks(normal[number])
    return Pages(
        texts,
        stripped,
        tokens,
        offsets,
        words,
        chars,
        terminal,
        rules,
        heading,
        lead_in,
        sentence_like,
        np.array(repeat, dtype=np.int64),
        found,
    )
