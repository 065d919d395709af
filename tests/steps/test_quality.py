from __future__ import annotations

from cleaner.document import Document, Reject
from cleaner.steps.quality import Quality, QualityConfig, signals

PROSE = "The council approved the budget on Tuesday.\nIt will add teachers and keep taxes flat."
LIST = "• Buy now\n• Buy now\n• Free shipping\n#deal #sale #cheap"


def test_signals_of_prose_and_of_a_list():
    prose, junk = signals(PROSE), signals(LIST)
    assert prose["terminal_punct_share"] == 1.0 and junk["terminal_punct_share"] == 0.0
    assert prose["stopword_share"] > 0.3 > junk["stopword_share"]
    assert junk["duplicate_line_share"] == 0.5 and prose["duplicate_line_share"] == 0.0
    assert junk["bullet_line_share"] == 0.75
    assert junk["symbol_word_ratio"] > 0.2
    assert signals("") == dict.fromkeys(signals(PROSE), 0.0)


def test_signals_are_columns_and_filters_are_off_by_default():
    doc = Quality().apply(Document(id="x", text=LIST, source="x"))
    assert isinstance(doc, Document) and doc.metadata["bullet_line_share"] == 0.75


def test_configured_filter_rejects_with_the_rule_name():
    result = Quality(QualityConfig(max_bullet_line_share=0.5)).apply(Document(id="x", text=LIST, source="x"))
    assert isinstance(result, Reject)
    assert result.reason == "quality.bullet_line_share"
    assert result.detail == "bullet_line_share=0.75 beyond max 0.5"
