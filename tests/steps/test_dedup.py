from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cleaner import config as config_module
from cleaner.corpus import local_map
from cleaner.document import Document
from cleaner.runner import output_dir, run
from cleaner.steps import Decision
from cleaner.steps.dedup import Dedup, DedupConfig, containment, optimal_param
from cleaner.steps.dedup_passes import equal_key_pairs, unique_rows
from tests.conftest import read_table

ARTICLE = (
    "The city council approved the new budget on Tuesday after a long debate about school funding. Council "
    "members said the plan would add two hundred teachers over the next three years, while keeping property "
    "taxes flat for most households. Critics argued that the budget relies on optimistic revenue forecasts and "
    "leaves the transit authority without the money it needs to replace its ageing buses. The mayor said she "
    "would sign the budget on Friday and promised a review of the transit plan before the end of the year."
)
OTHER = (
    "Heavy rain flooded several streets in the old town overnight, and the fire brigade pumped water out of "
    "dozens of cellars. Residents said the drains had not been cleaned for months, and the city promised to "
    "inspect them before the next storm, which forecasters expect at the weekend."
)


def decide(tmp_path: Path, texts: dict[str, str], **options):
    config = DedupConfig(**options)
    rows = [Dedup(config).sign(Document(id=doc_id, text=text, source=doc_id)) for doc_id, text in texts.items()]
    decisions = decide_rows(rows, config, tmp_path / "signatures", parts=2)
    assert decisions == reference_decide(rows, config)
    return decisions


def test_exact_near_and_distinct(tmp_path: Path):
    syndicated = "Share this article\n" + ARTICLE.replace("Tuesday", "Tuesday evening") + "\nSubscribe now"
    decisions = decide(tmp_path, {"a": ARTICLE, "b": ARTICLE, "c": syndicated, "d": OTHER})
    keeper = "c"  # the longest copy is kept
    assert decisions["c"].cluster == keeper and decisions["c"].reason is None
    assert decisions["a"].cluster == keeper and decisions["a"].reason == "dedup.near_duplicate"
    assert decisions["b"].reason == "dedup.near_duplicate"
    assert decisions["a"].detail.startswith("duplicate of c")
    assert "d" not in decisions


def test_exact_copies_tie_break_on_smallest_id(tmp_path: Path):
    decisions = decide(tmp_path, {"b": ARTICLE, "a": ARTICLE})
    assert decisions["b"].reason == "dedup.exact_duplicate"
    assert decisions["b"].cluster == "a" and decisions["a"].reason is None


def test_containment_estimate():
    assert containment(1.0, 10, 10) == 1.0
    assert abs(containment(0.5, 100, 50) - 1.0) < 1e-9  # the small set lies inside the big one
    assert containment(0.0, 10, 10) == 0.0


def test_run_moves_duplicates_to_rejects_and_keeps_accounting(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (raw / "b.txt").write_text("Menu\n" + ARTICLE + "\nRead more", encoding="utf-8")
    (raw / "c.txt").write_text(OTHER, encoding="utf-8")
    config = config_module.parse({"pipeline": ["whitespace", "length", "dedup"]})
    summary = run(raw, tmp_path / "out", config, workers=1)
    build = output_dir(tmp_path / "out", config)
    documents = {d["source"]: d for d in read_table(build / "documents")}
    rejects = read_table(build / "rejects")
    assert sorted(documents) == ["b.txt", "c.txt"]
    assert documents["c.txt"]["duplicate_cluster"] == documents["c.txt"]["id"]
    [dup] = rejects
    assert dup["source"] == "a.txt" and dup["reason"] == "dedup.near_duplicate"
    assert dup["duplicate_cluster"] == documents["b.txt"]["id"] == documents["b.txt"]["duplicate_cluster"]
    assert summary.read == 3 and summary.kept == 2 and summary.rejected_total == 1
    assert not (build / "_signatures").exists()


def test_equal_key_pairs_are_unique_ordered_and_never_a_document_with_itself():
    keys = np.array([5, 9, 5, 5, 9, 7, 7], dtype=np.uint64)
    refs = np.array([30, 10, 20, 10, 40, 50, 50], dtype=np.uint64)  # 50's two bands share key 7
    assert equal_key_pairs(keys, refs).tolist() == [[10, 20], [10, 30], [10, 40], [20, 30]]


@pytest.mark.parametrize(
    "text",
    [ARTICLE, OTHER, "Grüße aus Köln: das Café öffnet um 9 Uhr, sagt Zoë.", "only four words here", "", "a b c d e"],
)
def test_signature_is_datasketchs_minhash_of_the_word_shingles(text: str):
    from datasketch import MinHash

    words = text.lower().replace(",", " ").replace(".", " ").replace(":", " ").split()
    shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))}
    reference = MinHash(num_perm=128, seed=1, hashfunc=zlib.crc32)
    reference.update_batch(shingles)
    row = Dedup().sign(Document(id="x", text=text, source="x"))
    assert row["minhash"] == reference.hashvalues.tolist()
    assert row["n_shingles"] == len(shingles)


def test_unique_rows_is_numpys_unique_of_the_rows():
    rng = np.random.default_rng(3)
    for n in (0, 1, 7, 500):
        pairs = rng.integers(0, 20, (n, 2)).astype(np.uint64) << np.uint64(rng.integers(0, 40))
        assert np.array_equal(unique_rows(pairs), np.unique(pairs, axis=0))


