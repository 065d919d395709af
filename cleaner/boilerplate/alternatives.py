"""Many regexes tried on many lines: which of them a line may match at all, found for a whole batch at once.

A rule kind is an alternation of dozens of regexes, and Python's regex engine tries every alternative at every line:
the whole-line rules cost 5 µs a line, the prefix rules 3 µs, before anything matched. But most alternatives need a
literal ("comment", "newsletter") or at least one character of a class (a dateline needs a digit, a photo credit a
"/"), and most lines hold none of them. :class:`Alternatives` keeps the regexes one by one, in the alternation's
order, with one Aho-Corasick automaton over their literals and, for those without one, the class each needs. For a
batch of lines, one pass of the automaton over the lines joined and a table of the classes' code points find the few
regexes each line may match; they are tried in order, and the first that matches is the alternation's answer.
Regexes anchored at the start (prefix rules) are found by the line's first character instead: a few anchored tries
cost less than a scan of the whole line.

A case-insensitive kind (``re.IGNORECASE``) is indexed by characters folded as the regex engine folds case
(:func:`fold`), so that "Newsletter", "NEWSLETTER" and "ſubscribe" (a long s) are found where the regex finds them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from cleaner.boilerplate.characters import BMP, code_points

# The text on which the selectivity of a class is judged (fewer of its characters matched: a rarer class, a better
# gate): lines as the rules see them, mostly letters and spaces.
SAMPLE_TEXT = (
    "the minister said on tuesday that the new law would take effect in 2025, after a vote. "
    "der bürgermeister sagte, dass die straße gesperrt wird. el gobierno anunció nuevas medidas. "
    "le président a déclaré qu'il était prêt à négocier. rząd przyjął ustawę. o governo vai assinar o acordo."
)
CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w"}
Literals = Callable[[str], "tuple[str, ...] | None"]


@dataclass
class Alternatives:
    """The alternatives of one alternation (``(category, regex)``, in order), indexed by what each needs."""

    regexes: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    literals: Any = None  # an ahocorasick.Automaton, None without literals: literal (folded) -> indices into regexes
    gates: tuple[tuple[re.Pattern[str], tuple[int, ...]], ...] = ()  # the others, by the class they need
    always: tuple[int, ...] = ()  # those without either: tried on every text
    gate_bits: np.ndarray | None = None  # per code point of the BMP: bit g set when gate g's class holds it
    ignore_case: bool = False
    # For regexes anchored at the text's start (``match``, ``fullmatch``): by the first character (folded when
    # ignoring case), the regexes a text starting with it may match, in order; those for any other first
    # character; those for an empty text. None: not anchored.
    starting: dict[str, tuple[int, ...]] | None = None
    any_start: tuple[int, ...] = ()
    empty: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        self._gated: dict[int, tuple[int, ...]] = {}  # the regexes to try, by the gates a text passed
        self._bound: dict[str, list[Callable[[str], re.Match[str] | None]]] = {}

    @classmethod
    def of(
        cls, alternatives: list[tuple[str, str]], flags: int, required_literals: Literals, how: str = "search"
    ) -> Alternatives:
        """The index of ``alternatives`` compiled with ``flags``, for texts they are matched against by ``how``
        (``search``, ``match`` or ``fullmatch``): by their literals and classes, or, when anchored at the start,
        by their first character (a few anchored tries cost less than scanning the whole text)."""
        import ahocorasick

        ignore_case = bool(flags & re.IGNORECASE)
        if ignore_case and fold_table() is None:  # pragma: no cover - a Python without re's case tables
            raise ValueError("no case folding to index case-insensitive regexes by")
        index = cls(ignore_case=ignore_case)
        literals: dict[str, list[int]] = {}
        gated: dict[str | None, list[int]] = {}
        for number, (category, pattern) in enumerate(alternatives):
            index.regexes.append((category, re.compile(pattern, flags)))
            needed = required_literals(pattern)
            if needed is None:
                gated.setdefault(required_class(pattern), []).append(number)
            for literal in needed or ():
                literals.setdefault(fold(literal) if ignore_case else literal, []).append(number)
        if literals:  # (an automaton never made, with no words, refuses to be searched)
            index.literals = ahocorasick.Automaton()
            for literal, numbers in literals.items():
                index.literals.add_word(literal, tuple(numbers))
            index.literals.make_automaton()
        index.always = tuple(gated.pop(None, ()))
        index.gates = tuple((re.compile(gate, flags), tuple(numbers)) for gate, numbers in gated.items())  # type: ignore[arg-type]
        if len(index.gates) > 32:  # pragma: no cover - the bits of a mask
            raise ValueError("more than 32 classes gate one kind of rules")
        index.gate_bits = _gate_bits([gate for gate, _ in index.gates])
        if how != "search":
            index._index_starts([pattern for _, pattern in alternatives], how)
        return index

    def _index_starts(self, patterns: list[str], how: str) -> None:
        starts = [first_characters(pattern) for pattern in patterns]
        fold_one = _fold_character if self.ignore_case else str
        chars = {fold_one(char) for found, _ in starts if found is not None for char in found}
        self.any_start = tuple(
            n for n, (found, nullable) in enumerate(starts) if found is None or (nullable and how == "match")
        )
        self.empty = tuple(n for n, (found, nullable) in enumerate(starts) if found is None or nullable)
        self.starting = {
            char: tuple(
                n
                for n, (found, nullable) in enumerate(starts)
                if n in self.any_start or (found is not None and char in {fold_one(c) for c in found})
            )
            for char in chars
        }

    def candidates(self, texts: list[str]) -> dict[int, tuple[int, ...]]:
        """The regexes each of ``texts`` (none holding a line break) may match, in order, by text number (none: no
        entry)."""
        if self.starting is not None:
            return self._anchored(texts)
        joined, starts = "\n".join(texts), _starts(texts)
        hits: dict[int, set[int]] = {}
        # A literal matched across a line break only adds a regex tried in vain.
        for end, numbers in self.literals.iter(fold(joined) if self.ignore_case else joined) if self.literals else ():
            hits.setdefault(bisect_right(starts, end) - 1, set()).update(numbers)
        found: dict[int, tuple[int, ...]] = {}
        gated, always = self._gated, self.always
        for number, mask in enumerate(self._masks(joined, starts, texts)):
            if (tried := gated.get(mask)) is None:
                tried = gated[mask] = tuple(
                    sorted(
                        {n for bit, (_, numbers) in enumerate(self.gates) if mask >> bit & 1 for n in numbers}.union(
                            always
                        )
                    )
                )
            if number in hits:
                found[number] = tuple(sorted(hits[number].union(tried)))
            elif tried:
                found[number] = tried
        return found

    def _anchored(self, texts: list[str]) -> dict[int, tuple[int, ...]]:
        """:meth:`candidates` by the texts' first characters."""
        assert self.starting is not None
        starting, other, empty, found = self.starting, self.any_start, self.empty, {}
        fold_one = _fold_character if self.ignore_case else str
        for number, text in enumerate(texts):
            tried = starting.get(fold_one(text[0]), other) if text else empty
            if tried:
                found[number] = tried
        return found

    def categories(self, texts: list[str], how: str) -> list[str | None]:
        """The category of the first regex (in the alternation's order) that matches each of ``texts``, tried
        among those it may match: what the whole alternation's ``match`` or ``fullmatch`` finds. (A search's answer
        is the leftmost match instead: its caller finds that among :meth:`candidates`.)"""
        if how not in ("match", "fullmatch"):
            raise ValueError(f"categories are found by match or fullmatch, not {how}")
        found: list[str | None] = [None] * len(texts)
        regexes, tries = self.regexes, self._tries(how)
        for number, candidates in self.candidates(texts).items():
            text = texts[number]
            for candidate in candidates:
                if tries[candidate](text):
                    found[number] = regexes[candidate][0]
                    break
        return found

    def _tries(self, how: str) -> list[Callable[[str], re.Match[str] | None]]:
        """Each regex's ``match`` or ``fullmatch``, bound."""
        if (tries := self._bound.get(how)) is None:
            tries = self._bound[how] = [getattr(regex, how) for _, regex in self.regexes]
        return tries

    def _masks(self, joined: str, starts: list[int], texts: list[str]) -> list[int]:
        """Per text, the gates (bit g: ``gates[g]``) whose class of characters it holds."""
        if not texts:
            return []
        assert self.gate_bits is not None
        codes = code_points(joined + "\n")  # every text with a line break after it: none is empty
        masks = np.bitwise_or.reduceat(self.gate_bits[np.minimum(codes, BMP - 1)], starts).tolist()
        for number in sorted({bisect_right(starts, at) - 1 for at in np.flatnonzero(codes >= BMP).tolist()}):
            text = texts[number]  # a character beyond the table (an emoji): the classes asked of the text itself
            masks[number] = sum(1 << bit for bit, (gate, _) in enumerate(self.gates) if gate.search(text))
        return masks


