from __future__ import annotations

import ftfy
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.steps import lost_bytes
from cleaner.steps.lost_bytes import CANDIDATES, SITE, _best, _new_characters, refill
from cleaner.steps.repair import Repair

FIXER = Repair().fixer


def fix(text: str, near: str = "") -> str:
    return ftfy.fix_and_explain(text, FIXER).text


def refill_by_the_book(line: str) -> str | None:
    """The refill as first written: the line repaired again at every site, and once more at the end."""
    changed, start = False, 0
    while (found := SITE.search(line, start)) is not None:
        at = found.start()
        choice = _best([fix(line[:at] + byte + line[at + 1 :]) for byte in CANDIDATES], fix(line))
        if choice is not None:
            line, changed = line[:at] + choice + line[at + 1 :], True
        start = at + 1
    return fix(line) if changed else None


def new_characters_by_the_book(repaired: str, base: str) -> str:
    """Common prefix and suffix (not overlapping it), walked one character at a time."""
    prefix = 0
    while prefix < min(len(repaired), len(base)) and repaired[prefix] == base[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(repaired), len(base)) - prefix and repaired[-1 - suffix] == base[-1 - suffix]:
        suffix += 1
    return repaired[prefix : len(repaired) - suffix].replace("\ufffd", "")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="abé\ufffdxy", max_size=12), st.text(alphabet="abé\ufffdxy", max_size=12))
def test_the_new_characters_are_those_between_the_common_ends(repaired: str, base: str):
    assert _new_characters(repaired, base) == new_characters_by_the_book(repaired, base)


# Words with the letters and marks whose second UTF-8 byte cp1252 lacks (Ł C5 81, Á C3 81, Í C3 8D, Ð C3 90,
# ” E2 80 9D, с D1 81), beside words without.
WORDS = ["Łukasz", "Łosiewicz", "Árbitro", "Índice", "AÐA", "pig,”", "“quote”", "русский", "Straße", "the", "café"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
def test_refill_asks_ftfy_less_and_gives_the_same_line(words: list[str]):
    line = " ".join(words).encode("utf-8").decode("cp1252", errors="replace")
    calls = []

    def counted(text: str, near: str) -> str:
        calls.append(text)
        return fix(text)

    assert refill(line, counted, fix(line)) == refill(line, fix) == refill_by_the_book(line)
    assert len(calls) == len(CANDIDATES) * len(SITE.findall(line))  # five per lost byte, nothing more


def test_a_word_is_known_when_one_of_the_languages_has_it():
    from cleaner.wordfreqs import zipf

    words = ["Łukasz", "the", "Über", "русский", "Política", "xqzvw", "THE", "", "Árbitro", "ōukasz", "szczęście"]
    for word in words:
        by_zipf = any(zipf(word.lower(), language, "small") > 0 for language in lost_bytes.LANGUAGES)
        assert lost_bytes._known(word) == by_zipf
    assert lost_bytes._known("THE") and not lost_bytes._known("xqzvw")
