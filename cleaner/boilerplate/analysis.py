"""The analysis of a batch of pages, pass after pass, until it removes nothing more.

A pass takes the lines still standing of every page of the batch at once (see :mod:`cleaner.boilerplate.page`
and :mod:`cleaner.boilerplate.segments`) and gives each line a verdict: kept, or removed with a reason.

- rule matches and repeated lines are removed as such (``boilerplate.<category>``, ``boilerplate.repeated``), and so
  are, found by their layout, an author's bio under the author's name (``boilerplate.author``) and the headlines
  listed under a heading of related articles (``boilerplate.related``; marked once the regions are found);
- jusText-style classes, revised by their neighbours, score the content regions;
- the line model weighs every signal for the lines still undecided, with a threshold by place (inside a region,
  outside, an article heading); ``decision = "regions"`` replaces it with the fixed rule it was trained to beat;
- a list whose items the model half keeps (numbered or bulleted items, or the lines a lead-in announces) is kept
  whole: the model judges each short item alone and scatters around its threshold within one list
  (:func:`~cleaner.boilerplate.structure.kept_lists`).

Pages leave the batch as they settle: a page none of whose lines a pass removes is done. What one page's
verdicts are does not depend on the other pages of its batch: every neighbourhood stops at a page's edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from cleaner.boilerplate import lines as line_features
from cleaner.boilerplate.lines import BAD, CLASS_NAMES, GOOD, NO_STOPWORDS, SHORT, Line, Thresholds
from cleaner.boilerplate.memory import KnownRows
from cleaner.boilerplate.model import FEATURES, Layout, LineModel, line_matrix, main_share, text_shapes
from cleaner.boilerplate.page import Pages
from cleaner.boilerplate.segments import Segments, cumulative
from cleaner.boilerplate.structure import (
    content_regions,
    extend_start,
    kept_lists,
    line_scores,
    repeated,
    trim_weak_tail,
)

if TYPE_CHECKING:
    from cleaner.steps.boilerplate import BoilerplateConfig

FURNITURE_WORDS, EARLY_COLON = FEATURES.index("furniture_words"), FEATURES.index("early_colon")
# A page's first words, on which its stop-word list's coverage is judged (and, when the language is unsure, chosen).
FIRST_LINES, FIRST_WORDS = 400, 2000


@dataclass
class Signals:
    """What one pass found about its lines: arrays over the lines analysed (``rows``: their numbers in ``pages``,
    page by page, ``segments`` telling where each page's begin). ``reasons`` holds why a line goes so far (a
    rule's category, ``repeated``), None for the others; ``layout`` is None when only the rules ran."""

    pages: Pages
    rows: np.ndarray
    segments: Segments
    reasons: np.ndarray
    stop: np.ndarray | None = None
    cls: np.ndarray | None = None  # jusText classes after the context revision
    first_cls: np.ndarray | None = None  # before it
    recurring: np.ndarray | None = None  # found by the corpus survey
    layout: Layout | None = None
    plain: np.ndarray | None = None  # the line's page is all prose: the rules alone judge it (keep_all_prose)

    @cached_property
    def decided(self) -> np.ndarray:
        """Whether a reason removes the line already (``reasons`` is not changed once the signals are made)."""
        return self.reasons != None  # noqa: E711 (element by element)

    @property
    def lines(self) -> list[Line]:
        """The lines as records, for inspection (indices are positions among the lines analysed)."""
        return self.lines_with(self.reasons)

    def lines_with(self, reasons: np.ndarray) -> list[Line]:
        pages, rows = self.pages, self.rows.tolist()
        stop = self.stop.tolist() if self.stop is not None else [0.0] * len(rows)
        classes = self.cls.tolist() if self.cls is not None else [SHORT] * len(rows)
        return [
            Line(
                number,
                pages.texts[i],
                int(pages.words[i]),
                int(pages.chars[i]),
                stop[number],
                bool(pages.terminal[i]),
                pages.rules[i],
                CLASS_NAMES[classes[number]],
                reasons[number],
                pages.tokens[i],
            )
            for number, i in enumerate(rows)
        ]


@dataclass
class Analysis:
    """The boilerplate step's judgement, configured: its settings (a ``BoilerplateConfig``) and line model."""

    config: BoilerplateConfig
    model: LineModel

    def __post_init__(self) -> None:
        config = self.config
        self.thresholds = Thresholds(config.length_low, config.length_high, config.stopwords_low, config.stopwords_high)
        # The shape features a line's characters give, remembered across batches: a site's furniture recurs.
        self.shapes_of = KnownRows(text_shapes, 9)

    def passes(
        self, pages: Pages, structural: bool, trace: list | None = None, prose: list[int] | None = None
    ) -> tuple[list[dict[int, str]], list[bool]]:
        """The lines to remove of every page (by line index within the page) with their reasons, and whether
        each page reached its fixed point within ``max_passes``.

        The analysis runs again on what it kept until it removes nothing more: the regions and the line model
        judge a line by its surroundings, and once the menus are gone the surroundings change. Stopping at that
        fixed point is what makes cleaning clean text a no-op; a page still losing lines after the last pass is
        being eaten away line by line, and is not settled. ``trace`` (one page only) receives, per pass, the line
        model's input with line positions in the page; ``prose`` (when the pages are analysed) each page's
        :meth:`prose_words`, read in the first pass."""
        count = pages.count
        reasons: list[dict[int, str]] = [{} for _ in range(count)]
        settled = [False] * count
        page_of = pages.page_of
        rows = np.arange(len(pages))  # the lines still standing
        filled = pages.chars > 0
        for number in range(self.config.max_passes):
            if not len(rows):  # a pass over nothing removes nothing: every page has settled
                return reasons, [True] * count
            segments = Segments.of(np.bincount(page_of[rows], minlength=count))
            traced: list = []
            found = self.signals(pages, rows, segments, structural)
            if prose is not None and structural and number == 0:  # the first pass sees every line
                prose[:] = self.prose_words(found).tolist()
            verdict = self.decide(found, traced if trace is not None else None)
            if trace is not None:
                trace += [([int(rows[i]) for i in index], matrix, asked) for index, matrix, asked in traced]
            gone = filled[rows] & (verdict != None)  # noqa: E711 (element by element)
            losing = np.bincount(page_of[rows][gone], minlength=count) > 0
            for page in np.flatnonzero(~losing & (segments.sizes > 0) | (segments.sizes == 0)).tolist():
                settled[page] = True
            lines = rows[gone]
            owners = page_of[lines]
            numbers = (lines - pages.offsets[owners]).tolist()  # within its page
            why, losers = verdict[gone].tolist(), np.flatnonzero(losing)
            bounds = [*np.searchsorted(owners, losers).tolist(), len(why)]  # ``lines`` run page by page
            for page, (start, end) in zip(losers.tolist(), pairwise(bounds), strict=True):
                reasons[page].update(zip(numbers[start:end], why[start:end], strict=True))
            rows = rows[~gone & losing[page_of[rows]]]  # settled pages leave the batch
        return reasons, settled

    def signals(self, pages: Pages, rows: np.ndarray, segments: Segments, structural: bool) -> Signals:
        """The signals of one pass over the lines ``rows`` (``segments``: one per page of ``pages``, empty for a page
        without lines among them): rule matches (as reasons), stop-word densities, classes before and after the
        context revision, repeated and recurring lines, content regions."""
        reasons = pages.rules[rows]
        if not structural:  # the rules alone decide
            return Signals(pages, rows, segments, reasons)
        ruled = reasons != None  # noqa: E711 (element by element)
        stop, low, high = self._stop_words(pages, rows, segments)
        chars = pages.chars[rows]
        first_cls = line_features.classify(chars, ruled, stop, pages.terminal[rows], self.thresholds, low, high)
        recurring = pages.recurring[rows]
        cls = first_cls.copy()
        cls[recurring] = BAD
        reasons = reasons.copy()
        reasons[repeated(pages.repeat_codes[rows], ruled)] = "repeated"
        reasons[pages.bio[rows] & ~ruled] = "author"
        cls = line_features.revise(cls, chars, pages.heading[rows], segments)
        found = Signals(pages, rows, segments, reasons, stop, cls, first_cls, recurring)
        found.layout = self.layout(found)
        # Teasers under a list heading go, but the regions were found with them as the lines they are: a list of
        # headlines inside the article (an inline "Read also") must not cut it in two as rule matches would.
        listed = pages.teaser[rows] & ~found.decided
        if listed.any():
            reasons[listed] = "related"
            del found.decided  # made again from the reasons
        found.plain = self._plain(pages, rows, segments, ruled)
        return found

    def prose_words(self, found: Signals) -> np.ndarray:
        """Per page, the words of its lines first classed good that no rule matched, or all its words when it is
        prose alone (``keep_all_prose``): what the safety valve calls its prose. Read off the first pass, which
        sees every line, so that the valve need not read a page again."""
        assert found.first_cls is not None and found.plain is not None
        pages, rows = found.pages, found.rows
        words = pages.words[rows].astype(float)
        prose = found.plain | ((found.first_cls == GOOD) & (pages.rules[rows] == None))  # noqa: E711
        return found.segments.sum(words * prose).astype(np.int64)

    def _plain(self, pages: Pages, rows: np.ndarray, segments: Segments, ruled: np.ndarray) -> np.ndarray:
        """Per line, whether every line of its page is blank or prose and no rule matched any (``keep_all_prose``):
        a page without furniture at all (an article already extracted, a forum post), where the regions and the
        line model, made to find an article among menus, would only cut its paragraphs. The rules alone judge it.

        Prose: a sentence (or a lower-case list item) of at least ``prose_min_words`` words, or a line of at least
        ``prose_long_words`` words or ``prose_long_chars`` characters."""
        config = self.config
        if not config.keep_all_prose:
            return np.zeros(len(rows), dtype=bool)
        words, chars = pages.words[rows], pages.chars[rows]
        long = (words >= config.prose_long_words) | (chars >= config.prose_long_chars)
        sentence = (words >= config.prose_min_words) & pages.sentence_like[rows]
        prose = (chars == 0) | (~ruled & (long | sentence))
        return (segments.sum((~prose).astype(float)) == 0)[segments.page]

    def _stop_words(
        self, pages: Pages, rows: np.ndarray, segments: Segments
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per line, its stop-word density by its page's list, and the stop-word thresholds of its page.

        The list is that of the language of the page's longest lines (see ``StopWords.for_sample``). Stop words
        carry no signal for a language without a list (or a script without spaces): then prose is told from
        boilerplate by length and final punctuation alone (thresholds 0). The list's coverage is judged on the
        page's first words (``FIRST_WORDS`` of its first ``FIRST_LINES`` lines)."""
        config = self.config
        chosen = self._stoplists(pages, rows, segments)
        running = pages.stop_running({page: chosen[page] for page in np.flatnonzero(segments.sizes).tolist()})
        stop = pages.stop_densities(rows, running)
        first_lines = segments.position < FIRST_LINES
        words = np.where(first_lines, pages.words[rows], 0)
        before = cumulative(words)
        before = before[:-1] - before[segments.start]  # the page's words on the lines above
        taken = np.clip(FIRST_WORDS - before, 0, words).astype(np.int64)
        counted = segments.sum(taken.astype(float))
        start = pages.word_offsets[rows]
        covered = segments.sum((running[start + taken] - running[start]).astype(float))
        covered = np.divide(covered, counted, out=np.zeros(len(counted)), where=counted > 0)
        enough = (covered >= config.min_stopword_coverage)[segments.page]
        low = np.where(enough, config.stopwords_low, 0.0)
        high = np.where(enough, config.stopwords_high, 0.0)
        return stop, low, high

    def _stoplists(self, pages: Pages, rows: np.ndarray, segments: Segments) -> list[frozenset[str]]:
        """The stop-word list of each page: that of the language of its longest lines, or, when the identifier is
        unsure, the list its first words hit most (``StopWords.for_sample``)."""
        config, lists = self.config, line_features.stopwords()
        chars = config.language_sample_chars
        samples = pages.samples(rows, segments, chars) if chars > 0 else [""] * len(segments.sizes)
        by_language = lists.by_languages(samples, config.min_language_score)  # all identified at once: cheaper
        chosen = []
        for found, start, end in zip(by_language, segments.starts.tolist(), segments.ends.tolist(), strict=True):
            if start == end:
                found = NO_STOPWORDS
            elif found is None:
                found = lists.guess(pages.first_words(rows[start:end][:FIRST_LINES], FIRST_WORDS))
            chosen.append(found)
        return chosen

    def layout(self, found: Signals) -> Layout:
        """The content regions of each page, each with the title lines above it and without a weak tail."""
        config, pages, rows, segments = self.config, found.pages, found.rows, found.segments
        assert found.cls is not None
        layout = Layout(region=np.zeros(len(rows), dtype=np.int8), title=np.zeros(len(rows), dtype=bool))
        decided, words, blank = found.decided, pages.words[rows], pages.chars[rows] == 0
        scores = line_scores(found.cls, words, blank, decided, config.rule_penalty)
        words_list, heading = words.tolist(), pages.heading[rows].tolist()
        good = ((found.cls == GOOD) & ~decided).tolist()
        blank_list, decided_list = blank.tolist(), decided.tolist()
        skipped = (blank | decided).tolist()
        tail = (config.min_tail_words, config.max_tail_share)
        standing = np.flatnonzero(segments.sizes)  # a page settled in an earlier pass has no lines, nor regions
        for start, end in zip(segments.starts[standing].tolist(), segments.ends[standing].tolist(), strict=True):
            regions = content_regions(scores[start:end], config.min_extra_region_words, config.extra_region_ratio)
            page = (words_list[start:end], good[start:end], heading[start:end])
            for number, (first, last) in enumerate(regions):
                top = extend_start(first, config.max_title_lines, *page, blank_list[start:end], decided_list[start:end])
                last = trim_weak_tail(top, last, *tail, *page, skipped[start:end])
                layout.region[start + top : start + last + 1] = 1 if number == 0 else 2
                layout.title[start + top : start + first] = True
        return layout

    def decide(self, found: Signals, trace: list | None = None) -> np.ndarray:
        """The reason of every line to remove (None for the lines kept), from the signals. ``trace`` receives
        the line model's input (for training): line positions, feature matrix, and whether each line was asked
        (rules, repetition and titles decide the others)."""
        if found.layout is None:
            return found.reasons
        pages, rows, layout = found.pages, found.rows, found.layout
        assert found.cls is not None and found.recurring is not None
        cls, region = found.cls, layout.region
        decided = found.decided
        plain = found.plain if found.plain is not None else np.zeros(len(rows), dtype=bool)
        if self.config.decision == "model":
            index, matrix, asked = self.model_input(found, decided)
            if trace is not None and not plain.all():
                trace.append((index.tolist(), matrix, asked.tolist()))
            probabilities = self.model.keep_probabilities(matrix)
            # When the main region holds little of the page's prose, the article is likely cut in pieces (by an
            # advertisement, a gallery): a line outside the region then needs only what a line inside needs.
            shares = main_share(pages.words[rows], (cls == GOOD) & ~decided, region, found.segments)
            split = shares[found.segments.page] < self.config.min_main_share
            # A heading (or a lead-in ending with a colon) inside the main region that leads into good text is
            # most likely the article's own: it is kept on weaker evidence (the model, taught mostly on sentences,
            # drops short title-like lines). Titles taken in above a region are not asked at all.
            article_heading = (region == 1) & (cls == GOOD) & (pages.heading[rows] | pages.lead_in[rows])
            model = self.model
            needed = np.where(split | (region > 0), model.threshold, model.outside_threshold)
            needed = np.where(article_heading, model.heading_threshold, needed)[index]
            remove = np.zeros(len(rows), dtype=bool)
            remove[index[asked & (probabilities < needed)]] = True
            remove[index[self._lists(found, index, matrix, asked, probabilities, ~remove[index])]] = False
        else:
            words, terminal = pages.words[rows], pages.terminal[rows]
            remove = (pages.chars[rows] > 0) & ((region == 0) | ((cls == BAD) & ~(terminal & (words >= 5))))
        reasons = found.reasons.copy()
        new = remove & ~decided
        reasons[new] = "outside_content"
        reasons[new & (region > 0)] = "low_content"
        reasons[new & found.recurring] = "corpus_repeated"
        reasons[plain] = None  # no rule matched a line of these pages, and nothing else judges them
        return reasons

    def _lists(
        self,
        found: Signals,
        index: np.ndarray,
        matrix: np.ndarray,
        asked: np.ndarray,
        probabilities: np.ndarray,
        kept: np.ndarray,
    ) -> np.ndarray:
        """Among the lines the model saw (``index``), those of a list it keeps as a whole
        (:func:`~cleaner.boilerplate.structure.kept_lists`): its probabilities scatter within a list of short
        items, and a list torn in two is worse than one kept or removed whole. ``kept``: the model's verdicts on
        those lines (a lead-in announces a list only when it stays itself)."""
        assert found.stop is not None
        pages, rows = found.pages, found.rows[index]
        lead_in = pages.lead_in[rows]
        # A lead-in written as a clause ("so I'll summarize them:") announces the article's own lines; one poor in
        # stop words is a label ("Beliebte Beiträge zum Thema:"), and what it announces may be the site's.
        clause = found.stop[index] >= self.config.stopwords_low
        filled = np.bincount(found.segments.page[index], minlength=len(found.segments.sizes))
        return kept_lists(
            probabilities,
            asked & (matrix[:, FURNITURE_WORDS] == 0),
            pages.words[rows],
            pages.marks[rows],
            lead_in,
            matrix[:, EARLY_COLON] > 0,
            lead_in & kept & clause & ~found.decided[index],
            Segments.of(filled).first,
        )

    def model_input(self, found: Signals, decided: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The line model's input: the non-blank lines' positions among the lines analysed and their features,
        and whether each is asked (rule matches, repeated lines and titles are decided without it)."""
        assert found.layout is not None and found.stop is not None and found.cls is not None
        assert found.first_cls is not None
        layout = found.layout
        index = np.flatnonzero(found.pages.chars[found.rows])
        filled = np.bincount(found.segments.page[index], minlength=len(found.segments.sizes))
        matrix = line_matrix(
            found.pages,
            found.rows[index],
            Segments.of(filled),
            found.stop[index],
            found.cls[index],
            decided[index],
            found.first_cls[index],
            layout.region[index],
            layout.title[index],
            self.shapes_of,
        )
        return index, matrix, ~decided[index] & ~layout.title[index]
