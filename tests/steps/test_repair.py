from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Document
from cleaner.steps.repair import Repair, RepairConfig

STEP = Repair()


def repair(text: str, step: Repair = STEP) -> str:
    return step.apply(Document(id="x", text=text, source="x")).text


def test_mojibake_once_and_twice():
    import ftfy.bad_codecs  # noqa: F401 - registers "sloppy-windows-1252", how browsers decode cp1252

    original = "Zalmay Khalilzad’s “plea” – in Türkiye, café, naïve, 15 °C"
    once = original.encode("utf-8").decode("sloppy-windows-1252")
    twice = once.encode("utf-8").decode("sloppy-windows-1252")
    assert repair(once) == original
    assert repair(twice) == original
    latin1 = "Grüße aus Köln, sagte Müller".encode().decode("latin-1")
    assert repair(latin1) == "Grüße aus Köln, sagte Müller"


def test_lost_no_break_space_after_mis_decoding():
    assert repair("and in their personal lives. Â My hope is") == "and in their personal lives. \u00a0My hope is"
    assert repair("CHÂTEAU Â la carte") == "CHÂTEAU Â la carte" or "CHÂTEAU" in repair("CHÂTEAU Â la carte")


def test_mixed_document_is_repaired_line_by_line():
    good = "Die Bürger sind „zufrieden“, sagte sie."
    bad = "Die BÃ¼rger sind â€žzufriedenâ€œ, sagte sie."
    doc = STEP.apply(Document(id="x", text=f"{good}\n{bad}", source="x"))
    assert doc.text == f"{good}\n{good}"
    assert doc.stats == {"repair_lines_fixed": 1}
    assert "encode:sloppy-windows-1252" in doc.metadata["repairs"]


def test_mojibake_beside_a_no_break_space_or_soft_hyphen_is_repaired_at_once():
    """ftfy leaves a run alone when a no-break space or soft hyphen stands in it; the whitespace step flattens or
    removes them, and a second cleaning repaired the rest: now the first one does (found by tests/steps/test_fuzz)."""
    from cleaner.steps.whitespace import Whitespace

    cases = {
        "Preis:\u00a0Ã¼ber 10\u00a0â‚¬": "Preis:\u00a0über 10\u00a0€",
        "ÐŸÑ€Ð¸Ð²ÐµÑ‚\u00a0Ð¼Ð¸Ñ€": "Привет\u00a0мир",
        "x\u00adÂ\x80": "x\u00ad€",
        "voil\u00a0Ã\u00a0 x\u00a0Ã¼ber": "voil\u00a0à x\u00a0über",  # "Ã" and a no-break space are "à"
    }
    for damaged, repaired in cases.items():
        assert repair(damaged) == repaired
        flattened = Whitespace().apply(Document(id="x", text=repaired, source="x")).text
        assert repair(flattened) == flattened


def test_decomposed_mojibake_is_repaired_at_once():
    """Normalising only after ftfy composed new mojibake ("e" + combining accent + C1 controls is "é\x80\x80",
    UTF-8 of 退) that the next cleaning repaired (found by tests/steps/test_fuzz)."""
    assert repair("e\u0301\x80\x80") == "退" == repair("退")
    assert repair("A\u0303© x") == "é x"


def test_control_characters_and_c1():
    assert repair("Tab\tstays, bell\x07 goes, C1 \x85 too") == "Tab\tstays, bell goes, C1 … too"


def test_typography_is_kept_unless_configured():
    text = "“Quotes”, ﬁne ligatures, ＡＢＣ wide, and cafe\u0301 decomposed, &amp; literal"
    composed = text.replace("cafe\u0301", "caf\u00e9")  # NFC: the same text, one way of storing it
    assert repair(text) == composed
    assert repair(text, Repair(RepairConfig(normalization=""))) == text
    cosmetic = Repair(RepairConfig(uncurl_quotes=True, fix_latin_ligatures=True, normalization="NFC"))
    assert repair(text, cosmetic).startswith('"Quotes", fine ligatures')


def test_clean_text_is_untouched_and_not_counted():
    doc = STEP.apply(Document(id="x", text="Plain ASCII text.\nÜmlauts and “quotes” too.", source="x"))
    assert doc.stats == {} and "repairs" not in doc.metadata


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_repair_never_raises_and_is_idempotent(text: str):
    once = repair(text)
    assert repair(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Co", "Cn"])))
def test_text_without_damage_is_unchanged(text: str):
    """Apart from the NFC normalisation (canonically the same text), text that is not mojibake is left alone."""
    expected = unicodedata.normalize("NFC", text)
    if not STEP.needs_repair(text):
        assert repair(text) == expected
    else:  # flagged by the gate: ftfy must still leave text that is not mojibake alone
        from ftfy.badness import is_bad

        if not is_bad(text) and "Â " not in text:
            assert repair(text) == expected


def test_decomposed_text_is_composed_so_that_word_lists_find_it():
    doc = STEP.apply(Document(id="x", text="Die Gru\u0308n-Partei fu\u0308r Mu\u0308nchen", source="x"))
    assert doc.text == "Die Grün-Partei für München"
    assert doc.metadata["repairs"] == ["normalize:NFC"]
    assert STEP.apply(Document(id="y", text=doc.text, source="y")).metadata == {}  # already NFC: untouched


def test_an_unknown_normalisation_form_is_refused_when_the_step_is_built():
    with pytest.raises(ValueError, match=r"steps\.repair\.normalization"):
        Repair(RepairConfig(normalization="nfc"))


def test_a_line_repaired_again_gets_the_same_fix_and_record():
    import ftfy

    line = "SchÃ¶ne GrÃ¼ÃŸe aus MÃ¼nchen"
    step = Repair()
    first, second = (step.apply(Document(id=f"d{n}", text=f"Intro line\n{line}", source="x")) for n in range(2))
    assert first.text == second.text == "Intro line\nSchöne Grüße aus München"
    assert first.metadata["repairs"] == second.metadata["repairs"]
    fixed, explanation = ftfy.fix_and_explain(line, step.fixer)
    assert first.text.endswith(fixed)
    assert first.metadata["repairs"] == sorted({f"{action}:{parameter}" for action, parameter in explanation})
