from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Document
from cleaner.steps import glued_words, spacing
from cleaner.steps.spacing import Spacing, SpacingConfig
from tests.test_document import replay

STEP = Spacing()


def space(text: str, language: str = "en") -> str:
    return STEP.apply(Document(id="x", text=text, source="x", metadata={"language": language})).text


@pytest.mark.parametrize(
    ("glued", "fixed"),
    [
        ("to extract concessions.The ISI", "to extract concessions. The ISI"),
        ("pawns in ISI’s games”is a clear warning", "pawns in ISI’s games” is a clear warning"),
        ("Khalilzad’s pleathat former leaders", "Khalilzad’s plea that former leaders"),
        ("the Salvation of Afghanistana coalition of leaders", "the Salvation of Afghanistan a coalition of leaders"),
        ("officers were parked behind thegreen Volvo", "officers were parked behind the green Volvo"),
        ("by that blueToyota, said a witness", "by that blue Toyota, said a witness"),
        ("the Windows builds,or you can", "the Windows builds, or you can"),
        ("the tickets sold out)as soon as", "the tickets sold out) as soon as"),
        ("the residents’interest in it", "the residents’ interest in it"),
    ],
)
def test_glued_words_are_split(glued: str, fixed: str):
    assert space(glued) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Zalmay Khalilzad met Mohammad Mohaqiq and Amir Khan Muttaqi in Waziristan.",
        "Khalid Pashtoon spoke about Hindutva and the Tehreek-e-Taliban Pakistan.",
        "The U.S. Army and the U.K. government, e.g. in 3.5 percent of cases.",
        "Write to press@example.org or see https://example.org/news.Article and report.Final.pdf today.",
        "You’re right, we’ll see; they’ve said it isn’t so.",
        "He wrote a detailled and colletive report.",  # misspellings are not glued words
        "A Theron and an Inman walked into the Hadvar bar.",
        "x = foo.Bar(baz,qux) is code",
    ],
)
def test_names_abbreviations_addresses_and_code_are_left_alone(text: str):
    assert space(text) == text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Find work at elempleo.com and read pyproject.toml first.", "es"),  # domains and file names
        ("Loving it #virtualmachine #parallelsdesktop", "en"),  # hashtags are written glued
        ("the agency ADLP and the daily LAPRENSA reported", "es"),  # all capitals: an acronym or a name
        ("It bundles Akismet, and Amarini sings.", "en"),  # a capital starts its word: not "A kismet"
        ("the eGleaner newsletter", "en"),  # "eG leaner": the capital is no glue point
        ("Hadan Holligan is keeping in shape", "en"),  # a name before a name, not "Had an"
        ("the 700-plus-page tome became a gift", "en"),  # a common word (Zipf 3.2) is a word
        ("A survey that dazzles, dumbfounds, and delights.", "en"),  # a form of "dumbfounded"
        ("Ann Kiess\u00adling hat viele wich\u00adti\u00adge Arbeiten", "en"),  # pieces cut by soft hyphens
    ],
)
def test_what_is_not_glued_is_left_alone(text: str, language: str):
    assert space(text, language) == text


def test_punctuation_before_a_word_of_the_line_s_other_language_is_left_alone():
    """A German reader's comment on an English page writes "reconnected?Dann": that line's own typing."""
    german = "erstmal sofort auf ignorieren drücken und dann warten bis reconnected?Dann nochmal probieren"
    assert space(german) == german
    assert space("we waited until it reconnected.Then we tried again") == (
        "we waited until it reconnected. Then we tried again"
    )


def test_a_capital_at_the_cut_is_glue_even_before_a_name():
    assert space("Photos ByAlex Smith and CrimeThis Week") == "Photos By Alex Smith and Crime This Week"


def test_short_parts_must_be_function_words():
    """A piece of two or three letters that is no function word is an abbreviation or slang matched by chance."""
    assert space("dwoz and rubito") == "dwoz and rubito"
    assert space("this isno joke, the timeof day") == "this is no joke, the time of day"


def test_compounding_languages_are_not_split():
    text = "Die Bundesländern und Landesliste bleiben wie sie sind, Nachrichtenagentur."
    assert space(text, "de") == text


def test_languages_not_described_are_left_as_written():
    """German and Polish pages are not in data/spacing.toml: an author's own "können.Bei" stays."""
    assert space("gemietet werden können.Bei der Villa", "de") == "gemietet werden können.Bei der Villa"
    assert space("doświadczeniem (ponad)pokoleniowym Polaków", "pl") == "doświadczeniem (ponad)pokoleniowym Polaków"


def test_a_language_can_have_the_punctuation_rule_alone(monkeypatch: pytest.MonkeyPatch):
    rules = {"de": spacing.LanguageRules(frozenset(), frozenset(), (), split_glued=False)}
    monkeypatch.setattr(spacing, "language_rules", lambda: rules)
    assert space("werden können.Bei der Hausbank", "de") == "werden können. Bei der Hausbank"


