"""What a report shows, gathered from a build or a release: counts, per-document figures, and a sample of documents.

The figures for the charts come from every document (a few numeric columns, never the text); only a sample of
documents is embedded with its text, so that the page stays a few MB for any corpus: up to ``per_group`` documents
for each reject reason, each line-removal reason and each site, picked by a hash of their id (the same sample on
every build of the same data).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.schema import QUALITY_SIGNALS

# Columns read for the charts: no text.
FIGURE_COLUMNS = ["id", "source", "domain", "language", "n_chars", "n_words", "duplicate_cluster", *QUALITY_SIGNALS]
SITE_COUNTS = ("documents kept", "documents rejected", "lines removed", "chars removed")
MAX_DOC_CHARS = 20_000  # a longer embedded document is cut (and the page says so)


class ReportError(Exception):
    """A folder that is neither a build nor a release; the message says what to give instead."""


@dataclass
class Sources:
    """Where a report's tables are. A release has no rejects and no audit of its own: ``build`` adds them."""

    folder: Path
    kind: str  # "build" or "release"
    documents: list[Path]
    rejects: list[Path] = field(default_factory=list)
    audit: list[Path] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # run.json or manifest.json
    run: dict[str, Any] = field(default_factory=dict)  # run.json when there is one


@dataclass
class ReportData:
    title: str
    kind: str
    folder: str
    counts: dict[str, Any]
    figures: dict[str, list]  # column -> values over all kept documents (for charts)
    removed_by_reason: Counter
    removed_by_step: Counter
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
        return Sources(
            path, "build", _parts(path / "documents"), _parts(path / "rejects"), _parts(path / "audit"), run, run
        )
    if (path / "manifest.json").is_file() and (path / "data").is_dir():
        sources = Sources(path, "release", _parts(path / "data"), meta=_json(path / "manifest.json"))
        if build is not None and (build / "run.json").is_file():
            sources.rejects, sources.audit = _parts(build / "rejects"), _parts(build / "audit")
            sources.run = _json(build / "run.json")
        return sources
    raise ReportError(f"{path} is neither a build (documents/, run.json) nor a release (data/, manifest.json)")


def gather(sources: Sources, per_group: int = 20) -> ReportData:
    """Everything the page shows, with ``per_group`` sampled documents per reason and per site."""
    import pyarrow.compute as pc

    docs = _read(sources.documents, FIGURE_COLUMNS)
    rejects = _read(sources.rejects, ["id", "source", "reason", "detail", "duplicate_cluster"])
    audit = _read(sources.audit, ["id", "step", "reason"])
    removed_chars: Counter = Counter()
    if sources.audit:
        lengths = pc.utf8_length(_read(sources.audit, ["text"])["text"]).to_pylist()
        for doc_id, n in zip(audit["id"].to_pylist(), lengths, strict=True):
            removed_chars[doc_id] += n + 1  # and its newline
    ids = docs["id"].to_pylist()
    site_of = dict(zip(ids, map(_site, docs["domain"].to_pylist(), docs["source"].to_pylist()), strict=True))
    reject_sites = [_site(None, s) for s in rejects["source"].to_pylist()]
    figures = {name: docs[name].to_pylist() for name in FIGURE_COLUMNS if name not in ("id", "source", "domain")}
    figures["chars_before"] = [n + removed_chars[i] for i, n in zip(ids, figures["n_chars"], strict=True)]
    figures["removed_share"] = [
        removed_chars[i] / before if before else 0.0 for i, before in zip(ids, figures["chars_before"], strict=True)
    ]

    audit_reasons = [f"{s}.{r}" for s, r in zip(audit["step"].to_pylist(), audit["reason"].to_pylist(), strict=True)]
    by_reason_ids: dict[str, set[str]] = defaultdict(set)
    sites: dict[str, Counter] = defaultdict(Counter)
    for doc_id, reason in zip(audit["id"].to_pylist(), audit_reasons, strict=True):
        by_reason_ids[reason].add(doc_id)
        sites[site_of.get(doc_id, "?")]["lines removed"] += 1
    for doc_id, site in site_of.items():
        sites[site]["documents kept"] += 1
        sites[site]["chars removed"] += removed_chars[doc_id]
    for site in reject_sites:
        sites[site]["documents rejected"] += 1
    reject_ids: dict[str, set[str]] = defaultdict(set)
    for doc_id, reason in zip(rejects["id"].to_pylist(), rejects["reason"].to_pylist(), strict=True):
        reject_ids[reason].add(doc_id)
    by_site_ids: dict[str, set[str]] = defaultdict(set)
    for doc_id, site in site_of.items():
        by_site_ids[site].add(doc_id)
    for doc_id, site in zip(rejects["id"].to_pylist(), reject_sites, strict=True):
        by_site_ids[site].add(doc_id)

    picked_kept = set().union(*(_pick(v, per_group) for v in (*by_reason_ids.values(), *by_site_ids.values())))
    picked_kept &= set(ids)
    picked_rejected = set().union(*(_pick(v, per_group) for v in (*reject_ids.values(), *by_site_ids.values())))
    picked_rejected -= picked_kept
    samples = _kept_samples(sources, picked_kept, site_of) + _rejected_samples(sources, picked_rejected)
    samples.sort(key=lambda s: (s["status"] != "kept", s["id"]))
    # a cluster: the kept copy and the duplicates rejected with a pointer to it
    dup_counts = Counter(c for c in rejects["duplicate_cluster"].to_pylist() if c)
    cluster_sizes = Counter(1 + dup_counts[c] for c in set(docs["duplicate_cluster"].to_pylist()) if c)

    meta = sources.run or sources.meta
    counts = meta.get("counts", {})
    read = counts.get("read", docs.num_rows + rejects.num_rows)
    title = (meta.get("config", {}).get("dataset", {}) or {}).get("name") or sources.meta.get("name") or "dataset"
    if sources.kind == "release":
        title = f"{sources.meta['name']} {sources.meta['version']}"
    return ReportData(
        title=title,
        kind=sources.kind,
        folder=_shown_folder(sources),
        counts={
            "read": read,
            "kept": docs.num_rows,
            "rejected": rejects.num_rows,
            "lines_removed": audit.num_rows,
            "words_kept": sum(figures["n_words"]),
            "sites": len(sites),
        },
        figures=figures,
        removed_by_reason=Counter(audit_reasons),
        removed_by_step=Counter(audit["step"].to_pylist()),
        rejected_by_reason=Counter(rejects["reason"].to_pylist()),
        sites=sorted(
            ({"site": s, **{key: c[key] for key in SITE_COUNTS}} for s, c in sites.items()),
            key=lambda r: (-r["chars removed"], r["site"]),
        ),
        cluster_sizes=cluster_sizes,
        samples=samples,
        sampling={"per_group": per_group, "embedded": len(samples), "documents": read, "max_chars": MAX_DOC_CHARS},
    )


