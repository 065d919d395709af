"""Deduplication: exact and near duplicates end up once in the dataset.

Runs on the cleaned text, because two copies of one article on two sites differ mostly in their boilerplate
(on the development set, shingle similarity of the raw pages finds only 19 % of duplicate pairs). Exact
duplicates share a hash of their normalised text; near duplicates are found with MinHash (datasketch's, computed
in numpy) on word shingles, candidates by LSH banding (the band parameters datasketch's MinHashLSH would choose)
and confirmed by their containment: estimated from the MinHash when the estimate is certain, else counted on a
sample of each document's shingle hashes (all of them, up to ``sample_size``).

Every document in a group of duplicates gets ``duplicate_cluster``, the id of the group's longest document (ties:
the smallest id), which is kept. Another document is rejected only as the duplicate of a kept document whose text
holds its own (the pair itself confirmed): a chain of near duplicates (A like B, B like C, A unlike C) never takes
a text out of the dataset that no kept document holds. Going down the group by length, a document that no kept one
holds is kept too, under the group's id. The corpus-wide work runs as passes of tasks over bucketed keys
(:mod:`cleaner.steps.dedup_passes`), so that it scales with a cluster.
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
from cleaner.steps.dedup_confirm import confirm_pairs
from cleaner.steps.dedup_passes import (
    BUCKETS,
    Plan,
    bucket_pairs,
    document_ids,
    read_rows,
    scatter_keys,
)

WORDS = re.compile(r"\w+")
# Documents one run deduplicates at most: a candidate pair is kept as two 32-bit references in one 64-bit code.
MAX_DOCUMENTS = 1 << 32


@dataclass
class DedupConfig:
    # Two documents are the same text when this share of the smaller one's word shingles is in the other (the
    # overlap, or containment). Containment rather than Jaccard: leftover boilerplate makes one copy longer, which
    # drags Jaccard down (median 0.64 for duplicate pairs on the development set) but leaves containment high.
    # Counted exactly on the development set's cleaned pages, duplicate pairs lie at 0.60 and above but for 6 of
    # 428 (0.36-0.54: one copy kept another page's text), different pages at most 0.596 but for one (0.73: a short
    # page left inside another site's comments); at 0.7, 15 duplicate pairs (0.60-0.70) were missed.
    threshold: float = 0.6
    # LSH finds candidate pairs from this estimated Jaccard up; the threshold above then confirms them.
    candidate_jaccard: float = 0.1
    num_perm: int = 128
    shingle_words: int = 5
    # Shingle hashes kept per document (its smallest) to count an overlap the MinHash estimate leaves uncertain
    # (a short page inside a long one: a low Jaccard, estimated with a large error). Documents of up to this many
    # shingles (~this many words) are compared exactly; a longer one by a sample of this size (error < 0.02).
    sample_size: int = 2048
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
                pa.field("sample", pa.list_(pa.uint32())),
            ]
        )

    def prepare(self) -> None:
        self._permutations  # noqa: B018 (built before the workers fork, for them to share)

    @cached_property
    def _permutations(self) -> tuple[np.ndarray, np.ndarray]:
        return minhash_permutations(self.config.num_perm, seed=1)

    def sign(self, doc: Document) -> dict[str, Any]:
        """The signature of one document (see :meth:`sign_batch`)."""
        return self.sign_batch([doc])[0]

    def sign_batch(self, docs: list[Document]) -> list[dict[str, Any]]:
        """The signatures of ``docs``, each what it alone would get: a batch's shingles are cut, hashed and
        minhashed in one run of numpy calls over them all, rather than a dozen small arrays and calls a document
        (0.20 against 0.25 ms a document; what is left is mostly Python's: the words, and a slice and a crc32 a
        shingle)."""
        prepared = [joined_words(doc.text) for doc in docs]  # not the words themselves: a string each, held to the end
        joined, counts = [text for text, _ in prepared], [count for _, count in prepared]
        rows = [
            {"id": doc.id, "n_chars": len(doc.text), "n_shingles": 0, "exact": exact, "minhash": None, "sample": None}
            for doc, exact in zip(docs, (hashlib.blake2b(j, digest_size=16).hexdigest() for j in joined), strict=True)
        ]
        if not self.config.near or not docs:
            return rows
        hashes, starts = batch_shingle_hashes(joined, counts, self.config.shingle_words)
        # arrays, not lists: Arrow converts an array of a list column ten times as fast as a Python list
        minhashes = batch_minhash_values(hashes, starts, *self._permutations)
        ends = [*starts[1:].tolist(), len(hashes)]
        for row, start, end, minhash in zip(rows, starts.tolist(), ends, minhashes, strict=True):
            row["n_shingles"] = end - start
            row["minhash"] = minhash
            # a copy: a view would hold the whole batch's hashes until the part is written
            row["sample"] = hashes[start : min(end, start + self.config.sample_size)].copy()
        return rows

    def decide(self, signatures: Path, map_ordered: MapOrdered, buckets: int = BUCKETS) -> PartDecisions:
        """Clusters of the signature parts in ``signatures``, decided in three passes of tasks (see
        :mod:`cleaner.steps.dedup_passes`): the driver holds only the confirmed pairs and their documents."""
        parts = sorted(signatures.glob("part-*.parquet"))
        if not parts:
            return {}
        bands, width = (
            optimal_param(self.config.candidate_jaccard, self.config.num_perm) if self.config.near else (0, 0)
        )
        sizes = [read_rows(part) for part in parts]
        starts = tuple(int(n) for n in np.concatenate(([0], np.cumsum(sizes))))
        if starts[-1] >= MAX_DOCUMENTS:
            raise ValueError(f"deduplication pairs at most {MAX_DOCUMENTS:,} documents in one run: split the corpus")
        plan = Plan(signatures, [p.name for p in parts], self.config, bands, width, buckets, starts)
        for _ in map_ordered(functools.partial(scatter_keys, plan), range(len(parts))):
            pass
        for _ in map_ordered(functools.partial(bucket_pairs, plan), range(buckets)):
            pass
        confirmed = list(map_ordered(functools.partial(confirm_pairs, plan), range(len(parts))))
        graph = Pairs.join(confirmed, plan)
        del confirmed
        decisions = cluster_decisions(graph)
        by_part: PartDecisions = {}
        for doc_id in sorted(decisions):
            by_part.setdefault(plan.parts[graph.part_of[doc_id]], {})[doc_id] = decisions[doc_id]
        return by_part


def batch_shingle_hashes(joined: list[bytes], words: list[int], n: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct hashes of each document's word shingles, sorted, all in one array document after document, and
    where each document's begin (``joined``: each document's words, UTF-8, joined by single spaces; ``words``: how
    many). Every document has at least one.

    A shingle is a run of ``n`` consecutive words of a document (a text of at most ``n`` words is one shingle: its
    whole text, empty or not); its hash is its crc32, then MurmurHash3's 32-bit finaliser, as datasketch's
    ``MinHash(hashfunc=zlib.crc32)`` hashes them (crc32 rather than datasketch's default sha1: shingles need
    spread, not cryptographic strength). A shingle that recurs, or two of one hash, count once. Sorted, a
    document's first values are a sample of it that every other document samples alike (the same shingle, the
    same hash).

    The shingles are cut out of the batch's texts joined by spaces, which no word holds (the words of all the
    documents in a row, an empty text one empty word), rather than joined word by word: the same bytes, at a
    fraction of the cost."""
    text = b" ".join(joined)
    spaces = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 32)
    word_starts = np.concatenate(([0], spaces + 1))
    word_ends = np.append(spaces, len(text))
    count = np.asarray(words, dtype=np.int64)
    own = np.maximum(count, 1)  # each document's words in the row
    shingles = np.maximum(count - n, 0) + 1  # and its shingles
    first_word = np.concatenate(([0], np.cumsum(own)[:-1]))
    first_shingle = np.concatenate(([0], np.cumsum(shingles)[:-1]))
    owner = np.repeat(np.arange(len(joined)), shingles)
    start = first_word[owner] + np.arange(shingles.sum()) - first_shingle[owner]  # a shingle's first word
    end = start + (np.minimum(own, n) - 1)[owner]  # and its last
    cut = [text[a:b] for a, b in zip(word_starts[start].tolist(), word_ends[end].tolist(), strict=True)]
    hashes = np.fromiter(map(zlib.crc32, cut), dtype=np.uint32, count=len(cut))
    del cut
    hashes ^= hashes >> np.uint32(16)
    hashes *= np.uint32(0x85EBCA6B)
    hashes ^= hashes >> np.uint32(13)
    hashes *= np.uint32(0xC2B2AE35)
    hashes ^= hashes >> np.uint32(16)
    bounds = np.cumsum(shingles).tolist()
    for low, high in zip([0, *bounds[:-1]], bounds, strict=True):
        hashes[low:high].sort()  # 32-bit sorts, one a document: a seventh of one sort of (document, hash) codes
    first = np.ones(len(hashes), dtype=bool)
    first[1:] = (hashes[1:] != hashes[:-1]) | (owner[1:] != owner[:-1])
    starts = np.concatenate(([0], np.cumsum(np.bincount(owner[first], minlength=len(joined)))[:-1]))
    return hashes[first], starts


