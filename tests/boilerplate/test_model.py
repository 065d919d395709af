import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.boilerplate.model import (
    FEATURES,
    Layout,
    furniture_automaton,
    furniture_counts,
    furniture_vocabulary,
    load_model,
    parse_model,
)
from cleaner.boilerplate.page import read_pages
from cleaner.steps.boilerplate import Boilerplate, BoilerplateConfig

ARTICLE = [
    "Der Stadtrat hat am Dienstag nach einer langen Debatte über die Finanzierung der Schulen den neuen Haushalt "
    "beschlossen, und die Abstimmung fiel knapper aus, als es viele Mitglieder erwartet hatten.",
    "Die Mitglieder des Rates erklärten, der Plan sehe in den nächsten drei Jahren zweihundert zusätzliche "
    "Lehrerinnen und Lehrer vor, während die Grundsteuer für die meisten Haushalte gleich bleibe.",
    "Kritiker hielten dem entgegen, dass der Haushalt auf sehr optimistischen Annahmen über die Einnahmen beruhe "
    "und dass die Verkehrsbetriebe nicht genug Geld für neue Busse bekämen, bevor der Winter beginne.",
]


def signals(page: list[str]):
    step = Boilerplate()
    found = step.signals(page)
    index, matrix, _ = step.model_input(found)
    return step, found, dict(zip(index, matrix.tolist(), strict=True))


def test_every_non_blank_line_gets_a_vector_of_every_feature():
    page = ["Startseite", "Politik", "", *ARTICLE, "", "Newsletter abonnieren"]
    _, _, vectors = signals(page)
    assert sorted(vectors) == [i for i, text in enumerate(page) if text]
    assert all(len(vector) == len(FEATURES) for vector in vectors.values())
    assert vectors[3][FEATURES.index("main_region")] == 1.0  # the article
    assert vectors[0][FEATURES.index("main_region")] == 0.0  # the menu


def test_the_packaged_model_keeps_prose_and_drops_a_sidebar_teaser():
    page = [
        "Startseite", "Politik", "Haushalt beschlossen", *ARTICLE,
        "Sidebar", "Neue Bibliothek eröffnet", "Weiterlesen",
        "Sturm schließt den Hafen", "Weiterlesen",
    ]  # fmt: skip
    step, found, vectors = signals(page)
    keep = {
        i: step.model.keep_probability(vector) >= step.model.needed(found.layout.region[i] > 0, False)
        for i, vector in vectors.items()
        if found.lines[i].reason is None
    }
    assert all(keep[i] for i in (3, 4, 5))
    # the teaser headlines ("Weiterlesen" lines go by rule; under a list heading such as "Das könnte Sie auch
    # interessieren" the headlines would go as teasers without asking the model)
    assert not keep[7] and not keep[9]


