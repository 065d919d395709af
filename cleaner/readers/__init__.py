"""Readers turn input files into a stream of :class:`~cleaner.document.Document` (or rejects).

One module per format; the format is chosen by file name (after stripping ``.gz``/``.zst``), from the table in
:data:`READERS`. A reader never raises for bad input: whole-file problems become one reject for the file,
per-record problems one reject for the record, each with a reason and a message saying what to do.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cleaner.document import Document, Pending, Reject, stable_id
from cleaner.readers import html, jsonl, parquet, remote, text, warc
from cleaner.readers.decode import RawInput, ReadError, strip_compression
from cleaner.readers.limits import DEFAULT_LIMITS, Limits


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file found in the input folder: its path, and its name relative to the folder (the ``source``).

    ``path`` is a plain string: a corpus has millions of files, and ``pathlib`` objects cost more to make than
    the file costs to open. ``problem``: why a path found in the input folder cannot be read at all (a folder that
    cannot be listed), for its reject; None for every ordinary file."""

    path: str
    rel: str
    size: int
    problem: str | None = None


Reader = Callable[[RawInput], Iterator[Document | Reject | Pending]]


@dataclass(frozen=True, slots=True)
class Format:
    """A reader and what it can do, declared so that callers ask (``format_for(name).sliceable``) instead of
    comparing functions.

    ``sliceable``: its records can be read in slices by several tasks; ``surveyable``: its text can be surveyed
    before cleaning; ``html``: it carries HTML pages to extract."""

    read: Reader
    sliceable: bool = False
    surveyable: bool = False
    html: bool = False


TEXT = Format(text.read, surveyable=True)
HTML = Format(html.read, html=True)
JSONL = Format(jsonl.read, sliceable=True, surveyable=True)
PARQUET = Format(parquet.read, sliceable=True, surveyable=True)
WARC = Format(warc.read, sliceable=True, html=True)

# Files up to this size are read into memory once: hashed for the input fingerprint and parsed from the same
# bytes. Larger ones are streamed, and hashed in a separate pass.
IN_MEMORY_BYTES = 64 << 20

FORMATS: dict[str, Format] = {
    ".txt": TEXT,
    ".md": TEXT,
    ".html": HTML,
    ".htm": HTML,
    ".jsonl": JSONL,
    ".json": JSONL,
    ".parquet": PARQUET,
    ".warc": WARC,
}
# The readers alone, by suffix (the older name, kept for callers that want only the function).
READERS: dict[str, Reader] = {suffix: fmt.read for suffix, fmt in FORMATS.items()}


def format_for(name: str) -> Format | None:
    """The format of a file name, looking through one compression suffix (``a.jsonl.zst`` -> jsonl)."""
    base, _ = strip_compression(name)
    return FORMATS.get(os.path.splitext(base)[1].lower())


def reader_for(name: str) -> Reader | None:
    """The reader for a file name (see :func:`format_for`)."""
    fmt = format_for(name)
    return fmt.read if fmt is not None else None


def discover(raw_dir: Path, skip: Path | None = None) -> tuple[list[InputFile], list[str]]:
    """All input files below ``raw_dir``, sorted by relative path, and the hidden files that were passed over.

    Sorting makes the run's order, and so its output, independent of the file system's listing order. Links to
    folders are followed, but every folder is read once: a link back up the tree (a loop) or a second way into a
    folder would otherwise read its files again, or forever. A folder reached both directly and through a link is
    read under its own path. ``skip``: a folder (resolved) whose files are not input, such as the run's own output
    folder when it lies inside.
    """
    files: list[InputFile] = []
    hidden: list[str] = []
    seen = {_identity(raw_dir)}
    pending = [(str(raw_dir), "")]
    links: list[tuple[str, str]] = []  # folders behind links: entered once everything else has been walked
    while pending or links:
        if pending:
            folder, prefix = pending.pop()
        else:
            links.sort(key=lambda link: link[1], reverse=True)
            folder, prefix = links.pop()  # the first by relative path
            if (identity := _identity(folder)) is None or identity in seen:
                continue  # a link that stopped leading anywhere is a file of its own: see _is_folder
            seen.add(identity)
        folders = []
        try:
            entries = list(os.scandir(folder))
        except OSError as err:  # no permission, or gone since it was seen: a reject, not a crash or a silence
            if prefix:
                problem = f"cannot list this folder ({err.strerror or err}); check its permissions"
                files.append(InputFile(path=folder, rel=prefix.rstrip("/"), size=0, problem=problem))
                continue
            raise
        for entry in entries:
            if _is_folder(entry):
                folders.append(entry)
                continue
            rel = prefix + _name(entry)
            if entry.name.startswith(".") or "/." in "/" + prefix:
                hidden.append(rel)
            else:
                files.append(InputFile(path=entry.path, rel=rel, size=_size(entry)))
        for entry in sorted(folders, key=lambda e: e.name):  # in name order, whatever the listing order
            if skip is not None and os.path.realpath(entry.path) == str(skip):
                continue
            if entry.is_symlink():
                links.append((entry.path, prefix + _name(entry) + "/"))
            elif (identity := _identity(entry.path)) is not None and identity not in seen:
                seen.add(identity)
                pending.append((entry.path, prefix + _name(entry) + "/"))
    files.sort(key=lambda f: f.rel)
    hidden.sort()
    return files, hidden


def _name(entry: os.DirEntry) -> str:
    """An entry's name as text: a name that is not UTF-8 (a Latin-1 file system, an old archive) comes from the OS
    with its stray bytes as lone surrogates, which no id, message or Parquet file can hold; they are written as
    ``\\xe9`` instead. The file is still opened by its real path."""
    try:
        entry.name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(entry.name).decode("utf-8", "backslashreplace")
    return entry.name


