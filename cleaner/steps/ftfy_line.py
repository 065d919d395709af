"""One line through ftfy, as ``ftfy.fix_and_explain`` repairs it, without the last round where it provably idles.

The repair step (:mod:`cleaner.steps.repair`) asks ftfy about each flagged line, often several times (the lost-byte
candidates, a flattened no-break space put back). ``fix_and_explain`` repeats a round of every fix until a round
changes nothing, so a line it repairs in one round costs two: this module knows, for the settings the step uses,
when the second round cannot change anything, and checks that it does not with one scan. What is left of ftfy's
own checks, its mojibake detector (a third of a microsecond per character of every line it asks), is asked only
near the characters a match needs (:func:`is_bad`), and for the lost-byte candidates only where they differ
(:func:`fix_line_near`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache


def fix_line(line: str, fixer) -> tuple[str, tuple[tuple[str, str], ...]]:
    """ftfy's repair of one line and the steps it took, each once in the order of their first use (``fixer``: a
    ``TextFixerConfig``): ``ftfy.fix_and_explain(line, fixer)``, without its last round where that round provably
    changes nothing.

    fix_and_explain repeats a round (fix the encoding, itself repeated until a step gives back the text it was
    given; then each other fix in turn) until a round changes nothing. With no fix on but the encoding's and
    :data:`AFTER_ENCODING`, when none of those changes what the encoding fix gave, the next round would find the
    encoding fixed (its first step is the one the encoding fix stopped at, and gives back the same text and the
    same steps, already listed) and those fixes idle again: the text is the encoding fix's, and so are the steps
    (listed once, which is all the edits table and extra.repairs read of them). The round skipped is a third of the
    call (a badness scan of the whole repaired line, and every fix again)."""
    import ftfy

    if _one_round(fixer):
        fixed, explanation = _fix_encoding(line, fixer) if fixer.fix_encoding else (line, [])
        if not _after_encoding_acts_on()(fixed) or all(fix(fixed) == fixed for fix in _after_encoding(fixer)):
            return fixed, tuple(dict.fromkeys(explanation))
    fixed, explanation = ftfy.fix_and_explain(line, fixer)
    return fixed, tuple(dict.fromkeys(explanation or ()))


def _fix_encoding(line: str, fixer) -> tuple[str, list[tuple[str, str]]]:
    """``ftfy.fix_encoding_and_explain(line, fixer)``, its check after a first step that changed the line asked of
    :func:`is_bad` rather than ftfy's own detector.

    fix_encoding_and_explain repeats a step until it gives back the text it was given; a step gives back at once a
    text that is ASCII or that ftfy's detector does not flag. After a step that repaired the line, that check is a
    scan of the whole repaired line that finds nothing, one of the dearest parts of the repair: it is asked of
    :func:`is_bad`, and the steps go on (as fix_encoding_and_explain, from the text the first step gave) only
    where it flags the line."""
    import ftfy

    fixed, plan = ftfy._fix_encoding_one_step_and_explain(line, fixer)
    if fixed == line or not is_bad(fixed):
        return fixed, list(plan)
    more = ftfy.fix_encoding_and_explain(fixed, fixer)
    return more.text, [*plan, *more.explanation]


# Stretches closer than this are searched together (a search costs a call; a few characters more cost less).
NEAR = 32


def is_bad(text: str) -> bool:
    """``ftfy.badness.is_bad(text)``: whether ftfy's mojibake detector flags the text. Every match of its expression
    holds one of :func:`_badness_marks` and spans at most :func:`_badness_width` characters, so only the stretches
    around those characters are searched (the whole search costs a third of a microsecond per character; most lines
    repaired are mostly ASCII, a line of Chinese holds none of the marks)."""
    width = _badness_width()
    search = _badness_search()
    if not width:
        return search(text) is not None
    start = end = None
    for run in _badness_marks().finditer(text):
        if end is not None and run.start() - width > end + NEAR:  # far from the stretch before: search that one
            if search(text, start, end) is not None:
                return True
            end = None
        if end is None:
            start = max(0, run.start() - width)
        end = run.end() + width
    return end is not None and search(text, start, end) is not None


def fix_line_near(line: str, fixer, reference: str) -> str:
    """``fix_line(line, fixer)[0]``, cheaper when the result is close to ``reference``, a text ftfy's detector and
    the fixes after the encoding's leave alone (the lost-byte repair asks five variants of a line, each a character
    away from the line repaired with the byte lost).

    Of fix_line's work on a line it repairs in one step, half is two scans of the whole repaired line: the second
    step of the encoding fix, which ends at once unless ftfy's detector flags the line, and the search for a
    character the later fixes act on. Both look for short runs of characters (at most :func:`_badness_width`, and
    one), so the repaired line holds one exactly when the part that differs from ``reference``, widened by that
    much, does: only that part is scanned. Whatever this cannot settle goes to ftfy, as fix_line would."""
    import ftfy

    if not (_one_round(fixer) and fixer.fix_encoding and _badness_width() and _quiet(reference)):
        return fix_line(line, fixer)[0]
    fixed = ftfy._fix_encoding_one_step_and_explain(line, fixer).text  # fix_encoding_and_explain's first step
    if fixed != line and _found_near(_badness_search(), _badness_width(), fixed, reference):
        fixed = ftfy.fix_encoding_and_explain(fixed, fixer).text  # its next steps, as it would take them
    if not _found_near(_after_encoding_acts_on(), 1, fixed, reference) or all(
        fix(fixed) == fixed for fix in _after_encoding(fixer)
    ):
        return fixed
    return ftfy.fix_and_explain(line, fixer).text


@lru_cache(maxsize=16)
def common_ends(first: str, second: str) -> tuple[int, int]:
    """The lengths of the longest common prefix of two texts and of the longest common suffix that does not overlap
    it (each found by halving, in slice comparisons rather than a loop per character). Remembered for the last few
    pairs: a lost-byte candidate's repair is compared with the same base three times."""
    shorter = min(len(first), len(second))
    prefix = _common_length(lambda n: first[:n] == second[:n], shorter)
    suffix = _common_length(lambda n: first[len(first) - n :] == second[len(second) - n :], shorter - prefix)
    return prefix, suffix


