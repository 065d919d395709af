"""The charts' Vega-Lite specs: valid against the Vega-Lite schema (they are written as JSON, without altair), and
drawn to SVG by vl-convert with the bars linking to the page's samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.report import charts
from cleaner.report.data import gather, locate


@pytest.fixture(scope="module")
def specs(build: Path) -> list[tuple[str, dict]]:
    drawn = [(title, spec) for title, spec in charts.specs(gather(locate(build))) if spec is not None]
    assert len(drawn) >= 6
    return drawn


def test_specs_are_valid_vega_lite(specs):
    jsonschema = pytest.importorskip("jsonschema")
    schema = pytest.importorskip("altair.vegalite.v6.schema.core").load_schema()  # altair comes with GX
    validator = jsonschema.Draft7Validator(schema)
    for title, spec in specs:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(spec)]
        assert not errors, f"{title}: {errors[:3]}"
    broken = {**specs[0][1], "mark": {"type": "bars"}}
    assert not validator.is_valid(broken)  # the check does look


def test_bars_link_to_the_page(specs):
    svg = charts.to_svg(dict(specs)["Lines removed by reason (colour: step)"])
    assert svg.startswith("<svg") and 'xlink:href="#q=reason%3Aboilerplate.' in svg
    assert 'xlink:href="http' not in svg and "file:" not in svg
