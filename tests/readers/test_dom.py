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


# --- structured data: schema.org microdata and JSON-LD (cleaner.readers.structured)

STANDFIRST = "The council passed the budget after six hours of debate, and the mayor called it a plan for the schools."


def extracted(html: str) -> list[str]:
    from cleaner.readers.html import extract

    text, _ = extract(html)
    assert text is not None
    return text.split("\n")


def test_the_standfirst_named_by_itemprop_description_comes_back_and_an_authors_bio_does_not():
    bio = "Jane Doe has covered the city council for twelve years and writes about schools and transit."
    html = page_of(
        '<article itemscope itemtype="https://schema.org/NewsArticle"><h1>Council passes budget</h1>'
        f'<p class="x-7" itemprop="description">{STANDFIRST}</p>'
        '<div itemprop="author" itemscope itemtype="https://schema.org/Person">'
        f'<p itemprop="description">{bio}</p></div><div itemprop="articleBody">{BODY}</div></article>'
    )
    lines = extracted(html)
    if STANDFIRST in lines:  # trafilatura may keep it itself; then it must not come twice
        assert lines.count(STANDFIRST) == 1
    assert STANDFIRST in lines and lines.index(STANDFIRST) < lines.index(ARTICLE[0])
    assert bio not in lines


def test_the_page_description_shown_as_a_standfirst_comes_back():
    meta = f'<meta name="description" content="{STANDFIRST}">'
    head = f"<div class='x-hd'><h1>Council passes budget</h1><div class='x-9'>{STANDFIRST}</div></div>"
    body = f"{head}<article>{BODY}</article>"
    html = f"<html><head><title>Budget</title>{meta}</head><body>{body}</body></html>"
    assert dom.squeeze(STANDFIRST) in dom.squeeze("".join(extracted(html)))
    # a description made of the article's first sentences stands across paragraphs: the element holding them is
    # the whole post (with its share bar), not a standfirst
    from cleaner.readers import structured

    share = "Click to share this article with your friends on every network"
    post = page_of(f"<div class='entry'>{BODY}<div class='x-s'><span>{share}</span></div></div>")
    page = dom.PageText(dom.etree.fromstring(post, dom.etree.HTMLParser()))
    assert not structured.described_elements(page, [f"{ARTICLE[0]} {ARTICLE[1][:40]}"])
    assert len(structured.described_elements(page, [ARTICLE[1]])) == 1


def test_ingredients_the_page_marks_come_back_where_they_stand():
    ingredients = ["1 large whole chicken", "2 tablespoons vegetable oil", "1 medium onion, chopped"]
    items = "".join(f'<li itemprop="recipeIngredient">{i}</li>' for i in ingredients)
    steps = (
        "<p>Heat the oil in a large pot over a medium flame and brown the chicken on every side for ten minutes.</p>"
        "<p>Add the onion and cook until soft, then pour in water, cover and simmer for an hour until tender.</p>"
        "<p>Lift the chicken out, rest it for ten minutes, then carve it and serve it with the rice and the sauce.</p>"
    )
    html = page_of(
        '<div itemscope itemtype="https://schema.org/Recipe"><h1>Roast chicken</h1>'
        f'<div class="recipe-widget"><ul>{items}</ul><ul>{items}</ul></div><div class="method">{steps}</div></div>'
    )
    lines = extracted(html)
    for ingredient in ingredients:
        assert lines.count(f"- {ingredient}") == 1
    assert lines.index(f"- {ingredients[0]}") < lines.index(next(line for line in lines if "Heat the oil" in line))


def test_a_script_rendered_article_is_read_from_its_json_ld_body():
    import json

    paragraphs = [
        f"Paragraph {n} of the article tells what the council decided and why it matters. " * 6 for n in range(4)
    ]
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "articleBody": "\n".join(paragraphs)}
    caption = "<figure><figcaption>The mayor speaks in the council hall on Tuesday evening.</figcaption></figure>"
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head>'
        f"<body><article><p>The mayor speaks in the council hall on Tuesday evening after the vote.</p></article>"
        f"{caption}</body></html>"
    )
    from cleaner.readers import structured

    objects = structured.json_ld(dom.etree.fromstring(html, dom.etree.HTMLParser()))
    lines = structured.body_if_missed(["A caption of the article's picture."], objects, dom.vocabulary())
    assert lines[-4:] == [p.strip() for p in paragraphs]
    # an extraction holding the article stays as it is
    long = [p.strip() for p in paragraphs[:2]]
    assert structured.body_if_missed(long, objects, dom.vocabulary()) == long
    # a block that is not JSON is skipped
    broken = '<html><head><script type="application/ld+json">{"articleBody": </script></head><body></body></html>'
    assert structured.json_ld(dom.etree.fromstring(broken, dom.etree.HTMLParser())) == []


def test_a_lead_inside_the_articles_own_wrapper_comes_back_though_its_classes_name_furniture():
    # WordPress names the post by its taxonomy ('tag-google displayed_author-jane-doe'): the wrapper holding the
    # article is not an author box, and neither is the standfirst inside it
    html = page_of(
        '<article class="post tag-google displayed_author-jane-doe"><header><h1>Council passes budget</h1>'
        f'<p class="x-lead teaser">{STANDFIRST}</p></header><div class="x-body">{BODY}</div></article>'
    )
    lines = extracted(html)
    assert STANDFIRST in lines and lines.index(STANDFIRST) < lines.index(ARTICLE[0])
    # the same standfirst inside a real author box stays out
    boxed = page_of(
        f'<article><h1>Council passes budget</h1><div class="author-box"><p class="teaser">{STANDFIRST}</p></div>'
        f'<div class="x-body">{BODY}</div></article>'
    )
    assert STANDFIRST not in extracted(boxed)
