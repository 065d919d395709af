"""The facts read from a batch's code points are those the per-line expressions give, for any text."""

from __future__ import annotations

import re
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.boilerplate import characters
from cleaner.boilerplate.characters import BMP, SENTENCE_END, UNICODE, read_lines, shape_flags, whole_word_matches
from cleaner.boilerplate.lines import TERMINAL, tokenize
from cleaner.boilerplate.model import furniture_automaton

TRICKY = [
    "", " ", "\t", "\u00a0Home\u00a0", "  Share  this  ", "a\u2028b", "x\x85", "\x1c\x1d",
    "İstanbul İİ Σ ΣΑΣ. ὈΔΥΣΣΕΎΣ", "a--b a-b-c 'quoted' it's ’tis -x- _under_ 12-3 x’", "ǅx titlecase", "¹² ½ Ⅻ",
    "😀 Top stories 🎉", "𝐁𝐫𝐞𝐚𝐤𝐢𝐧𝐠 𝐧𝐞𝐰𝐬", "𝐛old", "a.”", "b?”  ", " x .) ", "…", "end.« ", "«»", "“Quoted.”",
    "\ud800 a lone surrogate", "What the budget does:", "Ends with a colon: ", "12 items", "é composed", "e\u0301",
    "The council met on Tuesday to discuss the budget.", "and a list item continues", "Read more »",
]  # fmt: skip


def expected(texts: list[str]) -> dict[str, list]:
    """Every fact as the analysis used to compute it, line by line."""
    stripped = [text.strip() for text in texts]
    return {
        "chars": [len(text) for text in stripped],
        "terminal": [text.endswith(TERMINAL) for text in stripped],
        "colon": [text.rstrip().endswith(":") for text in texts],
        "title_start": [(first := text.lstrip()[:1]).isupper() or first.isdigit() for text in texts],
        "lower_start": [text[:1].islower() for text in stripped],
        "sentence_end": [SENTENCE_END.search(text) is not None for text in stripped],
        "tokens": tokenize(texts),
        "token_lengths": [[len(token) for token in tokens] for tokens in tokenize(texts)],
        "token_letters": [[token.isalpha() for token in tokens] for tokens in tokenize(texts)],
        "token_compound": [[any(j in token for j in "-'’") for token in tokens] for tokens in tokenize(texts)],
        "normal": [" ".join(text.lower().split()) for text in texts],
        "first_char": [ord(text[0]) if text else 0 for text in stripped],
        "two_letters": [re.search(r"[^\W\d_]{2}", text) is not None for text in texts],
    }


def found(texts: list[str]) -> dict[str, list]:
    facts = read_lines(texts)
    offsets = facts.token_offsets.tolist()
    return {
        "chars": facts.chars.tolist(),
        "terminal": facts.terminal.tolist(),
        "colon": facts.colon.tolist(),
        "title_start": facts.title_start.tolist(),
        "lower_start": facts.lower_start.tolist(),
        "sentence_end": facts.sentence_end.tolist(),
        "tokens": [facts.tokens[start:end] for start, end in pairwise(offsets)],
        "token_lengths": [facts.token_lengths[start:end].tolist() for start, end in pairwise(offsets)],
        "token_letters": [facts.token_letters[start:end].tolist() for start, end in pairwise(offsets)],
        "token_compound": [facts.token_compound[start:end].tolist() for start, end in pairwise(offsets)],
        "normal": facts.normal,
        "first_char": facts.first_char.tolist(),
        "two_letters": facts.two_letters.tolist(),
    }


def test_tricky_lines_are_read_as_line_by_line():
    assert found(TRICKY) == expected(TRICKY)
    assert found(TRICKY[::-1]) == expected(TRICKY[::-1])  # whatever stands before and after a line


def test_lower_case_keeps_a_letter_a_letter():
    """read_lines reads the lower-cased text's letters from the text's own kinds when no character becomes two."""
    changed = [
        code
        for code in range(0x110000)
        if len(lower := chr(code).lower()) == 1 and chr(code).isalpha() != lower.isalpha()
    ]
    assert changed == []


