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
    counts = Counter(normalise(line.text) for line in lines if not line.blank and line.words <= max_words)
    for line in lines:
        if not line.blank and line.reason is None and line.words <= max_words and counts[normalise(line.text)] > 1:
            line.reason = "repeated"


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


def main_region(lines: list[Line], rule_penalty: float) -> tuple[int, int] | None:
    """``(first, last)`` indices of the maximum-sum run of line scores, or None if nothing scores above zero."""
    best, best_span = 0.0, None
    current, start = 0.0, 0
    for i, line in enumerate(lines):
        score = line_score(line, rule_penalty)
        if current <= 0:
            current, start = score, i
        else:
            current += score
        if current > best:
            best, best_span = current, (start, i)
    return best_span


def extend_start(lines: list[Line], first: int, max_lines: int) -> int:
    """Take in the title and standfirst just above the region: heading-like or good lines, passing over lines
    already marked as boilerplate (share bars sit between a headline and its article), stopping at other
    boilerplate."""
    taken = 0
    i = first - 1
    while i >= 0 and taken < max_lines:
        line = lines[i]
        if line.blank or line.reason is not None or line.rule is not None:
            i -= 1
            continue
        if line.cls == GOOD or heading_like(line):
            first = i
            taken += 1
            i -= 1
            continue
        break
    return first


def trim_weak_tail(lines: list[Line], first: int, last: int, min_words: int) -> int:
    """Drop a last section of the region that is only a heading and a little text (a site blurb or a teaser
    under a section name such as "SAT Commentary") when fewer than ``min_words`` good words follow the heading.
    Returns the new last index."""
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
