from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from cleaner.language_id import (
    DETECTORS,
    VectorisedIdentifier,
    _negative_half_to_single,
    _negative_normal,
    py3langid_model,
)
from tests.conftest import ARTICLE, ARTICLE_DE

SENTENCES = [
    ARTICLE,
    ARTICLE_DE,
    "El ayuntamiento aprobó el martes el nuevo presupuesto tras un largo debate sobre la financiación escolar.",
    "Rada miasta przyjęła we wtorek nowy budżet po długiej debacie na temat finansowania szkół.",
    "Городской совет во вторник утвердил новый бюджет после долгих дебатов.",
    "市議会は火曜日、学校予算をめぐる長い議論の末に新しい予算を承認した。",
    "مجلس المدينة وافق يوم الثلاثاء على الميزانية الجديدة",
    "HOME | NEWS | SPORT | 12:30",
    "x",
    "",
    "😀 " * 30,
]


@lru_cache(maxsize=1)
def reference() -> LanguageIdentifier:
    """py3langid's own identifier, which walks its automaton byte by byte."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_the_default_model_is_vectorised():
    assert isinstance(py3langid_model(), VectorisedIdentifier)


@pytest.mark.parametrize("text", SENTENCES)
def test_vectorised_gives_py3langids_scores(text: str):
    assert np.array_equal(py3langid_model()._decide(text), reference()._decide(text))
    assert py3langid_model().classify(text) == reference().classify(text)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_vectorised_agrees_on_any_text(text: str):
    assert py3langid_model().classify(text) == reference().classify(text)


def test_half_conversion_is_exact_for_every_negative_normal_float16():
    bits = np.arange(0x8400, 0xFC00, dtype=np.uint16)  # sign set, exponent 1..30: all negative normal numbers
    assert _negative_normal(bits.view(np.float16))
    assert np.array_equal(_negative_half_to_single(bits), bits.view(np.float16).astype(np.float32))


@pytest.mark.parametrize("value", [0.0, -0.0, 1.0, -np.inf, np.nan, -1e-7])
def test_other_float16_values_are_refused(value: float):
    assert not _negative_normal(np.array([-1.0, value], dtype=np.float16))


def test_detectors_name_the_language():
    for detect in DETECTORS.values():
        assert detect(ARTICLE_DE)[0] == "de"
