from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Document, RemovedLine
from cleaner.steps import metadata
from cleaner.steps.metadata import Metadata, _date_parser, dateline_languages, dateparser_date, parse_date, quick_date

BODY = "The council approved the budget on Tuesday after a long debate about the schools."


def meta(text: str, removed: list[RemovedLine] | None = None, **metadata) -> dict:
    doc = Document(id="x", text=text, source="x", metadata={"language": "en", **metadata})
    doc.removed = removed or []
    return Metadata().apply(doc).metadata


def test_title_is_the_first_heading_like_line():
    assert meta(f"Council passes budget\n\n{BODY}")["title"] == "Council passes budget"
    assert "title" not in meta(f"{BODY}\n\nA heading later")
    assert meta(f"Heading\n\n{BODY}", title="From the page")["title"] == "From the page"


def test_a_chinese_or_japanese_sentence_is_no_title():
    sentence = "城市议会周二通过了新的预算案，经过长时间的辩论，议员们最终达成了一致意见。"
    assert "title" not in meta(f"{sentence}\n\n{sentence}")
    assert meta(f"城市议会通过新预算\n\n{sentence}")["title"] == "城市议会通过新预算"


def test_date_from_the_removed_dateline():
    removed = [RemovedLine("boilerplate", "date", 2, "Friday, July 25, 2025")]
    assert meta(BODY, removed)["date"] == "2025-07-25"
    assert meta(BODY, removed, date="2024-01-02")["date"] == "2024-01-02"


def test_parse_date_in_several_languages():
    assert parse_date("Veröffentlicht am 14.05.2014, 15:40 Uhr", "de") == "2014-05-14"
    assert parse_date("3 de mayo de 2022", "es") == "2022-05-03"
    assert parse_date("Publikacja: 04.05.2021", "pl") == "2021-05-04"
    assert parse_date("Recent", "en") is None


def test_parse_date_after_a_publication_stamp_and_of_the_first_of_two_dates():
    assert parse_date("Published on March 3, 2021", "en") == "2021-03-03"
    assert parse_date("Updated: March 3, 2021 at 9:15 am", "en") == "2021-03-03"
    assert parse_date("Pubblicato il 3 Marzo 2021 Ultima modifica 4 Marzo 2021 18:45", "it") == "2021-03-03"
    assert parse_date("Published 3 March 2021 | Updated 4 March 2021", "en") == "2021-03-03"


def test_a_date_glued_to_the_bylines_name_is_read_from_where_the_capital_starts_it():
    assert parse_date("By Jane DoeMarch 14, 2024", "en") == "2024-03-14"
    assert parse_date("Von Max MustermannMärz 14, 2024", "de") == "2024-03-14"
    assert parse_date("McDonald 5 May 2020", "en") == "2020-05-05"  # a capital inside a name is no date of its own


def test_a_byline_removed_with_its_date_gives_the_author_and_the_date():
    removed = [RemovedLine("boilerplate", "date", 1, "Von Lena Berg-Hoffmann am 9. Juni 2023, 08:15 Uhr")]
    found = meta(BODY, removed, language="de")
    assert found["author"] == "Lena Berg-Hoffmann" and found["date"] == "2023-06-09"


def test_a_dateline_beside_its_author_gives_both():
    for line in ["12.04.2019 um 09:30 Uhr - Lena Berg - 14 Kommentare", "Lena Berg · 12. April 2019"]:
        found = meta(BODY, [RemovedLine("boilerplate", "date", 1, line)], language="de")
        assert found["author"] == "Lena Berg" and found["date"] == "2019-04-12", line
    found = meta(BODY, [RemovedLine("boilerplate", "date", 1, "Posted by Jane Doe at 9:41 PM")], language="en")
    assert found["author"] == "Jane Doe"
    assert "author" not in meta(
        BODY, [RemovedLine("boilerplate", "date", 1, "12.04.2019 - Neue Regeln")], language="de"
    )


def test_slashed_dates_follow_the_documents_language():
    assert parse_date("07/03/2021 09:40 am", "es") == "2021-03-07"
    assert parse_date("07/03/2021 09:40 am", "en") == "2021-07-03"


