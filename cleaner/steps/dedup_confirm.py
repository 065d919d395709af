"""Pass 3 of deduplication (see :mod:`cleaner.steps.dedup_passes`): a part's candidate pairs checked on the
signatures themselves. The same text settles a pair; otherwise the MinHash estimate of its containment decides
where the threshold lies outside its interval, and the rest are counted on the documents' samples of shingle hashes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cleaner.steps.dedup_passes import Plan, decode, distinct, distinct_sorted, mapped

# The MinHash estimate of a containment decides a pair only when the threshold lies outside its interval of this
# many standard errors (Wilson's, on the share of equal values); the other pairs are counted on their samples. On
# the bench corpus (20,491 candidates) no pair decided by the estimate is decided otherwise by counting.
Z = 3.0
# Candidate pairs compared at once (each a row of equal MinHash values), and sample values merged at once: they
# bound a task's memory whatever the size of the part. Merged 2**17 at a time, the arrays of a merge stay in the
# processor's cache: 2**19 at once took a third more time (0.40 against 0.30 s for 27,087 pairs, 19 M values).
PAIRS_AT_ONCE = 8_192
VALUES_AT_ONCE = 1 << 17


def confirm_pairs(plan: Plan, part: int) -> dict[str, np.ndarray]:
    """Pass 3: the candidate pairs whose first document is in ``part``, checked. Returns arrays: the documents of
    the confirmed pairs (``refs``, sorted, and their ``n_chars``) and the pairs: ``left`` and ``right``
    (references), ``overlap`` (containment; ``nan`` for a pair only of the same text) and ``same_text``.

    Arrays, not a dictionary of the documents' ids: the driver holds every part's answer until the last, and a
    document is in the answers of every part it has a pair in (733,000 entries for 39,000 documents at 40,000
    copies of a few hundred pages, ~190 MB as Python objects). It reads the ids of the documents it orders
    (:func:`document_ids`)."""
    folder = plan.folder / "pairs" / f"part-{part:05d}"
    loaded = [np.load(path) for path in sorted(folder.glob("bucket-*.npy"))]
    nothing = {
        "refs": np.zeros(0, np.uint64),
        "n_chars": np.zeros(0, np.int64),
        "left": np.zeros(0, np.uint64),
        "right": np.zeros(0, np.uint64),
        "overlap": np.zeros(0),
        "same_text": np.zeros(0, bool),
    }
    if not loaded:
        return nothing
    codes = np.concatenate(loaded)
    codes.sort(kind="stable")  # each bucket's codes are sorted: a merging sort takes them as they come
    pairs = decode(distinct_sorted(codes))
    del codes
    refs = distinct(pairs)
    index = np.searchsorted(refs, pairs)
    rows = _rows(plan, refs)
    a, b = index[:, 0], index[:, 1]
    same_text = rows["exact"][a] == rows["exact"][b]
    confirmed = same_text if plan.config.exact else np.zeros(len(pairs), dtype=bool)
    overlap = np.full(len(pairs), np.nan)
    if plan.bands:
        overlap, near = _near(plan, refs, rows, a, b, confirmed)
        confirmed = confirmed | near
    kept = np.flatnonzero(confirmed)
    documents = distinct(index[kept])
    found = {
        "refs": refs[documents],
        "n_chars": rows["n_chars"][documents].astype(np.int64),
        "left": refs[a[kept]],
        "right": refs[b[kept]],
        "overlap": np.where(same_text[kept], np.nan, overlap[kept]) if plan.config.exact else overlap[kept],
        "same_text": same_text[kept] & plan.config.exact,
    }
    return found


def _near(
    plan: Plan, refs: np.ndarray, rows: dict[str, Any], a: np.ndarray, b: np.ndarray, settled: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Containment of each candidate pair and whether it reaches the threshold: the MinHash estimate where the
    threshold lies outside its interval, else counted on the samples. Pairs already ``settled`` (the same text: the
    same MinHash, confirmed whatever it says) are not compared at all; their overlap is ``nan``."""
    from cleaner.steps.dedup import containment

    overlap, sure = np.full(len(a), np.nan), np.zeros(len(a), dtype=bool)
    todo = np.flatnonzero(~settled)
    a, b = a[todo], b[todo]
    num_perm = plan.config.num_perm
    equal, banded = equal_values(rows["minhash"], a, b, plan.bands, plan.width)
    sizes = rows["n_shingles"].astype(np.int64)
    low, high = wilson(equal, num_perm, Z)
    threshold = plan.config.threshold
    estimate = containment(equal / num_perm, sizes[a], sizes[b])
    certain = banded & (containment(low, sizes[a], sizes[b]) >= threshold)
    unsure = np.flatnonzero(banded & ~certain & (containment(high, sizes[a], sizes[b]) >= threshold))
    if len(unsure):
        both = np.concatenate((a[unsure], b[unsure]))
        needed = distinct(both)
        where = np.searchsorted(needed, both)
        values, starts, counts = _samples(plan, refs[needed], rows["start"][needed], rows["count"][needed])
        pair_a, pair_b = where[: len(unsure)], where[len(unsure) :]
        estimate[unsure] = sample_overlap(values, starts, counts, sizes[needed], pair_a, pair_b)
        certain[unsure] = estimate[unsure] >= threshold
    overlap[todo], sure[todo] = estimate, certain
    return overlap, sure


