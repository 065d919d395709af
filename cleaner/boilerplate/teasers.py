"""What stands beside the article in a page dump: the author's box and lists of other articles' headlines.

An author's bio reads like the article's prose, and a headline of another article, whose words are the site's
topic, reads like a subheading of the article: the line model, judging each line alone, keeps them. Both have a
layout of their own, read once from the page as it came (see :mod:`cleaner.boilerplate.page`): a bio is the
paragraph under the author's name (:func:`author_bios`), a teaser a headline under a heading such as "Related
Coverage" (:func:`teaser_lists`).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from cleaner.boilerplate.rules import EDGE_CHARS, normalise_line

# An author box stands once on a page, twice with two authors; its bio is a paragraph of at least this many words.
# A bio known only by opening with the name above it is taken once per page.
MAX_BIOS, MAX_BIOS_BY_NAME, MIN_BIO_WORDS = 2, 1, 8
# Lower-case words that stand inside a person's name ("Ursula von der Leyen", "Pedro de la Torre").
NAME_PARTICLES = frozenset({"von", "van", "der", "den", "de", "del", "della", "di", "da", "du", "le", "la", "y"})


def name_like(text: str) -> bool:
    """Whether a stripped line reads as a person's name alone: two to four words, each capitalised (or a
    particle between two that are), made of letters, hyphens, apostrophes and the dots of initials."""
    parts = text.split()
    if not 2 <= len(parts) <= 4 or parts[0] in NAME_PARTICLES or parts[-1] in NAME_PARTICLES:
        return False
    return all(
        part in NAME_PARTICLES
        or (part[0].isupper() and part.replace("-", "").replace(".", "").replace("'", "").replace("’", "").isalpha())
        for part in parts
    )


def author_bios(stripped: list[str], rules: list[str | None], candidates: list[int], start: int, end: int) -> list[int]:
    """The lines of one page (``start`` to ``end``) that are an author's bio: a paragraph under the author's name
    that opens with that name ("Markus Reuter" / "Markus Reuter beschäftigt sich mit ..."), or the paragraph
    under a name that follows an author heading ("Autor" / "Iwona Kurz" / "Historyczka ..."). Rule-matched and
    blank lines between them are passed over. An article's prose names its subject in a sentence, not on a line
    of its own just above it: that layout is the author box's.

    ``candidates``: the page's name-like lines (see :func:`name_like`)."""
    under_heading: list[int] = []
    by_name: list[int] = []
    for name in candidates:
        below = _next_line(stripped, rules, name + 1, end)
        if below is None or rules[below] is not None or not _sentence(stripped[below]):
            continue
        above = _previous_line(stripped, name - 1, start)
        # The name exactly as written above (a section heading "Remote Access" opens "Remote access to ..."),
        # and the bio a box of its own: no paragraph of prose goes on below it.
        opens_with_name = stripped[below].startswith(stripped[name] + " ") and _box_ends(stripped, below + 1, end)
        if above is not None and rules[above] == "author":
            under_heading.append(below)
        elif opens_with_name:
            by_name.append(below)
    # Names heading a paragraph about each person, again and again, are the article's own list (actors, players).
    # Without an author heading, even two are more likely an article's comparison of two people than two authors.
    found = under_heading + (by_name if len(by_name) <= MAX_BIOS_BY_NAME else [])
    return sorted(found) if len(found) <= MAX_BIOS else []


def _sentence(text: str) -> bool:
    """A bio is written in sentences: at least ``MIN_BIO_WORDS`` words ending with final punctuation, or a
    paragraph that may end with the author's handle; not cut short with an ellipsis, as a teaser is."""
    text = text.rstrip("\"'”»)")
    words = len(text.split())
    if words < MIN_BIO_WORDS or text.endswith(("..", "…")):
        return False
    return words >= 2 * MIN_BIO_WORDS or text.endswith((".", "!"))


def _box_ends(stripped: list[str], i: int, end: int) -> bool:
    """Whether the next non-blank line from ``i`` (if any) is short: the author box is over."""
    while i < end and not stripped[i]:
        i += 1
    return i >= end or len(stripped[i].split()) < MIN_BIO_WORDS


