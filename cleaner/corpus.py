"""Applying corpus steps: decisions over all documents, made once every task has run.

Each corpus step decides from the signatures the workers wrote, in passes of tasks (see
:meth:`cleaner.steps.CorpusStep.decide`). Its decisions are then applied by one task per documents part that they
touch: decided clusters go into ``duplicate_cluster``, rejected documents move to a rejects part of that part's own
(``rejects/<step>-NNNNN.parquet`` beside ``documents/part-NNNNN.parquet``), with the cleaned text they had. Parts
with nothing to change are left as they are. The accounting moves each rejected document from kept to rejected.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cleaner.document import Reject
from cleaner.engine.local import default_workers, run_ordered
from cleaner.pipeline import Pipeline, signature_dir
from cleaner.schema import REJECT_SCHEMA, reject_row
from cleaner.steps import Decision, MapOrdered
from cleaner.steps.dedup_passes import read_columns
from cleaner.writer import PARQUET_OPTIONS, PartWriter

DECISION_SCHEMA = pa.schema(
    [("id", pa.string()), ("cluster", pa.string()), ("reason", pa.string()), ("detail", pa.string())]
)


def local_map(workers: int | None = None) -> MapOrdered:
    """``map_ordered`` on this machine's forked pool."""
    return functools.partial(run_ordered, workers=workers or default_workers())


@dataclass
class Moved:
    """What corpus steps moved from kept to rejected: documents by reason, and the words they held."""

    rejected: Counter = field(default_factory=Counter)
    words: int = 0

    def __iadd__(self, other: Moved) -> Moved:
        self.rejected += other.rejected
        self.words += other.words
        return self


def apply_corpus_steps(pipeline: Pipeline, staging: Path, map_ordered: MapOrdered | None = None) -> Moved:
    """Run every corpus step's decision over the staged output; returns what moved to the rejects."""
    import pyarrow.compute  # noqa: F401 (imported before the passes fork: each worker would import it for filter())

    map_ordered = map_ordered or local_map()
    moved_all = Moved()
    for step in pipeline.corpus_steps:
        folder = signature_dir(staging, step.name)
        by_part = step.decide(folder, map_ordered) if any(folder.glob("part-*.parquet")) else {}
        (folder / "decisions").mkdir(parents=True, exist_ok=True)
        for part, decisions in by_part.items():  # what each rewriting task reads
            rows = [
                {"id": i, "cluster": d.cluster, "reason": d.reason, "detail": d.detail} for i, d in decisions.items()
            ]
            pq.write_table(pa.Table.from_pylist(rows, DECISION_SCHEMA), folder / "decisions" / part)
        job = functools.partial(rewrite_part, staging, step.name)
        for moved in map_ordered(job, sorted(by_part)):
            moved_all += moved
    shutil.rmtree(staging / "_signatures", ignore_errors=True)
    return moved_all


def rewrite_part(staging: Path, step: str, part_name: str) -> Moved:
    """Apply a step's decisions to one documents part; its rejected documents go to the step's rejects part of
    the same number. Returns what moved (documents by reason, their words)."""
    decided = read_columns(signature_dir(staging, step) / "decisions" / part_name).to_pylist()
    decisions = {row["id"]: Decision(row["cluster"], row["reason"], row["detail"]) for row in decided}
    part = staging / "documents" / part_name
    moved = Moved()
    table = read_columns(part)
    ids = table["id"].to_pylist()
    clusters = [
        decisions[doc_id].cluster if doc_id in decisions else cluster
        for doc_id, cluster in zip(ids, table["duplicate_cluster"].to_pylist(), strict=True)
    ]
    table = table.set_column(
        table.schema.get_field_index("duplicate_cluster"), "duplicate_cluster", pa.array(clusters, pa.string())
    )
    dropped = [doc_id in decisions and decisions[doc_id].reason is not None for doc_id in ids]
    if any(dropped):
        number = part_name.removeprefix("part-")
        rejects = PartWriter(staging / "rejects" / f"{step}-{number}", REJECT_SCHEMA)
        for row in table.filter(pa.array(dropped, pa.bool_())).select(["id", "source", "text", "n_words"]).to_pylist():
            decision = decisions[row["id"]]
            reject = Reject(row["id"], row["source"], decision.reason, decision.detail, row["text"])
            rejects.add(reject_row(reject, decision.cluster), len(row["text"]))
            moved.rejected[decision.reason] += 1
            moved.words += row["n_words"]
        rejects.close()
    table = table.filter(pa.array([not drop for drop in dropped], pa.bool_()))
    temporary = part.with_suffix(".rewrite")
    pq.write_table(table, temporary, **PARQUET_OPTIONS)
    os.replace(temporary, part)
    return moved