@pytest.mark.parametrize(
    "text",
    [
        "Die Fritzbox heißt FRITZ!Box, der Newsletter FAZ.NET-Newsletter, die Seite CNET.DE und DoSchu.Com.",
        "“中国虾稻米之乡”响当当的牌子更是获得市场高度认可",
        'Qualifié de"gourou" par un dirigeant',  # a straight quote that opens is not followed by a space
        "various filetypes including DOC",  # the plural of "filetype", not "file types"
        "C’est le mot d’une femme, Cha Soona, qui",  # a name, not the English "soon" and the French "a"
    ],
)
def test_names_other_scripts_opening_quotes_and_plurals_are_left_alone(text: str):
    assert space(text, "fr" if "Soona" in text or "gourou" in text else "en") == text


def test_a_closing_quote_or_parenthesis_glued_to_a_word_gets_its_space():
    assert space('he said "yes"and left') == 'he said "yes" and left'
    assert space("a coffee grinder (blender)make a fine powder") == "a coffee grinder (blender) make a fine powder"


def test_a_sentence_in_another_language_keeps_its_words():
    """A German sentence on a page taken for English: "hielt" is no "hi elt", "wichtig" no "wich tig"."""
    german = "Am 3. Mai hielt die Bürgermeisterin eine Rede, die für die Stadt wichtig war."
    assert space(german, "en") == german
    assert space("I have so much todo before the weekend starts.") == "I have so much to do before the weekend starts."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("la normalisation des rapports intercoréens avance", "fr"),
        ("the postpandemic economy grew slowly", "en"),
        ("a megadonor of the party", "en"),
        ("una campaña antivacuna en las redes", "es"),
        ("o supermercadinho da esquina", "pt"),
    ],
)
def test_a_prefixed_word_is_not_cut_after_its_prefix(text: str, language: str):
    assert space(text, language) == text


def test_a_prefix_glued_to_a_function_word_is_split():
    assert space("the lorry rolled overthe bridge at dawn") == "the lorry rolled over the bridge at dawn"


def test_a_token_that_recurs_in_the_document_is_a_word():
    text = "The brand Silverwing sells thesilver paint; thesilver line is new."
    assert space(text) == text


def test_counters():
    doc = STEP.apply(Document(id="x", text="word.Then thesilver", source="x"))
    assert doc.stats == {"spacing_punctuation": 1, "spacing_glued": 1}


def test_glued_splitting_can_be_turned_off():
    step = Spacing(SpacingConfig(split_glued_words=False))
    assert step.apply(Document(id="x", text="behind thesilver car.The end", source="x")).text == (
        "behind thesilver car. The end"
    )


def test_a_split_whose_part_would_be_split_again_is_not_made():
    """ "initely" (a word cut by a splice) was "init ely", and the next cleaning made it "in it ely" (found by
    bench/fuzz.py --atheris): a part must be a word the step leaves alone."""
    text = "Enhanced coordination between the stakeholders initely dealt a blow."
    assert space(text) == text
    assert (
        space("He said thegreen car was parked overthe bridge.") == "He said the green car was parked over the bridge."
    )


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_spacing_never_raises_and_is_idempotent(text: str):
    once = space(text)
    assert space(once) == once


def test_remembered_splits_change_no_result(monkeypatch: pytest.MonkeyPatch):
    texts = [
        "He said thegreen car was parked overthe bridge.",
        "The talks in Afghanistana week ago ended without a deal.",
        "Khalilzad met the delegation; thegreen party objected.",
        "A page without any glued word at all, about the budget.",
    ]
    step = Spacing()
    remembered = [step.apply(Document(id="x", text=t, source="x", metadata={"language": "en"})).text for t in texts * 2]
    monkeypatch.setattr(glued_words, "SPLIT_CACHE_SIZE", 1)  # forgets before every new token
    forgetful = Spacing()
    fresh = [forgetful.apply(Document(id="x", text=t, source="x", metadata={"language": "en"})).text for t in texts * 2]
    assert remembered == fresh
    assert remembered[0] == "He said the green car was parked over the bridge."
    assert remembered[:4] == remembered[4:]


def test_each_space_put_back_is_recorded_where_it_was_made():
    """The edits table's rows, in the order the step made them: each at its place in the text as the ones before
    it left it."""
    text = "They got concessions.The ISI left.\nKhalilzad’s pleathat former leaders knew.The end"
    doc = STEP.apply(Document(id="x", text=text, source="x", metadata={"language": "en"}))
    assert [(e.kind, e.line_no, e.column, e.before, e.after) for e in doc.edits] == [
        ("punctuation", 1, 9, "concessions.The", "concessions. The"),
        ("punctuation", 2, 36, "knew.The", "knew. The"),
        ("glued", 2, 12, "pleathat", "plea that"),
    ]
    assert replay(text, doc.edits) == doc.text
    assert STEP.apply(Document(id="x", text=doc.text, source="x", metadata={"language": "en"})).edits == []


