"""The driver's peak memory when deduplicating 10x more signatures (issue 22): it should stay flat, because the
passes run as tasks over files and the driver holds only the confirmed pairs.

    python bench/dedup_memory.py [--docs 20000] [--factor 10] [--workers 2]

Each size is measured in a fresh process (its own peak RSS, not the workers'; also a process that only loads all
signatures, as the one-process decision did before it started), on synthetic signature parts of
2,000 documents: random MinHashes, 2 % of them near copies (10 % of values changed) of an earlier document.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

PART_DOCS = 2000


def make_signatures(folder: Path, docs: int, seed: int = 0) -> None:
    from cleaner.steps.dedup import Dedup

    schema = Dedup().signature_schema
    rng = np.random.default_rng(seed)
    for part, start in enumerate(range(0, docs, PART_DOCS)):
        n = min(PART_DOCS, docs - start)
        minhash = rng.integers(0, 2**32, (n, 128), dtype=np.uint32)
        copies = np.flatnonzero(rng.random(n) < 0.02)
        minhash[copies] = np.where(rng.random((len(copies), 128)) < 0.1, minhash[copies] ^ 1, minhash[copies - 1])
        sample = np.sort(rng.integers(0, 2**32, (n, 300), dtype=np.uint32), axis=1)
        sample[copies] = sample[copies - 1]
        table = pa.table(
            {
                "id": [f"doc-{start + i:08d}" for i in range(n)],
                "n_chars": rng.integers(500, 5000, n),
                "n_shingles": np.full(n, 300),
                "exact": [rng.bytes(16).hex() for _ in range(n)],
                "minhash": pa.FixedSizeListArray.from_arrays(pa.array(minhash.ravel()), 128),
                "sample": pa.ListArray.from_arrays(np.arange(0, 300 * n + 1, 300, dtype=np.int32), sample.ravel()),
            },
            schema=schema,
        )
        pq.write_table(table, folder / f"part-{part:05d}.parquet")


def measure(folder: Path, workers: int, gather: bool) -> None:
    """In the measuring process: decide, then print the peak RSS of this process (the driver) and of its workers."""
    from cleaner.corpus import local_map
    from cleaner.steps.dedup import Dedup

    started = time.perf_counter()
    if gather:  # what the one-process decision held before its work began: every signature, and their MinHashes
        table = pa.concat_tables([pq.read_table(p) for p in sorted(folder.glob("part-*.parquet"))])
        decided = table.column("minhash").combine_chunks().flatten().to_numpy().reshape(table.num_rows, -1).shape[0]
    else:
        by_part = Dedup().decide(folder, local_map(workers))
        decided = sum(len(d) for d in by_part.values())
    seconds = time.perf_counter() - started
    driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{driver:.1f} {worker:.1f} {decided} {seconds:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--gather", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure, args.workers, args.gather)
    peaks, gathered = [], []
    for docs in (args.docs, args.docs * args.factor):
        with tempfile.TemporaryDirectory(prefix="dedup-memory-") as folder:
            make_signatures(Path(folder), docs)
            size = sum(p.stat().st_size for p in Path(folder).glob("part-*.parquet")) / 2**20
            command = [sys.executable, __file__, "--measure", folder, "--workers", str(args.workers)]
            driver, worker, decided, seconds = subprocess.run(
                command, check=True, capture_output=True, text=True
            ).stdout.split()
            gather = subprocess.run([*command, "--gather"], check=True, capture_output=True, text=True).stdout.split()
        peaks.append(float(driver))
        gathered.append(float(gather[0]))
        print(
            f"{docs:>9,} docs ({size:6.1f} MB of signatures): driver peak {driver} MB, largest worker {worker} MB,"
            f" {decided} documents in clusters, {seconds} s"
        )
    print(
        f"for contrast, one process only loading every signature (as before): {gathered[0]:.1f} -> {gathered[1]:.1f} MB"
    )
    print(f"driver peak ratio {args.factor}x docs: {peaks[1] / peaks[0]:.2f}")


if __name__ == "__main__":
    main()
