"""Progress that survives a crash: what a run has finished, so that ``--resume`` does only the rest.

A run builds its output in a staging folder beside the destination (``OUT/<name>/.progress-build``). Each task,
once its parts are closed, writes a marker ``_progress/task-NNNNN.json`` (its counts and the files it wrote, with
their sizes) to a temporary name, syncs it and renames it: the marker is the last thing a task does, so a task
with a marker is complete. ``_progress/identity.json`` holds what the run is *of*: the tool version, the config
fingerprint, the input listing (names, sizes, modification stamps) and the task plan. A resumed run trusts the
markers only when its own identity is the same, and only the markers whose files are all still there, whole (a
Parquet footer is written last, so a file cut by a power loss has none).

The corpus phase (deduplication) rewrites documents parts in place. Before it starts, the runner keeps a hard
link to every cleaned part (:func:`keep_cleaned_parts`, free of copying), so that a crash inside that phase is
resumed by putting the cleaned parts back and deciding again.

Only one run at a time can own a progress folder: it is locked while the run lasts. A second run into the same
output meanwhile builds in a private staging folder of its own, and cannot be resumed.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from cleaner.pipeline import TaskResult

PROGRESS = "_progress"
TASK_PART = re.compile(r"part-(\d+)\.parquet")  # a task's part of a table (or of signatures)
CLEANED = "cleaned"  # hard links to the documents parts as cleaning left them, before the corpus phase


@dataclass
class Progress:
    """The staging folder a run builds in, and what an earlier, interrupted run already finished there."""

    staging: Path
    finished: dict[int, TaskResult] = field(default_factory=dict)
    note: str = ""  # what became of --resume, for the user ("resuming: 12 of 40 tasks already done")
    resumable: bool = True  # False when another run holds the progress folder (this one builds privately)
    _lock: int | None = None  # a file descriptor holding the lock

    def release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def progress_dir(destination: Path) -> Path:
    return destination.parent / f".progress-{destination.name}"


def open_progress(destination: Path, identity: dict[str, Any], resume: bool) -> Progress:
    """The staging folder for a run of ``identity`` into ``destination``; with ``resume``, the tasks an
    interrupted run of the same identity finished there. Without it, any earlier progress is discarded."""
    from cleaner.writer import make_staging

    staging = progress_dir(destination)
    staging.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(staging.parent, os.O_RDONLY)  # the dataset's folder itself: no lock file to leave behind
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        note = "another run is writing to this output: this one builds separately and cannot be resumed"
        return Progress(make_staging(destination), note=note if resume else "", resumable=False)
    progress = Progress(staging, _lock=lock)
    marker = staging / PROGRESS / "identity.json"
    if resume:
        earlier = _read_json(marker)
        if earlier is None:
            progress.note = "nothing to resume (no interrupted run in this output): starting afresh"
        elif (changed := _what_changed(earlier, identity)) is not None:
            progress.note = f"cannot resume: {changed} since the interrupted run; starting afresh"
        else:
            _restore_cleaned_parts(staging)  # first: the markers describe the parts as cleaning left them
            progress.finished = _finished_tasks(staging)
            _remove_unfinished(staging, set(progress.finished))
            progress.note = f"resuming: {len(progress.finished)} finished tasks kept"
            return progress
    shutil.rmtree(staging, ignore_errors=True)
    (staging / PROGRESS).mkdir(parents=True)
    _write_json(marker, identity)
    return progress


def record_task(staging: Path, result: TaskResult) -> None:
    """Mark task ``result.index`` as finished: its counts and the files it wrote (written last, atomically)."""
    folder = staging / PROGRESS
    if not folder.is_dir():  # a private staging folder (see open_progress): nothing will resume it
        return
    name = f"part-{result.index:05d}"
    files = {
        str(path.relative_to(staging)): path.stat().st_size
        for pattern in (f"*/{name}.parquet", f"_signatures/**/{name}.parquet")
        for path in staging.glob(pattern)
    }
    record: dict[str, Any] = {f.name: getattr(result, f.name) for f in fields(result)}  # asdict() mangles Counters
    record["written"] = files
    _write_json(folder / f"task-{result.index:05d}.json", record)


def keep_cleaned_parts(staging: Path) -> None:
    """Hard links to the parts the corpus phase rewrites or removes (the documents parts and the corpus steps'
    signatures), before it starts (see the module doc)."""
    kept = staging / PROGRESS / CLEANED
    if not (staging / PROGRESS).is_dir() or kept.is_dir():
        return
    temporary = kept.with_name(CLEANED + ".tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    for part in sorted([*staging.glob("documents/*.parquet"), *staging.glob("_signatures/**/*.parquet")]):
        link = temporary / part.relative_to(staging)
        link.parent.mkdir(parents=True, exist_ok=True)
        os.link(part, link)
    temporary.mkdir(exist_ok=True)
    os.replace(temporary, kept)


def finish(staging: Path) -> None:
    """Remove the progress records: what is left is the output, ready to be published."""
    shutil.rmtree(staging / PROGRESS, ignore_errors=True)


def _what_changed(earlier: dict[str, Any], now: dict[str, Any]) -> str | None:
    labels = {"tool": "the tool's version", "config": "the configuration", "input": "the input", "plan": "the input"}
    for key, label in labels.items():
        if earlier.get(key) != now.get(key):
            return f"{label} changed"
    return None


def _finished_tasks(staging: Path) -> dict[int, TaskResult]:
    finished = {}
    for marker in sorted((staging / PROGRESS).glob("task-*.json")):
        record = _read_json(marker)
        if record is None or not _all_whole(staging, record.pop("written", {})):
            continue
        for name in ("rejected", "removed_lines", "rows"):
            record[name] = Counter(record[name])
        record["digests"] = [tuple(d) for d in record["digests"]]
        result = TaskResult(**record)
        finished[result.index] = result
    return finished


def _all_whole(staging: Path, files: dict[str, int]) -> bool:
    for rel, size in files.items():
        path = staging / rel
        try:
            if path.stat().st_size != size:
                return False
            pq.read_metadata(path)
        except (OSError, ValueError):  # gone, or cut before its footer
            return False
    return True


def _restore_cleaned_parts(staging: Path) -> None:
    """Undo an interrupted corpus phase: the cleaned parts and signatures back as they were (what it wrote
    itself is removed with the other unfinished files, see :func:`_remove_unfinished`)."""
    kept = staging / PROGRESS / CLEANED
    if not kept.is_dir():
        return
    for link in sorted(kept.rglob("*.parquet")):
        current = staging / link.relative_to(kept)
        current.parent.mkdir(parents=True, exist_ok=True)
        if current.exists() and os.path.samefile(link, current):  # not rewritten (rename() would do nothing)
            link.unlink()
        else:
            os.replace(link, current)
    shutil.rmtree(kept)


def _remove_unfinished(staging: Path, finished: set[int]) -> None:
    """Remove every file but the parts of finished tasks: those of tasks the crash cut short, and whatever the
    stages after cleaning had written (they run again)."""
    for path in list(staging.rglob("*")):
        if PROGRESS in path.relative_to(staging).parts or not path.is_file():
            continue
        part = TASK_PART.fullmatch(path.name)
        if part is None or int(part.group(1)) not in finished:
            path.unlink()


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, record: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(record, handle, ensure_ascii=False, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
