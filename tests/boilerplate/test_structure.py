import random

import numpy as np

from cleaner.boilerplate.structure import (
    BULLETED,
    NO_WORD,
    NUMBERED,
    SHOWN_TWICE,
    STEP,
    best_segment,
    item_mark,
    kept_lists,
    list_runs,
    repeated,
)


def test_how_a_line_opens_as_a_list_item():
    assert item_mark("125 g \t Mehl") == NUMBERED
    assert item_mark("– 2. November 2019: Forum Neustart Schweiz") == BULLETED
    assert item_mark("• Salz") == BULLETED
    assert item_mark("Tuples save memory") == 0
    assert item_mark("10\t11\t12\t13") == NO_WORD  # a row of a calendar
    assert item_mark("€27.90") == NO_WORD
    assert item_mark("") == NO_WORD
    assert item_mark("3.") == item_mark("12)") == STEP  # a step's number over its text
    assert item_mark("3") == item_mark("(0)") == item_mark("2020.") == NO_WORD  # a count, a page number, a year


def test_runs_of_items_stop_at_other_lines_and_at_breaks():
    items = np.array([True, True, False, True, True, True, False])
    breaks = np.array([True, False, False, False, False, True, False])
    assert list_runs(items, breaks).tolist() == [1, 1, 0, 2, 2, 3, 0]


def lists(
    probabilities: list[float],
    marks: list[int],
    words: list[int] | None = None,
    lead_in: list[int] = (),
    colon: list[int] = (),
    announcing: list[int] = (),
    candidates: list[bool] | None = None,
    pages: list[int] = (0,),
) -> list[int]:
    """The lines of ``kept_lists`` (positions), the flags given as the positions they hold."""
    n = len(probabilities)

    def flags(positions) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[list(positions)] = True
        return out

    found = kept_lists(
        np.array(probabilities),
        np.ones(n, dtype=bool) if candidates is None else np.array(candidates),
        np.array(words or [3] * n),
        np.array(marks),
        flags(lead_in),
        flags(colon),
        flags(announcing),
        flags(pages),
    )
    return np.flatnonzero(found).tolist()


def test_a_numbered_list_the_model_half_keeps_is_kept_whole():
    # an ingredient list whose items the model scatters around its threshold
    assert lists([0.9, 0.3, 0.5, 0.2, 0.8], [1, 1, 1, 1, 1]) == [0, 1, 2, 3, 4]
    # a list the model mostly removes stays as the model judged it (nothing is removed for being in a list)
    assert lists([0.9, 0.1, 0.2, 0.1, 0.3], [1, 1, 1, 1, 1]) == []
    # two items are no list, and items of another shape, or too long, end it
    assert lists([0.9, 0.3], [1, 1]) == []
    assert lists([0.9, 0.3, 0.5, 0.2], [1, 1, 2, 2]) == []
    assert lists([0.9, 0.3, 0.5, 0.2], [1, 1, 1, 1], words=[3, 3, 30, 3]) == []


def test_a_list_never_takes_in_lines_that_may_not_be_items():
    # a line with a furniture word (not a candidate) cuts the list, and so does a page's edge
    assert lists([0.9, 0.3, 0.5, 0.2, 0.8], [1, 1, 1, 1, 1], candidates=[True, True, False, True, True]) == []
    assert lists([0.9, 0.3, 0.5, 0.2, 0.8, 0.9], [1, 1, 1, 1, 1, 1], pages=[0, 3]) == [0, 1, 2, 3, 4, 5]
    assert lists([0.9, 0.3, 0.5, 0.2, 0.8, 0.9], [1, 1, 1, 1, 1, 1], pages=[0, 2, 4]) == []
    # nor rows of a calendar
    assert lists([0.9, 0.3, 0.5, 0.9], [NO_WORD, NO_WORD, NO_WORD, NO_WORD]) == []


def test_a_lead_in_opens_the_list_of_the_shape_below_it():
    # "Für die Füllung:" over quantities: one list with its lead-in
    assert lists([0.2, 0.9, 0.4, 0.5], [0, 1, 1, 1], lead_in=[0]) == [0, 1, 2, 3]
    # a lead-in over plain lines gives them no shape
    assert lists([0.2, 0.9, 0.4, 0.5], [0, 0, 0, 0], lead_in=[0]) == []


def test_the_lines_a_kept_lead_in_announces_are_kept_whole():
    # "I'll summarize them:" then its points, then a label that ends them
    probabilities = [0.7, 0.8, 0.3, 0.2, 0.4, 0.01]
    kept = lists(probabilities, [0] * 6, lead_in=[0], announcing=[0], colon=[5], words=[6, 8, 9, 8, 7, 3])
    assert kept == [1, 2, 3, 4]
    # a lead-in removed announces nothing
    assert lists(probabilities, [0] * 6, lead_in=[0], colon=[5], words=[6, 8, 9, 8, 7, 3]) == []
    # one line is no list, and lines the model mostly removes stay removed
    assert lists([0.7, 0.3, 0.9], [0] * 3, lead_in=[0, 2], announcing=[0, 2]) == []
    assert lists([0.7, 0.3, 0.2, 0.1], [0] * 4, lead_in=[0], announcing=[0]) == []


def test_steps_numbered_on_lines_of_their_own_are_kept_whole():
    # "1." / text / "2." / text: the texts, which the model half keeps, go together
    assert lists([0.9, 0.45, 0.9, 0.38], [STEP, 0, STEP, 0]) == [1, 3]
    assert lists([0.9, 0.3, 0.9, 0.2], [STEP, 0, STEP, 0]) == []  # mostly removed: stays as judged
    # one step is no list, nor are the texts of two lists on two pages, nor lines that may not be items
    assert lists([0.9, 0.45, 0.2, 0.38], [STEP, 0, 0, 0]) == []
    assert lists([0.9, 0.45, 0.9, 0.38], [STEP, 0, STEP, 0], pages=[0, 2]) == []
    assert lists([0.9, 0.45, 0.9, 0.38], [STEP, 0, STEP, 0], candidates=[True, True, True, False]) == []


def test_repeated_lines_and_the_first_copy_of_a_list_shown_twice():
    codes = np.array([0, 1, -1, SHOWN_TWICE - 2, 2, 0, 3, SHOWN_TWICE - 4])
    decided = np.zeros(len(codes), dtype=bool)
    decided[5] = True
    # a first copy stays, and makes its copy a repetition; a line once, blank, or decided by a rule is none
    assert np.flatnonzero(repeated(codes, decided)).tolist() == [0, 4]


def test_best_segment_is_the_first_largest_run_starting_latest():
    """Against a search over every run: the largest sum, the first such run to end, and of the runs ending there
    the shortest (Kadane restarts wherever its sum falls to zero)."""
    rng = random.Random(7)
    for _ in range(2000):
        scores = [float(rng.choice([0, -1, -3, -25, -3.5, 1, 2, 5, 12])) for _ in range(rng.randint(0, 12))]
        lo = rng.randint(0, len(scores))
        hi = rng.randint(lo, len(scores))
        runs = [(sum(scores[a : b + 1]), a, b) for b in range(lo, hi) for a in range(lo, b + 1)]
        positive = [run for run in runs if run[0] > 0]
        expected = None
        if positive:
            top = max(run[0] for run in positive)
            last = min(b for total, _, b in positive if total == top)
            expected = (top, max(a for total, a, b in positive if total == top and b == last), last)
        assert best_segment(scores, lo, hi) == expected
