"""What a line's text alone gives, remembered across the batches a worker cleans.

A site's furniture (its menus, share bars, footers) stands on every one of its pages, so most of a batch's lines
were seen in an earlier batch. Facts that depend on a line's text alone are made once per distinct text: the lines
never seen are computed together, as the batch would have computed them, and the others are looked up.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat

import numpy as np

# Texts remembered; all forgotten when full (as the rules' verdicts are, rules.KNOWN_LINES). Only texts of up to
# KNOWN_CHARS characters are remembered: furniture is short, a paragraph seldom recurs, and the bound on the texts
# held is then one on their memory too (at most 13 MB of Latin text per worker, 52 MB in the widest script).
KNOWN_TEXTS = 1 << 16
KNOWN_CHARS = 200


class KnownRows:
    """Rows of ``width`` floats per distinct text, made by ``compute`` (texts -> one row each) for the texts not
    known yet. ``compute`` must give a text the row it gives it among any other texts."""

    def __init__(self, compute: Callable[[list[str]], np.ndarray], width: int, limit: int = KNOWN_TEXTS) -> None:
        self.compute, self.limit = compute, limit
        self._index: dict[str, int] = {}
        self._rows = np.empty((1024, width))

    def __call__(self, texts: list[str]) -> np.ndarray:
        """The row of each of ``texts``."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        long = np.flatnonzero(lengths > KNOWN_CHARS).tolist()
        if not long:
            return self._known(texts)
        rows = np.empty((len(texts), self._rows.shape[1]))
        rows[long] = self.compute(list(map(texts.__getitem__, long)))
        short = np.flatnonzero(lengths <= KNOWN_CHARS).tolist()
        if short:
            rows[short] = self._known(list(map(texts.__getitem__, short)))
        return rows

    def _known(self, texts: list[str]) -> np.ndarray:
        """The rows of ``texts``, each remembered."""
        index = self._index
        if len(index) + len(texts) > self.limit:  # forgotten before, not after: the batch's stay known
            index.clear()
        where = np.fromiter(map(index.get, texts, repeat(-1)), dtype=np.int64, count=len(texts))
        missing = np.flatnonzero(where < 0).tolist()
        if missing:
            new = list(dict.fromkeys(texts[i] for i in missing))
            start, end = len(index), len(index) + len(new)
            if end > len(self._rows):
                grown = np.empty((max(end, 2 * len(self._rows)), self._rows.shape[1]))
                grown[:start] = self._rows[:start]
                self._rows = grown
            self._rows[start:end] = self.compute(new)
            index.update(zip(new, range(start, end), strict=True))
            where[missing] = [index[texts[i]] for i in missing]
        return self._rows[where]
