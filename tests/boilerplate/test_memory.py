from __future__ import annotations

import numpy as np

from cleaner.boilerplate.memory import KnownRows
from cleaner.boilerplate.model import text_shapes

LINES = ["Home", "Share on Facebook", "The council met on Tuesday: a budget.", "© 2024 Example", "• Item…", "„Zitat“"]


def test_known_rows_are_the_rows_computed_and_each_new_text_is_computed_once():
    asked: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        asked.append(texts)
        return text_shapes(texts)

    known = KnownRows(compute, 9)
    first = known(LINES[:4] + LINES[:2])
    assert np.array_equal(first, text_shapes(LINES[:4] + LINES[:2]))
    second = known(LINES[::-1])
    assert np.array_equal(second, text_shapes(LINES[::-1]))
    assert asked == [LINES[:4], LINES[5:3:-1]]  # distinct texts once; those seen before not again


def test_known_rows_forget_all_when_full_and_grow_past_their_first_size():
    asked: list[list[str]] = []
    known = KnownRows(lambda texts: asked.append(texts) or text_shapes(texts), 9, limit=4)
    known(LINES[:3])
    assert np.array_equal(known(LINES[:3] + LINES[3:5]), text_shapes(LINES[:5]))  # over the limit: all anew
    assert asked == [LINES[:3], LINES[:5]]
    many = [f"Line {number}" for number in range(3000)]
    assert np.array_equal(KnownRows(text_shapes, 9, limit=10_000)(many), text_shapes(many))


def test_a_texts_shape_row_does_not_depend_on_the_texts_beside_it():
    together = text_shapes(LINES)
    for number, line in enumerate(LINES):
        assert np.array_equal(text_shapes([line])[0], together[number])


def test_long_texts_are_computed_each_time_and_never_remembered():
    asked: list[list[str]] = []
    known = KnownRows(lambda texts: asked.append(texts) or text_shapes(texts), 9)
    paragraph = "The council met on Tuesday and approved the budget. " * 10  # over KNOWN_CHARS
    texts = [paragraph, "Home", paragraph, "Share on Facebook"]
    assert np.array_equal(known(texts), text_shapes(texts))
    assert np.array_equal(known(texts), text_shapes(texts))
    assert asked == [[paragraph, paragraph], ["Home", "Share on Facebook"], [paragraph, paragraph]]
    assert paragraph not in known._index
