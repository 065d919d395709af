"""Legacy (pre-UTF-8) decoding: charset-normalizer's guess, steered by what the text itself says.

charset-normalizer judges a decoding by how chaotic and how coherent it looks, which on a short text often cannot
tell one Latin code page from another: a French ``crème`` read as cp1250 is ``crčme``, a cp1250 Polish ``zebrała``
read as cp1257 is ``zebra³a``, and both look tidy enough. The text knows better. Its ASCII letters are the same in
every code page, so they name its language (py3langid on the bytes below 0x80), and a language writes only some
letters beyond ASCII (``cleaner/data/legacy_letters.toml``). So charset-normalizer proposes, as before, and the
language adds its own code pages when charset-normalizer's survey left them out (a page full of soft hyphens is too
"chaotic" for it in cp1252); the decoding whose letters inside words fit the language best is taken, and on a tie
charset-normalizer's order stands. Texts in other scripts
(Cyrillic, Greek, CJK …), whose letters are not ASCII, give no such clue and keep charset-normalizer's choice.

``python bench/decoding.py`` measures it on real text in 24 code pages.
"""

from __future__ import annotations

import codecs
import re
import tomllib
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import resources

# How much text is judged: the letters of a page's first 64 K characters say all there is to say.
SAMPLE_CHARS = 1 << 16
# A text is steered when its ASCII letters outnumber its other bytes this many times (a Latin-script text; in
# Cyrillic, Greek or CJK most letters are bytes above 0x7F) and there are enough of them to name a language.
ASCII_RATIO = 3
MIN_ASCII_LETTERS = 20
# The languages py3langid ranks first, each weighing its probability, as long as it is at least this.
LANGUAGES = 3
MIN_PROBABILITY = 0.05
# What a character in a word counts for: a letter of the language for the decoding, a rare letter of it (see the
# data file) a little against, a character the language does not write fully against.
OWN, RARE, FOREIGN = 1.0, -0.25, -1.0
NON_ASCII = re.compile(r"[^\x00-\x7f]")
ASCII_LETTERS = re.compile(rb"[A-Za-z]+")
# Non-letters that touch words in right text: quotes, apostrophes, dashes, the Catalan middle dot, ellipsis, signs.
TYPOGRAPHY = frozenset("’‘ʼ‚„“”«»‹›·‐‑–—…°™®©€£¥¢§¿¡•†")


def decode_legacy(data: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` of bytes in a legacy encoding, or None when no encoding fits."""
    from charset_normalizer import from_bytes

    candidates = [(str(match), match.encoding) for match in from_bytes(data)]
    languages = text_languages(data)
    if not languages:
        return candidates[0] if candidates else None
    offered = {_codec(encoding) for _, encoding in candidates}
    wanted = [page for language, _ in languages for page in legacy_letters()[language][1]]
    missing = [page for page in dict.fromkeys(wanted) if _codec(page) not in offered]
    for page in missing:  # charset-normalizer's survey can pass over a code page, or find it too chaotic
        try:
            candidates.append((data.decode(page), page))
        except (UnicodeDecodeError, LookupError):
            continue
    if not candidates:
        return None
    # Ties go to the first language's own code pages, most used first, then to charset-normalizer's order.
    pages = [_codec(page) for page in legacy_letters()[languages[0][0]][1]]
    scores = [
        (_fit(text, languages), len(pages) - pages.index(_codec(encoding)) if _codec(encoding) in pages else 0)
        for text, encoding in candidates
    ]
    return candidates[scores.index(max(scores))]


def text_languages(data: bytes) -> list[tuple[str, float]]:
    """The languages the ASCII letters of ``data`` are written in, with weights summing to 1; empty when the text
    is not in a Latin script, too short to say, or in a language the letter table does not know."""
    words = ASCII_LETTERS.findall(data[: SAMPLE_CHARS * 2])
    letters = sum(len(word) for word in words)
    if letters < MIN_ASCII_LETTERS or letters < ASCII_RATIO * sum(byte > 0x7F for byte in data[: SAMPLE_CHARS * 2]):
        return []
    from cleaner.language_id import py3langid_model

    ranked = py3langid_model().rank(b" ".join(words).decode("ascii"))[:LANGUAGES]
    known = [(language, p) for language, p in ranked if p >= MIN_PROBABILITY and language in legacy_letters()]
    total = sum(p for _, p in known)
    return [(language, p / total) for language, p in known]


def _fit(text: str, languages: list[tuple[str, float]]) -> float:
    """How well the characters in the words of ``text`` fit its languages: each counts :data:`OWN`, :data:`RARE` or
    :data:`FOREIGN` in a language, summed per language and weighed by the language's probability. A sum, not a
    share: a right decoding with one foreign name in it (a single ``á`` in English) must still beat a wrong one
    that turns its quotes and dashes into letters (``weÆre``)."""
    judged = _judged(text[:SAMPLE_CHARS])
    table = legacy_letters()
    return sum(
        weight * sum(n * table[language][0].get(char, FOREIGN) for char, n in judged.items())
        for language, weight in languages
    )


def _judged(text: str) -> Counter:
    """The characters beyond ASCII that a decoding puts in words: every letter; any other character touching a
    letter (a symbol such as ``³`` or ``‰`` where a letter was), except spaces and the punctuation that touches
    words in right text (quotes, dashes, ``°``, ``€`` …); and C1 control characters, which no text holds."""
    found: Counter = Counter()
    last = len(text) - 1
    for match in NON_ASCII.finditer(text):
        char, at = match.group(), match.start()
        if char.isalpha() or "\x80" <= char <= "\x9f":
            found[char] += 1
        elif char.isspace() or char in TYPOGRAPHY or unicodedata.category(char) == "Cf":  # Cf: soft hyphens …
            continue
        elif (at > 0 and text[at - 1].isalpha()) or (at < last and text[at + 1].isalpha()):
            found[char] += 1
    return found


@lru_cache(maxsize=1)
def legacy_letters() -> dict[str, tuple[dict[str, float], list[str]]]:
    """Language -> (its letters beyond ASCII in both cases, each with what it counts for: :data:`OWN`, or
    :data:`RARE` for a rare one; its legacy code pages), from the data file."""
    data = tomllib.loads(resources.files("cleaner").joinpath("data/legacy_letters.toml").read_text(encoding="utf-8"))
    table = {}
    for language, entry in data["languages"].items():
        pages = entry["code_pages"]
        pages = data[pages]["code_pages"] if isinstance(pages, str) else pages
        weights = {char: RARE for char in _both_cases(entry.get("rare", ""))}
        weights.update({char: OWN for char in _both_cases(entry["letters"])})
        table[language] = (weights, list(pages))
    return table


def _both_cases(letters: str) -> set[str]:
    return {char for char in letters + letters.upper() if not char.isascii()}


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name