def first_characters(pattern: str) -> tuple[frozenset[str] | None, bool]:
    """The characters a match of ``pattern`` may begin with (None: any, or not known), and whether it may be empty:
    ``(?:ja, )?ich`` -> ({"j", "i"}, False). Read from the parsed regex: zero-width items (anchors, lookarounds) are
    passed over, an optional item adds its first characters to those of what follows it."""
    try:
        from re import _constants as ops
        from re import _parser

        tree = _parser.parse(pattern)
    except Exception:  # re's parser is private: without it, no regex is indexed
        return None, True

    def first(items) -> tuple[set[int] | None, bool]:
        found: set[int] = set()
        for op, argument in items:
            if op is ops.LITERAL:
                return found | {argument}, False
            if op is ops.IN:
                chars: set[int] = set()
                for kind, value in argument:
                    if kind is ops.LITERAL:
                        chars.add(value)
                    elif kind is ops.RANGE and value[1] - value[0] < 256:
                        chars.update(range(value[0], value[1] + 1))
                    else:  # a negation, a category, a wide range
                        return None, False
                return found | chars, False
            if op in (ops.AT, ops.ASSERT, ops.ASSERT_NOT):  # zero width
                continue
            if op is ops.SUBPATTERN:
                inner, nullable = first(argument[3])
            elif op is ops.ATOMIC_GROUP:
                inner, nullable = first(argument)
            elif op in (ops.MAX_REPEAT, ops.MIN_REPEAT, ops.POSSESSIVE_REPEAT):
                inner, nullable = first(argument[2])
                nullable = nullable or argument[0] == 0
            elif op is ops.BRANCH:
                inner, nullable = set(), False
                for branch in argument[1]:
                    own, empty = first(branch)
                    if own is None:
                        return None, False
                    inner |= own
                    nullable = nullable or empty
            else:  # any character, a back reference, ...
                return None, False
            if inner is None:
                return None, False
            found |= inner
            if not nullable:
                return found, False
        return found, True

    found, nullable = first(tree)
    return (None if found is None else frozenset(map(chr, found))), nullable


