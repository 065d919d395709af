"""The HTML report of a build or a release: ``report.html`` beside the data, one self-contained page.

- :mod:`.data`: the figures and the sampled documents, read from the Parquet tables;
- :mod:`.charts`: the charts' Vega-Lite specs; :mod:`.draw`: drawn to SVG by vl-convert, in a process of their own;
- :mod:`.changes`: a release's changes against the previous one;
- :mod:`.page`: the HTML page.
"""

from __future__ import annotations

import os
from pathlib import Path

from cleaner.report.data import ReportData, ReportError, locate

__all__ = ["ReportError", "write_report"]

REPORT_NAME = "report.html"


def write_report(
    path: Path,
    build: Path | None = None,
    previous: Path | None = None,
    per_group: int = 20,
    published: Path | None = None,
) -> Path:
    """Write ``path/report.html`` for the build or release at ``path`` (atomically) and return its path.

    ``build`` gives a release the rejects and the audit of the run it was made from; ``previous`` (a release)
    adds the changes against it; ``published``: where a build still being written at ``path`` will be published
    (the page names that folder)."""
    from cleaner.report import changes, charts, page
    from cleaner.report.data import gather
    from cleaner.report.draw import Drawing
    from cleaner.writer import prime_pyarrow

    prime_pyarrow()
    sources = locate(path, build)
    sources.published = published
    titles: list[str] = []

    def draw(data: ReportData) -> None:  # as soon as the figures are counted, before the documents are sampled
        drawn = charts.specs(data)
        titles.extend(title for title, _ in drawn)
        drawing.submit([spec for _, spec in drawn])

    with Drawing() as drawing:  # its process starts vl-convert while the tables are read
        data = gather(sources, per_group=per_group, on_counted=draw)
        if previous is not None and sources.kind == "release":
            data.diff = changes.changes(previous, path)
        svgs = drawing.result()
    html = page.render(data, list(zip(titles, svgs, strict=True)))
    target = path / REPORT_NAME
    temporary = path / f".{REPORT_NAME}.tmp"
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, target)
    return target
