"""Where the article is: repeated lines, the main content region of a page dump, and the article's lists.

Boilerplate has a shape. It repeats (a headline listed in a teaser block and again as its link, ``Support Our
Journalism`` at three places), it comes in runs (menus, link lists, footers), and it sits at the edges of the
article. The article is the one long stretch where good lines outweigh boilerplate: found here as the maximum-sum
segment of per-line scores (good prose counts for its words, boilerplate against); what stands beside it in a layout
of its own (an author's box, a list of other articles' headlines) is found in :mod:`cleaner.boilerplate.teasers`. A
list of the article's (ingredients, the points of a summary) is made of short lines as a menu is, but of lines that
open alike or that a lead-in announces: it is judged as one (:func:`kept_lists`).

The functions take one pass's lines as arrays (see :mod:`cleaner.boilerplate.page`): ``decided`` marks the lines a
rule or the repetition already removes, ``cls`` holds the jusText classes after the context revision.
"""

from __future__ import annotations

import re

import numpy as np

from cleaner.boilerplate.lines import BAD, GOOD

SHOWN_TWICE = -2  # in the repetition codes: the first copy of a list shown twice (see repeated)


def repeated(codes: np.ndarray, decided: np.ndarray) -> np.ndarray:
    """Short lines that occur more than once in the document (teasers, widgets, bylines) and that no rule took:
    ``codes`` holds each line's normalised text as a number, -1 for lines too long (or blank) to count, and
    ``SHOWN_TWICE - number`` for a line that counts as its copies' repetition but stays itself (the first copy of
    a list the page shows twice, see ``page._first_copies``)."""
    counted, shown = codes >= 0, codes <= SHOWN_TWICE
    if not counted.any():
        return counted
    numbers = np.where(shown, SHOWN_TWICE - codes, codes)
    counts = np.bincount(numbers[counted | shown])
    found = np.zeros(len(codes), dtype=bool)
    found[counted] = counts[codes[counted]] > 1
    return found & ~decided


def line_scores(cls: np.ndarray, words: np.ndarray, blank: np.ndarray, decided: np.ndarray, penalty: float) -> list:
    """What each line adds to the case that the region around it is the article."""
    scores = np.where(cls == GOOD, words.astype(float), np.where(cls == BAD, -np.maximum(3.0, words / 2), -1.0))
    scores[decided] = -penalty
    scores[blank] = 0.0
    return scores.tolist()


def best_segment(scores: list[float], lo: int, hi: int) -> tuple[float, int, int] | None:
    """The maximum-sum run of ``scores[lo:hi]`` as ``(sum, first, last)`` (Kadane), or None if none is positive."""
    # Kadane's: a best sum is positive, so the first one beats 0.0.
    best, first, last = 0.0, -1, -1
    current, start = 0.0, lo
    for i, score in enumerate(scores[lo:hi], lo):
        if current > 0:
            current += score
        else:
            current, start = score, i
        if current > best:
            best, first, last = current, start, i
    return (best, first, last) if last >= 0 else None


def content_regions(scores: list[float], min_extra: float, extra_ratio: float) -> list[tuple[int, int]]:
    """The main content region first, then any other region scoring at least ``min_extra`` and ``extra_ratio``
    of the main one (an article split by an advertisement block or a gallery), in document order."""
    main = best_segment(scores, 0, len(scores))
    if main is None:
        return []
    threshold = max(min_extra, extra_ratio * main[0])
    regions: list[tuple[int, int]] = []
    pending = [(0, main[1]), (main[2] + 1, len(scores))]
    while pending:
        lo, hi = pending.pop()
        found = best_segment(scores, lo, hi)
        if found is not None and found[0] >= threshold:
            regions.append((found[1], found[2]))
            pending += [(lo, found[1]), (found[2] + 1, hi)]
    return [(main[1], main[2]), *sorted(regions)]


def extend_start(
    first: int,
    max_lines: int,
    words: list[int],
    good: list[bool],
    heading: list[bool],
    blank: list[bool],
    decided: list[bool],
    min_title_words: int = 3,
) -> int:
    """Take in the title and standfirst just above the region: good or heading-like lines of at least
    ``min_title_words`` words (menu items are shorter). Share bars and datelines between a headline and its
    article are passed over; once a line is taken, any boilerplate line ends the search (the menu is above)."""
    taken = 0
    i = first - 1
    while i >= 0 and taken < max_lines:
        if blank[i] or (decided[i] and taken == 0):
            i -= 1
            continue
        if not decided[i] and words[i] >= min_title_words and (good[i] or heading[i]):
            first = i
            taken += 1
            i -= 1
            continue
        break
    return first


def trim_weak_tail(
    first: int,
    last: int,
    min_words: int,
    max_share: float,
    words: list[int],
    good: list[bool],
    heading: list[bool],
    skipped: list[bool],
) -> int:
    """Drop a last section of the region that is only a heading and a little text (a site blurb or a teaser
    under a section name such as "SAT Commentary"): fewer than ``min_words`` good words after the heading, and
    less than ``max_share`` of the region's. ``good``: good lines no rule removed; ``skipped``: blank or already
    removed lines. Returns the new last index."""
    region_words = sum(
        count for count, is_good in zip(words[first : last + 1], good[first : last + 1], strict=True) if is_good
    )
    min_words = min(min_words, int(max_share * region_words))
    found = None
    total = 0
    for i in range(last, first, -1):
        if skipped[i]:
            continue
        if words[i] <= 6 and heading[i]:
            found = i
            break
        total += words[i] if good[i] else 0
        if total >= min_words:
            return last
    if found is None or total >= min_words:
        return last
    end = found - 1
    while end > first and skipped[end]:
        end -= 1
    return end


