from __future__ import annotations

import random

from cleaner.boilerplate.lines import GOOD
from cleaner.boilerplate.model import main_share
from cleaner.document import Document, Reject
from cleaner.steps.boilerplate import Boilerplate, BoilerplateConfig

PARAGRAPHS_EN = [
    "The city council approved the new budget on Tuesday after a long debate about how much money the schools "
    "should receive, and the vote was closer than many of its members had expected.",
    "Council members said the plan would add two hundred teachers over the next three years, while keeping "
    "property taxes flat for most of the households in the city and its suburbs.",
    "Critics argued that the budget relies on optimistic revenue forecasts and leaves the transit authority "
    "without the money it needs to replace its ageing buses before the winter.",
]

PARAGRAPHS_DE = [
    "Der Stadtrat hat am Dienstag nach einer langen Debatte über die Finanzierung der Schulen den neuen Haushalt "
    "beschlossen, und die Abstimmung fiel knapper aus, als es viele Mitglieder erwartet hatten.",
    "Die Mitglieder des Rates erklärten, der Plan sehe in den nächsten drei Jahren zweihundert zusätzliche "
    "Lehrerinnen und Lehrer vor, während die Grundsteuer für die meisten Haushalte gleich bleibe.",
]

PARAGRAPHS_ES = [
    "El ayuntamiento aprobó el martes el nuevo presupuesto después de un largo debate sobre la financiación de "
    "las escuelas, y la votación fue más ajustada de lo que muchos de sus miembros habían previsto.",
    "Los concejales dijeron que el plan añadirá doscientos profesores en los próximos tres años, mientras que el "
    "impuesto sobre la propiedad se mantendrá igual para la mayoría de los hogares de la ciudad.",
]


_STEPS: dict[str, Boilerplate] = {}


def clean(lines: list[str], **options) -> Document | Reject:
    # one step per configuration: a step compiles its rules when first used (~0.4 s), and applying it keeps no state
    key = repr(sorted(options.items()))
    if (step := _STEPS.get(key)) is None:
        step = _STEPS[key] = Boilerplate(BoilerplateConfig(**options))
    return step.apply(Document(id="x", text="\n".join(lines), source="page.txt"))


def reasons(doc: Document) -> dict[str, str]:
    return {r.text: r.reason for r in doc.removed}


def test_page_furniture_around_an_article_goes_and_the_article_stays():
    page = [
        "Home", "News", "Sport", "Weather", "Sign in",
        "Council passes budget",
        "Share", "Facebook", "Twitter",
        PARAGRAPHS_EN[0], "", PARAGRAPHS_EN[1], "", "Budget details", "", PARAGRAPHS_EN[2],
        "Related", "Mayor opens new library", "Storm closes harbour", "Read More »",
        "© 2024 City News. All rights reserved.",
    ]  # fmt: skip
    doc = clean(page)
    assert isinstance(doc, Document)
    kept = doc.text.split("\n")
    for paragraph in PARAGRAPHS_EN:
        assert paragraph in kept
    assert "Budget details" in kept  # a heading between two paragraphs stays
    assert "Council passes budget" in kept  # the title just above the article stays
    for gone in ("Home", "Sign in", "Share", "Twitter", "Mayor opens new library", "Read More »"):
        assert gone not in kept, gone
    why = reasons(doc)
    assert why["Share"] == "share"
    assert why["Read More »"] == "related"
    assert why["© 2024 City News. All rights reserved."] == "footer"
    assert why["Storm closes harbour"] == "related"  # a headline under the "Related" heading
    assert doc.stats["boilerplate_lines_removed"] == len(doc.removed)


def test_german_and_spanish_pages():
    german = ["Startseite", "Politik", "Anzeige", *PARAGRAPHS_DE, "Das könnte Sie auch interessieren", "Impressum"]
    doc = clean(german)
    assert doc.text.split("\n") == PARAGRAPHS_DE
    spanish = ["Inicio", "Compartir", PARAGRAPHS_ES[0], "Lee también: Otra noticia del día", PARAGRAPHS_ES[1]]
    doc = clean(spanish)
    assert doc.text.split("\n") == PARAGRAPHS_ES
    assert reasons(doc)["Lee también: Otra noticia del día"] == "related"


