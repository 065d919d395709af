from cleaner.boilerplate.structure import author_bios, name_like

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
