"""Curated boilerplate phrases, one data file per category (``cleaner/data/boilerplate/*.txt``).

Every rule of every category is compiled into one alternation per kind (whole line, prefix, anywhere), with one
named group per category, so a line is matched once per kind however many rules there are, and the group that
matched names the category. See the data folder's README for the file format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

KINDS = {"=": "line", "^": "prefix", "~": "contains"}
# Stripped from both ends before whole-line matching: bullets, arrows, separators, closing punctuation.
EDGE_CHARS = " \t•·*|:;,.!?»«›‹>→←-–—_#()[]\"'“”„"


@dataclass(frozen=True)
class RuleSet:
    """Compiled rules: for each kind, one regex whose named groups are the categories."""

    line: re.Pattern[str] | None
    prefix: re.Pattern[str] | None
    contains: re.Pattern[str] | None
    max_contains_words: int = 60

    def match(self, line: str) -> str | None:
        """The category of a boilerplate line, or None."""
        core = line.strip(EDGE_CHARS)
        if not core:
            return None
        if self.line is not None and (m := self.line.fullmatch(core)):
            return m.lastgroup
        stripped = line.lstrip(EDGE_CHARS.replace("(", "").replace("©", ""))
        if self.prefix is not None and (m := self.prefix.match(stripped)):
            return m.lastgroup
        words = len(line.split())
        if self.contains is not None and words <= self.max_contains_words and (m := self.contains.search(line)):
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
    """One alternation per kind, each category a named group."""
    compiled: dict[str, re.Pattern[str] | None] = {}
    for kind in KINDS.values():
        groups = [
            f"(?P<{category}>{'|'.join(f'(?:{p})' for p in rules[kind])})"
            for category, rules in sorted(by_category.items())
            if rules[kind]
        ]
        compiled[kind] = re.compile("|".join(groups), re.IGNORECASE) if groups else None
    return RuleSet(max_contains_words=max_contains_words, **compiled)


def load_rules(folder: Path | None = None, max_contains_words: int = 60) -> RuleSet:
    """The rules in ``folder`` (default: the package's ``data/boilerplate``), one category per ``.txt`` file."""
    if folder is None:
        base = resources.files("cleaner") / "data" / "boilerplate"
        files = {Path(f.name).stem: f.read_text(encoding="utf-8") for f in base.iterdir() if f.name.endswith(".txt")}
    else:
        files = {p.stem: p.read_text(encoding="utf-8") for p in Path(folder).glob("*.txt")}
    return compile_rules({name: parse_rules(text, f"{name}.txt") for name, text in files.items()}, max_contains_words)
