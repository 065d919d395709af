"""What a page's markup says about the lines trafilatura extracted from it.

trafilatura keeps a share bar, a newsletter box or a related-articles card when its own rules miss the container,
and drops the standfirst of many CMSs (its "teaser" rule). The markup still says where each line came from: the
lines are found back in the page's text (whitespace ignored), and the elements around them are read by tag and by
the words of their class and id (``data/html_dom.toml``). A line found only inside site furniture goes; a lead
left out comes back before the article. The vocabulary is data: a new language or CMS is a data change.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from lxml import etree

SKIPPED = {"script", "style"}  # never text a reader sees
ROOTS = {"html", "body"}  # their classes describe the page ("has-sidebar", "comments-open"), not a part of it
MAX_ID_WORDS = 3  # a longer id is made from a heading's text ("nav_nur_die_folie__1"), not a part's name
SPACE = re.compile(r"\s+")
_WORDS = re.compile(r"[a-z0-9]+")
_CASE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# "has-ads", "no-sidebar", "with-comments": a modifier saying what a part holds or lacks, not what it is
_MODIFIER = re.compile(r"\b(?:has|no|with|without)[-_ ]+[a-z0-9]+")


@dataclass(frozen=True)
class Vocabulary:
    furniture_tags: frozenset[str]
    furniture_words: frozenset[str]
    lead_words: frozenset[str]
    min_words: int
    max_link_share: float
    max_same_class: int
    main_share: float
    item_types_not: frozenset[str]
    min_body_words: int
    max_extracted_share: float


@functools.cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads(resources.files("cleaner").joinpath("data/html_dom.toml").read_text(encoding="utf-8"))
    furniture, lead = data["furniture"], data["lead"]
    return Vocabulary(
        furniture_tags=frozenset(furniture["tags"]),
        furniture_words=frozenset(furniture["words"]),
        lead_words=frozenset(lead["words"]),
        min_words=lead["min_words"],
        max_link_share=lead["max_link_share"],
        max_same_class=lead["max_same_class"],
        main_share=lead["main_share"],
        item_types_not=frozenset(kind.lower() for kind in lead["item_types_not"]),
        min_body_words=data["structured"]["min_body_words"],
        max_extracted_share=data["structured"]["max_extracted_share"],
    )


def squeeze(text: str) -> str:
    """Text without whitespace: how a line is found back in the page, however the markup spaced it."""
    return "".join(text.split())


def located(line: str) -> str:
    """What of an extracted line is the page's own text, squeezed: trafilatura writes a list item as '- item' and a
    table row as '| cell | cell |', marks the page does not hold."""
    stripped = line.lstrip()
    if stripped.startswith("- "):
        return squeeze(stripped[2:])
    if stripped.startswith("|"):
        return squeeze(stripped.replace("|", ""))
    return squeeze(line)


def words_of(element: etree._Element) -> frozenset[str]:
    """The words of an element's class and short id: 'c-sharer__container' -> {'c', 'sharer', 'container'}."""
    return _words(element.get("class") or "", element.get("id") or "")


@functools.lru_cache(maxsize=65536)  # a page repeats its class names; this is a third of the reader's own time
def _words(names: str, name: str) -> frozenset[str]:
    found: set[str] = set()
    for token in names.split():
        found.update(_joined(_WORDS.findall(_MODIFIER.sub(" ", _CASE.sub(" ", token).lower()))))
    id_words = _WORDS.findall(_CASE.sub(" ", name).lower())
    return frozenset(found | _joined(id_words) if len(id_words) <= MAX_ID_WORDS else found)


def _joined(words: list[str]) -> set[str]:
    """A name's words and each two neighbours written together: 'read-more' and 'readMore' also say 'readmore',
    as other sites write it."""
    return {*words, *(a + b for a, b in itertools.pairwise(words))}


