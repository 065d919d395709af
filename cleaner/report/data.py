"""What a report shows, gathered from a build or a release: counts, per-document figures, and a sample of documents.

The figures for the charts come from every document (a few numeric columns, never the text); only a sample of
documents is embedded with its text, so that the page stays a few MB for any corpus: up to ``per_group`` documents
for each reject reason, each line-removal reason, each kind of edit and each of the sites listed (the
:data:`SITES_SHOWN` that lost the most text), picked by a hash of their id (the same sample on every build of the same
data).
"""

from __future__ import annotations

import hashlib
import heapq
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.report.reconstruct import edit_labels, reconstruct
from cleaner.schema import QUALITY_SIGNALS

# Columns read for the charts: no text.
FIGURE_COLUMNS = ["id", "source", "domain", "language", "n_chars", "n_words", "duplicate_cluster", *QUALITY_SIGNALS]
SITE_COUNTS = ("documents kept", "documents rejected", "lines removed", "chars removed", "edits")
MAX_DOC_CHARS = 20_000  # a longer embedded document is cut (and the page says so)
SITES_SHOWN = 50  # the sites the page lists (by characters removed), each with its sample


class ReportError(Exception):
    """A folder that is neither a build nor a release; the message says what to give instead."""


@dataclass
class Sources:
    """Where a report's tables are. A release has no rejects, audit or edits of its own: ``build`` adds them."""

    folder: Path
    kind: str  # "build" or "release"
    documents: list[Path]
    rejects: list[Path] = field(default_factory=list)
    audit: list[Path] = field(default_factory=list)
    edits: list[Path] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # run.json or manifest.json
    run: dict[str, Any] = field(default_factory=dict)  # run.json when there is one
    published: Path | None = None  # where a build being written will be published, when not at ``folder``


@dataclass
class ReportData:
    title: str
    kind: str
    folder: str
    counts: dict[str, Any]
    figures: dict[str, list]  # column -> values over all kept documents (for charts)
    removed_by_reason: Counter
    removed_by_step: Counter
    edits_by_kind: Counter  # "repair.mojibake" -> runs of words changed
    edited_documents: Counter  # "repair.mojibake" -> documents with such an edit
    rejected_by_reason: Counter
    sites: list[dict[str, Any]]  # per site: documents, rejected, lines removed, chars removed
    cluster_sizes: Counter  # cluster size -> number of clusters
    samples: list[dict[str, Any]]  # embedded documents
    sampling: dict[str, Any]
    diff: dict[str, Any] | None = None


def locate(path: Path, build: Path | None = None) -> Sources:
    """The tables of the build or release at ``path``."""
    if (path / "run.json").is_file() and (path / "documents").is_dir():
        run = _json(path / "run.json")
        tables = [_parts(path / table) for table in ("documents", "rejects", "audit", "edits")]
        return Sources(path, "build", *tables, run, run)
    if (path / "manifest.json").is_file() and (path / "data").is_dir():
        sources = Sources(path, "release", _parts(path / "data"), meta=_json(path / "manifest.json"))
        build = build or _build_of(path, sources.meta)
        if build is not None and (build / "run.json").is_file():
            sources.rejects, sources.audit = _parts(build / "rejects"), _parts(build / "audit")
            sources.edits = _parts(build / "edits")
            sources.run = _json(build / "run.json")
        return sources
    raise ReportError(f"{path} is neither a build (documents/, run.json) nor a release (data/, manifest.json)")


def _build_of(release: Path, manifest: dict[str, Any]) -> Path | None:
    """The build beside a release (``DIR/<name>/build``) when the release was made from it: the same input and
    configuration (fingerprints), so that its rejects, audit and edits are the release's."""
    build = release.parent / "build"
    if not (build / "run.json").is_file():
        return None
    run = _json(build / "run.json")
    same = run.get("config_fingerprint") == manifest.get("config_fingerprint")
    return build if same and run.get("input", {}).get("fingerprint") == manifest.get("input_fingerprint") else None