def equal_values(
    minhash: np.ndarray, a: np.ndarray, b: np.ndarray, bands: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """How many MinHash values each pair ``(a[i], b[i])`` (rows of ``minhash``) has equal, and whether a whole band
    is equal (a candidate by its values, not by a collision of keys). Counted with ``count_nonzero`` and the bands
    as ``width`` strided columns and-ed together: summing booleans, or reducing each band's ``width`` values along
    an axis of its own, cost five times as much (most of the pass's time besides the samples)."""
    equal = np.empty(len(a), dtype=np.int64)
    banded = np.empty(len(a), dtype=bool)
    end = bands * width
    for begin in range(0, len(a), PAIRS_AT_ONCE):
        chosen = slice(begin, begin + PAIRS_AT_ONCE)
        same = minhash[a[chosen]] == minhash[b[chosen]]
        equal[chosen] = np.count_nonzero(same, axis=1)
        band = same[:, 0:end:width].copy()
        for column in range(1, width):
            band &= same[:, column:end:width]
        banded[chosen] = band.any(axis=1)
    return equal, banded


def wilson(successes: np.ndarray, trials: int, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval of the proportion ``successes / trials``, ``z`` standard errors wide."""
    share = successes / trials
    scale = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / scale
    half = z * np.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / scale
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def sample_overlap(
    values: np.ndarray, starts: np.ndarray, counts: np.ndarray, sizes: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """The containment of each pair ``(a[i], b[i])`` (indexes into ``starts``, ``counts``: the samples of
    :func:`_samples`; ``sizes``: the documents' numbers of shingles), counted on their samples. A document with
    more shingles than its sample holds those up to its sample's largest hash: both are compared up to the smaller
    of their largest (the same hashes of both), which is all of them when neither was cut.

    Pairs are done ``VALUES_AT_ONCE`` sample values at a time: each value keyed by its pair (``pair << 32 |
    value``), the keys of the pairs' first documents then of their second, two sorted runs that one (merging) sort
    makes one; a value both hold is then a key twice in a row, and a pair's keys are one stretch of the merged
    run, whose twins are counted by where they fall."""
    last = values[np.maximum(starts + counts - 1, 0)] if len(values) else np.zeros(len(counts), np.uint32)
    top = np.where(sizes > counts, last, np.uint32(0xFFFFFFFF)).astype(np.int64)
    result = np.zeros(len(a))
    weight = np.cumsum(counts[a] + counts[b])
    begin = 0
    while begin < len(a):
        done = int(weight[begin - 1]) if begin else 0
        end = max(begin + 1, int(np.searchsorted(weight, done + VALUES_AT_ONCE, side="right")))
        pa, pb, n = a[begin:end], b[begin:end], end - begin
        both = np.concatenate((counts[pa], counts[pb]))
        keys = values[_ranges(np.concatenate((starts[pa], starts[pb])), both)].astype(np.int64)
        keys |= np.repeat(np.tile(np.arange(n, dtype=np.int64) << 32, 2), both)
        cut = np.minimum(top[pa], top[pb])
        held = counts[pa], counts[pb]
        if (cut < 0xFFFFFFFF).any():  # a sample was cut: both compared up to the cut
            owner = np.repeat(np.tile(np.arange(n, dtype=np.int64), 2), both)
            keep = (keys & 0xFFFFFFFF) <= cut[owner]
            first = np.repeat(np.arange(2 * n) < n, both)
            owner, keys, first = owner[keep], keys[keep], first[keep]
            held = np.bincount(owner[first], minlength=n), np.bincount(owner[~first], minlength=n)
        keys.sort(kind="stable")
        twins = np.flatnonzero(keys[1:] == keys[:-1])  # a twin at i: keys i and i + 1, of one pair
        ends = np.cumsum(held[0] + held[1])
        shared = np.searchsorted(twins, ends - 1) - np.searchsorted(twins, ends - held[0] - held[1])
        smaller = np.minimum(*held)
        with np.errstate(divide="ignore", invalid="ignore"):
            result[begin:end] = np.where(smaller > 0, shared / smaller, 0.0)
        begin = end
    return result


def _rows(plan: Plan, refs: np.ndarray) -> dict[str, Any]:
    """The signature values of the documents ``refs`` (sorted, unique), mapping each part they are in once (its
    table of values: :func:`~cleaner.steps.dedup_passes.mapped`); with near duplicates, where their samples are."""
    names = ("n_chars", "n_shingles", "exact", *(("minhash", "start", "count") if plan.bands else ()))
    found: dict[str, list] = {name: [] for name in names}
    parts = plan.part_of(refs)
    for part in distinct(parts).tolist():
        rows = (refs[parts == part] - np.uint64(plan.starts[part])).astype(np.int64)
        values = mapped(plan, part, "rows")[rows]
        for name in names:
            found[name].append(values[name])
    return {name: np.concatenate(values) for name, values in found.items()}


def _samples(
    plan: Plan, refs: np.ndarray, starts: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shingle samples of the documents ``refs`` (sorted, unique; their samples at ``starts`` in their parts'
    samples, ``counts`` long): their values end to end, and where each document's start and how many it has."""
    values = [np.zeros(0, np.uint32)]
    parts = plan.part_of(refs)
    for part in distinct(parts).tolist():
        inside = parts == part
        values.append(mapped(plan, part, "sample")[_ranges(starts[inside], counts[inside])])
    return np.concatenate(values), np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64), counts


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions ``starts[i] .. starts[i] + counts[i] - 1`` of every ``i``, end to end: a running sum of steps
    of one, each range's first step a jump to its start (a third of the memory traffic of an ``arange`` with two
    repeats added)."""
    starts, counts = starts[counts > 0], counts[counts > 0]
    steps = np.ones(int(counts.sum()), dtype=np.int64)
    if len(steps):
        steps[0] = starts[0]
        steps[(np.cumsum(counts) - counts)[1:]] = starts[1:] - (starts[:-1] + counts[:-1] - 1)
    return np.cumsum(steps, out=steps)
