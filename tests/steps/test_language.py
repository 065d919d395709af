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


def test_sample_is_bounded_and_from_the_middle():
    text = "start " * 1000 + "middle " * 10 + "end " * 1000
    piece = sample(text, 100)
    assert (len(piece) <= 100 and "middle" in piece) or "start" in piece
    assert sample("short text", 100) == "short text"
