from __future__ import annotations

import re

import pytest

from cleaner.boilerplate.alternatives import Alternatives, first_characters, fold, required_class
from cleaner.boilerplate.patterns import required_literals


@pytest.mark.parametrize(
    ("pattern", "gate"),
    [
        (r"\d{1,2}\.\d{4}", r"[\d]"),  # a digit is rarer in text than a full stop
        (r"[\w.-]+\s*/\s*(?:dpa|afp)", "[/]"),
        (r"(?:\d+-\d+|\d{4})", r"[\-\d]"),  # each branch its own class: either may be what a match holds
        (r"a?b+", "[b]"),  # an optional item is not needed
        (r"[^a]+", None),  # a negation: not used
        (r".*", None),
    ],
)
def test_required_class_is_a_class_every_match_holds_a_character_of(pattern: str, gate: str | None):
    assert required_class(pattern) == gate


@pytest.mark.parametrize(
    ("pattern", "first", "empty"),
    [
        (r"(?:ja, )?ich (?:habe|hab)", {"j", "i"}, False),  # an optional start adds its first characters
        (r"\b(?:©|\(c\))\s*\d{4}", {"©", "("}, False),  # an anchor is passed over
        (r"[a-c]x|y", {"a", "b", "c", "y"}, False),
        (r"(?:x)*", {"x"}, True),  # may match nothing
        (r"\w+ / dpa", None, False),  # a category: any first character
        (r".{0,60}\|", None, False),
    ],
)
def test_first_characters_are_those_a_match_may_begin_with(pattern: str, first: set[str] | None, empty: bool):
    found, nullable = first_characters(pattern)
    assert (None if found is None else set(found), nullable) == (first, empty)


def test_folding_equates_what_the_regex_engine_equates_ignoring_case():
    assert fold("Straſſe \u212aino") == fold("STRASSE kino") != fold("Strasze kino")
    assert len(fold("İstanbul 😀")) == len("İstanbul 😀")  # one code point for one: places are kept
    for char in "sSſkK\u212aiIıİßẞσΣςµμ":
        for other in "sSſkK\u212aiIıİßẞσΣςµμ":
            same = re.fullmatch(re.escape(char), other, re.IGNORECASE) is not None
            assert (fold(char) == fold(other)) == same, (char, other)


@pytest.mark.parametrize("how", ["match", "fullmatch", "search"])
def test_candidates_hold_every_regex_that_matches(how: str):
    patterns = [r"mehr zum thema\b", r"(?:ja, )?ich (?:habe|hab)", r"\d{1,2}\.\d{4}", r"[\w.]+ / (?:dpa|afp)",
                r"(?:©|\(c\))\s*\d{4}", r"x*", r"foto:? .+"]  # fmt: skip
    flags = re.IGNORECASE if how == "match" else 0
    index = Alternatives.of([(str(n), p) for n, p in enumerate(patterns)], flags, required_literals, how)
    texts = ["Mehr zum Thema", "MEHR ZUM THEMAſ", "ja, ich habe", "Ich hab", "12.2024", "foo.bar / dpa", "(C) 2024",
             "© 1999", "", "xx", "foto: dpa", "nothing here", "𝟏𝟐.𝟐𝟎𝟐𝟒"]  # fmt: skip
    candidates = index.candidates(texts)
    for number, text in enumerate(texts):
        matching = {n for n, p in enumerate(patterns) if getattr(re.compile(p, flags), how)(text)}
        assert matching <= set(candidates.get(number, ())), text
    if how == "search":  # the leftmost match wins: found among the candidates by the caller
        return
    whole = re.compile("|".join(f"(?P<_{n}>{p})" for n, p in enumerate(patterns)), flags)
    expected = [m.lastgroup[1:] if (m := getattr(whole, how)(text)) else None for text in texts]  # type: ignore[index]
    assert index.categories(texts, how) == expected