def test_a_model_trained_for_other_features_is_refused():
    record = {"features": ["log_words"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0.0}
    with pytest.raises(ValueError, match="retrain"):
        parse_model(record, "old.json")


def test_weights_fold_the_standardisation_in(tmp_path):
    n = len(FEATURES)
    record = {"features": list(FEATURES), "mean": [1.0] * n, "scale": [2.0] * n, "coef": [0.0] * n, "intercept": 0}
    record["coef"][0] = 4.0
    path = tmp_path / "model.json"
    path.write_text(json.dumps(record))
    model = load_model(str(path))
    vector = [3.0] + [0.0] * (n - 1)  # standardised: (3 - 1) / 2 = 1, so the logit is 4
    assert model.keep_probability(vector) == pytest.approx(1 / (1 + 2.718281828**-4), rel=1e-6)


def test_fixed_rule_decision_is_still_available():
    page = ["Startseite", "Impressum", *ARTICLE, "Impressum", "Datenschutz"]
    step = Boilerplate(BoilerplateConfig(decision="regions"))
    kept = [line.text for line in step.analyse(page) if line.reason is None]
    assert kept == ARTICLE
    with pytest.raises(ValueError, match="decision"):
        Boilerplate(BoilerplateConfig(decision="magic"))


def test_layout_marks_titles_above_the_region():
    page = ["Startseite", "Der Haushalt der Stadt ist beschlossen", "Teilen", "Facebook", *ARTICLE]
    _, found, _ = signals(page)
    assert isinstance(found.layout, Layout)
    assert found.layout.title[1] and not found.layout.title[4]
    assert found.layout.region[1] == 1 and found.layout.region[0] == 0


def test_furniture_vocabulary_is_counted_per_line():
    page = [*ARTICLE, "Abonnieren Sie jetzt unseren Newsletter und lesen Sie die Kommentare"]
    _, _, vectors = signals(page)
    furniture = FEATURES.index("furniture_words")
    assert vectors[3][furniture] == pytest.approx(math.log1p(3))  # abonnieren, newsletter, kommentare
    assert vectors[0][furniture] == 0.0


def furniture_searched(line: str) -> int:
    """The furniture words of a line as the automaton finds them in its text: matches neither preceded nor
    followed by a word character."""
    text, found = line.lower(), 0
    for end, length in furniture_automaton().iter(text):
        start = end - length + 1
        around = (text[start - 1] if start else " ") + (text[end + 1] if end + 1 < len(text) else " ")
        found += not any(char.isalnum() or char == "_" for char in around)
    return found


FURNITURE_LINES = [
    "Share this", "sign-in", "Sign-In | Log in", "pre-sign-in-now", "share-button", "within", "newsletter_x",
    "Abonnez-vous à la newsletter", "suivez-nous", "İNDİR Share", "e-mail it's ’tis Login", "", "  ", "a - b",
    "SHARE\u00adthis", "🎉 Newsletter 🎉", "Kommentare (3)", "Inscreva-se já-inscreva-se",
]  # fmt: skip


def test_furniture_words_read_from_the_words_are_those_found_in_the_text():
    pages = read_pages([FURNITURE_LINES, FURNITURE_LINES[::-1]], {}.get, 20, [None, None])
    expected = [furniture_searched(line) for line in [*FURNITURE_LINES, *FURNITURE_LINES[::-1]]]
    assert furniture_counts(pages).tolist() == expected
    # compounds among them ("sign-in", "abonnez-vous" and the "abonnez" in it, a word of "share-button")
    assert sum(expected) == 32


WORDS = st.sampled_from(sorted(furniture_vocabulary())) | st.text(st.sampled_from(list("ab-'’_ İé1")), max_size=6)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.lists(WORDS, max_size=6).map("".join) | st.lists(WORDS, max_size=6).map(" ".join), max_size=6))
def test_any_lines_furniture_words_are_those_found_in_the_text(lines):
    pages = read_pages([lines], {}.get, 20, [None])
    assert furniture_counts(pages).tolist() == [furniture_searched(line) for line in lines]


def test_topic_share_is_the_article_vocabulary_a_line_shares():
    # a line about the article's subject (Haushalt, Schulen, Lehrer) shares its words; a teaser for another
    # story, or the author's bio, does not; a line of the region does not count its own words
    on_topic = "Der Haushalt für die Schulen und die Lehrer wurde beschlossen."
    off_topic = "Zoo feiert Geburt eines Elefantenbabys im Frühling"
    page = [*ARTICLE, on_topic, "", off_topic]
    _, _, vectors = signals(page)
    topic = FEATURES.index("topic_share")
    assert vectors[3][topic] > 0.5
    assert vectors[5][topic] == 0.0
    assert 0.0 < vectors[0][topic] < 1.0  # "beschlossen" and "Haushalt" recur, "Dienstag" does not


