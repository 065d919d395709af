"""The records that flow through the pipeline.

A :class:`Document` is created by a reader, changed by steps and written by the writer. A step that decides a
document must not be published returns a :class:`Reject` instead; the reject keeps the original text so that
nothing read is ever lost and everything rejected can be reprocessed.
"""

from __future__ import annotations

import hashlib
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
    # What one step worked out and a later one can reuse (the stop-word list of the text's language …); never
    # written out.
    scratch: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _words: tuple[str, int] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.original_text is None:
            self.original_text = self.text

    @property
    def n_words(self) -> int:
        """Whitespace-separated words of the current text; counted once per version of the text."""
        if self._words is None or self._words[0] is not self.text:
            self._words = (self.text, len(self.text.split()))
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


def stable_id(source: str) -> str:
    """A document id derived from where the record came from, never from its text.

    The same file (and record index within it) gets the same id in every run and every version, so that
    releases can be diffed document by document even after the cleaning changes.
    """
    return hashlib.blake2b(source.encode("utf-8"), digest_size=10).hexdigest()
