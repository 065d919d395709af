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
# The largest document read whole (after decompression). The longest Wikipedia article is ~1.5 MB of text and
# a web page's text is rarely over 1 MB; the steps hold ~50 times a document's size at their peak (a 60 MB
# line made a 2.8 GB process tree), so 8 MiB keeps a worker's peak near 400 MB. Beyond it a document is
# rejected (read.too_large), never truncated, and a gzip or zstd bomb stops being inflated at the limit.
MAX_DOCUMENT_BYTES = 8 << 20
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


class _ZstdReader(io.RawIOBase):
    """A zstd stream that notices truncation.

    ``zstandard``'s own stream reader returns a short read, without error, when the file is cut off inside a
    frame; a truncated download would then be half-read in silence. This wrapper checks that the last frame
    ended properly.
    """

    def __init__(self, raw: BinaryIO) -> None:
        import zstandard

        self._raw = raw
        self._new = zstandard.ZstdDecompressor().decompressobj
        self._obj = self._new()
        self._buffer = b""
        self._in_frame = False

    def readable(self) -> bool:
        return True

    def readinto(self, out) -> int:  # type: ignore[override]
        while not self._buffer:
            chunk = self._raw.read(1 << 17)
            if not chunk:
                if self._in_frame:
                    raise EOFError("zstd stream ended in the middle of a frame")
                return 0
            while chunk:
                self._in_frame = True
                self._buffer += self._obj.decompress(chunk)
                if not self._obj.eof:
                    break
                chunk = self._obj.unused_data
                self._obj = self._new()
                self._in_frame = False
        n = min(len(out), len(self._buffer))
        out[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


@dataclass(frozen=True, slots=True)
class RawInput:
    """The bytes of one input file, ready to be opened (possibly from memory) and decompressed.

    ``rel`` is the file's path relative to the input folder: it names the format (by suffix) and appears in
    every message. ``opener`` returns a fresh binary stream of the file as stored (still compressed).
    ``data``: the stored bytes when they are already in memory, which spares the common case (a small,
    uncompressed file) a stream.
    """

    rel: str
    opener: Callable[[], BinaryIO]
    data: bytes | None = None

    @property
    def compression(self) -> str | None:
        return strip_compression(self.rel)[1]

    @contextmanager
    def stream(self) -> Iterator[BinaryIO]:
        """The decompressed content as a binary stream; decompression errors become :class:`ReadError`."""
        display = self.rel
        try:
            raw = self.opener()
        except OSError as err:
            raise ReadError("read.unreadable", f"{display}: cannot open ({err.strerror}); check permissions") from err
        try:
            if self.compression == ".gz":
                yield gzip.GzipFile(fileobj=raw)  # type: ignore[misc]
            elif self.compression in (".zst", ".zstd"):
                yield io.BufferedReader(_ZstdReader(raw))  # type: ignore[misc]
            else:
                yield raw
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            raise ReadError(
                "read.truncated", f"{display}: compressed data is truncated or corrupt ({err}); re-download the file"
            ) from err
        except OSError as err:
            if type(err).__module__.startswith("zstd"):
                raise ReadError("read.truncated", f"{display}: corrupt zstd data ({err})") from err
            raise ReadError("read.unreadable", f"{display}: read failed ({err})") from err
        finally:
            raw.close()

    def read_all(self, limit: int | None = None) -> bytes:
        """The whole decompressed content; with ``limit``, at most that many bytes are inflated, and a larger
        content is a :class:`ReadError` (``read.too_large``), so a decompression bomb costs only ``limit``."""
        if self.data is not None and self.compression is None:
            data = self.data
        else:
            with self.stream() as stream:
                data = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise ReadError(
                "read.too_large",
                f"{self.rel}: the document is larger than {limit >> 20} MiB (MAX_DOCUMENT_BYTES) once decompressed;"
                " split it into smaller documents",
            )
        return data


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
    charset>``; only then a statistical detector (charset-normalizer), whose guess is least reliable.
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
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError(
            "read.undecodable",
            f"{display}: not UTF-8 and no legacy encoding fits; convert it to UTF-8 (e.g. with iconv)",
        )
    return str(best), best.encoding


def encoding_note(encoding: str) -> dict[str, str]:
    """Metadata recording a legacy encoding; UTF-8, the norm, is not worth a field on every document."""
    return {} if encoding == "utf-8" else {"encoding": encoding}
