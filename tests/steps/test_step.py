"""The base step's line removal: the text without the lines, the audit with each of them in order."""

from cleaner.document import Document, RemovedLine
from cleaner.steps import Step


class Dropper(Step):
    name = "dropper"


def test_dropped_lines_leave_the_text_and_enter_the_audit_in_order():
    lines = ["Menu", "Title", "", "Body one.", "Share", "Body two.", "Footer"]
    doc = Document(id="x", text="\n".join(lines), source="x")
    reasons = {6: "footer", 0: "menu", 4: "share"}  # not in order
    Dropper().drop_lines(doc, lines, reasons)
    assert doc.text == "Title\n\nBody one.\nBody two."
    assert doc.removed == [
        RemovedLine("dropper", "menu", 1, "Menu"),
        RemovedLine("dropper", "share", 5, "Share"),
        RemovedLine("dropper", "footer", 7, "Footer"),
    ]


def test_no_reasons_leave_the_document_as_it_is():
    doc = Document(id="x", text="a\nb", source="x")
    assert Dropper().drop_lines(doc, ["a", "b"], {}) is doc
    assert doc.text == "a\nb" and doc.removed == []


def test_every_line_dropped_leaves_an_empty_text():
    doc = Document(id="x", text="a\nb", source="x")
    Dropper().drop_lines(doc, ["a", "b"], {1: "r", 0: "r"})
    assert doc.text == "" and [row.line_no for row in doc.removed] == [1, 2]
