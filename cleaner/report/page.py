"""The report as one HTML page: the overview (figures, charts as inline SVG, tables linking to samples), the
documents view (search and per-document view, driven by a small script inlined from ``cleaner/data/report``) and,
for a release, its changes. Nothing is loaded from elsewhere when the page is opened."""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from typing import Any
from urllib.parse import quote

from cleaner import __version__
from cleaner.report.data import SITES_SHOWN, ReportData


def render(data: ReportData, charts: list[tuple[str, str]]) -> str:
    css = _asset("page.css")
    script = _asset("page.js")
    payload = json.dumps({"samples": data.samples, "sampling": data.sampling}, ensure_ascii=False, sort_keys=True)
    payload = payload.replace("</", "<\\/")  # nothing in a document's text may close the script element
    nav = '<a href="#overview">Overview</a><a href="#documents">Documents</a>'
    if data.diff:
        nav += '<a href="#changes">Changes</a>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'; img-src data:">
<title>{escape(data.title)}: cleaning report</title><style>{css}</style></head>
<body><header><h1>{escape(data.title)}: cleaning report</h1>
<p>{escape(data.kind)} at {escape(data.folder)} · made by cleaner {escape(__version__)}</p></header>
<nav>{nav}</nav>
<main>
<section id="overview">{_overview(data, charts)}</section>
<section id="documents" hidden>{_documents(data)}</section>
{f'<section id="changes" hidden>{_changes(data.diff)}</section>' if data.diff else ""}
</main>
<script id="report-data" type="application/json">{payload}</script>
<script>{script}</script>
</body></html>
"""


def _overview(data: ReportData, charts: list[tuple[str, str]]) -> str:
    c = data.counts
    tiles = [
        ("documents read", c["read"]),
        ("kept", c["kept"]),
        ("rejected", c["rejected"]),
        ("lines removed", c["lines_removed"]),
        ("edits inside lines", c["edits"]),
        ("words kept", c["words_kept"]),
        ("sites", c["sites"]),
    ]
    parts = ['<div class="tiles">']
    parts += [f'<div class="tile"><b>{n:,}</b>{escape(label)}</div>' for label, n in tiles]
    parts.append("</div>")
    parts.append(f'<p class="note" id="sampling">{escape(_sampling_note(data))}</p>')
    parts.append('<div class="charts">')
    for title, svg in charts:
        parts.append(f'<figure class="chart"><h3>{escape(title)}</h3>{svg}</figure>')
    parts.append("</div><div class=tables>")
    parts.append(
        _table(
            "Rejected documents by reason",
            ["reason", "documents"],
            [(_link("reason", r), n) for r, n in data.rejected_by_reason.most_common()],
        )
    )
    parts.append(
        _table(
            "Lines removed by reason",
            ["reason", "lines"],
            [(_link("reason", r), n) for r, n in data.removed_by_reason.most_common()],
        )
    )
    parts.append(
        _table(
            "Lines removed by step", ["step", "lines"], [(escape(s), n) for s, n in data.removed_by_step.most_common()]
        )
    )
    parts.append(
        _table(
            "Edits inside lines by kind",
            ["kind", "edits", "documents"],
            [(_link("reason", k), n, data.edited_documents[k]) for k, n in data.edits_by_kind.most_common()],
        )
    )
    site_rows = [
        (
            _link("site", s["site"]),
            s.get("documents kept", 0),
            s.get("documents rejected", 0),
            s.get("lines removed", 0),
            s.get("chars removed", 0),
            s.get("edits", 0),
        )
        for s in data.sites[:SITES_SHOWN]
    ]
    title = "Sites by characters removed"
    if len(data.sites) > SITES_SHOWN:
        title += f" (top {SITES_SHOWN} of {len(data.sites):,})"
    parts.append(_table(title, ["site", "kept", "rejected", "lines removed", "chars removed", "edits"], site_rows))
    parts.append("</div>")
    return "\n".join(parts)


def _sampling_note(data: ReportData) -> str:
    s = data.sampling
    return (
        f"The charts and tables count all {s['documents']:,} documents. The Documents tab holds a sample of "
        f"{s['embedded']:,} of them, with their text: up to {s['per_group']} for each reject reason, each "
        f"line-removal reason, each kind of edit and each site listed below, the same ones on every build (the "
        f"smallest hashes of their ids); a document's text is shown up to {s['max_chars']:,} characters. A kept "
        f"document is shown as it was read: its removed lines put back in place from the audit table, struck "
        f"through, and the words a step repaired (encoding, missing spaces) as they were, from the edits table, "
        f"with the new words beside them."
    )


def _documents(data: ReportData) -> str:
    return (
        '<input id="search" type="search" placeholder="Search by id, source, site or reason; '
        'or reason:NAME site:NAME status:kept|rejected" autocomplete="off">'
        '<p id="count"></p><div class="docs"><ul id="results"></ul>'
        '<div id="doc"><p>Pick a document on the left, or a reason or a site on the overview.</p></div></div>'
    )


def _changes(diff: dict[str, Any]) -> str:
    parts = [f"<h2>{escape(diff['new'])} against {escape(diff['old'])}</h2>", f"<p>{escape(diff['summary'])}</p>"]
    parts.append(
        _table(
            "Totals",
            ["", escape(diff["old"]), escape(diff["new"])],
            [("documents", *diff["documents"]), ("words", *diff["words"])],
        )
    )
    for kind in ("added", "removed", "changed"):
        example = diff["examples"].get(kind)
        if not example:
            continue
        body = example.get("diff") or example.get("text") or ""
        parts.append(f'<h3>An example {kind}: {escape(example["id"])}</h3><pre class="example">{escape(body)}</pre>')
    return "\n".join(parts)


def _table(title: str, header: list[str], rows: list[tuple]) -> str:
    if not rows:
        return f"<div><h3>{escape(title)}</h3><p>none</p></div>"
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{v:,}</td>' if isinstance(v, int) else f"<td>{v}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<div><h3>{escape(title)}</h3><table><tr>{head}</tr>{body}</table></div>"


def _link(kind: str, value: str) -> str:
    return f'<a href="#q={quote(f"{kind}:{value}")}">{escape(value)}</a>'


def _asset(name: str) -> str:
    return resources.files("cleaner").joinpath("data", "report", name).read_text(encoding="utf-8")
