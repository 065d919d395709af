"""Plain-text and Markdown files: one document per file, such as page-text dumps."""

from __future__ import annotations

from collections.abc import Iterator

from cleaner.document import Document, Reject, stable_id
from cleaner.readers.decode import RawInput, decode_text, encoding_note


def read(raw: RawInput) -> Iterator[Document | Reject]:
    rel = raw.rel
    text, encoding = decode_text(raw.read_all(raw.limits.document_bytes), rel)
    if not text.strip():
        yield Reject(id=stable_id(rel), source=rel, reason="read.empty", detail=f"{rel}: only whitespace", text=text)
        return
    yield Document(id=stable_id(rel), text=text, source=rel, metadata=encoding_note(encoding))
