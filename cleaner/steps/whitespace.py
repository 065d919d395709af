"""Whitespace normalisation: odd spaces, invisible characters, trailing spaces and blank-line runs.

Scraped text carries the whitespace of its markup: no-break spaces from ``&nbsp;``, soft hyphens from ``&shy;``
(break hints inside words: "Ra\\u00addon" is not the word "Radon" to a tokenizer, a word count or a stop-word list),
byte-order marks, ``\\r\\n`` line ends, trailing blanks, and stacks of empty lines where block elements were. None
of it is content, and it defeats deduplication and exact matching, so it is normalised here.

Soft hyphens are kept by default, as ftfy keeps them: they are the author's (or the publishing system's) own
characters, hyphenation points a browser uses to break a long word at the end of a line, not damage, and a step
that changes a correct paragraph is wrong by this project's own measure. A corpus builder may still want them gone:
to a tokenizer, a word count or a stop-word list "Ra\u00addon" is not the word "Radon", and corpora built from HTML
with trafilatura (FineWeb, RefinedWeb; cleaner's own HTML reader) have lost them at extraction, since trafilatura
drops every non-printable character. ``remove_soft_hyphens = true`` removes them from every input, so that text
dumps and HTML give the same words.
Zero-width spaces and word joiners are kept unless ``remove_zero_width`` is set: in Thai, Khmer or Burmese they
mark the word boundaries the script does not write, and elsewhere they change nothing a reader sees. Zero-width
joiners and non-joiners are never touched: they are part of the spelling of Persian, Indic scripts and emoji.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaner.document import Document
from cleaner.steps import Step

SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
SOFT_HYPHEN = "\u00ad"
ZERO_WIDTH = "\u200b\u2060"  # zero-width space, word joiner
BYTE_ORDER_MARK = "\ufeff"
LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n", "\x0b": "\n", "\x0c": "\n"}

LINE_BREAK = re.compile("|".join(map(re.escape, LINE_BREAKS)))
# Three line breaks or more in a row, which become one blank line: a pattern that starts with a literal, which the
# regex engine finds about as quickly as str.replace does, in one pass (replacing triples takes several on a run).
BLANK_LINES = re.compile("\n\n\n+")


@dataclass
class WhitespaceConfig:
    # No-break and other typographic spaces become ordinary spaces: they are layout, and left alone they make
    # the same sentence two different strings for dedup and search. Set false to keep them as written.
    normalise_spaces: bool = True
    # Soft hyphens (U+00AD) removed: "Ra\u00addon" becomes "Radon" again. Off by default: they are written by the
    # author, not damage (ftfy keeps them too); on, text inputs lose them as HTML inputs do (see the module).
    remove_soft_hyphens: bool = False
    # Zero-width spaces and word joiners (U+200B, U+2060) removed too (they are kept by default: see the module).
    remove_zero_width: bool = False


class Whitespace(Step):
    name = "whitespace"
    Config = WhitespaceConfig
    # odd_spaces: characters replaced or removed; trailing_spaces: characters removed; blank_lines: lines removed
    counters = ("odd_spaces", "trailing_spaces", "blank_lines")

    def __init__(self, config: WhitespaceConfig | None = None) -> None:
        super().__init__(config)
        invisible = BYTE_ORDER_MARK + SOFT_HYPHEN * self.config.remove_soft_hyphens
        invisible += ZERO_WIDTH * self.config.remove_zero_width
        replacements = [(c, "") for c in invisible]
        if self.config.normalise_spaces:
            replacements += [(c, " ") for c in SPACES]
        self._replacements = replacements

    def apply(self, doc: Document) -> Document:
        # Plain str methods (C loops) rather than regexes, each guarded by a cheap test: most documents need
        # few of these changes, and on non-ASCII text a regex pass costs several times a str.replace.
        text = doc.text
        if not text.isascii():
            if "\u2028" in text or "\u2029" in text:
                text = LINE_BREAK.sub(lambda m: LINE_BREAKS[m.group()], text)
            odd = 0
            for char, replacement in self._replacements:
                if char in text:
                    odd += text.count(char)
                    text = text.replace(char, replacement)
            if odd:
                doc.count(self.name, "odd_spaces", odd)
        if "\r" in text or "\x0b" in text or "\x0c" in text:
            text = LINE_BREAK.sub(lambda m: LINE_BREAKS[m.group()], text)
        if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):
            before = len(text)
            text = _strip_line_ends(text)
            doc.count(self.name, "trailing_spaces", before - len(text))
        if "\n\n\n" in text or text.startswith("\n") or text.endswith("\n"):
            before = text.count("\n")
            text = BLANK_LINES.sub("\n\n", text).strip("\n")
            doc.count(self.name, "blank_lines", before - text.count("\n"))
        doc.text = text
        return doc


def _strip_line_ends(text: str) -> str:
    """``text`` without spaces and tabs at the end of its lines.

    Trailing blanks are nearly always one or two characters: replacing them (a C scan per pass) is far cheaper
    than splitting the text into lines. A line with a long run falls back to the split."""
    for _ in range(4):
        if " \n" not in text and "\t\n" not in text:
            return text.rstrip(" \t")
        text = text.replace(" \n", "\n").replace("\t\n", "\n")
    return "\n".join(line.rstrip(" \t") for line in text.split("\n"))