class PageText:
    """The page's text in document order, squeezed, with the element that owns each run of it and the span of
    text every element covers."""

    def __init__(self, root: etree._Element) -> None:
        parts: list[str] = []
        self.starts: list[int] = []
        self.owners: list[etree._Element] = []
        self.span: dict[etree._Element, tuple[int, int]] = {}
        size = 0
        opened: dict[etree._Element, int] = {}
        for event, element in etree.iterwalk(root, events=("start", "end")):
            is_element = isinstance(element.tag, str)
            if event == "start":
                opened[element] = size
                if is_element and element.tag not in SKIPPED and element.text:
                    size = self._add(parts, squeeze(element.text), element, size)
                continue
            self.span[element] = (opened.pop(element), size)
            parent = element.getparent()
            if element.tail and parent is not None:
                size = self._add(parts, squeeze(element.tail), parent, size)
        self.text = "".join(parts)

    def _add(self, parts: list[str], chunk: str, owner: etree._Element, size: int) -> int:
        if chunk:
            parts.append(chunk)
            self.starts.append(size)
            self.owners.append(owner)
        return size + len(chunk)

    def owner(self, position: int) -> etree._Element:
        return self.owners[bisect.bisect_right(self.starts, position) - 1]

    def occurrences(self, squeezed: str, limit: int = 4) -> list[tuple[int, int]]:
        found, start = [], self.text.find(squeezed)
        while start >= 0 and len(found) < limit:
            found.append((start, start + len(squeezed)))
            start = self.text.find(squeezed, start + 1)
        return found

    def around(self, start: int, end: int) -> etree._Element:
        """The smallest element holding the text from start to end."""
        first, last = self.owner(start), self.owner(end - 1)
        ancestors = {id(e) for e in [first, *first.iterancestors()]}
        return next(e for e in [last, *last.iterancestors()] if id(e) in ancestors)


def furniture_of(element: etree._Element, vocab: Vocabulary) -> etree._Element | None:
    """The nearest element at or above this one that is site furniture by its tag or its class and id words."""
    for node in [element, *element.iterancestors()]:
        if node.tag in ROOTS:
            return None
        if node.tag in vocab.furniture_tags or words_of(node) & vocab.furniture_words:
            return node
    return None


def drop_furniture(lines: list[str], page: PageText, vocab: Vocabulary) -> list[bool]:
    """Which lines to keep: a line goes when every place it occurs in the page is inside furniture that does not
    also hold most of what was extracted (then the 'furniture' is the article's own wrapper), and so does a list
    item or table row with no text at all."""
    texts = [located(line) for line in lines]
    places_of = [[page.around(s, e) for s, e in page.occurrences(text)] if text else [] for text in texts]
    total = sum(map(len, texts)) or 1
    positions = [page.occurrences(text, 1) if text else [] for text in texts]

    @functools.cache
    def holds_main(container: etree._Element) -> bool:
        low, high = page.span[container]
        inside = sum(len(text) for text, at in zip(texts, positions, strict=True) if at and low <= at[0][0] < high)
        return inside >= vocab.main_share * total

    keep = []
    for line, text, places in zip(lines, texts, places_of, strict=True):
        containers = [furniture_of(place, vocab) for place in places]
        empty_mark = not text and bool(line.strip())
        keep.append(not empty_mark and (not places or any(c is None or holds_main(c) for c in containers)))
    return keep


BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"}
    | {"li", "dl", "dt", "dd", "table", "tr", "td", "th", "blockquote", "br", "hr", "pre"}
)
CAPTIONS = frozenset({"figure", "figcaption", "picture"})  # a picture's credit is not the lead's prose


def paragraphs(element: etree._Element) -> list[str]:
    """The element's text cut where its block elements begin and end, captions left out."""
    pieces, current = [], []
    skipping: etree._Element | None = None
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if skipping is None and (tag in CAPTIONS or tag in SKIPPED):
                skipping = node
            if tag in BLOCKS:
                pieces.append("".join(current))
                current = []
            if skipping is None and tag and node.text:
                current.append(node.text)
            continue
        if node is skipping:
            skipping = None
        if tag in BLOCKS:
            pieces.append("".join(current))
            current = []
        if skipping is None and node.tail and node is not element:
            current.append(node.tail)
    pieces.append("".join(current))
    return [text for piece in pieces if (text := SPACE.sub(" ", piece).strip())]


def _link_share(element: etree._Element, size: int) -> float:
    linked = sum(len(squeeze(a.text_content())) for a in element.iter("a"))
    return linked / size if size else 1.0


