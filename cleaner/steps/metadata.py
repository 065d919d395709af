"""Title, date and author of a document, from what the reader found or from the text itself.

What the input carries (trafilatura's fields for HTML, a JSONL record's ``title``/``date``/``author``, WARC
headers) always wins. For a plain-text dump:

- ``title``: the first line of the cleaned text when it is heading-like (short, no final punctuation); a dump
  that starts with a paragraph has no title, and gets none rather than a guess;
- ``date``: the dateline the boilerplate step removed (``Friday, July 25, 2025``, reason ``date``), parsed with
  dateparser, which knows month names in 200 languages;
- ``author``: a byline near the top (``By Jane Doe``) or a signature line at the end of the article — including
  one the boilerplate step removed as repeated — that reads as a personal name.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import islice

from cleaner.document import Document, count_words
from cleaner.steps import Step
from cleaner.wordfreqs import has_language, zipf

# Sentence and clause ends, also in Chinese and Japanese (full-width), Arabic and Hindi: a title has none.
TERMINAL = (".", "!", "?", "…", ":", ";", ",", "。", "！", "？", "：", "；", "，", "、", "؟", "؛", "،", "।")
# In a dateline: a year (four digits on their own).
YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
# The separators between the parts of a dateline ("3. März 2021 · Peter Maier | 12 Kommentare").
DATELINE_PARTS = re.compile(r"\s+[|·•–—-]\s+")


def _letters(test: str) -> str:
    """The upper- or lower-case letters of the Latin, Greek and Cyrillic blocks, as a regex class body: names are
    written in Polish, Czech, Turkish, Greek, Russian … ("Kamil Brzęczek", "Jędrzejczyk"), not only in ASCII."""
    letters = (chr(c) for c in range(0x41, 0x530) if getattr(chr(c), test)())
    return "".join(re.escape(c) for c in letters)


UPPER, LOWER = _letters("isupper"), _letters("islower")
# In a dateline: where a word starts, after a space or where a capital follows a small letter (a byline's name glued
# to its date when the page's markup separated them: "By Jane DoeMarch 14, 2024").
WORD_START = re.compile(rf"(?<=\s)\S|(?<=[{LOWER}])(?=[{UPPER}])")
# A word of a name ("Usman", "Berg-Hoffmann", "Jean-baptiste"), or an initial ("M."). After an apostrophe
# only a capital may follow: "Pakistan’s" is no name.
NAME_WORD = rf"(?-i:[{UPPER}][{LOWER}]+(?:-[{UPPER}]?[{LOWER}]+|['’][{UPPER}][{LOWER}]+)*|[{UPPER}]\.)"


@dataclass
class MetadataConfig:
    max_title_words: int = 25
    # A byline is looked for in this many first lines; a signature in this many last lines.
    byline_lines: int = 8
    signature_lines: int = 6
    # A signature whose words are mostly this frequent (wordfreq's Zipf scale) is a heading, not a name.
    common_word_zipf: float = 4.5


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads((resources.files("cleaner") / "data" / "metadata.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _closings() -> frozenset[str]:
    return frozenset(_data()["closings"])


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = _data()
    prefixes = "|".join(data["name_prefixes"])
    suffixes = "|".join(data["name_suffixes"])
    name = rf"(?:(?:{prefixes})\s+)?(?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{1,3}})(?:,?\s+(?:{suffixes}))*"
    signature = re.compile(rf"^\s*{name}\s*$", re.IGNORECASE)
    byline = re.compile(rf"^\s*(?:{'|'.join(data['byline_prefixes'])})\s+{name}\b", re.IGNORECASE)
    return signature, byline


# What quick_date says of a dateline that names no full date.
NO_DATE = ""


@lru_cache(maxsize=1)
def _quick_layouts() -> list[tuple[re.Pattern[str], dict[str, int], frozenset[str | None]]]:
    """The layouts :func:`quick_date` reads: a pattern, its month names' numbers, the languages it is read for
    (``data/metadata.toml``; the ``und`` of the list also stands for a document of no language)."""
    data = _data()["quick_dates"]
    months = {lang: {name: number for number, name in enumerate(names, 1)} for lang, names in data["months"].items()}
    day, year, time = r"(?P<day>[0-9]{1,2})", r"(?P<year>[0-9]{4})", r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
    english, german = (f"(?P<month>{'|'.join(months[lang])})" for lang in ("en", "de"))
    layouts = [
        (rf"{day}\.(?P<month>[0-9]{{1,2}})\.{year}(?:,? {time})?", {}, data["numeric"]),
        (rf"{english} {day}, {year}(?: at {time} (?P<half>am|pm))?", months["en"], data["month_first"]),
        (rf"{day}\. {german} {year}(?: um {time} Uhr)?", months["de"], data["day_first"]),
        (rf"(?:{'|'.join([*months['en'], *months['de']])}) (?:19[0-9][0-9]|20[0-9][0-9]|2100)", {}, data["month_year"]),
    ]
    return [
        (re.compile(pattern), names, frozenset(languages) | ({None} if "und" in languages else set()))
        for pattern, names, languages in layouts
    ]


@lru_cache(maxsize=1)
def _relative_dates() -> dict[str | None, re.Pattern[str]]:
    """Per language, the relative datelines ("vor 17 Tagen") that name no date (``data/metadata.toml``); the
    languages without a list of their own get none; a document of no language (or "und") those of every dateline
    language (:func:`dateline_languages`), as dateparser tries those for it."""
    data = _data()["relative_dates"]
    patterns = {language: "|".join(lines) for language, lines in data.items()}
    patterns[None] = "|".join(p for language, p in patterns.items() if language in dateline_languages())
    patterns["und"] = patterns[None]
    return {language: re.compile(rf"(?:{pattern})", re.IGNORECASE) for language, pattern in patterns.items()}


def quick_date(text: str, language: str | None) -> str | None:
    """The ISO date of a dateline in one of the commonest layouts (``data/metadata.toml``), read without dateparser;
    :data:`NO_DATE` for a month of a year or a relative dateline ("vor 17 Tagen"); None when it is in none of them,
    or names an impossible date or time (dateparser decides those)."""
    if (relative := _relative_dates().get(language)) is not None and relative.fullmatch(text):
        return NO_DATE
    for pattern, months, languages in _quick_layouts():
        if language not in languages or not (match := pattern.fullmatch(text)):
            continue
        if "day" not in pattern.groupindex:
            return NO_DATE
        month = months.get(match["month"]) or int(match["month"])
        if match["hour"] is not None:
            hour, minute = int(match["hour"]), int(match["minute"])
            if minute > 59 or hour > 23 or (match.groupdict().get("half") and not 1 <= hour <= 12):
                return None
        try:
            return dt.date(int(match["year"]), month, int(match["day"])).isoformat()
        except ValueError:
            return None
    return None


@lru_cache(maxsize=4096)  # a site prints its datelines the same way on every page
def parse_date(text: str, language: str | None = None) -> str | None:
    """An ISO date from a dateline in any language, or None when it does not name a full date.

    Numeric dates with dots are day-first, as everywhere dots are used; with slashes they follow the document's
    language ("07/03/2021" is the 7th of March in Spanish), then English. See :func:`_date_candidates` for which
    parts of the line are tried. The commonest layouts are read without it (:func:`quick_date`)."""
    text = text.strip(" |·•-–—")
    quick = quick_date(text, language)
    return (quick or None) if quick is not None else dateparser_date(text, language)


def dateparser_date(text: str, language: str | None) -> str | None:
    """:func:`parse_date` by dateparser alone (on a stripped dateline)."""
    # Naming the language spares dateparser from trying (and compiling the rules of) all its 200 locales. The
    # document's own language goes alone first: together with English, English's month-first order would win.
    own = () if language in (None, "und", "en") else (language,)
    language_sets = [own, ("en",)] if own else [("en",) if language else dateline_languages()]
    for candidate in _date_candidates(text):
        day_first = bool(re.match(r"\d{1,2}\.\d{1,2}\.\d{2,4}", candidate))
        for languages in language_sets:
            if parsed := _parse(candidate, languages, day_first):
                return parsed
    return None


@lru_cache(maxsize=8192)  # parts of datelines recur more than whole ones ("2021", "November 2021")
def _parse(candidate: str, languages: tuple[str, ...], day_first: bool) -> str | None:
    """The ISO date dateparser reads in ``candidate`` in ``languages``, or None."""
    try:
        parsed = _date_parser(languages, day_first).get_date_data(candidate).date_obj
    except ValueError:  # a language dateparser does not know, found out only when parsing
        parsed = _date_parser(dateline_languages(), day_first).get_date_data(candidate).date_obj
    return parsed.date().isoformat() if parsed else None


@lru_cache(maxsize=1)
def dateline_languages() -> tuple[str, ...]:
    """The languages a dateline can be written in: those of the boilerplate step's date rules, which find the
    datelines (``data/metadata.toml``). They are what dateparser tries for a document of no language, or of one it
    has no locale for (Aragonese, Nigerian Pidgin …), in place of all its 200 locales, whose rules cost each worker
    about 2 s of CPU to compile and ~10 ms per line to try: on the 1,007 datelines of the development pages and the
    benchmark corpus, both give the same dates."""
    return tuple(_data()["dateline_languages"])


def _date_candidates(text: str) -> list[str]:
    """The parts of a dateline that may be a date, in the order they are tried: the whole line; the line from each
    word before its first digit on ("July 25, 2025" in "Published on July 25, 2025", "14.05.2014" in
    "Veröffentlicht am14.05.2014"); then each of those cut after its first year, when more follows (a second date:
    "Pubblicato il 3 Marzo 2021 Ultima modifica 4 Marzo 2021")."""
    first_digit = re.search(r"\d", text)
    if first_digit is None:
        return [text]
    starts = [0, *(word.start() for word in WORD_START.finditer(text, 0, first_digit.start() + 1)), first_digit.start()]
    tails = [text[start:] for start in dict.fromkeys(starts)]
    cut = [tail[: year.end()] for tail in tails if (year := YEAR.search(tail)) and year.end() < len(tail)]
    return list(dict.fromkeys(tails + cut))


@lru_cache(maxsize=64)
def _date_parser(languages: tuple[str, ...], day_first: bool):
    """A dateparser parser per language set, built once: building one costs more than parsing many dates.

    Relative dates ("yesterday", "vor 2 Tagen") are not parsed: they would resolve against the day of the run, and
    the same input must give the same output on any day. Leaving that parser out also halves the parsing time."""
    from dateparser.date import DateDataParser

    settings = {
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PARSERS": ["timestamp", "absolute-time"],
        **({"DATE_ORDER": "DMY"} if day_first else {}),
    }
    return DateDataParser(languages=list(languages) or None, settings=settings)


# Datelines parsed in prepare() with each parser it builds, in both day orders: they compile the parser's rules (and
# English's, which every language falls back to).
WARM_DATELINES = ("Friday, July 25, 2025", "25.07.2025")


def first_and_last_lines(text: str, first: int, last: int) -> tuple[list[str], list[str]]:
    """The first ``max(first, 1)`` non-blank lines of ``text`` and its ``lines[-last:]``, stripped, without stripping
    the hundreds of lines between them that nothing reads (for a ``first`` below 0 or a ``last`` of 0 or less, which
    reach into those, all the lines and their ``lines[-last:]``)."""
    lines = text.split("\n")
    if first < 0 or last <= 0:
        stripped = [line for line in map(str.strip, lines) if line]
        return stripped, stripped[-last:]
    head = list(islice(filter(None, map(str.strip, lines)), max(first, 1)))
    return head, list(islice(filter(None, map(str.strip, reversed(lines))), last))[::-1]


class Metadata(Step):
    name = "metadata"
    Config = MetadataConfig

    def prepare(self) -> None:
        """dateparser's import, its parsers and rules, the name patterns and English's common words, built before
        the workers fork: each worker paid about 0.6 s of CPU for English's at its first documents, and about 0.02 s
        more for each other language's date rules (compiled at its first dateline dateparser reads).

        The rules built are those of :func:`dateline_languages` (each alone, and all together for a document of
        no language or of one dateparser does not know): the boilerplate step finds datelines in those languages
        only. A rarer language's rules stay lazy."""
        _patterns()
        _closings()
        _quick_layouts()
        _relative_dates()
        for languages in [*((language,) for language in dateline_languages()), dateline_languages()]:
            for day_first in (False, True):
                for dateline in WARM_DATELINES:
                    _date_parser(languages, day_first).get_date_data(dateline)
        has_language("en")
        zipf("the", "en", "small")

    def apply(self, doc: Document) -> Document:
        meta = doc.metadata
        head, tail = first_and_last_lines(doc.text, self.config.byline_lines, self.config.signature_lines)
        if not meta.get("title") and head and self._heading_like(head[0]):
            meta["title"] = head[0]
        if not meta.get("date"):
            for removed in doc.removed:
                if removed.reason == "date" and (date := parse_date(removed.text, meta.get("language"))):
                    meta["date"] = date
                    break
        if not meta.get("author") and (author := self._author(doc, head[: self.config.byline_lines], tail)):
            meta["author"] = author
        return doc

    def _heading_like(self, line: str) -> bool:
        # The ending first: a first line that is a paragraph is not counted (count_words splits it all).
        return not line.endswith(TERMINAL) and count_words(line) <= self.config.max_title_words

    def _author(self, doc: Document, head: list[str], tail: list[str]) -> str | None:
        """The author from a byline in ``head`` (the first lines) or a dateline, or a signature in ``tail`` (the
        last lines) or in a line removed as repeated."""
        signature, byline = _patterns()
        datelines = [r.text.strip() for r in doc.removed if r.reason == "date"]  # "Von Max Muster am 14.05.2014"
        for line in [*head, *datelines]:
            if match := byline.match(line):
                return match.group("name")
        for line in datelines:  # "12.04.2019 - Lena Berg - 3 Kommentare": the name is one of its parts
            for part in DATELINE_PARTS.split(line):
                match = signature.match(part)
                if len(part) <= 60 and match and self._name_like(match.group("name"), doc):
                    return match.group("name")
        tail = [*tail, *(r.text.strip() for r in doc.removed if r.reason == "repeated")]  # a signature printed twice
        for line in tail:
            if line.rstrip(" ,.!").lower() in _closings():  # "Liebe Grüße": the signature follows it
                continue
            if len(line) <= 60 and (match := signature.match(line)) and self._name_like(match.group("name"), doc):
                return match.group("name")
        return None

    def _name_like(self, name: str, doc: Document) -> bool:
        """A title-case heading ("Pakistan’s New Pressure Tactics") is made of common words; a name is not."""
        language = doc.metadata.get("language") or "und"
        if not has_language(language):  # no word list: judge by the English one, the web's lingua franca
            language = "en"
        words = [w for w in name.split() if len(w.rstrip(".")) > 1]
        common = sum(1 for w in words if zipf(w.lower(), language, "small") >= self.config.common_word_zipf)
        return common * 2 <= len(words)
