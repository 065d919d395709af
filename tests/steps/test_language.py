from __future__ import annotations

import pytest

from cleaner.document import Document
from cleaner.steps.language import Language, LanguageConfig, sample

TEXTS = {
    "en": "The city council approved the new budget on Tuesday after a long debate about school funding.",
    "de": "Der Stadtrat hat am Dienstag nach langer Debatte über die Schulen den Haushalt beschlossen.",
    "es": "El ayuntamiento aprobó el martes el nuevo presupuesto tras un largo debate sobre la financiación escolar.",
    "fr": "Le conseil municipal a adopté mardi le nouveau budget après un long débat sur le financement des écoles.",
    "pl": "Rada miasta przyjęła we wtorek nowy budżet po długiej debacie na temat finansowania szkół.",
}


@pytest.mark.parametrize("detector", ["py3langid", "langdetect"])
@pytest.mark.parametrize("language", sorted(TEXTS))
def test_languages(detector: str, language: str):
    step = Language(LanguageConfig(detector=detector))
    doc = step.apply(Document(id="x", text=TEXTS[language] * 2, source="x"))
    assert doc.metadata["language"] == language
    assert 0.5 <= doc.metadata["language_score"] <= 1.0


def test_too_short_is_undetermined():
    doc = Language().apply(Document(id="x", text="Home | News | 12:30", source="x"))
    assert doc.metadata == {"language": "und", "language_score": 0.0}


def test_langdetect_is_deterministic():
    step = Language(LanguageConfig(detector="langdetect"))
    text = "Ok, das ist mixed: some English words und ein paar deutsche Wörter in einem kurzen Satz."
    results = {tuple(step.apply(Document(id="x", text=text, source="x")).metadata.items()) for _ in range(5)}
    assert len(results) == 1


def test_the_sample_is_the_longest_lines_and_bounded():
    menu = ["Home", "News", "Sport", "Kontakt"] * 50
    prose = "The council met on Tuesday to discuss the new budget for the city's schools and buses."
    piece = sample("\n".join([*menu, prose, "Share"]), 100)
    assert piece.startswith(prose)  # the prose first, not the menus around it
    one_line = "word " * 10_000  # a page whose prose is one huge line still gives a bounded sample
    assert 50 < len(sample(one_line, 100)) <= 100
    assert len(sample("\n".join([one_line, one_line]), 100)) < 200
    assert sample("short text", 100) == "short text"


def test_the_language_step_reuses_the_boilerplate_steps_identification(monkeypatch):
    from cleaner import language_id
    from cleaner.steps.boilerplate import Boilerplate

    paragraphs = [f"{TEXTS['de']} Im Jahr {year} waren es noch deutlich weniger Lehrer." for year in (2019, 2020, 2021)]
    text = "\n".join(["Startseite", "Politik", *paragraphs, "Teilen"])
    doc = Boilerplate().apply(Document(id="x", text=text, source="x"))

    def not_asked():
        raise AssertionError("the boilerplate step's verdict on the same sample should have been remembered")

    monkeypatch.setattr(language_id, "py3langid_model", not_asked)
    assert Language().apply(doc).metadata["language"] == "de"
