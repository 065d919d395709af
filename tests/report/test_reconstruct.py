"""A document put back as it was read: removals and edits undone from the last to the first."""

from __future__ import annotations

from cleaner.report.reconstruct import reconstruct
from tests.report.conftest import published


def test_reconstruct_undoes_later_steps_first():
    # step a removed line 2 of "1 X 2 3"; step b then removed line 2 ("2") of "1 2 3"
    rows = [
        {"step": "a", "reason": "x", "line_no": 2, "text": "X"},
        {"step": "b", "reason": "y", "line_no": 2, "text": "2"},
    ]
    lines, unplaced = reconstruct("1\n3", rows)
    assert [line["t"] for line in lines] == ["1", "X", "2", "3"] and unplaced == []


def test_reconstruct_interleaves_edits_and_removals_in_the_order_they_happened():
    """A repair, then a removal, then an edit of the same words by a later step, then a removal."""
    original = "Menu\n\nthe cafÃ©owner said\n\nAd\nEnd"
    rows = [  # "Menu" (and the blank line after it) went first; "Ad" after the spacing step's edit
        {"step": "boiler", "reason": "menu", "line_no": 1, "text": "Menu", "blank_after": True},
        {"step": "boiler", "reason": "ad", "line_no": 3, "text": "Ad"},  # of "the café owner said / blank / Ad / End"
    ]
    edits = [
        {
            "step": "repair",
            "kind": "mojibake",
            "line_no": 3,
            "column": 4,
            "before": "cafÃ©owner",
            "after": "caféowner",
            "removed_before": 0,
        },
        {
            "step": "spacing",
            "kind": "glued",
            "line_no": 1,
            "column": 4,
            "before": "caféowner",
            "after": "café owner",
            "removed_before": 1,
        },
    ]
    lines, unplaced = reconstruct("the café owner said\n\nEnd", rows, edits)
    assert "\n".join(line["t"] for line in lines) == original and unplaced == []
    assert lines[2]["e"] == [[4, 14, "café owner", ["repair.mojibake", "spacing.glued"]]]  # one mark, both labels
    assert published(lines) == "the café owner said\n\nEnd"


def test_an_edit_whose_words_changed_again_is_returned_apart():
    edits = [
        {
            "step": "repair",
            "kind": "mojibake",
            "line_no": 1,
            "column": 0,
            "before": "cafÃ©",
            "after": "café",
            "removed_before": 0,
        }
    ]
    lines, unplaced = reconstruct("[EMAIL] wrote", [], edits)
    assert [line["t"] for line in lines] == ["[EMAIL] wrote"]
    assert unplaced == [{"before": "cafÃ©", "after": "café", "labels": ["repair.mojibake"]}]
