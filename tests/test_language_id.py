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
    detect_py3langid,
    detect_py3langid_many,
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


# Texts walked together: besides the sentences, ones that end in a lone surrogate (py3langid's decoding of bytes
# would trim it: classify_many must hand classify the texts, not their bytes), that are upper case (lowered before
# the walk), and that begin or end with the bytes the padding between texts is made of.
BATCH = [
    *SENTENCES,
    "Das ist ein Satz über die Stadt und ihre Schulen.\ud800",
    "THE CITY COUNCIL APPROVED THE NEW BUDGET ON TUESDAY",
    "\x00\x01 start and end \x7f",
]


def test_texts_walked_together_have_the_features_of_each_walked_alone():
    model = py3langid_model()
    encoded = [model._encode(text) for text in BATCH]
    alone = [model._walk(text) for text in encoded]
    for width in (None, 1, 2, 3, 7, 32, 1000):
        together = model._walk_many(encoded, width)
        assert all(np.array_equal(a, b) for a, b in zip(alone, together, strict=True)), width
    assert [len(found) for found in model._walk_many([b"", b""])] == [0, 0]


def test_classify_many_gives_each_texts_classify():
    model = py3langid_model()
    assert model.classify_many(BATCH) == [reference().classify(text) for text in BATCH]
    assert model.classify_many(BATCH[:1]) == [reference().classify(BATCH[0])]
    assert model.classify_many([]) == []


def test_classify_many_scores_the_features_it_walked_together(monkeypatch):
    # Each text is scored from the batch's walk, handed along in the call (no text is walked again alone).
    model = py3langid_model()
    monkeypatch.setattr(VectorisedIdentifier, "_walk", lambda self, text: pytest.fail("walked alone"))
    assert model.classify_many(BATCH) == [reference().classify(text) for text in BATCH]


def test_classify_many_without_a_padding_byte_classifies_one_by_one(monkeypatch):
    model = py3langid_model()
    monkeypatch.setattr(model, "_pad", None)
    walked = []
    monkeypatch.setattr(VectorisedIdentifier, "_walk_many", lambda self, texts, width=None: walked.append(texts))
    assert model.classify_many(BATCH) == [reference().classify(text) for text in BATCH]
    assert walked == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=()), max_size=120), max_size=12))
def test_classify_many_agrees_on_any_texts(texts: list[str]):
    assert py3langid_model().classify_many(texts) == [reference().classify(text) for text in texts]


def test_verdicts_are_remembered_and_only_the_new_texts_identified(monkeypatch):
    asked: list[list[str]] = []
    classify_many = VectorisedIdentifier.classify_many
    monkeypatch.setattr(
        VectorisedIdentifier, "classify_many", lambda self, texts: asked.append(texts) or classify_many(self, texts)
    )
    monkeypatch.setattr(language_id, "REMEMBERED", 3)
    first, second, third, fourth = (f"{text} ({number})" for number, text in enumerate(SENTENCES[:4]))
    expected = [reference().classify(text) for text in (first, second, third, fourth)]
    assert detect_py3langid_many([first, second, first]) == [expected[0], expected[1], expected[0]]
    assert detect_py3langid(second) == expected[1]  # remembered: not asked again
    assert detect_py3langid_many([third, first, fourth]) == [expected[2], expected[0], expected[3]]
    assert asked == [[first, second], [third, fourth]]
    assert list(language_id._remembered()) == [first, third, fourth]  # the least recently asked one went
    assert all(isinstance(score, float) for _, score in language_id._remembered().values())


def test_py3langids_own_identifier_identifies_the_new_texts_one_by_one(monkeypatch):
    monkeypatch.setattr(language_id, "py3langid_model", reference)  # a model file of another layout
    texts = [f"{text} (own identifier)" for text in SENTENCES[:3]]
    assert detect_py3langid_many(texts) == [reference().classify(text) for text in texts]


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