def lead_names(element: etree._Element, vocab: Vocabulary, described: frozenset[int] = frozenset()) -> frozenset[str]:
    """What names an element as a lead: its class and id words, schema.org's ``itemprop="description"`` of an item
    that is not a person, an image or another side item (``[lead] item_types_not``), or holding the page's own
    description (``described``: ids of the elements where the meta or JSON-LD description stands)."""
    names = words_of(element) & vocab.lead_words
    prop = element.get("itemprop")
    if prop is None and not described:  # most elements: the class words alone (this runs on every element)
        return names
    if prop and "description" in prop.split() and element.tag not in ("meta", "link"):
        scope = next((e for e in element.iterancestors() if e.get("itemscope") is not None), None)
        kind = (scope.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1].lower() if scope is not None else ""
        if kind not in vocab.item_types_not:
            names |= {"itemprop=description"}
    if id(element) in described:
        names |= {"page description"}
    return names


def restore_leads(
    lines: list[str], page: PageText, root: etree._Element, vocab: Vocabulary, described: frozenset[int] = frozenset()
) -> list[str]:
    """The lines with the article's lead put back where it stands in the page, when trafilatura left it out.

    A lead is an element named as one (:func:`lead_names`) that is prose (``min_words``, ``max_link_share``, not
    inside a link or a caption), not furniture, and comes before the last extracted line; its text must not be
    extracted already, in whole or in part. A name shared by more than ``max_same_class`` such elements names a
    list of teasers, not the lead."""
    texts = [located(line) for line in lines]
    extracted = "".join(texts)
    positions = [at[0][0] if text and (at := page.occurrences(text, 1)) else None for text in texts]
    last = max((p for p in positions if p is not None), default=-1)
    pieces = [text for text in texts if len(text) >= 20]
    total = sum(map(len, texts)) or 1

    def is_furniture(element: etree._Element) -> bool:  # as in drop_furniture: not the article's own wrapper
        container = furniture_of(element, vocab)
        if container is None:
            return False
        low, high = page.span[container]
        inside = sum(len(t) for t, at in zip(texts, positions, strict=True) if at is not None and low <= at < high)
        return inside < vocab.main_share * total

    named: dict[str, list[tuple[int, int, str]]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in SKIPPED or element.tag in ROOTS:
            continue
        names = lead_names(element, vocab, described)
        if not names:
            continue
        text = SPACE.sub(" ", " ".join(element.itertext())).strip()
        squeezed = squeeze(text)
        if (
            len(text.split()) < vocab.min_words
            or next(element.iterancestors("a", *CAPTIONS), None) is not None
            or is_furniture(element)
            or _link_share(element, len(squeezed)) > vocab.max_link_share
        ):
            continue
        start, end = page.span[element]
        for name in names:
            same = named.setdefault(name, [])
            if not any(s <= start < e for s, e, _ in same):  # the outermost element named so
                same.append((start, end, element))
    taken: list[tuple[int, int, etree._Element]] = []
    for elements in named.values():
        if len(elements) > vocab.max_same_class:
            continue
        for start, end, element in elements:
            if start >= last or any(s <= start < e or start <= s < end for s, e, _ in taken):
                continue
            taken.append((start, end, element))
    leads: list[tuple[int, str]] = []
    for start, _, element in sorted(taken, key=lambda lead: lead[0]):
        for text in paragraphs(element):
            squeezed = squeeze(text)
            if (
                len(text.split()) >= vocab.min_words
                and squeezed not in extracted
                and not any(piece in squeezed for piece in pieces)
                and all(text != known for _, known in leads)  # the same standfirst in two places (screen, print)
            ):
                leads.append((start, text))
    return put_back(lines, positions, leads)


def put_back(lines: list[str], positions: list[int | None], found: list[tuple[int, str]]) -> list[str]:
    """``lines`` (at ``positions`` in the page) with the texts ``found`` (page position, text; in page order) each
    put before the first line that stands after it; those after every line come last."""
    if not found:
        return lines
    out, found = [], list(found)
    for line, position in zip(lines, positions, strict=True):
        while found and position is not None and found[0][0] < position:
            out.append(found.pop(0)[1])
        out.append(line)
    return out + [text for _, text in found]
