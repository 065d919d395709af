"""Mojibake that lost a byte: UTF-8 read as cp1252 by a decoder that replaced what it could not map.

cp1252 has no character for the bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D. A decoder told to replace errors turns
each of them into U+FFFD, so "”" (E2 80 9D) arrives as "â€�", "Ł" (C5 81) as "Å�", "с" (D1 81) as "Ñ�". ftfy
sees the mojibake but, the byte being gone, can only give back "�". The byte was one of five, though, and only
one of the five characters they make usually fits: "Łukasz", not "ōukasz"; "Árbitro", not "Írbitro"; a closing
quote after "pig,", not a zero-width joiner. Each candidate is tried; a letter is taken when it makes a word that
wordfreq knows (in any of a few languages: the language step has not run yet) and no other candidate does, or,
when none does (a surname), when it is the only candidate the line already holds elsewhere ("Łukasz" vouches for
"Łosiewicz"); a lone mark is taken by the kind of character it is (a quotation mark or a dash, never a format
character or a space). Anything less clear is left as ftfy gives it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from cleaner.steps.ftfy_line import common_ends
from cleaner.wordfreqs import zipf_table

REPLACEMENT = "\ufffd"
# The bytes cp1252 lacks, as ftfy's sloppy cp1252 (which the mojibake detector assumes) decodes them.
CANDIDATES = "\x81\x8d\x8f\x90\x9d"
# A lost byte is a continuation byte: right after a lead byte (U+00C2-U+00F4 as cp1252 shows it) or after the lead
# and one continuation of a three- or four-byte sequence.
SITE = re.compile("(?<=[\u00c2-\u00f4])\ufffd|(?<=[\u00e0-\u00f4][\u0080-\u00bf\u0152-\u02dc\u2013-\u2122])\ufffd")
WORD = re.compile(r"\w+")
# Languages whose words vouch for a letter (wordfreq's small lists; looked up only for lines with a lost byte).
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "hu", "ru", "uk", "tr", "sv", "fi")
# Marks a lost byte may have been, by Unicode category: quotation marks and dashes (" ” " is the usual one).
MARKS = ("Pf", "Pi", "Pd")


def refill(line: str, fix: Callable[[str, str], str], base: str | None = None) -> str | None:
    """``line`` with each lost byte put back where one candidate clearly fits, repaired by ``fix`` (ftfy on a
    line, told a text its repair is likely close to); None when no byte could be put back. ``base``: ``fix(line)``,
    when the caller has it already.

    What ``fix`` gives depends on the line alone (the text it is told only spares it work), so what it gave is used
    again rather than asked again: the line with a byte left lost repairs to the same text at every site until a
    byte is put back, and then to what the chosen candidate repaired to (five calls of ``fix`` per lost byte,
    nothing more)."""
    if base is None:
        base = fix(line, line)  # what the line repairs to with the byte left lost
    changed = False
    start = 0
    while (found := SITE.search(line, start)) is not None:
        at = found.start()
        # Each candidate's repair differs from the line's with the byte lost only around the byte.
        candidates = [fix(line[:at] + byte + line[at + 1 :], base) for byte in CANDIDATES]
        choice = _best(candidates, base)
        start = at + 1
        if choice is None:
            continue
        line = line[:at] + choice + line[at + 1 :]
        base = candidates[CANDIDATES.index(choice)]
        changed = True
    return base if changed else None


def _best(candidates: list[str], base: str) -> str | None:
    """The byte (as its sloppy-cp1252 character) whose repair alone makes sense, from the five repaired lines."""
    words, letters, seen, marks = [], 0, [], []
    base_words: set[str] | None = None
    for byte, repaired in zip(CANDIDATES, candidates, strict=True):
        new = _new_characters(repaired, base)
        if len(new) != 1:
            continue  # the byte did not complete the sequence into one character
        char = new[0]
        if char.isalpha():
            letters += 1
            if base_words is None:
                base_words = set(WORD.findall(base))
            if any(_known(word) for word in set(WORD.findall(repaired)) - base_words):
                words.append(byte)
            if char in base:
                seen.append(byte)
        elif unicodedata.category(char) in MARKS:
            marks.append((MARKS.index(unicodedata.category(char)), byte))
    if len(words) == 1:
        return words[0]
    if not words and len(seen) == 1:
        return seen[0]
    if not letters and marks:
        marks.sort()
        if len(marks) == 1 or marks[0][0] < marks[1][0]:
            return marks[0][1]
    return None


def _new_characters(repaired: str, base: str) -> str:
    """The characters ``repaired`` holds that ``base`` (the same line repaired with the byte lost) does not: the one
    the byte completed, when it completed one. What lies between the longest common prefix and the longest common
    suffix that does not overlap it."""
    prefix, suffix = common_ends(repaired, base)
    return repaired[prefix : len(repaired) - suffix].replace(REPLACEMENT, "")


def load_word_lists() -> None:
    """Read the word lists :func:`_known` asks (for a step's prepare(): once, before the workers fork)."""
    _word_tables()


@cache
def _word_tables() -> tuple[dict[str, float], ...]:
    """The small word list of each of :data:`LANGUAGES` (wordfreq's own tables, read once and shared)."""
    return tuple(zipf_table(language, "small") for language in LANGUAGES)


def _known(word: str) -> bool:
    lower = word.lower()
    return any(table.get(lower, 0.0) > 0 for table in _word_tables())