def _identity(path: str | Path) -> tuple[int, int] | None:
    """What a folder is on disk (device and inode), to enter each once; None when it has gone."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _is_folder(entry: os.DirEntry) -> bool:
    """Whether an entry is a folder to walk into, following links. Everything else is an input and ends in the
    dataset or in the rejects: a file; a link that points nowhere or to itself (its open fails: read.unreadable);
    a FIFO, socket or device (never opened: read.not_a_file), so no path found in the input folder goes unsaid."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _size(entry: os.DirEntry) -> int:
    """The size of the file behind an entry; 0 for a link that cannot be followed (it is rejected on open)."""
    try:
        return entry.stat().st_size
    except OSError:
        return 0


class NotAFile(OSError):
    """A path in the input folder that is no regular file (a FIFO, a socket, a device, a folder)."""


def open_binary(path: str) -> BinaryIO:
    """The stored bytes of an input file, local or remote (see :mod:`cleaner.readers.remote`): the one place
    where input files are opened."""
    return remote.open_remote(path) if remote.is_remote(path) else _open_local(path)


def _open_local(path: str) -> BinaryIO:
    """A local file, opened only if it is a regular file: without blocking, so that a FIFO (whose open would wait
    for a writer forever) or a device (``/dev/zero`` never ends) is refused instead of hanging the run."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFile(f"not a regular file but {_what(mode)}")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _what(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a device")


def file_digest(path: str) -> str:
    with open_binary(path) as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class Position:
    """How far a reader has got into a file's stored bytes: the progress of a large file read in slices.

    Only an estimate (streams read ahead, Parquet reads its footer first), and 0 before the file is opened or
    after it is closed."""

    def __init__(self) -> None:
        self._handle: BinaryIO | None = None

    def watch(self, handle: BinaryIO) -> BinaryIO:
        self._handle = handle
        return handle

    def __call__(self) -> int:
        try:
            return self._handle.tell() if self._handle is not None else 0
        except (OSError, ValueError):  # closed
            return 0


def open_input(
    file: InputFile, position: Position | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[RawInput, str]:
    """The file ready for its reader, and the SHA-256 of its stored bytes (for the input fingerprint)."""
    watch = position.watch if position is not None else _unwatched
    if file.size <= IN_MEMORY_BYTES:
        with open_binary(file.path) as handle:
            # As many bytes as the listing found, and one more: a read of n bytes first allocates n, and asking
            # for the whole in-memory limit each time (a 64 MB mapping made and dropped) tripled the CPU of opening
            # a small file. A file grown since it was listed is read on to the limit, and then as a large file.
            data = handle.read(file.size + 1)
            if len(data) > file.size:
                data += handle.read(IN_MEMORY_BYTES + 1 - len(data))
        if len(data) <= IN_MEMORY_BYTES:
            opener = lambda: watch(io.BytesIO(data))  # noqa: E731
            return RawInput(file.rel, opener, data, limits), hashlib.sha256(data).hexdigest()
    return RawInput(file.rel, lambda: watch(open_binary(file.path)), limits=limits), file_digest(file.path)


def _unwatched(handle: BinaryIO) -> BinaryIO:
    return handle


def read_file(
    file: InputFile,
    digests: dict[str, str] | None = None,
    position: Position | None = None,
    defer: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Document | Reject | Pending]:
    """Every record of one input file, as documents or rejects; never raises for bad input.

    When ``digests`` is given, the file's SHA-256 (or ``unreadable``) is recorded in it under ``file.rel``;
    ``position`` follows the reading (see :class:`Position`). With ``defer``, pages still to be extracted come as
    :class:`~cleaner.document.Pending` records, for the process that will clean them to make. ``limits``: what a
    document and the file may hold (the run's ``[run] max_document_bytes`` and ``max_file_bytes``).
    """
    if file.problem is not None:
        if digests is not None:
            digests[file.rel] = "unreadable"
        yield Reject(
            id=stable_id(file.rel), source=file.rel, reason="read.unreadable", detail=f"{file.rel}: {file.problem}"
        )
        return
    reader = reader_for(file.rel)
    try:
        if reader is None:
            digest = file_digest(file.path)
        else:
            raw, digest = open_input(file, position, limits)
    except OSError as err:
        if digests is not None:
            digests[file.rel] = "unreadable"
        yield _unopenable(file, err)
        return
    if digests is not None:
        digests[file.rel] = digest
    if reader is None:
        yield Reject(
            id=stable_id(file.rel),
            source=file.rel,
            reason="read.unsupported_format",
            detail=f"{file.rel}: no reader for this file type; supported: {', '.join(sorted(READERS))}"
            " (optionally .gz or .zst compressed)",
        )
        return
    if digests is not None:
        digests[file.rel] = digest
    if file.size == 0:
        yield Reject(
            id=stable_id(file.rel), source=file.rel, reason="read.empty", detail=f"{file.rel}: the file is empty"
        )
        return
    count = 0
    try:
        for record in reader(raw):
            count += 1
            yield record.resolve() if isinstance(record, Pending) and not defer else record
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


def _unopenable(file: InputFile, err: OSError) -> Reject:
    """The reject of a file that cannot be opened: not a regular file, or gone, unreadable, a broken link."""
    if isinstance(err, NotAFile):
        detail = f"{file.rel}: {err}; it holds no documents: remove it from the input folder"
        return Reject(id=stable_id(file.rel), source=file.rel, reason="read.not_a_file", detail=detail)
    detail = f"{file.rel}: cannot read ({err.strerror or err}); check that it exists and is readable"
    return Reject(id=stable_id(file.rel), source=file.rel, reason="read.unreadable", detail=detail)