def _common_length(equal: Callable[[int], bool], most: int) -> int:
    """The largest ``n <= most`` for which ``equal(n)`` holds (it holds for 0, and for every n below one it holds
    for)."""
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if equal(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _found_near(search: Callable[..., re.Match[str] | None], width: int, text: str, reference: str) -> bool:
    """Whether ``search`` (a pattern's, matching at most ``width`` characters, its only assertion ``^``) finds a
    match in ``text``, given that it finds none in ``reference``. A match that lies before the part where the two
    differ, or after it, is one in ``reference`` too (the same characters; ``^`` only at the very start, where both
    begin alike unless the part is there): one is found only where it meets that part, within ``width`` of it."""
    prefix, suffix = common_ends(text, reference)
    return search(text, max(0, prefix - width), len(text) - suffix + width) is not None


@lru_cache(maxsize=16)
def _quiet(reference: str) -> bool:
    """Whether neither ftfy's detector nor the search for what the later fixes act on finds anything in
    ``reference`` (asked once per reference: a line's five variants share it)."""
    return not is_bad(reference) and _after_encoding_acts_on()(reference) is None


@lru_cache(maxsize=1)
def _badness_search() -> Callable[..., re.Match[str] | None]:
    from ftfy.badness import BADNESS_RE

    return BADNESS_RE.search


@lru_cache(maxsize=1)
def _badness_width() -> int:
    """The most characters ftfy's detector (``ftfy.badness.BADNESS_RE``) matches, read from its parse tree; 0 unless
    that is bounded, the expression asserts nothing but the start of the text, and each of its alternatives needs a
    character of :func:`_badness_marks` (then no part of a text can be searched alone), or when this Python's
    parser of expressions (``re._parser``, private) is not there to read it."""
    from ftfy.badness import BADNESS_RE

    try:  # a private module: a Python whose parse trees read otherwise gets ftfy's whole search, not a wrong one
        from re import _constants, _parser

        tree = _parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
        width = tree.getwidth()[1]
        if width >= _constants.MAXREPEAT or not _asserts_only_start(tree) or _badness_marks() is None:
            return 0
    except Exception:  # any surprise in the tree's layout means "cannot tell"
        return 0
    return width


@lru_cache(maxsize=1)
def _badness_marks() -> re.Pattern[str] | None:
    """Characters of which every match of ftfy's detector holds one: for each alternative of the expression, the
    smallest set of characters, none of them ASCII, that one of its single characters must be (outside any
    repetition or group). 290 characters of ftfy 6.3's (Latin letters with accents, box drawing, a few Cyrillic and
    Greek letters, "\ufffd"): a line of Chinese holds none, one of mostly ASCII text only its accents (a line of
    Russian holds many: В, Г, Р, С are marks, and gains nothing).
    None when some alternative has no such character, or the expression's flags change what a set matches."""
    from re import _constants, _parser

    from ftfy.badness import BADNESS_RE

    if BADNESS_RE.flags & (re.IGNORECASE | re.MULTILINE):
        return None
    tree = _parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    alternatives = tree[0][1][1] if len(tree) == 1 and tree[0][0] is _constants.BRANCH else [tree]
    marks: set[int] = set()
    for alternative in alternatives:
        sets = [codes for item in alternative if (codes := _codes(item)) and min(codes) >= 128]
        if not sets:
            return None
        marks |= min(sets, key=len)
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(marks)) + "]+")


