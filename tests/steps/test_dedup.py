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
from cleaner.steps.dedup import (
    Dedup,
    DedupConfig,
    Pairs,
    _grouped,
    cluster_decisions,
    containment,
    optimal_param,
)
from cleaner.steps.dedup_confirm import Z, sample_overlap, wilson
from cleaner.steps.dedup_passes import Plan, _array_path, _mix, _save, band_keys, decode, equal_key_codes, mapped
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


def test_a_text_linked_only_through_a_rejected_copy_is_kept(tmp_path: Path):
    """A short page left inside a site's long comment block is mostly that block, so the long page of the same
    site holds it; a clean copy of the short page is held by it in turn. Rejecting the whole chain for the long page
    would lose the short page's article: its clean copy stays, in the long page's group."""
    comments = "\n".join(
        f"Reader {i} wrote that the council should publish the figures for district {i} before the vote."
        for i in range(12)
    )
    texts = {"long": ARTICLE + "\n" + comments, "short": OTHER + "\n" + comments, "clean": OTHER}
    decisions = decide(tmp_path, texts)
    assert decisions["long"] == Decision(cluster="long")
    assert decisions["short"].reason == "dedup.near_duplicate" and decisions["short"].detail.startswith(
        "duplicate of long"
    )
    assert decisions["clean"] == Decision(cluster="long")  # kept: no kept document holds it


def test_overlap_is_counted_on_samples_cut_alike():
    # documents 0 and 1: all of their shingles (5 and 4 of them, 3 shared); 2: the first 3 of 10 (2 shared with 0)
    values = np.array([1, 5, 9, 12, 20, 1, 9, 12, 30, 1, 7, 9], dtype=np.uint32)
    starts, counts, sizes = np.array([0, 5, 9]), np.array([5, 4, 3]), np.array([5, 4, 10])
    overlap = sample_overlap(values, starts, counts, sizes, np.array([0, 0, 1]), np.array([1, 2, 2]))
    # 0 and 1: 3 of 4; 0 and 2, up to hash 9: {1, 5, 9} and {1, 7, 9}: 2 of 3; 1 and 2: {1, 9} and {1, 7, 9}: 2 of 2
    assert overlap.tolist() == [0.75, 2 / 3, 1.0]


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


def test_band_keys_are_equal_for_equal_bands_only_and_differ_by_place():
    minhash = np.array([[1, 2, 3, 4, 5, 6], [1, 2, 9, 4, 5, 6], [3, 4, 1, 2, 5, 6], [5, 6, 5, 6, 5, 6]], np.uint32)
    keys = band_keys(minhash, 3, 2)
    assert keys.shape == (4, 3) and keys.dtype == np.uint64
    assert keys[0, 0] == keys[1, 0] and keys[0, 1] != keys[1, 1] and keys[0, 2] == keys[1, 2]
    assert keys[0, 0] != keys[2, 1] and keys[0, 1] != keys[2, 0]  # the same values in another band: another key
    assert len(set(keys[3].tolist())) == 3
    assert band_keys(minhash[:0], 3, 2).shape == (0, 3)


def test_band_keys_are_those_of_each_band_mixed_column_by_column():
    """The keys of all bands at once are those of the plain definition, band by band (any change of a key moves
    documents between buckets, and a run's candidates with them)."""
    hashes = np.random.default_rng(5).integers(0, 1 << 32, (40, 13), dtype=np.uint64).astype(np.uint32)
    for bands, width in [(1, 1), (3, 4), (6, 2), (4, 3)]:
        expected = np.empty((len(hashes), bands), dtype=np.uint64)
        for band in range(bands):
            key = np.full(len(hashes), _mix(np.uint64(band + 1)), dtype=np.uint64)
            for column in range(band * width, (band + 1) * width):
                key = _mix(key ^ hashes[:, column].astype(np.uint64))
            expected[:, band] = key
        assert np.array_equal(band_keys(hashes, bands, width), expected)


