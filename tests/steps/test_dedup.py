from __future__ import annotations

from pathlib import Path

import numpy as np

from cleaner import config as config_module
from cleaner.document import Document
from cleaner.runner import output_dir, run
from cleaner.steps.dedup import Dedup, DedupConfig, candidate_pairs, containment
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


def decide(texts: dict[str, str], **options):
    step = Dedup(DedupConfig(**options))
    import pyarrow as pa

    rows = [step.sign(Document(id=doc_id, text=text, source=doc_id)) for doc_id, text in texts.items()]
    return step.decide(pa.Table.from_pylist(rows, schema=step.signature_schema))


def test_exact_near_and_distinct():
    syndicated = "Share this article\n" + ARTICLE.replace("Tuesday", "Tuesday evening") + "\nSubscribe now"
    decisions = decide({"a": ARTICLE, "b": ARTICLE, "c": syndicated, "d": OTHER})
    keeper = "c"  # the longest copy is kept
    assert decisions["c"].cluster == keeper and decisions["c"].reason is None
    assert decisions["a"].cluster == keeper and decisions["a"].reason == "dedup.near_duplicate"
    assert decisions["b"].reason == "dedup.near_duplicate"
    assert decisions["a"].detail.startswith("duplicate of c")
    assert "d" not in decisions


def test_exact_copies_tie_break_on_smallest_id():
    decisions = decide({"b": ARTICLE, "a": ARTICLE})
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


def test_candidate_pairs_share_a_whole_band():
    hashes = np.array(
        [
            [1, 2, 3, 4, 5, 6],
            [1, 2, 9, 9, 9, 9],  # band 1 as row 0's
            [7, 2, 3, 4, 8, 8],  # half of row 0's band 1 (not enough), all of its band 2
            [7, 8, 9, 9, 0, 0],  # band 2 as row 1's; (7, 8) is not row 2's (7, 2)
        ],
        dtype=np.uint32,
    )
    pairs = candidate_pairs(hashes, bands=3, width=2)
    assert pairs.tolist() == [[0, 1], [0, 2], [1, 3]]
