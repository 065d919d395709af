"""Readers turn input files into a stream of :class:`~cleaner.document.Document` (or rejects).

One module per format; the format is chosen by file name (after stripping ``.gz``/``.zst``), from the table in
:data:`READERS`. A reader never raises for bad input: whole-file problems become one reject for the file,
per-record problems one reject for the record, each with a reason and a message saying what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cleaner.document import Document, Reject, stable_id
from cleaner.readers import html, jsonl, parquet, text, warc
from cleaner.readers.decode import ReadError, strip_compression


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file found in the input folder: its path, and its name relative to the folder (the ``source``)."""

    path: Path
    rel: str
    size: int


Reader = Callable[[Path, str], Iterator[Document | Reject]]

# Longest suffixes first, so that ``.warc.gz`` is not taken for a gzip-compressed ``.warc`` by the generic rule.
READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".md": text.read,
    ".html": html.read,
    ".htm": html.read,
    ".jsonl": jsonl.read,
    ".json": jsonl.read,
    ".parquet": parquet.read,
    ".warc": warc.read,
}


def reader_for(name: str) -> Reader | None:
    """The reader for a file name, looking through one compression suffix (``a.jsonl.zst`` -> jsonl)."""
    base, _ = strip_compression(name)
    suffix = Path(base).suffix.lower()
    return READERS.get(suffix)


def discover(raw_dir: Path) -> tuple[list[InputFile], list[str]]:
    """All input files below ``raw_dir``, sorted by relative path, and the hidden files that were passed over.

    Sorting makes the run's order, and so its output, independent of the file system's listing order.
    """
    files: list[InputFile] = []
    hidden: list[str] = []
    for path in raw_dir.rglob("*"):
        rel = path.relative_to(raw_dir).as_posix()
        if any(part.startswith(".") for part in path.relative_to(raw_dir).parts):
            if path.is_file():
                hidden.append(rel)
            continue
        if path.is_file():
            files.append(InputFile(path=path, rel=rel, size=path.stat().st_size))
    files.sort(key=lambda f: f.rel)
    hidden.sort()
    return files, hidden


def read_file(file: InputFile) -> Iterator[Document | Reject]:
    """Every record of one input file, as documents or rejects; never raises for bad input."""
    reader = reader_for(file.rel)
    if reader is None:
        yield Reject(
            id=stable_id(file.rel),
            source=file.rel,
            reason="read.unsupported_format",
            detail=f"{file.rel}: no reader for this file type; supported: {', '.join(sorted(READERS))}"
            " (optionally .gz or .zst compressed)",
        )
        return
    if file.size == 0:
        yield Reject(
            id=stable_id(file.rel),
            source=file.rel,
            reason="read.empty",
            detail=f"{file.rel}: the file is empty",
        )
        return
    count = 0
    try:
        for record in reader(file.path, file.rel):
            count += 1
            yield record
    except ReadError as err:
        count += 1
        yield Reject(id=stable_id(file.rel), source=file.rel, reason=err.reason, detail=err.message)
    if count == 0:  # a file that yields nothing must still be accounted for
        yield Reject(
            id=stable_id(file.rel),
            source=file.rel,
            reason="read.no_records",
            detail=f"{file.rel}: holds no documents (no records, or no HTML responses in a WARC)",
        )
