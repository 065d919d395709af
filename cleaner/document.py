"""The records that flow through the pipeline.

A :class:`Document` is created by a reader, changed by steps and written by the writer. A step that decides a
document must not be published returns a :class:`Reject` instead; the reject keeps the original text so that
nothing read is ever lost and everything rejected can be reprocessed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import accumulate
from typing import Any


@dataclass(slots=True)
class RemovedLine:
    """One line a step took out of a document, for the audit table.

    ``blank_after``: the blank line after it in the text the step saw went too. Removing a line between two blank
    lines leaves them side by side, and the step keeps one of them; the audit says which, so that the lines can be
    put back where they stood (see :meth:`Document.note_dropped_blank_lines`)."""

    step: str
    reason: str
    line_no: int
    text: str
    blank_after: bool = False


@dataclass(slots=True)
class Edit:
    """A change a step made inside a line (a repaired or respaced run of words), for the edits table.

    At line ``line_no``, column ``column`` of the text as the earlier changes left it, ``before`` became
    ``after``: applying a document's edits in order, between its removed lines (``removed_before`` of them came
    first), replays the cleaning, and undoing them backwards shows the text as it was."""

    step: str
    kind: str
    line_no: int
    column: int
    before: str
    after: str
    removed_before: int


@dataclass(slots=True)
class Document:
    """A document on its way through the pipeline.

    ``metadata`` holds the well-known fields (``url``, ``title``, ``date``, ``author``, ``language`` …) that become
    columns of their own, and anything else a reader carried along (``extra``), which is stored as JSON.
    ``stats`` holds per-step counters (``whitespace_chars_changed`` …), ``removed`` the lines steps dropped,
    ``edits`` what the steps that repair text inside lines changed (see :meth:`record_line_edit`).
    """

    id: str
    text: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    removed: list[RemovedLine] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    original_text: str | None = None
    # The word count of the current text, remembered (never written out).
    _words: tuple[str, int] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.original_text is None:
            self.original_text = self.text

    @property
    def n_words(self) -> int:
        """Words of the current text (:func:`count_words`); counted once per version of the text."""
        if self._words is None or self._words[0] is not self.text:
            self._words = (self.text, count_words(self.text))
        return self._words[1]

    def count(self, step: str, counter: str, amount: int = 1) -> None:
        """Add to a per-step counter (``<step>_<counter>`` in the output)."""
        key = f"{step}_{counter}"
        self.stats[key] = self.stats.get(key, 0) + amount

    def record_line_edit(
        self,
        step: str,
        kind: str,
        line_no: int,
        before: str,
        after: str,
        runs: Iterable[tuple[int, str, str]] | None = None,
    ) -> None:
        """Record that ``step`` changed line ``line_no`` from ``before`` into ``after``: one edit per changed run of
        words, so that a report can show the change in place. Called only where a step changed something: the
        common case costs nothing. ``runs``: :func:`changed_runs` of the two, when the step has them already (it
        remembered the repair of a line that recurs)."""
        shift = 0  # later runs of the line: their column in the line as the earlier runs left it
        for column, old, new in changed_runs(before, after) if runs is None else runs:
            self.edits.append(Edit(step, kind, line_no, column + shift, old, new, len(self.removed)))
            shift += len(new) - len(old)

    def record_text_edits(self, step: str, kind: str, before: str, after: str) -> None:
        """:meth:`record_line_edit` for each line a step changed when it rewrote the whole text (``before``) into
        ``after`` without adding or removing lines (spacing, Unicode normalisation)."""
        old, new = before.split("\n"), after.split("\n")
        if len(old) == len(new):
            pairs = [(i, i) for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        else:  # not expected of these steps; the lines that still pair up are recorded
            blocks = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
            pairs = [(i1 + k, j1 + k) for tag, i1, i2, j1, j2 in blocks if tag == "replace" for k in range(i2 - i1)]
            pairs = [(i, j) for i, j in pairs if j < len(new)]
        for i, j in pairs:
            self.record_line_edit(step, kind, i + 1, old[i], new[j])

    def note_dropped_blank_lines(self, before: str, first: int) -> None:
        """After a step removed lines (``removed[first:]``, line numbers of ``before``, the text it saw): mark the
        removed lines after which the step also dropped a blank line (collapsing the blank lines its removals left
        side by side, or at the ends), so that the audit places every line exactly. Costs a count of line ends when
        nothing else went, a walk over the lines when something did."""
        rows = self.removed[first:]
        if before.count("\n") - len(rows) == self.text.count("\n") or not rows:
            return
        numbers = [row.line_no for row in rows]
        if numbers != sorted(set(numbers)):
            return  # not one removal in the step's text: nothing to say
        removed = {n - 1: row for n, row in zip(numbers, rows, strict=True)}
        kept = [(i, line) for i, line in enumerate(before.split("\n")) if i not in removed]
        after = self.text.split("\n") if self.text else []
        dropped, position = [], 0
        for index, line in kept:
            if position < len(after) and line == after[position]:
                position += 1
            elif line == "":
                dropped.append(index)
            else:
                return  # the step changed kept lines too: unknown
        for index in dropped:
            if index - 1 in removed:
                removed[index - 1].blank_after = True

    def reject(self, reason: str, detail: str = "") -> Reject:
        """A reject for this document, carrying its original text."""
        return Reject(id=self.id, source=self.source, reason=reason, detail=detail, text=self.original_text)


@dataclass(slots=True)
class Reject:
    """A record that will not be published, and why.

    ``reason`` is a short machine-readable name (``read.binary``, ``length.too_short``); ``detail`` is the
    human explanation. ``text`` is the original text when there was any, so the record can be reprocessed.
    """

    id: str
    source: str
    reason: str
    detail: str = ""
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Pending:
    """A record whose document is made where it will be cleaned: ``make()`` returns the document or a reject.

    Extracting a web page's text from its HTML costs as much as cleaning it. A reader hands out pages this way so
    that, when the main process reads a large WARC file and passes its records to the workers, the extraction
    runs in the workers too; everywhere else a pending record is made as soon as it is read. ``size`` is the
    payload's length, for cutting the file into slices."""

    source: str
    size: int
    make: Callable[[], Document | Reject]

    def resolve(self) -> Document | Reject:
        """The record, or a reject when making it failed (a bug in an extractor must not end the run)."""
        try:
            return self.make()
        except Exception as err:
            return Reject(
                id=stable_id(self.source),
                source=self.source,
                reason="read.extraction_failed",
                detail=f"{self.source}: the text could not be extracted ({type(err).__name__}: {err})",
            )


