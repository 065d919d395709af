from __future__ import annotations

import re
from itertools import chain, islice
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cleaner.boilerplate import lines
from cleaner.boilerplate.lines import NO_STOPWORDS, WORD, longest_lines, stopwords, tokenize

PROSE = [
    "Die Stadtwerke haben am Montag angekündigt, dass die neuen Leitungen bis zum Herbst verlegt werden sollen.",
    "Nach Angaben der Bauleitung wird die Straße dafür in mehreren Abschnitten gesperrt, jeweils für zwei Wochen.",
    "Anwohner können sich bei einer Sprechstunde im Rathaus über die Umleitungen und die Zeitpläne informieren.",
]
# A page that opens with a long archive menu of month names and short labels, as blogs and shops print them.
MENU = ["Jan 2021", "Feb 2021", "Mar 2021", "Oct 2021", "Nov 2021", "Dec 2021", "Top", "Single", "Music", "Rock"] * 60


def first_words(texts: list[str]) -> list[str]:
    return list(islice(chain.from_iterable(tokenize(texts)[:400]), 2000))


def test_the_stop_word_list_follows_the_language_of_the_longest_lines_not_the_menu():
    texts = MENU + PROSE
    lists = stopwords()
    german = lists.lists["German"]
    assert lists.guess(first_words(texts)) is not german  # the menu's words alone point elsewhere
    assert lists.for_sample(longest_lines(texts, 1000), first_words(texts), min_score=0.5) is german


def test_without_a_sample_or_a_sure_identifier_the_stop_word_count_decides():
    texts = MENU + PROSE
    lists = stopwords()
    words = first_words(texts)
    assert lists.for_sample("", words, min_score=0.5) is lists.guess(words)
    assert lists.for_sample(longest_lines(texts, 1000), words, min_score=1.01) is lists.guess(words)


def test_a_language_without_a_list_gets_none():
    texts = ["東京都は月曜日、新しい公園の計画を発表しました。公園は来年の春に開く予定です。"] * 3
    assert stopwords().for_sample(longest_lines(texts, 1000), first_words(texts), min_score=0.5) == frozenset()


def test_the_lists_of_samples_asked_together_are_those_of_each_asked_alone():
    lists = stopwords()
    samples = [
        longest_lines(PROSE, 1000),  # German
        "",  # a page without lines
        "東京都は月曜日、新しい公園の計画を発表しました。",  # a language without a list
        "Jan 2021 Feb 2021",  # too little to be sure of
        "The council met on Tuesday to discuss the new budget for the schools of the district.",
        longest_lines(PROSE, 1000),
    ]
    for min_score in (0.0, 0.5, 1.01):
        alone = [lists.by_language(sample, min_score) for sample in samples]
        assert lists.by_languages(samples, min_score) == alone
    assert lists.by_languages(samples, 0.5)[:3] == [lists.lists["German"], None, NO_STOPWORDS]
    assert lists.by_languages(samples, 0.5)[3:5] == [None, lists.lists["English"]]


def test_longest_lines_takes_the_prose_until_enough_characters():
    texts = ["Home", "", PROSE[0], "Share", PROSE[1], PROSE[2]]
    assert longest_lines(texts, 150).split("\n") == sorted(PROSE, key=len, reverse=True)[:2]
    assert longest_lines(["", "  "], 100) == ""


def test_stop_words_are_read_cold_then_loaded_warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path))
    read = lines._read_stop_words()
    cold = lines._stop_words()
    assert [p.name.split("-")[:2] for p in tmp_path.iterdir()] == [["justext", "stopwords"]]
    monkeypatch.setattr(lines, "_read_stop_words", lambda: pytest.fail("read again"))
    warm = lines._stop_words()
    assert warm == cold == read
    assert "the" in warm[1]["English"] and warm[0].index("English") in warm[2]["the"]


def test_stop_words_of_another_justext_are_never_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path))
    monkeypatch.setattr(lines, "_read_stop_words", lambda: (["Old"], {"Old": frozenset({"a"})}, {"a": (0,)}))
    assert lines._stop_words()[0] == ["Old"]
    monkeypatch.setattr(lines.importlib.metadata, "version", lambda _: "0.0-other")
    monkeypatch.setattr(lines, "_read_stop_words", lambda: (["New"], {"New": frozenset()}, {}))
    assert lines._stop_words()[0] == ["New"]
    assert len(list(tmp_path.iterdir())) == 1


WORDISH = ["a", "Zß", "é", "3", "_", "-", "'", "’", " ", "\n", ".", "--", "İ", "\u0663", "\u0301", "中"]


@settings(max_examples=2000, derandomize=True)
@given(st.lists(st.sampled_from(WORDISH), max_size=30).map("".join))
@example("well-known rock'n'roll isn't--it’s -x- a'")
def test_the_possessive_word_pattern_finds_what_the_backtracking_one_finds(text: str):
    """WORD (the words the stop-word lists are matched against, here and in the boilerplate step) is spelled with
    possessive quantifiers for speed: it finds what the plain spelling finds."""
    assert WORD.findall(text) == re.findall(r"\w+(?:[-'’]\w+)*", text)