def test_teaser_block_is_removed():
    teaser = "A fire destroyed a warehouse near the port on Sunday night; no one was hurt, the fire brigade said."
    page = [
        *PARAGRAPHS_EN, "", "Recent", "", "Fire at the port", "", "Fire at the port", "", teaser, "", "Read More »",
    ]  # fmt: skip
    doc = clean(page)
    assert doc.text.split("\n\n") == PARAGRAPHS_EN or doc.text.split("\n") == PARAGRAPHS_EN
    why = reasons(doc)
    assert why["Fire at the port"] == "repeated"
    assert why[teaser] == "outside_content"


def test_repeated_line_is_boilerplate():
    page = ["Support Our Journalism", *PARAGRAPHS_EN[:2], "Support Our Journalism", PARAGRAPHS_EN[2]]
    doc = clean(page)
    assert "Support Our Journalism" not in doc.text
    assert all(p in doc.text for p in PARAGRAPHS_EN)


def test_legitimate_short_lines_inside_the_article_survive():
    poem = ["Roses are red,", "violets are blue,", "the council is late,", "and the budget is too."]
    bullets = [
        "  • Two hundred new teachers over three years",
        "  • Property taxes unchanged for most households",
        "  • No new money for buses",
    ]
    page = ["Menu", PARAGRAPHS_EN[0], *poem, PARAGRAPHS_EN[1], "What the budget does:", *bullets, PARAGRAPHS_EN[2]]
    doc = clean(page)
    kept = doc.text.split("\n")
    for line in [*poem, *bullets, "What the budget does:", *PARAGRAPHS_EN]:
        assert line in kept, line
    assert "Menu" not in kept


HEADLINES = ["Neue Bibliothek eröffnet heute in der Stadt", "Sturm schließt Hafen", "Politik", "Wirtschaft", "Kultur",
             "Sport", "Wetter am Wochenende", "Bahn streicht Verbindungen", "Zoo feiert Geburtstag",
             "Markt öffnet wieder"]  # fmt: skip


def test_safety_valve_keeps_or_rejects_a_document_that_would_be_gutted():
    page = [*HEADLINES, *PARAGRAPHS_DE, *reversed(HEADLINES)]
    kept = clean(page, max_removed_share=0.1)  # the headlines alone are more than 10 % of the words
    assert isinstance(kept, Document)
    assert kept.text == "\n".join(page)
    assert kept.stats == {"boilerplate_valve": 1}
    assert kept.metadata["flags"][0].startswith("boilerplate.valve: would remove")
    again = Boilerplate(BoilerplateConfig(max_removed_share=0.1)).apply(kept)  # judged again after a later edit
    assert again.stats == {"boilerplate_valve": 1} and len(again.metadata["flags"]) == 1
    rejected = clean(page, max_removed_share=0.1, on_excess="reject")
    assert isinstance(rejected, Reject)
    assert rejected.reason == "boilerplate.too_much_removed"


