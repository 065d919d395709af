"""The report's charts: Vega-Lite specs, rendered to SVG at build time by vl-convert (:mod:`.draw`).

Rendering here rather than in the browser keeps the page self-contained (no chart library to download or inline)
and quick to open. Per-document figures are binned here with numpy, so a chart holds a few dozen bars whatever
the size of the corpus. Bars of a reason or a site link to the page's sample of the documents it affected.

The specs are written as Vega-Lite JSON directly (the dicts altair's ``to_dict()`` gave for the same charts):
importing altair and validating each chart against the schema took more CPU than drawing the charts, on every run;
the specs are checked against the Vega-Lite schema by the tests instead.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from cleaner.report import draw
from cleaner.report.data import ReportData
from cleaner.schema import QUALITY_SIGNALS

WIDTH = 420
# The labels are measured when the SVG is made and drawn by the browser: measured in a wide font, they fit in any
# narrower one (with "sans-serif", vl-convert measures Liberation Sans and Chromium on Linux draws DejaVu Sans,
# which cut the ends of long labels and legends off).
FONT = "DejaVu Sans, Verdana, sans-serif"
TOP = 15  # bars in a ranking
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}, "font": FONT}


def specs(data: ReportData) -> list[tuple[str, dict[str, Any]]]:
    """(title, Vega-Lite spec) of every chart that has something to show."""
    charts = [
        ("Documents by outcome", _outcomes(data)),
        ("Lines removed by reason (colour: step)", _removed(data)),
        ("Languages of kept documents", _ranking(Counter(x or "und" for x in data.figures["language"]), "language")),
        ("Document length in characters, before and after cleaning", _lengths(data)),
        ("Share of each document's text removed", _histogram(data.figures["removed_share"], "share removed")),
        ("Quality signals of kept documents", _quality(data)),
        ("Top sites by characters removed", _sites(data)),
        ("Duplicate clusters by size (kept copy + duplicates)", _clusters(data)),
    ]
    return [(title, spec) for title, spec in charts if spec is not None]


def to_svg(spec: dict[str, Any]) -> str:
    """The chart drawn in this process (:class:`cleaner.report.draw.Drawing` draws them in one of their own)."""
    return draw.svg(spec)


def _chart(rows: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    """A top-level spec over inline ``rows``."""
    return {"$schema": SCHEMA, "config": CONFIG, "data": {"values": rows}, **spec}


def _field(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    """An encoding channel: ``_field("documents", "quantitative", title="documents")``."""
    return {"field": name, "type": kind, **extra}


def _bar(rows: list[dict], y: str, x: str, color: str | None = None, href: bool = False) -> dict[str, Any] | None:
    if not rows:
        return None
    encoding: dict[str, Any] = {
        "y": _field(y, "nominal", sort="-x", title=None),
        "x": _field(x, "quantitative", title=x),
        "tooltip": [_field(y, "nominal"), _field(x, "quantitative")],
    }
    if color:
        encoding["color"] = _field(color, "nominal")
    if href:
        encoding["href"] = _field("link", "nominal")
    return _chart(rows, mark={"type": "bar"}, encoding=encoding, width=WIDTH)


def _link(kind: str, value: str) -> str:
    return f"#q={quote(f'{kind}:{value}')}"


def _outcomes(data: ReportData) -> dict[str, Any] | None:
    rows = [{"outcome": "kept", "documents": data.counts["kept"], "link": "#q=status%3Akept"}]
    rows += [
        {"outcome": f"rejected: {reason}", "documents": n, "link": _link("reason", reason)}
        for reason, n in data.rejected_by_reason.most_common(TOP)
    ]
    return _bar(rows, "outcome", "documents", href=True)


def _removed(data: ReportData) -> dict[str, Any] | None:
    rows = [
        {"reason": reason, "lines": n, "step": reason.split(".", 1)[0], "link": _link("reason", reason)}
        for reason, n in data.removed_by_reason.most_common(TOP)
    ]
    return _bar(rows, "reason", "lines", color="step", href=True)


def _ranking(counts: Counter, label: str) -> dict[str, Any] | None:
    return _bar([{label: k, "documents": n} for k, n in counts.most_common(TOP)], label, "documents")


def _sites(data: ReportData) -> dict[str, Any] | None:
    rows = [
        {"site": s["site"], "characters removed": s["chars removed"], "link": _link("site", s["site"])}
        for s in data.sites[:TOP]
        if s["chars removed"]
    ]
    return _bar(rows, "site", "characters removed", href=True)


def _clusters(data: ReportData) -> dict[str, Any] | None:
    rows = [{"size": str(size), "clusters": n} for size, n in sorted(data.cluster_sizes.items()) if size > 1]
    return _bar(rows, "size", "clusters")


def _bins(values: list[float], series: str, edges: Any) -> list[dict[str, Any]]:
    import numpy as np

    counts, _ = np.histogram(np.asarray(values, dtype=float), bins=edges)
    return [
        {"from": float(a), "to": float(b), "documents": int(n), "series": series}
        for a, b, n in zip(edges[:-1], edges[1:], counts, strict=True)
        if n  # an empty bin would draw a line along the axis
    ]


def _binned_chart(rows: list[dict[str, Any]], x_title: str, log: bool = False) -> dict[str, Any]:
    """Bars from each bin's ``from`` to its ``to``, one colour per series, drawn over each other."""
    scale = {"type": "log"} if log else {"domain": [0, 1]}
    encoding = {
        "color": _field("series", "nominal", title=None),
        "tooltip": [_field("series", "nominal"), *(_field(f, "quantitative") for f in ("from", "to", "documents"))],
        "x": _field("from", "quantitative", scale=scale, title=x_title),
        "x2": {"field": "to"},
        "y": _field("documents", "quantitative", stack=None),
        "y2": {"datum": 0},  # a bar from the axis up, not a line at its count
    }
    mark = {"type": "bar", "binSpacing": 0, "opacity": 0.6}
    return _chart(rows, mark=mark, encoding=encoding, height=160, width=WIDTH)