@lru_cache(maxsize=4096)
def _fold_character(char: str) -> str:
    """:func:`fold` of one character."""
    return fold(char)


def required_class(pattern: str) -> str | None:
    """A class of characters (as a regex: ``[\\d]``, ``[/]``) of which every match of ``pattern`` contains one,
    the rarest such class found, or None: ``\\d{1,2}\\.\\d{4}`` -> ``[\\d]``, ``\\w+ / (?:dpa|afp)`` -> ``[/]``.
    Read from the parsed regex as ``patterns.required_literals`` reads it (groups entered, a repeat only when it must
    match at least once, a flagged group never); a negated class is not used."""
    try:
        from re import _constants as ops
        from re import _parser

        tree = _parser.parse(pattern)
    except Exception:  # re's parser is private: without it, no regex is gated
        return None

    def item_class(op, argument) -> str | None:
        """The class of the one character an item consumes, as the inside of ``[...]``, or None."""
        if op is ops.LITERAL:
            return re.escape(chr(argument))
        if op is not ops.IN:
            return None
        parts = []
        for kind, value in argument:
            if kind is ops.LITERAL:
                parts.append(re.escape(chr(value)))
            elif kind is ops.RANGE:
                parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
            elif kind is ops.CATEGORY and str(value) in CATEGORIES:
                parts.append(CATEGORIES[str(value)])
            else:  # a negation, a negated category: not used
                return None
        return "".join(parts)

    def rarest(items) -> str | None:
        """The rarest class that one of a sequence's required items needs."""
        found: list[str] = []
        for op, argument in items:
            if (own := item_class(op, argument)) is not None:
                found.append(own)
            elif op is ops.SUBPATTERN and not argument[1] and not argument[2]:
                found.append(rarest(argument[3]) or "")
            elif op is ops.BRANCH:
                branches = [rarest(branch) for branch in argument[1]]
                found.append("".join(branches) if all(branches) else "")  # type: ignore[arg-type]
            elif op in (ops.MAX_REPEAT, ops.MIN_REPEAT) and argument[0] >= 1:
                found.append(rarest(argument[2]) or "")
        usable = [inside for inside in found if inside]
        return min(usable, key=lambda inside: len(re.findall(f"[{inside}]", SAMPLE_TEXT)), default=None)

    inside = rarest(tree)
    return None if inside is None else f"[{inside}]"