SPACE_RUN = re.compile(r"(\s+)")


def changed_runs(before: str, after: str) -> list[tuple[int, str, str]]:
    """Where one line ``before`` and ``after`` differ, as whole words: ``(column in before, old, new)`` for each
    changed run, left to right. Whole words, because ``cafÃ©`` → ``café`` reads better than ``Ã©`` → ``é`` and
    can be found again in the text. Words are matched, never the spaces between them alone (``str.isspace`` is
    junk to the matcher): a split word (``pleathat`` → ``plea that``) is one changed run. A run that only puts in
    or takes out spaces or a stray character (``Â`` before a space) takes the word beside it along."""
    a, b = SPACE_RUN.split(before), SPACE_RUN.split(after)  # words and the spaces between them
    if len(a) == len(b):  # the same words and spaces, some of them changed (a repair): no need to align them
        ops = _pairwise(a, b)
    else:
        start, end = 0, 0  # most of a line is unchanged: only what lies between its equal ends is matched
        while start < min(len(a), len(b)) and a[start] == b[start]:
            start += 1
        while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
            end += 1
        ops = [("equal", 0, start, 0, start)] if start else []
        matcher = SequenceMatcher(str.isspace, a[start : len(a) - end], b[start : len(b) - end], autojunk=False)
        ops += [(tag, start + i1, start + i2, start + j1, start + j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
        if end:
            ops.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    runs: list[list[int]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        if not "".join(a[i1:i2]).strip() or not "".join(b[j1:j2]).strip():
            if k > 0 and (n := _word_within(a, i1 - 1, -1, ops[k - 1][2] - ops[k - 1][1])):
                i1, j1 = i1 - n, j1 - n
            elif k + 1 < len(ops) and (n := _word_within(a, i2, 1, ops[k + 1][2] - ops[k + 1][1])):
                i2, j2 = i2 + n, j2 + n
        if runs and i1 < runs[-1][1]:  # two runs reaching for the same word: one run
            runs[-1][1], runs[-1][3] = i2, j2
        else:
            runs.append([i1, i2, j1, j2])
    offsets = list(accumulate(map(len, a), initial=0))
    return [(offsets[i1], "".join(a[i1:i2]), "".join(b[j1:j2])) for i1, i2, j1, j2 in runs]


def _pairwise(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """The opcodes of two token lists of one length, as the matcher would give them: changed tokens with only
    spaces between them are one run."""
    ops: list[tuple[str, int, int, int, int]] = []
    position = 0
    for i in [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]:
        if ops and ops[-1][0] != "equal" and all(a[k].isspace() for k in range(position, i)):
            ops[-1] = ("replace", ops[-1][1], i + 1, ops[-1][3], i + 1)
        else:
            if position < i:
                ops.append(("equal", position, i, position, i))
            ops.append(("replace", i, i + 1, i, i + 1))
        position = i + 1
    if position < len(a):
        ops.append(("equal", position, len(a), position, len(a)))
    return ops


def _word_within(tokens: list[str], index: int, direction: int, room: int) -> int:
    """How many tokens from ``index`` on (going ``direction``), within ``room`` equal tokens, reach a word: 1 (a
    word), 2 (a space, then a word) or 0 (none)."""
    for n in (1, 2):
        at = index + direction * (n - 1)
        if n <= room and 0 <= at < len(tokens) and tokens[at] and not tokens[at].isspace():
            return n
    return 0


# Chinese characters and Japanese kana: scripts written without spaces between words.
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD_CHARACTER = re.compile(r"\w")
UNSPACED_LEAD_BYTES = [bytes([lead]) for lead in range(0xE3, 0xEA)]  # U+3000–U+9FFF in UTF-8


def count_words(text: str) -> int:
    """Whitespace-separated words, where each Chinese character or Japanese kana counts as one word.

    Chinese and Japanese put no spaces between words: a whole paragraph would count as one "word", and every
    article in those languages would fall under a minimum length. Counting their characters one by one is what
    word processors do; it overstates the words of a Chinese text about 1.5 times, which is far closer than one
    per paragraph."""
    tokens = text.split()
    if text.isascii() or not _may_hold_unspaced(text):
        return len(tokens)
    unspaced = [len(UNSPACED.findall(token)) for token in tokens]
    # A token such as "iPhone发布了" is one word for its Latin part plus one per character.
    return sum(
        n + bool(WORD_CHARACTER.search(UNSPACED.sub("", token))) if n else 1
        for n, token in zip(unspaced, tokens, strict=True)
    )


def _may_hold_unspaced(text: str) -> bool:
    """A quick test, ruling out most texts: their UTF-8 has none of the lead bytes of U+3000–U+9FFF (seven
    byte searches cost a third of one regex pass over the text)."""
    data = text.encode("utf-8", "surrogatepass")
    return any(lead in data for lead in UNSPACED_LEAD_BYTES)


def stable_id(source: str) -> str:
    """A document id derived from where the record came from, never from its text.

    The same file (and record index within it) gets the same id in every run and every version, so that
    releases can be diffed document by document even after the cleaning changes.
    """
    return hashlib.blake2b(source.encode("utf-8"), digest_size=10).hexdigest()