def test_the_valve_still_removes_what_the_phrase_rules_match():
    """The valve holds back the analysis (regions, line model, repetition), which reads the page as a whole; a
    copyright notice or a share widget is furniture wherever it stands, and goes from a page the valve keeps."""
    notice = "Copyright 2020 Example.de. All rights reserved"
    page = [*HEADLINES, notice, *PARAGRAPHS_DE, "Teilen", *reversed(HEADLINES)]
    rest = [*HEADLINES, *PARAGRAPHS_DE, *reversed(HEADLINES)]
    kept = clean(page, max_removed_share=0.3)
    assert isinstance(kept, Document) and kept.stats["boilerplate_valve"] == 1
    assert kept.text.split("\n") == rest
    assert [r.reason for r in kept.removed] == ["footer", "share"]
    assert clean(kept.text.split("\n"), max_removed_share=0.3).text == kept.text  # idempotent
    # Without its rule lines, the page is no longer gutted at 0.5 (the headlines are under half of its words):
    # it is then cleaned as any page is, and its output is a page the step leaves as it is.
    cleaned = clean(page, max_removed_share=0.5)
    assert isinstance(cleaned, Document) and "boilerplate_valve" not in cleaned.stats
    assert cleaned.text == clean(rest, max_removed_share=0.5).text == "\n".join(PARAGRAPHS_DE)
    assert clean(cleaned.text.split("\n"), max_removed_share=0.5).text == cleaned.text
    menus = ["Home", "Share", "Facebook", "Twitter", "Subscribe", "Impressum", "Contact us", "Read more"] * 3
    assert clean([*menus, *PARAGRAPHS_EN, *menus], max_removed_share=0.1).text == "\n".join(PARAGRAPHS_EN)


def test_a_page_of_furniture_alone_is_rejected_not_kept_by_the_valve():
    page = ["Home", "Share", "Facebook", "Twitter", "Subscribe", "Impressum", "Contact us", "Read more"]
    rejected = clean(page)
    assert isinstance(rejected, Reject)
    assert rejected.reason == "boilerplate.furniture_only"
    assert rejected.detail.endswith("0 words of prose")
    assert clean(page, valve_min_prose_words=0).text == "\n".join(page)  # the valve keeps every document


def test_a_page_of_prose_alone_loses_nothing_but_rule_matches():
    """An article already extracted (every line a sentence or a long paragraph) has no furniture for the regions
    and the line model to find: a closing note or a short last paragraph stays."""
    note = "Hinweis: Wenn Sie dieses Video abspielen, werden Daten an YouTube übertragen."
    question = "»Wie bringe ich Studierende dazu, Fragen zu stellen?«"
    item = "befristete Mietverträge abschaffen: Befristete Verträge sollen die Ausnahme werden"
    page = [PARAGRAPHS_DE[0], "", PARAGRAPHS_DE[1], "", question, "", note, "", item]
    assert clean(page).text == "\n".join(page)
    assert clean(page, keep_all_prose=False).text != "\n".join(page)  # what the analysis alone would cut
    with_rule = [*page, "", "Das könnte Sie auch interessieren"]
    assert "interessieren" not in clean(with_rule).text  # a page with furniture is analysed as any other


def test_html_extractions_get_rules_only():
    text = "\n".join(["Share", PARAGRAPHS_EN[0], "A short line", PARAGRAPHS_EN[1]])
    doc = Boilerplate().apply(Document(id="x", text=text, source="p.html", metadata={"format": "html"}))
    assert doc.text.split("\n") == [PARAGRAPHS_EN[0], "A short line", PARAGRAPHS_EN[1]]


def test_analysis_repeats_until_nothing_more_goes():
    # Once a menu is gone, its last items stand alone above the article, and the regions and the line model judge
    # them again: one pass is often not a fixed point. The step repeats the analysis until a pass removes
    # nothing, so that cleaning its own output is a no-op.
    rng = random.Random(3)
    menu = ["Menu", "Startseite", "Politik", "Wirtschaft", "Kultur", "Sport", "Haushalt", "Suche"]
    tail = ["Mehr zum Thema", "Neue Bibliothek eröffnet heute in der Stadt", "Sturm schließt Hafen", "Kommentare",
            "Impressum", "Datenschutz", "Kontakt"]  # fmt: skip
    pages = [
        rng.sample(menu, rng.randint(1, 6)) + PARAGRAPHS_DE + rng.sample(tail, rng.randint(0, 6)) for _ in range(40)
    ]
    single_pass_unstable = 0
    one_pass = Boilerplate(BoilerplateConfig(max_passes=1))
    for page in pages:
        first = one_pass.removals(page, True, "").reasons
        kept = [line for number, line in enumerate(page) if number not in first]
        single_pass_unstable += bool(one_pass.removals(kept, True, "").reasons)
        once = clean(page)
        for paragraph in PARAGRAPHS_DE:
            assert paragraph in once.text
        again = clean(once.text.split("\n"))
        assert again.text == once.text and again.removed == [], page
    assert single_pass_unstable > 0  # the pages do exercise the repetition


