"""What a page says about its own content in structured data: schema.org microdata and JSON-LD.

The DOM extraction misses what the markup itself names as content: a recipe's ingredient list in a widget
trafilatura takes for furniture, a standfirst that stands only in the page's description, an article a script
renders from its JSON-LD ``articleBody`` (the HTML holds a picture caption and nothing else). These signals do not
depend on a site's class names: schema.org's vocabulary is the same on every site, in every language.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from cleaner.readers import dom

INGREDIENTS = frozenset({"recipeingredient", "ingredients"})  # itemprop names, compared lower-cased
_MAY_BE_INGREDIENT = etree.XPath("//*[contains(@itemprop, 'ngredient')]")
# a description taken from the first sentences of the article spans several paragraphs: the element holding them
# all (the post, with its share buttons) is not a standfirst; one at most this many times the description's size is
MAX_DESCRIBED_SIZE = 2
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"(?i)</p\s*>|<br\s*/?>|\n")


def json_ld(root: etree._Element) -> list[dict[str, Any]]:
    """Every object of the page's JSON-LD blocks (``@graph`` and nested lists flattened); a block that is not
    valid JSON is skipped, as browsers and search engines skip it."""
    found: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        found.extend(_objects(data))
    return found


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), list | dict):
                yield from _objects(data[key])


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    return {str(k).lower() for k in (kind if isinstance(kind, list) else [kind]) if k}


def descriptions(root: etree._Element, objects: list[dict[str, Any]], vocab: dom.Vocabulary) -> list[str]:
    """The page's descriptions of itself: the meta and Open Graph description, and the JSON-LD description of
    every item that is not a side item (an author, a picture, the publisher)."""
    found = []
    for meta in root.iter("meta"):
        if (meta.get("name") or meta.get("property") or "").lower() in ("description", "og:description"):
            found.append(meta.get("content") or "")
    for item in objects:
        if isinstance(item.get("description"), str) and not _types(item) & vocab.item_types_not:
            found.append(item["description"])
    texts = [_ELLIPSIS.sub("", html.unescape(text)).strip() for text in found]
    return list(dict.fromkeys(text for text in texts if len(text.split()) >= vocab.min_words))


def described_elements(page: dom.PageText, texts: list[str]) -> frozenset[int]:
    """Ids of the block elements of the page's body where a description stands as visible text (a standfirst the
    extraction may have dropped); a description found in more than two places is a teaser, not a lead, and one
    whose smallest block holds much more than it is the start of the article, not a standfirst."""
    found = set()
    for text in texts:
        places = page.occurrences(dom.squeeze(text), 3)
        if not 0 < len(places) <= 2:
            continue
        for start, end in places:
            element = page.around(start, end)
            while element.tag not in dom.BLOCKS and element.getparent() is not None:
                element = element.getparent()
            low, high = page.span[element]
            if (
                high - low <= MAX_DESCRIBED_SIZE * (end - start)  # the description's own element, not all the post
                and next(element.iterancestors("head"), None) is None
                and element.tag not in dom.ROOTS
            ):
                found.add(id(element))
    return frozenset(found)


def restore_ingredients(lines: list[str], page: dom.PageText, root: etree._Element, vocab: dom.Vocabulary) -> list[str]:
    """The lines with the ingredients the page marks as such (``itemprop="recipeIngredient"``) that the
    extraction left out, put back where they stand (a recipe widget is often taken for furniture)."""
    marked = [
        element
        for element in _MAY_BE_INGREDIENT(root)  # one XPath search in C instead of a walk over every element
        if {name.lower() for name in element.get("itemprop", "").split()} & INGREDIENTS
        and element.tag not in ("meta", "link")
        and element in page.span
    ]
    if not marked:
        return lines
    texts = [dom.located(line) for line in lines]
    extracted = "".join(texts)
    positions = [at[0][0] if text and (at := page.occurrences(text, 1)) else None for text in texts]
    found: list[tuple[int, str]] = []
    seen = set()
    for element in marked:
        text = dom.SPACE.sub(" ", " ".join(element.itertext())).strip()
        squeezed = dom.squeeze(text)
        if not squeezed or squeezed in extracted or squeezed in seen or dom.furniture_of(element, vocab) is not None:
            continue
        seen.add(squeezed)
        found.append((page.span[element][0], f"- {text}" if element.tag == "li" else text))
    return dom.put_back(lines, positions, sorted(found, key=lambda item: item[0]))


def article_body(objects: list[dict[str, Any]]) -> list[str]:
    """The paragraphs of the longest JSON-LD ``articleBody`` (markup in it stripped, entities decoded)."""
    bodies = [item["articleBody"] for item in objects if isinstance(item.get("articleBody"), str)]
    if not bodies:
        return []
    body = max(bodies, key=len)
    pieces = (dom.SPACE.sub(" ", html.unescape(_TAG.sub(" ", piece))).strip() for piece in _BREAK.split(body))
    return [piece for piece in pieces if piece]


def body_if_missed(lines: list[str], objects: list[dict[str, Any]], vocab: dom.Vocabulary) -> list[str]:
    """The JSON-LD article body in place of the extraction when the extraction holds almost none of it: a page
    whose script renders the article leaves only a caption or a heading in the HTML. ``[structured]
    min_body_words`` and ``max_extracted_share`` (of the body's length) say when."""
    body = article_body(objects)
    size = sum(len(dom.squeeze(piece)) for piece in body)
    if sum(len(piece.split()) for piece in body) < vocab.min_body_words:
        return lines
    extracted = sum(len(dom.located(line)) for line in lines)
    if extracted > vocab.max_extracted_share * size:
        return lines
    known = "".join(dom.squeeze(piece) for piece in body)
    return [line for line in lines if dom.located(line) not in known] + body