def gather(sources: Sources, per_group: int = 20, on_counted: Callable[[ReportData], None] | None = None) -> ReportData:
    """Everything the page shows, with ``per_group`` sampled documents per reason and per site. ``on_counted`` is
    given the data once everything but the samples is in it (the charts can be drawn meanwhile).

    The audit and edits tables (hundreds of rows per document) are tallied a part at a time in numpy, by reason and
    document (:func:`_tally`): what follows loops over documents, not over rows."""
    docs = _read(sources.documents, FIGURE_COLUMNS)
    rejects = _read(sources.rejects, ["id", "source", "reason", "duplicate_cluster"])
    removals = _tally(sources.audit, "reason", measure=True)  # (step, reason, id) -> [lines, characters]
    changes = _tally(sources.edits, "kind")  # (step, kind, id) -> [edits, 0]
    ids = docs["id"].to_pylist()
    site_of = dict(zip(ids, map(_site, docs["domain"].to_pylist(), docs["source"].to_pylist()), strict=True))
    reject_ids = rejects["id"].to_pylist()
    reject_sites = [_site(None, s) for s in rejects["source"].to_pylist()]
    # Lines are removed, and words repaired, before a document may be rejected (a near-duplicate is found among the
    # cleaned texts): they count for its site whether it was kept or rejected.
    site_of_any = {**dict(zip(reject_ids, reject_sites, strict=True)), **site_of}

    removed_by_reason: Counter = Counter()
    removed_by_step: Counter = Counter()
    removed_chars: Counter = Counter()
    by_reason_ids: dict[str, set[str]] = defaultdict(set)
    sites: dict[str, Counter] = defaultdict(Counter)
    for (step, why, doc_id), (lines, chars) in removals.items():
        reason = f"{step}.{why}"
        removed_by_reason[reason] += lines
        removed_by_step[step] += lines
        removed_chars[doc_id] += chars
        by_reason_ids[reason].add(doc_id)
        site = sites[site_of_any.get(doc_id, "?")]
        site["lines removed"] += lines
        site["chars removed"] += chars
    edits_by_kind: Counter = Counter()
    by_edit_ids: dict[str, set[str]] = defaultdict(set)  # by label, for the samples (and the search)
    edited: Counter = Counter()  # by kind as written: documents with such an edit
    for (step, what, doc_id), (n, _) in changes.items():
        kind = f"{step}.{what}"
        edits_by_kind[kind] += n
        edited[kind] += 1
        for label in edit_labels(kind):
            by_edit_ids[label].add(doc_id)
        sites[site_of_any.get(doc_id, "?")]["edits"] += n
    figures = {name: docs[name].to_pylist() for name in FIGURE_COLUMNS if name not in ("id", "source", "domain")}
    figures["chars_before"] = [n + removed_chars[i] for i, n in zip(ids, figures["n_chars"], strict=True)]
    figures["removed_share"] = [
        removed_chars[i] / before if before else 0.0 for i, before in zip(ids, figures["chars_before"], strict=True)
    ]
    for site in site_of.values():
        sites[site]["documents kept"] += 1
    for site in reject_sites:
        sites[site]["documents rejected"] += 1
    rejected_by_reason: Counter = Counter()
    reject_ids_by_reason: dict[str, set[str]] = defaultdict(set)
    for doc_id, reason in zip(reject_ids, rejects["reason"].to_pylist(), strict=True):
        rejected_by_reason[reason] += 1
        reject_ids_by_reason[reason].add(doc_id)
    site_rows = sorted(
        ({"site": s, **{key: c[key] for key in SITE_COUNTS}} for s, c in sites.items()),
        key=lambda r: (-r["chars removed"], r["site"]),
    )
    # Samples for the sites the page lists: a corpus of a million files in one folder has a million "sites".
    shown = {row["site"] for row in site_rows[:SITES_SHOWN]}
    by_site_ids: dict[str, set[str]] = defaultdict(set)
    for doc_id, site in [*site_of.items(), *zip(reject_ids, reject_sites, strict=True)]:
        if site in shown:
            by_site_ids[site].add(doc_id)

    # a cluster: the kept copy and the duplicates rejected with a pointer to it
    dup_counts = Counter(c for c in rejects["duplicate_cluster"].to_pylist() if c)
    cluster_sizes = Counter(1 + dup_counts[c] for c in set(docs["duplicate_cluster"].to_pylist()) if c)
    meta = sources.run or sources.meta
    counts = meta.get("counts", {})
    read = counts.get("read", docs.num_rows + rejects.num_rows)
    title = (meta.get("config", {}).get("dataset", {}) or {}).get("name") or sources.meta.get("name") or "dataset"
    if sources.kind == "release":
        title = f"{sources.meta['name']} {sources.meta['version']}"
    data = ReportData(
        title=title,
        kind=sources.kind,
        folder=_shown_folder(sources),
        counts={
            "read": read,
            "kept": docs.num_rows,
            "rejected": rejects.num_rows,
            "lines_removed": sum(removed_by_reason.values()),
            "edits": sum(edits_by_kind.values()),
            "words_kept": sum(figures["n_words"]),
            "sites": len(sites),
        },
        figures=figures,
        removed_by_reason=removed_by_reason,
        removed_by_step=removed_by_step,
        edits_by_kind=edits_by_kind,
        edited_documents=edited,
        rejected_by_reason=rejected_by_reason,
        sites=site_rows,
        cluster_sizes=cluster_sizes,
        samples=[],
        sampling={"per_group": per_group, "embedded": 0, "documents": read, "max_chars": MAX_DOC_CHARS},
    )
    if on_counted is not None:
        on_counted(data)

    pick = _picker(per_group)
    groups = (*by_reason_ids.values(), *by_edit_ids.values(), *by_site_ids.values())
    picked_kept = set().union(*map(pick, groups))
    picked_kept &= site_of.keys()
    picked_rejected = set().union(*map(pick, (*reject_ids_by_reason.values(), *by_site_ids.values())))
    picked_rejected -= picked_kept
    samples = _kept_samples(sources, picked_kept, site_of) + _rejected_samples(sources, picked_rejected)
    samples.sort(key=lambda s: (s["status"] != "kept", s["id"]))
    data.samples = samples
    data.sampling["embedded"] = len(samples)
    return data


