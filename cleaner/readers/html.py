"""HTML pages: one document per file, main text extracted with trafilatura.

trafilatura uses the DOM (tags, link density, classes) to find the article, which is more than the text-level
steps can see; the markup then corrects it (``cleaner.readers.dom``: a line found only inside site furniture goes,
a lead trafilatura's "teaser" rule dropped comes back), and so does the page's structured data
(``cleaner.readers.structured``: the standfirst its description names, a recipe's ingredients, an article only its
JSON-LD holds), and the text goes through the same steps as every other document. Title, author, date and URL
found in the page become the document's metadata.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from cleaner.document import Document, Pending, Reject, stable_id
from cleaner.readers import dom, structured
from cleaner.readers.decode import RawInput, decode_text, encoding_note

METADATA_FIELDS = ("title", "author", "date", "url", "sitename", "description")
# trafilatura's date finder (htmldate) drops dates after ``max_date``, by default the day of the run: a page dated
# next month would get no date today and a date next month. A fixed ceiling gives the same output on every day.
DATE_SEARCH = {"original_date": True, "extensive_search": True, "max_date": "2099-12-31"}


# PHP's error messages as its html_errors setting prints them into a page ("<b>Warning</b>:  Use of undefined
# constant ... in <b>/htdocs/wp-content/plugins/x.php</b> on line <b>928</b><br />"): a server's noise, not the
# page. Left in, dozens of them can outweigh a short post, and trafilatura extracts them instead of it.
_SERVER_ERROR = re.compile(
    r"<b>(?:Warning|Notice|Deprecated|Strict Standards|Fatal error|Parse error|Catchable fatal error)</b>:"
    r"[^<]{0,2000}(?:<b>[^<]{0,1000}</b>[^<]{0,200})?on line <b>\d+</b>(?:\s*<br\s*/?>)?"
)


def without_server_errors(html: str) -> str:
    """The page without the PHP error messages printed into it."""
    return _SERVER_ERROR.sub("", html) if "on line <b>" in html else html


def extract(html: str, url: str | None = None) -> tuple[str | None, dict[str, Any]]:
    """The main text of an HTML page and the metadata trafilatura found (comments left out: they are not the
    article). Returns ``(None, {})`` when the page has no main text."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(without_server_errors(html))
    if tree is None:
        return None, {}
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
        deduplicate=False,
        date_extraction_params=dict(DATE_SEARCH),
    )
    if result is None or not (result.text or "").strip():
        return None, {}
    meta = {name: value for name in METADATA_FIELDS if (value := getattr(result, name, None))}
    return with_markup(result.text, tree), meta


def with_markup(text: str, tree) -> str:
    """The extracted text corrected by what the page's markup and structured data say (cleaner.readers.dom,
    cleaner.readers.structured)."""
    vocab = dom.vocabulary()
    page = dom.PageText(tree)
    objects = structured.json_ld(tree)
    lines = text.split("\n")
    keep = dom.drop_furniture(lines, page, vocab)
    lines = [line for line, kept in zip(lines, keep, strict=True) if kept]
    described = structured.described_elements(page, structured.descriptions(tree, objects, vocab))
    lines = dom.restore_leads(lines, page, tree, vocab, described)
    lines = structured.restore_ingredients(lines, page, tree, vocab)
    return "\n".join(structured.body_if_missed(lines, objects, vocab))


def document_from_html(html: str, source_id: str, meta: dict[str, Any]) -> Document | Reject:
    """Extract a page into a document, or a reject when it holds no main text."""
    text, found = extract(html, url=meta.get("url"))
    if text is None:
        return Reject(
            id=stable_id(source_id),
            source=source_id,
            reason="read.no_main_text",
            detail=f"{source_id}: the HTML has no extractable main text (empty page, frameset or script-only)",
            text=html,
        )
    found.update({k: v for k, v in meta.items() if v})  # what the container says wins over the page's guess
    found["format"] = "html"  # steps that the DOM already did better (structure) skip these documents
    return Document(id=stable_id(source_id), text=text, source=source_id, metadata=found, original_text=html)


def read(raw: RawInput) -> Iterator[Pending]:
    html, encoding = decode_text(raw.read_all(raw.limits.document_bytes), raw.rel, html=True)
    # Made by whoever resolves it (see Pending): an extractor that fails on a page rejects the page, not the run.
    yield Pending(raw.rel, len(html), functools.partial(document_from_html, html, raw.rel, encoding_note(encoding)))