WORDS = ["the", "leaders", "concessions.The", "pleathat", "thegreen", "games”is", "Afghanistana", "U.S.", "x.com"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", "\n", "  "])), max_size=30))
def test_the_recorded_spaces_replay_the_spacing(words: list[tuple[str, str]]):
    text = "".join(word + gap for word, gap in words)
    doc = STEP.apply(Document(id="x", text=text, source="x", metadata={"language": "en"}))
    assert replay(text, doc.edits) == doc.text


def test_a_sentence_glued_to_a_name_is_repaired_only_on_a_page_that_lost_other_sentences_spaces():
    """A lone "harbour.Dolphin Bay" is as likely the writer's slip (or a name written with a dot) as a lost space;
    a page that lost the space after another sentence too shows damage of that kind."""
    alone = "We met at the harbour.Dolphin Bay was quiet that day, and the boats were in."
    assert space(alone) == alone
    assert space("We met at the harbour.Dolphin Bay was quiet.Then we left.") == (
        "We met at the harbour. Dolphin Bay was quiet. Then we left."
    )
    # a common word is capitalised because a sentence starts with it: a lone glue before it is repaired
    assert space("We met at the harbour.Then we left.") == "We met at the harbour. Then we left."


def test_a_misspelling_is_not_split_unless_the_split_is_likelier():
    """ "andwe" is one letter away from "andre" (Zipf 3.9), but "and we" is likelier (4.3); "detailled" stays a
    misspelling."""
    assert space("the team met, andwe talked for hours") == "the team met, and we talked for hours"
    assert space("He wrote a detailled report.") == "He wrote a detailled report."


def test_misspellings_are_looked_up_only_for_a_token_with_a_split(monkeypatch: pytest.MonkeyPatch):
    """The search for a word one edit away (about 0.3 ms a token) is made only once a split is in view: an unknown
    name that splits nowhere ("Khalilzad") costs none."""
    asked = []
    near = glued_words._near_known_word
    monkeypatch.setattr(glued_words, "_near_known_word", lambda token, *args: asked.append(token) or near(token, *args))
    step = Spacing()
    text = "Zalmay Khalilzad met Qwzrtplk in Doha."
    assert step.apply(Document(id="x", text=text, source="x", metadata={"language": "en"})).text == text
    assert asked == []
    assert step.apply(Document(id="y", text="He wrote a detailled report.", source="y")).text.count("detailled")
    assert asked == ["detailled"]


def test_a_closing_mark_glued_to_a_hyphenated_word_gets_its_space():
    assert space("He wore his “I Voted”T-shirt to work") == "He wore his “I Voted” T-shirt to work"
    assert space("send the form,e-mail it back") == "send the form, e-mail it back"


def test_a_language_can_have_glued_words_split_only_where_a_capital_marks_the_cut(monkeypatch: pytest.MonkeyPatch):
    """French is split only at a capital ("FranceLes", menu items run together): its lowercase splits ("regardaitle")
    rest on word frequencies alone, whose rate of right splits was measured on English pages only."""
    text = "Il regardaitle match hier soir."
    assert space(text, "fr") == text
    assert space("Accueil Actualités FranceLes régions", "fr") == "Accueil Actualités France Les régions"
    rules = {"fr": spacing.language_rules()["fr"]._replace(glued_at_capitals_only=False)}
    monkeypatch.setattr(spacing, "language_rules", lambda: rules)
    doc = Spacing().apply(Document(id="x", text=text, source="x", metadata={"language": "fr"}))
    assert doc.text == "Il regardait le match hier soir."


@pytest.mark.parametrize(
    "text",
    [
        "Use `typing.Union` or ``pathlib.Path`` here.",  # backticks: code
        "It raises types.MappingProxyType errors and reads sts:AssumeRole too.",  # a camel-case identifier
        "Call requests.Request(url) then conn.Object(name, key) again.",  # a call
        "pip install datasets[torch,jax] with the codes fr,it,tr set",  # brackets, a list without spaces
        "Install `setuptools` and write a *hashable* key.",  # a name in backticks or asterisks
        "Use aclose() when done, then init() and init again.",  # a function, and a word the text repeats
        "See https://img.example/badge.svg?logo=python&labelColor=white for it.",  # an address's query
    ],
)
def test_code_in_prose_is_left_alone(text: str):
    assert space(text) == text


def test_a_name_beside_another_is_not_cut_before_a_short_function_word():
    text = "Thanks to Florian Bruhin, and to the paper by Lee, E. L., Orwant, J. and others."
    assert space(text) == text
    # a menu's run of capitalised items glued to a longer word is glue
    assert space("Terms of Use Privacy Policythis link opens in a new tab") == (
        "Terms of Use Privacy Policy this link opens in a new tab"
    )
