"""The work of a run, cut into tasks: runs of small files, and slices of large files of many records.

A task is what one worker takes at a time: it reads, cleans and writes one part of each output table. Most
corpora are many small files, and a task is a run of consecutive files of bounded size. A corpus of a few large
shards (a 2 GB JSON Lines dump, a Parquet export, a WARC archive) would then give each file to one core and leave
the others idle, so a large file of records is read here, in the main process, and its records are handed to the
workers in slices of bounded size. Reading and parsing run at tens of MB/s, cleaning at about one, so one reader
keeps every worker fed; the costly part of reading a WARC page, extracting its text, is left to the worker.

How the input is cut depends on the input alone, never on the number of workers: the parts, and their bytes, are
the same whatever ``--workers``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cleaner.document import Document, Pending, Reject
from cleaner.readers import InputFile, Position, format_for, read_file
from cleaner.readers.decode import strip_compression
from cleaner.readers.limits import DEFAULT_LIMITS, Limits

# Web text compresses 2.5 to 5 times with gzip or zstd: a middle guess of what a compressed file holds, used only
# to plan tasks of similar size.
COMPRESSION_RATIO = 4


@dataclass(frozen=True, slots=True)
class LargeFile:
    """A file the plan hands out in slices (see :func:`slices`)."""

    file: InputFile


@dataclass(slots=True)
class Slice:
    """Consecutive records of one large file, already read.

    ``bytes_in`` is the share of the file's stored bytes they came from (for progress); ``digest``, the file's
    SHA-256, is set on its last slice only, which is when the file counts as done."""

    file: InputFile
    records: list[Document | Reject | Pending]
    bytes_in: int
    digest: str | None = None


Planned = list[InputFile] | LargeFile
Task = list[InputFile] | Slice


def volume(file: InputFile) -> int:
    """About how many bytes of text ``file`` holds."""
    return file.size * COMPRESSION_RATIO if strip_compression(file.rel)[1] else file.size


def plan_tasks(
    files: list[InputFile], max_bytes: int, max_files: int, min_tasks: int = 16
) -> tuple[list[Planned], int]:
    """Cut the sorted file list into consecutive runs of at most ``max_bytes`` of text and ``max_files`` files,
    and into at least ``min_tasks`` when there is that much input, so that a small corpus still keeps every core
    busy. A file of records larger than a task is planned alone, to be read in slices; any other larger file is
    a task of its own. Returns the plan and the task size used (bytes of text)."""
    total = sum(volume(f) for f in files)
    max_bytes = max(1, min(max_bytes, -(-total // min_tasks)))
    max_files = max(1, min(max_files, -(-len(files) // min_tasks)))
    plan: list[Planned] = []
    current: list[InputFile] = []
    size = 0
    for file in files:
        if volume(file) > max_bytes and _sliceable(file):
            if current:
                plan.append(current)
                current, size = [], 0
            plan.append(LargeFile(file))
            continue
        if current and (size + volume(file) > max_bytes or len(current) >= max_files):
            plan.append(current)
            current, size = [], 0
        current.append(file)
        size += volume(file)
    if current:
        plan.append(current)
    return plan, max_bytes


def _sliceable(file: InputFile) -> bool:
    """A file of many records (JSON Lines, Parquet, WARC), which the main process can read and hand out in slices:
    a WARC page's text is then extracted by the worker that cleans it (see cleaner.document.Pending)."""
    form = format_for(file.rel)
    return form is not None and form.sliceable


def files_of(planned: Planned) -> list[InputFile]:
    """The input files of a planned task."""
    return [planned.file] if isinstance(planned, LargeFile) else planned


def tasks(plan: list[Planned], max_bytes: int, limits: Limits = DEFAULT_LIMITS) -> Iterator[Task]:
    """The tasks of a plan, in order; large files are read as they are reached, one slice at a time, within
    ``limits`` (the run's, from ``[run]``: a slice's records are read here, not in the worker)."""
    for planned in plan:
        if isinstance(planned, LargeFile):
            yield from slices(planned.file, max_bytes, limits)
        else:
            yield planned


def slices(file: InputFile, max_bytes: int, limits: Limits = DEFAULT_LIMITS) -> Iterator[Slice]:
    """The records of ``file`` in slices of about ``max_bytes`` of text each (the last one carries the digest)."""
    digests: dict[str, str] = {}
    position = Position()
    records: list[Document | Reject | Pending] = []
    size = reported = 0
    for record in read_file(file, digests, position, defer=True, limits=limits):
        records.append(record)
        size += (record.size if isinstance(record, Pending) else len(record.text or "")) + 1
        if size >= max_bytes:
            done = max(reported, min(file.size, position()))
            yield Slice(file, records, done - reported)
            records, size, reported = [], 0, done
    yield Slice(file, records, file.size - reported, digests.get(file.rel, "unreadable"))
