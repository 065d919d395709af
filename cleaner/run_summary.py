"""What a run reports: its summary (the counts the CLI prints), its record (``run.json``), its errors.

Kept apart from :mod:`cleaner.runner`, which drives the stages, so that the record a build carries, and the checks
that every record read is accounted for, read in one place.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleaner import __version__
from cleaner.pipeline import Counts

if TYPE_CHECKING:
    from cleaner.config import Config


class RunError(Exception):
    """A run that cannot start or produced nothing; the message says what to do."""


class Interrupted(Exception):
    """The run was stopped by a signal; nothing was published."""


@dataclass
class RunSummary(Counts):
    raw_dir: str = ""
    output: str = ""
    files: int = 0
    hidden: list[str] = field(default_factory=list)
    skipped_output: str = ""  # the output folder, relative to the input folder, when it lies inside it
    seconds: float = 0.0
    input_fingerprint: str = ""
    workers: int = 1
    validation: Any = None  # a cleaner.validate.Report when the run validated its output
    validation_skipped: str = ""
    engine: str = "local"
    resume_note: str = ""  # what became of --resume
    retried: list[str] = field(default_factory=list)  # tasks run again after their worker died (the engine's words)
    digests: list[tuple[str, int, str]] = field(default_factory=list)  # (file, size, SHA-256) of every input

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def readable(self) -> int:
        """Records that could be read at all (kept, or rejected by a step rather than by the reader)."""
        return self.read - sum(n for reason, n in self.rejected.items() if reason.startswith("read."))


def check_accounting(summary: RunSummary) -> None:
    """Every record read is either kept or rejected, and each table holds exactly what the counts say."""
    if summary.read != summary.kept + summary.rejected_total:
        raise RuntimeError(
            f"accounting: read {summary.read} != kept {summary.kept} + rejected {summary.rejected_total}"
        )
    if summary.rows["documents"] != summary.kept or summary.rows["rejects"] != summary.rejected_total:
        raise RuntimeError(f"accounting: tables hold {dict(summary.rows)}, counts say kept {summary.kept}")


def input_fingerprint(digests: list[tuple[str, int, str]]) -> str:
    """A hash of every input file's name, size and content: equal fingerprints, equal inputs."""
    hasher = hashlib.sha256()
    for rel, size, digest in sorted(digests):
        hasher.update(f"{rel}\t{size}\t{digest}\n".encode())
    return hasher.hexdigest()


def write_run_json(path: Path, summary: RunSummary, config: Config, tasks: int) -> None:
    record = {
        "tool": {"name": "cleaner", "version": __version__, "python": platform.python_version()},
        "input": {
            "folder": summary.raw_dir,
            "files": summary.files,
            "bytes": summary.bytes_in,
            "fingerprint": summary.input_fingerprint,
            "hidden_files_ignored": summary.hidden,
            "output_folder_ignored": summary.skipped_output or None,
        },
        "counts": {
            "read": summary.read,
            "kept": summary.kept,
            "rejected": summary.rejected_total,
            "rejected_by_reason": dict(sorted(summary.rejected.items())),
            "removed_lines_by_reason": dict(sorted(summary.removed_lines.items())),
            "words_kept": summary.words_kept,
            "audit_rows": summary.rows["audit"],
            "edit_rows": summary.rows["edits"],
        },
        "config": config.to_dict(),
        "config_source": config.source,
        "config_fingerprint": config.fingerprint(),
        "execution": {
            "engine": summary.engine,
            "workers": summary.workers,
            "tasks": tasks,
            "tasks_run_again": summary.retried,
            "seconds": round(summary.seconds, 3),
        },
    }
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
