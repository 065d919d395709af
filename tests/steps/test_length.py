from __future__ import annotations

from cleaner.document import Document, Reject
from cleaner.steps.length import Length, LengthConfig


def test_short_documents_are_rejected_with_the_rule_name():
    step = Length(LengthConfig(min_words=5))
    result = step.apply(Document(id="a", text="Page not found.", source="404.html"))
    assert isinstance(result, Reject)
    assert result.reason == "length.too_short"
    assert result.detail == "3 words, fewer than min_words=5"
    assert result.text == "Page not found."


def test_long_enough_and_too_long():
    text = "one two three four five six"
    assert Length(LengthConfig(min_words=5)).apply(Document(id="a", text=text, source="a")).text == text
    result = Length(LengthConfig(min_words=1, max_words=3)).apply(Document(id="a", text=text, source="a"))
    assert isinstance(result, Reject) and result.reason == "length.too_long"


def test_chinese_and_japanese_articles_are_long_enough():
    """Written without spaces, a Chinese paragraph is one whitespace "word": counted by characters instead."""
    chinese = (
        "城市议会周二通过了新的预算案，经过长时间的辩论，议员们最终就学校经费问题达成了一致意见。\n"
        "批评者认为，该预算依赖于过于乐观的收入预测。"
    )
    japanese = "市議会は火曜日、長い議論の末に新しい予算案を可決した。学校の予算が主な争点だった。"
    step = Length(LengthConfig(min_words=20))
    for text in (chinese, japanese):
        assert step.apply(Document(id="a", text=text, source="a")).text == text
    short = step.apply(Document(id="b", text="页面未找到", source="b"))
    assert isinstance(short, Reject) and short.detail == "5 words, fewer than min_words=20"
