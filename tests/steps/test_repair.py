from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cleaner.document import Document, Reject
from cleaner.steps.repair import Repair, RepairConfig
from tests.test_document import replay

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


def test_a_flattened_byte_a0_is_put_back_where_ftfy_does_not():
    """UTF-8 read as cp1252, then its no-break spaces (byte A0) flattened to spaces: ftfy restores the byte after a
    few lead bytes only, and reads "Ã " as "à" and a space even before punctuation."""
    import ftfy.bad_codecs  # registers "sloppy-windows-1252"

    def damage(text: str) -> str:
        return text.encode("utf-8").decode("sloppy-windows-1252").replace("\u00a0", " ")

    french = "Il était inexistant à ce moment-là. À cause de ces soutiens, la città, déjà."
    assert repair(damage(french)) == french  # not "moment-là ." nor "città ,"
    chinese = "桃江竹凉席销售额占全国线上销售额60%以上，核心是信任关系。"  # 占 is E5 8D A0, 核 E6 A0 B8
    assert " " in damage(chinese)
    assert repair(damage(chinese)) == chinese
    italian = "Chiunque ha il diritto alla libertà di opinione, c'est-à-dire prêt-à-porter."
    assert repair(damage(italian)) == italian  # "à" its only accent: no mojibake pair, yet damaged
    for text in ("News #Windows10\u00a0@chabermu", "ambito.com.ar //\u00a0 +54 9 11", "fin.\u00a0"):
        assert repair(damage(text)) == text  # "Â" after a digit or a mark, before a space or the end
    # A lone pair in Latin text is no Chinese character: left as ftfy leaves it.
    swedish = "Vi ses på“ sen"
    assert repair(swedish) == ftfy.fix_text(swedish, ftfy.TextFixerConfig(uncurl_quotes=False))


def test_decomposed_mojibake_is_repaired_at_once():
    """Normalising only after ftfy composed new mojibake ("e" + combining accent + C1 controls is "é\x80\x80",
    UTF-8 of 退) that the next cleaning repaired (found by tests/steps/test_fuzz)."""
    assert repair("e\u0301\x80\x80") == "退" == repair("退")
    assert repair("A\u0303© x") == "é x"


def test_control_characters_and_c1():
    assert repair("Tab\tstays, bell\x07 goes, C1 \x85 too") == "Tab\tstays, bell goes, C1 … too"


@pytest.mark.parametrize("char", ["\u206a", "\u206f", "\ufff9", "\ufffc"])
def test_format_characters_ftfy_removes_go_from_an_otherwise_clean_line(char: str):
    """The gate must send such a line to ftfy: the pipeline removes what ftfy alone removes."""
    import ftfy

    line = f"Ein sauberer Satz{char} ohne Schaden."
    assert repair(line) == ftfy.fix_text(line) == "Ein sauberer Satz ohne Schaden."


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
@given(
    st.text(
        alphabet=st.characters(
            codec="utf-8",
            exclude_categories=["Cc", "Cs", "Co", "Cn"],
            exclude_characters="\u206a\u206b\u206c\u206d\u206e\u206f\ufff9\ufffa\ufffb\ufffc",  # ftfy removes
        )
    )
)
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


def test_text_the_repair_left_as_it_was_is_asked_for_its_normalisation_once(monkeypatch: pytest.MonkeyPatch):
    """The normalisation after the repair is for what ftfy decoded (or a lost character dropped): text neither
    touched is known to be NFC already, and a page is not scanned for it twice."""
    asked = []
    check = unicodedata.is_normalized
    monkeypatch.setattr(unicodedata, "is_normalized", lambda form, text: asked.append(text) or check(form, text))
    assert STEP.apply(Document(id="x", text="Die Grün-Partei für München", source="x")).metadata == {}
    assert len(asked) == 1
    doc = STEP.apply(Document(id="y", text="Die GrÃ¼n-Partei fu\u0308r MÃ¼nchen", source="y"))
    assert doc.text == "Die Grün-Partei für München"
    assert len(asked) == 3  # before and after the repair


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


