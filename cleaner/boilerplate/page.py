"""Pages' lines as arrays: what each line is on its own, computed once per document.

The step analyses a page again after each removal until nothing more goes (two or three passes on most pages).
What a line is by itself -- its words, its length, its final punctuation, its rule match, its shape, whether it
recurs across the site -- does not change from one pass to the next; only its surroundings do. So these facts are
computed once, as numpy arrays over the lines, and each pass takes the rows of the lines still standing instead
of reading the text again. The lines of several documents are kept end to end (:class:`Pages`), so that a pass
over a batch of documents is a few dozen array operations in all (see :mod:`cleaner.boilerplate.segments`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, count, groupby, islice, pairwise

import numpy as np

from cleaner.boilerplate.characters import read_lines
from cleaner.boilerplate.lines import join_longest
from cleaner.boilerplate.segments import Segments, cumulative
from cleaner.boilerplate.structure import MIN_ITEMS, NO_WORD, NUMBERED, RANK, SHOWN_TWICE, item_mark, opening_mark
from cleaner.boilerplate.teasers import MIN_BIO_WORDS, author_bios, heading_key, list_headings, name_like, teaser_lists

Recurring = Callable[[list[str]], list[bool]]  # asked of a page's lines lower-cased, spaces collapsed, at once


@dataclass
class Pages:
    """The context-free facts of every line of a batch of documents, their lines end to end (a line's number is
    its index in ``texts``; page ``k`` holds lines ``offsets[k]`` to ``offsets[k + 1]``)."""

    texts: list[str]
    stripped: list[str]
    words_flat: list[str]  # the lower-cased words of every line, end to end
    word_offsets: np.ndarray  # line ``i``'s words are ``words_flat[word_offsets[i]:word_offsets[i + 1]]``
    offsets: np.ndarray  # int64, one more than there are pages
    words: np.ndarray  # words per line (int64)
    chars: np.ndarray  # characters of the stripped line (0: a blank line)
    terminal: np.ndarray  # ends with final punctuation
    rules: np.ndarray  # object: the rule category a line matches, or None
    heading: np.ndarray  # heading-like: short, no final punctuation, starts like a title, no rule match
    lead_in: np.ndarray  # a short line ending with a colon ("What the budget does:")
    sentence_like: np.ndarray  # ends like a sentence, or starts in lower case (see characters.SENTENCE_END)
    # the normalised text as a number (distinct across pages), -1 for lines not counted, SHOWN_TWICE - number for
    # the first copy of a list its page shows twice (see _first_copies)
    repeat_codes: np.ndarray
    recurring: np.ndarray  # found on many pages of the site by the corpus survey (and not a rule match)
    is_content: np.ndarray  # per word of ``words_flat``: a content word (four letters or more, letters alone)
    compound: np.ndarray  # per word of ``words_flat``: it holds a joiner ("e-mail", "it's")
    # Read from the page as it came, once: what a line's place in its layout says, which removals cannot change.
    bio: np.ndarray  # an author's bio, by where it stands (see teasers.author_bios)
    teaser: np.ndarray  # a headline listed under a heading of related articles (see teasers.teaser_lists)
    marks: np.ndarray  # how a line opens as a list item (structure.item_mark; int8): numbered, bulleted, a step, 0
    _stop_running: np.ndarray | None = None
    _shapes: np.ndarray | None = None
    _content: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    # samples(): the characters asked, the lines last asked of, those in a sample, and each page's sample and lines
    _samples: tuple[int, np.ndarray, np.ndarray, dict[int, tuple[str, list[int]]]] | None = None

    @cached_property
    def _stop_hits(self) -> tuple[np.ndarray, dict[int, frozenset[str]]]:
        """Per place of ``vocabulary``, whether the word is in its page's stop-word list, and that list per page."""
        return np.zeros(len(self.words_flat), dtype=np.int64), {}

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

    @cached_property
    def tokens(self) -> list[list[str]]:
        """The lower-cased words of each line (for inspection: the analysis reads ``words_flat``)."""
        flat, offsets = self.words_flat, self.word_offsets.tolist()
        return [flat[start:end] for start, end in pairwise(offsets)]

    def lines(self, page: int) -> range:
        return range(int(self.offsets[page]), int(self.offsets[page + 1]))

    @cached_property
    def vocabulary(self) -> tuple[np.ndarray, list[list[str]], list[np.ndarray]]:
        """Each word of ``words_flat`` as the place where it first occurs on its page (a number distinct across
        pages), and per page its distinct words and their places: a word is looked up in a list once per page,
        not once per occurrence."""
        flat, ends = self.words_flat, self.word_offsets[self.offsets].tolist()
        places = np.empty(len(flat), dtype=np.int64)
        distinct, where = [], []
        for start, end in pairwise(ends):
            first: dict[str, int] = {}
            places[start:end] = np.fromiter(map(first.setdefault, flat[start:end], count(start)), np.int64, end - start)
            distinct.append(list(first))
            where.append(np.fromiter(first.values(), dtype=np.int64, count=len(first)))
        return places, distinct, where

    def stop_running(self, chosen: dict[int, frozenset[str]]) -> np.ndarray:
        """The running count over ``words_flat`` (with a leading 0) of the words in their page's stop-word list,
        ``chosen`` naming the list of each page asked (a page not named keeps the list it had).

        A page's distinct words are looked up again only when its list changes, which it rarely does between
        passes; the running count is then made once for the batch, whatever the number of lists it meets."""
        places, distinct, where = self.vocabulary
        hit, lists = self._stop_hits
        changed = [page for page, stoplist in chosen.items() if lists.get(page) is not stoplist]
        for page in changed:  # a frozenset's hash is computed once, then kept
            hit[where[page]] = np.fromiter(map(chosen[page].__contains__, distinct[page]), bool, len(distinct[page]))
            lists[page] = chosen[page]
        if changed or self._stop_running is None:
            self._stop_running = np.concatenate(([0], np.cumsum(hit[places])))
        return self._stop_running

    def stop_densities(self, rows: np.ndarray, running: np.ndarray) -> np.ndarray:
        """The share of each of the lines ``rows``'s words that are stop words, by the running count ``running``
        (:meth:`stop_running`; 0 for a line without words)."""
        hits = running[self.word_offsets[rows + 1]] - running[self.word_offsets[rows]]
        words = self.words[rows]
        return np.divide(hits, words, out=np.zeros(len(rows)), where=words > 0)

    def stop_density(self, page: int, stoplist: frozenset[str]) -> np.ndarray:
        """The share of each line's words of ``page`` that are in ``stoplist`` (0 for a line without words)."""
        lines = self.lines(page)
        return self.stop_densities(np.arange(lines.start, lines.stop), self.stop_running({page: stoplist}))

    def first_words(self, rows: np.ndarray, most: int) -> list[str]:
        """The first ``most`` words of the lines ``rows``, in order."""
        flat, offsets = self.words_flat, self.word_offsets.tolist()
        return list(islice(chain.from_iterable(flat[offsets[i] : offsets[i + 1]] for i in rows.tolist()), most))

    def longest(self, rows: np.ndarray, chars: int) -> str:
        """The longest of the lines ``rows``, longest first, until they hold ``chars`` characters: the page's
        prose (as :func:`~cleaner.boilerplate.lines.longest_lines` finds it in their texts, one line over ``chars``
        cut there)."""
        lengths = self.chars[rows]
        order = np.argsort(-lengths, kind="stable")  # as sorted(..., reverse=True): equals keep their order
        ordered = lengths[order]
        taken = int(np.count_nonzero((ordered > 0) & (np.cumsum(ordered) - ordered < chars)))
        return join_longest([self.stripped[i] for i in rows[order[:taken]].tolist()], chars)

    def samples(self, rows: np.ndarray, segments: Segments, chars: int) -> list[str]:
        """:meth:`longest` of each page's lines among ``rows`` (``segments``: where each page's begin), sorted for
        all pages at once.

        Remembered from one pass to the next, as ``rows`` lose lines: a page's sample is made of a first run of its
        lines in that order, and it changes only when one of them goes (the lines after them cannot move up into
        the run, nor does the run end elsewhere), so only those pages are sorted again."""
        standing = np.zeros(len(self.texts), dtype=bool)
        standing[rows] = True
        memo = self._samples
        if memo is None or memo[0] != chars or (standing & ~memo[1]).any():  # first asked, or lines came back
            memo = self._samples = (chars, standing, np.zeros(len(self.texts), dtype=bool), {})
        _, _, in_sample, known = memo
        self._samples = (chars, standing, in_sample, known)
        held = segments.sum(in_sample[rows].astype(float)).astype(np.int64).tolist()
        stale = [page for page, count in enumerate(held) if page not in known or len(known[page][1]) != count]
        if stale:
            picked = np.zeros(len(held), dtype=bool)
            picked[stale] = True
            found = self._taken(rows[picked[segments.page]], Segments.of(np.where(picked, segments.sizes, 0)), chars)
            for page in stale:
                if page in known:
                    in_sample[known[page][1]] = False
                in_sample[found[page]] = True
                known[page] = (join_longest([self.stripped[i] for i in found[page]], chars), found[page])
        return [known[page][0] for page in range(len(held))]

    def _taken(self, rows: np.ndarray, segments: Segments, chars: int) -> list[list[int]]:
        """Per page, the lines among ``rows`` that :meth:`longest` takes, longest first."""
        lengths = self.chars[rows]
        longest = int(lengths.max(initial=0)) + 1
        order = np.argsort(segments.page * longest + (longest - 1 - lengths), kind="stable")
        ordered = lengths[order]
        before = cumulative(ordered)
        above = before[:-1] - before[segments.start]  # the characters of the page's longer lines
        counts = segments.sum(((ordered > 0) & (above < chars)).astype(float)).astype(np.int64).tolist()
        chosen = rows[order].tolist()
        return [chosen[start : start + taken] for start, taken in zip(segments.starts.tolist(), counts, strict=True)]

    def shapes(self, compute: Callable[[Pages, np.ndarray], np.ndarray]) -> np.ndarray:
        """The model's features that depend on a line's text alone, one row per line, made by ``compute`` (given
        these pages and the numbers of their non-blank lines) once for all the pages."""
        if self._shapes is None:
            rows = np.zeros((len(self.texts), 12))
            filled = np.flatnonzero(self.chars)
            if len(filled):
                rows[filled] = compute(self, filled)
            self._shapes = rows
        return self._shapes

    def content_words(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each line's distinct words of four letters or more, as (line of each entry, word of each entry as a
        number, distinct across pages; number of such words per line): the vocabulary the topic share compares."""
        if self._content is None:
            places = self.vocabulary[0]
            taken = self.is_content
            lines = np.repeat(np.arange(len(self.texts)), self.words)[taken]
            size = len(places) + 1
            pairs = lines * size + places[taken]
            pairs.sort(kind="stable")  # sorted by line already: runs merged in linear time (np.unique sorts afresh)
            first = np.ones(len(pairs), dtype=bool)
            first[1:] = pairs[1:] != pairs[:-1]
            pairs = pairs[first]  # each word once per line
            lines = pairs // size
            self._content = (lines, pairs % size, np.bincount(lines, minlength=len(self.texts)).astype(np.int64))
        return self._content


def read_pages(
    documents: list[list[str]],
    match_rule: Callable[[str], str | None],
    repeated_max_words: int,
    recurring: list[Recurring | None],
) -> Pages:
    """The facts of every line of ``documents`` (each a list of lines): ``match_rule`` gives a line's rule
    category, ``recurring[k]`` whether the corpus survey found each line of document ``k`` on many pages of its site
    (asked of the normalised texts of its non-blank lines that match no rule, at once; None: the survey found
    nothing)."""
    texts = list(chain.from_iterable(documents))
    offsets = np.concatenate(([0], np.cumsum([len(lines) for lines in documents]))).astype(np.int64)
    n = len(texts)
    facts = read_lines(texts)
    stripped = list(map(str.strip, texts))
    chars, terminal = facts.chars, facts.terminal
    words = np.diff(facts.token_offsets)
    filled = np.flatnonzero(chars)
    rules = np.full(n, None, dtype=object)
    rules[filled] = list(map(match_rule, map(texts.__getitem__, filled.tolist())))  # blank lines match nothing
    matched = rules.tolist()
    ruled = rules != None  # noqa: E711 (element by element)
    short = (words > 0) & (words <= 15)
    heading = short & ~terminal & ~ruled & facts.title_start
    lead_in = short & facts.colon
    # A list item continuing a sentence starts in lower case; menus and headlines start with a capital.
    sentence_like = facts.sentence_end | facts.lower_start
    # Each non-blank line's text as repetition and the survey compare it: lower-cased, spaces collapsed.
    normal = facts.normal
    page_of = np.repeat(np.arange(len(documents)), np.diff(offsets))
    repeat = np.full(n, -1, dtype=np.int64)
    counted = (chars > 0) & (words <= repeated_max_words)
    if counted.any():  # the same text on the same page: the same number (its first line's)
        first = np.fromiter(map({}.setdefault, normal, range(n)), dtype=np.int64, count=n)
        repeat[counted] = np.unique(page_of[counted] * n + first[counted], return_inverse=True)[1].reshape(-1)
    marks = _item_marks(stripped, facts.first_char, facts.two_letters, chars > 0)
    # Numbered lines but the ranks of a most-read list ("1. Headline": a number closed by a dot or a bracket before a
    # line that does not end as a sentence does); "1. Preheat the oven." is a step of instructions, and stays.
    quantities = marks == NUMBERED
    ranks = [i for i in np.flatnonzero(quantities & ~terminal).tolist() if RANK.match(stripped[i])]
    quantities[ranks] = False
    _first_copies(repeat, quantities, chars > 0, page_of)
    bio, teaser = _author_boxes_and_teasers(
        stripped,
        matched,
        words,
        terminal,
        rules == "related",
        (words >= 2) & (words <= 4) & ~terminal & ~ruled & facts.title_start & _paragraph_below(words, ruled),
        page_of,
        offsets,
    )
    found = np.zeros(n, dtype=bool)
    if any(asks is not None for asks in recurring):
        askable = np.flatnonzero(~ruled & (chars > 0))  # a line's normal text is empty when the line is blank
        bounds, askable_list = np.searchsorted(askable, offsets).tolist(), askable.tolist()
        for page, asks in enumerate(recurring):
            if asks is not None and (numbers := askable_list[bounds[page] : bounds[page + 1]]):
                found[numbers] = asks(list(map(normal.__getitem__, numbers)))
    return Pages(
        texts, stripped, facts.tokens, facts.token_offsets, offsets, words, chars, terminal, rules, heading,
        lead_in, sentence_like, repeat, found, (facts.token_lengths >= 4) & facts.token_letters,
        facts.token_compound, bio, teaser, marks,
    )  # fmt: skip


def _item_marks(stripped: list[str], first: np.ndarray, two_letters: np.ndarray, filled: np.ndarray) -> np.ndarray:
    """:func:`~cleaner.boilerplate.structure.item_mark` of each stripped line, from the code point of its first
    character (``first``) and whether it holds two letters in a row (``two_letters``), as read for the whole batch
    (:func:`~cleaner.boilerplate.characters.read_lines`): each distinct first character is asked once, and only
    the lines without two letters (a blank line, a number, a date) one by one."""
    chars, where = np.unique(first, return_inverse=True)
    kinds = np.array([opening_mark(chr(code)) for code in chars.tolist()])
    marks = np.where(two_letters, kinds.astype(np.int8)[where.reshape(-1)], NO_WORD).astype(np.int8)
    for number in np.flatnonzero(filled & ~two_letters).tolist():  # a blank line holds no two letters
        marks[number] = item_mark(stripped[number])
    return marks


def _first_copies(repeat: np.ndarray, quantities: np.ndarray, filled: np.ndarray, page_of: np.ndarray) -> None:
    """Mark in ``repeat`` (as ``SHOWN_TWICE - code``) the first copy of a list of quantities that its page shows
    again line for line (a recipe's ingredients in a tab and again in a print view): the copies still count as
    each other's repetition, but only the later ones go as repeated, so the article keeps its list once. A list is
    a run of at least ``MIN_ITEMS`` ``quantities`` (numbered lines that are no rank; blank lines between them passed
    over); the numbers of ``repeat`` are distinct across pages, so a run is only ever the copy of one on its own
    page (``page_of``)."""
    items = np.flatnonzero(quantities & (repeat >= 0))
    if len(items) < 2 * MIN_ITEMS:
        return
    place = np.cumsum(filled) - 1  # a line's number among the non-blank lines
    apart = (np.diff(place[items]) != 1) | (np.diff(page_of[items]) != 0)
    runs = np.split(items, np.flatnonzero(apart) + 1)
    copies = Counter(tuple(repeat[run].tolist()) for run in runs if len(run) >= MIN_ITEMS)
    for run in runs:
        key = tuple(repeat[run].tolist())
        if len(run) >= MIN_ITEMS and copies[key] > 1:
            copies[key] = 0  # the first copy only
            repeat[run] = SHOWN_TWICE - repeat[run]


def _author_boxes_and_teasers(
    stripped: list[str],
    matched: list[str | None],
    words: np.ndarray,
    terminal: np.ndarray,
    related: np.ndarray,
    short_titles: np.ndarray,
    page_of: np.ndarray,
    offsets: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per line, whether it is an author's bio (:func:`~cleaner.boilerplate.teasers.author_bios`, looked for under
    the ``short_titles`` that read as a name) and whether it is a teaser under a list heading (found among the
    ``related`` rule matches; :func:`~cleaner.boilerplate.teasers.teaser_lists`), page by page."""
    bio, teaser = np.zeros(len(stripped), dtype=bool), np.zeros(len(stripped), dtype=bool)
    names = [i for i in np.flatnonzero(short_titles).tolist() if name_like(stripped[i])]
    for page, group in groupby(names, page_of.__getitem__):
        bio[author_bios(stripped, matched, list(group), int(offsets[page]), int(offsets[page + 1]))] = True
    headings = list_headings()
    listed = [i for i in np.flatnonzero(related).tolist() if heading_key(stripped[i]) in headings]
    if listed:
        words_list, terminal_list = words.tolist(), terminal.tolist()
        for page, group in groupby(listed, page_of.__getitem__):
            start, end = int(offsets[page]), int(offsets[page + 1])
            teaser[teaser_lists(list(group), stripped, matched, words_list, terminal_list, start, end)] = True
    return bio, teaser


def _paragraph_below(words: np.ndarray, ruled: np.ndarray, most: int = 10) -> np.ndarray:
    """Per line, whether one of the ``most`` lines below it (on any page) is long enough to be a bio and matches
    no rule: the only short lines worth reading as a name (see ``teasers.author_bios``)."""
    paragraph = (words >= MIN_BIO_WORDS) & ~ruled
    below = np.zeros(len(words), dtype=bool)
    for step in range(1, most + 1):
        below[:-step] |= paragraph[step:]
    return below
