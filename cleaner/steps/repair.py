"""Text repair with ftfy: mojibake, C1 and other control characters, surrogates — and nothing else.

ftfy's defaults are made for display, not for corpora: they straighten curly quotes, unfold ligatures, narrow
full-width characters and turn ``&amp;`` into ``&``. Each of those changes correct text the author wrote (on the
development set, defaults damage 40 of 212 intact paragraphs). Here only the fixes for real damage are on by
default; the cosmetic ones are available in the config. The whole text is also put in Unicode NFC, which changes
how some characters are stored but not the text.

Most text needs no repair at all, so ftfy runs only on lines that its own badness heuristic (or a control
character) flags: the common case costs one regular-expression scan. Lines are repaired one at a time, because a
page can mix intact paragraphs with ones that were decoded twice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from cleaner.document import Document
from cleaner.steps import Step

# Characters no clean text contains: C0 controls (but tab and newline), DEL, C1 controls, lone surrogates, and
# the escape character of terminal colour codes.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# A no-break space (UTF-8 C2 A0) read as cp1252 is "Â" + no-break space; when the no-break space is later
# flattened to a plain space, "Â " is left in otherwise clean text, where ftfy no longer recognises it. A lone
# "Â" (not inside a word) before a space is that damage: no language writes a standalone capital A-circumflex.
LOST_NBSP = re.compile(r"(?<!\w)Â (?=\S)")
# UTF-8 read as Latin-1 or cp1252 always leaves a lead byte (U+00C2-U+00F4) followed by a continuation byte
# (U+0080-U+00BF, or what cp1252 maps 0x80-0x9F to). Text without that pair has no such mojibake, and this
# character-pair scan costs a few percent of ftfy's own detector, so it goes first.
CP1252_SPECIALS = (
    "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
MOJIBAKE_PAIR = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{CP1252_SPECIALS}]")
# A no-break space or soft hyphen that does not finish a UTF-8 sequence (it is not after a lead byte, or a lead byte
# of three or four and its continuations). ftfy takes it for part of the mojibake beside it and leaves the whole run
# alone ("x\u00a0Ã¼ber"); once the whitespace step has flattened or removed it, the next run would repair the rest.
# A line still flagged after ftfy is repaired again between these characters, so that cleaning clean text changes
# nothing.
CONTINUATION = f"[\u0080-\u00bf{CP1252_SPECIALS}]"
LATIN1_SPACING = re.compile(
    f"(?<![\u00c2-\u00f4])(?<![\u00e0-\u00f4]{CONTINUATION})(?<![\u00f0-\u00f4]{CONTINUATION}{CONTINUATION})"
    "([\u00a0\u00ad])"
)


@dataclass
class RepairConfig:
    # Fixes for damage: on.
    fix_encoding: bool = True  # mojibake, including text decoded wrongly twice
    restore_byte_a0: bool = True  # "Ã " where a no-break space was lost in mis-decoding
    replace_lossy_sequences: bool = True
    decode_inconsistent_utf8: bool = True
    fix_c1_controls: bool = True
    fix_surrogates: bool = True
    remove_control_chars: bool = True
    remove_terminal_escapes: bool = True
    # Cosmetic changes to correct text: off, so that the author's typography is kept.
    uncurl_quotes: bool = False
    fix_latin_ligatures: bool = False
    fix_character_width: bool = False
    unescape_html: bool = False  # "&amp;" in plain text may be a legitimate literal
    # Unicode normalisation of the whole text. NFC stores each character one way: "é" typed as "e" plus a combining
    # accent (as macOS and some editors save it) becomes the one character "é", which changes nothing a reader sees
    # but lets word lists, deduplication and search find it. "NFKC" also folds ligatures and widths (it changes
    # text); "" keeps the text as stored.
    normalization: str = "NFC"
    # "Â " left where a mis-decoded no-break space was flattened (see LOST_NBSP).
    restore_lost_nbsp: bool = True


class Repair(Step):
    name = "repair"
    Config = RepairConfig
    counters = ("lines_fixed",)

    def __init__(self, config: RepairConfig | None = None) -> None:
        super().__init__(config)
        if self.config.normalization not in ("", "NFC", "NFD", "NFKC", "NFKD"):
            raise ValueError('steps.repair.normalization must be NFC, NFKC, NFD, NFKD or "" (keep as stored)')

    def prepare(self) -> None:
        self.fixer  # noqa: B018 (loaded for its side effect)

    @cached_property
    def fixer(self):
        import ftfy
        from ftfy.badness import BADNESS_RE

        c = self.config
        self._badness = BADNESS_RE
        return ftfy.TextFixerConfig(
            unescape_html=c.unescape_html,
            remove_terminal_escapes=c.remove_terminal_escapes,
            fix_encoding=c.fix_encoding,
            restore_byte_a0=c.restore_byte_a0,
            replace_lossy_sequences=c.replace_lossy_sequences,
            decode_inconsistent_utf8=c.decode_inconsistent_utf8,
            fix_c1_controls=c.fix_c1_controls,
            fix_latin_ligatures=c.fix_latin_ligatures,
            fix_character_width=c.fix_character_width,
            uncurl_quotes=c.uncurl_quotes,
            fix_line_breaks=False,  # line structure is the whitespace step's business
            fix_surrogates=c.fix_surrogates,
            remove_control_chars=c.remove_control_chars,
            normalization=None,  # done on the whole text in apply(), only where it changes something
            explain=True,
        )

    def needs_repair(self, text: str) -> bool:
        """The fast gate: ftfy's own mojibake detector, or a control character."""
        fixer = self.fixer
        if text.isascii() and not CONTROL.search(text):
            return False
        cosmetic = fixer.uncurl_quotes or fixer.fix_latin_ligatures or fixer.fix_character_width
        if cosmetic or CONTROL.search(text):
            return True
        if self.config.restore_lost_nbsp and "Â " in text:
            return True
        return bool(MOJIBAKE_PAIR.search(text) and self._badness.search(text))

    def apply(self, doc: Document) -> Document:
        # Normalised first: mojibake stored decomposed ("Ã" as "A" and a combining tilde) is only mojibake to ftfy
        # once composed, and normalising after the repair alone would leave it for the next run to repair.
        self._normalize(doc)
        if self.needs_repair(doc.text):
            self._repair_lines(doc)
            self._normalize(doc)  # what ftfy decoded may come out decomposed
        return doc

    def _normalize(self, doc: Document) -> None:
        form = self.config.normalization
        if form and not unicodedata.is_normalized(form, doc.text):  # a quick check; most text is NFC already
            doc.text = unicodedata.normalize(form, doc.text)
            doc.metadata["repairs"] = sorted({*doc.metadata.get("repairs", ()), f"normalize:{form}"})

    def _repair_lines(self, doc: Document) -> None:
        """ftfy on each line its detector flags (a page can mix intact paragraphs with mis-decoded ones)."""
        lines = doc.text.split("\n")
        fixes: set[str] = set()
        changed = 0
        for index, line in enumerate(lines):
            if not self.needs_repair(line):
                continue
            fixed, explanation = _fix(line, self.fixer)
            explanation = list(explanation)
            if self.needs_repair(fixed) and LATIN1_SPACING.search(fixed):  # see LATIN1_SPACING
                pieces = [_fix(piece, self.fixer) for piece in LATIN1_SPACING.split(fixed)]
                fixed = "".join(piece for piece, _ in pieces)
                explanation += [step for _, steps in pieces for step in steps]
            if self.config.restore_lost_nbsp and "Â " in fixed:
                fixed, lost = LOST_NBSP.subn("\u00a0", fixed)
                if lost:
                    explanation.append(("apply", "restore_lost_nbsp"))
            if fixed != line:
                lines[index] = fixed
                changed += 1
                fixes.update(f"{action}:{parameter}" for action, parameter in explanation)
        if changed:
            doc.text = "\n".join(lines)
            doc.count(self.name, "lines_fixed", changed)
            doc.metadata["repairs"] = sorted(fixes)


def _fix_line(line: str, fixer) -> tuple[str, tuple[tuple[str, str], ...]]:
    """ftfy's repair of one line and the steps it took (``fixer``: a ``TextFixerConfig``, hashable)."""
    import ftfy

    fixed, explanation = ftfy.fix_and_explain(line, fixer)
    return fixed, tuple(explanation or ())


# A site's damaged menus, bylines and footers recur on its pages: of the flagged lines of the first 2,000 bench
# documents, 26 % repeat one seen before, nearly all of them short. Short lines only are remembered, so that the
# memory stays small (a few MB per worker).
SHORT_LINE = 200
_fix_short_line = lru_cache(maxsize=1 << 12)(_fix_line)


def _fix(line: str, fixer) -> tuple[str, tuple[tuple[str, str], ...]]:
    return (_fix_short_line if len(line) <= SHORT_LINE else _fix_line)(line, fixer)
