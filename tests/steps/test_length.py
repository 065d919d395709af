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