def _tally(parts: list[Path], label: str, measure: bool = False) -> dict[tuple[str, str, str], list[int]]:
    """``(step, label, document id) -> [rows, characters]`` over the audit (``label`` "reason") or edits ("kind")
    table: the rows of each reason for each document and, with ``measure``, the characters of their text with its
    newline. One part at a time, the rows grouped in numpy: only the pairs (a few per document) reach Python, and
    the removed text is never held for more than one part."""
    import numpy as np
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    tally: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for part in parts:
        keys = ["id", "step", label]
        table = pq.ParquetFile(part, read_dictionary=keys).read(columns=[*keys, *(["text"] if measure else [])])
        if not table.num_rows:
            continue
        table = table.unify_dictionaries().combine_chunks()
        (steps, step_names), (labels, label_names), (ids, id_names) = (
            _codes(table[name].chunk(0)) for name in ("step", label, "id")
        )
        code = (steps.astype(np.int64) * len(label_names) + labels) * len(id_names) + ids
        found, where, rows = np.unique(code, return_inverse=True, return_counts=True)
        chars = np.zeros(len(found), dtype=np.int64)
        if measure:
            np.add.at(chars, where, pc.fill_null(pc.utf8_length(table["text"].chunk(0)), 0).to_numpy() + 1)
        for key, n, c in zip(found.tolist(), rows.tolist(), chars.tolist(), strict=True):
            key, doc = divmod(key, len(id_names))
            step, kind = divmod(key, len(label_names))
            counts = tally[step_names[step], label_names[kind], id_names[doc]]
            counts[0] += n
            counts[1] += c
    return tally


def _codes(array: Any) -> tuple[Any, list[str]]:
    """A dictionary-encoded Arrow array as (integer codes as numpy, the distinct values the codes index)."""
    return array.indices.to_numpy(zero_copy_only=False), array.dictionary.to_pylist()


def _kept_samples(sources: Sources, picked: set[str], site_of: dict[str, str]) -> list[dict[str, Any]]:
    if not picked:
        return []
    wanted = sorted(picked)
    docs = _read(sources.documents, ["id", "source", "title", "language", "text", "stats"], ids=wanted)
    removals: dict[str, list] = defaultdict(list)
    if sources.audit:
        audit = _read(sources.audit, ["id", "step", "reason", "line_no", "text", "blank_after"], ids=wanted)
        for row in audit.to_pylist():
            removals[row["id"]].append(row)
    edits: dict[str, list] = defaultdict(list)
    if sources.edits:
        columns = ["id", "step", "kind", "line_no", "column", "before", "after", "removed_before"]
        for row in _read(sources.edits, columns, ids=wanted).to_pylist():
            edits[row["id"]].append(row)
    samples = []
    for row in docs.to_pylist():
        lines, unplaced = reconstruct(row["text"], removals[row["id"]], edits[row["id"]])
        kinds = {f"{e['step']}.{e['kind']}" for e in edits[row["id"]]}
        reasons = {x["r"] for x in lines if "r" in x} | {label for kind in kinds for label in edit_labels(kind)}
        repairs = {k: v for k, v in (row.get("stats") or {}).items() if v and k.startswith(("repair_", "spacing_"))}
        sample = _sample(row, "kept", site_of[row["id"]], lines, sorted(reasons), repairs)
        sample["unplaced"] = unplaced
        samples.append(sample)
    return samples


