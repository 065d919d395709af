from __future__ import annotations

import math

import pytest
from wordfreq import get_frequency_dict, zipf_frequency

from cleaner.wordfreqs import has_language, known, zipf, zipf_table


@pytest.mark.parametrize("language", ["en", "de", "pl"])
def test_zipf_is_wordfreqs_frequency_on_the_zipf_scale(language: str):
    frequencies = get_frequency_dict(language, wordlist="small")
    assert frequencies
    for word, frequency in frequencies.items():
        assert zipf(word, language, "small") == round(math.log10(frequency) + 9, 2), word
    assert zipf_table(language, "small").keys() == frequencies.keys()


def test_zipf_agrees_with_wordfreqs_own_lookup():
    for word in ("the", "council", "budget", "afghanistan", "khalilzad"):
        assert zipf(word, "en") == zipf_frequency(word, "en")


def test_unknown_words_and_languages():
    assert zipf("qzxqzxqzx", "en") == 0.0
    assert zipf("the", "xx-unknown") == 0.0
    assert zipf_table("xx-unknown") == {}
    assert not has_language("xx-unknown")
    assert sorted(known({"the", "qzxqzxqzx", "council"}, "en")) == ["council", "the"]
