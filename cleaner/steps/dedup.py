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
        rows = signatures.sort_by("id").to_pylist()
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
        signed = [row for row in rows if row["minhash"] is not None]
        if self.config.near and signed:
            from datasketch.lsh import _optimal_param

            # LSH's banding, with the band count and width datasketch's own optimiser picks for the threshold;
            # done over all signatures at once with numpy (datasketch's index hashes one document at a time).
            bands, width = _optimal_param(self.config.candidate_jaccard, self.config.num_perm, 0.5, 0.5)
            hashes = np.array([row["minhash"] for row in signed], dtype=np.uint32)
            pairs = candidate_pairs(hashes, bands, width)
            jaccard = (hashes[pairs[:, 0]] == hashes[pairs[:, 1]]).mean(axis=1) if len(pairs) else []
            for (a, b), estimate in zip(pairs.tolist(), jaccard, strict=True):
                first, second = signed[a], signed[b]
                score = containment(float(estimate), first["n_shingles"], second["n_shingles"])
                if score >= self.config.threshold:
                    similarity[(first["id"], second["id"])] = score
                    union(first["id"], second["id"])

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
    least one of ``bands`` bands: LSH's candidates, sorted. Each band is sorted once; equal runs give the pairs."""
    found: set[tuple[int, int]] = set()
    for band in range(bands):
        block = np.ascontiguousarray(hashes[:, band * width : (band + 1) * width])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * width))).ravel()
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
        for lo, hi in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
            if hi - lo > 1:
                members = sorted(order[lo:hi].tolist())
                found.update((a, b) for k, a in enumerate(members) for b in members[k + 1 :])
    return np.array(sorted(found), dtype=np.int64).reshape(-1, 2)


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """The share of the smaller set inside the larger, from their Jaccard similarity and sizes:
    |A∩B| = J(|A|+|B|)/(1+J)."""
    if not size_a or not size_b:
        return 0.0
    return min(1.0, jaccard * (size_a + size_b) / ((1 + jaccard) * min(size_a, size_b)))
