"""The report as a person sees it: rendered by a real headless Chromium (Debian's ``chromium``), driven by
playwright. Charts drawn, a removed line shown with its reason, search finds a document, no network request."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cleaner.report import write_report
from tests.conftest import read_table

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium)")


@pytest.fixture(scope="module")
def page(build: Path):
    playwright = pytest.importorskip("playwright.sync_api")
    report = write_report(build)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        requests: list[str] = []
        tab.on("request", lambda r: requests.append(r.url))
        tab.goto(report.as_uri())
        tab.wait_for_selector("body[data-ready='1']")
        tab.requests = requests
        yield tab
        browser.close()


def test_charts_are_drawn(page):
    charts = page.locator("figure.chart svg")
    assert charts.count() >= 6
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box["width"] > 100 and box["height"] > 40
        assert charts.nth(index).locator("path, rect").count() > 3  # marks, not an empty frame
    assert page.locator("#sampling").inner_text().startswith("The charts and tables count all 6 documents")
    assert {Path(u).name for u in page.requests} == {"report.html"}  # nothing else fetched


def test_reason_link_opens_a_document_with_its_removed_line(page, build: Path):
    row = next(r for r in read_table(build / "audit") if r["reason"] == "tracker")
    page.goto(page.url.split("#")[0] + "#overview")
    page.click(".tables a[href='#q=reason%3Aboilerplate.tracker']")  # the overview's table links to a sample
    page.wait_for_selector("#doc .line.removed")
    assert page.locator("#results li").count() == 1
    removed = page.locator("#doc .line.removed", has_text=row["text"])
    assert removed.locator("del").inner_text() == row["text"]
    assert removed.locator(".reason").inner_text() == "boilerplate.tracker"
    assert removed.evaluate("e => getComputedStyle(e.querySelector('del')).textDecorationLine") == "line-through"


def test_a_bar_links_to_its_sample(page):
    page.goto(page.url.split("#")[0] + "#overview")
    bar = page.locator("figure.chart a[*|href='#q=reason%3Aboilerplate.tracker']")
    assert bar.count() == 1
    bar.click()
    page.wait_for_selector("#doc .line.removed")
    assert page.locator("#search").input_value() == "reason:boilerplate.tracker"


def test_search_finds_a_document(page, build: Path):
    doc = read_table(build / "documents")[2]
    page.click("nav a[href='#documents']")
    page.fill("#search", doc["id"][:8])
    assert page.locator("#results li").count() == 1
    page.click("#results li a")
    assert page.locator("#doc h2").inner_text() == (doc["title"] or doc["source"])
    page.fill("#search", "status:rejected")
    assert page.locator("#results li").count() == 1 and "tiny.txt" in page.locator("#results").inner_text()
