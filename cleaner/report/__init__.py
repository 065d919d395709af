"""The HTML report of a build or a release: ``report.html`` beside the data, one self-contained page.

- :mod:`.data`: the figures and the sampled documents, read from the Parquet tables;
- :mod:`.charts`: the charts' Vega-Lite specs; :mod:`.draw`: drawn to SVG by vl-convert, in a process of their own;
- :mod:`.changes`: a release's changes against the previous one;
- :mod:`.page`: the HTML page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

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

    _prime_pyarrow()
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


def _prime_pyarrow() -> None:
    """Let pyarrow find out once, with pandas hidden, that the report's lists are no pandas objects.

    pyarrow imports pandas (~0.3 s of CPU, as much as gathering the report's figures) the first time it converts a
    Python list or value, or a column to numpy, only to ask whether it is a pandas object; the report never hands
    it one. pyarrow remembers the failed import and tries again where pandas is really needed (``to_pandas``).
    ``cleaner run`` has done this already (:func:`cleaner.runner._prime_pyarrow`); ``cleaner report`` and
    ``cleaner publish`` have not."""
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array(["warm"], pa.string()).to_pylist()
        pa.array([0], pa.int64()).to_numpy()
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """An import hook under which ``import pandas`` fails at once, as it does where pandas is not installed."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("the report converts no pandas objects", name=name)
