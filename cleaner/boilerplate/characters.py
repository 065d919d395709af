"""What the characters of a batch's lines say, read from their code points with numpy instead of line by line.

A batch holds thousands of lines; a Python expression per line (``text.strip()``, ``WORD.findall(text.lower())``,
``" ".join(text.lower().split())`` …) costs a microsecond or more each, and reading a line's facts took a dozen of
them. Here the lines are joined into one text, its code points become an array, and each fact is a few array
operations over the whole batch, giving exactly what the per-line expressions give: the tables below are made
from Python's own character predicates and regex classes, so that ``\\w``, ``str.isspace`` and the case of a
character mean here what they mean there.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

from cleaner.boilerplate import lines
from cleaner.boilerplate.lines import TERMINAL
from cleaner.cache import cached_value

BMP = 0x10000
UNICODE = 0x110000
# The characters that join two runs of word characters into one token (``lines.WORD``).
JOINERS = "-'’"
# The end of a sentence: its punctuation, then any closing quotes or brackets ("…stellen?«", "…ist?“"); what
# ``SENTENCE_END.search(line.strip())`` finds is read here from these two sets.
SENTENCE_PUNCTUATION = ".!?…:;。！？।"
CLOSERS = "\"'»«”“’)]"
SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_PUNCTUATION)}][{re.escape(CLOSERS)}]*$")
# A line ends like a sentence (``lines.TERMINAL``): with one of these characters, or with one of these pairs.
TERMINAL_CHARS = "".join(end for end in TERMINAL if len(end) == 1)
TERMINAL_PAIRS = tuple(end for end in TERMINAL if len(end) == 2)
# Bits of a character's kind (``Tables.kinds``).
SPACE, UPPER_OR_DIGIT, LOWER, JOINER, CLOSER, PUNCTUATION, TERMINAL_CHAR, LETTER = (1 << bit for bit in range(8))


@dataclass(frozen=True)
class Tables:
    """Per code point: whether it is a word character (``\\w``, every plane), and its kind within the Basic
    Multilingual Plane, as bits: white space (``str.isspace``; none lies beyond that plane), upper case or digit
    (``str.isupper``, ``str.isdigit``), lower case, membership of the sets above, and letter (``str.isalpha``);
    and whether it is a letter as a regex reads ``[^\\W\\d_]`` (every plane)."""

    word: np.ndarray  # bool, one per code point of Unicode
    kinds: np.ndarray  # uint8, one per code point of the Basic Multilingual Plane
    letter: np.ndarray  # bool, one per code point of Unicode


@lru_cache(maxsize=1)
def tables() -> Tables:
    """Made once per process (the step's ``prepare()`` makes them before workers fork), and kept in the user's
    cache (:mod:`cleaner.cache`): making them took a seventh of a second at every start. The copy is named by what
    the tables follow: Python's version (its Unicode database and regex classes), and the text of this module and
    of :mod:`cleaner.boilerplate.lines` (the sets above, ``TERMINAL``), so that no edit of either meets an older
    copy."""
    try:
        sources = b"".join(Path(module.__file__ or "").read_bytes() for module in (sys.modules[__name__], lines))
    except OSError:  # modules without a source file to read (a frozen or zipped install): made, not kept
        word, kinds, letter = _made_tables()
    else:
        digest = hashlib.sha256(sys.version.encode() + b"\0" + sources).hexdigest()[:16]
        word, kinds, letter = cached_value("character-tables", digest, lambda: _made_tables())
    return Tables(*(np.frombuffer(table, dtype=kind).copy() for table, kind in
                    ((word, bool), (kinds, np.uint8), (letter, bool))))  # fmt: skip


def _made_tables() -> tuple[bytes, bytes, bytes]:
    """The tables' bytes (``word``, ``kinds``, ``letter``), made from Python's character predicates and regex
    classes."""
    every = np.arange(UNICODE, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    word = code_points(re.sub(r"\W", "\0", every)) != 0
    letter = code_points(re.sub(r"[\W\d_]", "\0", every)) != 0  # (the NUL character is no letter either)
    plane = every[:BMP]
    # ``\s`` is ``str.isspace`` (both are Py_UNICODE_ISSPACE), searched in C rather than a call per character.
    if re.search(r"\s", every[BMP:]):  # pragma: no cover - a Unicode version that adds one
        raise RuntimeError("a white space character beyond the Basic Multilingual Plane")
    kinds = np.zeros(BMP, dtype=np.uint8)
    for bit, flags in (
        (SPACE, map(str.isspace, plane)),
        (UPPER_OR_DIGIT, (c.isupper() or c.isdigit() for c in plane)),
        (LOWER, map(str.islower, plane)),
        (LETTER, map(str.isalpha, plane)),
    ):
        kinds[np.fromiter(flags, dtype=bool, count=BMP)] |= bit
    for bit, chars in ((JOINER, JOINERS), (CLOSER, CLOSERS), (PUNCTUATION, SENTENCE_PUNCTUATION),
                       (TERMINAL_CHAR, TERMINAL_CHARS)):  # fmt: skip
        kinds[[ord(c) for c in chars]] |= bit
    return word.tobytes(), kinds.tobytes(), letter.tobytes()


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` (a lone surrogate is one too)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def kinds_of(codes: np.ndarray, table: Tables) -> np.ndarray:
    """The kind bits of each code point (none beyond the Basic Multilingual Plane)."""
    return table.kinds[np.minimum(codes, BMP - 1)]  # U+FFFF, a non-character, is of no kind


@dataclass
class LineFacts:
    """What every line is, by its characters (one entry per line, or per token)."""

    chars: np.ndarray  # characters of the stripped line (``len(text.strip())``)
    terminal: np.ndarray  # ``text.strip().endswith(lines.TERMINAL)``
    colon: np.ndarray  # ``text.rstrip().endswith(":")``
    title_start: np.ndarray  # its first character is upper case or a digit
    lower_start: np.ndarray  # its first character is lower case
    sentence_end: np.ndarray  # ``SENTENCE_END.search(text.strip())``
    tokens: list[str]  # ``lines.tokenize``'s words of every line, end to end
    token_offsets: np.ndarray  # line ``i``'s words are ``tokens[token_offsets[i]:token_offsets[i + 1]]``
    token_lengths: np.ndarray  # ``len(token)`` of each token
    token_letters: np.ndarray  # ``token.isalpha()`` of each token
    token_compound: np.ndarray  # the token holds a joiner (``"e-mail"``, ``"it's"``): it is more than one ``\\w+``
    normal: list[str]  # ``" ".join(text.lower().split())``
    first_char: np.ndarray  # the code point of the stripped line's first character (0 for a blank line)
    two_letters: np.ndarray  # ``re.search(r"[^\W\d_]{2}", text)``: two letters in a row


def read_lines(texts: list[str]) -> LineFacts:
    """The facts of ``texts`` (lines: a line break inside one counts as a space)."""
    n = len(texts)
    if not n:
        empty, none = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        return LineFacts(
            empty, none, none, none, none, none, [], np.zeros(1, dtype=np.int64), empty, none, none, [], empty, none
        )
    joined = "\n".join(texts)
    if joined.count("\n") != n - 1:
        joined = "\n".join(text.replace("\n", " ") for text in texts)
    table = tables()
    codes = code_points(joined + "\n")  # a final line break: no array is empty, every line has its end
    kinds = kinds_of(codes, table)
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=n) + 1) - 1  # each line's break
    first, last, has = _stripped_ends(kinds & SPACE == 0, ends)
    chars = np.where(has, last - first + 1, 0)
    last_char = np.where(has, codes[last], 0)
    before_last = np.where(chars >= 2, codes[last - 1], 0)
    terminal = has & (kinds[last] & TERMINAL_CHAR > 0)
    for pair in TERMINAL_PAIRS:
        terminal |= (last_char == ord(pair[1])) & (before_last == ord(pair[0]))
    first_char = np.where(has, codes[first], 0)
    title_start, lower_start = _first_character_case(first_char, kinds[first], has)
    # The last character of the stripped line that is no closing quote or bracket must be a sentence's punctuation.
    last_not_closer = _last_not_closer(kinds, first, last, has)
    inside = has & (last_not_closer >= first)
    sentence_end = inside & (kinds[np.where(inside, last_not_closer, 0)] & PUNCTUATION > 0)
    lowered = code_points(joined.lower() + "\n")  # line by line the same: no case rule looks across a line break
    # Lower case keeps a character's place (when no character becomes two) and makes no space or joiner of
    # another character, nor another character of one, and a letter stays a letter (all checked on all of Unicode,
    # tests/boilerplate/test_characters.py): the kinds the tokens and the spaces need are those read.
    lowered_kinds = kinds if len(lowered) == len(codes) else kinds_of(lowered, table)
    tokens, token_offsets, token_lengths, token_letters, token_compound = _tokens(lowered, lowered_kinds, n, table)
    return LineFacts(
        chars, terminal, has & (last_char == ord(":")), title_start, lower_start, sentence_end, tokens,
        token_offsets, token_lengths, token_letters, token_compound, _normalised(lowered, lowered_kinds, n),
        first_char, _two_letters(table.letter[codes], ends),
    )  # fmt: skip


def _two_letters(letter: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per line (``ends``: the position of each line's break, which is no letter), whether two of its characters
    in a row are letters (``letter``, one per character of the text)."""
    pairs = np.zeros(len(letter), dtype=bool)
    np.logical_and(letter[:-1], letter[1:], out=pairs[:-1])
    return np.logical_or.reduceat(pairs, np.concatenate(([0], ends[:-1] + 1)))


def _stripped_ends(filled: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per line (``ends``: the position of each line's break), the positions of its first and last character that
    is not white space (``filled``), and whether it has one."""
    positions = np.flatnonzero(filled)
    starts = np.concatenate(([0], ends[:-1] + 1))
    lo, hi = np.searchsorted(positions, starts), np.searchsorted(positions, ends) - 1
    has = hi >= lo
    if not len(positions):
        return np.zeros(len(ends), dtype=np.int64), np.zeros(len(ends), dtype=np.int64), has
    return np.where(has, positions[np.minimum(lo, len(positions) - 1)], 0), np.where(has, positions[hi], 0), has


def _last_not_closer(kinds: np.ndarray, first: np.ndarray, last: np.ndarray, has: np.ndarray) -> np.ndarray:
    """Per line, the position of the last character of its stripped text that is no closing quote or bracket (one
    before ``first`` when there is none): walked back from ``last`` over the closers, a step for all lines at
    once; after a few steps (a line of quotes), found by a search over all the text's characters instead."""
    position = last.copy()
    closing = has & (kinds[position] & CLOSER > 0)
    for _ in range(4):
        if not closing.any():
            return position
        position[closing] -= 1
        closing &= position >= first
        closing &= kinds[np.maximum(position, 0)] & CLOSER > 0
    if not closing.any():
        return position
    not_closer = np.flatnonzero(kinds & CLOSER == 0)  # never empty: the final line break is one
    return not_closer[np.maximum(np.searchsorted(not_closer, last, "right") - 1, 0)]


def _first_character_case(first: np.ndarray, kinds: np.ndarray, has: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each line's first character (code points ``first``, kinds ``kinds``) is upper case or a digit, and
    whether it is lower case."""
    title, lower = has & (kinds & UPPER_OR_DIGIT > 0), has & (kinds & LOWER > 0)
    for i in np.flatnonzero(first >= BMP).tolist():  # emoji, mathematical letters: asked one by one
        char = chr(int(first[i]))
        title[i], lower[i] = char.isupper() or char.isdigit(), char.islower()
    return title, lower


def _tokens(
    codes: np.ndarray, kinds: np.ndarray, n: int, table: Tables
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``lines.WORD``'s matches in each line of the lower-cased text ``codes``, end to end, where each line's
    begin, and each token's length, whether it is made of letters alone (``str.isalpha``) and whether it holds a
    joiner: a token is a run of word characters and of joiners that stand between two word characters."""
    word = table.word[codes]
    joining = np.zeros(len(codes), dtype=bool)
    joining[1:-1] = (kinds[1:-1] & JOINER > 0) & word[:-2] & word[2:]
    in_token = word | joining
    starts = in_token.copy()
    starts[1:] &= ~in_token[:-1]
    line_starts = np.concatenate(([0], np.flatnonzero(codes == ord("\n"))[:-1] + 1))  # each holds its break
    counts = np.add.reduceat(starts, line_starts, dtype=np.int64)
    masked = np.where(in_token, codes, ord(" ")).astype("<u4")
    tokens = masked.tobytes().decode("utf-32-le", "surrogatepass").split()
    # Where each token begins, and where it ends (the text ends with a line break: a token never runs to its end).
    first = np.flatnonzero(starts)
    after = np.flatnonzero(in_token[:-1] & ~in_token[1:]) + 1
    # A letter, as kinds_of reads it, is one of the Basic Multilingual Plane; a token with a character beyond it
    # is asked as a whole.
    letters = np.ones(len(first), dtype=bool)
    letters[np.searchsorted(first, np.flatnonzero(in_token & (kinds & LETTER == 0)), "right") - 1] = False
    beyond = np.flatnonzero(codes >= BMP)
    for i in np.unique(np.searchsorted(first, beyond[in_token[beyond]], "right") - 1).tolist():
        letters[i] = tokens[i].isalpha()
    compound = np.zeros(len(first), dtype=bool)
    compound[np.searchsorted(first, np.flatnonzero(joining), "right") - 1] = True
    return tokens, np.concatenate(([0], np.cumsum(counts))).astype(np.int64), after - first, letters, compound


def _normalised(codes: np.ndarray, kinds: np.ndarray, n: int) -> list[str]:
    """Each line of the lower-cased text ``codes`` with its runs of white space made one space, none at its ends
    (``" ".join(line.split())``)."""
    breaks = codes == ord("\n")
    space = (kinds & SPACE > 0) & ~breaks
    content = ~space & ~breaks
    kept = ~space
    edges = np.diff(space.astype(np.int8), prepend=0)  # +1 where a run of spaces begins, -1 after it ends
    first, after = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # the text ends with a line break
    kept[first] = content[first - 1] & content[after]  # one space between a line's words (content[-1]: a break)
    text = np.where(space, ord(" "), codes)[kept].astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
    return text.split("\n")[:n]


def shape_flags(texts: list[str]) -> np.ndarray:
    """Per text, as 0/1: it ends with an ellipsis (``"..."``, ``"…"``), has a colon in its first 40 characters,
    holds ``"©"``, begins with a bullet (``-•*·–``), begins with a quotation mark (``"“„«'``); an empty text
    begins with both, as ``text[:1] in "-•*·–"`` says."""
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    codes = code_points("".join(texts) + "\n")  # a final character: every text's first one can be read
    starts = np.cumsum(lengths) - lengths
    ends = starts + lengths

    def before_end(back: int) -> np.ndarray:  # the code point ``back`` places before each text's end (0: none)
        return np.where(lengths >= back, codes[np.maximum(ends - back, 0)], 0)

    def holds(char: str, within: np.ndarray) -> np.ndarray:  # ``char`` among each text's first ``within``
        found = np.flatnonzero(codes == ord(char))
        first = np.append(found, len(codes))[np.searchsorted(found, starts)]
        return first < starts + within

    dot = ord(".")
    ellipsis = (before_end(1) == ord("…")) | ((before_end(1) == dot) & (before_end(2) == dot) & (before_end(3) == dot))
    first = np.where(lengths > 0, codes[starts], 0)
    bullet = (lengths == 0) | np.isin(first, [ord(c) for c in "-•*·–"])
    quote = (lengths == 0) | np.isin(first, [ord(c) for c in "\"“„«'"])
    flags = (ellipsis, holds(":", np.minimum(lengths, 40)), holds("©", lengths), bullet, quote)
    return np.stack(flags, axis=1).astype(float).reshape(n, 5)


def whole_word_matches(text: str, automaton) -> np.ndarray:
    """Where the matches of ``automaton`` (a pyahocorasick one, each word stored with its length) in ``text``
    begin, for those that are whole words: neither the character before nor the one after is a word character
    (``str.isalnum()`` or ``"_"``, which is the regex's ``\\w``)."""
    found = np.fromiter(chain.from_iterable(automaton.iter(text)), dtype=np.int64).reshape(-1, 2)
    ends, starts = found[:, 0], found[:, 0] - found[:, 1] + 1
    word = tables().word[np.append(code_points(text), ord(" "))]  # a space beyond the end
    return starts[~(word[starts - 1] & (starts > 0)) & ~word[ends + 1]]
