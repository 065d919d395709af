"""WARC archives: one document per HTTP response record holding HTML.

Requests, metadata records and non-HTML responses (images, scripts) are not documents and are passed over;
URL and date come from the WARC headers, the text from the same extraction as for HTML files. Each page is handed
out as a :class:`~cleaner.document.Pending` record, so that when a large archive is read in slices, its pages are
extracted by the workers that clean them.

Every record is checked against its ``Content-Length``: warcio hands out a record cut short by the end of the file
as if it were whole (a page cut in half, or nothing at all when the cut falls in its headers), and a compressed
archive that ends mid-stream looks to it like a normal end. A cut record becomes a ``read.truncated`` reject
naming the file, and the pages before it are kept. A page over ``max_document_bytes`` is rejected
(``read.too_large``) and the archive read on.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from cleaner.document import Document, Pending, Reject, stable_id
from cleaner.readers.decode import RawInput, ReadError, decode_text, too_large
from cleaner.readers.html import document_from_html

HTML_TYPES = ("text/html", "application/xhtml+xml")
CHUNK = 1 << 16
TAIL = 1 << 16  # bytes of the stream kept to tell a cut record from blank lines at the end


def page(payload: bytes, source: str, meta: dict[str, Any]) -> Document | Reject:
    """One response's HTML as a document (made where it is cleaned: see :class:`~cleaner.document.Pending`)."""
    try:
        html, _ = decode_text(payload, source, html=True)
    except ReadError as err:
        return Reject(id=stable_id(source), source=source, reason=err.reason, detail=err.message)
    return document_from_html(html, source, meta)


class _Watched:
    """The archive's stream, watched: how many bytes were read, the last of them, whether the end was reached, and
    the error that ended it, if any (warcio takes an ``EOFError`` from a cut gzip or zstd stream, and a file that
    ends inside a record's headers, for the normal end of the archive)."""

    def __init__(self, stream: BinaryIO) -> None:
        # One read below per read asked for (see decode._Capped): the pages before a cut are then read before it.
        self._read = stream.read1 if isinstance(stream, io.BufferedIOBase) else stream.read
        self.total = 0
        self.tail = b""
        self.ended = False
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._read(size)
        except BaseException as err:
            self.error = err
            raise
        if not data and size != 0:
            self.ended = True
        self.total += len(data)
        self.tail = (self.tail + data)[-TAIL:]
        return data

    def unread_text(self, end: int) -> bool:
        """Whether anything but blank lines follows offset ``end``, the end of the last whole record."""
        left = self.total - end
        if left <= 0:
            return False
        return left > len(self.tail) or bool(self.tail[len(self.tail) - left :].strip())


def read(raw: RawInput) -> Iterator[Pending | Reject]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    rel = raw.rel
    index = 0
    end = 0  # where the last whole record ended
    with raw.stream() as stream:
        watched = _Watched(stream)
        records = ArchiveIterator(watched)
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except ReadError:
                raise
            except Exception as err:  # warcio's parsers raise whatever they meet (ValueError, AttributeError …)
                not_warc = isinstance(err, ArchiveLoadFailed) and not end
                if (watched.ended or watched.error is not None) and not not_warc:
                    yield _cut(rel, index, None, watched.error or err)
                    return
                raise ReadError(
                    "read.bad_warc", f"{rel}: WARC archive unreadable after {index} pages ({err}); the rest is not read"
                ) from err
            if watched.error is not None:  # the stream failed and warcio took it for the end
                break
            url = record.rec_headers.get_header("WARC-Target-URI")
            if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
                if watched.ended:
                    yield _cut(rel, index, url, None)
                    return
                raise ReadError("read.bad_warc", f"{rel}: a record after {index} pages has no valid Content-Length")
            outcome = None
            if _is_page(record):
                source = f"{rel}#{index}"
                index += 1
                outcome = _page(record, source, url, raw.limits.document_bytes)
            try:
                _drain(record.raw_stream)
            except ReadError:
                raise
            except Exception as err:
                watched.error = watched.error or err
            if _left(record) or watched.error is not None:  # the file ended inside this record
                yield _cut(rel, index - 1 if outcome is not None else index, url, watched.error)
                return
            try:  # where the record ended; warcio reads the blank lines after it, where a stream may fail
                end = records.get_record_offset() + records.get_record_length()
            except ReadError:
                raise
            except Exception as err:
                watched.error = watched.error or err
            if outcome is not None:
                yield outcome
            if watched.error is not None:
                break
        if watched.error is not None or watched.unread_text(end):
            yield _cut(rel, index, None, watched.error)


def _is_page(record: Any) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    content_type = record.http_headers.get_header("Content-Type") or ""
    return content_type.lower().startswith(HTML_TYPES)


def _page(record: Any, source: str, url: str | None, limit: int) -> Pending | Reject:
    """The page of a response record, to be extracted later; a reject when it is too large or its HTTP body cannot
    be decoded (a bad chunked or gzip transfer)."""
    try:
        payload = record.content_stream().read(limit + 1)
    except Exception as err:  # warcio's decoders of chunked and compressed bodies raise what they meet
        return Reject(
            id=stable_id(source), source=source, reason="read.bad_record", detail=f"{source}: unreadable body ({err})"
        )
    if len(payload) > limit:
        return Reject(id=stable_id(source), source=source, reason="read.too_large", detail=too_large(source, limit))
    meta = {
        "url": url,
        "date": record.rec_headers.get_header("WARC-Date"),
        "extra": {"warc_record_id": record.rec_headers.get_header("WARC-Record-ID")},
    }
    return Pending(source, len(payload), functools.partial(page, payload, source, meta))


def _drain(stream: Any) -> None:
    """Read what is left of a record (warcio would do it at the next record; done here to check the length)."""
    while stream.read(CHUNK):
        pass


def _left(record: Any) -> int:
    """Bytes of the record that its ``Content-Length`` promised and the file did not hold."""
    return max(0, getattr(record.raw_stream, "limit", 0))


def _cut(rel: str, index: int, url: str | None, err: BaseException | None) -> Reject:
    """The reject of the record the file ends inside (numbered as the page it would have been)."""
    source = f"{rel}#{index}"
    where = f" ({url})" if url else ""
    why = f" ({err})" if err is not None else ""
    return Reject(
        id=stable_id(source),
        source=source,
        reason="read.truncated",
        detail=f"{rel}: the archive ends inside a record{where} after {index} pages{why}: the file was cut short;"
        " the pages before are kept; re-download it",
    )
