"""WARC archives: one document per HTTP response record holding HTML.

Requests, metadata records and non-HTML responses (images, scripts) are not documents and are passed over;
URL and date come from the WARC headers, the text from the same extraction as for HTML files.
"""

from __future__ import annotations

from collections.abc import Iterator

from cleaner.document import Document, Reject, stable_id
from cleaner.readers.decode import RawInput, ReadError, decode_text
from cleaner.readers.html import document_from_html

HTML_TYPES = ("text/html", "application/xhtml+xml")


def read(raw: RawInput) -> Iterator[Document | Reject]:
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
                try:
                    html, _ = decode_text(record.content_stream().read(), source, html=True)
                except ReadError as err:
                    yield Reject(id=stable_id(source), source=source, reason=err.reason, detail=err.message)
                    continue
                meta = {
                    "url": record.rec_headers.get_header("WARC-Target-URI"),
                    "date": record.rec_headers.get_header("WARC-Date"),
                    "extra": {"warc_record_id": record.rec_headers.get_header("WARC-Record-ID")},
                }
                yield document_from_html(html, source, meta)
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as err:
            raise ReadError("read.bad_warc", f"{rel}: WARC archive unreadable after {index} records ({err})") from err
