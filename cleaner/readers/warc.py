"""WARC archives: one document per HTTP response record holding HTML.

Requests, metadata records and non-HTML responses (images, scripts) are not documents and are passed over;
URL and date come from the WARC headers, the text from the same extraction as for HTML files. Each page is handed
out as a :class:`~cleaner.document.Pending` record, so that when a large archive is read in slices, its pages are
extracted by the workers that clean them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from cleaner.document import Document, Pending, Reject, stable_id
from cleaner.readers.decode import RawInput, ReadError, decode_text
from cleaner.readers.html import document_from_html

HTML_TYPES = ("text/html", "application/xhtml+xml")


def page(payload: bytes, source: str, meta: dict[str, Any]) -> Document | Reject:
    """One response's HTML as a document (made where it is cleaned: see :class:`~cleaner.document.Pending`)."""
    try:
        html, _ = decode_text(payload, source, html=True)
    except ReadError as err:
        return Reject(id=stable_id(source), source=source, reason=err.reason, detail=err.message)
    return document_from_html(html, source, meta)


def read(raw: RawInput) -> Iterator[Pending]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    rel = raw.rel
    index = 0
    # warcio undoes per-record gzip itself; only zstd needs unwrapping first.
    with raw.opener() if raw.compression == ".gz" else raw.stream() as stream:
        try:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                if not content_type.lower().startswith(HTML_TYPES):
                    continue
                source = f"{rel}#{index}"
                index += 1
                payload = record.content_stream().read()
                meta = {
                    "url": record.rec_headers.get_header("WARC-Target-URI"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "extra": {"warc_record_id": record.rec_headers.get_header("WARC-Record-ID")},
                }
                yield Pending(source, len(payload), functools.partial(page, payload, source, meta))
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as err:
            raise ReadError("read.bad_warc", f"{rel}: WARC archive unreadable after {index} records ({err})") from err
