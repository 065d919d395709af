from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from cleaner import language_id
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


def test_the_model_from_the_cache_is_py3langids(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path))
    first = language_id._vectorised_model()  # decompressed, and stored
    assert len(list(tmp_path.iterdir())) == 1

    def no_decompressing(data):
        raise AssertionError("the cached copy should have been read")

    monkeypatch.setattr(language_id.lzma, "decompress", no_decompressing)
    second = language_id._vectorised_model()
    ref = reference()
    for model in (first, second):
        assert np.array_equal(model.nb_ptc, ref.nb_ptc) and np.array_equal(model.nb_pc, ref.nb_pc)
        assert model.nb_classes == ref.nb_classes and model.tk_output == ref.tk_output
        assert model._rowbase == ref._rowbase and list(model.tk_nextmove) == list(ref.tk_nextmove)
        assert model._depth == VectorisedIdentifier.from_model_file(MODEL_FILE, norm_probs=True)._depth
        for text in SENTENCES:
            assert model.classify(text) == ref.classify(text)


def test_a_damaged_cached_model_is_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path))
    language_id._vectorised_model()
    [copy] = tmp_path.iterdir()
    copy.write_bytes(b"not a zip file")
    with pytest.raises(language_id.UNREADABLE):  # py3langid_model() then loads py3langid's own way
        language_id._vectorised_model()
    assert not copy.exists()
    assert language_id._vectorised_model().classify(ARTICLE) == reference().classify(ARTICLE)


def test_half_conversion_is_exact_for_every_negative_normal_float16():
    bits = np.arange(0x8400, 0xFC00, dtype=np.uint16)  # sign set, exponent 1..30: all negative normal numbers
    assert _negative_normal(bits.view(np.float16))
    assert np.array_equal(_negative_half_to_single(bits), bits.view(np.float16).astype(np.float32))


@pytest.mark.parametrize("value", [0.0, -0.0, 1.0, -np.inf, np.nan, -1e-7])
def test_other_float16_values_are_refused(value: float):
    assert not _negative_normal(np.array([-1.0, value], dtype=np.float16))


def test_negative_normal_is_decided_for_every_float16_alone():
    for bits in range(1 << 16):
        value = np.array([bits], dtype=np.uint16).view(np.float16)
        expected = bool(value[0] < 0) and np.isfinite(value[0]) and abs(float(value[0])) >= 2.0**-14
        assert _negative_normal(value) == expected, hex(bits)


def test_detectors_name_the_language():
    for detect in DETECTORS.values():
        assert detect(ARTICLE_DE)[0] == "de"