def reconstruct(text: str, removals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The document's lines before cleaning: the kept text with each removed line put back where it stood.

    Audit rows come in the order the steps removed them; each step's ``line_no`` counts the lines it saw, so the
    removals are undone from the last step back to the first."""
    lines: list[dict[str, Any]] = [{"t": line} for line in text.split("\n")] if text else []
    calls: list[list[dict[str, Any]]] = []
    for row in removals:  # one drop_lines call: one step, ascending line numbers
        if calls and calls[-1][-1]["step"] == row["step"] and calls[-1][-1]["line_no"] < row["line_no"]:
            calls[-1].append(row)
        else:
            calls.append([row])
    for call in reversed(calls):
        for row in call:
            at = min(max(row["line_no"] - 1, 0), len(lines))
            lines.insert(at, {"t": row["text"], "r": f"{row['step']}.{row['reason']}"})
    return lines


def _kept_samples(sources: Sources, picked: set[str], site_of: dict[str, str]) -> list[dict[str, Any]]:
    if not picked:
        return []
    wanted = sorted(picked)
    docs = _read(sources.documents, ["id", "source", "title", "language", "text", "stats"], ids=wanted)
    removals: dict[str, list] = defaultdict(list)
    if sources.audit:
        audit = _read(sources.audit, ["id", "step", "reason", "line_no", "text"], ids=wanted)
        for row in audit.to_pylist():
            removals[row["id"]].append(row)
    samples = []
    for row in docs.to_pylist():
        lines = reconstruct(row["text"], removals[row["id"]])
        repairs = {k: v for k, v in (row.get("stats") or {}).items() if v and k.startswith(("repair_", "spacing_"))}
        samples.append(
            _sample(row, "kept", site_of[row["id"]], lines, sorted({x["r"] for x in lines if "r" in x}), repairs)
        )
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
    return f"{sources.folder.parent.name}/{sources.folder.name}"


def _pick(ids: set[str], n: int) -> set[str]:
    """``n`` of ``ids``, the same ones on every run: the smallest hashes of the ids."""
    return set(sorted(ids, key=lambda i: hashlib.blake2b(i.encode(), digest_size=8).digest())[:n])


def _site(domain: str | None, source: str) -> str:
    """A document's site: its domain, else the folder of its input file (or the file, for a flat folder)."""
    if domain:
        return domain
    source = source.split("#", 1)[0].split("::", 1)[0]
    head, _, _ = source.rpartition("/")
    return head or source


def _read(parts: list[Path], columns: list[str], ids: list[str] | None = None):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    tables = []
    for part in parts:
        names = set(pq.read_schema(part).names)
        table = pq.read_table(part, columns=[c for c in columns if c in names])
        if ids is not None:
            table = table.filter(pc.is_in(table["id"], value_set=pa.array(ids, pa.string())))
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
