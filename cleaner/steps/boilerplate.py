"""Boilerplate removal for plain text: keep every sentence of the article, drop the site around it.

Signals, each named in the audit as the removed line's reason:

- ``boilerplate.<category>``: a curated phrase or pattern (``share``, ``subscribe``, ``comments``, ``cookie`` …,
  data files in ``cleaner/data/boilerplate/``);
- ``boilerplate.repeated``: a short line that occurs more than once in the document;
- ``boilerplate.outside_content``: a line outside the content regions (before or after the article) that the
  line model (``cleaner/boilerplate/model.py``) does not keep;
- ``boilerplate.low_content``: inside a region, a line the line model does not keep;
- ``boilerplate.corpus_repeated``: either of these, for a line the corpus survey found on many pages of the site.

The line model weighs the signals (jusText-style classes, the regions, the line's shape and its surroundings);
``decision = "regions"`` replaces it with the fixed rule it was trained to beat (inside a region and not
classed bad), for comparison.

A safety valve keeps a document unmodified (or rejects it, by config) when the signals would remove more than
``max_removed_share`` of its words, or when the analysis has not settled after ``max_passes`` passes (it would then
eat the page away line by line, and cleaning its output again would change it): a gutted document is worse than a
noisy one, and it is flagged either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import chain, islice
from typing import NamedTuple

import numpy as np

from cleaner.boilerplate import lines as line_features
from cleaner.boilerplate.lines import BAD, GOOD
from cleaner.boilerplate.model import Layout, LineModel, article_heading, line_matrix, load_model, main_share
from cleaner.boilerplate.rules import RuleSet, load_rules
from cleaner.boilerplate.structure import (
    content_regions,
    extend_start,
    mark_repeated,
    trim_weak_tail,
)
from cleaner.document import Document, Reject
from cleaner.language_id import py3langid_model
from cleaner.steps import Step, SurveyRequest
from cleaner.survey import line_key, source_group

# The end of a sentence: its punctuation, then any closing quotes or brackets ("…stellen?«", "…ist?“").
SENTENCE_END = re.compile(r"[.!?…:;。！？।][\"'»«”“’)\]]*$")


def _sentence_like(text: str) -> bool:
    """Ends like a sentence, or starts in lower case (a list item continuing a sentence; menus and headlines
    start with a capital)."""
    return SENTENCE_END.search(text.rstrip()) is not None or text.lstrip()[:1].islower()


@dataclass
class BoilerplateConfig:
    # jusText's thresholds (characters; share of stop words among a line's words).
    length_low: int = 70
    length_high: int = 200
    stopwords_low: float = 0.30
    stopwords_high: float = 0.32
    # Below this share of stop words in the document's words, its language has no usable list.
    min_stopword_coverage: float = 0.12
    # The stop-word list is the one of the language py3langid finds in the page's longest lines (this many
    # characters of them); when its probability is below min_language_score, the list the page's words hit most.
    # 0: always the latter.
    language_sample_chars: int = 1000
    min_language_score: float = 0.5
    # What a rule-matched or repeated line costs the region around it, in words of good text: a teaser blurb
    # (30-50 words) between two "Read More" lines must not be enough to pull the region over it.
    rule_penalty: float = 25.0
    # Other regions are kept too when they score at least this many words and this share of the main region.
    min_extra_region_words: float = 80.0
    extra_region_ratio: float = 0.3
    # Lines of at most this many words count as repeated when they occur twice in a document.
    repeated_max_words: int = 20
    # Title and standfirst lines taken in above the main region.
    max_title_lines: int = 3
    # A last section of the region with fewer good words than this after its heading is a blurb, not the end
    # of the article.
    min_tail_words: int = 40
    max_tail_share: float = 0.1
    # Rule lines matched anywhere in the line ("~" rules) only when the line is at most this long.
    max_contains_words: int = 60
    # The safety valve: removing more than this share of a document's words keeps it as it was, flagged.
    max_removed_share: float = 0.97
    # The same for a document whose analysis has not settled after max_passes passes (see Boilerplate.removals).
    on_excess: str = "keep"  # "keep" (unmodified, counted in boilerplate_valve) or "reject"
    # The valve guards prose: a document it would keep whole that holds fewer than this many words of prose (lines
    # classed good, no rule matched) is a page of furniture through and through (an index, a login page, a page
    # of menus), not an article the analysis misread; it is rejected as boilerplate.furniture_only. 0: the valve
    # keeps every document.
    valve_min_prose_words: int = 50
    # A short line found in at least this many documents of a source (a first pass over the corpus counts them)
    # is the site's furniture. It is classed as boilerplate, not removed outright: a heading such as
    # "Conclusion" recurs too, and survives when good text follows it. 0 turns the survey off.
    corpus_min_docs: int = 5
    # It must also stand in at least this share of its source's documents: inputs without a URL are all one
    # source, which may mix many sites, where a plain heading recurs on a few pages without being furniture.
    corpus_min_share: float = 0.05
    corpus_max_words: int = 12
    # "model": the learned line model decides, keeping a line whose keep probability reaches the threshold for
    # its place (inside a region, outside, an article heading); a custom model file may be given.
    # "regions": keep what lies inside a content region and is not classed bad.
    decision: str = "model"
    model_threshold: float = 0.5
    model_outside_threshold: float = 0.8
    model_heading_threshold: float = 0.25
    # Below this share of the page's good words in the main region, the outside threshold is not used: the
    # article is likely cut in pieces, and lines outside the region are judged as those inside (0: never).
    min_main_share: float = 0.6
    model_file: str = ""
    # The analysis is repeated on what it kept until it removes nothing more (see Boilerplate.removals).
    max_passes: int = 12
    # Documents extracted from HTML were already cleaned by trafilatura using the DOM: only rules apply.
    rules_only_for_html: bool = True
    # A page whose every line is prose (a sentence or a lower-case list item of at least prose_min_words words, or
    # a line of at least prose_long_words words or prose_long_chars characters) and that no rule matched has no
    # furniture at all: an article already extracted, a forum post. The regions and the line model, made to find
    # an article among menus, would only cut its paragraphs (a closing note, a caption), so only the rules apply.
    # False: every page is analysed.
    keep_all_prose: bool = True
    prose_min_words: int = 5
    prose_long_words: int = 20
    prose_long_chars: int = 150


@dataclass
class Signals:
    """What :meth:`Boilerplate.signals` found; ``layout`` is None when only the rules ran."""

    lines: list[line_features.Line]
    first_classes: list[str] = field(default_factory=list)
    recurring: set[int] = field(default_factory=set)
    layout: Layout | None = None


class Boilerplate(Step):
    name = "boilerplate"
    Config = BoilerplateConfig
    counters = ("lines_removed", "words_removed", "valve")
    judges_context = True

    def __init__(self, config: BoilerplateConfig | None = None) -> None:
        super().__init__(config)
        if self.config.on_excess not in ("keep", "reject"):
            raise ValueError("steps.boilerplate.on_excess must be 'keep' or 'reject'")
        if self.config.decision not in ("model", "regions"):
            raise ValueError("steps.boilerplate.decision must be 'model' or 'regions'")
        self.thresholds = line_features.Thresholds(
            self.config.length_low, self.config.length_high, self.config.stopwords_low, self.config.stopwords_high
        )
        self.no_stoplist = line_features.Thresholds(self.config.length_low, self.config.length_high, 0.0, 0.0)
        self.frequent_lines: set[int] = set()  # filled by the corpus survey before the main pass

    def survey_request(self) -> SurveyRequest | None:
        """Short lines (where furniture lives), when the survey is on (``corpus_min_docs`` above 0)."""
        if not self.config.corpus_min_docs:
            return None
        return SurveyRequest(self.config.corpus_max_words, self.config.corpus_min_docs, self.config.corpus_min_share)

    def use_survey(self, keys: frozenset[int]) -> None:
        self.frequent_lines = keys

    def survey_candidate(self, line: str) -> bool:
        """Lines the survey counts: short, non-empty ones (where furniture lives)."""
        return 0 < len(line.split()) <= self.config.corpus_max_words

    def prepare(self) -> None:
        self.rules, line_features.stopwords(), line_features.stoplist_names(), self.model
        if self.config.language_sample_chars:
            py3langid_model()

    @cached_property
    def rules(self) -> RuleSet:
        return load_rules(max_contains_words=self.config.max_contains_words)

    @cached_property
    def model(self) -> LineModel:
        return replace(
            load_model(self.config.model_file),
            threshold=self.config.model_threshold,
            outside_threshold=self.config.model_outside_threshold,
            heading_threshold=self.config.model_heading_threshold,
        )

    def analyse(
        self, texts: list[str], structural: bool = True, scratch: dict | None = None, group: str = ""
    ) -> list[line_features.Line]:
        """Every line with its class and, for lines to remove, the reason (one pass)."""
        return self.decide(self.signals(texts, structural, scratch, group))

    def decide(self, found: Signals, trace: list | None = None) -> list[line_features.Line]:
        """Set the reason of every line to remove, from the signals. ``trace`` receives the line model's input
        (for training): line indices, feature matrix, and whether each line was asked (rules, repetition and
        titles decide the others)."""
        if found.layout is None:
            return found.lines
        lines, layout = found.lines, found.layout
        if self.config.decision == "model":
            index, matrix, asked = self.model_input(found)
            if trace is not None:
                trace.append((index, matrix, asked))
            probabilities = self.model.keep_probabilities(matrix)
            # When the main region holds little of the page's prose, the article is likely cut in pieces (by an
            # advertisement, a gallery): a line outside the region then needs only what a line inside needs.
            split = main_share(lines, layout) < self.config.min_main_share
            remove = {
                i
                for i, probability, ask in zip(index, probabilities.tolist(), asked, strict=True)
                if ask
                and probability < self.model.needed(split or layout.region[i] > 0, article_heading(lines[i], layout))
            }
        else:
            remove = {
                line.index
                for line in lines
                if not line.blank
                and (not layout.region[line.index] or (line.cls == BAD and not (line.terminal and line.words >= 5)))
            }
        for i in sorted(remove):
            line = lines[i]
            if line.reason is None:
                inside = layout.region[i] > 0
                recurring = i in found.recurring
                line.reason = "corpus_repeated" if recurring else "low_content" if inside else "outside_content"
        return lines

    def model_input(self, found: Signals) -> tuple[list[int], np.ndarray, list[bool]]:
        """The line model's input: the non-blank lines' indices and features, and whether each is asked (rule
        matches, repeated lines and titles are decided without it)."""
        assert found.layout is not None
        index, matrix = line_matrix(found.lines, found.first_classes, found.layout)
        asked = [found.lines[i].reason is None and not found.layout.title[i] for i in index]
        return index, matrix, asked

    def signals(
        self,
        texts: list[str],
        structural: bool = True,
        scratch: dict | None = None,
        group: str = "",
        known: list[line_features.Line] | None = None,
    ) -> Signals:
        """Everything known about the lines before the keep-or-remove decision: features, rule matches (as
        reasons), classes before and after context revision, repeated and recurring lines, content regions.
        ``known``: these same texts' lines from an earlier pass, whose context-free features are reused when the
        stop-word list is the same."""
        tokens = [line.tokens for line in known] if known is not None else line_features.tokenize(texts)
        words = list(islice(chain.from_iterable(tokens[:400]), 2000))
        config, lists = self.config, line_features.stopwords()
        if structural:
            stoplist = lists.for_page(texts, words, config.language_sample_chars, config.min_language_score)
        else:  # the rules alone decide: the classes that stop words feed are not asked
            stoplist = lists.guess(words)
        reuse = known is not None and scratch is not None and scratch.get("stoplist") is stoplist
        if scratch is not None:
            scratch["stoplist"] = stoplist
        covered = sum(map(stoplist.__contains__, words)) / len(words) if words else 0.0
        # Stop words carry no signal for a language without a list (or a script without spaces): then prose is
        # told from boilerplate by length and final punctuation alone.
        thresholds = self.thresholds if covered >= config.min_stopword_coverage else self.no_stoplist
        if reuse:
            lines = [line_features.fresh(line, index) for index, line in enumerate(known)]  # type: ignore[arg-type]
        else:
            lines = line_features.features(texts, stoplist, tokens)
            for line in lines:
                if not line.blank:
                    line.rule = self.rules.match(line.text)
            if known is not None:  # another stop-word list: what depends on the text alone still holds
                for line, earlier in zip(lines, known, strict=True):
                    line.shape, line.content = earlier.shape, earlier.content
        for line in lines:
            line.reason = line.rule
        if not structural or (config.keep_all_prose and self._all_prose(lines)):
            return Signals(lines)
        line_features.classify(lines, thresholds)
        first_classes = [line.cls for line in lines]
        recurring = self._mark_recurring(lines, group)
        mark_repeated(lines, self.config.repeated_max_words)
        line_features.revise(lines)
        return Signals(lines, first_classes, recurring, self.layout(lines))

    def _all_prose(self, lines: list[line_features.Line]) -> bool:
        """Every line blank or prose, and none matched by a rule (see ``keep_all_prose``)."""
        c = self.config
        return all(
            line.blank
            or (
                line.rule is None
                and (
                    line.words >= c.prose_long_words
                    or line.chars >= c.prose_long_chars
                    or (line.words >= c.prose_min_words and _sentence_like(line.text))
                )
            )
            for line in lines
        )

    def layout(self, lines: list[line_features.Line]) -> Layout:
        """The content regions, each with the title lines above it and without a weak tail."""
        config = self.config
        layout = Layout(region=[0] * len(lines), title=[False] * len(lines))
        regions = content_regions(lines, config.rule_penalty, config.min_extra_region_words, config.extra_region_ratio)
        for number, (first, last) in enumerate(regions):
            start = extend_start(lines, first, config.max_title_lines)
            last = trim_weak_tail(lines, start, last, config.min_tail_words, config.max_tail_share)
            layout.region[start : last + 1] = [1 if number == 0 else 2] * (last + 1 - start)
            layout.title[start:first] = [True] * (first - start)
        return layout

    def _mark_recurring(self, lines: list[line_features.Line], group: str) -> set[int]:
        """Class as boilerplate the lines the corpus survey found in many documents; returns their indices."""
        if not self.frequent_lines:
            return set()
        recurring = set()
        for line in lines:
            candidate = line.rule is None and self.survey_candidate(line.text)
            if candidate and line_key(line.text, group) in self.frequent_lines:
                line.cls = line_features.BAD
                recurring.add(line.index)
        return recurring

    def apply(self, doc: Document) -> Document | Reject:
        original = doc.text.split("\n")
        structural = not (self.config.rules_only_for_html and doc.metadata.get("format") == "html")
        reasons, words, settled = self.removals(original, structural, doc.scratch, source_group(doc))
        if not reasons:
            return doc
        removed_words = sum(words[i] for i in reasons)
        total_words = sum(words) or 1
        if not settled:
            detail = f"still removing lines after max_passes={self.config.max_passes} passes"
            return self._keep_whole(doc, "unsettled", detail)
        if removed_words / total_words > self.config.max_removed_share:
            limit = self.config.max_removed_share
            detail = f"would remove {removed_words} of {total_words} words (max_removed_share={limit})"
            prose = self._prose_words(original, source_group(doc)) if structural else total_words
            if prose < self.config.valve_min_prose_words:
                return self.reject(doc, "furniture_only", f"{detail}, {prose} words of prose")
            return self._keep_whole(doc, "too_much_removed", detail)
        doc.count(self.name, "lines_removed", len(reasons))
        doc.count(self.name, "words_removed", removed_words)
        self.drop_lines(doc, original, reasons)
        doc.text = _collapse_blank_lines(doc.text)
        return doc

    def _prose_words(self, texts: list[str], group: str) -> int:
        """The words of the lines first classed good that no rule matched (asked of the valve's documents only)."""
        found = self.signals(texts, True, None, group)
        if not found.first_classes:  # a page of prose alone (keep_all_prose): nothing but prose
            return sum(line.words for line in found.lines)
        first = found.first_classes
        return sum(line.words for line in found.lines if first[line.index] == GOOD and line.rule is None)

    def _keep_whole(self, doc: Document, reason: str, detail: str) -> Document | Reject:
        """The safety valve: ``doc`` kept as it was and flagged (or rejected, ``on_excess = "reject"``) when the
        step cannot clean it safely."""
        if self.config.on_excess == "reject":
            return self.reject(doc, reason, detail)
        flags = doc.metadata.setdefault("flags", [])
        if not any(flag.startswith("boilerplate.valve") for flag in flags):  # judged again after an edit
            doc.count(self.name, "valve")
            flags.append(f"boilerplate.valve: {detail}")
        return doc

    def removals(
        self, original: list[str], structural: bool, scratch: dict, group: str, trace: list | None = None
    ) -> Removals:
        """The lines to remove (by index into ``original``) with their reasons, and every line's word count.

        The analysis runs again on what it kept until it removes nothing more (at most ``max_passes`` times):
        the regions and the line model judge a line by its surroundings, and once the menus are gone the
        surroundings change. Stopping at that fixed point is what makes cleaning clean text a no-op; a page still
        losing lines after the last pass is being eaten away line by line, and is not settled. ``trace``
        receives, per pass, the line model's input with line indices mapped back to ``original``."""
        reasons: dict[int, str] = {}
        words: list[int] = []
        positions = list(range(len(original)))  # where each line being analysed stands in ``original``
        texts = original
        known = None
        for _ in range(self.config.max_passes):
            passes: list = []
            lines = self.decide(self.signals(texts, structural, scratch, group, known), passes)
            if trace is not None:
                trace += [([positions[i] for i in index], matrix, asked) for index, matrix, asked in passes]
            words = words or [line.words for line in lines]
            found = {positions[line.index]: line.reason for line in lines if line.reason and not line.blank}
            if not found:
                return Removals(reasons, words, settled=True)
            reasons.update(found)
            known = [line for line in lines if line.blank or not line.reason]
            positions = [positions[line.index] for line in known]
            texts = [original[i] for i in positions]
        return Removals(reasons, words, settled=False)


class Removals(NamedTuple):
    """What :meth:`Boilerplate.removals` found: the lines to remove with their reasons (by line index), every
    line's word count, and whether the analysis reached its fixed point within ``max_passes``."""

    reasons: dict[int, str]
    words: list[int]
    settled: bool


def _collapse_blank_lines(text: str) -> str:
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n")
