from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cleaner.document import Document
from cleaner.steps.whitespace import Whitespace, WhitespaceConfig


def clean(text: str, **options) -> Document:
    return Whitespace(WhitespaceConfig(**options)).apply(Document(id="x", text=text, source="x.txt"))


def test_odd_spaces_trailing_spaces_and_blank_runs():
    doc = clean("Title\u00a0line  \r\n\r\n\r\n\r\nFirst\u202fparagraph.\ufeff\t\n\n\n\nSecond\u3000paragraph.\n\n")
    assert doc.text == "Title line\n\nFirst paragraph.\n\nSecond paragraph."
    assert doc.stats == {
        "whitespace_odd_spaces": 4,
        "whitespace_trailing_spaces": 3,
        "whitespace_blank_lines": 6,
    }


def test_zero_width_spaces_are_kept_unless_asked():
    thai = "\u0e09\u0e31\u0e19\u200b\u0e23\u0e31\u0e01\u200b\u0e04\u0e38\u0e13 and a\u2060b"  # word boundaries
    assert clean(thai).text == thai
    assert clean(thai, remove_zero_width=True).text == "\u0e09\u0e31\u0e19\u0e23\u0e31\u0e01\u0e04\u0e38\u0e13 and ab"


def test_joiners_and_indentation_are_kept():
    text = "می\u200cخواهم کتاب بخوانم\n  • first item\n  • second item"
    assert clean(text).text == text


def test_spaces_can_be_kept_as_written():
    assert clean("15\u00a0%  ", normalise_spaces=False).text == "15\u00a0%"


def test_clean_text_is_unchanged_and_idempotent():
    text = "A heading\n\nA paragraph with words.\nAnother line."
    once = clean(text)
    assert once.text == text and once.stats == {}
    messy = "a\u00a0b \n\n\n\nc\u2028d\u2029e"
    assert clean(clean(messy).text).text == clean(messy).text


def test_trailing_blanks_of_any_length_and_mix_go():
    # short runs take the fast path, a long one the line-by-line fallback; both leave the same text
    text = "one \t \ntwo" + " " * 50 + "\nthree\t\n\tindented stays\nlast \t"
    doc = clean(text)
    assert doc.text == "one\ntwo\nthree\n\tindented stays\nlast"
    assert doc.stats["whitespace_trailing_spaces"] == 3 + 50 + 1 + 2


def test_soft_hyphens_are_kept_by_default_and_removed_when_asked():
    text = "Die Ra\u00addon\u00adkar\u00adte zeigt die Be\u00adlas\u00adtung."
    kept = clean(text)
    assert kept.text == text  # the author's hyphenation points: correct text, left as written (as ftfy does)
    assert "whitespace_odd_spaces" not in kept.stats
    doc = clean(text, remove_soft_hyphens=True)
    assert doc.text == "Die Radonkarte zeigt die Belastung."
    assert doc.stats == {"whitespace_odd_spaces": 5}


@given(st.lists(st.sampled_from(["\n", "\n\n\n\n\n", "a", "b.c"]), max_size=20).map("".join))
def test_runs_of_blank_lines_become_one_whatever_their_length(text: str):
    """What replacing three line breaks by two until none are left gives (the runs, then the ends, stripped)."""
    expected = text
    while "\n\n\n" in expected:
        expected = expected.replace("\n\n\n", "\n\n")
    doc = Whitespace().apply(Document(id="x", text=text, source="x"))
    assert doc.text == expected.strip("\n")
    assert doc.stats.get("whitespace_blank_lines", 0) == text.count("\n") - doc.text.count("\n")
