from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Document, Pending, Reject, RemovedLine, changed_runs, count_words


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


def replay(text: str, edits) -> str:
    """``text`` with ``edits`` applied in order, each checked to find its old words where it says they stood."""
    lines = text.split("\n")
    for e in edits:
        line = lines[e.line_no - 1]
        assert line[e.column : e.column + len(e.before)] == e.before, (e, line)
        lines[e.line_no - 1] = line[: e.column] + e.after + line[e.column + len(e.before) :]
    return "\n".join(lines)


def test_changed_runs_are_whole_words():
    assert changed_runs("Le cafÃ© est ouvert, PrÃ©sident", "Le café est ouvert, Président") == [
        (3, "cafÃ©", "café"),
        (21, "PrÃ©sident", "Président"),
    ]
    assert changed_runs("Khalilzad’s pleathat former", "Khalilzad’s plea that former") == [
        (12, "pleathat", "plea that")
    ]
    # a space or a stray character alone takes the word beside it along, so that it can be read and found again
    assert changed_runs("Author. Â You", "Author.\u00a0 You") == [(0, "Author. Â ", "Author.\u00a0 ")]
    assert changed_runs("same words", "same words") == []


LINE_CHARACTERS = st.characters(blacklist_characters="\n", blacklist_categories=("Cs",))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(LINE_CHARACTERS), st.text(LINE_CHARACTERS)), min_size=1, max_size=4))
def test_recorded_edits_replay_any_change_of_lines(pairs: list[tuple[str, str]]):
    before, after = "\n".join(a for a, _ in pairs), "\n".join(b for _, b in pairs)
    doc = Document(id="x", text=after, source="x")
    doc.record_text_edits("step", "kind", before, after)
    assert replay(before, doc.edits) == after
    assert all(e.before != e.after for e in doc.edits)
    assert {e.line_no for e in doc.edits} == {i + 1 for i, (a, b) in enumerate(pairs) if a != b}


def test_edits_know_how_many_lines_were_removed_before_them():
    doc = Document(id="x", text="b c", source="x", removed=[RemovedLine("s", "r", 1, "a")])
    doc.record_line_edit("step", "kind", 1, "b.c", "b c")
    assert [(e.column, e.before, e.after, e.removed_before) for e in doc.edits] == [(0, "b.c", "b c", 1)]


def test_blank_lines_dropped_with_removed_lines_are_noted():
    """A step removes "Menu" and "Ad" and collapses the blank lines left side by side: the audit says which removed
    line took a blank line along."""
    before = "Menu\n\nIntro text\n\nAd\n\nBody\nFooter"
    rows = [RemovedLine("s", "r", n, t) for n, t in ((1, "Menu"), (5, "Ad"), (8, "Footer"))]
    doc = Document(id="x", text="Intro text\n\nBody", source="x", removed=list(rows))
    doc.note_dropped_blank_lines(before, 0)
    assert [r.blank_after for r in doc.removed] == [True, True, False]
    untouched = Document(id="x", text="Intro\nBody", source="x", removed=[RemovedLine("s", "r", 2, "Ad")])
    untouched.note_dropped_blank_lines("Intro\nAd\nBody", 0)
    assert not untouched.removed[0].blank_after