def test_a_byte_lost_in_mis_decoding_is_put_back_where_one_candidate_fits():
    """UTF-8 read as cp1252, errors replaced: the bytes cp1252 lacks (0x81, 0x8D, 0x8F, 0x90, 0x9D) became U+FFFD."""
    original = "Autorzy: Łukasz Adamski i Dorota Łosiewicz. “I put lipstick on a pig,” he told. Árbitro: русский"
    damaged = original.encode("utf-8").decode("cp1252", errors="replace")
    assert "\ufffd" in damaged
    assert repair(damaged) == original
    assert repair(damaged, Repair(RepairConfig(restore_lost_bytes=False))).count("\ufffd") == 6


def test_a_lost_character_no_candidate_fills_is_dropped_and_a_page_that_lost_many_is_rejected():
    prose = "Er sagte, das sei nicht der Fall, und ging nach Hause. " * 10
    doc = STEP.apply(Document(id="x", text=prose + "Bis bald \ufffd.", source="x"))
    assert isinstance(doc, Document)
    assert doc.text == prose + "Bis bald ." and doc.stats == {"repair_lost_dropped": 1}
    kept = Repair(RepairConfig(drop_lost=False)).apply(Document(id="x", text=prose + "Bis \ufffd.", source="x"))
    assert kept.text == prose + "Bis \ufffd."
    chinese = "益阳还引进各大电商等入驻村级便民服务点，构建互联网加农产品直销基地模式，不错。" * 3
    damaged = chinese.encode().decode("cp1252", errors="replace")  # one byte in six or so is lost
    rejected = STEP.apply(Document(id="x", text=damaged, source="x"))
    assert isinstance(rejected, Reject) and rejected.reason == "repair.unrecoverable"


def test_each_repair_is_recorded_where_it_was_made():
    """The edits table's rows: the damaged words, their repair and the fix, at their line and column."""
    text = (
        "Le cafÃ© est ouvert\n\nIl a dit: â€œdonâ€™t panicâ€\x9d, puis il est parti.\nClean line\n"
        "x \x1b[31mred\x1b[0m alert\nCafe\u0301 noir"
    )
    doc = STEP.apply(Document(id="x", text=text, source="x"))
    assert [(e.step, e.kind, e.line_no, e.column, e.before, e.after) for e in doc.edits] == [
        ("repair", "normalize_nfc", 6, 0, "Cafe\u0301", "Caf\u00e9"),  # normalised first (see Repair.apply)
        ("repair", "mojibake", 1, 3, "cafÃ©", "café"),
        ("repair", "mojibake", 3, 10, "â€œdonâ€™t panicâ€\x9d,", "“don’t panic”,"),
        ("repair", "remove_terminal_escapes", 5, 2, "\x1b[31mred\x1b[0m", "red"),
    ]
    assert replay(text, doc.edits) == doc.text
    assert STEP.apply(Document(id="x", text="Clean text, café.", source="x")).edits == []


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_the_recorded_repairs_replay_the_repair(text: str):
    import ftfy.bad_codecs  # noqa: F401

    damaged = text.encode("utf-8", "surrogatepass").decode("sloppy-windows-1252")
    doc = STEP.apply(Document(id="x", text=damaged, source="x"))
    assume(isinstance(doc, Document))  # a text that lost too much to mis-decoding is rejected, not repaired
    assert replay(damaged, doc.edits) == doc.text


# Text that mojibake is made of: accents, quotes and dashes, the letters whose second byte cp1252 lacks (Ł, Á, Í, Ð,
# Ý, ”), a no-break space, a control character, Cyrillic and Chinese.
CHARACTERS = list("ab cd\nÉéüßçñ’“”–—…ŁłÁÍÏÐÝ\u00a0\x07\x1bрсуБ益阳中.,")
DAMAGEABLE = st.text(alphabet=st.sampled_from(CHARACTERS), max_size=60)


