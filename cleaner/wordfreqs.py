"""Word frequencies on wordfreq's Zipf scale, looked up directly.

``wordfreq.zipf_frequency`` tokenizes and normalises its argument on every call (tens of microseconds); the
steps ask about single lower-cased words millions of times, so they read wordfreq's frequency table once per
language and look words up in it (a fraction of a microsecond). Zipf is log10 of the frequency per billion words.
The table holds each word's Zipf value itself, computed once per frequency band (wordfreq stores words in bands of
one centibel), not per lookup. Deriving a table from wordfreq's compressed file took a fifth of a second per large
list at every start (1.1 s of the repair and spacing steps' ``prepare()``): the table is kept in the user's cache
(:mod:`cleaner.cache`), named by wordfreq's version and the list file's size and time, and loads in half that,
without importing wordfreq.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import math
from functools import cache, lru_cache
from pathlib import Path

from cleaner.cache import cached_value

# The files wordfreq reads for a list name ("best": the large list where there is one, else the small one).
LIST_FILES = {"best": ("large", "small"), "large": ("large",), "small": ("small",)}
# Part of the cache key: a change of how a table is derived from wordfreq's file must not meet an older copy.
TABLE_FORMAT = "1"


@cache  # a table per language and list asked for: a few dozen at most, each loaded once
def _table(language: str, wordlist: str) -> dict[str, float]:
    """The language's words with their Zipf value (:func:`_derived`), from the cache when wordfreq has a file of
    exactly that language and list."""
    source = _source(language, wordlist)
    if source is None:  # a code wordfreq matches to another (``pt-BR``), a list of another name, or none
        return _derived(language, wordlist)
    stat = source.stat()
    key = f"{_version()}-{stat.st_size}-{stat.st_mtime_ns}-{TABLE_FORMAT}"
    return cached_value(f"wordfreq-{wordlist}-{language}", key, lambda: _derived(language, wordlist))


@cache
def _version() -> str:
    return importlib.metadata.version("wordfreq")


def _source(language: str, wordlist: str) -> Path | None:
    """The file ``wordfreq.get_frequency_list(language, wordlist)`` reads when ``language`` is one of its codes
    exactly (found without importing wordfreq, whose import alone takes a sixth of a second). Its codes are lower
    case: "EN" finds no file, even where the file system ignores case."""
    spec = importlib.util.find_spec("wordfreq")
    code = language.isascii() and language.isalpha() and language.islower()
    if spec is None or not spec.submodule_search_locations or not code:
        return None
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    for name in LIST_FILES.get(wordlist, ()):
        if (path := data / f"{name}_{language}.msgpack.gz").is_file():
            return path
    return None


def _derived(language: str, wordlist: str) -> dict[str, float]:
    """The language's words with their Zipf value; empty when wordfreq has none for it.

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
    """Whether ``language`` is exactly one of wordfreq's codes (``language in available_languages("best")``), asked
    of its files: importing wordfreq for this cost every run a sixth of a second."""
    return _source(language, "best") is not None


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
