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

A safety valve keeps a document (or rejects it, by config) when the signals would remove more than
``max_removed_share`` of its words, or when the analysis has not settled after ``max_passes`` passes (it would then
eat the page away line by line, and cleaning its output again would change it): a gutted document is worse than a
noisy one, and it is flagged either way. Only the phrase rules' lines go from a page the valve keeps: they are
judged line by line, not by reading the page as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from cleaner.boilerplate import characters
from cleaner.boilerplate import lines as line_features
from cleaner.boilerplate.analysis import Analysis, Signals
from cleaner.boilerplate.model import LineModel, load_model
from cleaner.boilerplate.page import Pages, read_pages
from cleaner.boilerplate.rules import RuleSet, load_rules
from cleaner.boilerplate.segments import Segments
from cleaner.document import Document, Reject
from cleaner.language_id import py3langid_model
from cleaner.steps import Step, SurveyRequest
from cleaner.survey import SOFT_HYPHEN, normal_line_key, source_group


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
    # The safety valve: removing more than this share of a document's words keeps it (less its rule lines), flagged.
    max_removed_share: float = 0.97
    # The same for a document whose analysis has not settled after max_passes passes (see Analysis.passes).
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
    # The analysis is repeated on what it kept until it removes nothing more (see Analysis.passes).
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


