"""Deduplication: exact and near duplicates end up once in the dataset.

Runs on the cleaned text, because two copies of one article on two sites differ mostly in their boilerplate
(on the development set, shingle similarity of the raw pages finds only 19 % of duplicate pairs). Exact
duplicates share a hash of their normalised text; near duplicates are found with MinHash (datasketch's, computed
in numpy) on word shingles, candidates by LSH banding (the band parameters datasketch's MinHashLSH would choose)
and confirmed by their estimated containment. Every document gets ``duplicate_cluster``; in each cluster the
longest document is kept (ties: the smallest id), the others are rejected with the id they duplicate. The
corpus-wide work runs as passes of tasks over bucketed keys (:mod:`cleaner.steps.dedup_passes`), so that it
scales with a cluster.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from cleaner.document import Document
from cleaner.steps import CorpusStep, Decision, MapOrdered, PartDecisions
from cleaner.steps.dedup_passes import BUCKETS, Plan, bucket_pairs, confirm_pairs, forget_parts, scatter_keys

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
        self._permutations  # noqa: B018 (built before the workers fork, for them to share)

    @cached_property
    def _permutations(self) -> tuple[np.ndarray, np.ndarray]:
        return minhash_permutations(self.config.num_perm, seed=1)

    def sign(self, doc: Document) -> dict[str, Any]:
        words = WORDS.findall(doc.text.lower())
        joined = " ".join(words).encode()
        exact = hashlib.blake2b(joined, digest_size=16).hexdigest()
        minhash, n_shingles = None, 0
        if self.config.near:
            shingles = word_shingles(joined, len(words), self.config.shingle_words)
            minhash = minhash_values(shingles, *self._permutations).tolist()
            n_shingles = len(shingles)
        return {"id": doc.id, "n_chars": len(doc.text), "n_shingles": n_shingles, "exact": exact, "minhash": minhash}

    def decide(self, signatures: Path, map_ordered: MapOrdered, buckets: int = BUCKETS) -> PartDecisions:
        """Clusters of the signature parts in ``signatures``, decided in three passes of tasks (see
        :mod:`cleaner.steps.dedup_passes`): the driver holds only the confirmed pairs and their documents."""
        parts = sorted(signatures.glob("part-*.parquet"))
        if not parts:
            return {}
        bands, width = (
            optimal_param(self.config.candidate_jaccard, self.config.num_perm) if self.config.near else (0, 0)
        )
        plan = Plan(signatures, [p.name for p in parts], self.config, bands, width, buckets)
        for _ in map_ordered(functools.partial(scatter_keys, plan), range(len(parts))):
            pass
        for _ in map_ordered(functools.partial(bucket_pairs, plan), range(buckets)):
            pass
        nodes: dict[str, tuple[int, int, str]] = {}  # id -> (part, n_chars, exact)
        edges: list[tuple[str, str, float | None]] = []
        for part_nodes, part_edges in map_ordered(functools.partial(confirm_pairs, plan), range(len(parts))):
            nodes.update(part_nodes)
            edges.extend(part_edges)
        forget_parts()  # what the passes remembered, when they ran in this process
        decisions = cluster_decisions(nodes, edges)
        by_part: PartDecisions = {}
        for doc_id in sorted(decisions):
            by_part.setdefault(plan.parts[nodes[doc_id][0]], {})[doc_id] = decisions[doc_id]
        return by_part


def word_shingles(joined: bytes, words: int, n: int) -> set[bytes]:
    """The distinct runs of ``n`` consecutive words of ``joined`` (the words, UTF-8, joined by single spaces; a
    text of at most ``n`` words is one shingle). Cut out of the joined bytes at the spaces, which no word holds,
    rather than joined word by word: the same bytes, at a fraction of the cost."""
    if words <= n:
        return {joined}
    spaces = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == 32)
    starts = np.concatenate(([0], spaces[: words - n] + 1)).tolist()
    ends = np.append(spaces[n - 1 :], len(joined)).tolist()
    return {joined[start:end] for start, end in zip(starts, ends, strict=True)}


def minhash_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutations ``h -> a * h + b mod 2**32`` of datasketch's ``MinHash(num_perm, seed)`` (its default
    "affine32" scheme since 2.0), drawn as it draws them, so that the signatures are datasketch's."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def minhash_values(shingles: set[bytes], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The MinHash of ``shingles``, as datasketch's ``MinHash(hashfunc=zlib.crc32).update_batch`` computes it:
    crc32 of each shingle, MurmurHash3's 32-bit finaliser, then the minimum of each permutation. datasketch itself
    is not imported for it: its import pulls in scipy (~0.4 s a run), and its per-call checks cost more than this
    arithmetic (crc32 rather than datasketch's default sha1: shingles need spread, not cryptographic strength)."""
    hashes = np.fromiter(map(zlib.crc32, shingles), dtype=np.uint32, count=len(shingles))
    hashes ^= hashes >> np.uint32(16)
    hashes *= np.uint32(0x85EBCA6B)
    hashes ^= hashes >> np.uint32(13)
    hashes *= np.uint32(0xC2B2AE35)
    hashes ^= hashes >> np.uint32(16)
    return (hashes[:, None] * a + b).min(axis=0)


