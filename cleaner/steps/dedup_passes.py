"""The corpus-wide passes of deduplication, each a task over files in the staging folder, so that no process
holds every signature.

1. :func:`scatter_keys`, one task per signature part: each document's LSH band keys and its exact-text key,
   hashed to 64 bits, go to one of ``buckets`` files by key (``keys/bucket-BBB/part-PPPPP.npy``: key, reference).
2. :func:`bucket_pairs`, one task per bucket: documents with an equal key are candidate pairs; each pair is filed
   under the part of its first document (``pairs/part-PPPPP/bucket-BBB.npy``).
3. :func:`confirm_pairs`, one task per signature part: its candidates are checked on the signatures themselves
   (the same text, or a containment over the threshold: the MinHash estimate where it is certain, else counted
   on the documents' samples of shingle hashes), loading of the other parts only the rows it needs. Only
   confirmed pairs (as compact arrays) and their documents go back to the driver.

A document's reference is its number in the corpus (``plan.starts[part] + row``), and a pair of them is one 64-bit
code (``a << 32 | b``), which one sort makes unique. The keys only find candidates: every pair is checked on the real
values, so a collision of two keys costs a check, never a wrong decision, and the result does not depend on the
number of buckets or workers.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

BUCKETS = 16
MASK = np.uint64(0xFFFFFFFF)
# The MinHash estimate of a containment decides a pair only when the threshold lies outside its interval of this
# many standard errors (Wilson's, on the share of equal values); the other pairs are counted on their samples. On
# the bench corpus (20,491 candidates) no pair decided by the estimate is decided otherwise by counting.
Z = 3.0
# Candidate pairs compared at once (each a row of equal MinHash values), and sample values merged at once: they
# bound a task's memory whatever the size of the part.
PAIRS_AT_ONCE = 8_192
VALUES_AT_ONCE = 1 << 19


@dataclass(frozen=True)
class Plan:
    """What every pass needs to know (small, picklable)."""

    folder: Path
    parts: list[str]
    config: Any  # DedupConfig
    bands: int
    width: int
    buckets: int
    starts: tuple[int, ...]  # each part's first document number, then the number of documents

    def part_of(self, refs: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.array(self.starts[1:], dtype=np.uint64), refs, side="right").astype(np.int64)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads the bits of a 64-bit value over all of them (multiplication wraps)."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(30))
        h = h * np.uint64(0xBF58476D1CE4E5B9)
        h = h ^ (h >> np.uint64(27))
        h = h * np.uint64(0x94D049BB133111EB)
        return h ^ (h >> np.uint64(31))


def band_keys(hashes: np.ndarray, bands: int, width: int) -> np.ndarray:
    """One 64-bit key per document and band (shape ``(rows, bands)``): equal bands give equal keys, and bands of
    different places differ by their seed."""
    keys = np.empty((len(hashes), bands), dtype=np.uint64)
    values = hashes.astype(np.uint64)
    for band in range(bands):
        h = np.full(len(hashes), _mix(np.uint64(band + 1)), dtype=np.uint64)
        for column in range(band * width, (band + 1) * width):
            h = _mix(h ^ values[:, column])
        keys[:, band] = h
    return keys


def _save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.npy")
    np.save(temporary, array)
    os.replace(temporary, path)


def read_columns(path: Path, columns: list[str] | None = None) -> Any:
    """A Parquet file's columns as a table. Through ``ParquetFile`` rather than ``pq.read_table``: the latter goes
    through ``pyarrow.dataset``, whose import (with pandas, ~0.5 s) each forked worker of each pass would pay."""
    with pq.ParquetFile(path) as file:
        return file.read(columns=columns)


def read_rows(path: Path) -> int:
    """A Parquet file's number of rows, from its footer."""
    with pq.ParquetFile(path) as file:
        return file.metadata.num_rows


def _minhashes(table: Any) -> np.ndarray:
    column = table.column("minhash").combine_chunks()
    return column.flatten().to_numpy().reshape(len(column), -1)