def test_relative_datelines_give_no_date_so_the_output_does_not_depend_on_the_day_of_the_run():
    for text, language in [("yesterday", "en"), ("3 days ago", "en"), ("vor 2 Tagen", "de"), ("hace 2 días", "es")]:
        assert parse_date(text, language) is None, text
    removed = [RemovedLine("boilerplate", "date", 1, "Updated 5 hours ago")]
    assert "date" not in meta(BODY, removed)


# Relative datelines in each language's layouts, each unit in its forms (data/metadata.toml's [relative_dates]).
RELATIVE = {
    "en": [
        "{} second ago",
        "{} minutes ago",
        "{} min ago",
        "{} hours ago",
        "{} hr ago",
        "{} days ago",
        "{} week ago",
        "{} months ago",
        "{} years ago",
    ],
    "de": [
        "vor {} Sekunden",
        "vor {} Minute",
        "vor {} Stunden",
        "vor {} Tag",
        "vor {} Tagen",
        "vor {} Wochen",
        "vor {} Monat",
        "vor {} Monaten",
        "vor {} Jahr",
        "vor {} Jahren",
    ],
    "es": [
        "hace {} segundos",
        "hace {} minutos",
        "hace {} hora",
        "hace {} días",
        "hace {} semanas",
        "hace {} mes",
        "hace {} meses",
        "hace {} años",
    ],
    "fr": [
        "il y a {} secondes",
        "il y a {} minutes",
        "il y a {} heures",
        "il y a {} jours",
        "il y a {} semaine",
        "il y a {} mois",
        "il y a {} ans",
    ],
    "it": ["{} secondi fa", "{} minuto fa", "{} ore fa", "{} giorni fa", "{} settimane fa", "{} mesi fa", "{} anni fa"],
    "pt": [
        "há {} segundos",
        "há {} minutos",
        "há {} horas",
        "há {} dias",
        "há {} semanas",
        "há {} mês",
        "há {} meses",
        "há {} anos",
    ],
    "nl": [
        "{} seconden geleden",
        "{} minuut geleden",
        "{} uur geleden",
        "{} dagen geleden",
        "{} weken geleden",
        "{} maanden geleden",
        "{} jaar geleden",
    ],
    "pl": [
        "{} sekundy temu",
        "{} minut temu",
        "{} godziny temu",
        "{} dni temu",
        "{} tygodnie temu",
        "{} miesięcy temu",
        "{} lat temu",
        "{} rok temu",
    ],
}
RELATIVE_AMOUNTS = {
    "en": ["a", "an", "one"],
    "de": ["einer", "einem"],
    "es": ["un", "una"],
    "fr": ["un", "une"],
    "it": ["un", "una"],
    "pt": ["um", "uma"],
    "nl": ["een"],
    "pl": [],
}


# Near misses of the layouts: what a pattern must not take where dateparser reads a date ("il y a 45 an" is the
# year 2045 to it), or where the amount has a form the layouts do not list.
NEAR_MISSES = {"fr": ["il y a {} an"], "en": ["{} year ago"], "de": ["vor {} Jahr"]}


def relative_datelines(layouts_of: dict[str, list[str]]) -> list[tuple[str, str | None]]:
    amounts = ["0", "00", "07", "1", "2", "5", "12", "17", "24", "31", "37", "45", "59", "88", "99"]
    found = []
    for language, layouts in layouts_of.items():
        for layout in layouts:
            lines = [layout.format(amount) for amount in [*amounts, *RELATIVE_AMOUNTS[language]]]
            found += [(line, own) for line in lines for own in (language, None, "und")]
    return found


def test_relative_datelines_are_no_date_without_dateparser_as_with_it():
    """quick_date calls a relative dateline no date only where dateparser finds none (in the document's language or,
    for a document of no language, in all the dateline languages), and it knows the listed layouts."""
    for line, language in relative_datelines(RELATIVE) + relative_datelines(NEAR_MISSES):
        if quick_date(line, language) == "":
            assert dateparser_date(line, language) is None, (line, language)
    for line, language in relative_datelines(RELATIVE):
        assert quick_date(line, language) == "" or line.split()[-2:] == ["0", "an"], (line, language)
    assert quick_date("VOR 3 TAGEN", "de") == ""
    assert quick_date("vor 3 Tagen", "en") is None  # not an English layout: dateparser decides
    assert quick_date("vor 123 Tagen", "de") is None
    assert quick_date("vor 3 Tagen, 12.05.2021", "de") is None  # the whole line only