def cluster_decisions(nodes: dict[str, tuple[int, int, str]], edges: list[tuple[str, str, float | None]]):
    """Union-find over the confirmed pairs; in each cluster the longest document is kept (ties: the smallest id),
    the others are rejected as exact duplicates (same text as the keeper) or near ones, with their overlap."""
    parent = {doc_id: doc_id for doc_id in sorted(nodes)}
    similarity: dict[tuple[str, str], float] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, score in sorted(edges, key=lambda e: (e[0], e[1])):
        if score is not None:
            similarity[(min(a, b), max(a, b))] = score
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    clusters: dict[str, list[str]] = {}
    for doc_id in parent:
        clusters.setdefault(find(doc_id), []).append(doc_id)
    decisions: dict[str, Decision] = {}
    for members in clusters.values():
        if len(members) == 1:
            continue
        keeper = min(members, key=lambda m: (-nodes[m][1], m))
        for member in members:
            if member == keeper:
                decisions[member] = Decision(cluster=keeper)
                continue
            exact = nodes[member][2] == nodes[keeper][2]
            score = similarity.get((min(member, keeper), max(member, keeper)))
            detail = f"duplicate of {keeper}" + (
                " (same text)" if exact else f" (estimated overlap {score:.2f})" if score else " (same cluster)"
            )
            reason = "dedup.exact_duplicate" if exact else "dedup.near_duplicate"
            decisions[member] = Decision(cluster=keeper, reason=reason, detail=detail)
    return decisions


@functools.lru_cache
def optimal_param(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5) -> tuple[int, int]:
    """The LSH bands and band width (``b * r <= num_perm``) that minimise the weighted sum of the probabilities of a
    false candidate (Jaccard below ``threshold``) and of a missed one (above it): datasketch's choice for
    MinHashLSH, computed here because datasketch keeps it private. A pair of Jaccard ``s`` shares a whole band
    with probability ``1 - (1 - s^r)^b``.

    datasketch integrates with scipy's ``quad``; the integrands are polynomials in ``s`` of degree ``b * r <=
    num_perm``, which Gauss-Legendre quadrature with ``num_perm // 2 + 1`` nodes integrates exactly, without
    importing scipy (~0.4 s)."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)

    def integral(function, low: float, high: float) -> float:
        half = (high - low) / 2
        return float(half * (weights @ function(half * nodes + (low + high) / 2)))

    best, choice = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = integral(lambda s, b=b, r=r: 1 - (1 - s ** float(r)) ** float(b), 0.0, threshold)
            fn = integral(lambda s, b=b, r=r: 1 - (1 - (1 - s ** float(r)) ** float(b)), threshold, 1.0)
            error = fp * fp_weight + fn * fn_weight
            if error < best:
                best, choice = error, (b, r)
    return choice


def containment(jaccard: Any, size_a: Any, size_b: Any) -> np.ndarray:
    """The share of the smaller set inside the larger, from their Jaccard similarity and sizes:
    |A∩B| = J(|A|+|B|)/(1+J). Works on numbers or on arrays of them (0 where a set is empty)."""
    jaccard, size_a, size_b = (np.asarray(v, dtype=float) for v in (jaccard, size_a, size_b))
    smaller = np.minimum(size_a, size_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.minimum(1.0, jaccard * (size_a + size_b) / ((1 + jaccard) * smaller))
    return np.where(smaller > 0, share, 0.0)
