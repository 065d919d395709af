"""The corpus survey: a first pass that counts, across documents, the short lines a step wants to know about.

A line that recurs in many documents of one source is the site's furniture (a section name, a blurb, a menu) even
when no phrase rule knows it. Steps that want such counts define ``survey_key(line)``; the survey reads the text-like
inputs once (HTML and WARC are skipped: trafilatura already used their DOM), hashes each document's distinct
candidate lines to 64-bit keys (grouped by domain where the input has a URL), and counts in how many documents each
key occurs. It runs as two passes of tasks, so that no process holds every line: each survey task files its keys
into buckets by key (``bucket-BBB/part-TTTTT.npy`` in a scratch folder, 16 bytes per (document, line)) and returns
how many documents each group has; then one task per bucket counts its keys with one numpy sort and returns the
frequent ones. The step receives the set of keys seen in at least its threshold of documents before the main pass.

The threshold is a count and a share of the group's documents, whichever is higher. A site's furniture stands on
most of its pages; but documents without a URL all fall in one group, which may mix hundreds of sites, and there a
plain heading ("Ingredients", "Conclusion") recurs on five pages of different sites without being anyone's
furniture.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from xxhash import xxh3_64_intdigest

from cleaner.document import Document
from cleaner.engine.local import run_ordered
from cleaner.readers import InputFile, format_for, read_file
from cleaner.readers.limits import DEFAULT_LIMITS, Limits


def _surveyable(file: InputFile) -> bool:
    """Text-like inputs (HTML and WARC are not: trafilatura already used their DOM)."""
    form = format_for(file.rel)
    return form is not None and form.surveyable


SOFT_HYPHEN = "\u00ad"


def line_key(line: str, group: str) -> int:
    """A 64-bit key of a normalised line within its group (a domain, or the whole corpus).

    xxh3: the keys need spread, not cryptographic strength, and it costs a seventh of blake2b's call; a line's key
    is computed for every short line of every page twice, by the survey and by the step that asks it. Soft hyphens
    are left out: invisible, they make no line another (the boilerplate step reads lines without them)."""
    if SOFT_HYPHEN in line:
        line = line.replace(SOFT_HYPHEN, "")
    return normal_line_key(" ".join(line.lower().split()), group)


def normal_line_key(normal: str, group: str) -> int:
    """:func:`line_key` of a line that is normal already (lower-cased, its spaces collapsed, without soft hyphens),
    as the boilerplate step reads every line: it asks about each short line of each page, and normalising again
    would be a fifth of its look-up's cost."""
    return xxh3_64_intdigest(f"{group}\x00{normal}".encode())


def document_keys(
    candidate: Callable[[str], bool], files: list[InputFile], limits: Limits = DEFAULT_LIMITS
) -> tuple[np.ndarray, ...]:
    """The distinct candidate lines of each document of ``files`` as keys, the group of each key, and the group of
    each document (as :func:`group_key`)."""
    keys: list[int] = []
    key_groups: list[int] = []
    doc_groups: list[int] = []
    for file in files:
        if not _surveyable(file):
            continue
        for record in read_file(file, limits=limits):
            if not isinstance(record, Document):
                continue
            group = source_group(record)
            found = {line_key(line, group) for line in record.text.split("\n") if candidate(line)}
            keys.extend(found)
            key_groups.extend([group_key(group)] * len(found))
            doc_groups.append(group_key(group))
    return tuple(np.array(values, dtype=np.uint64) for values in (keys, key_groups, doc_groups))


def _bucket_of(keys: np.ndarray, buckets: int) -> np.ndarray:
    return (keys >> np.uint64(40)) % np.uint64(buckets)


def _save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.npy")
    np.save(temporary, array)
    os.replace(temporary, path)


def scatter_task(
    candidate: Callable[[str], bool], scratch: Path, buckets: int, limits: Limits, item: tuple[int, list]
) -> Counter:
    """Pass 1: one task's keys (with their group) into the buckets; returns its documents by group."""
    index, files = item
    keys, key_groups, doc_groups = document_keys(candidate, files, limits)
    bucket_of = _bucket_of(keys, buckets)
    for bucket in range(buckets):
        chosen = bucket_of == bucket
        _save(scratch / f"bucket-{bucket:03d}" / f"part-{index:05d}.npy", np.stack((keys[chosen], key_groups[chosen])))
    return Counter(doc_groups.tolist())


def count_task(scratch: Path, min_docs: int, min_share: float, bucket: int) -> list[int]:
    """Pass 2: the keys of one bucket found in at least ``min_docs`` documents and ``min_share`` of their group's."""
    parts = [np.load(path) for path in sorted((scratch / f"bucket-{bucket:03d}").glob("part-*.npy"))]
    if not parts:
        return []
    all_keys, all_key_groups = np.concatenate(parts, axis=1)
    keys, first, counts = np.unique(all_keys, return_index=True, return_counts=True)
    groups, group_docs = np.load(scratch / "groups.npy")
    docs = group_docs[np.searchsorted(groups, all_key_groups[first])]  # each key belongs to one group
    needed = np.maximum(min_docs, np.ceil(min_share * docs))
    return keys[counts >= needed].tolist()


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
    *,
    map_ordered: Callable | None = None,
    scratch: Path | None = None,
    buckets: int = 16,
    limits: Limits = DEFAULT_LIMITS,
) -> set[int]:
    """Keys of the candidate lines found in at least ``min_docs`` documents and ``min_share`` of their group's.

    The passes run through ``map_ordered`` (see :data:`cleaner.steps.MapOrdered`; by default this machine's pool
    of ``workers``) and keep their files in ``scratch`` (a folder every worker can read; by default a temporary
    one). The result does not depend on the number of workers or buckets."""
    map_ordered = map_ordered or functools.partial(run_ordered, workers=workers)
    if scratch is None:
        with tempfile.TemporaryDirectory(prefix="cleaner-survey-") as folder:
            return survey(
                tasks,
                candidate,
                min_docs,
                workers,
                min_share,
                map_ordered=map_ordered,
                scratch=Path(folder),
                limits=limits,
            )
    groups: Counter = Counter()
    for counted in map_ordered(
        functools.partial(scatter_task, candidate, scratch, buckets, limits), list(enumerate(tasks))
    ):
        groups.update(counted)
    if not groups:
        return set()
    names = sorted(groups)
    _save(scratch / "groups.npy", np.array([names, [groups[g] for g in names]], dtype=np.uint64))
    found: set[int] = set()
    for keys in map_ordered(functools.partial(count_task, scratch, min_docs, min_share), range(buckets)):
        found.update(keys)
    return found
