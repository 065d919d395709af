"""Where the article is: repeated lines, and the main content region of a page dump.

Boilerplate has a shape. It repeats (a headline listed in a teaser block and again as its link, ``Support Our
Journalism`` at three places), it comes in runs (menus, link lists, footers), and it sits at the edges of the
article. The article is the one long stretch where good lines outweigh boilerplate: found here as the maximum-sum
segment of per-line scores (good prose counts for its words, boilerplate against).
"""

from __future__ import annotations

from collections import Counter

from cleaner.boilerplate.lines import BAD, GOOD, Line, heading_like


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def mark_repeated(lines: list[Line], max_words: int) -> None:
    """Short lines that occur more than once in the document are boilerplate (teasers, widgets, bylines)."""
    keys = [_key(line) if line.chars and line.words <= max_words else None for line in lines]
    counts = Counter(keys)
    for line, key in zip(lines, keys, strict=True):
        if key is not None and line.reason is None and counts[key] > 1:
            line.reason = "repeated"


def _key(line: Line) -> str:
    """The line's normalised text, computed once and kept on the line across passes."""
    if line.key is None:
        line.key = normalise(line.text)
    return line.key


def line_score(line: Line, rule_penalty: float) -> float:
    """What a line adds to the case that the region around it is the article."""
    if line.blank:
        return 0.0
    if line.reason is not None or line.rule is not None:
        return -rule_penalty
    if line.cls == GOOD:
        return float(line.words)
    if line.cls == BAD:
        return -max(3.0, line.words / 2)
    return -1.0


def best_segment(scores: list[float], lo: int, hi: int) -> tuple[float, int, int] | None:
    """The maximum-sum run of ``scores[lo:hi]`` as ``(sum, first, last)`` (Kadane), or None if none is positive."""
    best: tuple[float, int, int] | None = None
    current, start = 0.0, lo
    for i in range(lo, hi):
        if current <= 0:
            current, start = scores[i], i
        else:
            current += scores[i]
        if current > 0 and (best is None or current > best[0]):
            best = (current, start, i)
    return best


def content_regions(
    lines: list[Line], rule_penalty: float, min_extra: float, extra_ratio: float
) -> list[tuple[int, int]]:
    """The main content region first, then any other region scoring at least ``min_extra`` and ``extra_ratio``
    of the main one (an article split by an advertisement block or a gallery), in document order."""
    scores = [line_score(line, rule_penalty) for line in lines]
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


def extend_start(lines: list[Line], first: int, max_lines: int, min_title_words: int = 3) -> int:
    """Take in the title and standfirst just above the region: good or heading-like lines of at least
    ``min_title_words`` words (menu items are shorter). Share bars and datelines between a headline and its
    article are passed over; once a line is taken, any boilerplate line ends the search (the menu is above)."""
    taken = 0
    i = first - 1
    while i >= 0 and taken < max_lines:
        line = lines[i]
        if line.blank or ((line.reason is not None or line.rule is not None) and taken == 0):
            i -= 1
            continue
        if line.reason is None and line.words >= min_title_words and (line.cls == GOOD or heading_like(line)):
            first = i
            taken += 1
            i -= 1
            continue
        break
    return first


def trim_weak_tail(lines: list[Line], first: int, last: int, min_words: int, max_share: float) -> int:
    """Drop a last section of the region that is only a heading and a little text (a site blurb or a teaser
    under a section name such as "SAT Commentary"): fewer than ``min_words`` good words after the heading, and
    less than ``max_share`` of the region's. Returns the new last index."""
    region_words = sum(line.words for line in lines[first : last + 1] if line.cls == GOOD and line.reason is None)
    min_words = min(min_words, int(max_share * region_words))
    heading = None
    words = 0
    for i in range(last, first, -1):
        line = lines[i]
        if line.blank or line.reason is not None:
            continue
        if line.words <= 6 and heading_like(line):
            heading = i
            break
        words += line.words if line.cls == GOOD else 0
        if words >= min_words:
            return last
    if heading is None or words >= min_words:
        return last
    end = heading - 1
    while end > first and (lines[end].blank or lines[end].reason is not None):
        end -= 1
    return end
