from cleaner.boilerplate.rules import load_rules
from cleaner.boilerplate.teasers import author_bios, heading_key, list_headings, name_like, teaser_lists

BIO = "Markus Reuter beschäftigt sich mit den Themen Digital Rights, Hate Speech und Zensur bei uns."


def bios(lines: list[str], rules: dict[int, str] | None = None) -> list[int]:
    stripped = [line.strip() for line in lines]
    matched = [(rules or {}).get(i) for i in range(len(lines))]
    names = [i for i, text in enumerate(stripped) if matched[i] is None and name_like(text)]
    return author_bios(stripped, matched, names, 0, len(lines))


def test_names_alone_on_a_line():
    assert name_like("Markus Reuter")
    assert name_like("Ursula von der Leyen")
    assert name_like("Dr. Thomas Schulte")
    assert not name_like("Markus")  # one word: a menu item as well
    assert not name_like("von Reuter")
    assert not name_like("Top 10 Nations")
    assert not name_like("Read more here")


def test_a_paragraph_opening_with_the_name_above_it_is_a_bio():
    assert bios(["Markus Reuter", "", BIO, "", "Schlagworte"]) == [2]
    # buttons between the name and the bio are passed over
    assert bios(["Markus Reuter", "+ FOLLOW", BIO]) == [2]


def test_a_paragraph_under_a_name_under_an_author_heading_is_a_bio():
    bio = "Historyczka kultury polskiej, badaczka kultury wizualnej, od 2016 roku dyrektorka instytutu."
    assert bios(["Autor", "Iwona Kurz", bio], rules={0: "author"}) == [2]
    assert bios(["Wydanie", "Iwona Kurz", bio]) == []  # no heading, and the paragraph does not name her


def test_a_section_heading_that_its_paragraph_repeats_is_no_name():
    text = "Remote access to your Mac from any device or browser, wherever you are, with one app."
    assert bios(["Remote Access", text]) == []  # not the name as written above


def test_prose_going_on_below_is_the_article_not_an_author_box():
    assert bios(["Markus Reuter", BIO, BIO.replace("Markus Reuter", "Er")]) == []


def test_a_teaser_or_a_short_line_is_no_bio():
    assert bios(["PNE AG", "PNE AG setzt positive Dynamik in den ersten neun Monaten fort ..."]) == []
    assert bios(["Markus Reuter", "Markus Reuter, Redakteur."]) == []


def test_names_heading_paragraph_after_paragraph_are_the_articles_list():
    people = ["Ben Whishaw", "Ben Whishaw ist ein vielseitiger britischer Schauspieler, der sich einen Namen machte."]
    people += ["Colton Haynes", "Colton Haynes begann seine Karriere früh und arbeitete als Model für viele Marken."]
    people += ["Lisa Borch", "Lisa Borch ist seit 2016 Musik- und Filmredakteurin bei diesem Magazin in Berlin."]
    assert bios(people) == []
    assert bios(people[-2:]) == [1]


def test_two_people_an_article_compares_are_no_author_boxes():
    merkel = ["Angela Merkel", "Angela Merkel war sechzehn Jahre lang Bundeskanzlerin und führte vier Regierungen."]
    scholz = ["Olaf Scholz", "Olaf Scholz war zuvor Finanzminister und Erster Bürgermeister der Stadt Hamburg."]
    assert bios([*merkel, *scholz]) == []


def teasers(lines: list[str], rules: dict[int, str]) -> list[int]:
    stripped = [line.strip() for line in lines]
    matched = [rules.get(i) for i in range(len(lines))]
    words = [len(line.split()) for line in stripped]
    terminal = [line.endswith((".", "!", "?")) for line in stripped]
    headings = [i for i in rules if heading_key(stripped[i]) in list_headings()]
    return teaser_lists(headings, stripped, matched, words, terminal, 0, len(lines))


ARTICLE = "The incident is regrettable although the hospital has enough masks for its staff, an official said."


def test_headlines_under_a_list_heading_are_teasers_until_the_article_goes_on():
    lines = [ARTICLE, "RELATED STORIES", "Do masks offer protection? It depends", "", "Mask prices soar in Japan",
             "Twitter", "Wanted man arrested after buying masks", "", ARTICLE, "Masks and the law"]  # fmt: skip
    assert teasers(lines, {1: "related", 5: "share"}) == [2, 4, 6]


def test_a_link_ending_a_teaser_heads_no_list():
    lines = [ARTICLE, "Read more", "Axel Hellmann takes over marketing", ARTICLE]
    assert teasers(lines, {1: "related"}) == []  # "Read more" is a related rule, but no list heading


def test_a_list_holds_a_few_headlines():
    lines = [ARTICLE, "Lesen Sie auch:", *(f"Schlagzeile Nummer {i} des Tages" for i in range(10))]
    assert teasers(lines, {1: "related"}) == list(range(2, 8))


def test_a_heading_above_all_prose_is_a_menu_item_over_the_pages_own_headline():
    lines = ["Home", "Politics", "Latest News", "", "Council approves new school budget after a long debate"]
    lines += ["By Jane Doe", "", ARTICLE, ARTICLE]
    assert teasers(lines, {0: "navigation", 2: "related"}) == []


def test_a_subheading_right_over_a_paragraph_ends_the_list():
    lines = [ARTICLE, "Read also", "Mayor opens new library", "", "How the budget was drawn up", ARTICLE, ARTICLE]
    assert teasers(lines, {1: "related"}) == [2]  # the one headline an inline "Read also" names is still a teaser


def test_every_list_heading_is_a_related_rule_of_its_own():
    rules = load_rules()
    assert {heading for heading in list_headings() if rules.match(heading) != "related"} == set()


def test_list_headings_in_languages_the_development_set_lacks():
    rules = load_rules()
    for heading in ("Lue myös:", "Läs också", "Související články", "Читайте также"):
        assert rules.match(heading) == "related"
        lines = [ARTICLE, heading, "Suomi on sijalla 7 – EU-eurojen uusjako alkaa", ARTICLE]
        assert teasers(lines, {1: "related"}) == [2]


def test_list_headings_as_turkish_and_romanian_sites_write_them():
    """'İ' lower-cases to 'i' and a combining dot, which the rules are not written with; Romanian is still often
    written with the cedilla letters 'ş', 'ţ' for the comma-below 'ș', 'ț'."""
    rules = load_rules()
    for heading in (
        "İlgili Haberler",
        "İLGİLİ HABERLER",
        "Bunlar da İlginizi Çekebilir",
        "Citeşte şi",
        "Ultimele ştiri",
    ):
        assert rules.match(heading) == "related", heading
        assert heading_key(heading) in list_headings(), heading
