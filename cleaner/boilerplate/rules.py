"""Curated boilerplate phrases, one data file per category (``cleaner/data/boilerplate/*.txt``).

A rule is a regex, but most rules are alternations of plain phrases (``share|teilen|compartir``). Those phrases are
pulled out and matched without a regex engine: whole-line phrases by one set lookup, "anywhere" phrases by one
Aho-Corasick automaton pass (pyahocorasick) over the line. What remains of real regexes is compiled into one
alternation per kind, with one named group per category, and run on the lower-cased line. Every line costs a
few microseconds however many rules there are. See the data folder's README for the file format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

KINDS = {"=": "line", "^": "prefix", "~": "contains"}
# Stripped from both ends before whole-line matching: bullets, arrows, separators, closing punctuation.
EDGE_CHARS = " \t•·*|:;,.!?»«›‹>→←-–—_#()[]\"'“”„"
# A phrase that needs no regex: letters, digits, spaces and harmless punctuation only.
LITERAL = re.compile(r"^[\w\s'’!,&+:;/-]+$")
# Whole-line rules describe menu items and widgets: a line longer than this is prose, never one of them.
MAX_LINE_CHARS = 120
MAX_LINE_WORDS = 15


def split_alternatives(pattern: str) -> list[str]:
    """The top-level ``|`` alternatives of a regex (parentheses and classes respected)."""
    parts, depth, in_class, escaped, current = [], 0, False, False, []
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _lower_pattern(pattern: str) -> str:
    """Lower-case a regex's literal letters, leaving escapes (``\\S``, ``\\W``) and inline flags alone, so it can
    run without IGNORECASE (several times faster) on lower-cased text."""
    out, escaped = [], False
    for char in pattern:
        out.append(char if escaped else char.lower())
        escaped = char == "\\" and not escaped
    return "".join(out)


@dataclass
class RuleSet:
    """Compiled rules: phrase tables for plain phrases, one regex per kind for the rest."""

    line_phrases: dict[str, str] = field(default_factory=dict)
    line: re.Pattern[str] | None = None
    prefix: re.Pattern[str] | None = None
    contains: re.Pattern[str] | None = None
    contains_phrases: Any = None  # an ahocorasick.Automaton, or None
    max_contains_words: int = 60

    def __post_init__(self) -> None:
        # Boilerplate repeats: the same menu items, share bars and footers on every page of a site. Remembering
        # the verdict for recent lines makes the common case a dictionary lookup.
        self.match = lru_cache(maxsize=1 << 16)(self._match)  # type: ignore[method-assign]

    def match(self, line: str) -> str | None:
        """The category of a boilerplate line, or None."""
        return self._match(line)

    def _match(self, line: str) -> str | None:
        core = line.strip(EDGE_CHARS)
        if not core:
            return None
        if len(core) <= MAX_LINE_CHARS and core.count(" ") < MAX_LINE_WORDS:
            key = _normalise(core)
            if key in self.line_phrases:
                return self.line_phrases[key]
            if self.line is not None and (m := self.line.fullmatch(key)):
                return m.lastgroup
        stripped = line.lstrip(EDGE_CHARS.replace("(", "").replace("©", ""))
        if self.prefix is not None and (m := self.prefix.match(stripped)):
            return m.lastgroup
        if len(line.split()) > self.max_contains_words:
            return None
        lower = line.lower()
        if self.contains_phrases is not None:
            for _, category in self.contains_phrases.iter(lower):
                return category
        if self.contains is not None and (m := self.contains.search(lower)):
            return m.lastgroup
        return None


def parse_rules(text: str, source: str) -> dict[str, list[str]]:
    """The rules of one file, by kind; malformed lines are errors naming the file and line."""
    rules: dict[str, list[str]] = {kind: [] for kind in KINDS.values()}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        marker, _, pattern = line.partition(" ")
        if marker not in KINDS or not pattern.strip():
            raise ValueError(f"{source}:{number}: a rule starts with '=', '^' or '~' and a space, then a regex")
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as err:
            raise ValueError(f"{source}:{number}: bad regex ({err})") from err
        rules[KINDS[marker]].append(pattern.strip())
    return rules


def compile_rules(by_category: dict[str, dict[str, list[str]]], max_contains_words: int = 60) -> RuleSet:
    """Phrase tables for plain phrases, and one alternation per kind (a named group per category) for the rest."""
    import ahocorasick

    ruleset = RuleSet(max_contains_words=max_contains_words)
    automaton = ahocorasick.Automaton()
    regexes: dict[str, list[str]] = {kind: [] for kind in KINDS.values()}
    for category, rules in sorted(by_category.items()):
        rest: dict[str, list[str]] = {kind: [] for kind in KINDS.values()}
        for kind, patterns in rules.items():
            for pattern in patterns:
                for alternative in split_alternatives(pattern):
                    phrase = alternative.strip()
                    if kind == "line" and LITERAL.match(phrase):
                        ruleset.line_phrases.setdefault(_normalise(phrase), category)
                    elif kind == "contains" and LITERAL.match(phrase) and len(phrase) >= 4:
                        if phrase.lower() not in automaton:
                            automaton.add_word(phrase.lower(), category)
                    else:
                        rest[kind].append(alternative)
        for kind, alternatives in rest.items():
            if alternatives:
                if kind != "prefix":
                    alternatives = [_lower_pattern(a) for a in alternatives]
                regexes[kind].append(f"(?P<{category}>{'|'.join(f'(?:{a})' for a in alternatives)})")
    if len(automaton):
        automaton.make_automaton()
        ruleset.contains_phrases = automaton
    # Lines are lower-cased before matching; prefix rules see the original case (breadcrumb glue is detected by
    # a capital letter), so they keep IGNORECASE.
    for kind, flags in (("line", 0), ("prefix", re.IGNORECASE), ("contains", 0)):
        if regexes[kind]:
            setattr(ruleset, kind, re.compile("|".join(regexes[kind]), flags))
    return ruleset


def load_rules(folder: Path | None = None, max_contains_words: int = 60) -> RuleSet:
    """The rules in ``folder`` (default: the package's ``data/boilerplate``), one category per ``.txt`` file."""
    if folder is None:
        base = resources.files("cleaner") / "data" / "boilerplate"
        files = {Path(f.name).stem: f.read_text(encoding="utf-8") for f in base.iterdir() if f.name.endswith(".txt")}
    else:
        files = {p.stem: p.read_text(encoding="utf-8") for p in Path(folder).glob("*.txt")}
    return compile_rules({name: parse_rules(text, f"{name}.txt") for name, text in files.items()}, max_contains_words)
