"""The report as a person sees it: rendered by a real headless Chromium (Debian's ``chromium``), driven by
playwright. Charts drawn, a removed line shown with its reason, a repair shown in place with its kind, search finds
a document, no network request."""

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


def expect(locator):
    """Playwright's retrying assertions: the page draws on events that come after the action that caused them."""
    return pytest.importorskip("playwright.sync_api").expect(locator)


def test_charts_are_drawn(page, build: Path):
    charts = page.locator("figure.chart svg")
    assert charts.count() >= 6
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box["width"] > 100 and box["height"] > 40
        assert charts.nth(index).locator("path, rect").count() > 3  # marks, not an empty frame
    documents = len(read_table(build / "documents")) + len(read_table(build / "rejects"))
    assert page.locator("#sampling").inner_text().startswith(f"The charts and tables count all {documents} documents")
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
    expect(page.locator("#search")).to_have_value("reason:boilerplate.tracker")


def test_search_finds_a_document(page, build: Path):
    doc = read_table(build / "documents")[2]
    page.click("nav a[href='#documents']")
    page.fill("#search", doc["id"][:8])
    expect(page.locator("#results li")).to_have_count(1)
    page.click("#results li a")  # the document is drawn on the hashchange that follows, not during the click
    expect(page.locator("#doc h2")).to_have_text(doc["title"] or doc["source"])
    page.fill("#search", "status:rejected")
    expect(page.locator("#results li")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("tiny.txt")


def test_a_repair_is_shown_in_place_with_its_kind(page, build: Path):
    """From the overview's table of edits to a document that shows the damaged words struck, the repaired ones
    beside them, labelled with the step and the kind of repair."""
    edit = next(e for e in read_table(build / "edits") if e["kind"] == "mojibake" and e["line_no"] > 1)
    page.goto(page.url.split("#")[0] + "#overview")
    page.click(".tables a[href='#q=reason%3Arepair.mojibake']")
    page.wait_for_selector("#doc .edit")
    expect(page.locator("#search")).to_have_value("reason:repair.mojibake")
    shown = page.locator("#doc .line .edit", has=page.locator("del", has_text=edit["before"])).first
    assert shown.locator("del").inner_text() == edit["before"]
    assert shown.locator("ins").inner_text() == edit["after"]
    assert shown.locator(".kind").inner_text() == "repair.mojibake"
    assert shown.evaluate("e => getComputedStyle(e.querySelector('del')).textDecorationLine") == "line-through"
    colours = shown.evaluate("e => [...e.children].slice(0, 2).map(c => getComputedStyle(c).backgroundColor)")
    assert len(set(colours)) == 2 and "rgba(0, 0, 0, 0)" not in colours  # old and new words highlighted apart
    line = shown.locator("xpath=..")
    assert edit["before"] in line.inner_text() and "Ã" in line.inner_text()  # the text as it was read


def test_spaces_put_back_are_shown_in_place(page, build: Path):
    edit = next(e for e in read_table(build / "edits") if e["kind"] == "glued")
    page.goto(page.url.split("#")[0] + "#q=reason%3Aspacing.glued")
    page.wait_for_selector("#doc .edit")
    shown = page.locator("#doc .edit[data-kind='spacing.glued']", has=page.locator("del", has_text=edit["before"]))
    assert shown.count() == 1 and shown.locator("ins").inner_text() == edit["after"]