def _next_line(stripped: list[str], rules: list[str | None], i: int, end: int, most: int = 3) -> int | None:
    """The first line from ``i`` on that is neither blank nor a button ("+ FOLLOW", "Tweet": a rule match of at
    most four words, or any line of at most two), passing over at most ``most`` buttons."""
    seen = 0
    while i < end and seen <= most:
        if stripped[i]:
            words = len(stripped[i].split())
            if words > 4 or (rules[i] is None and words > 2):
                return i
            seen += 1
        i += 1
    return None


def _previous_line(stripped: list[str], i: int, start: int) -> int | None:
    """The nearest non-blank line at or above ``i``."""
    while i >= start and not stripped[i]:
        i -= 1
    return i if i >= start else None


# A teaser list under a heading such as "Related Coverage" or "Lesen Sie auch": at most this many headlines, each of
# at most this many words.
MAX_TEASERS, MAX_TEASER_WORDS = 6, 30


def teaser_lists(
    headings: list[int],
    stripped: list[str],
    rules: list[str | None],
    words: list[int],
    terminal: list[bool],
    start: int,
    end: int,
) -> list[int]:
    """The headlines listed under the headings ``headings`` of lists of other articles (see :func:`list_headings`)
    of one page (``start`` to ``end``): the lines that follow a heading (blank lines and rule matches passed over)
    as long as they read as headlines -- at most ``MAX_TEASER_WORDS`` words, no final punctuation, at most
    ``MAX_TEASERS`` of them. The first sentence ends the list: the article goes on.

    Two layouts are not such a list. A heading above all of the page's prose ("Home" / "Politics" / "Latest News")
    is a menu item, and what follows it is the page's own headline and byline: a list heading comes after some
    prose. And after the first headline, a short line right over a paragraph (no blank line between) is the
    heading of that paragraph (an article's subheading after an inline "Read also"), so the list ends before it.
    The first stays a teaser: an inline "Read also" names one headline, and the article goes on right under it.

    The line model judges each of those lines alone, and a headline of another article, whose words are the
    site's topic, reads like a subheading of the article; under such a heading it is none."""
    found: list[int] = []
    prose = (k for k in range(start, end) if stripped[k] and rules[k] is None and _prose(words, terminal, k))
    first_prose = next(prose, end)
    for heading in headings:
        if heading < first_prose:
            continue
        taken, i = 0, heading + 1
        while i < end and taken < MAX_TEASERS:
            if stripped[i] and rules[i] is None:
                if _prose(words, terminal, i) or (taken and _heads_prose(stripped, rules, words, terminal, i + 1, end)):
                    break
                found.append(i)
                taken += 1
            i += 1
    return found


def _prose(words: list[int], terminal: list[bool], i: int) -> bool:
    """Whether line ``i`` reads as prose, not as a headline: it ends a sentence, or is too long for a headline."""
    return terminal[i] or words[i] > MAX_TEASER_WORDS


def _heads_prose(
    stripped: list[str], rules: list[str | None], words: list[int], terminal: list[bool], i: int, end: int
) -> bool:
    """Whether line ``i`` is an unmatched line of prose: the line before it, with no blank line between, is the
    heading of that paragraph. A teaser stands apart, as a link of its own."""
    return i < end and bool(stripped[i]) and rules[i] is None and _prose(words, terminal, i)


@lru_cache(maxsize=1)
def list_headings() -> frozenset[str]:
    """The headings of lists of other articles (``data/boilerplate/lists.toml``), all languages together, as
    :func:`heading_key` writes a line."""
    text = (resources.files("cleaner") / "data" / "boilerplate" / "lists.toml").read_text(encoding="utf-8")
    return frozenset(heading for headings in tomllib.loads(text)["headings"].values() for heading in headings)


def heading_key(text: str) -> str:
    """A line as the list headings are written: lower-case, spaces collapsed, edge punctuation trimmed."""
    return normalise_line(text.strip(EDGE_CHARS))
