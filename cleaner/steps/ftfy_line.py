"""One line through ftfy, as ``ftfy.fix_and_explain`` repairs it, without the last round where it provably idles.

The repair step (:mod:`cleaner.steps.repair`) asks ftfy about each flagged line, often several times (the lost-byte
candidates, a flattened no-break space put back). ``fix_and_explain`` repeats a round of every fix until a round
changes nothing, so a line it repairs in one round costs two: this module knows, for the settings the step uses,
when the second round cannot change anything, and checks that it does not with one scan.
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
        fixed, explanation = ftfy.fix_encoding_and_explain(line, fixer) if fixer.fix_encoding else (line, [])
        if not _after_encoding_acts_on()(fixed) or all(fix(fixed) == fixed for fix in _after_encoding(fixer)):
            return fixed, tuple(dict.fromkeys(explanation))
    fixed, explanation = ftfy.fix_and_explain(line, fixer)
    return fixed, tuple(dict.fromkeys(explanation or ()))


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
        and type(fixer)._fields == KNOWN_SETTINGS
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