def scatter_keys(plan: Plan, part: int) -> int:
    """Pass 1: the keys of one signature part, into the buckets; returns how many keys it wrote. Its MinHashes and
    samples are also saved as plain arrays, which pass 3 maps into memory (:func:`_arrays`)."""
    columns = ["exact", "minhash", "sample"] if plan.bands else ["exact"]
    table = read_columns(plan.folder / plan.parts[part], columns)
    if plan.bands and table.num_rows:
        sample = table.column("sample").combine_chunks()
        offsets = sample.offsets.to_numpy().astype(np.int64)
        _save(_array_path(plan, part, "minhash"), _minhashes(table))
        _save(_array_path(plan, part, "sample"), sample.flatten().to_numpy())
        _save(_array_path(plan, part, "offsets"), offsets - offsets[0])
    rows = table.num_rows
    refs = np.uint64(plan.starts[part]) + np.arange(rows, dtype=np.uint64)
    keys, owners = [], []
    if plan.config.exact:
        exact = [int(value[:16], 16) for value in table.column("exact").to_pylist()]
        keys.append(_mix(np.array(exact, dtype=np.uint64)))
        owners.append(refs)
    if plan.bands and rows:
        keys.append(band_keys(_minhashes(table), plan.bands, plan.width).ravel())
        owners.append(np.repeat(refs, plan.bands))
    if not keys:
        return 0
    pairs = np.stack((np.concatenate(keys), np.concatenate(owners)), axis=1)
    bucket_of = (pairs[:, 0] >> np.uint64(40)) % np.uint64(plan.buckets)
    for bucket in range(plan.buckets):
        _save(plan.folder / "keys" / f"bucket-{bucket:03d}" / f"part-{part:05d}.npy", pairs[bucket_of == bucket])
    return len(pairs)


def equal_key_pairs(keys: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """Pairs ``(a, b)``, ``a < b``, of references that share a key, unique and sorted.

    Runs of equal keys are found by one sort; all runs of one length yield their pairs in one array operation."""
    if len(refs) and refs.max() <= MASK:
        return decode(equal_key_codes(keys, refs))
    found = [np.zeros((0, 2), dtype=np.uint64)]
    for members, left, right in _runs(keys, refs):
        found.append(np.stack((members[:, left].ravel(), members[:, right].ravel()), axis=1))
    pairs = np.concatenate(found)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]  # one document's two bands may share a key
    return unique_rows(pairs)


