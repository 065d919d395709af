from __future__ import annotations

from cleaner.document import Document, Pending, Reject, count_words


def test_words_are_whitespace_separated_except_in_chinese_and_japanese():
    assert count_words("The council met on Tuesday, as planned.") == 7
    assert count_words("Straße, “Anführungszeichen” und 3,5 % – wie üblich") == 8
    assert count_words("城市议会周二通过了预算案。") == 12  # one per character; the full stop is no word
    assert count_words("Apple 发布了 iPhone 15 新机型") == 9  # Apple, 发, 布, 了, iPhone, 15, 新, 机, 型
    assert count_words("iPhone发布了") == 4  # the Latin part of a mixed token is one more word
    assert count_words("子どもへの虐待をなくす") == 11
    assert count_words("") == 0


def test_n_words_follows_the_text():
    doc = Document(id="a", text="one two three", source="a")
    assert doc.n_words == 3
    doc.text = "四五六"
    assert doc.n_words == 3


def test_a_pending_record_that_cannot_be_made_is_a_reject_not_a_crash():
    def broken() -> Document:
        raise RecursionError("maximum recursion depth exceeded")  # what a parser does on a pathological page

    reject = Pending("crawl.warc#3", 100, broken).resolve()
    assert isinstance(reject, Reject) and reject.reason == "read.extraction_failed"
    assert reject.source == "crawl.warc#3" and "RecursionError" in reject.detail
    document = Document(id="x", text="made", source="crawl.warc#4")
    assert Pending("crawl.warc#4", 4, lambda: document).resolve() is document
