from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from wordfreq import get_frequency_dict, zipf_frequency

from cleaner import wordfreqs
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


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    wordfreqs._table.cache_clear()
    yield tmp_path / "cache"
    wordfreqs._table.cache_clear()


def test_a_table_is_derived_cold_then_loaded_warm(folder: Path, monkeypatch: pytest.MonkeyPatch):
    cold = zipf_table("de", "small")
    assert cold == wordfreqs._derived("de", "small")
    assert [p.name.split("-")[:3] for p in folder.iterdir()] == [["wordfreq", "small", "de"]]
    wordfreqs._table.cache_clear()
    monkeypatch.setattr(wordfreqs, "_derived", lambda *_: pytest.fail("derived again"))
    warm = zipf_table("de", "small")
    assert warm == cold and list(warm) == list(cold)


def test_a_changed_source_file_is_never_met_by_the_older_copy(folder: Path, monkeypatch: pytest.MonkeyPatch):
    source = folder.parent / "small_en.msgpack.gz"
    source.write_bytes(b"list")
    monkeypatch.setattr(wordfreqs, "_source", lambda *_: source)
    monkeypatch.setattr(wordfreqs, "_derived", lambda *_: {"old": 1.0})
    assert zipf_table("en", "small") == {"old": 1.0}
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000_000_000))
    wordfreqs._table.cache_clear()
    monkeypatch.setattr(wordfreqs, "_derived", lambda *_: {"new": 2.0})
    assert zipf_table("en", "small") == {"new": 2.0}
    assert len(list(folder.iterdir())) == 1  # the older copy removed


def test_the_source_is_the_file_wordfreq_reads(folder: Path):
    from wordfreq import available_languages

    assert str(wordfreqs._source("en", "best")) == available_languages("best")["en"]
    assert str(wordfreqs._source("en", "small")) == available_languages("small")["en"]
    assert wordfreqs._source("pt-BR", "best") is None  # matched by wordfreq to another code: not cached
    assert zipf_table("pt-BR", "small") == zipf_table("pt", "small")


def test_has_language_is_membership_of_wordfreqs_codes():
    from wordfreq import available_languages

    codes = available_languages("best")
    assert all(has_language(code) for code in codes)
    for other in ("pt-BR", "EN", "", "eng", "chinese", "_chinese"):
        assert has_language(other) == (other in codes), other
