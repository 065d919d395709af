"""HTML parsing stays safe: no external entity, DTD or network fetch, and no entity expansion, ever."""

from __future__ import annotations

import resource
import socket
import time
from pathlib import Path

import pytest

from cleaner.document import Document, Pending
from cleaner.readers import InputFile, read_file
from tests.readers.test_readers import write_warc

SECRET = "cleaner-xxe-canary-7f3a"
ARTICLE = (
    "<article><h1>Council passes budget</h1>"
    "<p>The city council approved the new budget on Tuesday after a long debate about school funding {entities}.</p>"
    "<p>Council members said the plan would add two hundred teachers over the next three years, while keeping "
    "property taxes flat for most households.</p>"
    "<p>Critics argued that the budget relies on optimistic revenue forecasts and leaves the transit authority "
    "without the money it needs to replace its ageing buses.</p></article>"
)


def xxe_page(secret_file: Path) -> str:
    """External entities: a local file, a URL, and an external DTD."""
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE html SYSTEM "http://127.0.0.1:9/evil.dtd" [<!ENTITY xxe SYSTEM "file://{secret_file}">'
        '<!ENTITY remote SYSTEM "http://127.0.0.1:9/x"><!ENTITY % dtd SYSTEM "http://127.0.0.1:9/p.dtd"> %dtd;]>\n'
        f"<html><head><title>Council passes budget</title></head><body>{ARTICLE.format(entities='&xxe; &remote;')}"
        "</body></html>"
    )


