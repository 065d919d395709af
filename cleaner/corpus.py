"""Applying corpus steps: decisions over all documents, made once every task has run.

Each corpus step reads the signatures the workers wrote, decides, and the documents parts it touches are
rewritten: decided clusters go into ``duplicate_cluster``, rejected documents move to a rejects part of their own
(``rejects/<step>-00000.parquet``), with the cleaned text they had. Parts with nothing to change are left as they
are. The accounting moves each rejected document from kept to rejected.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cleaner.document import Reject
from cleaner.pipeline import Pipeline, signature_dir
from cleaner.schema import REJECT_SCHEMA, reject_row
from cleaner.steps import Decision
from cleaner.writer import PARQUET_OPTIONS, PartWriter


def apply_corpus_steps(pipeline: Pipeline, staging: Path) -> Counter:
    """Run every corpus step's decision over the staged output; returns rejected documents by reason."""
    rejected: Counter = Counter()
    for step in pipeline.corpus_steps:
        folder = signature_dir(staging, step.name)
        parts = sorted(folder.glob("*.parquet"))
        signatures = pa.concat_tables([pq.read_table(p) for p in parts]) if parts else None
        decisions = step.decide(signatures) if signatures is not None and signatures.num_rows else {}
        if decisions:
            rejected += _rewrite(staging, step.name, decisions)
    shutil.rmtree(staging / "_signatures", ignore_errors=True)
    return rejected


def _rewrite(staging: Path, step: str, decisions: dict[str, Decision]) -> Counter:
    rejected: Counter = Counter()
    rejects = PartWriter(staging / "rejects" / f"{step}-00000.parquet", REJECT_SCHEMA)
    for part in sorted((staging / "documents").glob("*.parquet")):
        ids = pq.read_table(part, columns=["id"])["id"].to_pylist()
        if not any(doc_id in decisions for doc_id in ids):
            continue
        table = pq.read_table(part)
        clusters = [
            decisions[doc_id].cluster if doc_id in decisions else cluster
            for doc_id, cluster in zip(ids, table["duplicate_cluster"].to_pylist(), strict=True)
        ]
        table = table.set_column(
            table.schema.get_field_index("duplicate_cluster"), "duplicate_cluster", pa.array(clusters, pa.string())
        )
        dropped = [doc_id in decisions and decisions[doc_id].reason is not None for doc_id in ids]
        keep = pa.array([not drop for drop in dropped], pa.bool_())
        for row in table.filter(pa.array(dropped, pa.bool_())).select(["id", "source", "text"]).to_pylist():
            decision = decisions[row["id"]]
            reject = Reject(row["id"], row["source"], decision.reason, decision.detail, row["text"])
            rejects.add(reject_row(reject, decision.cluster), len(row["text"]))
            rejected[decision.reason] += 1
        table = table.filter(keep)
        temporary = part.with_suffix(".rewrite")
        pq.write_table(table, temporary, **PARQUET_OPTIONS)
        os.replace(temporary, part)
    rejects.close()
    return rejected
