"""The corpus-wide passes of deduplication, each a task over files in the staging folder, so that no process
holds every signature.

1. :func:`scatter_keys`, one task per signature part: each document's LSH band keys and its exact-text key,
   hashed to 64 bits, go to one of ``buckets`` files by key (``keys/bucket-BBB/part-PPPPP.npy``: key, reference).
2. :func:`bucket_pairs`, one task per bucket: documents with an equal key are candidate pairs; each pair is filed
   under the part of its first document (``pairs/part-PPPPP/bucket-BBB.npy``).
3. :func:`confirm_pairs`, one task per signature part: its candidates are checked on the signatures themselves
   (the same text, or a whole band equal and the estimated containment over the threshold), loading of the
   other parts only the rows it needs. Only confirmed pairs and their documents go back to the driver.

A document's reference is ``part << 32 | row``. The keys only find candidates: every pair is checked on the real
values, so a collision of two keys costs a check, never a wrong decision, and the result does not depend on the
number of buckets or workers.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

BUCKETS = 16
MASK = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class Plan:
    """What every pass needs to know (small, picklable)."""

    folder: Path
    parts: list[str]
    config: Any  # DedupConfig
    bands: int
    width: int
    buckets: int


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


def _minhashes(table: Any) -> np.ndarray:
    column = table.column("minhash").combine_chunks()
    return column.flatten().to_numpy().reshape(len(column), -1)


def scatter_keys(plan: Plan, part: int) -> int:
    """Pass 1: the keys of one signature part, into the buckets; returns how many keys it wrote."""
    columns = ["exact", "minhash"] if plan.bands else ["exact"]
    table = read_columns(plan.folder / plan.parts[part], columns)
    rows = table.num_rows
    refs = (np.uint64(part) << np.uint64(32)) | np.arange(rows, dtype=np.uint64)
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
    order = np.lexsort((refs, keys))
    keys, refs = keys[order], refs[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1], [True])))
    sizes = np.diff(starts)
    found = [np.zeros((0, 2), dtype=np.uint64)]
    for size in np.unique(sizes[sizes > 1]).tolist():
        first = starts[:-1][sizes == size]
        members = refs[first[:, None] + np.arange(size)]  # sorted within each run
        left, right = np.triu_indices(size, 1)
        found.append(np.stack((members[:, left].ravel(), members[:, right].ravel()), axis=1))
    pairs = np.concatenate(found)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]  # one document's two bands may share a key
    return unique_rows(pairs)


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
    pairs = equal_key_pairs(keyed[:, 0], keyed[:, 1])
    left_part = pairs[:, 0] >> np.uint64(32)
    for part in np.unique(left_part).tolist():
        _save(plan.folder / "pairs" / f"part-{part:05d}" / f"bucket-{bucket:03d}.npy", pairs[left_part == part])
    return len(pairs)


def _rows(plan: Plan, refs: np.ndarray) -> dict[str, Any]:
    """The signature values of the documents ``refs`` (sorted, unique), reading one part at a time."""
    columns = ("id", "n_chars", "n_shingles", "exact") + (("minhash",) if plan.bands else ())
    found: dict[str, list] = {name: [] for name in columns}
    parts = (refs >> np.uint64(32)).astype(np.int64)
    for part in np.unique(parts).tolist():
        rows = (refs[parts == part] & MASK).astype(np.int64)
        path = plan.folder / plan.parts[part]
        stat = path.stat()
        values = _part_values(path, (stat.st_ino, stat.st_size, stat.st_mtime_ns), columns)
        for name in columns:
            found[name].append(values[name][rows])
    return {name: np.concatenate(values) for name, values in found.items()}


def forget_parts() -> None:
    """Drop the parts :func:`_part_values` remembers in this process."""
    _part_values.cache_clear()


@functools.lru_cache(maxsize=16)
def _part_values(path: Path, version: tuple[int, int, int], columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The ``columns`` of a signature part as arrays, remembered by the file's identity (``version``): the pairs of
    one part reach into most others, and a worker's next task reads the same parts again (opening a part costs
    more than its rows, a few hundred of about 600 bytes)."""
    table = read_columns(path, list(columns))
    return {name: _minhashes(table) if name == "minhash" else table.column(name).to_numpy(False) for name in columns}


def confirm_pairs(plan: Plan, part: int) -> tuple[dict[str, tuple[int, int, str]], list[tuple[str, str, Any]]]:
    """Pass 3: the candidate pairs whose first document is in ``part``, checked. Returns the documents of the
    confirmed pairs (id -> part, n_chars, exact key) and the pairs (id, id, estimated containment, or None for
    a pair only of the same text)."""
    from cleaner.steps.dedup import containment

    folder = plan.folder / "pairs" / f"part-{part:05d}"
    loaded = [np.load(path) for path in sorted(folder.glob("bucket-*.npy"))]
    if not loaded:
        return {}, []
    pairs = unique_rows(np.concatenate(loaded))
    refs, index = np.unique(pairs, return_inverse=True)
    index = index.reshape(pairs.shape)
    rows = _rows(plan, refs)
    a, b = index[:, 0], index[:, 1]
    same_text = rows["exact"][a] == rows["exact"][b]
    confirmed = same_text if plan.config.exact else np.zeros(len(pairs), dtype=bool)
    scores = np.full(len(pairs), np.nan)
    if plan.bands:
        width = plan.bands * plan.width
        left, right = rows["minhash"][a], rows["minhash"][b]
        equal = left == right
        banded = equal[:, :width].reshape(len(pairs), plan.bands, plan.width).all(axis=2).any(axis=1)
        sizes = rows["n_shingles"].astype(float)
        scores = containment(equal.mean(axis=1), sizes[a], sizes[b])
        near = banded & (scores >= plan.config.threshold)
        scores = np.where(near, scores, np.nan)
        confirmed = confirmed | near
    nodes: dict[str, tuple[int, int, str]] = {}
    edges: list[tuple[str, str, Any]] = []
    ids, chars, exact = rows["id"], rows["n_chars"], rows["exact"]
    for i, j, score in zip(a[confirmed].tolist(), b[confirmed].tolist(), scores[confirmed].tolist(), strict=True):
        for k in (i, j):
            nodes[ids[k]] = (int(refs[k] >> np.uint64(32)), int(chars[k]), exact[k])
        edges.append((ids[i], ids[j], None if np.isnan(score) else score))
    return nodes, edges