def _histogram(values: list[float], title: str) -> dict[str, Any] | None:
    import numpy as np

    clean = [v for v in values if v is not None]
    if not clean:
        return None
    return _binned_chart(_bins(clean, title, np.linspace(0.0, 1.0, 21)), title)


def _lengths(data: ReportData) -> dict[str, Any] | None:
    import numpy as np

    before, after = data.figures["chars_before"], data.figures["n_chars"]
    if not before:
        return None
    top = max(max(before), 10)
    edges = np.unique(np.geomspace(1, top + 1, 25).round())
    rows = _bins([max(v, 1) for v in before], "before", edges) + _bins([max(v, 1) for v in after], "after", edges)
    return _binned_chart(rows, "characters (log scale)", log=True)


def _quality(data: ReportData) -> dict[str, Any] | None:
    import numpy as np

    rows = []
    for name in QUALITY_SIGNALS:
        values = [v for v in data.figures[name] if v is not None]
        if not values:
            continue
        top = max(1.0, float(max(values))) if name in ("mean_word_length", "symbol_word_ratio") else 1.0
        edges = np.linspace(0.0, top, 21)
        rows += [{**row, "signal": name} for row in _bins(values, name, edges)]
    if not rows:
        return None
    encoding = {
        "tooltip": [_field("signal", "nominal"), *(_field(f, "quantitative") for f in ("from", "to", "documents"))],
        "x": _field("from", "quantitative", title=None),
        "x2": {"field": "to"},
        "y": _field("documents", "quantitative"),
        "y2": {"datum": 0},
    }
    panel = {"mark": {"type": "bar", "binSpacing": 0}, "encoding": encoding, "height": 90, "width": 180}
    return _chart(
        rows,
        facet=_field("signal", "nominal", title=None),
        spec=panel,
        columns=3,
        resolve={"scale": {"x": "independent"}},
    )