def counts_one_by_one(text: str) -> list[int]:
    """What _character_counts finds in a line, character by character: letters, upper case, ASCII digits,
    separators, tokens (runs of anything but a space, tab, line break or no-break space), capitalised tokens."""
    import re

    from cleaner.boilerplate.model import NOT_LETTER

    def upper(char: str) -> bool:
        return char.lower()[0] != char

    tokens = [token for token in re.split("[ \t\n\xa0]+", text) if token]
    return [
        sum(NOT_LETTER.match(char) is None for char in text),
        sum(map(upper, text)),
        sum("0" <= char <= "9" for char in text),
        sum(char in "|»›·•>/–—" for char in text),
        len(tokens),
        sum(upper(token[0]) for token in tokens),
    ]


COUNTED = [
    "Übersicht | Politik » Wirtschaft › Kultur", "İstanbul İİ Σ ΣΑΣ. ὈΔΥΣΣΕΎΣ", "ǅx Titlecase ½ Ⅻ ٣ ²",
    "😀 Top 𝐁𝐫𝐞𝐚𝐤𝐢𝐧𝐠 stories 🎉", "a\u00a0B\tC  d\u2003E", "snake_case 12/34 — x", "x", "·•>/",
]  # fmt: skip


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\n"), min_size=1) | st.sampled_from(COUNTED)))
def test_character_counts_are_those_counted_one_by_one(texts):
    import cleaner.boilerplate.model as model

    found = np.stack(model._character_counts(texts), axis=1).reshape(len(texts), 6)
    assert found.tolist() == [counts_one_by_one(text) for text in texts]


def test_tricky_character_counts_are_those_counted_one_by_one():
    import cleaner.boilerplate.model as model

    for texts in (COUNTED, COUNTED[::-1], [COUNTED[1]], [COUNTED[3]]):
        found = np.stack(model._character_counts(texts), axis=1)
        assert found.tolist() == [counts_one_by_one(text) for text in texts]


def test_character_counts_by_table_are_those_of_the_regex_path(monkeypatch):
    import cleaner.boilerplate.model as model

    texts = [
        "Übersicht | Politik » Wirtschaft › Kultur",
        "Ça coûte 12,50 € — ½ Preis, Ⅻ Kapitel, ٣ أيام, snake_case und ²",
        "城市议会通过新预算 · ＮＥＷＳ ＷＥＢ",
        "Ελλάδα και Россия: ΑΒΓ / абв",
    ]
    by_table = model._character_counts(texts)
    first_line = [int(counts[0]) for counts in by_table]
    assert first_line == [32, 4, 0, 3, 7, 4]  # letters, upper case, digits, separators, tokens, capitalised
    monkeypatch.setattr(model, "BMP", 0)  # as for a text with emoji: the regex over the text itself
    by_regex = model._character_counts(texts)
    assert all(np.array_equal(a, b) for a, b in zip(by_table, by_regex, strict=True))
    emoji = model._character_counts(["Gut gemacht 👍 | Danke"])  # beyond the BMP: the regex path
    assert emoji[0].tolist() == [15] and emoji[3].tolist() == [1]


def test_upper_case_is_what_lower_casing_the_text_changes():
    """The table's upper-case bit says what lower-casing the whole text changes, also where a letter lowers by
    its neighbours (a final sigma) or into two code points ("İ")."""
    import cleaner.boilerplate.model as model

    texts = ["ΟΔΟΣ ΣΑΣ σας", "İstanbul İİ iI", "Straße STRASSE", "ǅemal ǆ Ǆ", "Ꭰꭰ 𐐀𐐨 Ａｚ"]
    for text in texts:
        lowered = [low if len(low := text.lower()) == len(text) else "".join(c.lower()[0] for c in text)][0]
        expected = sum(a != b for a, b in zip(text, lowered, strict=True))
        assert int(model._character_counts([text])[1][0]) == expected
    every = [chr(code) for code in range(0x20, 0xD800)]
    assert model._character_counts(every)[1].tolist() == [int(c.lower()[0] != c) for c in every]