class Boilerplate(Step):
    name = "boilerplate"
    Config = BoilerplateConfig
    counters = ("lines_removed", "words_removed", "valve")
    judges_context = True
    batches = True

    def __init__(self, config: BoilerplateConfig | None = None) -> None:
        super().__init__(config)
        if self.config.on_excess not in ("keep", "reject"):
            raise ValueError("steps.boilerplate.on_excess must be 'keep' or 'reject'")
        if self.config.decision not in ("model", "regions"):
            raise ValueError("steps.boilerplate.decision must be 'model' or 'regions'")
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
        self.rules, line_features.stopwords(), line_features.stoplist_names(), self.model, characters.tables()
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

    @cached_property
    def analysis(self) -> Analysis:
        return Analysis(self.config, self.model)

    def read(self, documents: list[list[str]], groups: list[str]) -> Pages:
        """The facts of every line of ``documents`` that hold whatever the lines around them (see
        :mod:`cleaner.boilerplate.page`)."""
        recurring = [self._recurring(group) if self.frequent_lines else None for group in groups]
        # Soft hyphens are invisible hyphenation points (kept in the text by default): a line is judged as it
        # reads, so "Wei\u00adter\u00adle\u00adsen" is the word a rule or the model knows, not three pieces.
        documents = [[line.replace(SOFT_HYPHEN, "") for line in lines] if _has_soft_hyphen(lines) else lines
                     for lines in documents]  # fmt: skip
        # The rules' verdicts on the batch's lines at once (RuleSet.match_lines), then looked up line by line.
        verdict = self.rules.match_lines([line for lines in documents for line in lines])
        return read_pages(documents, verdict, self.config.repeated_max_words, recurring)

    def analyse(self, texts: list[str], structural: bool = True, group: str = "") -> list[line_features.Line]:
        """Every line with its class and, for lines to remove, the reason (one pass)."""
        found = self.signals(texts, structural, group)
        return found.lines_with(self.decide(found))

    def signals(self, texts: list[str], structural: bool = True, group: str = "") -> Signals:
        """Everything known about the lines of ``texts`` before the keep-or-remove decision (one pass)."""
        pages = self.read([texts], [group])
        return self.analysis.signals(pages, np.arange(len(pages)), Segments.of([len(pages)]), structural)

    def decide(self, found: Signals, trace: list | None = None) -> np.ndarray:
        """The reason of every line to remove (None for the lines kept), from the signals (see
        :meth:`Analysis.decide`)."""
        return self.analysis.decide(found, trace)

    def model_input(self, found: Signals) -> tuple[list[int], np.ndarray, list[bool]]:
        """The line model's input: the non-blank lines' positions and features, and whether each is asked (rule
        matches, repeated lines and titles are decided without it)."""
        index, matrix, asked = self.analysis.model_input(found, found.decided)
        return index.tolist(), matrix, asked.tolist()

    def _recurring(self, group: str) -> Callable[[list[str]], list[bool]]:
        """Whether each of a page's lines (lower-cased, their spaces collapsed) is one the corpus survey found in
        many documents of ``group``: short enough to be counted (:meth:`survey_candidate`), and among the frequent
        keys.

        The line is normal already (without soft hyphens, see :meth:`read`; lower-casing lower-cased text changes
        nothing), so its key skips :func:`~cleaner.survey.line_key`'s normalisation. A page's lines are asked in one
        call."""
        frequent, most = self.frequent_lines, self.config.corpus_max_words
        return lambda normals: [
            normal.count(" ") < most and normal_line_key(normal, group) in frequent for normal in normals
        ]

    def apply(self, doc: Document) -> Document | Reject:
        return self.apply_batch([doc])[0]

    def apply_batch(self, docs: list[Document]) -> list[Document | Reject]:
        """The documents of a batch analysed together (a pass over all their lines at once), each then cleaned
        as :meth:`apply` would clean it alone: what a page's lines are judged never depends on other pages."""
        texts = [doc.text.split("\n") for doc in docs]
        structural = [not (self.config.rules_only_for_html and doc.metadata.get("format") == "html") for doc in docs]
        found: list[Removals | None] = [None] * len(docs)
        for analysed in (True, False):  # pages analysed in full, then those the rules alone judge
            chosen = [k for k, flag in enumerate(structural) if flag == analysed]
            if chosen:
                groups = [source_group(docs[k]) for k in chosen]
                for k, removals in zip(
                    chosen, self._removals([texts[k] for k in chosen], analysed, groups), strict=True
                ):
                    found[k] = removals
        return [
            self._clean(doc, lines, removals, analysed)
            for doc, lines, removals, analysed in zip(docs, texts, found, structural, strict=True)
        ]

    def _clean(
        self, doc: Document, original: list[str], removals: Removals | None, structural: bool
    ) -> Document | Reject:
        """``doc`` without the lines ``removals`` names, or kept by the safety valve (rejected when what it would
        keep is furniture through and through)."""
        assert removals is not None
        if not removals.reasons:
            return doc
        verdict, detail = self._valve(removals, structural)
        if verdict == "furniture_only":
            return self.reject(doc, verdict, detail)
        if verdict:
            return self._keep_whole(doc, original, removals, verdict, detail, structural)
        self._drop(doc, original, removals)
        return doc

    def _valve(self, removals: Removals, structural: bool) -> tuple[str, str]:
        """Whether the safety valve holds a document back from ``removals``: ``("", "")`` when it does not, else
        its reason (``unsettled``, ``too_much_removed`` or ``furniture_only``) and a detail for the flag."""
        reasons, words, settled = removals.reasons, removals.words, removals.settled
        if not settled:
            return "unsettled", f"still removing lines after max_passes={self.config.max_passes} passes"
        removed_words = sum(map(words.__getitem__, reasons))
        total_words = sum(words) or 1
        if removed_words / total_words <= self.config.max_removed_share:
            return "", ""
        limit = self.config.max_removed_share
        detail = f"would remove {removed_words} of {total_words} words (max_removed_share={limit})"
        prose = removals.prose if structural and removals.prose is not None else total_words
        if prose < self.config.valve_min_prose_words:
            return "furniture_only", f"{detail}, {prose} words of prose"
        return "too_much_removed", detail

    def _drop(self, doc: Document, original: list[str], removals: Removals) -> None:
        doc.count(self.name, "lines_removed", len(removals.reasons))
        doc.count(self.name, "words_removed", sum(map(removals.words.__getitem__, removals.reasons)))
        self.drop_lines(doc, original, removals.reasons)
        doc.text = _collapse_blank_lines(doc.text)

    def _keep_whole(
        self, doc: Document, original: list[str], removals: Removals, reason: str, detail: str, structural: bool
    ) -> Document | Reject:
        """The safety valve: ``doc`` kept and flagged (or rejected, ``on_excess = "reject"``) when the analysis
        cannot clean it safely.

        What the valve distrusts is the analysis (regions, the line model, repetition), which reads the page as a
        whole. The phrase rules judge each line alone, so their lines (a copyright notice, a tracker, a share
        widget) go all the same, as they go from HTML extractions. The page without them is then judged again:
        held back again, it is kept as it stands; cleaned, it is cleaned (its own removals follow the rules'). So
        the output is a page the step leaves as it is, and cleaning it again changes nothing. A page whose rest
        would be rejected as furniture is kept as it came."""
        if self.config.on_excess == "reject":
            return self.reject(doc, reason, detail)
        group = source_group(doc)
        rules = Removals(removals.rules or {}, removals.words, True) if structural else None
        standing = _standing(original, rules.reasons) if rules and rules.reasons else []
        if standing:
            lines = [original[number] for number in standing]
            again = self._removals([lines], True, [group])[0]
            verdict = self._valve(again, True)[0]
            if verdict != "furniture_only":
                reasons = dict(rules.reasons)
                if not verdict:  # cleaned: the rest of the page is judged by what it holds, not kept whole
                    reasons.update((standing[number], why) for number, why in again.reasons.items())
                self._drop(doc, original, Removals(reasons, rules.words, True))
                if not verdict:
                    return doc
        flags = doc.metadata.setdefault("flags", [])
        if not any(flag.startswith("boilerplate.valve") for flag in flags):  # judged again after an edit
            doc.count(self.name, "valve")
            flags.append(f"boilerplate.valve: {detail}")
        return doc

    def removals(
        self, original: list[str], structural: bool = True, group: str = "", trace: list | None = None
    ) -> Removals:
        """The lines of one document to remove (by index into ``original``) with their reasons, every line's word
        count, and whether the analysis settled (see :meth:`Analysis.passes`). ``trace`` receives, per pass, the
        line model's input with line positions in ``original``."""
        return self._removals([original], structural, [group], trace)[0]

    def _removals(
        self, documents: list[list[str]], structural: bool, groups: list[str], trace: list | None = None
    ) -> list[Removals]:
        pages = self.read(documents, groups)
        prose: list[int] = []
        reasons, settled = self.analysis.passes(pages, structural, trace, prose)
        words = pages.words.tolist()
        offsets = pages.offsets.tolist()
        rules = _rule_reasons(pages)
        return [
            Removals(reasons[k], words[offsets[k] : offsets[k + 1]], settled[k], rules[k], prose[k] if prose else None)
            for k in range(len(documents))
        ]


