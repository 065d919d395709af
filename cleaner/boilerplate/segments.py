"""Array operations over many pages' lines at once, each page a segment that no operation crosses.

The boilerplate analysis judges a line by its neighbours: the nearest good line before it, the good words within
five lines, the run of prose it stands in. On one page such a judgement is a handful of numpy calls, but numpy
costs about a microsecond a call whatever the array's length, and a page has only a hundred lines: the calls
cost more than the work. So the lines of all the pages of a batch are analysed together, one array per signal,
and every neighbourhood stops at its page's edges. ``Segments`` knows where each page starts and ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Segments:
    """The pages of a batch as consecutive runs of rows: ``sizes[k]`` rows for page ``k``."""

    sizes: np.ndarray  # int64, one per page (a page may have no rows)

    @classmethod
    def of(cls, sizes: list[int] | np.ndarray) -> Segments:
        return cls(np.asarray(sizes, dtype=np.int64))

    @cached_property
    def starts(self) -> np.ndarray:
        """The first row of each page."""
        return np.concatenate(([0], np.cumsum(self.sizes)[:-1])).astype(np.int64)

    @cached_property
    def ends(self) -> np.ndarray:
        """One past the last row of each page."""
        return self.starts + self.sizes

    @cached_property
    def rows(self) -> int:
        return int(self.sizes.sum())

    @cached_property
    def page(self) -> np.ndarray:
        """The page of each row."""
        return np.repeat(np.arange(len(self.sizes)), self.sizes)

    @cached_property
    def start(self) -> np.ndarray:
        """The first row of each row's page."""
        return self.starts[self.page]

    @cached_property
    def end(self) -> np.ndarray:
        """One past the last row of each row's page."""
        return self.ends[self.page]

    @cached_property
    def position(self) -> np.ndarray:
        """Each row's position within its page."""
        return np.arange(self.rows) - self.start

    @cached_property
    def length(self) -> np.ndarray:
        """The number of rows of each row's page."""
        return self.sizes[self.page]

    @cached_property
    def first(self) -> np.ndarray:
        """Whether each row is the first of its page."""
        return self.position == 0

    @cached_property
    def last(self) -> np.ndarray:
        """Whether each row is the last of its page."""
        return self.position == self.length - 1

    def sum(self, values: np.ndarray) -> np.ndarray:
        """The sum of ``values`` over each page's rows (exact for integer-valued floats)."""
        return np.bincount(self.page, weights=values, minlength=len(self.sizes))

    def previous(self, values: np.ndarray, flags: np.ndarray, default) -> np.ndarray:
        """For every row, ``values`` at the nearest flagged row before it in its page, or ``default``."""
        n = self.rows
        positions = np.arange(n)
        last = np.maximum.accumulate(np.where(flags, positions, -1))  # the last flagged row at or before i
        found = np.full(n, -1)
        found[1:] = last[:-1]
        out = np.full(n, default, dtype=values.dtype)
        hit = found >= self.start
        out[hit] = values[found[hit]]
        return out

    def following_index(self, flags: np.ndarray) -> np.ndarray:
        """For every row, the nearest flagged row after it in its page, or the page's end."""
        n = self.rows
        nearest = np.minimum.accumulate(np.where(flags, np.arange(n), n)[::-1])[::-1]  # at or after i
        found = np.append(nearest[1:], n)
        return np.minimum(found, self.end)

    def following(self, values: np.ndarray, flags: np.ndarray, default) -> np.ndarray:
        """For every row, ``values`` at the nearest flagged row after it in its page, or ``default``."""
        found = self.following_index(flags)
        out = np.full(self.rows, default, dtype=values.dtype)
        hit = found < self.end
        out[hit] = values[found[hit]]
        return out

    def window_sum(self, values: np.ndarray, radius: int, sums: np.ndarray | None = None) -> np.ndarray:
        """The sum of ``values`` over the ``radius`` rows on each side of every row within its page, the row
        itself left out (``sums``: the cumulative sums of ``values`` with a leading 0, when known already)."""
        if sums is None:
            sums = cumulative(values)
        lo, hi = self._window(radius)
        return sums[hi] - sums[lo] - values

    def _window(self, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """Each row's window of ``radius`` rows on each side within its page, as (first row, one past the last):
        the same for every window sum of that radius, made once."""
        if radius not in self._windows:
            positions = np.arange(self.rows)
            self._windows[radius] = (
                np.maximum(self.start, positions - radius),
                np.minimum(self.end, positions + radius + 1),
            )
        return self._windows[radius]

    @cached_property
    def _windows(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        return {}

    def shift_previous(self, values: np.ndarray) -> np.ndarray:
        """Each row's previous row's value within its page (0 for a page's first row)."""
        out = np.zeros(self.rows)
        out[1:] = values[:-1]
        out[self.first] = 0.0
        return out

    def shift_next(self, values: np.ndarray) -> np.ndarray:
        """Each row's next row's value within its page (0 for a page's last row)."""
        out = np.zeros(self.rows)
        out[:-1] = values[1:]
        out[self.last] = 0.0
        return out

    def run_lengths(self, flags: np.ndarray) -> np.ndarray:
        """For each flagged row, the length of the run of consecutive flagged rows of its page it belongs to (0
        where unflagged)."""
        flags = flags.astype(bool)
        begins = flags.copy()
        begins[1:] &= ~flags[:-1]
        begins |= flags & self.first
        run = np.cumsum(begins)
        lengths = np.bincount(run[flags], minlength=int(run[-1]) + 1 if self.rows else 1)
        out = np.zeros(self.rows)
        out[flags] = lengths[run[flags]]
        return out

    def distances(self, flags: np.ndarray, limit: int) -> np.ndarray:
        """For each row, how many rows away the nearest flagged row of its page is (0 for a flagged row), at most
        ``limit``."""
        n = self.rows
        positions = np.arange(n)
        before = np.maximum.accumulate(np.where(flags, positions, -1))
        before = np.where(before >= self.start, before, -(n + limit))
        after = np.minimum.accumulate(np.where(flags, positions, n)[::-1])[::-1]
        after = np.where(after < self.end, after, 2 * n + limit)
        return np.minimum(limit, np.minimum(positions - before, after - positions))

    def first_flagged(self, flags: np.ndarray) -> np.ndarray:
        """Per page, the position (within the page) of its first flagged row, or -1."""
        positions = np.where(flags, self.position, np.iinfo(np.int64).max)
        found = np.full(len(self.sizes), np.iinfo(np.int64).max)
        np.minimum.at(found, self.page, positions)
        return np.where(found == np.iinfo(np.int64).max, -1, found)

    def last_flagged(self, flags: np.ndarray) -> np.ndarray:
        """Per page, the position (within the page) of its last flagged row, or -1."""
        found = np.full(len(self.sizes), -1)
        np.maximum.at(found, self.page, np.where(flags, self.position, -1))
        return found


def cumulative(values: np.ndarray) -> np.ndarray:
    """The cumulative sums of ``values`` with a leading 0."""
    return np.concatenate(([0.0], np.cumsum(values)))
