import numpy as np

from cleaner.boilerplate.segments import Segments

# Three pages of 3, 0 and 4 rows.
PAGES = Segments.of([3, 0, 4])


def test_rows_know_their_page_and_position():
    assert PAGES.page.tolist() == [0, 0, 0, 2, 2, 2, 2]
    assert PAGES.position.tolist() == [0, 1, 2, 0, 1, 2, 3]
    assert PAGES.length.tolist() == [3, 3, 3, 4, 4, 4, 4]


def test_the_nearest_flagged_row_is_never_taken_from_another_page():
    values = np.array([10, 11, 12, 20, 21, 22, 23])
    flags = np.array([1, 0, 0, 0, 0, 1, 0], dtype=bool)
    assert PAGES.previous(values, flags, -1).tolist() == [-1, 10, 10, -1, -1, -1, 22]
    assert PAGES.following(values, flags, -1).tolist() == [-1, -1, -1, 22, 22, -1, -1]


def test_window_sums_stop_at_the_page_edges():
    values = np.ones(7)
    assert PAGES.window_sum(values, 1).tolist() == [1, 2, 1, 1, 2, 2, 1]
    assert PAGES.window_sum(values, 5).tolist() == [2, 2, 2, 3, 3, 3, 3]


def test_runs_are_cut_at_page_edges():
    flags = np.array([0, 1, 1, 1, 1, 0, 1], dtype=bool)
    assert PAGES.run_lengths(flags).tolist() == [0, 2, 2, 2, 2, 0, 1]


def test_shifts_and_distances_stay_in_the_page():
    values = np.arange(1.0, 8.0)
    assert PAGES.shift_previous(values).tolist() == [0, 1, 2, 0, 4, 5, 6]
    assert PAGES.shift_next(values).tolist() == [2, 3, 0, 5, 6, 7, 0]
    inside = np.array([0, 0, 1, 0, 0, 0, 0], dtype=bool)
    assert PAGES.distances(inside, 50).tolist() == [2, 1, 0, 50, 50, 50, 50]


def test_per_page_sums_and_first_and_last_flagged_rows():
    flags = np.array([0, 1, 1, 0, 0, 0, 1], dtype=bool)
    assert PAGES.sum(np.ones(7)).tolist() == [3, 0, 4]
    assert PAGES.first_flagged(flags).tolist() == [1, -1, 3]
    assert PAGES.last_flagged(flags).tolist() == [2, -1, 3]