def test_no_lines_and_blank_lines():
    assert found([]) == expected([])
    assert found([""]) == expected([""])
    assert found(["", " ", ""]) == expected(["", " ", ""])


def test_a_line_break_inside_a_line_counts_as_a_space():
    facts = read_lines(["a\nb.", "c"])
    assert facts.tokens == ["a", "b", "c"] and facts.token_offsets.tolist() == [0, 2, 3]
    assert facts.normal == ["a b.", "c"] and facts.terminal.tolist() == [True, False]


LINE = st.text(st.characters(codec="utf-8", exclude_characters="\n") | st.sampled_from(list(" .:’'-»”“)]İΣ😀𝐁")))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(LINE, max_size=8))
def test_any_lines_are_read_as_line_by_line(texts):
    assert found(texts) == expected(texts)


def flags_line_by_line(texts: list[str]) -> list[list[float]]:
    return [
        [
            float(text.endswith(("...", "…"))),
            float(":" in text[:40]),
            float("©" in text),
            float(text[:1] in "-•*·–"),
            float(text[:1] in "\"“„«'"),
        ]
        for text in texts
    ]


def whole_words_one_by_one(text: str, automaton) -> list[int]:
    found = []
    for end, length in automaton.iter(text):
        start = end - length + 1
        before = text[start - 1] if start else " "
        after = text[end + 1] if end + 1 < len(text) else " "
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            found.append(start)
    return found


SHAPES = [
    "...", "Read more...", "Read more…", "..", "a:b", "x" * 39 + ":", "x" * 40 + ":", "© 2024", "- item", "• item",
    "“Quote”", "'quote'", "", "a", "Home_page share", "share_", "subscribe-now", "newsletter",
]  # fmt: skip


def test_shape_flags_are_those_of_the_text_methods():
    assert shape_flags(SHAPES).tolist() == flags_line_by_line(SHAPES)
    assert shape_flags([]).shape == (0, 5)


def test_whole_word_matches_are_those_found_one_by_one():
    automaton = furniture_automaton()
    for texts in (SHAPES, TRICKY):
        joined = "\n".join(texts).lower()
        assert whole_word_matches(joined, automaton).tolist() == whole_words_one_by_one(joined, automaton)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(LINE | st.sampled_from([*SHAPES, "share", "newsletter", "login"]), max_size=8))
def test_any_shapes_are_those_of_the_text_methods(texts):
    assert shape_flags(texts).tolist() == flags_line_by_line(texts)
    joined = "\n".join(texts).lower()
    assert whole_word_matches(joined, furniture_automaton()).tolist() == whole_words_one_by_one(
        joined, furniture_automaton()
    )


def test_the_tables_are_made_cold_then_loaded_warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path))
    made = characters._made_tables()
    characters.tables.cache_clear()
    try:
        cold = characters.tables()
        assert [p.name.split("-")[:2] for p in tmp_path.iterdir()] == [["character", "tables"]]
        characters.tables.cache_clear()
        monkeypatch.setattr(characters, "_made_tables", lambda: pytest.fail("made again"))
        warm = characters.tables()
        for table in (cold, warm):
            assert (table.word.tobytes(), table.kinds.tobytes(), table.letter.tobytes()) == made
            assert table.word.dtype == bool and table.kinds.dtype == np.uint8 and table.letter.dtype == bool
        # Another Python (or an edit of the module) names another copy: the older one is never read.
        monkeypatch.setattr(sys, "version", "another")
        monkeypatch.setattr(characters, "_made_tables", lambda: (bytes(UNICODE), bytes(BMP), bytes(UNICODE)))
        characters.tables.cache_clear()
        assert not characters.tables().word.any()
        assert len(list(tmp_path.iterdir())) == 1
    finally:
        characters.tables.cache_clear()
