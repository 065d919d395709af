"""How a token made of two glued words is cut: where two words of the language meet that are frequent enough,
apart, to beat the token itself (wordfreq's frequencies), within what the language's rules in ``data/spacing.toml``
allow. Which tokens of a page are asked, and which splits are then made, is the spacing step's business (its
docstring describes the whole rule); this is the part that knows words, and it remembers its verdicts across pages.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from cleaner.wordfreqs import known, zipf_table
from cleaner.wordfreqs import zipf as word_zipf

if TYPE_CHECKING:
    from cleaner.steps.spacing import SpacingConfig


class LanguageRules(NamedTuple):
    """What ``data/spacing.toml`` says of a language: its one-letter words, its productive prefixes and the endings
    of its plurals and other inflections."""

    single_letter_words: frozenset[str]
    prefixes: frozenset[str]
    endings: tuple[str, ...] = ()
    split_glued: bool = True  # False: only the punctuation rule
    # True: a token is split only where a capital marks the cut ("FranceLes", menu items run together), never
    # between two lowercase words ("surnommaitle"), which only word frequencies would show
    glued_at_capitals_only: bool = False


@lru_cache(maxsize=1)
def language_rules() -> dict[str, LanguageRules]:
    text = (resources.files("cleaner") / "data" / "spacing.toml").read_text(encoding="utf-8")
    return {
        code: LanguageRules(
            frozenset(spec.get("single_letter_words", [])),
            frozenset(spec.get("prefixes", [])),
            tuple(spec.get("endings", [])),
            bool(spec.get("split_glued", True)),
            bool(spec.get("glued_at_capitals_only", False)),
        )
        for code, spec in tomllib.loads(text)["languages"].items()
    }


# Tokens whose split (or none) is remembered, per language: most tokens of a page recur on other pages, and a rare
# one costs a look-up per cut. Forgotten all at once when full, which bounds memory and changes no result.
SPLIT_CACHE_SIZE = 1 << 14
_UNSEEN = object()


class Splitter(NamedTuple):
    """A language's judgement of tokens: ``split`` gives a token's best split (or None), remembered; ``zipf`` a word's
    frequency in the language (0 for a one-letter piece that is no word of it)."""

    split: Callable[[str], tuple[str, str] | None]
    zipf: Callable[[str], float]


def splitter(
    language: str, rules: LanguageRules, c: SpacingConfig, splits: dict[str, tuple[str, str] | None]
) -> Splitter:
    """The :class:`Splitter` of ``language``, remembering its splits in ``splits`` (the caller keeps it across
    pages; see :data:`SPLIT_CACHE_SIZE`)."""
    singles, prefixes, endings, _, capitals_only = rules
    frequencies = zipf_table(language)

    def zipf(word: str) -> float:
        if len(word) == 1 and word not in singles and word.lower() not in singles:
            return 0.0
        return frequencies.get(word.lower(), 0.0)

    def inflected(token: str) -> bool:
        """Whether ``token`` is a known word with one of the language's endings, or another form of one: the
        table lacks many plurals and verb forms of its rarer words ("filetypes", "dumbfounds")."""
        for end in endings:
            if token.endswith(end) and len(token) > len(end) + 2:
                stem = token[: -len(end)]
                if zipf(stem) > 0 or any(zipf(stem + other) > 0 for other in endings if other != end):
                    return True
        return False

    def part_zipf(part: str) -> float:
        """The part's frequency, 0 when it is too short to be trusted at that frequency (see the Config)."""
        found = zipf(part)
        short = {2: c.two_letter_part_zipf, 3: c.three_letter_part_zipf}.get(len(part), 0.0)
        return found if found >= short else 0.0

    def best_split(token: str) -> tuple[str, str] | None:
        joined = zipf(token)
        if joined > c.max_glued_zipf:
            return None  # a word in its own right: "into", "became" are not "in to", "be came"
        if token.isupper():
            return None  # an acronym or a name in capitals ("ISKP", "LAPRENSA"), not two glued words
        capitalised = token[0].isupper()
        if capitalised and joined >= c.known_word_zipf:
            return None  # a known name
        if inflected(token):
            return None  # "filetypes", "dumbfounds": forms of a word the table knows ("filetype", "dumbfounded")
        best = None
        misspelt = None  # looked up at the first cut that needs it (most tokens have none; ~0.3 ms a token)
        for cut in range(1, len(token)):
            left, right = token[:cut], token[cut:]
            if left[-1].isupper() and right[0].islower():
                continue  # a capital starts the word it is in: "A|kismet", "eG|leaner" are no glue points
            if capitals_only and not right[0].isupper():
                continue
            zl, zr = part_zipf(left), part_zipf(right)
            if min(zl, zr) < c.min_part_zipf:
                continue
            # A token wordfreq has seen (joined > 0) may be a rare word: then the two parts as independent words
            # (log10 frequency zl+zr-9 on the Zipf scale) must be likelier than it by the margin.
            if joined > 0 and zl + zr - 9 < joined + c.split_margin:
                continue
            if capitalised and (
                max(zl, zr) < c.function_word_zipf
                or min(zl, zr) < c.name_part_zipf
                or len(left if zl < zr else right) < 4
            ):
                continue  # "Khalilzad", "Dodoo": a name, unless one part is a function word ("Afghanistan" + "a")
            if right[0].isupper() and not (left[0].isupper() or zl >= c.function_word_zipf or zl >= 4):
                continue
            if left.lower() in prefixes and zr < c.function_word_zipf:
                continue  # "intercoréens", "antivax": a prefixed word the table lacks, not two words
            if remembered_split(left) or remembered_split(right):
                continue  # "initely" is not "init ely": the next cleaning would split "init" again
            score = zl + zr
            if joined == 0 and misspelt is None:
                # "detailled", "colletive": a misspelt word, not two glued ones, unless the split is likelier
                misspelt = _near_known_word(token.lower(), language, c.misspelling_zipf)
            if misspelt and score - 9 <= misspelt:
                continue
            if best is None or score > best[0]:
                best = (score, left, right)
        return (best[1], best[2]) if best else None

    def remembered_split(token: str) -> tuple[str, str] | None:
        found = splits.get(token, _UNSEEN)
        if found is _UNSEEN:
            if len(splits) >= SPLIT_CACHE_SIZE:
                splits.clear()
            found = splits[token] = best_split(token)
        return found

    return Splitter(remembered_split, zipf)


@lru_cache(maxsize=1 << 14)  # a site's names and terms recur across its pages, and this costs ~0.3 ms a token
def _near_known_word(token: str, language: str, min_zipf: float) -> float:
    """The frequency of the most frequent word at least ``min_zipf`` that one deletion, transposition, substitution
    or insertion turns ``token`` into (0 when there is none)."""
    letters = set(token) | set("abcdefghijklmnopqrstuvwxyz")
    splits = [(token[:i], token[i:]) for i in range(len(token) + 1)]
    candidates = {a + b[1:] for a, b in splits if b}
    candidates |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    candidates |= {a + ch + b[1:] for a, b in splits if b for ch in letters}
    candidates |= {a + ch + b for a, b in splits for ch in letters}
    # Dropping the first or last letter is the glue hypothesis itself ("Afghanistana" = "Afghanistan" + "a").
    candidates -= {token, token[:-1], token[1:]}
    best = max((word_zipf(word, language) for word in known(candidates, language)), default=0.0)
    return best if best >= min_zipf else 0.0