def test_author_from_byline_or_signature():
    assert meta(f"Budget passes\nBy Jane Doe\n{BODY}")["author"] == "Jane Doe"
    assert meta(f"Haushalt beschlossen\nVon Max Mustermann\n{BODY}", language="de")["author"] == "Max Mustermann"
    signature = [RemovedLine("boilerplate", "repeated", 9, "Sahibzada M. Usman, Ph.D.")]
    assert meta(BODY, signature)["author"] == "Sahibzada M. Usman"


def test_names_in_polish_czech_and_cyrillic_letters():
    body = "Rada miasta przyjęła budżet we wtorek po długiej debacie o finansowaniu szkół."
    assert meta(f"Autor: Kamil Brzęczek\n{body}", language="pl")["author"] == "Kamil Brzęczek"
    assert meta(f"By Dorota Jędrzejczyk\n{body}", language="pl")["author"] == "Dorota Jędrzejczyk"
    assert meta(f"{body}\n\nTomáš Dvořák", language="cs")["author"] == "Tomáš Dvořák"


def test_title_case_headings_are_not_authors():
    assert "author" not in meta(f"{BODY}\n\nPakistan’s New Pressure Tactics")


def test_a_closing_formula_is_not_an_author_and_the_name_after_it_is():
    assert "author" not in meta(f"{BODY}\n\nLiebe Grüße")  # German words are rare in the English word list
    assert meta(f"{BODY}\n\nBest regards,\nMarta Kowalczyk")["author"] == "Marta Kowalczyk"
    assert meta(f"{BODY}\n\nViele Grüße\nJonas Weber", language="de")["author"] == "Jonas Weber"


def test_a_language_dateparser_does_not_know_does_not_fail_the_document():
    # language detectors name languages (here Aragonese) that dateparser has no locale for; it says so only
    # when parsing, which once turned every such document into a metadata.error reject
    assert parse_date("Friday, July 25, 2025", "an") == "2025-07-25"
    doc = Document(id="x", text="Some text here.", source="a.txt", metadata={"language": "an"})
    doc.removed.append(RemovedLine(step="boilerplate", reason="date", line_no=1, text="25.07.2025"))
    assert Metadata().apply(doc).metadata["date"] == "2025-07-25"


def test_a_language_dateparser_does_not_know_is_read_in_the_dateline_languages_not_in_all_200(monkeypatch):
    requested = []

    def recording(languages, day_first):
        requested.append(languages)
        return _date_parser(languages, day_first)

    monkeypatch.setattr(metadata, "_date_parser", recording)
    parse_date.cache_clear()
    metadata._parse.cache_clear()
    assert parse_date("3. März 2021", "an") == "2021-03-03"
    assert parse_date("5 maja 2021, 12:40", "pcm") == "2021-05-05"
    assert parse_date("Posted by K A at 12:11 PM", "pcm") is None
    assert parse_date("12 janvier 2021", None) == "2021-01-12"
    assert requested and all(requested), requested  # () would be all of dateparser's locales
    assert set(dateline_languages()) >= {"en", "de", "fr", "es", "pl"}
    parse_date.cache_clear()
    metadata._parse.cache_clear()


