"""Quality signals in the manner of Gopher, C4 and FineWeb, stored as columns, with optional filters.

Every document gets the signals; a filter runs only when its threshold is set in the config (all are off by
default, so the signals can be studied on a corpus before anything is thrown away). A rejected document carries
the rule's name (``quality.stopword_share``) and the measured value.

Signals: share of words that are stop words (language-aware, jusText's lists), share of lines ending in sentence
punctuation, share of lines that duplicate another line, mean word length, symbols (``#``, ``…``) per word, share
of words with a letter, share of lines that are bullets.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import compress, repeat
from operator import not_

from cleaner.boilerplate.lines import WORD, stoplist_names, stopwords
from cleaner.document import Document, Reject
from cleaner.schema import QUALITY_SIGNALS as SIGNALS  # the columns the signals become
from cleaner.steps import Step

TERMINAL = (".", "!", "?", "…", '"', "”", "»", "’", "'", ")", "。", "！", "？")
BULLETS = ("•", "-", "*", "·", "–", "◦", "▪", "‣")
SYMBOLS = re.compile(r"#|…|\.\.\.")


@dataclass
class QualityConfig:
    # Filters; 0 means off. Gopher's values for reference: stopword_share >= 0.06 (two of its
    # stop words in 50), mean word length 3-10, symbol ratio <= 0.1, bullet lines <= 0.9, alpha words >= 0.8.
    min_stopword_share: float = 0.0
    min_terminal_punct_share: float = 0.0
    max_duplicate_line_share: float = 0.0
    min_mean_word_length: float = 0.0
    max_mean_word_length: float = 0.0
    max_symbol_word_ratio: float = 0.0
    min_alpha_word_share: float = 0.0
    max_bullet_line_share: float = 0.0


def signals(text: str, stoplist: frozenset[str] | None = None) -> dict[str, float]:
    """The quality signals of a text (all 0.0 for an empty one); ``stoplist`` is guessed when not given."""
    lines = [line for line in map(str.strip, text.split("\n")) if line]
    words = text.split()
    if not words:
        return dict.fromkeys(SIGNALS, 0.0)
    tokens = WORD.findall(text.lower())
    if stoplist is None:
        stoplist = stopwords().guess(tokens[:2000])
    counts = Counter(lines)
    return {
        "stopword_share": sum(map(stoplist.__contains__, tokens)) / max(len(tokens), 1),
        "terminal_punct_share": sum(map(str.endswith, lines, repeat(TERMINAL))) / len(lines),
        "duplicate_line_share": sum(n for n in counts.values() if n > 1) / len(lines),
        "mean_word_length": sum(map(len, words)) / len(words),
        "symbol_word_ratio": len(SYMBOLS.findall(text)) / len(words),
        "alpha_word_share": _words_with_letters(words) / len(words),
        "bullet_line_share": sum(map(str.startswith, lines, repeat(BULLETS))) / len(lines),
    }


def stoplist_of(language: str | None) -> frozenset[str] | None:
    """The stop-word list of ``language`` (the language step's verdict; none for a language jusText has no list
    of), or None to guess it from the words when the language is unknown (``und``, or no language step ran)."""
    if not language or language == "und":
        return None
    name = stoplist_names().get(language)
    return stopwords().lists[name] if name else frozenset()


def _words_with_letters(words: list[str]) -> int:
    """How many of ``words`` hold at least one letter.

    Most words are letters only: ``str.isalpha`` counts those in C, and only the rest ("word,", "3D", "—") are
    looked at character by character (this runs on every word of every document)."""
    letters_only = list(map(str.isalpha, words))
    rest = compress(words, map(not_, letters_only))
    return sum(letters_only) + sum(1 for word in rest if any(map(str.isalpha, word)))


class Quality(Step):
    name = "quality"
    Config = QualityConfig

    def apply(self, doc: Document) -> Document | Reject:
        stoplist = stoplist_of(doc.metadata.get("language"))
        values = {name: round(value, 4) for name, value in signals(doc.text, stoplist).items()}
        doc.metadata.update(values)
        c = self.config
        checks = [
            ("stopword_share", c.min_stopword_share, 1),
            ("terminal_punct_share", c.min_terminal_punct_share, 1),
            ("duplicate_line_share", c.max_duplicate_line_share, -1),
            ("mean_word_length", c.min_mean_word_length, 1),
            ("mean_word_length", c.max_mean_word_length, -1),
            ("symbol_word_ratio", c.max_symbol_word_ratio, -1),
            ("alpha_word_share", c.min_alpha_word_share, 1),
            ("bullet_line_share", c.max_bullet_line_share, -1),
        ]
        for signal, threshold, direction in checks:
            if threshold and (values[signal] - threshold) * direction < 0:
                bound = "min" if direction > 0 else "max"
                return self.reject(doc, signal, f"{signal}={values[signal]} beyond {bound} {threshold}")
        return doc