def _codes(item) -> set[int] | None:
    """The code points a single character of a parse tree matches, when it is a character or a class of characters
    and ranges; None for anything else."""
    from re import _constants

    op, value = item
    if op is _constants.LITERAL:
        return {value}
    if op is not _constants.IN:
        return None
    codes: set[int] = set()
    for kind, part in value:
        if kind is _constants.LITERAL:
            codes.add(part)
        elif kind is _constants.RANGE:
            codes.update(range(part[0], part[1] + 1))
        else:  # a category, a negation
            return None
    return codes


def _asserts_only_start(tree) -> bool:
    """Whether the parse tree's only assertion (lookaround, anchor, word boundary, group reference) is ``^``."""
    from re import _constants as c

    for op, value in tree:
        if op in (c.ASSERT, c.ASSERT_NOT, c.GROUPREF, c.GROUPREF_EXISTS) or (op is c.AT and value != c.AT_BEGINNING):
            return False
        if op is c.BRANCH:
            parts = value[1]
        elif op in (c.SUBPATTERN, c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            parts = [value[-1]]
        elif op is c.ATOMIC_GROUP:
            parts = [value]
        else:
            continue
        if not all(_asserts_only_start(part) for part in parts):
            return False
    return True


# The fixes fix_and_explain runs after the encoding's (ftfy 6.2, 6.3), in its order, that the shortcut of fix_line
# checks; it is taken only with every other fix off and ftfy's settings as known (a fix ftfy adds would be missed).
AFTER_ENCODING = ("fix_c1_controls", "fix_surrogates", "remove_terminal_escapes", "remove_control_chars")
KNOWN_SETTINGS = (
    "unescape_html",
    "remove_terminal_escapes",
    "fix_encoding",
    "restore_byte_a0",
    "replace_lossy_sequences",
    "decode_inconsistent_utf8",
    "fix_c1_controls",
    "fix_latin_ligatures",
    "fix_character_width",
    "uncurl_quotes",
    "fix_line_breaks",
    "fix_surrogates",
    "remove_control_chars",
    "normalization",
    "max_decode_length",
    "explain",
)


@lru_cache(maxsize=8)
def _one_round(fixer) -> bool:
    """Whether ftfy's result on a line is known after one round when the other fixes leave it alone."""
    import ftfy

    others = ("unescape_html", "fix_latin_ligatures", "fix_character_width", "uncurl_quotes", "fix_line_breaks")
    return (
        ftfy.__version__.split(".")[0] == "6"
        and hasattr(ftfy, "_fix_encoding_one_step_and_explain")  # private: what _fix_encoding repeats
        and type(fixer)._fields == KNOWN_SETTINGS
        and fixer.explain  # without it, fix_and_explain fixes the encoding with ftfy's defaults, not the fixer's
        and not any(getattr(fixer, name) for name in others)
        and fixer.normalization is None
    )


@lru_cache(maxsize=1)
def _after_encoding_acts_on() -> Callable[[str], re.Match[str] | None]:
    """A search for any character one of :data:`AFTER_ENCODING`'s fixes changes or removes: C1 controls, surrogates,
    the escape that starts a terminal code, and what ftfy's remove_control_chars deletes (its own table). A line
    without one is left as it is by all of them, known in one scan instead of four passes (one a ``translate`` of
    the whole line)."""
    from ftfy.chardata import CONTROL_CHARS as REMOVED

    removed = "".join(re.escape(chr(code)) for code in sorted(REMOVED))
    return re.compile(f"[\x80-\x9f\ud800-\udfff\x1b{removed}]").search


@lru_cache(maxsize=8)
def _after_encoding(fixer) -> tuple[Callable[[str], str], ...]:
    """The fixes of :data:`AFTER_ENCODING` that ``fixer`` has on."""
    from ftfy import fixes

    functions = {
        "fix_c1_controls": fixes.fix_c1_controls,
        "fix_surrogates": fixes.fix_surrogates,
        "remove_terminal_escapes": fixes.remove_terminal_escapes,
        "remove_control_chars": fixes.remove_control_chars,
    }
    return tuple(functions[name] for name in AFTER_ENCODING if getattr(fixer, name))