def test_prepare_builds_the_date_parsers_of_the_dateline_languages_before_the_workers_fork(monkeypatch):
    from dateparser.languages.dictionary import Dictionary

    _date_parser.cache_clear()
    parse_date.cache_clear()
    metadata._parse.cache_clear()
    monkeypatch.setattr(Dictionary, "_split_regex_cache", {})  # the compiled rules, per locale: none yet
    Metadata().prepare()
    compiled = {name for rules in Dictionary._split_regex_cache.values() for name in rules}
    assert set(dateline_languages()) <= compiled
    built = _date_parser.cache_info().misses
    assert parse_date("Friday, July 25, 2025", "en") == "2025-07-25"
    assert parse_date("Freitag, 25. Juli 2025", "de") == "2025-07-25"
    assert parse_date("vendredi 25 juillet 2025", "fr") == "2025-07-25"
    assert parse_date("25 juillet 2025", None) == "2025-07-25"  # all dateline languages at once
    assert _date_parser.cache_info().misses == built  # nothing new to build
    parse_date("Freideg, 25. Juli 2025", "lb")  # Luxembourgish: a rarer language's parser is built when asked
    assert _date_parser.cache_info().misses == built + 1
    parse_date.cache_clear()
    metadata._parse.cache_clear()


ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
GERMAN_MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


@st.composite
def datelines(draw) -> str:
    """A dateline in one of quick_date's layouts, impossible days, months, years and times included."""
    day, month = draw(st.integers(0, 32)), draw(st.integers(1, 13))
    year = draw(st.sampled_from(["2024", "2023", "1999", "2000", "1900", "1000", "0999", "2100", "9999", "0000"]))
    hour, minute = draw(st.integers(0, 25)), draw(st.sampled_from(["00", "05", "30", "59", "60"]))
    name = min(month, 12) - 1
    layout = draw(
        st.sampled_from(
            [
                f"{day}.{month}.{year}",
                f"{day:02d}.{month:02d}.{year}",
                f"{day}.{month}.{year}, {hour}:{minute}",
                f"{day:02d}.{month:02d}.{year} {hour}:{minute}",
                f"{ENGLISH_MONTHS[name]} {day}, {year}",
                f"{ENGLISH_MONTHS[name]} {day}, {year} at {hour}:{minute} {draw(st.sampled_from(['am', 'pm']))}",
                f"{day}. {GERMAN_MONTHS[name]} {year}",
                f"{day}. {GERMAN_MONTHS[name]} {year} um {hour}:{minute} Uhr",
                f"{ENGLISH_MONTHS[name]} {draw(st.integers(1890, 2110))}",
                f"{GERMAN_MONTHS[name]} {draw(st.integers(1890, 2110))}",
            ]
        )
    )
    return layout


@settings(max_examples=300, derandomize=True, deadline=None)
@given(datelines(), st.sampled_from([None, "und", "en", "de", "fr", "es", "it", "pt", "nl", "pl"]))
def test_the_common_layouts_are_read_as_dateparser_reads_them(line: str, language: str | None):
    """quick_date reads a dateline without dateparser only where dateparser would read the same date."""
    quick = quick_date(line, language)
    assert quick is None or (quick or None) == dateparser_date(line, language)
    assert parse_date(line, language) == dateparser_date(line, language)


def test_the_common_layouts_are_read_without_dateparser():
    assert quick_date("25.07.2025, 14:30", "pl") == "2025-07-25"
    assert quick_date("July 25, 2025 at 9:30 am", None) == "2025-07-25"
    assert quick_date("25. Juli 2025 um 11:46 Uhr", "de") == "2025-07-25"
    assert quick_date("25. Juli 2025", "en") is None  # an English document: dateparser reads no German there
    assert quick_date("31.02.2025", "de") is None  # no such day: dateparser decides
    assert quick_date("Juli 2009", "de") == quick_date("March 2021", None) == ""  # no day: certainly no date
    assert parse_date("Juli 2009", "de") is None


@settings(max_examples=500, derandomize=True)
@given(
    st.lists(st.sampled_from(["", " ", "a", " b ", "\tc", "By Jane Doe"]), max_size=30).map("\n".join),
    st.integers(-3, 10),
    st.integers(-3, 10),
)
def test_the_first_and_last_lines_are_those_of_all_the_lines(text: str, first: int, last: int):
    """Only the lines the title, byline and signature read are stripped: the same ones as slicing all of them."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    head, tail = metadata.first_and_last_lines(text, first, last)
    assert head[:1] == lines[:1] and head[:first] == lines[:first] and tail == lines[-last:]
