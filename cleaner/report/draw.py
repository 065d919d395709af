"""Charts drawn to SVG by vl-convert, in the report's process or in one of their own.

vl-convert starts a JavaScript engine at its first call in a process (~0.4 s of CPU), then draws the report's
charts in ~0.5 s more, and holds the GIL all the while: drawn where the report is written, that time adds to it
whole. :class:`Drawing` runs this file as a script instead (``python draw.py``: a JSON list of Vega-Lite specs on
stdin, a JSON list of SVGs on stdout), started before the report reads its tables: the engine starts while the
figures are gathered, and the charts are drawn while the documents are sampled. The script imports nothing of
cleaner (its start-up is Python's and vl-convert's alone). Should it fail, the charts are drawn here, where an
error says what went wrong.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

# Drawn before the specs arrive, to start the engine and load the fonts the labels are measured in.
WARM_UP = {
    "data": {"values": [{"a": "a", "b": 1}]},
    "mark": "bar",
    "encoding": {"y": {"field": "a", "type": "nominal"}, "x": {"field": "b", "type": "quantitative"}},
}


def svg(spec: dict[str, Any]) -> str:
    import vl_convert

    drawn = vl_convert.vegalite_to_svg(spec)
    # vl-convert resolves a bar's link against its own base URL: keep it the page's anchor (#q=...)
    return re.sub(r'xlink:href="[^"#]*#', 'xlink:href="#', drawn)


class Drawing:
    """Charts drawn by a process of its own: started at once, given the specs (:meth:`submit`), asked for the SVGs
    (:meth:`result`). Used as a context manager, so that the process never outlives the report."""

    def __init__(self) -> None:
        self._specs: list[dict[str, Any]] = []
        self._process: subprocess.Popen | None = None
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-P", str(Path(__file__))],  # -P: not this folder first on sys.path
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._process = None  # drawn here instead

    def submit(self, specs: list[dict[str, Any]]) -> None:
        """Hand the specs over; the process draws them while the caller goes on."""
        self._specs = specs
        if self._process is None:
            return
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(json.dumps(specs).encode("utf-8"))
            self._process.stdin.close()
        except OSError:  # it died: drawn here instead
            self.close()

    def result(self) -> list[str]:
        """The SVG of each spec, in order."""
        drawn = None
        if self._process is not None:
            assert self._process.stdout is not None
            out = self._process.stdout.read()
            if self._process.wait() == 0:
                drawn = json.loads(out)
            self._process = None
        if drawn is None or len(drawn) != len(self._specs):
            drawn = [svg(spec) for spec in self._specs]
        return drawn

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def __enter__(self) -> Drawing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main() -> None:
    """``python draw.py``: start the engine, then draw the specs on stdin, to stdout."""
    svg(WARM_UP)
    specs = json.load(sys.stdin)
    json.dump([svg(spec) for spec in specs], sys.stdout)


if __name__ == "__main__":
    main()
