"""Word frequencies on wordfreq's Zipf scale, looked up directly.

``wordfreq.zipf_frequency`` tokenizes and normalises its argument on every call (tens of microseconds); the
steps ask about single lower-cased words millions of times, so they read wordfreq's frequency table once per
language and look words up in it (a fraction of a microsecond). Zipf is log10 of the frequency per billion words.
"""

from __future__ import annotations

import math
from functools import lru_cache


@lru_cache(maxsize=16)
def _table(language: str, wordlist: str) -> dict[str, float]:
    """The language's frequency table; empty (and remembered as such) when wordfreq has none for it."""
    from wordfreq import get_frequency_dict

    try:
        return get_frequency_dict(language, wordlist=wordlist)
    except LookupError:
        return {}


@lru_cache(maxsize=64)
def has_language(language: str) -> bool:
    from wordfreq import available_languages

    return language in available_languages(wordlist="best")


def zipf(word: str, language: str, wordlist: str = "best") -> float:
    """The Zipf frequency of a lower-cased word (0.0 when unknown, or when the language has no table).

    ``wordlist="small"`` holds only words of Zipf 3 and more: enough to ask whether a word is common, and its
    table loads twenty times faster than the full one (0.02 s against 0.46 s for German, in every worker)."""
    frequency = _table(language, wordlist).get(word, 0.0)
    return round(math.log10(frequency) + 9, 2) if frequency > 0 else 0.0


def known(words: set[str], language: str, wordlist: str = "best") -> list[str]:
    """Those of ``words`` that the language's table holds (lower-cased words; none when it has no table).

    Sifting a large candidate set by plain membership first spares a :func:`zipf` call for each of the many
    candidates that are no word at all."""
    return list(filter(_table(language, wordlist).__contains__, words))
