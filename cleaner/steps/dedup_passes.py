"""The corpus-wide passes of deduplication, each a task over files in the staging folder, so that no process
holds every signature.

1. :func:`scatter_keys`, one task per signature part: each document's LSH band keys and its exact-text key,
   hashed to 64 bits, go to one of ``buckets`` files by key (``keys/bucket-BBB/part-PPPPP.npy``: key, reference).
2. :func:`bucket_pairs`, one task per bucket: documents with an equal key are candidate pairs; each pair is filed
   under the part of its first document (``pairs/part-PPPPP/bucket-BBB.npy``).
3. :func:`cleaner.steps.dedup_confirm.confirm_pairs`, one task per signature part: its candidates are checked on
   the signatures themselves (the same text, or a containment over the threshold: the MinHash estimate where it is
   certain, else counted on the documents' samples of shingle hashes), mapping of the other parts only the rows it
   needs (pass 1 saved them as plain arrays: :func:`mapped`). Only confirmed pairs (as compact arrays) and their
   documents go back to the driver.

A document's reference is its number in the corpus (``plan.starts[part] + row``), and a pair of them is one 64-bit
code (``a << 32 | b``), which one sort makes unique. The keys only find candidates: every pair is checked on the real
values, so a collision of two keys costs a check, never a wrong decision, and the result does not depend on the
number of buckets or workers.
"""

from __future__ import annotations

