"""The HTML report of a build or a release: ``report.html`` beside the data, one self-contained page.

- :mod:`.data`: the figures and the sampled documents, read from the Parquet tables;
- :mod:`.charts`: the charts (altair specs rendered to SVG by vl-convert);
- :mod:`.changes`: a release's changes against the previous one;
- :mod:`.page`: the HTML page.
"""

from __future__ import annotations

import os
from pathlib import Path

from cleaner.report.data import ReportError, locate

__all__ = ["ReportError", "write_report"]

REPORT_NAME = "report.html"


def write_report(path: Path, build: Path | None = None, previous: Path | None = None, per_group: int = 20) -> Path:
    """Write ``path/report.html`` for the build or release at ``path`` (atomically) and return its path.

    ``build`` gives a release the rejects and the audit of the run it was made from; ``previous`` (a release)
    adds the changes against it."""
    from cleaner.report import changes, charts, page
    from cleaner.report.data import gather

    sources = locate(path, build)
    data = gather(sources, per_group=per_group)
    if previous is not None and sources.kind == "release":
        data.diff = changes.changes(previous, path)
    html = page.render(data, charts.render_all(data))
    target = path / REPORT_NAME
    temporary = path / f".{REPORT_NAME}.tmp"
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, target)
    return target
