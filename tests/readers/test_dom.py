"""What the page's markup says about the lines trafilatura extracted (cleaner.readers.dom)."""

from __future__ import annotations

from cleaner.readers import dom
from tests.readers.test_html import BODY, lines_kept, page_of

ARTICLE = [p.split(">", 1)[1] for p in BODY.split("</p>") if p]


def test_list_items_and_table_rows_are_found_back_in_the_page():
    # trafilatura writes '- item' and '| cell | cell |': the page holds neither mark
    assert dom.located("- Politics: the vote in the chamber") == dom.squeeze("Politics: the vote in the chamber")
    assert dom.located("  - nested item") == "nesteditem"
    assert dom.located("| Rent | 400 € |") == "Rent400€"
    assert dom.located("A line - with a dash") == "Aline-withadash"


def test_a_list_of_links_in_furniture_goes_and_a_list_in_the_article_stays():
    related = ["Politics: the vote in the chamber", "Budget: what changes for you"]
    items = "".join(f"<li><a href='/{n}'>{text}</a></li>" for n, text in enumerate(related))
    steps = ["Read the plan", "Write to the council"]
    html = page_of(
        f"<article>{BODY}<ol>{''.join(f'<li>{s}</li>' for s in steps)}</ol>"
        f"<div class='read-more'><ul>{items}</ul></div></article>"
    )
    lines = [*ARTICLE, *(f"- {s}" for s in steps), *(f"- {r}" for r in related)]
    assert lines_kept(html, lines) == [*ARTICLE, *(f"- {s}" for s in steps)]


def test_an_empty_list_item_goes():
    html = page_of(f"<article>{BODY}<ul><li></li></ul></article>")
    assert lines_kept(html, [*ARTICLE, "- "]) == ARTICLE


def test_class_words_written_apart_or_together_name_the_same_part():
    # 'read-more', 'readMore' and 'readmore' all name a read-more box
    for name in ("read-more", "readMore", "c-read-more__list", "readmore"):
        assert "readmore" in dom.words_of(dom.etree.Element("div", {"class": name}))
    assert dom.words_of(dom.etree.Element("div", {"class": "has-ads layout"})) == {"layout"}