import functools
import math
import mmap
import os
from collections.abc import Iterator
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
    different places differ by their seed. All bands at once, a column of each band at a time: band by band, the
    numpy calls on small arrays took four times as long (2.0 against 0.45 ms for a part of 500 documents)."""
    values = hashes[:, : bands * width].astype(np.uint64).reshape(len(hashes), bands, width)
    keys = np.broadcast_to(_mix(np.arange(1, bands + 1, dtype=np.uint64)), (len(hashes), bands))
    for column in range(width):
        keys = _mix(keys ^ values[:, :, column])
    return np.ascontiguousarray(keys)


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


def _row_values(table: Any, minhash: np.ndarray | None) -> np.ndarray:
    """One record a document of what pass 3 compares: ``n_chars``, ``n_shingles``, ``exact`` (bytes), and for near
    duplicates its ``minhash`` (given), where its sample starts in the part's samples (``start``) and its length
    (``count``). One file, so that a task maps each part it reaches into once (the ``id`` stays in the part: only
    the driver reads it)."""
    exact = np.array([value.encode() for value in table.column("exact").to_pylist()], dtype=bytes)
    fields = [("n_chars", np.int64), ("n_shingles", np.int64), ("exact", exact.dtype)]
    if minhash is not None:
        fields += [("minhash", minhash.dtype, minhash.shape[1:]), ("start", np.int64), ("count", np.int64)]
    values = np.empty(table.num_rows, dtype=fields)
    values["n_chars"] = table.column("n_chars").to_numpy()
    values["n_shingles"] = table.column("n_shingles").to_numpy()
    values["exact"] = exact
    if minhash is not None:
        offsets = table.column("sample").combine_chunks().offsets.to_numpy().astype(np.int64)
        values["minhash"] = minhash
        values["start"] = offsets[:-1] - offsets[0]
        values["count"] = np.diff(offsets)
    return values


def scatter_keys(plan: Plan, part: int) -> int:
    """Pass 1: the keys of one signature part, into the buckets; returns how many keys it wrote. What pass 3 reads
    of its documents is also saved as plain arrays, which pass 3 maps into memory (:func:`mapped`): a table of
    their values (:func:`_row_values`) and their samples end to end."""
    columns = ["n_chars", "n_shingles", "exact", *(["minhash", "sample"] if plan.bands else [])]
    table = read_columns(plan.folder / plan.parts[part], columns)
    minhash = _minhashes(table) if plan.bands and table.num_rows else None
    if table.num_rows:
        _save(_array_path(plan, part, "rows"), _row_values(table, minhash))
    if minhash is not None:
        _save(_array_path(plan, part, "sample"), table.column("sample").combine_chunks().flatten().to_numpy())
    rows = table.num_rows
    refs = np.uint64(plan.starts[part]) + np.arange(rows, dtype=np.uint64)
    keys, owners = [], []
    if plan.config.exact:
        exact = [int(value[:16], 16) for value in table.column("exact").to_pylist()]
        keys.append(_mix(np.array(exact, dtype=np.uint64)))
        owners.append(refs)
    if minhash is not None:
        keys.append(band_keys(minhash, plan.bands, plan.width).ravel())
        owners.append(np.repeat(refs, plan.bands))
    if not keys:
        return 0
    pairs = np.stack((np.concatenate(keys), np.concatenate(owners)), axis=1)
    bucket_of = (pairs[:, 0] >> np.uint64(40)) % np.uint64(plan.buckets)
    for bucket in range(plan.buckets):
        _save(plan.folder / "keys" / f"bucket-{bucket:03d}" / f"part-{part:05d}.npy", pairs[bucket_of == bucket])
    return len(pairs)


def equal_key_codes(keys: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """Pairs ``(a, b)``, ``a < b``, of references (of 32 bits: see ``dedup.MAX_DOCUMENTS``) that share a key, unique
    and sorted, each as one code ``a << 32 | b`` (:func:`decode` gives the pairs back).

    Runs of equal keys are found by one sort; all runs of one length yield their pairs at once, made as codes rather
    than as two columns stacked, filtered and encoded (a third of pass 2's time), written straight into one array
    that is sorted in place: a corpus of near duplicates makes a bucket tens of millions of codes, and a list of
    them concatenated, then sorted into a copy, held three times their memory."""
    runs = list(_runs(keys, refs))
    codes = np.empty(sum(len(members) * len(left) for members, left, _ in runs), dtype=np.uint64)
    filled = 0
    for members, left, right in runs:
        made = ((members << np.uint64(32))[:, left] | members[:, right]).ravel()
        if (members[:, 1:] == members[:, :-1]).any():  # one document's two bands may share a key: not a pair
            made = made[(made >> np.uint64(32)) != (made & MASK)]
        codes[filled : filled + len(made)] = made
        filled += len(made)
    codes = codes[:filled]
    # Each run's pairs come sorted, and a merging sort takes them as they come: a fifth of quicksort's time for one
    # bucket's 2.1 M codes at 40,000 documents (0.04 against 0.23 s).
    codes.sort(kind="stable")
    return distinct_sorted(codes)


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
    """The distinct values of an array, sorted: ``np.unique``, by one sort and a comparison (numpy 2.3+'s
    ``np.unique`` hashes first: 12 s for 9 million 64-bit codes, against 0.2 s for this)."""
    return distinct_sorted(np.sort(values, axis=None))


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted 1-D array."""
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    return values[first]


def decode(codes: np.ndarray) -> np.ndarray:
    return np.stack((codes >> np.uint64(32), codes & MASK), axis=1)


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


def _array_path(plan: Plan, part: int, name: str) -> Path:
    return plan.folder / "arrays" / f"part-{part:05d}-{name}.npy"


def mapped(plan: Plan, part: int, name: str) -> np.ndarray:
    """A part's table of values (``rows``, :func:`_row_values`) or its samples end to end (``sample``), mapped into
    memory: a task reads only the rows of its pairs, and the pages read are the system's file cache, shared by the
    workers, not memory of each one that grows with the corpus. Mapped directly, the file's layout remembered
    (:func:`_layout`): ``np.load(mmap_mode="r")`` parses the header every time, 0.14-0.19 ms against 0.01 ms, 6,480
    times at 40,000 documents, and np.memmap's own indexing costs more than a plain array's. Nothing stays mapped
    once the task lets go of the array (a Ray worker outlives the run and its staging folder)."""
    path = _array_path(plan, part, name)
    descriptor = os.open(path, os.O_RDONLY)  # opened once, its identity from the open file (half the time)
    try:
        stat = os.fstat(descriptor)
        dtype, shape, offset = _layout(path, (stat.st_ino, stat.st_size, stat.st_mtime_ns))
        count = math.prod(shape)
        if not count:
            return np.zeros(shape, dtype)
        memory = mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ)
    finally:
        os.close(descriptor)
    return np.frombuffer(memory, dtype, count, offset).reshape(shape)


@functools.lru_cache(maxsize=4096)
def _layout(path: Path, version: tuple[int, int, int]) -> tuple[np.dtype, tuple[int, ...], int]:
    """The dtype, shape and data offset of a ``.npy`` file (C order, as :func:`_save` writes), remembered by the
    file's identity (``version``)."""
    with open(path, "rb") as file:
        major, _ = np.lib.format.read_magic(file)
        read = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read(file)
        assert not fortran_order, path
        return dtype, shape, file.tell()


def document_ids(plan: Plan, refs: np.ndarray) -> list[str]:
    """The ids of the documents ``refs`` (sorted, unique), read from their signature parts."""
    ids: list[str] = []
    parts = plan.part_of(refs)
    for part in distinct(parts).tolist():
        rows = (refs[parts == part] - np.uint64(plan.starts[part])).astype(np.int64)
        ids.extend(read_columns(plan.folder / plan.parts[part], ["id"]).column("id").take(rows).to_pylist())
    return ids
