"""The charts' Vega-Lite specs: valid against the Vega-Lite schema (they are written as JSON, without altair), drawn
to SVG by vl-convert with the bars linking to the page's samples, the same in a drawing process as in this one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cleaner.report import charts
from cleaner.report.data import gather, locate
from cleaner.report.draw import Drawing


@pytest.fixture(scope="module")
def specs(build: Path) -> list[tuple[str, dict]]:
    drawn = charts.specs(gather(locate(build)))
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


def test_a_drawing_process_draws_what_this_process_draws(specs):
    chosen = [spec for _, spec in specs[:3]]
    with Drawing() as drawing:
        drawing.submit(chosen)
        assert drawing.result() == [charts.to_svg(spec) for spec in chosen]


@pytest.mark.parametrize("python", ["/bin/false", "/nonexistent/python"])
def test_without_a_drawing_process_the_charts_are_drawn_here(specs, monkeypatch, python: str):
    """A process that fails (or cannot start) costs the overlap, not the charts."""
    monkeypatch.setattr(sys, "executable", python)
    chosen = [spec for _, spec in specs[:2]]
    with Drawing() as drawing:
        drawing.submit(chosen)
        assert drawing.result() == [charts.to_svg(spec) for spec in chosen]
