"""Opening and decoding input files: the one place that turns bytes into text.

Every reader gets a :class:`RawInput`, whose ``stream()`` undoes gzip or zstd compression, and decodes text
through :func:`decode_text`. Problems surface as :class:`ReadError` with a reason name and a message that says
which file, what is wrong and what to do, so the pipeline can record a reject instead of crashing.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from cleaner.readers.legacy import decode_legacy
from cleaner.readers.limits import DEFAULT_LIMITS, Limits, describe
from cleaner.readers.zstd import ZstdDataError, ZstdReader

COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd")

# Byte-order marks, longest first: a UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control bytes that never appear in text files (NUL and friends; TAB, LF, VT, FF, CR and ESC excluded).
BINARY_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
BINARY_SHARE = 0.01
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)


class ReadError(Exception):
    """An input that cannot be read, with a reject reason (``read.binary`` …) and an actionable message."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def strip_compression(name: str) -> tuple[str, str | None]:
    """``page.jsonl.gz`` -> (``page.jsonl``, ``.gz``); names without a compression suffix come back unchanged."""
    lower = name.lower()
    for suffix in COMPRESSION_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)], suffix
    return name, None


class _Capped(io.RawIOBase):
    """A decompressed stream that may yield at most ``cap`` bytes: one more is a :class:`ReadError`
    (``read.file_too_large``), raised where the reader is, so the records before it stand."""

    def __init__(self, stream: BinaryIO, cap: int, display: str) -> None:
        # One read of the stream below per read of this one: a buffered stream asked for more would loop, and a
        # cut gzip stream would then lose what it had inflated before its error.
        self._read = stream.read1 if isinstance(stream, io.BufferedIOBase) else stream.read
        self._left = cap
        self._cap = cap
        self._display = display

    def readable(self) -> bool:
        return True

    def readinto(self, out) -> int:  # type: ignore[override]
        if not self._left:
            if self._read(1):
                raise ReadError(
                    "read.file_too_large",
                    f"{self._display}: stopped after {describe(self._cap)} (the limit, [run] max_file_bytes) once"
                    " decompressed; the records before are kept, the rest of the file is not read: split the file or"
                    " raise the limit",
                )
            return 0
        data = self._read(min(len(out), self._left))
        self._left -= len(data)
        out[: len(data)] = data
        return len(data)


@dataclass(frozen=True, slots=True)
class RawInput:
    """The bytes of one input file, ready to be opened (possibly from memory) and decompressed.

    ``rel`` is the file's path relative to the input folder: it names the format (by suffix) and appears in
    every message. ``opener`` returns a fresh binary stream of the file as stored (still compressed).
    ``data``: the stored bytes when they are already in memory, which spares the common case (a small,
    uncompressed file) a stream. ``limits``: what one document and the whole file may hold (see
    :mod:`cleaner.readers.limits`).
    """

    rel: str
    opener: Callable[[], BinaryIO]
    data: bytes | None = None
    limits: Limits = DEFAULT_LIMITS

    @property
    def compression(self) -> str | None:
        return strip_compression(self.rel)[1]

    @contextmanager
    def stream(self) -> Iterator[BinaryIO]:
        """The decompressed content as a binary stream, of at most ``limits.file_bytes``; decompression errors
        become :class:`ReadError`."""
        display = self.rel
        try:
            raw = self.opener()
        except OSError as err:
            raise ReadError("read.unreadable", f"{display}: cannot open ({err.strerror}); check permissions") from err
        try:
            if self.compression == ".gz":
                content: BinaryIO = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
            elif self.compression in (".zst", ".zstd"):
                content = ZstdReader(raw)  # type: ignore[assignment]
            else:
                content = raw
            if self.limits.file_bytes:
                content = _Capped(content, self.limits.file_bytes, display)  # type: ignore[assignment]
            yield content if content is raw else io.BufferedReader(content, 1 << 16)  # type: ignore[arg-type]
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            raise ReadError(
                "read.truncated", f"{display}: compressed data is truncated or corrupt ({err}); re-download the file"
            ) from err
        except ZstdDataError as err:
            raise ReadError("read.truncated", f"{display}: corrupt zstd data ({err}); re-download the file") from err
        except OSError as err:
            raise ReadError("read.unreadable", f"{display}: read failed ({err})") from err
        finally:
            raw.close()

    def read_all(self, limit: int | None = None) -> bytes:
        """The whole decompressed content; with ``limit``, at most that many bytes are inflated, and a larger
        content is a :class:`ReadError` (``read.too_large``), so a decompression bomb costs only ``limit``."""
        cap = self.limits.file_bytes
        if self.data is not None and self.compression is None and not (cap and len(self.data) > cap):
            data = self.data
        else:
            with self.stream() as stream:
                data = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise ReadError("read.too_large", too_large(self.rel, limit))
        return data


def too_large(display: str, limit: int) -> str:
    """The message of a document over ``limit`` bytes."""
    return (
        f"{display}: the document is larger than {describe(limit)} once decompressed (the limit, [run]"
        " max_document_bytes); split it into smaller documents or raise the limit"
    )


def looks_binary(data: bytes) -> bool:
    """True when more than :data:`BINARY_SHARE` of the sample are control bytes that text files do not contain.

    By share, not by the first NUL: a good text with one stray NUL or a few control bytes (a bad copy, a
    terminal escape) is text; :func:`decode_text` drops the stray bytes and keeps it."""
    sample = data[:8192]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, BINARY_BYTES))
    return controls > BINARY_SHARE * len(sample)


def decode_text(data: bytes, display: str, html: bool = False) -> tuple[str, str]:
    """Decode bytes to text; returns ``(text, encoding)``.

    Order matters: a byte-order mark is authoritative; then strict UTF-8, which is what almost all of the web
    is and which legacy encodings practically never decode as by accident; for HTML, the page's own ``<meta
    charset>``; only then a statistical detector (charset-normalizer, steered by the text's language: see
    :mod:`cleaner.readers.legacy`), whose guess is least reliable.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as err:
                raise ReadError(
                    "read.undecodable",
                    f"{display}: marked as {encoding} but is not valid {encoding} ({err.reason})",
                ) from err
    if looks_binary(data):
        raise ReadError("read.binary", f"{display}: binary content, not text; remove it from the input folder")
    data = data.translate(None, BINARY_BYTES)  # the few stray control bytes of a text (see looks_binary)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if html and (declared := META_CHARSET.search(data[:4096])):
        name = declared.group(1).decode("ascii").lower()
        try:
            return data.decode(name), codecs.lookup(name).name
        except (LookupError, UnicodeDecodeError):
            pass
    decoded = decode_legacy(data)
    if decoded is None:
        raise ReadError(
            "read.undecodable",
            f"{display}: not UTF-8 and no legacy encoding fits; convert it to UTF-8 (e.g. with iconv)",
        )
    return decoded


def encoding_note(encoding: str) -> dict[str, str]:
    """Metadata recording a legacy encoding; UTF-8, the norm, is not worth a field on every document."""
    return {} if encoding == "utf-8" else {"encoding": encoding}