def test_a_page_whose_analysis_has_not_settled_after_max_passes_is_kept_and_flagged():
    page = ["Home", "Share", *PARAGRAPHS_EN, "Related", "Another story", "Read More »"]
    assert clean(page).removed  # with passes to spare, the furniture goes
    # With one pass, nothing shows that a second one would remove nothing more: the analysis has not settled.
    kept = clean(page, max_passes=1)
    # The valve distrusts the analysis, not the phrase rules: their lines go, the rest stays.
    assert kept.text == "\n".join([*PARAGRAPHS_EN, "Another story"])
    assert {r.reason for r in kept.removed} == {"navigation", "share", "related"}
    assert kept.stats == {"boilerplate_valve": 1, "boilerplate_lines_removed": 4, "boilerplate_words_removed": 5}
    assert kept.metadata["flags"] == ["boilerplate.valve: still removing lines after max_passes=1 passes"]
    assert clean(kept.text.split("\n"), max_passes=1).text == kept.text
    rejected = clean(page, max_passes=1, on_excess="reject")
    assert isinstance(rejected, Reject) and rejected.reason == "boilerplate.unsettled"


def test_idempotent():
    page = ["Home", "Share", *PARAGRAPHS_EN, "Related", "Another story", "Read More »"]
    once = clean(page)
    twice = clean(once.text.split("\n"))
    assert twice.text == once.text
    assert twice.removed == []


def test_main_share_counts_the_good_words_of_the_main_region():
    step = Boilerplate()
    found = step.signals(["Home", "News", *PARAGRAPHS_EN, "Share"])
    assert found.layout is not None and found.cls is not None
    good = (found.cls == GOOD) & ~found.decided
    words = found.pages.words[found.rows]
    assert main_share(words, good, found.layout.region, found.segments)[0] == 1.0  # all the prose is in one region
    found.layout.region[3:5] = 0  # as if the region held only the first paragraph
    counts = [len(p.split()) for p in PARAGRAPHS_EN]
    assert abs(main_share(words, good, found.layout.region, found.segments)[0] - counts[0] / sum(counts)) < 0.05


def test_a_page_whose_main_region_holds_little_prose_judges_outside_lines_like_inside_ones():
    # One pass, so that only the thresholds differ: the lower one can only keep more.
    rng = random.Random(5)
    furniture = ["Most Popular", "Storm closes the harbour after the night's gale", "Read More »", "Newsletter",
                 "New library opens downtown with a reading garden", "Police seek witnesses", "Share"]  # fmt: skip
    differs = 0
    strict_step = Boilerplate(BoilerplateConfig(min_main_share=0.0, max_passes=1))
    lenient_step = Boilerplate(BoilerplateConfig(min_main_share=1.01, max_passes=1))
    for _ in range(30):
        page = [*rng.sample(furniture, 3), PARAGRAPHS_EN[0], *rng.sample(furniture, 4), *PARAGRAPHS_EN[1:]]
        strict = strict_step.removals(page, True, "").reasons
        lenient = lenient_step.removals(page, True, "").reasons
        assert set(lenient) <= set(strict)
        differs += set(lenient) != set(strict)
    assert differs > 0