def equal_key_codes(keys: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """:func:`equal_key_pairs` as codes (:func:`encode`), for references of 32 bits: each run's pairs made as codes
    at once, rather than as two columns stacked, filtered and encoded (a third of pass 2's time)."""
    found = [np.zeros(0, dtype=np.uint64)]
    for members, left, right in _runs(keys, refs):
        found.append(((members[:, left] << np.uint64(32)) | members[:, right]).ravel())
    codes = np.concatenate(found)
    codes = codes[(codes >> np.uint64(32)) != (codes & MASK)]  # one document's two bands may share a key
    return distinct(codes)


def _runs(keys: np.ndarray, refs: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The runs of equal keys, by length: the references of all runs of one length (a row each, sorted), and the
    column pairs ``left < right`` that make their pairs."""
    order = np.lexsort((refs, keys))
    keys, refs = keys[order], refs[order].astype(np.uint64)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1], [True])))
    sizes = np.diff(starts)
    for size in distinct(sizes[sizes > 1]).tolist():
        first = starts[:-1][sizes == size]
        left, right = np.triu_indices(size, 1)
        yield refs[first[:, None] + np.arange(size)], left, right


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-D array, sorted: ``np.unique``, by one sort and a comparison (numpy 2.3+'s
    ``np.unique`` hashes first: 12 s for 9 million 64-bit codes, against 0.2 s for this)."""
    values = np.sort(values, axis=None)
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    return values[first]


def encode(pairs: np.ndarray) -> np.ndarray:
    return (pairs[:, 0].astype(np.uint64) << np.uint64(32)) | pairs[:, 1].astype(np.uint64)


def decode(codes: np.ndarray) -> np.ndarray:
    return np.stack((codes >> np.uint64(32), codes & MASK), axis=1)


def unique_rows(pairs: np.ndarray) -> np.ndarray:
    """The distinct rows of an ``(n, 2)`` array, sorted: ``np.unique(pairs, axis=0)``, which sorts the rows as
    structured values (several times slower than one ``lexsort`` of the two columns)."""
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    distinct = np.ones(len(pairs), dtype=bool)
    distinct[1:] = (pairs[1:] != pairs[:-1]).any(axis=1)
    return pairs[distinct]


def bucket_pairs(plan: Plan, bucket: int) -> int:
    """Pass 2: the candidate pairs of one bucket, filed by the part of their first document; returns their count."""
    folder = plan.folder / "keys" / f"bucket-{bucket:03d}"
    loaded = [np.load(path) for path in sorted(folder.glob("part-*.npy"))]
    if not loaded:
        return 0
    keyed = np.concatenate(loaded)
    codes = equal_key_codes(keyed[:, 0], keyed[:, 1])
    # sorted, so each part's pairs are one slice: from the code of its first document with itself
    edges = np.searchsorted(codes, np.array(plan.starts, dtype=np.uint64) << np.uint64(32)).tolist()
    for part in range(len(plan.parts)):
        if edges[part] < edges[part + 1]:
            _save(
                plan.folder / "pairs" / f"part-{part:05d}" / f"bucket-{bucket:03d}.npy",
                codes[edges[part] : edges[part + 1]],
            )
    return len(codes)


def _rows(plan: Plan, refs: np.ndarray) -> dict[str, Any]:
    """The signature values of the documents ``refs`` (sorted, unique), reading one part at a time (the samples
    are left to :func:`_samples`: most pairs are decided without them)."""
    columns = ("id", "n_chars", "n_shingles", "exact")
    found: dict[str, list] = {name: [] for name in (*columns, "minhash")}
    parts = plan.part_of(refs)
    for part in distinct(parts).tolist():
        rows = (refs[parts == part] - np.uint64(plan.starts[part])).astype(np.int64)
        values = _part_values(*_identity(plan, part), columns)
        for name in columns:
            found[name].append(values[name][rows])
        if plan.bands:
            found["minhash"].append(_arrays(plan, part, "minhash")[rows])
    if not plan.bands:
        del found["minhash"]
    return {name: np.concatenate(values) for name, values in found.items()}


def _samples(plan: Plan, refs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shingle samples of the documents ``refs`` (sorted, unique): their values end to end, and where each
    document's start and how many it has."""
    values, lengths = [], []
    parts = plan.part_of(refs)
    for part in distinct(parts).tolist():
        rows = (refs[parts == part] - np.uint64(plan.starts[part])).astype(np.int64)
        flat, offsets = _arrays(plan, part, "sample"), _arrays(plan, part, "offsets")
        starts, counts = offsets[rows], offsets[rows + 1] - offsets[rows]
        values.append(flat[_ranges(starts, counts)])
        lengths.append(counts)
    counts = np.concatenate(lengths) if lengths else np.zeros(0, np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return (np.concatenate(values) if values else np.zeros(0, np.uint32)), starts, counts


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions ``starts[i] .. starts[i] + counts[i] - 1`` of every ``i``, end to end."""
    total = int(counts.sum())
    ends = np.cumsum(counts)
    return np.arange(total) - np.repeat(ends - counts, counts) + np.repeat(starts, counts)


def _array_path(plan: Plan, part: int, name: str) -> Path:
    return plan.folder / "arrays" / f"part-{part:05d}-{name}.npy"


def _arrays(plan: Plan, part: int, name: str) -> np.ndarray:
    """A part's MinHashes (``minhash``, one row a document), or its samples end to end (``sample``) and where each
    document's starts (``offsets``), mapped into memory: a task reads only the rows of its pairs, and the pages
    read are the system's file cache, shared by the workers, not memory of each one that grows with the corpus."""
    return np.load(_array_path(plan, part, name), mmap_mode="r")


def _identity(plan: Plan, part: int) -> tuple[Path, tuple[int, int, int]]:
    path = plan.folder / plan.parts[part]
    stat = path.stat()
    return path, (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def forget_parts() -> None:
    """Drop the parts :func:`_part_values` remembers in this process."""
    _part_values.cache_clear()


@functools.lru_cache(maxsize=16)
def _part_values(path: Path, version: tuple[int, int, int], columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The ``columns`` of a signature part as arrays, remembered by the file's identity (``version``): the pairs of
    one part reach into most others, and a worker's next task reads the same parts again (opening a part costs more
    than its rows: a few dozen bytes each)."""
    table = read_columns(path, list(columns))
    return {name: table.column(name).to_numpy(False) for name in columns}


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
    makes one; a value both hold is then a key twice in a row."""
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
        owner = np.repeat(np.tile(np.arange(n, dtype=np.int64), 2), both)
        taken = values[_ranges(np.concatenate((starts[pa], starts[pb])), both)].astype(np.int64)
        cut = np.minimum(top[pa], top[pb])
        held = counts[pa], counts[pb]
        if (cut < 0xFFFFFFFF).any():  # a sample was cut: both compared up to the cut
            keep = taken <= cut[owner]
            first = np.repeat(np.arange(2 * n) < n, both)
            owner, taken, first = owner[keep], taken[keep], first[keep]
            held = np.bincount(owner[first], minlength=n), np.bincount(owner[~first], minlength=n)
        keys = (owner << 32) | taken
        keys.sort(kind="stable")
        shared = np.bincount(keys[1:][keys[1:] == keys[:-1]] >> 32, minlength=n)
        smaller = np.minimum(*held)
        with np.errstate(divide="ignore", invalid="ignore"):
            result[begin:end] = np.where(smaller > 0, shared / smaller, 0.0)
        begin = end
    return result


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
    pairs = decode(distinct(np.concatenate(loaded)))
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


def document_ids(plan: Plan, refs: np.ndarray) -> list[str]:
    """The ids of the documents ``refs`` (sorted, unique), read from their signature parts."""
    ids: list[str] = []
    parts = plan.part_of(refs)
    for part in distinct(parts).tolist():
        rows = (refs[parts == part] - np.uint64(plan.starts[part])).astype(np.int64)
        ids.extend(read_columns(plan.folder / plan.parts[part], ["id"]).column("id").take(rows).to_pylist())
    return ids


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
        values, starts, counts = _samples(plan, refs[needed])
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
