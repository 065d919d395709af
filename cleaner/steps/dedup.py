"""Deduplication: exact and near duplicates end up once in the dataset.

Runs on the cleaned text, because two copies of one article on two sites differ mostly in their boilerplate
(on the development set, shingle similarity of the raw pages finds only 19 % of duplicate pairs). Exact
duplicates share a hash of their normalised text; near duplicates are found with MinHash (datasketch) on word
shingles, candidates by LSH banding (datasketch's band parameters, the banding itself vectorised over the corpus)
and confirmed by their estimated containment. Every document gets ``duplicate_cluster``; in each
cluster the longest document is kept (ties: the smallest id), the others are rejected with the id they duplicate.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa

from cleaner.document import Document
from cleaner.steps import CorpusStep, Decision

WORDS = re.compile(r"\w+")


@dataclass
class DedupConfig:
    # Two documents are the same text when this share of the smaller one's word shingles is in the other (the
    # overlap, or containment, estimated from MinHash). Containment rather than Jaccard: leftover boilerplate
    # makes one copy longer, which drags Jaccard down (median 0.64 for duplicate pairs on the development
    # set) but leaves containment high (95 % of duplicate pairs >= 0.70; unrelated pages at most 0.60).
    threshold: float = 0.7
    # LSH finds candidate pairs from this estimated Jaccard up; the threshold above then confirms them.
    candidate_jaccard: float = 0.1
    num_perm: int = 128
    shingle_words: int = 5
    exact: bool = True
    near: bool = True


class Dedup(CorpusStep):
    name = "dedup"
    Config = DedupConfig

    @cached_property
    def signature_schema(self) -> pa.Schema:  # type: ignore[override]
        return pa.schema(
            [
                pa.field("id", pa.string(), nullable=False),
                pa.field("n_chars", pa.int64(), nullable=False),
                pa.field("n_shingles", pa.int64(), nullable=False),
                pa.field("exact", pa.string(), nullable=False),
                pa.field("minhash", pa.list_(pa.uint32(), self.config.num_perm)),
            ]
        )

    def prepare(self) -> None:
        # The main process imports datasketch (and with it scipy, ~1 s) for the decision anyway: importing it
        # before the workers fork spares each of them the same import.
        self._template  # noqa: B018 (loaded for its side effect)

    @cached_property
    def _template(self):
        from datasketch import MinHash

        return MinHash(num_perm=self.config.num_perm, seed=1)

    @cached_property
    def _reusable(self):
        """The MinHash each document is hashed into (cleared between documents)."""
        from datasketch import MinHash

        t = self._template
        # crc32 instead of datasketch's default sha1: shingles need spread, not cryptographic strength, and this
        # is the hot loop of the step.
        return MinHash(
            num_perm=self.config.num_perm,
            seed=1,
            permutations=t.permutations,
            scheme=t.scheme,
            hashfunc=zlib.crc32,
        )

    def sign(self, doc: Document) -> dict[str, Any]:
        words = WORDS.findall(doc.text.lower())
        exact = hashlib.blake2b(" ".join(words).encode(), digest_size=16).hexdigest()
        minhash, n_shingles = None, 0
        if self.config.near:
            n = self.config.shingle_words
            shingles = {" ".join(words[i : i + n]).encode() for i in range(max(1, len(words) - n + 1))}
            m = self._reusable
            m.clear()  # reused: building a MinHash costs more than filling one
            m.update_batch(sorted(shingles))
            minhash = m.hashvalues.astype("uint32").tolist()
            n_shingles = len(shingles)
        return {"id": doc.id, "n_chars": len(doc.text), "n_shingles": n_shingles, "exact": exact, "minhash": minhash}

    def decide(self, signatures: pa.Table) -> dict[str, Decision]:
        table = signatures.sort_by("id")
        rows = table.drop_columns(["minhash"]).to_pylist()  # the MinHashes stay in Arrow / numpy
        parent = {row["id"]: row["id"] for row in rows}
        similarity: dict[tuple[str, str], float] = {}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: str, b: str) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        if self.config.exact:
            first: dict[str, str] = {}
            for row in rows:
                if row["exact"] in first:
                    union(first[row["exact"]], row["id"])
                else:
                    first[row["exact"]] = row["id"]
        minhashes = table.column("minhash").combine_chunks()
        if self.config.near and len(minhashes) and minhashes.null_count == 0:
            from datasketch.lsh import _optimal_param

            # LSH's banding, with the band count and width datasketch's own optimiser picks for the threshold;
            # done over all signatures at once with numpy (datasketch's index hashes one document at a time).
            bands, width = _optimal_param(self.config.candidate_jaccard, self.config.num_perm, 0.5, 0.5)
            hashes = minhashes.flatten().to_numpy().reshape(len(minhashes), -1)
            pairs = candidate_pairs(hashes, bands, width)
            # Estimated Jaccard (the share of equal MinHash values), in chunks: a pair costs num_perm bytes here.
            jaccard = np.concatenate(
                [
                    (hashes[chunk[:, 0]] == hashes[chunk[:, 1]]).mean(axis=1)
                    for chunk in np.array_split(pairs, max(1, len(pairs) // 100_000))
                ]
            )
            sizes = table.column("n_shingles").to_numpy().astype(float)
            scores = containment(jaccard, sizes[pairs[:, 0]], sizes[pairs[:, 1]])
            confirmed = np.flatnonzero(scores >= self.config.threshold)
            for (a, b), score in zip(pairs[confirmed].tolist(), scores[confirmed].tolist(), strict=True):
                similarity[(rows[a]["id"], rows[b]["id"])] = score
                union(rows[a]["id"], rows[b]["id"])

        clusters: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            clusters.setdefault(find(row["id"]), []).append(row)
        decisions: dict[str, Decision] = {}
        for members in clusters.values():
            if len(members) == 1:
                continue
            keeper = min(members, key=lambda r: (-r["n_chars"], r["id"]))
            for member in members:
                if member is keeper:
                    decisions[member["id"]] = Decision(cluster=keeper["id"])
                    continue
                exact = member["exact"] == keeper["exact"]
                pair = tuple(sorted((member["id"], keeper["id"])))
                score = similarity.get(pair)  # type: ignore[arg-type]
                detail = f"duplicate of {keeper['id']}" + (
                    " (same text)" if exact else f" (estimated overlap {score:.2f})" if score else " (same cluster)"
                )
                reason = "dedup.exact_duplicate" if exact else "dedup.near_duplicate"
                decisions[member["id"]] = Decision(cluster=keeper["id"], reason=reason, detail=detail)
        return decisions


def candidate_pairs(hashes: np.ndarray, bands: int, width: int) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of rows of ``hashes`` (one MinHash per row) equal on all ``width`` values of at
    least one of ``bands`` bands: LSH's candidates, sorted.

    Each band is sorted once; runs of equal keys are the buckets, and all buckets of one size yield their pairs in
    one array operation. Pairs are kept as one int64 code each (``i * rows + j``) and merged whenever a few
    million are waiting, so memory grows with the distinct pairs, not with bands times pairs."""
    rows = len(hashes)
    found = np.zeros(0, dtype=np.int64)
    pending: list[np.ndarray] = []
    waiting = 0
    for band in range(bands):
        block = np.ascontiguousarray(hashes[:, band * width : (band + 1) * width])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * width))).ravel()
        order = np.argsort(keys, kind="stable").astype(np.int64)
        ordered = keys[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
        sizes = np.diff(starts)
        for size in np.unique(sizes[sizes > 1]).tolist():
            first = starts[:-1][sizes == size]
            members = np.sort(order[first[:, None] + np.arange(size)], axis=1)
            left, right = np.triu_indices(size, 1)
            pending.append((members[:, left] * rows + members[:, right]).ravel())
            waiting += len(pending[-1])
        if waiting > 4_000_000 or band == bands - 1:
            found = np.unique(np.concatenate([found, *pending]))
            pending, waiting = [], 0
    return np.stack((found // rows, found % rows), axis=1)


def containment(jaccard: Any, size_a: Any, size_b: Any) -> np.ndarray:
    """The share of the smaller set inside the larger, from their Jaccard similarity and sizes:
    |A∩B| = J(|A|+|B|)/(1+J). Works on numbers or on arrays of them (0 where a set is empty)."""
    jaccard, size_a, size_b = (np.asarray(v, dtype=float) for v in (jaccard, size_a, size_b))
    smaller = np.minimum(size_a, size_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.minimum(1.0, jaccard * (size_a + size_b) / ((1 + jaccard) * smaller))
    return np.where(smaller > 0, share, 0.0)