@lru_cache(maxsize=1)
def fold_table() -> np.ndarray | None:
    """Per code point of the Basic Multilingual Plane, the one that stands for all the characters the regex engine
    takes for it when ignoring case (its lower case, or the least of those it equates with that: "i" and dotless
    "ı", "s" and long "ſ"); None when re's case tables are not at hand."""
    try:
        import _sre
        from re._casefix import _EXTRA_CASES
    except ImportError:  # pragma: no cover - re's internals moved
        return None
    lower = np.fromiter(map(_sre.unicode_tolower, range(BMP)), dtype=np.uint32, count=BMP)
    table = lower.copy()
    for low, others in _EXTRA_CASES.items():
        table[lower == low] = min((low, *others))
    return table


def fold(text: str) -> str:
    """``text`` with each character replaced by :func:`fold_table`'s: two texts match a literal ignoring case at
    the same places where their folds hold it exactly (one code point for one: positions are kept)."""
    table = fold_table()
    assert table is not None
    codes = code_points(text)
    folded = table[np.minimum(codes, BMP - 1)]
    for at in np.flatnonzero(codes >= BMP).tolist():  # beyond the table: asked one by one
        folded[at] = _fold_one(int(codes[at]))
    return folded.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


def _fold_one(code: int) -> int:
    import _sre
    from re._casefix import _EXTRA_CASES

    low = _sre.unicode_tolower(code)
    return min((low, *_EXTRA_CASES.get(low, ())))


def _gate_bits(gates: list[re.Pattern[str]]) -> np.ndarray:
    """Per code point of the Basic Multilingual Plane, bit g set when ``gates[g]`` (a class) holds it; none for
    the line break, which joins texts."""
    every = np.arange(BMP, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    bits = np.zeros(BMP, dtype=np.uint32)
    for bit, gate in enumerate(gates):
        held = code_points(gate.sub("\0", every)) == 0
        held[0] = gate.search("\0") is not None
        bits[held] |= np.uint32(1 << bit)
    bits[ord("\n")] = 0
    return bits


def _starts(texts: list[str]) -> list[int]:
    """Where each of ``texts`` begins in ``"\\n".join(texts)``."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    return (np.cumsum(lengths) - lengths).tolist()  # the running sum in C, not a Python step per text
