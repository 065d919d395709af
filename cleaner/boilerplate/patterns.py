"""Regexes read as text: their top-level alternatives, their letters lower-cased, the literals every match holds.

The boilerplate rules (:mod:`cleaner.boilerplate.rules`) are mostly alternations of plain phrases; these functions
take them apart before compilation, so that plain phrases are matched by set look-ups and automata, and the real
regexes only where a literal they need occurs (:mod:`cleaner.boilerplate.alternatives`).
"""

from __future__ import annotations


def split_alternatives(pattern: str) -> list[str]:
    """The top-level ``|`` alternatives of a regex (parentheses and classes respected)."""
    parts, depth, in_class, escaped, current = [], 0, False, False, []
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def lower_pattern(pattern: str) -> str:
    """Lower-case a regex's literal letters, leaving escapes (``\\S``, ``\\W``) and inline flags alone, so it can
    run without IGNORECASE (several times faster) on lower-cased text."""
    out, escaped = [], False
    for char in pattern:
        out.append(char if escaped else char.lower())
        escaped = char == "\\" and not escaped
    return "".join(out)


def required_literals(pattern: str, min_chars: int = 3) -> tuple[str, ...] | None:
    """Literals of which every match of ``pattern`` contains at least one, or None when there are none to rely on:
    ``(?:contains|includes) affiliate links`` -> (`` affiliate links``,); ``(?:getty images|shutterstock)`` ->
    (``getty images``, ``shutterstock``). Read from the parsed regex: groups are entered, a repeat only when it
    must match at least once, a flagged group never; of what every match needs, the option whose shortest literal
    is longest is taken (each literal at least ``min_chars`` long and not only spaces)."""
    try:
        from re import _constants as ops
        from re import _parser

        tree = _parser.parse(pattern)
    except Exception:  # re's parser is private: without it, every regex is simply searched on every line
        return None

    def options(items) -> list[tuple[str, ...]]:
        """Each way of naming what a match of this sequence must contain."""
        found: list[tuple[str, ...]] = []
        run: list[str] = []
        for op, argument in items:
            if op is ops.LITERAL:
                run.append(chr(argument))
                continue
            found.append(("".join(run),))
            run = []
            if op is ops.SUBPATTERN and not argument[1] and not argument[2]:  # (group, add flags, del flags, items)
                found += options(argument[3])
            elif op is ops.BRANCH:
                best = [_best(options(branch)) for branch in argument[1]]
                if all(best):
                    found.append(tuple(literal for literals in best for literal in literals))  # type: ignore[union-attr]
            elif op in (ops.MAX_REPEAT, ops.MIN_REPEAT) and argument[0] >= 1:
                found += options(argument[2])
        found.append(("".join(run),))
        return found

    def _best(found: list[tuple[str, ...]]) -> tuple[str, ...] | None:
        usable = [o for o in found if all(len(literal) >= min_chars and literal.strip() for literal in o)]
        return max(usable, key=lambda o: min(map(len, o)), default=None)

    return _best(options(tree))
