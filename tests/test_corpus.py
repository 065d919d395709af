from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from cleaner import config as config_module
from cleaner.runner import output_dir, run
from tests.steps.test_dedup import ARTICLE, OTHER


def corpus(raw: Path) -> Path:
    """Five files, one task each: part 1 is a shorter copy of part 3; parts 0, 2 and 4 have no duplicate."""
    raw.mkdir()
    library = "The library opened a reading room for children on the first floor, with two thousand new books."
    texts = [OTHER, ARTICLE, library, "Menu\n" + ARTICLE + "\nRead more", " ".join(reversed(OTHER.split()))]
    for i, text in enumerate(texts):
        (raw / f"{i}.txt").write_text(text, encoding="utf-8")
    return raw


def digests(build: Path) -> dict[str, str]:
    return {
        str(p.relative_to(build)): hashlib.sha256(p.read_bytes()).hexdigest()
        for table in ("documents", "rejects")
        for p in sorted((build / table).glob("*.parquet"))
    }


def test_each_touched_part_gets_its_own_rejects_part_and_any_workers_give_the_same_bytes(tmp_path: Path):
    raw = corpus(tmp_path / "raw")
    config = config_module.parse({"pipeline": ["whitespace", "dedup"], "run": {"task_files": 1}})
    outputs = []
    for workers in (1, 2):
        run(raw, tmp_path / f"out{workers}", config, workers=workers)
        outputs.append(output_dir(tmp_path / f"out{workers}", config))
    build = outputs[0]
    assert digests(build) == digests(outputs[1])
    assert sorted(p.name for p in (build / "rejects").glob("dedup-*.parquet")) == ["dedup-00001.parquet"]
    [reject] = pq.read_table(build / "rejects" / "dedup-00001.parquet").to_pylist()
    assert reject["source"] == "1.txt" and reject["reason"] == "dedup.near_duplicate"
    assert pq.read_table(build / "documents" / "part-00001.parquet").num_rows == 0
    [keeper] = pq.read_table(build / "documents" / "part-00003.parquet").to_pylist()
    assert reject["duplicate_cluster"] == keeper["id"] == keeper["duplicate_cluster"]
    for part in (0, 2, 4):  # no decision: the cluster is the document's own
        [doc] = pq.read_table(build / "documents" / f"part-{part:05d}.parquet").to_pylist()
        assert doc["duplicate_cluster"] == doc["id"]
