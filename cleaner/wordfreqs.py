"""Word frequencies on wordfreq's Zipf scale, looked up directly.

``wordfreq.zipf_frequency`` tokenizes and normalises its argument on every call (tens of microseconds); the
steps ask about single lower-cased words millions of times, so they read wordfreq's frequency table once per
language and look words up in it (a fraction of a microsecond). Zipf is log10 of the frequency per billion words.
The table holds each word's Zipf value itself, computed once per frequency band (wordfreq stores words in bands of
one centibel), not per lookup.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache


@cache  # a table per language and list asked for: a few dozen at most, each loaded once
def _table(language: str, wordlist: str) -> dict[str, float]:
    """The language's words with their Zipf value; empty (and remembered as such) when wordfreq has none for it.

    As ``wordfreq.get_frequency_dict`` builds its table, band by band (a word listed twice keeps its last band),
    with the Zipf value of the band's frequency in place of the frequency."""
    from wordfreq import cB_to_freq, get_frequency_list

    try:
        bands = get_frequency_list(language, wordlist=wordlist)
    except LookupError:
        return {}
    table: dict[str, float] = {}
    for index, words in enumerate(bands):
        frequency = cB_to_freq(-index)
        table.update(dict.fromkeys(words, round(math.log10(frequency) + 9, 2) if frequency > 0 else 0.0))
    return table


@lru_cache(maxsize=64)
def has_language(language: str) -> bool:
    from wordfreq import available_languages

    return language in available_languages(wordlist="best")


def zipf(word: str, language: str, wordlist: str = "best") -> float:
    """The Zipf frequency of a lower-cased word (0.0 when unknown, or when the language has no table).

    ``wordlist="small"`` holds only words of Zipf 3 and more: enough to ask whether a word is common, and its
    table loads twenty times faster than the full one (0.02 s against 0.46 s for German, in every worker)."""
    return _table(language, wordlist).get(word, 0.0)


def zipf_table(language: str, wordlist: str = "best") -> dict[str, float]:
    """The Zipf value of every word of the language (empty without a table), for a caller that looks up many
    words of one language: :func:`zipf` without its call. Read only."""
    return _table(language, wordlist)


def known(words: set[str], language: str, wordlist: str = "best") -> list[str]:
    """Those of ``words`` that the language's table holds (lower-cased words; none when it has no table).

    Sifting a large candidate set by plain membership first spares a :func:`zipf` call for each of the many
    candidates that are no word at all."""
    return list(filter(_table(language, wordlist).__contains__, words))
