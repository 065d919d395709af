"""What changed between two releases, by stable document id."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STAT_COLUMNS = ["id", "content_sha256", "n_words", "language"]


@dataclass
class ReleaseStats:
    version: str
    documents: int = 0
    words: int = 0
    languages: Counter = field(default_factory=Counter)
    schema: dict[str, str] = field(default_factory=dict)


@dataclass
class Diff:
    old: ReleaseStats
    new: ReleaseStats
    added: list[str]
    removed: list[str]
    changed: list[str]
    schema_added: dict[str, str]
    schema_removed: dict[str, str]
    schema_changed: dict[str, tuple[str, str]]

    def summary(self) -> str:
        """One line for a changelog."""
        line = (
            f"{self.new.version} (from {self.old.version}): documents {len(self.added)} added, "
            f"{len(self.removed)} removed, {len(self.changed)} changed"
        )
        if self.schema_added or self.schema_removed or self.schema_changed:
            columns = [f"+{c}" for c in self.schema_added] + [f"-{c}" for c in self.schema_removed]
            columns += [f"~{c}" for c in self.schema_changed]
            line += "; columns " + " ".join(columns)
        return line

    def to_dict(self) -> dict[str, Any]:
        def stats(s: ReleaseStats) -> dict[str, Any]:
            return {"version": s.version, "documents": s.documents, "words": s.words, "languages": dict(s.languages)}

        return {
            "old": stats(self.old),
            "new": stats(self.new),
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "schema": {"added": self.schema_added, "removed": self.schema_removed, "changed": self.schema_changed},
        }


def read_release(release: Path) -> tuple[ReleaseStats, dict[str, str]]:
    """Statistics of a release and its documents' content hashes by id."""
    import pyarrow.parquet as pq

    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    stats = ReleaseStats(version=manifest["version"], schema=dict(manifest["schema"]))
    hashes: dict[str, str] = {}
    for part in sorted((release / "data").glob("*.parquet")):
        table = pq.read_table(part, columns=STAT_COLUMNS)
        for row in table.to_pylist():
            hashes[row["id"]] = row["content_sha256"]
            stats.documents += 1
            stats.words += row["n_words"]
            stats.languages[row["language"] or "und"] += 1
    return stats, hashes


def diff(old_release: Path, new_release: Path) -> Diff:
    old, old_hashes = read_release(old_release)
    new, new_hashes = read_release(new_release)
    return Diff(
        old=old,
        new=new,
        added=sorted(new_hashes.keys() - old_hashes.keys()),
        removed=sorted(old_hashes.keys() - new_hashes.keys()),
        changed=sorted(i for i in new_hashes.keys() & old_hashes.keys() if new_hashes[i] != old_hashes[i]),
        schema_added={k: v for k, v in new.schema.items() if k not in old.schema},
        schema_removed={k: v for k, v in old.schema.items() if k not in new.schema},
        schema_changed={k: (old.schema[k], v) for k, v in new.schema.items() if k in old.schema and old.schema[k] != v},
    )
