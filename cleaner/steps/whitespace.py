"""Whitespace normalisation: odd spaces, invisible characters, trailing spaces and blank-line runs.

Scraped text carries the whitespace of its markup: no-break spaces from ``&nbsp;``, zero-width spaces used as
line-break hints, ``\\r\\n`` line ends, trailing blanks, and stacks of empty lines where block elements were.
None of it is content, and it defeats deduplication and exact matching, so it is normalised here. Zero-width
joiners and non-joiners are *not* touched: they are part of the spelling of Persian, Indic scripts and emoji.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaner.document import Document
from cleaner.steps import Step

SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
INVISIBLE = "\u200b\u2060\ufeff"
LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n", "\x0b": "\n", "\x0c": "\n"}

TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
BLANK_RUN = re.compile(r"\n{3,}")
LINE_BREAK = re.compile("|".join(map(re.escape, LINE_BREAKS)))
ODD = re.compile(f"[{SPACES}{INVISIBLE}]")


@dataclass
class WhitespaceConfig:
    # No-break and other typographic spaces become ordinary spaces: they are layout, and left alone they make
    # the same sentence two different strings for dedup and search. Set false to keep them as written.
    normalise_spaces: bool = True


class Whitespace(Step):
    name = "whitespace"
    Config = WhitespaceConfig
    counters = ("odd_spaces", "trailing_spaces", "blank_lines")

    def __init__(self, config: WhitespaceConfig | None = None) -> None:
        super().__init__(config)
        table = {ord(c): None for c in INVISIBLE}
        if self.config.normalise_spaces:
            table.update({ord(c): " " for c in SPACES})
        self._table = table
        self._odd = ODD if self.config.normalise_spaces else re.compile(f"[{INVISIBLE}]")

    def apply(self, doc: Document) -> Document:
        text = doc.text
        if "\r" in text or "\u2028" in text or "\u2029" in text or "\x0b" in text or "\x0c" in text:
            text = LINE_BREAK.sub(lambda m: LINE_BREAKS[m.group()], text)
        odd = len(self._odd.findall(text))
        if odd:
            text = text.translate(self._table)
            doc.count(self.name, "odd_spaces", odd)
        text, trailing = TRAILING.subn("", text)
        if trailing:
            doc.count(self.name, "trailing_spaces", trailing)
        before = text.count("\n")
        text = BLANK_RUN.sub("\n\n", text).strip("\n")
        if removed := before - text.count("\n"):
            doc.count(self.name, "blank_lines", removed)
        doc.text = text
        return doc