def laughs_page() -> str:
    """A billion laughs: ten levels of entities, each ten of the one below (10^9 'lol' if expanded)."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{entities}]>\n'
        f"<html><body>{ARTICLE.format(entities='&lol9;')}</body></html>"
    )


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt is recorded and refused."""
    attempts: list = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def hostile_inputs(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    pages = {"xxe.html": xxe_page(secret), "laughs.html": laughs_page()}
    for name, page in pages.items():
        (raw / name).write_text(page, encoding="utf-8")
    write_warc(
        raw / "hostile.warc",
        [(f"https://evil.example/{name}", "text/html", page.encode()) for name, page in pages.items()],
    )
    return raw


def test_xxe_and_billion_laughs_through_the_html_and_warc_readers(tmp_path: Path, no_network):
    raw = hostile_inputs(tmp_path)
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results = {}
    for path in sorted(raw.iterdir()):
        file = InputFile(str(path), path.name, path.stat().st_size)
        results[path.name] = [r.resolve() if isinstance(r, Pending) else r for r in read_file(file)]
    assert time.perf_counter() - started < 30  # no expansion: a billion laughs would take minutes and gigabytes
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KB
    assert no_network == []
    assert [len(results[name]) for name in ("hostile.warc", "laughs.html", "xxe.html")] == [2, 1, 1]
    for records in results.values():
        for record in records:
            text = record.text or ""
            assert SECRET not in text and "root:" not in text
            assert "lollollol" not in text
            assert len(text) < 10_000
            assert isinstance(record, Document) or record.reason == "read.no_main_text"
    # the article around the entities is still read: they stay unexpanded references, or go
    xxe = results["xxe.html"][0]
    assert isinstance(xxe, Document) and "approved the new budget" in xxe.text
    assert "approved the new budget" in results["hostile.warc"][0].text


# --- what the markup says about the extracted lines (cleaner.readers.dom)

BODY = (
    "<p>The city council approved the new budget on Tuesday after a long debate about school funding and transit.</p>"
    "<p>Council members said the plan would add two hundred teachers over the next three years, while keeping "
    "property taxes flat for most households in the city.</p>"
    "<p>Critics argued that the budget relies on optimistic revenue forecasts and leaves the transit authority "
    "without the money it needs to replace its ageing buses.</p>"
)
LEAD = "The council passed the budget after six hours of debate, and the mayor called it a plan for the schools."


def page_of(body: str) -> str:
    return f"<html><head><title>Budget</title></head><body>{body}</body></html>"


def lines_kept(html: str, lines: list[str]) -> list[str]:
    from trafilatura.utils import load_html

    from cleaner.readers import dom

    tree = load_html(html)
    keep = dom.drop_furniture(lines, dom.PageText(tree), dom.vocabulary())
    return [line for line, kept in zip(lines, keep, strict=True) if kept]


def test_a_line_found_only_in_site_furniture_goes_and_the_article_stays():
    article = [p.split(">", 1)[1] for p in BODY.split("</p>") if p]
    newsletter = "Sign up for our weekly letter and get the best stories"
    html = page_of(
        f'<div class="c-article">{BODY}</div><div class="newsletter-form__box"><p>{newsletter}</p></div>'
        '<div class="more-about__card --related"><p>Council budget: what changes for you</p></div>'
    )
    lines = [*article, newsletter, "Council budget: what changes for you"]
    assert lines_kept(html, lines) == article
    # the same words inside the article stay: a line goes only when every place it occurs is furniture
    html_twice = page_of(f'<div class="c-article">{BODY}<p>{newsletter}</p></div><footer><p>{newsletter}</p></footer>')
    assert lines_kept(html_twice, [*article, newsletter]) == [*article, newsletter]


def test_furniture_words_around_the_whole_article_do_not_remove_it():
    # a wrapper named for a sidebar layout holds the article itself: it is not furniture
    article = [p.split(">", 1)[1] for p in BODY.split("</p>") if p]
    html = page_of(f'<div class="layout has-sidebar"><article>{BODY}</article></div><nav><a href="/">Home</a></nav>')
    assert lines_kept(html, [*article, "Home"]) == article


def test_a_long_id_made_from_a_heading_names_no_furniture():
    heading = "Only the foil stays behind after the recycling process"
    html = page_of(f'<div class="c-article"><h3 id="nav_only_the_foil_stays_1">{heading}</h3>{BODY}</div>')
    assert lines_kept(html, [heading]) == [heading]


def test_the_lead_trafilatura_left_out_comes_back_before_the_article():
    from cleaner.readers.html import extract

    html = page_of(
        '<div class="news news-single"><div class="article"><h1>Council passes budget</h1>'
        f'<div class="teaser-text"><p>{LEAD}</p></div><div class="news-text-wrap">{BODY}</div></div></div>'
    )
    text, _ = extract(html)
    assert LEAD in text.split("\n")
    assert text.index(LEAD) < text.index("The city council approved")


def test_a_list_of_teasers_is_not_a_lead():
    from cleaner.readers.html import extract

    teasers = "".join(
        f'<div class="teaser"><p>Another story number {n} about the city, its schools, its buses and its '
        "budget debates this year.</p></div>"
        for n in range(3)
    )
    html = page_of(f"<div>{teasers}</div><article><h1>Council passes budget</h1>{BODY}</article>")
    text, _ = extract(html)
    assert "Another story number" not in text
    assert "The city council approved" in text


def test_a_modifier_class_names_no_furniture():
    # "has-ads" says the section holds an advertisement, not that it is one
    article = [p.split(">", 1)[1] for p in BODY.split("</p>") if p]
    html = page_of(
        f'<section class="o-section o-section--has-ads">{BODY[: BODY.index("</p>") + 4]}</section>'
        f'<div class="c-article">{BODY[BODY.index("</p>") + 4 :]}</div>'
    )
    assert lines_kept(html, article) == article


def test_php_error_messages_printed_into_a_page_are_not_its_text():
    from cleaner.readers.html import extract, without_server_errors

    error = (
        "<br />\n<b>Warning</b>:  Use of undefined constant comments - assumed 'comments' (this will throw an Error "
        "in a future version of PHP) in <b>/htdocs/wp-content/plugins/recent-comments.php</b> on line <b>928</b><br />"
    )
    post = "<div class='post'><p>It has been a while since the last post about our dog and his summer.</p></div>"
    html = page_of(error * 12 + post)
    assert "on line" not in without_server_errors(html) and "his summer" in without_server_errors(html)
    text, _ = extract(html)
    assert text is not None and "summer" in text and "Warning" not in text
    # a page that only quotes such a message in prose keeps it
    prose = page_of(f"<article>{BODY}<p>The log said: Warning: no such file on line 12 of the script.</p></article>")
    assert without_server_errors(prose) == prose
