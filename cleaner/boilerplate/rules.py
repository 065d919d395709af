"""Curated boilerplate phrases, one data file per category (``cleaner/data/boilerplate/*.txt``).

A rule is a regex, but most rules are alternations of plain phrases (``share|teilen|compartir``). Those phrases are
pulled out and matched without a regex engine: whole-line phrases by one set lookup, "anywhere" phrases by one
Aho-Corasick automaton pass (pyahocorasick) over the line. What remains of real regexes is compiled into one
alternation per kind, with one named group per category, and run on the lower-cased line. Every line costs a
few microseconds however many rules there are. See the data folder's README for the file format.

"Anywhere" regexes are the exception: a regex searched at every position of a line, with dozens of alternatives,
cost over 20 µs a line, the largest single cost of the step. Most of them contain a literal every match must
contain ("affiliate links", "cookie"); one automaton pass finds which of those literals the line holds, and only
the regexes they belong to (and the few without such a literal) are searched.

An "anywhere" rule skips a line longer than ``max_contains_words``: an article sentence may mention cookies. A
few notices no article sentence holds (a copyright sign and year with "all rights reserved") are searched in lines
of any length (the ``*`` rules): a text dump may glue a site's whole footer into one long line.

The step asks for a whole batch's lines at once (:meth:`RuleSet.match_lines`): each kind's regexes are then tried
one by one where they may match (:mod:`cleaner.boilerplate.alternatives`), with the automata run once over the
batch's lines joined, and the answer is the one the whole alternation gives. How a rule's regex is taken apart
(its alternatives, the literals it needs) is :mod:`cleaner.boilerplate.patterns`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from cleaner.boilerplate.alternatives import Alternatives, _starts
from cleaner.boilerplate.patterns import lower_pattern, required_literals, split_alternatives

KINDS = {"=": "line", "^": "prefix", "~": "contains", "*": "anywhere"}
# Stripped from both ends before whole-line matching: bullets, arrows, separators, closing punctuation.
EDGE_CHARS = " \t•·*|:;,.…!?»«›‹>→←↑↓-–—_#()[]\"'“”„"
# A phrase that needs no regex: letters, digits, spaces and harmless punctuation only.
LITERAL = re.compile(r"^[\w\s'’!,&+:;/-]+$")
# Stripped from the start before prefix matching: the same but for opening brackets and the copyright sign.
PREFIX_EDGE_CHARS = EDGE_CHARS.replace("(", "").replace("©", "")
# Verdicts remembered across the batches of a process (see RuleSet.match_lines); all forgotten when full.
KNOWN_LINES = 1 << 16
# Whole-line rules describe menu items and widgets: a line longer than this is prose, never one of them.
MAX_LINE_CHARS = 120
MAX_LINE_WORDS = 15
# A named piece of regex, defined in a rule file ("@month = jan(?:uary)?|…") and used as "{month}" by the rules
# below it: the month names of nine languages are written once, not in every dateline rule.
FRAGMENT = re.compile(r"@([a-z_]+)\s*=\s*(\S.*)")
REFERENCE = re.compile(r"\{([a-z_]+)\}")


def normalise_line(text: str) -> str:
    """A line as whole-line rules are written: lower-case, spaces collapsed. Python lower-cases the Turkish dotted
    capital "İ" to "i" and a combining dot above (U+0307), which no rule holds: it is folded to "i", so that
    "İlgili Haberler" meets "ilgili haberler"."""
    lowered = text.lower()
    if "\u0307" in lowered:
        lowered = lowered.replace("i\u0307", "i")
    return " ".join(lowered.split())


@dataclass
class RuleSet:
    """Compiled rules: phrase tables for plain phrases, one regex per kind for the rest."""

    line_phrases: dict[str, str] = field(default_factory=dict)
    line: re.Pattern[str] | None = None
    prefix: re.Pattern[str] | None = None
    contains: re.Pattern[str] | None = None
    contains_phrases: Any = None  # an ahocorasick.Automaton, or None
    # The "anywhere" regexes one by one, in the alternation's order, with an automaton of the literals they need.
    contains_regexes: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    contains_literals: Any = None  # an ahocorasick.Automaton: literal -> indices into contains_regexes
    contains_always: tuple[int, ...] = ()  # the regexes without a literal: searched on every line
    # Each kind's regexes one by one, indexed by what each needs, to match a batch's lines at once (match_lines).
    line_index: Alternatives | None = None
    prefix_index: Alternatives | None = None
    contains_index: Alternatives | None = None
    max_contains_words: int = 60
    # The "anywhere, however long the line" regexes (notices no article sentence holds), and the literals one of
    # which each match contains (None: searched on every line).
    anywhere: re.Pattern[str] | None = None
    anywhere_literals: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # Boilerplate repeats: the same menu items, share bars and footers on every page of a site. Remembering
        # the verdict for recent lines makes the common case a dictionary lookup.
        self.match = lru_cache(maxsize=1 << 16)(self._match)  # type: ignore[method-assign]
        self._known: dict[str, str | None] = {}  # see match_lines

    def match_lines(self, lines: list[str]) -> Callable[[str], str | None]:
        """:meth:`match` of each distinct line of ``lines``, found for all of them at once: the automata run once
        over the lines joined, and the classes of characters the gated whole-line regexes need are read from the
        code points, so that a line costs a few look-ups and the regexes it may match. A batch's lines are mostly
        a site's furniture seen before: verdicts are remembered across calls. The look-up returned knows those of
        ``lines`` at least, until the next call (the remembered verdicts' own ``__getitem__``: a third of what one
        through a read-only view of them costs, for every line of the batch)."""
        known, distinct = self._known, dict.fromkeys(lines)
        if len(known) + len(distinct) > KNOWN_LINES:  # forgotten before, not after: the batch's stay known
            known.clear()
        if todo := [line for line in distinct if line not in known]:
            known.update(zip(todo, self._match_many(todo), strict=True))
        return known.__getitem__

    def match(self, line: str) -> str | None:
        """The category of a boilerplate line, or None."""
        return self._match(line)

    def _match(self, line: str) -> str | None:
        core = line.strip(EDGE_CHARS)
        if not core:
            return None
        if len(core) <= MAX_LINE_CHARS and core.count(" ") < MAX_LINE_WORDS:
            key = normalise_line(core)
            if key in self.line_phrases:
                return self.line_phrases[key]
            if self.line is not None and (m := self.line.fullmatch(key)):
                return m.lastgroup
        stripped = line.lstrip(PREFIX_EDGE_CHARS)
        if self.prefix is not None and (m := self.prefix.match(stripped)):
            return m.lastgroup
        lower = line.lower()
        if category := self._anywhere_category(lower):
            return category
        if len(line.split()) > self.max_contains_words:
            return None
        if self.contains_phrases is not None:
            for _, category in self.contains_phrases.iter(lower):
                return category
        if self.contains_literals is not None:
            return self._contains_category(lower)
        if self.contains is not None and (m := self.contains.search(lower)):
            return m.lastgroup
        return None

    def _anywhere_category(self, lower: str) -> str | None:
        """The category of an "anywhere" rule that the lower-cased line matches, whatever its length."""
        if self.anywhere is None:
            return None
        if self.anywhere_literals is not None and not any(literal in lower for literal in self.anywhere_literals):
            return None
        return m.lastgroup if (m := self.anywhere.search(lower)) else None

    def _contains_category(self, lower: str) -> str | None:
        """What ``self.contains.search(lower).lastgroup`` gives (the leftmost match, the first alternative among
        those matching there), searching only the regexes whose literal the line holds."""
        candidates = set(self.contains_always)
        for _, indices in self.contains_literals.iter(lower):
            candidates.update(indices)
        return self._first_contains(lower, candidates)

    def _first_contains(self, lower: str, candidates: set[int]) -> str | None:
        """The category of the leftmost match among the "anywhere" regexes ``candidates`` (the first of them
        matching there)."""
        best: tuple[int, int] | None = None
        for index in candidates:
            if (m := self.contains_regexes[index][1].search(lower)) and (best is None or (m.start(), index) < best):
                best = (m.start(), index)
        return self.contains_regexes[best[1]][0] if best is not None else None

    def _match_many(self, lines: list[str]) -> list[str | None]:
        """:meth:`_match` of each of ``lines``, the regexes of each kind tried only where they may match."""
        if "\n".join(lines).count("\n") != len(lines) - 1 or None in (self.line_index, self.prefix_index):
            return [self._match(line) for line in lines]  # a line break inside a line: one at a time
        assert self.line_index is not None and self.prefix_index is not None
        found: list[str | None] = [None] * len(lines)
        cores = [line.strip(EDGE_CHARS) for line in lines]
        keys, asked = [], []
        for number, core in enumerate(cores):
            if core and len(core) <= MAX_LINE_CHARS and core.count(" ") < MAX_LINE_WORDS:
                key = normalise_line(core)
                if key in self.line_phrases:
                    found[number] = self.line_phrases[key]
                else:
                    keys.append(key)
                    asked.append(number)
        for number, category in zip(asked, self.line_index.categories(keys, "fullmatch"), strict=True):
            found[number] = category
        asked = [number for number, core in enumerate(cores) if core and found[number] is None]
        stripped = [lines[number].lstrip(PREFIX_EDGE_CHARS) for number in asked]
        for number, category in zip(asked, self.prefix_index.categories(stripped, "match"), strict=True):
            found[number] = category
        asked = [number for number in asked if found[number] is None]
        lowers = [lines[number].lower() for number in asked]
        if self.anywhere is not None:
            for at in self._anywhere_candidates(lowers):
                if m := self.anywhere.search(lowers[at]):
                    found[asked[at]] = m.lastgroup
        # A line of at most 2 * max_contains_words characters has no more words than that limit: not split.
        most = self.max_contains_words
        chosen = [at for at, n in enumerate(asked) if found[n] is None and _at_most_words(lines[n], most)]
        categories = self._contains_categories([lowers[at] for at in chosen])
        for at, category in zip(chosen, categories, strict=True):
            found[asked[at]] = category
        return found

    def _anywhere_candidates(self, lowers: list[str]) -> list[int]:
        """The positions among the lower-cased ``lowers`` (none holding a line break) of those that hold one of
        the literals every "anywhere, however long" match contains, found in one search of each literal over the
        lines joined (a literal holds no line break: it is found in a line alone where it is found among them);
        every position when a regex has no such literal."""
        literals = self.anywhere_literals
        if literals is None or any("\n" in literal for literal in literals):
            return list(range(len(lowers)))
        joined, starts, hits = "\n".join(lowers), _starts(lowers), set()
        for literal in literals:
            at = joined.find(literal)
            while at >= 0:
                line = bisect_right(starts, at) - 1
                hits.add(line)
                at = joined.find(literal, starts[line + 1] if line + 1 < len(starts) else len(joined))
        return sorted(hits)

    def _contains_categories(self, lowers: list[str]) -> list[str | None]:
        """The "anywhere" rules' category of each lower-cased line (none holding a line break), as :meth:`_match`
        finds it: the first phrase the automaton meets, else the leftmost regex match."""
        found: list[str | None] = [None] * len(lowers)
        if not lowers:
            return found
        if self.contains_phrases is not None:  # no phrase holds a line break, after which the automaton is back at
            starts = _starts(lowers)  # its root: a line's matches come as they come alone
            for end, category in self.contains_phrases.iter("\n".join(lowers)):
                number = bisect_right(starts, end) - 1
                if found[number] is None:
                    found[number] = category
        if self.contains_index is None:
            for number, lower in enumerate(lowers):
                if found[number] is None and self.contains is not None and (m := self.contains.search(lower)):
                    found[number] = m.lastgroup
            return found
        rest = [number for number in range(len(lowers)) if found[number] is None]
        for number, candidates in self.contains_index.candidates([lowers[n] for n in rest]).items():
            found[rest[number]] = self._first_contains(lowers[rest[number]], candidates)
        return found


def _at_most_words(line: str, most: int) -> bool:
    """``len(line.split()) <= most``, without splitting a line too short to hold more words (a word and the space
    after it take two characters)."""
    return (len(line) + 1) // 2 <= most or len(line.split()) <= most


def parse_rules(text: str, source: str) -> dict[str, list[str]]:
    """The rules of one file, by kind, with their fragments expanded; malformed lines are errors naming the file
    and line."""
    rules: dict[str, list[str]] = {kind: [] for kind in KINDS.values()}
    fragments: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{number}"
        if line.startswith("@"):
            if not (definition := FRAGMENT.fullmatch(line)):
                raise ValueError(f"{where}: a fragment reads '@name = regex' (name: lower-case letters and _)")
            fragments[definition[1]] = _checked(_expand(definition[2], fragments, where), where)
            continue
        marker, _, pattern = line.partition(" ")
        if marker not in KINDS or not pattern.strip():
            raise ValueError(f"{where}: a rule starts with '=', '^', '~' or '*' and a space, then a regex")
        rules[KINDS[marker]].append(_checked(_expand(pattern.strip(), fragments, where), where))
    return rules


def _expand(pattern: str, fragments: dict[str, str], where: str) -> str:
    """``pattern`` with each ``{name}`` replaced by its fragment, as a group."""

    def fragment(reference: re.Match[str]) -> str:
        if reference[1] not in fragments:
            raise ValueError(f"{where}: no fragment @{reference[1]} is defined above this line")
        return f"(?:{fragments[reference[1]]})"

    return REFERENCE.sub(fragment, pattern)


def _checked(pattern: str, where: str) -> str:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as err:
        raise ValueError(f"{where}: bad regex ({err})") from err
    return pattern


def compile_rules(by_category: dict[str, dict[str, list[str]]], max_contains_words: int = 60) -> RuleSet:
    """Phrase tables for plain phrases, and one alternation per kind (a named group per category) for the rest."""
    import ahocorasick

    ruleset = RuleSet(max_contains_words=max_contains_words)
    automaton = ahocorasick.Automaton()
    regexes: dict[str, list[str]] = {kind: [] for kind in KINDS.values()}
    contains_alternatives: list[tuple[str, str]] = []  # (category, lower-cased regex), in the alternation's order
    line_alternatives: list[tuple[str, str]] = []  # the same for the whole-line regexes
    prefix_alternatives: list[tuple[str, str]] = []  # and for the prefix regexes (not lower-cased)
    anywhere_alternatives: list[str] = []  # the "anywhere, however long" regexes (lower-cased)
    for category, rules in sorted(by_category.items()):
        rest: dict[str, list[str]] = {kind: [] for kind in KINDS.values()}
        for kind, patterns in rules.items():
            for pattern in patterns:
                for alternative in split_alternatives(pattern):
                    phrase = alternative.strip()
                    if kind == "line" and LITERAL.match(phrase):
                        ruleset.line_phrases.setdefault(normalise_line(phrase), category)
                    elif kind == "contains" and LITERAL.match(phrase) and len(phrase) >= 4:
                        if phrase.lower() not in automaton:
                            automaton.add_word(phrase.lower(), category)
                    else:
                        rest[kind].append(alternative)
        for kind, alternatives in rest.items():
            if alternatives:
                if kind != "prefix":
                    alternatives = [lower_pattern(a) for a in alternatives]
                if kind == "contains":
                    contains_alternatives += [(category, a) for a in alternatives]
                elif kind == "line":
                    line_alternatives += [(category, a) for a in alternatives]
                elif kind == "prefix":
                    prefix_alternatives += [(category, a) for a in alternatives]
                else:
                    anywhere_alternatives += alternatives
                regexes[kind].append(f"(?P<{category}>{'|'.join(f'(?:{a})' for a in alternatives)})")
    if len(automaton):
        automaton.make_automaton()
        ruleset.contains_phrases = automaton
    _index_contains_regexes(ruleset, contains_alternatives)
    for kind, flags, alternatives, how in (
        ("line", 0, line_alternatives, "search"),
        ("prefix", re.IGNORECASE, prefix_alternatives, "match"),
        ("contains", 0, contains_alternatives, "search"),
    ):
        with suppress(ValueError):  # re's case tables moved: that kind's lines are matched one by one
            setattr(ruleset, f"{kind}_index", Alternatives.of(alternatives, flags, required_literals, how))
    # Lines are lower-cased before matching; prefix rules see the original case (breadcrumb glue is detected by
    # a capital letter), so they keep IGNORECASE.
    for kind, flags in (("line", 0), ("prefix", re.IGNORECASE), ("contains", 0), ("anywhere", 0)):
        if regexes[kind]:
            setattr(ruleset, kind, re.compile("|".join(regexes[kind]), flags))
    needed = [required_literals(pattern) for pattern in anywhere_alternatives]
    if needed and None not in needed:
        ruleset.anywhere_literals = tuple(sorted({literal for literals in needed for literal in literals or ()}))
    return ruleset


def _index_contains_regexes(ruleset: RuleSet, alternatives: list[tuple[str, str]]) -> None:
    """Compile the "anywhere" regexes one by one and index them by the literal each needs (see the module doc)."""
    import ahocorasick

    literals: dict[str, list[int]] = {}
    always: list[int] = []
    for index, (category, pattern) in enumerate(alternatives):
        ruleset.contains_regexes.append((category, re.compile(pattern)))
        needed = required_literals(pattern)
        if needed is None:
            always.append(index)
        for literal in needed or ():
            literals.setdefault(literal, []).append(index)
    if literals:
        automaton = ahocorasick.Automaton()
        for literal, indices in literals.items():
            automaton.add_word(literal, tuple(indices))
        automaton.make_automaton()
        ruleset.contains_literals = automaton
        ruleset.contains_always = tuple(always)


def load_rules(folder: Path | None = None, max_contains_words: int = 60) -> RuleSet:
    """The rules in ``folder`` (default: the package's ``data/boilerplate``), one category per ``.txt`` file."""
    if folder is None:
        base = resources.files("cleaner") / "data" / "boilerplate"
        files = {Path(f.name).stem: f.read_text(encoding="utf-8") for f in base.iterdir() if f.name.endswith(".txt")}
    else:
        files = {p.stem: p.read_text(encoding="utf-8") for p in Path(folder).glob("*.txt")}
    return compile_rules({name: parse_rules(text, f"{name}.txt") for name, text in files.items()}, max_contains_words)