def test_equal_key_pairs_are_unique_ordered_and_never_a_document_with_itself():
    keys = np.array([5, 9, 5, 5, 9, 7, 7, 8, 8, 8], dtype=np.uint64)
    refs = np.array([30, 10, 20, 10, 40, 50, 50, 60, 70, 60], dtype=np.uint64)  # 50's bands share key 7, 60's 8
    assert decode(equal_key_codes(keys, refs)).tolist() == [[10, 20], [10, 30], [10, 40], [20, 30], [60, 70]]


@pytest.mark.parametrize(
    "text",
    [
        ARTICLE,
        OTHER,
        "Grüße aus Köln: das Café öffnet um 9 Uhr, sagt Zoë.",
        "only four words here",
        "",
        "a b c d e",
        "one two three four five six, " * 3,
    ],
)
def test_signature_is_datasketchs_minhash_of_the_word_shingles(text: str):
    from datasketch import MinHash

    words = text.lower().replace(",", " ").replace(".", " ").replace(":", " ").split()
    shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))}
    reference = MinHash(num_perm=128, seed=1, hashfunc=zlib.crc32)
    reference.update_batch(shingles)
    row = Dedup().sign(Document(id="x", text=text, source="x"))
    assert row["minhash"].tolist() == reference.hashvalues.tolist()
    assert row["n_shingles"] == len(shingles)  # a shingle that recurs counts once
    # the sample: the shingles' hashes (all of them here), sorted, whose permuted minima are datasketch's MinHash
    assert row["sample"].tolist() == sorted(set(row["sample"].tolist())) and len(row["sample"]) == len(shingles)
    permuted = np.array(row["sample"], dtype=np.uint32)[:, None] * reference.permutations[0] + reference.permutations[1]
    assert permuted.min(axis=0).tolist() == reference.hashvalues.tolist()


@pytest.mark.parametrize("block", [1 << 22, 300])  # all permutations at once, or a few at a time
def test_a_batch_signs_each_document_as_it_alone_would_be(monkeypatch: pytest.MonkeyPatch, block: int):
    # documents of no words, of fewer words than a shingle, of one shingle, with recurring shingles and a hash that
    # only another document of the batch has: nothing of one document may leak into its neighbour's signature
    monkeypatch.setattr("cleaner.steps.dedup.MINHASH_BLOCK", block)
    texts = [ARTICLE, "", "only four words here", "a b c d e", "a b c d e f", "...", OTHER, "one two " * 40, ARTICLE]
    texts += ["a b c d e", "a b c d e"]  # one hash, the same, in two documents side by side
    docs = [Document(id=f"d{k}", text=text, source="s") for k, text in enumerate(texts)]
    step = Dedup(DedupConfig(sample_size=50))
    batch = step.sign_batch(docs)
    alone = [step.sign(doc) for doc in docs]
    for together, single in zip(batch, alone, strict=True):
        assert together.keys() == single.keys()
        assert {k: v for k, v in together.items() if k not in ("minhash", "sample")} == {
            k: v for k, v in single.items() if k not in ("minhash", "sample")
        }
        assert together["minhash"].dtype == np.uint32 and together["minhash"].tolist() == single["minhash"].tolist()
        assert together["sample"].dtype == np.uint32 and together["sample"].tolist() == single["sample"].tolist()
    assert [row["n_shingles"] for row in batch[1:6]] == [1, 1, 1, 2, 1] and batch[-1]["n_shingles"] == 1
    assert batch[0]["minhash"].tolist() == batch[8]["minhash"].tolist()


def test_optimal_param_matches_datasketchs_choice():
    # datasketch 2.0's MinHashLSH parameters (datasketch.lsh._optimal_param, weights 0.5 and 0.5)
    known = {(0.1, 128): (64, 2), (0.5, 128): (25, 5), (0.7, 128): (14, 9), (0.9, 256): (9, 28), (0.3, 64): (21, 3)}
    assert {key: optimal_param(*key) for key in known} == known


