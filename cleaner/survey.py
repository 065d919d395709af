"""The corpus survey: a first pass that counts, across documents, the short lines a step wants to know about.

A line that recurs in many documents of one source is the site's furniture (a section name, a blurb, a menu) even
when no phrase rule knows it. Steps that want such counts define ``survey_key(line)``; the survey reads the text-like
inputs once (HTML and WARC are skipped: trafilatura already used their DOM), hashes each document's distinct
candidate lines to 64-bit keys (grouped by domain where the input has a URL), and counts in how many documents each
key occurs. Memory is 16 bytes per (document, line) occurrence, and the counting is one numpy sort: linear in the
corpus. The step receives the set of keys seen in at least its threshold of documents before the main pass.

The threshold is a count and a share of the group's documents, whichever is higher. A site's furniture stands on
most of its pages; but documents without a URL all fall in one group, which may mix hundreds of sites, and there a
plain heading ("Ingredients", "Conclusion") recurs on five pages of different sites without being anyone's
furniture.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from cleaner.document import Document
from cleaner.engine.local import run_ordered
from cleaner.readers import InputFile, jsonl, parquet, read_file, reader_for, text

SURVEYED_READERS = {text.read, jsonl.read, parquet.read}


def line_key(line: str, group: str) -> int:
    """A 64-bit key of a normalised line within its group (a domain, or the whole corpus)."""
    normal = " ".join(line.lower().split())
    return int.from_bytes(hashlib.blake2b(f"{group}\x00{normal}".encode(), digest_size=8).digest(), "little")


def _survey_task(candidate: Callable[[str], bool], files: list[InputFile]) -> Any:
    import numpy as np

    keys: list[int] = []
    key_groups: list[int] = []  # the group of each key, as group_key()
    doc_groups: list[int] = []  # the group of each document
    for file in files:
        if reader_for(file.rel) not in SURVEYED_READERS:
            continue
        for record in read_file(file):
            if not isinstance(record, Document):
                continue
            group = source_group(record)
            found = {line_key(line, group) for line in record.text.split("\n") if candidate(line)}
            keys.extend(found)
            key_groups.extend([group_key(group)] * len(found))
            doc_groups.append(group_key(group))
    return tuple(np.array(values, dtype=np.uint64) for values in (keys, key_groups, doc_groups))


def group_key(group: str) -> int:
    """A 64-bit key of a group (no candidate line is empty, so it is no line's key)."""
    return line_key("", group)


def source_group(doc: Document) -> str:
    """The group a document's lines are counted in: its site when the input gave a URL, else the corpus."""
    from urllib.parse import urlsplit

    url = doc.metadata.get("url")
    return (urlsplit(str(url)).hostname or "") if url else ""


def survey(
    tasks: list[list[InputFile]],
    candidate: Callable[[str], bool],
    min_docs: int,
    workers: int,
    min_share: float = 0.0,
) -> set[int]:
    """Keys of the candidate lines found in at least ``min_docs`` documents and ``min_share`` of their group's."""
    import functools

    import numpy as np

    parts = list(run_ordered(functools.partial(_survey_task, candidate), tasks, workers))
    if not parts:
        return set()
    all_keys, all_key_groups, all_doc_groups = (np.concatenate(column) for column in zip(*parts, strict=True))
    keys, first, counts = np.unique(all_keys, return_index=True, return_counts=True)
    groups, group_docs = np.unique(all_doc_groups, return_counts=True)
    docs = group_docs[np.searchsorted(groups, all_key_groups[first])]  # each key belongs to one group
    needed = np.maximum(min_docs, np.ceil(min_share * docs))
    return set(keys[counts >= needed].tolist())