def test_a_batch_cleans_each_document_as_it_would_be_cleaned_alone():
    # pages of different shapes and languages side by side: a neighbourhood never reaches into the next page
    rng = random.Random(3)
    furniture = ["Home", "News", "Share", "Read More »", "Related", "Mayor opens new library", "Newsletter", ""]
    pages = []
    for number in range(12):
        prose = [PARAGRAPHS_EN, PARAGRAPHS_DE, PARAGRAPHS_ES][number % 3]
        page = [*rng.sample(furniture, 3), *prose, *rng.sample(furniture, 4)]
        pages.append(page if number != 5 else furniture)  # and one page with no article at all
    pages.append([""])  # an empty document
    step = Boilerplate()

    def document(number: int, lines: list[str]) -> Document:
        return Document(id=str(number), text="\n".join(lines), source=f"{number}.txt")

    alone = [step.apply(document(n, page)) for n, page in enumerate(pages)]
    together = step.apply_batch([document(n, page) for n, page in enumerate(pages)])

    def outcome(result: Document | Reject) -> tuple:
        # the page of furniture alone is rejected (boilerplate.furniture_only), in a batch as alone
        return (
            (result.reason, result.text) if isinstance(result, Reject) else (result.text, result.removed, result.stats)
        )

    assert [outcome(d) for d in together] == [outcome(d) for d in alone]
    assert any(isinstance(d, Document) and d.removed for d in together)


def test_soft_hyphens_change_no_decision():
    """Soft hyphens stay in the text (the whitespace step keeps them by default) but are invisible: a page
    hyphenated for narrow columns is judged line for line as the same page without them."""
    page = [
        "Startseite", "Politik", "Anzeige", *PARAGRAPHS_DE,
        "Das könnte Sie auch interessieren", "Weiterlesen", "Impressum",
    ]  # fmt: skip
    hyphenated = [" ".join(word[:3] + "\u00ad" + word[3:] if len(word) > 6 else word for word in line.split(" "))
                  for line in page]  # fmt: skip
    plain, soft = clean(page), clean(hyphenated)
    assert isinstance(plain, Document) and isinstance(soft, Document)
    assert soft.text == "\n".join(
        [line for line, original in zip(hyphenated, page, strict=True) if original in plain.text.split("\n")]
    )
    assert [r.reason for r in soft.removed] == [r.reason for r in plain.removed]
    assert len(plain.removed) >= 3


def test_an_author_bio_under_the_authors_name_goes():
    bio = (
        "Jane Miller has covered city politics for the Herald since 2015, after ten years as a reporter in "
        "Chicago; she lives in the city with her two children."
    )
    page = ["Home", "News", *PARAGRAPHS_EN, "", "Jane Miller", "", bio, "", "Tags", "Budget"]
    doc = clean(page)
    assert reasons(doc)[bio] == "author"
    assert all(paragraph in doc.text for paragraph in PARAGRAPHS_EN)


def test_headlines_under_a_related_heading_inside_the_article_go_and_the_article_stays():
    teasers = ["Mayor opens new library in the old town hall", "Storm closes the harbour for a second day"]
    page = ["Home", "News", PARAGRAPHS_EN[0], "Related Coverage", *teasers, "", *PARAGRAPHS_EN[1:], "Impressum"]
    doc = clean(page)
    why = reasons(doc)
    assert [why.get(teaser) for teaser in teasers] == ["related", "related"]
    assert all(paragraph in doc.text for paragraph in PARAGRAPHS_EN)


def test_a_list_under_the_article_is_kept_whole_not_torn():
    # The model judges each short item alone: on its own it keeps the first quantity and drops the others.
    items = ["250 g flour", "2 eggs", "1 pinch of salt", "100 ml milk", "3 tablespoons of sugar", "1 lemon"]
    menu = ["Home", "News", "Sport", "Weather", "Contact us", "Newsletter"]
    footer = ["Privacy policy", "Terms of use", "© 2024 City News"]
    doc = clean([*menu, "", PARAGRAPHS_EN[0], "", PARAGRAPHS_EN[1], "", *items, "", *footer])
    kept = doc.text.split("\n")
    assert [item for item in items if item not in kept] == []
    assert not set(menu[1:4]) & set(kept)