def _rejected_samples(sources: Sources, picked: set[str]) -> list[dict[str, Any]]:
    if not picked:
        return []
    rejects = _read(sources.rejects, ["id", "source", "reason", "detail", "text"], ids=sorted(picked))
    samples = []
    for row in rejects.to_pylist():
        lines = [{"t": line} for line in (row["text"] or "").split("\n")]
        row["title"], row["language"] = None, None
        sample = _sample(row, "rejected", _site(None, row["source"]), lines, [row["reason"]], {})
        sample["detail"] = row["detail"]
        samples.append(sample)
    return samples


def _sample(row: dict, status: str, site: str, lines: list[dict], reasons: list[str], repairs: dict) -> dict:
    total, cut = 0, False
    kept_lines = []
    for line in lines:
        total += len(line["t"]) + 1
        if total > MAX_DOC_CHARS:
            cut = True
            break
        kept_lines.append(line)
    return {
        "id": row["id"],
        "source": row["source"],
        "site": site,
        "title": row.get("title"),
        "language": row.get("language"),
        "status": status,
        "reasons": reasons,
        "lines": kept_lines,
        "cut": cut,
        "repairs": repairs,
    }


def _shown_folder(sources: Sources) -> str:
    """``<name>/build`` or ``<name>/<version>``: not the absolute path, which a release made in a staging folder
    would not keep (and a release's bytes must not depend on where it was made)."""
    if sources.kind == "release":
        return f"{sources.meta['name']}/{sources.meta['version']}"
    folder = sources.published or sources.folder
    return f"{folder.parent.name}/{folder.name}"


def _picker(n: int) -> Callable[[set[str]], set[str]]:
    """``pick(ids)``: ``n`` of ``ids``, the same ones on every run: the smallest hashes of the ids (each id hashed
    once, however many groups it is in; the key a dict's own look-up, so that ranking the groups' ~10 ids per
    document calls no Python function per id)."""
    hashes: dict[str, bytes] = {}

    def pick(ids: set[str]) -> set[str]:
        if len(ids) <= n:
            return set(ids)
        for doc_id in ids.difference(hashes):
            hashes[doc_id] = hashlib.blake2b(doc_id.encode(), digest_size=8).digest()
        return set(heapq.nsmallest(n, ids, key=hashes.__getitem__))

    return pick


def _site(domain: str | None, source: str) -> str:
    """A document's site: its domain, else the folder of its input file (or the file, for a flat folder)."""
    if domain:
        return domain
    source = source.split("#", 1)[0].split("::", 1)[0]
    head, _, _ = source.rpartition("/")
    return head or source


def _read(parts: list[Path], columns: list[str], ids: list[str] | None = None):
    """``columns`` of every part (null where a part lacks one), only the rows of ``ids`` when given. Read with
    ``ParquetFile``: ``pq.read_table`` goes through pyarrow.dataset, which imports pandas."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = pa.array(ids, pa.string()) if ids is not None else None
    tables = []
    for part in parts:
        file = pq.ParquetFile(part)
        names = set(file.schema_arrow.names)
        present = [c for c in columns if c in names]
        if wanted is None:
            table = file.read(columns=present)
        else:  # the ids first: a part that holds none of the sampled documents needs no text read
            hits = pc.is_in(file.read(columns=["id"])["id"], value_set=wanted)
            if not pc.any(hits).as_py():
                continue
            table = file.read(columns=present).filter(hits)
        for name in columns:
            if name not in names:
                table = table.append_column(name, pa.nulls(table.num_rows))
        tables.append(table.select(columns))
    if not tables:
        return pa.table({name: pa.array([], pa.string()) for name in columns})
    return pa.concat_tables(tables, promote_options="permissive")


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
