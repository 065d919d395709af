"""A kept document as it was read: the published text with the steps' changes undone, from the audit table (lines
removed) and the edits table (words changed inside lines), each marked with its reason or kind."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

SPACE = re.compile(r"\s")
INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # what the whitespace step drops


def reconstruct(
    text: str, removals: Sequence[dict[str, Any]], edits: Sequence[dict[str, Any]] = ()
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The document's lines before cleaning, and the edits that could not be put back.

    The kept text with the steps' changes undone from the last to the first: each removed line (audit row) put back
    where it stood (``"r"``: its reason; ``"b"``: a blank line that went with it), each edit (edits row) undone in
    its line, its old words back in the text and a mark ``[start, end, new words, labels]`` over them (``"e"``).
    Audit rows of one step in ascending line order are one call of the step, whose line numbers count the lines it
    saw; an edit's ``removed_before`` says how many removals came before it. An edit is looked for at its line and
    column, then on the nearest line that holds its new words (the whitespace step, after the repair, may have
    dropped blank lines or changed spaces); one found nowhere (a later step changed those words again) is returned
    apart."""
    lines: list[dict[str, Any]] = [{"t": line} for line in text.split("\n")] if text else []
    events: list[tuple[str, Any]] = []  # in the order they happened: ("remove", rows of one call) or ("edit", row)
    edits = list(edits)
    done = 0
    for index, row in enumerate(removals):
        while done < len(edits) and edits[done]["removed_before"] <= index:
            events.append(("edit", edits[done]))
            done += 1
        call = events[-1][1] if events and events[-1][0] == "remove" else None
        if call and call[-1]["step"] == row["step"] and call[-1]["line_no"] < row["line_no"]:
            call.append(row)
        else:
            events.append(("remove", [row]))
    events += [("edit", edit) for edit in edits[done:]]
    unplaced = []
    for kind, item in reversed(events):
        if kind == "remove":
            lines = _put_back(lines, item)
        elif not _undo_edit(lines, item):
            unplaced.append({"before": item["before"], "after": item["after"], "labels": _labels(item)})
    unplaced.reverse()
    return lines, unplaced


def _put_back(lines: list[dict[str, Any]], call: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``lines`` (the text one call of a step left) with the lines it removed (``call``, ascending) put back at the
    line numbers of the text it saw, each with the blank line after it that went too (``blank_after``)."""
    for row in call:
        at = min(max(row["line_no"] - 1, 0), len(lines))
        lines.insert(at, {"t": row["text"], "r": f"{row['step']}.{row['reason']}"})
        if row.get("blank_after"):
            lines.insert(at + 1, {"t": "", "b": 1})  # not in the published text either
    return lines


def edit_labels(kind: str) -> list[str]:
    """``repair.mojibake+fix_c1_controls`` -> ``repair.mojibake``, ``repair.fix_c1_controls`` (and the kind itself):
    what a search by reason finds."""
    step, _, kinds = kind.partition(".")
    labels = [f"{step}.{k}" for k in kinds.split("+")]
    return labels if len(labels) == 1 else [*labels, kind]


def _labels(edit: dict[str, Any]) -> list[str]:
    """What an edit is labelled with in the text: its step and each part of its kind."""
    return [f"{edit['step']}.{k}" for k in edit["kind"].split("+")]


def _undo_edit(lines: list[dict[str, Any]], edit: dict[str, Any]) -> bool:
    """Undo ``edit`` in the line that holds its new words: at its column on the nearest line to its ``line_no``,
    else anywhere on the nearest line. False when no line holds them."""
    forms = _forms(edit["after"])
    hint = edit["line_no"] - 1
    step = f"{edit['step']}."
    for exact, free in ((True, True), (True, False), (False, True), (False, False)):
        for index in _nearest(len(lines), hint):
            line = lines[index]
            found = _find(line["t"], forms, edit["column"], exact)
            if found is None:
                continue
            at, length = found
            # A step edits the same words once: words under a mark of the same step are another line's copy.
            marks = line.get("e", ())
            if free and any(m[0] < at + length and m[1] > at and any(x.startswith(step) for x in m[3]) for m in marks):
                continue
            _undo_in_line(line, at, length, edit["before"], _labels(edit))
            return True
    return False


def _nearest(n: int, hint: int) -> Iterator[int]:
    """0 … ``n - 1`` from ``hint`` outwards (``hint``, the one after, the one before …): most edits are found on
    their own line, at once."""
    hint = min(max(hint, 0), n - 1)
    for distance in range(n):
        for index in (hint - distance, hint + distance) if distance else (hint,):
            if 0 <= index < n:
                yield index


def _forms(after: str) -> list[tuple[str, bool]]:
    """The new words of an edit as they may stand in the published text, each with whether it must end the line: a
    later step (whitespace) turns odd spaces into plain ones, drops soft hyphens and zero-width spaces, and the
    spaces that end a line."""
    plain = SPACE.sub(" ", after)
    visible = INVISIBLE.sub("", plain)
    forms = [(plain, not plain), (visible, not visible)]  # nothing left of a line: an empty line
    if visible.rstrip() != visible:
        forms.append((visible.rstrip(), True))
    return list(dict.fromkeys(forms))


def _find(text: str, forms: list[tuple[str, bool]], column: int, exact: bool) -> tuple[int, int] | None:
    """Where one of ``forms`` stands in ``text`` (start, length): at ``column``, or (``exact`` false) the nearest
    place to it that holds a word."""
    text = SPACE.sub(" ", text)  # as long as the text: positions hold
    for words, at_end in forms:
        fits = column <= len(text) and text[column : column + len(words)] == words
        if exact and fits and (not at_end or column + len(words) == len(text)):
            return column, len(words)
        if not exact and words.strip():
            found = [m.start() for m in re.finditer(re.escape(words), text)]
            found = [at for at in found if not at_end or at + len(words) == len(text)]
            if found:
                return min(found, key=lambda at: abs(at - column)), len(words)
    return None


def _undo_in_line(line: dict[str, Any], at: int, length: int, before: str, labels: list[str]) -> None:
    """Put ``before`` back for the ``length`` characters at ``at`` in the line, with a mark over it showing what
    they are now (an earlier mark it overlaps, a later edit of the same words, merges into it)."""
    text, end = line["t"], at + length
    marks = line.get("e", [])
    inside = [m for m in marks if m[0] < end and m[1] > at]
    start, stop = min([at, *(m[0] for m in inside)]), max([end, *(m[1] for m in inside)])
    shown, position = [], start
    for m in inside:  # the final text of the merged span: the later edits' new words where they stand
        shown += [text[position : m[0]], m[2]]
        position = m[1]
    shown.append(text[position:stop])
    delta = len(before) - length
    merged = [start, stop + delta, "".join(shown), list(dict.fromkeys([*labels, *(x for m in inside for x in m[3])]))]
    line["t"] = text[:at] + before + text[end:]
    line["e"] = (
        [m for m in marks if m[1] <= at and m not in inside]
        + [merged]
        + [[m[0] + delta, m[1] + delta, m[2], m[3]] for m in marks if m[0] >= end and m not in inside]
    )
