"""The records that flow through the pipeline.

A :class:`Document` is created by a reader, changed by steps and written by the writer. A step that decides a
document must not be published returns a :class:`Reject` instead; the reject keeps the original text so that
nothing read is ever lost and everything rejected can be reprocessed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class RemovedLine:
    """One line a step took out of a document, for the audit table."""

    step: str
    reason: str
    line_no: int
    text: str


@dataclass(slots=True)
class Document:
    """A document on its way through the pipeline.

    ``metadata`` holds the well-known fields (``url``, ``title``, ``date``, ``author``, ``language`` …) that become
    columns of their own, and anything else a reader carried along (``extra``), which is stored as JSON.
    ``stats`` holds per-step counters (``whitespace_chars_changed`` …), ``removed`` the lines steps dropped.
    """

    id: str
    text: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    removed: list[RemovedLine] = field(default_factory=list)
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
