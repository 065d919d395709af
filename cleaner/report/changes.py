"""A release's changes against the previous one (:mod:`cleaner.publish.diff`), with an example of each kind."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

EXAMPLE_CHARS = 600
DIFF_LINES = 40


def changes(previous: Path, release: Path) -> dict[str, Any]:
    """Counts of documents added, removed and changed, and the first (by id) of each shown."""
    from cleaner.publish.diff import diff

    result = diff(previous, release)
    examples: dict[str, Any] = {}
    if result.added:
        examples["added"] = {"id": result.added[0], "text": _text(release, result.added[0])[:EXAMPLE_CHARS]}
    if result.removed:
        examples["removed"] = {"id": result.removed[0], "text": _text(previous, result.removed[0])[:EXAMPLE_CHARS]}
    if result.changed:
        doc_id = result.changed[0]
        lines = difflib.unified_diff(
            _text(previous, doc_id).splitlines(),
            _text(release, doc_id).splitlines(),
            result.old.version,
            result.new.version,
            lineterm="",
            n=1,
        )
        examples["changed"] = {"id": doc_id, "diff": "\n".join(list(lines)[:DIFF_LINES])}
    return {
        "old": result.old.version,
        "new": result.new.version,
        "summary": result.summary(),
        "added": len(result.added),
        "removed": len(result.removed),
        "changed": len(result.changed),
        "documents": [result.old.documents, result.new.documents],
        "words": [result.old.words, result.new.words],
        "examples": examples,
    }


def _text(release: Path, doc_id: str) -> str:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    for part in sorted((release / "data").glob("*.parquet")):
        table = pq.read_table(part, columns=["id", "text"])
        found = table.filter(pc.equal(table["id"], doc_id))
        if found.num_rows:
            return found["text"][0].as_py()
    return ""
