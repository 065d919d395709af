from __future__ import annotations

import ftfy
from ftfy.badness import is_bad as ftfy_is_bad
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.steps.ftfy_line import _badness_marks, _badness_width, fix_line, fix_line_near, is_bad
from cleaner.steps.lost_bytes import CANDIDATES, SITE
from cleaner.steps.repair import Repair
from tests.steps.test_repair import DAMAGEABLE, _damaged

FIXER = Repair().fixer
# What ftfy's detector looks at (its letters with accents, box drawing, Cyrillic and Greek letters, "\ufffd"), ASCII
# letters and spaces, other scripts: long texts, so that matches fall far apart and near one another.
DETECTED = st.text(alphabet=st.sampled_from(list("ab  .\u00a0ÃÂâ€œ™šéÉ¡°ВГРСвЂў─│αβ\ufffd中ё")), max_size=200)


def test_the_detector_is_read_as_bounded_and_marked():
    """ftfy 6.3's expression: at most 7 characters, each alternative needing one of 290 characters, none ASCII."""
    assert _badness_width() == 7
    marks = _badness_marks()
    assert marks is not None and not marks.search("".join(map(chr, range(128))))
    assert all(marks.search(char) for char in "ÃéВ\ufffd") and not marks.search("中ёд")


@settings(max_examples=1000, deadline=None)
@given(st.one_of(DETECTED, st.text()))
def test_the_detector_flags_what_ftfy_flags(text: str):
    assert is_bad(text) == ftfy_is_bad(text)


@settings(max_examples=300, deadline=None)
@given(DAMAGEABLE, st.integers(0, 5))
def test_a_damaged_line_is_flagged_as_ftfy_flags_it(text: str, how: int):
    import ftfy.bad_codecs  # noqa: F401

    damaged = _damaged(text, how) if how < 5 else text.encode("utf-8").decode("sloppy-windows-1251")
    for line in damaged.split("\n"):
        assert is_bad(line) == ftfy_is_bad(line)


def test_a_match_reaching_past_its_marks_is_found():
    """UTF-8 read as cp1251: ftfy's detector flags these lines by matches that reach past the marks they hold (a
    search of only the marks and the character either side of them misses them)."""
    import ftfy.bad_codecs  # noqa: F401

    for text in ["W 2027 r. samochody elektryczne mogą być tańsze od spalinowych", "Sieć Przyjaciół"]:
        line = text.encode("utf-8").decode("sloppy-windows-1251")
        assert ftfy_is_bad(line) and is_bad(line)


@settings(max_examples=300, deadline=None)
@given(DAMAGEABLE, st.integers(0, 4))
def test_a_candidate_is_fixed_near_its_base_as_ftfy_fixes_it(text: str, how: int):
    """Each variant of a line with a lost byte put back, repaired near the line repaired with the byte lost (a
    reference ftfy's detector may flag or not), is what ftfy makes of it."""
    for line in _damaged(text, how).split("\n"):
        base = fix_line(line, FIXER)[0]
        for found in SITE.finditer(line):
            for byte in CANDIDATES:
                variant = line[: found.start()] + byte + line[found.start() + 1 :]
                assert fix_line_near(variant, FIXER, base) == ftfy.fix_and_explain(variant, FIXER).text
        assert fix_line_near(line, FIXER, "") == fix_line_near(line, FIXER, line) == base


def test_matches_far_apart_and_past_their_marks_are_found():
    """The cases the windows around the marks must get right, found by mutating them (a random text rarely holds
    them): a match in an earlier stretch than the last one, a match reaching past its mark on the right."""
    for line in ["é¦" + "a" * 60 + "é", "ГўВЂВ x", "ГўВЂВ x" + " plain" * 20 + " é"]:
        assert ftfy_is_bad(line) and is_bad(line), line
    assert not is_bad("é" + "a" * 60 + "é") and not ftfy_is_bad("é" + "a" * 60 + "é")


def test_a_reference_the_detector_flags_is_not_trusted():
    """A line damaged twice, near a reference damaged once: the reference is flagged, so what differs from it is
    not all there is to check; ftfy repairs the line fully, and so must the shortcut."""
    once = "café déjà vu".encode().decode("cp1252")
    twice = once.encode().decode("cp1252")
    line, reference = twice + " " + "x" * 60 + " end", once + " " + "x" * 60 + " enD"
    assert fix_line_near(line, FIXER, reference) == ftfy.fix_and_explain(line, FIXER).text


def test_a_fixer_without_explanations_takes_ftfy_s_own_path():
    """With ``explain`` off, ftfy fixes the encoding with its default settings rather than the fixer's: the shortcut
    (which uses the fixer's) is not taken, and the result is ftfy's."""
    fixer = FIXER._replace(explain=False, decode_inconsistent_utf8=False)
    assert fix_line("cafÃ© é", fixer)[0] == ftfy.fix_and_explain("cafÃ© é", fixer).text
