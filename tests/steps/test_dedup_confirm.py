from __future__ import annotations

import numpy as np
import pytest

from cleaner.steps import dedup_confirm
from cleaner.steps.dedup_confirm import _ranges, equal_values, sample_overlap


def counted(sample_a: list[int], size_a: int, sample_b: list[int], size_b: int) -> float:
    """The overlap of two samples the plain way: as sets, both cut at the smaller of their largest values when a
    sample holds fewer values than its document has shingles."""

    def top(sample: list[int], size: int) -> int:
        return sample[-1] if size > len(sample) else 2**32

    cut = min(top(sample_a, size_a), top(sample_b, size_b))
    a, b = {v for v in sample_a if v <= cut}, {v for v in sample_b if v <= cut}
    return len(a & b) / min(len(a), len(b)) if min(len(a), len(b)) else 0.0


@pytest.mark.parametrize("at_once", [7, 64, 1 << 17])  # pairs merged one by one, a few at a time, all at once
def test_sample_overlap_is_the_overlap_of_the_samples_as_sets(monkeypatch, at_once: int):
    monkeypatch.setattr(dedup_confirm, "VALUES_AT_ONCE", at_once)
    rng = np.random.default_rng(7)
    base = np.sort(rng.choice(10_000, 60, replace=False))
    samples, sizes = [], []
    for _ in range(40):  # variants of one text: some empty, some cut (more shingles than values)
        own = np.unique(np.concatenate((base[rng.random(60) < rng.random()], rng.choice(10_000, 10))))
        own = own[: int(rng.integers(0, len(own) + 1))] if rng.random() < 0.1 else own
        samples.append(own[:30])
        sizes.append(len(own))
    counts = np.array([len(s) for s in samples])
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    values = np.concatenate(samples).astype(np.uint32)
    a, b = np.triu_indices(len(samples), 1)
    overlap = sample_overlap(values, starts, counts, np.array(sizes), a, b)
    expected = [
        counted(samples[i].tolist(), sizes[i], samples[j].tolist(), sizes[j]) for i, j in zip(a, b, strict=True)
    ]
    assert overlap.tolist() == expected
    assert 0 < np.mean(overlap == 0) < 0.5 and np.any(np.array(sizes) > counts)


def test_ranges_are_the_positions_of_each_range_end_to_end():
    starts, counts = np.array([5, 0, 9, 2, 7]), np.array([3, 2, 0, 1, 4])
    assert _ranges(starts, counts).tolist() == [5, 6, 7, 0, 1, 2, 7, 8, 9, 10]
    assert _ranges(starts, np.zeros(5, dtype=np.int64)).tolist() == []


@pytest.mark.parametrize(("bands", "width"), [(64, 2), (3, 5), (42, 3)])
def test_equal_values_count_equal_minhash_values_and_whole_equal_bands(bands: int, width: int):
    rng = np.random.default_rng(bands)
    minhash = rng.integers(0, 4, (300, 128), dtype=np.uint32)  # values of 4 kinds: many equal, some whole bands
    a, b = rng.integers(0, 300, 2000), rng.integers(0, 300, 2000)
    equal, banded = equal_values(minhash, a, b, bands, width)
    same = minhash[a] == minhash[b]
    assert equal.tolist() == same.sum(axis=1).tolist()
    whole = same[:, : bands * width].reshape(len(a), bands, width).all(axis=2).any(axis=1)
    assert banded.tolist() == whole.tolist() and 0 < banded.mean() < 1