# The valve's verdicts that keep a document (furniture_only rejects it).
HELD_BACK = ("unsettled", "too_much_removed")


class Removals(NamedTuple):
    """What :meth:`Boilerplate.removals` found: the lines to remove with their reasons (by line index), every
    line's word count, and whether the analysis reached its fixed point within ``max_passes``."""

    reasons: dict[int, str]
    words: list[int]
    settled: bool
    # The lines the rules alone remove, and the words of prose the page holds (Analysis.prose_words; None when it
    # was not analysed): what the safety valve needs.
    rules: dict[int, str] | None = None
    prose: int | None = None


def _rule_reasons(pages: Pages) -> list[dict[int, str]]:
    """Per page, the lines the rules remove (by line index within the page) with their categories: what a pass of
    the rules alone removes."""
    matched = np.flatnonzero(pages.rules != None)  # noqa: E711 (element by element)
    numbers, categories = matched.tolist(), pages.rules[matched].tolist()
    bounds, offsets = np.searchsorted(matched, pages.offsets).tolist(), pages.offsets.tolist()
    return [
        dict(zip([number - first for number in numbers[start:end]], categories[start:end], strict=True))
        for first, (start, end) in zip(offsets[:-1], pairwise(bounds), strict=True)
    ]


def _standing(lines: list[str], reasons: dict[int, str]) -> list[int]:
    """The numbers of the lines that ``lines`` keeps without those in ``reasons``, blank lines collapsed as
    :func:`_collapse_blank_lines` collapses them: what the text of the output holds, line by line."""
    kept: list[int] = []
    for number, line in enumerate(lines):
        if number in reasons or (not line and (not kept or not lines[kept[-1]])):
            continue
        kept.append(number)
    while kept and not lines[kept[-1]]:
        kept.pop()
    return kept


def _collapse_blank_lines(text: str) -> str:
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n")


def _has_soft_hyphen(lines: list[str]) -> bool:
    return SOFT_HYPHEN in "".join(lines)  # one search in C, not a Python step per line
