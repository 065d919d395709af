"""The output tables' Arrow schemas, declared rather than inferred.

Inferring a schema from the first batch breaks as soon as a later batch has a value the first lacked (a null
title becomes a null-typed column, then a string arrives). Every column is declared here; the per-step counters
come from the steps that are configured, so the schema is a function of the config alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa

from cleaner.document import Document, Reject

# Quality signals (see cleaner/steps/quality.py), one float column each; null when the quality step is off.
QUALITY_SIGNALS = (
    "stopword_share",
    "terminal_punct_share",
    "duplicate_line_share",
    "mean_word_length",
    "symbol_word_ratio",
    "alpha_word_share",
    "bullet_line_share",
)

# Metadata that becomes columns of its own; anything else a reader carries goes to `extra` as JSON.
DOCUMENT_FIELDS: list[pa.Field] = [
    pa.field("id", pa.string(), nullable=False),
    pa.field("text", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("url", pa.string()),
    pa.field("domain", pa.string()),
    pa.field("title", pa.string()),
    pa.field("date", pa.date32()),
    pa.field("author", pa.string()),
    pa.field("language", pa.string()),
    pa.field("language_score", pa.float32()),
    pa.field("n_chars", pa.int64(), nullable=False),
    pa.field("n_words", pa.int64(), nullable=False),
    pa.field("n_lines", pa.int64(), nullable=False),
    pa.field("content_sha256", pa.string(), nullable=False),
    pa.field("duplicate_cluster", pa.string()),
    pa.field("pii_count", pa.int32(), nullable=False),
    *[pa.field(name, pa.float32()) for name in QUALITY_SIGNALS],
    pa.field("extra", pa.string()),
]

REJECT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("text", pa.string()),
        pa.field("duplicate_cluster", pa.string()),  # set for duplicates: the id of the copy that was kept
    ]
)

AUDIT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("step", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("line_no", pa.int32(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("blank_after", pa.bool_(), nullable=False),  # the blank line after it went too
    ]
)

# One row per run of words a step changed inside a line (repair, spacing); see cleaner.document.Edit.
EDIT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("step", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("line_no", pa.int32(), nullable=False),
        pa.field("column", pa.int32(), nullable=False),
        pa.field("before", pa.string(), nullable=False),
        pa.field("after", pa.string(), nullable=False),
        pa.field("removed_before", pa.int32(), nullable=False),
    ]
)


def document_schema(counter_columns: Iterable[str]) -> pa.Schema:
    """The documents schema for a pipeline whose steps report ``counter_columns``.

    Without any counter (``pipeline = ["language", "length"]``) there is no ``stats`` column: Parquet cannot
    store a struct without fields."""
    fields = [pa.field(name, pa.int32(), nullable=False) for name in counter_columns]
    if not fields:
        return pa.schema(DOCUMENT_FIELDS)
    return pa.schema([*DOCUMENT_FIELDS, pa.field("stats", pa.struct(fields), nullable=False)])


def as_date(value: Any) -> dt.date | None:
    """A date from a date, datetime or ISO-8601 string (``2025-07-25``, ``2025-07-25T10:00:00Z``), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def document_row(doc: Document, counter_columns: Iterable[str]) -> dict[str, Any]:
    """One row of the documents table."""
    meta = doc.metadata
    url = meta.get("url")
    extra = dict(meta.get("extra") or {})
    for key, value in meta.items():
        if key not in COLUMN_NAMES and key != "extra":
            extra[key] = value
    date = as_date(meta.get("date"))
    if meta.get("date") is not None and date is None:
        extra["date_raw"] = meta["date"]
    text = doc.text
    return {
        "id": doc.id,
        "text": text,
        "source": doc.source,
        "url": str(url) if url else None,
        "domain": meta.get("domain") or (urlsplit(str(url)).hostname if url else None),
        "title": _str_or_none(meta.get("title")),
        "date": date,
        "author": _str_or_none(meta.get("author")),
        "language": _str_or_none(meta.get("language")),
        "language_score": meta.get("language_score"),
        "n_chars": len(text),
        "n_words": doc.n_words,
        "n_lines": text.count("\n") + 1 if text else 0,
        "content_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "duplicate_cluster": meta.get("duplicate_cluster") or doc.id,
        "pii_count": meta.get("pii_count", 0),
        **{name: meta.get(name) for name in QUALITY_SIGNALS},
        "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str) if extra else None,
        "stats": {name: doc.stats.get(name, 0) for name in counter_columns},
    }


def reject_row(rej: Reject, duplicate_cluster: str | None = None) -> dict[str, Any]:
    return {
        "id": rej.id,
        "source": rej.source,
        "reason": rej.reason,
        "detail": rej.detail,
        "text": rej.text,
        "duplicate_cluster": duplicate_cluster,
    }


def audit_columns(doc: Document) -> dict[str, list[Any]]:
    """The audit table's rows of ``doc``, column by column (see ``PartWriter.add_columns``)."""
    removed = doc.removed
    return {
        "id": [doc.id] * len(removed),
        "source": [doc.source] * len(removed),
        "step": [r.step for r in removed],
        "reason": [r.reason for r in removed],
        "line_no": [r.line_no for r in removed],
        "text": [r.text for r in removed],
        "blank_after": [r.blank_after for r in removed],
    }


def edit_columns(doc: Document) -> dict[str, list[Any]]:
    """The edits table's rows of ``doc``, column by column (see ``PartWriter.add_columns``)."""
    edits = doc.edits
    return {
        "id": [doc.id] * len(edits),
        "source": [doc.source] * len(edits),
        "step": [e.step for e in edits],
        "kind": [e.kind for e in edits],
        "line_no": [e.line_no for e in edits],
        "column": [e.column for e in edits],
        "before": [e.before for e in edits],
        "after": [e.after for e in edits],
        "removed_before": [e.removed_before for e in edits],
    }


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


COLUMN_NAMES = {f.name for f in DOCUMENT_FIELDS}