def reference_decide(rows: list[dict], config: DedupConfig) -> dict[str, Decision]:
    """The decision made the plain way: every pair of documents compared in one process, a candidate when a band
    of their MinHashes is equal, confirmed by the estimate when it is certain, else by counting their samples as
    sets; groups by union-find; going down the kept order, each document not yet placed is kept and takes the
    unplaced documents it holds."""
    rows = sorted(rows, key=lambda r: (-r["n_chars"], r["id"]))
    bands, width = optimal_param(config.candidate_jaccard, config.num_perm)
    parent = list(range(len(rows)))
    held: dict[int, dict[int, tuple[bool, float | None]]] = {i: {} for i in range(len(rows))}

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    def counted(a: dict, b: dict) -> float:
        def top(r):
            return r["sample"][-1] if r["n_shingles"] > len(r["sample"]) else 2**32

        cut = min(top(a), top(b))
        sample_a, sample_b = {v for v in a["sample"] if v <= cut}, {v for v in b["sample"] if v <= cut}
        return len(sample_a & sample_b) / min(len(sample_a), len(sample_b))

    for i, a in enumerate(rows):
        for j in range(i + 1, len(rows)):
            b = rows[j]
            same = config.exact and a["exact"] == b["exact"]
            score = None
            equal = np.array(a["minhash"]) == np.array(b["minhash"])
            if config.near and equal[: bands * width].reshape(bands, width).all(axis=1).any():
                low, high = wilson(np.array(equal.sum()), config.num_perm, Z)
                sizes = a["n_shingles"], b["n_shingles"]
                if containment(low, *sizes) >= config.threshold:
                    score = float(containment(equal.mean(), *sizes))
                elif containment(high, *sizes) >= config.threshold and not same:
                    score = counted(a, b)
            if same or (score is not None and score >= config.threshold):
                held[i][j] = held[j][i] = (same, score)
                ri, rj = find(i), find(j)
                parent[max(ri, rj)] = min(ri, rj)
    keeper: dict[int, int] = {}
    for i in range(len(rows)):
        if i not in keeper:
            keeper[i] = i
            for j in sorted(held[i]):
                keeper.setdefault(j, i)
    decisions = {}
    for i, r in enumerate(rows):
        if not held[i]:
            continue
        cluster = rows[find(i)]["id"]
        if keeper[i] == i:
            decisions[r["id"]] = Decision(cluster)
            continue
        kept = rows[keeper[i]]["id"]
        same, score = held[i][keeper[i]]
        if same:
            decisions[r["id"]] = Decision(cluster, "dedup.exact_duplicate", f"duplicate of {kept} (same text)")
        else:
            detail = f"duplicate of {kept} (estimated overlap {score:.2f})"
            decisions[r["id"]] = Decision(cluster, "dedup.near_duplicate", detail)
    return decisions