def test_optimal_param_matches_datasketchs_choice():
    # datasketch 2.0's MinHashLSH parameters (datasketch.lsh._optimal_param, weights 0.5 and 0.5)
    known = {(0.1, 128): (64, 2), (0.5, 128): (25, 5), (0.7, 128): (14, 9), (0.9, 256): (9, 28), (0.3, 64): (21, 3)}
    assert {key: optimal_param(*key) for key in known} == known


def reference_decide(rows: list[dict], config: DedupConfig) -> dict[str, Decision]:
    """The decision as one process made it before the passes: every pair compared, all signatures in memory."""
    rows = sorted(rows, key=lambda r: r["id"])
    parent = {r["id"]: r["id"] for r in rows}
    similarity = {}

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    def union(a, b):
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)

    bands, width = optimal_param(config.candidate_jaccard, config.num_perm)
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if config.exact and a["exact"] == b["exact"]:
                union(a["id"], b["id"])
            ha, hb = np.array(a["minhash"]), np.array(b["minhash"])
            equal = ha == hb
            if config.near and equal[: bands * width].reshape(bands, width).all(axis=1).any():
                score = float(containment(equal.mean(), a["n_shingles"], b["n_shingles"]))
                if score >= config.threshold:
                    similarity[(a["id"], b["id"])] = score
                    union(a["id"], b["id"])
    clusters = {}
    for r in rows:
        clusters.setdefault(find(r["id"]), []).append(r)
    decisions = {}
    for members in (m for m in clusters.values() if len(m) > 1):
        keeper = min(members, key=lambda r: (-r["n_chars"], r["id"]))
        for m in members:
            if m is keeper:
                decisions[m["id"]] = Decision(cluster=keeper["id"])
                continue
            exact = m["exact"] == keeper["exact"]
            score = similarity.get(tuple(sorted((m["id"], keeper["id"]))))
            detail = f"duplicate of {keeper['id']}" + (
                " (same text)" if exact else f" (estimated overlap {score:.2f})" if score else " (same cluster)"
            )
            decisions[m["id"]] = Decision(
                keeper["id"], "dedup.exact_duplicate" if exact else "dedup.near_duplicate", detail
            )
    return decisions


def synthetic_rows(seed: int, n: int = 160) -> list[dict]:
    """Signatures of variants of variants (overlaps of all sizes, chains), exact copies (same exact key and
    MinHash) and lengths that tie."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        if rows and rng.random() < 0.2:
            copy = dict(rows[rng.integers(len(rows))])
            rows.append({**copy, "id": f"doc-{rng.integers(10**6):06d}-{i}"})
            continue
        fresh = rng.integers(0, 2**32, 128)
        base = rows[rng.integers(len(rows))]["minhash"] if rows and rng.random() < 0.6 else fresh
        minhash = np.where(rng.random(128) < rng.choice([0.2, 0.5, 0.8]), fresh, base)
        rows.append(
            {
                "id": f"doc-{rng.integers(10**6):06d}-{i}",
                "n_chars": int(rng.integers(100, 104)),
                "n_shingles": int(rng.integers(20, 40)),
                "exact": f"{rng.integers(2**62):032x}",
                "minhash": [int(v) for v in minhash],
            }
        )
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_passes_decide_as_one_process_for_any_buckets_and_workers(tmp_path: Path, seed: int):
    config = DedupConfig(threshold=0.5, candidate_jaccard=0.3)
    rows = synthetic_rows(seed)
    expected = reference_decide(rows, config)
    clusters = {d.cluster for d in expected.values()}
    assert sum(d.reason == "dedup.exact_duplicate" for d in expected.values()) > 5
    assert max(sum(d.cluster == c for d in expected.values()) for c in clusters) >= 3
    assert any("same cluster" in d.detail for d in expected.values())
    chars = {r["id"]: r["n_chars"] for r in rows}
    assert any(d.reason and chars[doc_id] == chars[d.cluster] for doc_id, d in expected.items())  # a tie
    for buckets, workers, parts in [(1, 1, 1), (7, 2, 3), (16, 2, 5)]:
        folder = tmp_path / f"{buckets}-{workers}-{parts}"
        assert decide_rows(rows, config, folder, buckets, workers, parts) == expected
    near_only = DedupConfig(threshold=0.5, candidate_jaccard=0.3, exact=False)
    decided = decide_rows(rows, near_only, tmp_path / "near-only", buckets=4)
    assert decided == reference_decide(rows, near_only)  # exact copies are found by their equal MinHashes


def decide_rows(rows, config, folder: Path, buckets=16, workers=2, parts=3) -> dict[str, Decision]:
    step = Dedup(config)
    folder.mkdir(parents=True)
    names = {}
    for part, chunk in enumerate(np.array_split(np.arange(len(rows)), parts)):
        table = pa.Table.from_pylist([rows[i] for i in chunk], schema=step.signature_schema)
        pq.write_table(table, folder / f"part-{part:05d}.parquet")
        names.update({rows[i]["id"]: f"part-{part:05d}.parquet" for i in chunk})
    by_part = step.decide(folder, local_map(workers), buckets=buckets)
    assert all(names[doc_id] == part for part, decided in by_part.items() for doc_id in decided)
    return {doc_id: d for decided in by_part.values() for doc_id, d in decided.items()}