# Lists the line model half keeps. Its probabilities scatter within one list (an ingredient list, the points after
# "I'll summarize them:"): each item is short, and short lines are what menus are made of, so some items stay and
# some go, and the list is torn. A list is one thing, and is judged as one: kept whole when its items' mean keep
# probability reaches ``MIN_LIST_KEEP``. The lines it is made of are the ones a menu is least like: items that open
# alike with a number or a bullet (at least ``MIN_ITEMS``, at most ``MAX_ITEM_WORDS`` words each), or the lines a
# kept lead-in announces (at least two, at most ``MAX_ANNOUNCED_WORDS`` words each), or the texts of steps whose
# numbers stand on lines of their own (at least two). A furniture word, a rule match or a repeated line ends a list;
# nothing is removed by being in one.
MIN_ITEMS, MAX_ITEM_WORDS, MAX_ANNOUNCED_WORDS, MIN_LIST_KEEP = 3, 12, 40, 0.4
NO_WORD, NUMBERED, BULLETED, STEP = -1, 1, 2, 3
# A number alone, closed by a dot or a bracket ("1.", "2)"): a step of instructions, its text on the line below.
STEP_NUMBER = re.compile(r"\d{1,2}[.)]")
# A rank before a title ("1. Most read story", "2) Another"; a title does not end as a sentence does): a numbered
# line that is no quantity.
RANK = re.compile(r"\d{1,2}[.)]\s")
BULLETS = frozenset("-–—•·*►▪●○■□✓✔+>")
TWO_LETTERS = re.compile(r"[^\W\d_]{2}")


def item_mark(text: str) -> int:
    """How a stripped line opens as a list item: ``NUMBERED`` (a digit: a quantity, a rank, a date), ``BULLETED``
    (a bullet or a dash), or 0; ``NO_WORD`` for a line without two letters in a row (a row of a calendar, a page
    number, a price), which no list of the article's is made of, or ``STEP`` when that line is a step's number
    alone ("1.", "2)"), its text on the line below."""
    if not TWO_LETTERS.search(text):
        return STEP if STEP_NUMBER.fullmatch(text) else NO_WORD
    return opening_mark(text[0])


def opening_mark(first: str) -> int:
    """How a line with words opens as a list item, by its first character ``first`` alone (see :func:`item_mark`)."""
    return NUMBERED if first.isdigit() else BULLETED if first in BULLETS else 0


def kept_lists(
    probabilities: np.ndarray,
    candidates: np.ndarray,
    words: np.ndarray,
    marks: np.ndarray,
    lead_in: np.ndarray,
    colon: np.ndarray,
    announcing: np.ndarray,
    first: np.ndarray,
) -> np.ndarray:
    """Per line, whether it belongs to a list kept whole (see ``MIN_LIST_KEEP``). The arrays run over one pass's
    non-blank lines (blank lines do not end a list), ``first`` marking each page's first: ``candidates`` are the
    lines that may be items (asked of the model, no furniture word), ``marks`` their :func:`item_mark`,
    ``lead_in`` the short lines ending with a colon, ``colon`` the lines with a colon early on (a label:
    "Author: …"), ``announcing`` the lead-ins kept (or inside a content region)."""
    steps = marks == STEP
    marks = np.where(steps, NO_WORD, marks)
    candidates = candidates & (marks != NO_WORD)
    last = np.append(first[1:], True)
    following = np.append(marks[1:], 0)
    # A lead-in over items of a shape ("Für die Füllung:" over "500 ml Milch") opens a list of that shape.
    shapes = np.where(lead_in & (marks == 0) & ~last, following, marks)
    shaped = candidates & (words <= MAX_ITEM_WORDS) & (shapes > 0)
    breaks = first.copy()
    breaks[1:] |= shapes[1:] != shapes[:-1]
    keep = _whole(list_runs(shaped, breaks), probabilities, MIN_ITEMS)
    lines = candidates & (words <= MAX_ANNOUNCED_WORDS) & ~lead_in & ~colon
    run = list_runs(lines, first)
    opens = np.flatnonzero(lines & ~first & ~np.append(False, lines[:-1]))
    announced = np.zeros(int(run.max(initial=0)) + 1, dtype=bool)
    announced[run[opens]] = announcing[opens - 1]
    # Numbered steps written as a number on a line of its own over the step's text ("1." / "Die Nüsse rösten.").
    texts = candidates & ~first & np.append(False, steps[:-1])
    steps_run = list_runs(steps | texts, first)
    keep |= texts & _whole(np.where(texts, steps_run, 0), probabilities, 2)
    return keep | (_whole(run, probabilities, 2) & announced[run])


def list_runs(items: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """Per row, the number of the run of consecutive ``items`` it belongs to (from 1), 0 for the other rows; a row
    marked in ``breaks`` (a page's first, at least) opens a new run."""
    opens = items & breaks
    opens[1:] |= items[1:] & ~items[:-1]
    opens[:1] = items[:1]
    return np.where(items, np.cumsum(opens), 0)


def _whole(run: np.ndarray, probabilities: np.ndarray, least: int) -> np.ndarray:
    """Per row, whether its run (:func:`list_runs`) has at least ``least`` rows and a mean keep probability of at
    least ``MIN_LIST_KEEP``."""
    sizes = np.bincount(run, minlength=1)
    means = np.bincount(run, weights=probabilities, minlength=1) / np.maximum(sizes, 1)
    whole = (sizes >= least) & (means >= MIN_LIST_KEEP)
    whole[0] = False
    return whole[run]
