"""What the report gathers: counts over all documents, samples per reason and site, lines put back in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.report.data import ReportError, gather, locate, reconstruct
from tests.conftest import read_table


def test_counts_and_samples_match_the_tables(build: Path):
    data = gather(locate(build))
    documents, rejects, audit = (read_table(build / t) for t in ("documents", "rejects", "audit"))
    assert data.counts["kept"] == len(documents) and data.counts["rejected"] == len(rejects) >= 1
    assert data.counts["lines_removed"] == len(audit) and sum(data.removed_by_reason.values()) == len(audit)
    assert {s["id"] for s in data.samples} == {r["id"] for r in documents} | {r["id"] for r in rejects}
    rejected = next(s for s in data.samples if s["status"] == "rejected")
    assert rejected["reasons"] == [rejects[0]["reason"]] and rejected["lines"][0]["t"] == "Too short."


def test_removed_lines_are_put_back_where_they_stood(build: Path):
    """The kept text with the audit's lines put back is the text the steps saw, line for line."""
    data = gather(locate(build))
    audit = read_table(build / "audit")
    for sample in (s for s in data.samples if s["status"] == "kept"):
        removed = [r for r in audit if r["id"] == sample["id"]]
        struck = [(line["t"], line["r"]) for line in sample["lines"] if "r" in line]
        assert sorted(struck) == sorted((r["text"], f"{r['step']}.{r['reason']}") for r in removed)
        texts = {r["id"]: r["text"] for r in read_table(build / "documents")}
        if not sample["cut"]:  # the other lines are the published text, in order
            assert "\n".join(line["t"] for line in sample["lines"] if "r" not in line) == texts[sample["id"]]


def test_reconstruct_undoes_later_steps_first():
    # step a removed line 2 of "1 X 2 3"; step b then removed line 2 ("2") of "1 2 3"
    rows = [
        {"step": "a", "reason": "x", "line_no": 2, "text": "X"},
        {"step": "b", "reason": "y", "line_no": 2, "text": "2"},
    ]
    assert [line["t"] for line in reconstruct("1\n3", rows)] == ["1", "X", "2", "3"]


def test_sampling_is_per_group_and_stable(build: Path):
    one = gather(locate(build), per_group=1)
    groups = len(one.removed_by_reason) + len(one.rejected_by_reason) + len(one.sites)
    assert one.sampling["per_group"] == 1 and one.sampling["embedded"] <= groups
    assert [s["id"] for s in one.samples] == [s["id"] for s in gather(locate(build), per_group=1).samples]
    for reason in one.removed_by_reason:  # every reason keeps an example
        assert any(reason in s["reasons"] for s in one.samples)


def test_not_a_build(tmp_path: Path):
    with pytest.raises(ReportError, match="neither a build"):
        locate(tmp_path)