def synthetic_rows(seed: int, n: int = 160, sample_size: int = 24) -> list[dict]:
    """Signatures of variants of variants (overlaps of all sizes, chains), exact copies (same exact key, MinHash
    and sample), lengths that tie, and samples cut to ``sample_size`` (documents of up to 40 shingles)."""
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    shingles: list[np.ndarray] = []
    for i in range(n):
        if rows and rng.random() < 0.2:
            k = rng.integers(len(rows))
            rows.append({**rows[k], "id": f"doc-{rng.integers(10**6):06d}-{i}"})
            shingles.append(shingles[k])
            continue
        fresh = rng.integers(0, 2**32, 128)
        size = int(rng.integers(12, 40))
        new = rng.choice(2**32, size, replace=False)
        if rows and rng.random() < 0.6:
            k = rng.integers(len(rows))
            kept = rng.random(128) < rng.choice([0.2, 0.5, 0.8])
            minhash = np.where(kept, rows[k]["minhash"], fresh)
            base = shingles[k]
            share = rng.choice([0.3, 0.6, 0.8, 1.0])
            own = np.unique(np.concatenate((base[rng.random(len(base)) < share], new[: size // 3])))
        else:
            minhash, own = fresh, np.unique(new)
        shingles.append(own)
        rows.append(
            {
                "id": f"doc-{rng.integers(10**6):06d}-{i}",
                "n_chars": int(rng.integers(100, 104)),
                "n_shingles": len(own),
                "exact": f"{rng.integers(2**62):032x}",
                "minhash": [int(v) for v in minhash],
                "sample": [int(v) for v in own[:sample_size]],
            }
        )
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_passes_decide_as_one_process_for_any_buckets_and_workers(tmp_path: Path, seed: int):
    config = DedupConfig(threshold=0.5, candidate_jaccard=0.3, sample_size=24)
    rows = synthetic_rows(seed)
    expected = reference_decide(rows, config)
    clusters = {d.cluster for d in expected.values()}
    assert sum(d.reason == "dedup.exact_duplicate" for d in expected.values()) > 5
    assert max(sum(d.cluster == c for d in expected.values()) for c in clusters) >= 3
    # a document kept in a group whose first document does not hold it (a chain)
    assert any(d.reason is None and d.cluster != doc_id for doc_id, d in expected.items())
    chars = {r["id"]: r["n_chars"] for r in rows}
    assert any(d.reason and chars[doc_id] == chars[d.cluster] for doc_id, d in expected.items())  # a tie
    for buckets, workers, parts in [(1, 1, 1), (7, 2, 3), (16, 2, 5)]:
        folder = tmp_path / f"{buckets}-{workers}-{parts}"
        assert decide_rows(rows, config, folder, buckets, workers, parts) == expected
    near_only = DedupConfig(threshold=0.5, candidate_jaccard=0.3, sample_size=24, exact=False)
    decided = decide_rows(rows, near_only, tmp_path / "near-only", buckets=4)
    assert decided == reference_decide(rows, near_only)  # exact copies are found by their equal MinHashes
    exact_only = DedupConfig(threshold=0.5, candidate_jaccard=0.3, sample_size=24, near=False)
    decided = decide_rows(rows, exact_only, tmp_path / "exact-only", buckets=4)
    assert decided == reference_decide(rows, exact_only) and decided  # only the exact copies, no MinHash read


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_every_rejected_document_is_held_by_a_kept_one(tmp_path: Path, seed: int):
    config = DedupConfig(threshold=0.5, candidate_jaccard=0.3, sample_size=24)
    rows = synthetic_rows(seed, n=200)
    by_id = {r["id"]: r for r in rows}
    decided = decide_rows(rows, config, tmp_path / "signatures")
    kept = {doc_id for doc_id, d in decided.items() if d.reason is None}
    assert len(kept) > len({d.cluster for d in decided.values()})  # some groups keep more than one document
    for doc_id, d in decided.items():
        if d.reason is None:
            continue
        keeper = d.detail.split()[2]
        assert keeper in kept and by_id[keeper]["n_chars"] >= by_id[doc_id]["n_chars"]
        if d.reason == "dedup.exact_duplicate":
            assert by_id[keeper]["exact"] == by_id[doc_id]["exact"]
        else:
            assert float(d.detail.rsplit(" ", 1)[1].rstrip(")")) >= config.threshold


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


@pytest.mark.parametrize("n", [50, 1 << 16, (1 << 16) + 1, 1 << 31])
def test_grouped_orders_numbers_of_any_width(n: int):
    rng = np.random.default_rng(3)
    numbers = rng.integers(0, n, 5000).astype(np.int64 if n > 1 << 30 else np.int32)
    numbers[:3] = [n - 1, 0, n - 1]
    order = _grouped(numbers, n)
    assert np.array_equal(order, np.argsort(numbers, kind="stable"))  # sorted, and equal numbers in their order


def test_mapped_arrays_are_the_saved_ones_even_when_saved_again(tmp_path: Path):
    plan = Plan(tmp_path, ["part-00000.parquet"], DedupConfig(), 0, 0, 1, (0, 3))
    rows = np.zeros(3, dtype=[("n_chars", np.int64), ("exact", "S4"), ("minhash", np.uint32, (2,))])
    rows["exact"], rows["minhash"] = [b"ab", b"cd", b"ef"], [[1, 2], [3, 4], [5, 6]]
    _save(_array_path(plan, 0, "rows"), rows)
    found = mapped(plan, 0, "rows")
    assert found.dtype == rows.dtype and not found.flags.writeable
    assert found["exact"].tolist() == [b"ab", b"cd", b"ef"] and found["minhash"].tolist() == [[1, 2], [3, 4], [5, 6]]
    _save(_array_path(plan, 0, "rows"), np.arange(5, dtype=np.uint32))  # another layout: read again
    assert mapped(plan, 0, "rows").tolist() == [0, 1, 2, 3, 4]
    _save(_array_path(plan, 0, "rows"), np.zeros(0, dtype=np.uint32))
    assert mapped(plan, 0, "rows").tolist() == []


def test_more_documents_than_a_pair_code_holds_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "part-00000.parquet").touch()
    monkeypatch.setattr("cleaner.steps.dedup.read_rows", lambda part: 1 << 32)
    with pytest.raises(ValueError, match="split the corpus"):
        Dedup(DedupConfig()).decide(tmp_path, local_map)


def _reference_decisions(n: int, pairs: list[tuple[int, int, bool, float]]) -> dict[int, tuple[int, int | None, bool]]:
    """cluster_decisions spelt out plainly: groups by union-find, then down the kept order each unplaced document
    is kept and places the unplaced documents it is paired with. Document -> (group, keeper or None, same text)."""
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            k = parent[k]
        return k

    for a, b, _, _ in pairs:
        low, high = sorted((root(a), root(b)))
        parent[high] = low
    held: dict[int, list[tuple[int, bool]]] = {k: [] for k in range(n)}
    for a, b, same, _ in pairs:
        held[a].append((b, same))
        held[b].append((a, same))
    placed: dict[int, tuple[int | None, bool]] = {}
    for doc in range(n):
        if doc in placed:
            continue
        placed[doc] = (None, False)
        for other, same in held[doc]:
            placed.setdefault(other, (doc, same))
    return {k: (root(k), *placed[k]) for k in range(n)}


def test_cluster_decisions_match_a_plain_union_find_on_random_graphs():
    rng = np.random.default_rng(7)
    for n in (1, 2, 9, 60):
        codes = {tuple(sorted(p)) for p in rng.integers(0, n, size=(n, 2)).tolist() if p[0] != p[1]}
        pairs = [(a, b, bool(rng.integers(2)), float(rng.random())) for a, b in sorted(codes)]
        rng.shuffle(pairs)  # in no particular order: the decisions must not depend on it
        ids = [f"d{k:03d}" for k in range(n)]
        graph = Pairs(
            ids,
            dict.fromkeys(ids, 0),
            np.array([p[0] for p in pairs], dtype=np.int64),
            np.array([p[1] for p in pairs], dtype=np.int64),
            np.array([p[3] for p in pairs]),
            np.array([p[2] for p in pairs], dtype=bool),
        )
        decisions = cluster_decisions(graph)
        for k, (group, keeper, same) in _reference_decisions(n, pairs).items():
            decision = decisions[ids[k]]
            assert decision.cluster == ids[group]
            if keeper is None:
                assert decision.reason is None
            else:
                assert decision.reason == ("dedup.exact_duplicate" if same else "dedup.near_duplicate")
                assert decision.detail.startswith(f"duplicate of {ids[keeper]} ")