def joined_words(text: str) -> tuple[bytes, int]:
    """The words of ``text``, lower-cased, joined by single spaces in UTF-8, and how many there are."""
    words = WORDS.findall(text.lower())
    return " ".join(words).encode(), len(words)


def minhash_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutations ``h -> a * h + b mod 2**32`` of datasketch's ``MinHash(num_perm, seed)`` (its default
    "affine32" scheme since 2.0), drawn as it draws them, so that the signatures are datasketch's."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


# Products of a permutation and a hash computed at once at most (a block of permutations at a time), 8 MB: a
# batch of 64 documents (~23,000 hashes) in two blocks, 0.016 ms a document (all at once 0.015 for 12 MB, in
# blocks of 2 MB 0.024). A batch of more than 2**21 hashes goes one permutation at a time, 4 bytes a hash.
MINHASH_BLOCK = 1 << 21


def batch_minhash_values(hashes: np.ndarray, starts: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The MinHash of each document's run of ``hashes`` (the runs begin at ``starts``, none empty), a row per
    document, as datasketch's ``MinHash(hashfunc=zlib.crc32).update_batch`` computes it: the minimum of each
    permutation. A row per permutation, each run's minimum along it (across the columns of a row per hash, it
    took several times as long). datasketch itself is not imported for it: its import pulls in scipy (~0.4 s a run), and
    its per-call checks cost more than this arithmetic."""
    minima = np.empty((len(a), len(starts)), dtype=np.uint32)
    step = max(1, min(len(a), MINHASH_BLOCK // max(1, len(hashes))))
    for first in range(0, len(a), step):
        block = np.multiply.outer(a[first : first + step], hashes)
        block += b[first : first + step, None]
        minima[first : first + step] = np.minimum.reduceat(block, starts, axis=1)
    return np.ascontiguousarray(minima.T)


@dataclass
class Pairs:
    """The confirmed pairs of the whole corpus, compact: documents numbered ``0..n-1`` in the order they are kept in
    (longest first, ties: the smallest id), each pair once as ``(i, j)``, ``i < j``, with its overlap (``nan`` for
    a pair known only by its equal text) and whether the two texts are the same. The pairs are in the order the
    parts gave them, not sorted: nothing that reads them depends on their order (:func:`cluster_decisions`)."""

    ids: list[str]
    part_of: dict[str, int]
    left: np.ndarray
    right: np.ndarray
    overlap: np.ndarray
    same_text: np.ndarray

    @classmethod
    def join(cls, confirmed: list[dict[str, np.ndarray]], plan: Plan) -> Pairs:
        """The pairs :func:`confirm_pairs` found in each part: the documents (``refs``, ``n_chars``) and the pairs
        (``left`` and ``right`` references, ``overlap``, ``same_text``). Documents of equal length and id keep
        the order they are first named in, part by part."""
        named = np.concatenate([f["refs"] for f in confirmed]) if confirmed else np.zeros(0, np.uint64)
        unique, first = np.unique(named, return_index=True)
        chars = np.concatenate([f["n_chars"] for f in confirmed])[first].tolist() if confirmed else []
        ids = document_ids(plan, unique)
        named_first = first.tolist()
        kept = sorted(range(len(unique)), key=lambda k: (-chars[k], ids[k], named_first[k]))
        by_ref = unique[kept]
        number = np.argsort(by_ref)  # position in the kept order of the i-th smallest reference
        ordered = by_ref[number]

        def numbered(values: np.ndarray) -> np.ndarray:
            return number[np.searchsorted(ordered, values)].astype(np.int64)

        found = [pairs for pairs in confirmed if len(pairs["left"])]
        left = np.concatenate([numbered(f["left"]) for f in found]) if found else np.zeros(0, np.int64)
        right = np.concatenate([numbered(f["right"]) for f in found]) if found else np.zeros(0, np.int64)
        overlap = np.concatenate([f["overlap"] for f in found]) if found else np.zeros(0)
        same_text = np.concatenate([f["same_text"] for f in found]) if found else np.zeros(0, bool)
        kept_ids = [ids[k] for k in kept]
        return cls(
            kept_ids,
            dict(zip(kept_ids, plan.part_of(by_ref).tolist(), strict=True)),
            np.minimum(left, right),
            np.maximum(left, right),
            overlap,
            same_text,
        )


def cluster_decisions(pairs: Pairs) -> dict[str, Decision]:
    """Groups are the connected documents (union-find over the pairs), named by their first document, which is
    kept. Going down the kept order, a document not yet placed is kept, and every document it holds (a confirmed
    pair) that is not placed yet is rejected as its duplicate: exact (the same text) or near, with their overlap. So
    every rejected document has its text in a kept one, whichever chain linked it to its group."""
    n = len(pairs.ids)
    # Both directions of each pair, by document: the documents each one holds, in the kept order. Numbers of 32
    # bits where they fit, each array reordered in turn: a corpus of many copies has millions of pairs. Grouped by
    # their first document only: a document's pairs are distinct, so the order of its held documents changes
    # nothing below (nor the order of the pairs themselves).
    width = np.int32 if max(n, len(pairs.left)) < 1 << 31 else np.int64
    heads = np.concatenate((pairs.left, pairs.right)).astype(width)
    tails = np.concatenate((pairs.right, pairs.left)).astype(width)
    which = np.tile(np.arange(len(pairs.left), dtype=width), 2)
    order = _grouped(heads, n)
    heads = heads[order]
    tails = tails[order]
    which = which[order]
    del order
    bounds = np.searchsorted(heads, np.arange(n + 1))
    group = _components(n, tails, bounds)
    keeper = np.full(n, -1, dtype=np.int64)
    via = np.full(n, -1, dtype=np.int64)  # the pair that placed a rejected document
    for doc in range(n):
        if keeper[doc] >= 0:
            continue
        keeper[doc] = doc
        held = tails[bounds[doc] : bounds[doc + 1]]
        free = keeper[held] < 0
        keeper[held[free]] = doc
        via[held[free]] = which[bounds[doc] : bounds[doc + 1]][free]
    decisions: dict[str, Decision] = {}
    ids, same_text, overlap = pairs.ids, pairs.same_text.tolist(), pairs.overlap.tolist()  # Python values: read
    for doc, (head, kept, pair) in enumerate(zip(group.tolist(), keeper.tolist(), via.tolist(), strict=True)):
        cluster = ids[head]  # one by one, numpy's scalars cost several times as much
        if kept == doc:
            decisions[ids[doc]] = Decision(cluster=cluster)
        elif same_text[pair]:
            decisions[ids[doc]] = Decision(cluster, "dedup.exact_duplicate", f"duplicate of {ids[kept]} (same text)")
        else:
            detail = f"duplicate of {ids[kept]} (estimated overlap {overlap[pair]:.2f})"
            decisions[ids[doc]] = Decision(cluster, "dedup.near_duplicate", detail)
    return decisions


def _grouped(numbers: np.ndarray, n: int) -> np.ndarray:
    """An order of ``numbers`` (below ``n``, which is below ``MAX_DOCUMENTS``) that sorts them: stable sorts of
    their 16-bit halves, low then high, which numpy does by radix (a comparison sort of the 32-bit numbers took
    2.8 times as long: 0.56 against 0.20 s for 3 M, in the driver while the workers wait). The price is memory:
    past 65,536 documents three index arrays of 8 bytes a number are held at once (~30 bytes a pair, against ~16)."""
    order = np.argsort((numbers & 0xFFFF).astype(np.uint16), kind="stable")
    if n > 1 << 16:
        order = order[np.argsort((numbers[order] >> 16).astype(np.uint16), kind="stable")]
    return order


def _components(n: int, tails: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The connected components of the pairs, each named by its smallest document: labels lowered along the
    pairs and shortcut (``label[label]``) until nothing changes; a few rounds for clusters of any shape. The pairs
    come in both directions grouped by document (document ``d`` holds ``tails[bounds[d]:bounds[d + 1]]``), so each
    document's lowest neighbour is one ``minimum.reduceat`` over its group (``np.minimum.at`` over the pairs took
    four times as long)."""
    label = np.arange(n)
    linked = np.flatnonzero(bounds[1:] > bounds[:-1])
    starts = bounds[linked]
    while True:
        lowered = label.copy()
        if len(linked):
            lowered[linked] = np.minimum(label[linked], np.minimum.reduceat(label[tails], starts))
        lowered = lowered[lowered]
        if np.array_equal(lowered, label):
            return label
        label = lowered


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