def _damaged(draw_text: str, how: int) -> str:
    """``draw_text`` as one of: itself, UTF-8 read as sloppy cp1252 (once, or twice), read as cp1252 with the bytes
    it lacks replaced (U+FFFD), read as Latin-1."""
    import ftfy.bad_codecs  # noqa: F401

    data = draw_text.encode("utf-8")
    return [
        draw_text,
        data.decode("sloppy-windows-1252"),
        data.decode("sloppy-windows-1252").encode("utf-8").decode("sloppy-windows-1252"),
        data.decode("cp1252", errors="replace"),
        data.decode("latin-1"),
    ][how]


@settings(max_examples=400, deadline=None)
@given(DAMAGEABLE, st.integers(0, 4), st.booleans())
def test_a_line_is_fixed_exactly_as_ftfy_fixes_it(text: str, how: int, cosmetic: bool):
    """The repair of a line skips ftfy's last round only where that round changes nothing: the text and the steps
    (each once, in the order of first use) are fix_and_explain's, whatever the damage (and with a cosmetic fix on,
    when it is fix_and_explain itself)."""
    import ftfy

    from cleaner.steps.ftfy_line import fix_line

    step = Repair(RepairConfig(uncurl_quotes=cosmetic))
    for line in _damaged(text, how).split("\n"):
        fixed, explanation = ftfy.fix_and_explain(line, step.fixer)
        assert fix_line(line, step.fixer) == (fixed, tuple(dict.fromkeys(explanation)))


def test_the_fixes_after_the_encoding_change_only_lines_with_a_character_the_shortcut_looks_for():
    """fix_line takes a line without any of those characters as left alone by the fixes after the encoding's,
    without running them: every character of the Basic Multilingual Plane and the tags, alone and as the start of a
    terminal code, either is looked for or changes nothing."""
    from cleaner.steps.ftfy_line import _after_encoding, _after_encoding_acts_on

    fixes = _after_encoding(Repair().fixer)
    acts_on = _after_encoding_acts_on()
    assert len(fixes) == 4
    for code in [*range(0x10000), *range(0xE0000, 0xE0080)]:
        line = f"a{chr(code)}[1;31mb"
        if acts_on(line) is None:
            assert all(fix(line) == line for fix in fixes), hex(code)
    assert all(acts_on(f"a{char}b") for char in "\x1b\x85\ud83d\ufeff\x00")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(DAMAGEABLE, st.integers(0, 4)), max_size=6), st.booleans())
def test_the_lines_asked_are_exactly_those_the_gate_flags(parts: list[tuple[str, int]], cosmetic: bool):
    """One scan of the page finds the lines worth asking; none that the line gate would flag is passed over."""
    text = "\n".join(_damaged(part, how) for part, how in parts)
    step = Repair(RepairConfig(fix_latin_ligatures=cosmetic))
    lines, flagged = step._flagged_lines(text)
    expected = [index for index, line in enumerate(text.split("\n")) if step.needs_repair(line)]
    assert flagged == expected
    assert not flagged or lines == text.split("\n")


def test_a_recurring_line_is_repaired_once():
    line = "Ãœber uns â€“ DatenschutzerklÃ¤rung â€“ PolÃ\xadtica"
    step = Repair()
    calls = []
    repair_line = step._repair_line
    step._repair_line = lambda text: calls.append(text) or repair_line(text)
    docs = [step.apply(Document(id=f"d{n}", text=f"Page {n}\n{line}", source="x")) for n in range(3)]
    assert calls == [line]
    assert {doc.text.split("\n")[1] for doc in docs} == {"Über uns – Datenschutzerklärung – Política"}
    rows = [[(e.line_no, e.column, e.before, e.after, e.kind) for e in doc.edits] for doc in docs]
    fresh = Document(id="r", text="", source="r")  # the rows worked out anew from the two lines
    fresh.record_line_edit("repair", "mojibake", 2, line, docs[0].text.split("\n")[1])
    assert rows[0] == rows[1] == rows[2] == [(e.line_no, e.column, e.before, e.after, e.kind) for e in fresh.edits]
